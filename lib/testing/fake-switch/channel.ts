/**
 * A simulated FreeSWITCH channel: its data (channel-data.ts) and state machine
 * (channel-states.ts), and here its session thread. The thread runs applications one frame
 * at a time (switch_core_session_exec), waits inside them on the clock, reads DTMF from the
 * channel's queue, and pumps the channel's private event queue: queued `sendmsg` messages
 * run nested inside a media application unless an `event-lock` holds them back
 * (switch_ivr.c).
 */
import { randomUUID } from 'node:crypto';
import type { ChannelInit } from './channel-data.js';
import { ChannelStates, type LifeStep, type StateHost } from './channel-states.js';
import { causeName, switchTrue } from './constants.js';
import type { DialplanAction } from './dialplan.js';
import { SITES, type FiredEvent } from './events.js';

/**
 * The switch as a channel sees it (the core): its bus, the application table, the dialplan's
 * inline extensions, and the channel table, which a channel tells of its life.
 */
export interface ChannelHost extends StateHost {
  /** The application of that name, if one is registered. */
  application(name: string): AppEntry | undefined;
  /** Runs an inline extension on the channel (sendmsg xferext). */
  transferToExtension(channel: Channel, actions: DialplanAction[]): void;
  /** The channel started hanging up. */
  channelDown(channel: Channel): void;
  /** The channel fired CHANNEL_HANGUP_COMPLETE. */
  channelReported(channel: Channel): void;
  /** The channel is destroyed. */
  unregisterChannel(channel: Channel): void;
}

/** What an application is given. */
export interface AppContext {
  /** The channel it runs on. */
  readonly channel: Channel;
  /** Its argument, with ${variables} expanded. */
  readonly args: string;
  /** Application-UUID of its CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE. */
  readonly appUuid: string;
  /**
   * Waits in clock time (undefined: until hangup, uuid_break or a transfer). Queued
   * `sendmsg` applications run inside the wait unless an event-lock holds them back.
   */
  wait(ms?: number, options?: WaitOptions): Promise<WaitResult>;
}

/**
 * An application. Its return value, when a non-empty string, becomes
 * current_application_response, which CHANNEL_EXECUTE_COMPLETE carries as
 * Application-Response (`_none_` otherwise).
 */
export type AppHandler = (context: AppContext) => Promise<string | void> | string | void;

/** A registered application: its handler, and whether it needs media. */
export interface AppEntry {
  run: AppHandler;
  media: boolean;
}

/** Why an application's wait ended. */
export type WaitReason = 'timeout' | 'dtmf' | 'hangup' | 'break' | 'transfer' | 'signal';

/** How an application's wait ended. */
export interface WaitResult {
  reason: WaitReason;
  /** The digit that ended the wait, for `dtmf`. */
  digit?: string;
}

/** What ends an application's wait besides its time running out. */
export interface WaitOptions {
  /**
   * Called with each DTMF digit while this wait is the channel's current one; return true to
   * end the wait with reason `dtmf`. Digits received before the wait began are fed first.
   */
  onDigit?: (digit: string) => boolean;
  /** False for a wait that does not read media (no queued sendmsg runs inside it). Default true. */
  media?: boolean;
  /** Whether uuid_break ends this wait. Default true (park sets false). */
  breakable?: boolean;
  /**
   * Ends the wait with `signal` once this settles (the outbound socket's park ends when its
   * connection does). Applications running nested inside the wait finish first.
   */
  until?: Promise<unknown>;
  /**
   * The wait is switch_ivr_park's loop: while the channel has no media, it takes a queued
   * message straight to switch_ivr_parse_event, which fires no PRIVATE_COMMAND for it.
   */
  park?: boolean;
}

/** A `sendmsg` queued on the channel (its private event queue). */
export interface ChannelMessage {
  /** `call-command`: execute, hangup, unicast, nomedia, xferext. */
  command: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

interface Waiter {
  resolve: (r: WaitResult) => void;
  options: WaitOptions;
  done: boolean;
}

interface AppFrame {
  app: string;
  waiter: Waiter | null;
}

/** A simulated channel. Read it through FakeSwitch.channel(uuid) / channels(). */
export class Channel extends ChannelStates {
  /** Digits received and not yet read by an application. */
  readonly dtmfQueue: string[] = [];
  /** Called with each application's name as it starts (after CHANNEL_EXECUTE). */
  onExecute: ((app: string) => void) | undefined;
  /** The connection that took `divert_events on` for this channel. */
  divertTo: { readonly closed: boolean; deliverDiverted(event: FiredEvent): void } | undefined;

  /** The switch as a channel sees it (what the constructor is given). */
  protected declare readonly host: ChannelHost;
  #frames: AppFrame[] = [];
  #framePopWaiters: Array<() => void> = [];
  #messages: ChannelMessage[] = [];
  #eventLocks = 0;
  #threadActive = false;
  #transfer: { destination: string; dialplan: string; context: string } | undefined;

  constructor(host: ChannelHost, init: ChannelInit) {
    super(host, init);
  }

  /** @internal The switch the channel belongs to. */
  override get core(): ChannelHost {
    return this.host;
  }

  /** The application running now (innermost), if any. */
  get currentApplication(): string | undefined {
    return this.#frames[this.#frames.length - 1]?.app;
  }

  // ChannelStates' two hooks: the channel table is the host's, the thread is this class's.

  protected reportLife(step: LifeStep): void {
    if (step === 'down') this.host.channelDown(this);
    else if (step === 'reported') this.host.channelReported(this);
    else this.host.unregisterChannel(this);
  }

  protected threadNoticesHangup(): void {
    this.#wakeAll('hangup');
    if (!this.#threadActive) this.hangupState();
  }

  // ------------------------------------------------------------------ the session thread

  /**
   * Runs `body` as the channel's session thread; afterwards, if the channel went down, the
   * hangup and reporting states run (as switch_core_session_run does once the state machine
   * sees CS_HANGUP).
   */
  async runThread(body: () => Promise<void>): Promise<void> {
    if (this.#threadActive) {
      await body();
      return;
    }
    this.#threadActive = true;
    try {
      await body();
    } catch (err) {
      this.host.reportError(err);
      this.hangup('DESTINATION_OUT_OF_ORDER');
    } finally {
      this.#threadActive = false;
    }
    if (this.down) this.hangupState();
  }

  /** Starts the session thread on a later turn (another FreeSWITCH thread would). */
  startThread(body: () => Promise<void>): void {
    this.host.defer(() => {
      void this.runThread(body);
    });
  }

  /** Requests a transfer to another extension: running applications end, then routing starts again. */
  requestTransfer(destination: string, dialplan = 'XML', context?: string): void {
    if (this.down) return;
    this.#transfer = { destination, dialplan, context: context ?? this.profile.context };
    this.#wakeAll('transfer');
  }

  /** Takes a pending transfer request, if any. */
  takeTransfer(): { destination: string; dialplan: string; context: string } | undefined {
    const t = this.#transfer;
    this.#transfer = undefined;
    return t;
  }

  get transferPending(): boolean {
    return this.#transfer !== undefined;
  }

  /**
   * switch_core_session_exec: CHANNEL_EXECUTE, the application, CHANNEL_EXECUTE_COMPLETE with
   * Application-Response from current_application_response (`_none_` when unset). An unknown
   * application hangs the channel up with DESTINATION_OUT_OF_ORDER, as FreeSWITCH does.
   * Returns false when the application could not run.
   */
  async execute(app: string, arg = '', options: { appUuid?: string; appUuidName?: string } = {}): Promise<boolean> {
    const core = this.host;
    const handler = core.application(app);
    if (this.down) return false;
    if (!handler) {
      core.log(3, `Invalid Application ${app}`, { file: 'switch_core_session.c', func: 'switch_core_session_execute_application_get_flags', line: 2771, uuid: this.uuid, channel: 3 });
      this.hangup('DESTINATION_OUT_OF_ORDER');
      return false;
    }
    if (handler.media && !this.mediaReady) {
      // FreeSWITCH pre-answers an inbound channel for an application that needs media.
      if (this.direction === 'inbound') this.preAnswer();
    }
    const expanded = this.expand(arg);
    const appUuid = options.appUuid ?? this.takeVar('app_uuid') ?? randomUUID();
    const appUuidName = options.appUuidName ?? this.takeVar('app_uuid_name');
    core.log(6, `EXECUTE [depth=${this.#frames.length}] ${this.name} ${app}(${expanded})`, {
      file: 'switch_core_session.c',
      func: 'switch_core_session_exec',
      line: 2902,
      uuid: this.uuid,
      channel: 1,
    });
    this.appLog.push({ app, arg: expanded });
    this.setVar('current_application', app);
    this.setVar('current_application_data', expanded);
    this.setVar('current_application_response', undefined);
    this.emit('CHANNEL_EXECUTE', SITES.execute, {
      post: (h) => h.add('Application', app).add('Application-Data', expanded).add('Application-UUID', appUuid).add('Application-UUID-Name', appUuidName),
    });
    this.setVar('current_application', app);
    try {
      this.onExecute?.(app);
    } catch (err) {
      core.reportError(err);
    }
    const frame: AppFrame = { app, waiter: null };
    this.#frames.push(frame);
    try {
      const response = await handler.run({ channel: this, args: expanded, appUuid, wait: (ms, o) => this.wait(ms, o) });
      if (typeof response === 'string' && response !== '') this.setVar('current_application_response', response);
    } catch (err) {
      core.reportError(err);
    } finally {
      const at = this.#frames.lastIndexOf(frame);
      if (at >= 0) this.#frames.splice(at, 1);
      for (const w of this.#framePopWaiters.splice(0)) w();
    }
    if (this.down) {
      this.log(7, `${this.name} skip receive message [APPLICATION_EXEC_COMPLETE] (channel is hungup already)`, {
        file: 'switch_core_session.c',
        func: 'switch_core_session_exec',
        line: 2979,
      }, 0);
    }
    const resp = this.variables.get('current_application_response') ?? '_none_';
    this.emit('CHANNEL_EXECUTE_COMPLETE', SITES.executeComplete, {
      post: (h) =>
        h
          .add('Application', app)
          .add('Application-Data', expanded)
          .add('Application-Response', resp)
          .add('Application-UUID', appUuid)
          .add('Application-UUID-Name', appUuidName),
    });
    this.pumpMessages();
    return true;
  }

  /**
   * Waits inside the running application: for `ms` of clock time (undefined: until something
   * else ends it), a digit accepted by `onDigit`, hangup, uuid_break or a transfer. While it
   * waits in a media loop, queued sendmsg messages run nested, unless an event-lock is held;
   * a wait whose time is up still returns only once nested applications have finished.
   */
  async wait(ms: number | undefined, options: WaitOptions = {}): Promise<WaitResult> {
    if (this.down) return { reason: 'hangup' };
    if (this.#transfer) return { reason: 'transfer' };
    const frame = this.#frames[this.#frames.length - 1];
    const result = await new Promise<WaitResult>((resolve) => {
      const waiter: Waiter = { resolve: () => undefined, options, done: false };
      let timer: { cancel(): void } | undefined;
      waiter.resolve = (r) => {
        if (waiter.done) return;
        waiter.done = true;
        timer?.cancel();
        if (frame && frame.waiter === waiter) frame.waiter = null;
        resolve(r);
      };
      if (frame) frame.waiter = waiter;
      if (ms !== undefined) timer = this.host.scheduler.after(ms, () => waiter.resolve({ reason: 'timeout' }));
      const signal = (): void => waiter.resolve({ reason: 'signal' });
      options.until?.then(signal, signal);
      this.#feedQueuedDigits();
      if (!waiter.done) this.pumpMessages();
    });
    while (frame && this.#frames.length > 0 && this.#frames[this.#frames.length - 1] !== frame && this.#frames.includes(frame)) {
      await new Promise<void>((r) => this.#framePopWaiters.push(r));
    }
    return result;
  }

  /** Ends the current application's wait (uuid_break); with `all`, every application's. */
  breakApplications(all = false): void {
    const frames = all ? this.#frames : this.#frames.slice(-1);
    for (const f of frames) {
      if (f.waiter && f.waiter.options.breakable !== false) f.waiter.resolve({ reason: 'break' });
    }
  }

  /** Ends the current (innermost) application's wait with `signal`. */
  wakeCurrent(): void {
    this.#frames[this.#frames.length - 1]?.waiter?.resolve({ reason: 'signal' });
  }

  /** Ends every wait with `signal` (used to leave park for a bridge). */
  signalApplications(): void {
    this.#wakeAll('signal');
  }

  #wakeAll(reason: WaitReason): void {
    for (const f of [...this.#frames]) f.waiter?.resolve({ reason });
  }

  // ------------------------------------------------------------------ DTMF

  /**
   * A digit arrives from the far end (switch_channel_queue_dtmf, then dequeue): a DTMF event,
   * then the current application reads it or it waits in the channel's DTMF queue.
   */
  receiveDtmf(digit: string, durationSamples = 2000, source = 'APP'): void {
    if (this.down) return;
    this.dtmfLog.push(digit);
    this.emit('DTMF', SITES.dtmf, {
      post: (h) => h.add('DTMF-Digit', digit).add('DTMF-Duration', durationSamples).add('DTMF-Source', source),
    });
    this.dtmfQueue.push(digit);
    this.#feedQueuedDigits();
  }

  #feedQueuedDigits(): void {
    const top = this.#frames[this.#frames.length - 1];
    const waiter = top?.waiter;
    if (!waiter || waiter.done || !waiter.options.onDigit) return;
    while (this.dtmfQueue.length > 0 && !waiter.done) {
      const d = this.dtmfQueue.shift()!;
      if (waiter.options.onDigit(d)) waiter.resolve({ reason: 'dtmf', digit: d });
    }
  }

  /** Takes digits waiting in the DTMF queue. */
  takeQueuedDigits(): string[] {
    return this.dtmfQueue.splice(0);
  }

  // ------------------------------------------------------------------ sendmsg

  /** Queues a message on the channel's private event queue (sendmsg in async mode). */
  queueMessage(message: ChannelMessage): void {
    if (this.destroyed) return;
    this.#messages.push(message);
    this.pumpMessages();
  }

  /**
   * Runs the next queued message when the current application is waiting in a media loop
   * and no event-lock is held (switch_ivr_parse_next_event from a media loop).
   */
  pumpMessages(): void {
    if (this.#messages.length === 0 || this.#eventLocks > 0) return;
    const top = this.#frames[this.#frames.length - 1];
    if (!top || !top.waiter || top.waiter.done || top.waiter.options.media === false) return;
    if (this.down && this.#messages[0]!.command !== 'hangup') {
      this.#messages.length = 0;
      return;
    }
    const msg = this.#messages.shift()!;
    const parkWithoutMedia = top.waiter.options.park === true && !this.mediaReady;
    void this.processMessage(msg, !parkWithoutMedia).then(() => this.pumpMessages());
  }

  /**
   * switch_ivr_parse_event: carries out one sendmsg. `execute` runs the application `loops`
   * times (stopping early when a run lasts under 0.5 s, as FreeSWITCH does), holding the
   * event-lock while it runs when asked; `hangup` hangs up with `hangup-cause`. A message
   * taken from the queue by switch_ivr_parse_next_event (`announce`) is then fired as
   * PRIVATE_COMMAND.
   */
  async processMessage(msg: ChannelMessage, announce = true): Promise<void> {
    const get = (name: string): string | undefined => {
      const lower = name.toLowerCase();
      for (const [n, v] of msg.headers) if (n.toLowerCase() === lower) return v;
      return undefined;
    };
    const lock = switchTrue(get('event-lock')) || switchTrue(get('event-lock-pri'));
    if (lock) this.#eventLocks++;
    try {
      const command = msg.command;
      if (command.startsWith('execute')) {
        const app = get('execute-app-name');
        let arg = get('execute-app-arg');
        if ((arg === undefined || arg === '') && (get('content-type') ?? '').toLowerCase() === 'text/plain') arg = msg.body;
        const loopsHeader = get('loops');
        const loops = loopsHeader === undefined ? 1 : Number.parseInt(loopsHeader, 10) || 0;
        const eventUuid = get('event-uuid');
        const eventUuidName = get('event-uuid-name');
        if (app) {
          for (let x = 0; x < loops || loops < 0; x++) {
            if (eventUuid) this.setVar('app_uuid', eventUuid);
            if (eventUuidName) this.setVar('app_uuid_name', eventUuidName);
            this.setVar('current_loop', x + 1);
            this.setVar('total_loops', loops);
            const before = this.host.scheduler.now();
            const ok = await this.execute(app, arg ?? '');
            if (!ok || !this.ready || this.host.scheduler.now() - before < 500) break;
          }
          this.setVar('current_loop', undefined);
          this.setVar('total_loops', undefined);
        }
      } else if (command.startsWith('hangup')) {
        this.hangup(causeName(get('hangup-cause')));
      } else if (command.startsWith('xferext')) {
        const actions: Array<{ app: string; data: string }> = [];
        for (const [n, v] of msg.headers) {
          if (n.toLowerCase() !== 'application') continue;
          const sp = v.indexOf(' ');
          actions.push(sp < 0 ? { app: v, data: '' } : { app: v.slice(0, sp), data: v.slice(sp + 1) });
        }
        this.host.transferToExtension(this, actions);
      }
      // unicast and nomedia change media paths only; the emulator has none to change.
    } finally {
      if (lock) this.#eventLocks--;
    }
    if (announce) {
      this.emit('PRIVATE_COMMAND', SITES.privateCommand, {
        pre: (h) => {
          for (const [n, v] of msg.headers) h.add(n, v);
        },
      });
    }
  }

  /** A snapshot, as FakeSwitch.channels() returns it. */
  info(): ChannelInfo {
    return {
      uuid: this.uuid,
      name: this.name,
      direction: this.direction,
      state: this.stateName,
      callState: this.callState,
      answered: this.answered,
      hangupCause: this.hangupCause,
      application: this.currentApplication,
      destination: this.profile.destinationNumber,
      callerIdNumber: this.profile.callerIdNumber,
      callerIdName: this.profile.callerIdName,
      partnerUuid: this.partnerUuid,
      variables: Object.fromEntries(this.variables),
    };
  }
}

/** A snapshot of a channel, as FakeSwitch.channels() returns it. */
export interface ChannelInfo {
  uuid: string;
  name: string;
  direction: 'inbound' | 'outbound';
  /** Running state: CS_EXECUTE, CS_HANGUP... */
  state: string;
  /** DOWN, RINGING, EARLY, ACTIVE, HELD, HANGUP. */
  callState: string;
  answered: boolean;
  hangupCause: string | undefined;
  /** The application running now. */
  application: string | undefined;
  destination: string;
  callerIdNumber: string;
  callerIdName: string;
  partnerUuid: string | undefined;
  variables: Record<string, string>;
}
