/**
 * A simulated FreeSWITCH channel (switch_channel_t plus its session thread). It owns what the
 * events are made of, and makes them the way switch_channel.c does:
 *
 * - switch_channel_event_set_basic_data: Channel-State (the *running* state's name),
 *   Channel-Call-State, Channel-State-Number (the *requested* state's number, which runs one
 *   step ahead: CHANNEL_CREATE says CS_INIT with number 2), Channel-Name, Unique-ID,
 *   Call-Direction, Presence-Call-Direction, Channel-HIT-Dialplan, Channel-Call-UUID,
 *   Answer-State, Hangup-Cause once there is one, the read and write codecs, the caller
 *   profile (Caller-*), and the other leg's profile (Other-Type, Other-Leg-*);
 * - switch_channel_event_set_extended_data: every channel variable as variable_<name>, in the
 *   variables' order, but only for the event types in VERBOSE_EVENTS;
 * - a variable that is set again moves to the end (FreeSWITCH deletes and appends), and an
 *   empty value deletes it.
 *
 * Its session thread runs applications one frame at a time; queued `sendmsg` messages run
 * nested inside a media application unless an `event-lock` holds them back (switch_ivr.c).
 */
import { randomUUID } from 'node:crypto';
import type { SwitchBus } from './bus.js';
import { CALL_STATES, CHANNEL_STATES, CS, HANGUP_CAUSES, causeName, switchTrue, type CallStateName } from './constants.js';
import type { DialplanAction } from './dialplan.js';
import { HeaderBuilder, SITES, localStamp, type EventSite, type FiredEvent } from './events.js';
import type { TextChannel } from './logger.js';

/**
 * The switch as a channel sees it (the core): its bus, the application table, the dialplan's
 * inline extensions, and the channel table, which a channel tells of its life.
 */
export interface ChannelHost extends SwitchBus {
  /** Sessions that exist now (switch_core_session_count). */
  readonly liveSessions: number;
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

/** Where a log line comes from: Log-File, Log-Func, Log-Line. */
export interface LogSite {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

const SSM = 'switch_core_state_machine.c';

/** The STATE_MACRO of each state in switch_core_session_run (and the hangup/reporting/destroy states). */
const STATE_MACRO_SITES: Record<number, LogSite> = {
  [CS.INIT]: { file: SSM, func: 'switch_core_session_run', line: 624 },
  [CS.ROUTING]: { file: SSM, func: 'switch_core_session_run', line: 640 },
  [CS.RESET]: { file: SSM, func: 'switch_core_session_run', line: 643 },
  [CS.EXECUTE]: { file: SSM, func: 'switch_core_session_run', line: 647 },
  [CS.EXCHANGE_MEDIA]: { file: SSM, func: 'switch_core_session_run', line: 650 },
  [CS.SOFT_EXECUTE]: { file: SSM, func: 'switch_core_session_run', line: 653 },
  [CS.PARK]: { file: SSM, func: 'switch_core_session_run', line: 656 },
  [CS.CONSUME_MEDIA]: { file: SSM, func: 'switch_core_session_run', line: 659 },
  [CS.HIBERNATE]: { file: SSM, func: 'switch_core_session_run', line: 662 },
  [CS.HANGUP]: { file: SSM, func: 'switch_core_session_hangup_state', line: 846 },
  [CS.REPORTING]: { file: SSM, func: 'switch_core_session_reporting_state', line: 932 },
  [CS.DESTROY]: { file: SSM, func: 'switch_core_session_destroy_state', line: 745 },
};

/** The line of each switch_core_standard_on_<state> log. */
const STANDARD_LINES: Record<number, number> = {
  [CS.INIT]: 40,
  [CS.ROUTING]: 230,
  [CS.RESET]: 182,
  [CS.EXECUTE]: 323,
  [CS.EXCHANGE_MEDIA]: 391,
  [CS.SOFT_EXECUTE]: 397,
  [CS.PARK]: 403,
  [CS.CONSUME_MEDIA]: 411,
  [CS.HIBERNATE]: 417,
  [CS.HANGUP]: 59,
  [CS.REPORTING]: 168,
  [CS.DESTROY]: 175,
};

/** CS_EXECUTE -> EXECUTE. */
function shortState(cs: number): string {
  return (CHANNEL_STATES[cs] ?? 'CS_NONE').slice(3);
}

/** The event types that carry every channel variable (switch_channel_event_set_extended_data). */
const VERBOSE_EVENTS = new Set([
  'CHANNEL_CREATE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_ANSWER',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'REQUEST_PARAMS',
  'CHANNEL_DATA',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_DESTROY',
  'SESSION_HEARTBEAT',
  'API',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CALL_UPDATE',
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'TEXT',
  'CUSTOM',
]);

/** The caller profile (switch_caller_profile_t) as switch_caller_profile_event_set_data writes it. */
export interface CallerProfile {
  direction: 'inbound' | 'outbound';
  logicalDirection: 'inbound' | 'outbound';
  username: string;
  dialplan: string;
  callerIdName: string;
  callerIdNumber: string;
  origCallerIdName: string;
  origCallerIdNumber: string;
  calleeIdName: string;
  calleeIdNumber: string;
  networkAddr: string;
  ani: string;
  aniii: string;
  destinationNumber: string;
  uuid: string;
  source: string;
  transferSource: string;
  context: string;
  rdnis: string;
  chanName: string;
  profileIndex: string;
  screen: boolean;
  hideName: boolean;
  hideNumber: boolean;
}

/** A codec as the Channel-*-Codec-* headers describe it. */
export interface Codec {
  name: string;
  rate: number;
  bitRate: number;
}

/** The channel's timetable, in microseconds since the epoch (0 when it did not happen). */
export interface ChannelTimes {
  profileCreated: number;
  created: number;
  answered: number;
  progress: number;
  progressMedia: number;
  hungup: number;
  transferred: number;
  resurrected: number;
  bridged: number;
  lastHold: number;
  holdAccum: number;
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

export interface ChannelInit {
  uuid?: string;
  name: string;
  direction: 'inbound' | 'outbound';
  profile?: Partial<CallerProfile>;
  variables?: Iterable<readonly [string, string]>;
  readCodec?: Codec;
  writeCodec?: Codec;
}

/** Hooks an endpoint (loopback, the generic one) plugs into a channel's life. */
export interface EndpointHooks {
  /** Answers the channel (loopback answers its other leg first). Default: markAnswered(). */
  answer?(channel: Channel): void;
  /** Early media (loopback passes it to its other leg first). Default: markPreAnswered(). */
  preAnswer?(channel: Channel): void;
  /** Ringing (loopback passes it to its other leg first). Default: markRingReady(). */
  ringReady?(channel: Channel): void;
  /** The endpoint's own state handler log line for a state (loopback: `<name> CHANNEL ROUTING`...). */
  stateLog?(channel: Channel, cs: number): void;
  /** The endpoint's kill handler, run when the channel is hung up (loopback: `<name> CHANNEL KILL`). */
  onKill?(channel: Channel): void;
  /** Called in the hangup state, after the CHANNEL_STATE CS_HANGUP and CALLSTATE HANGUP events. */
  onHangup?(channel: Channel): void;
  /** Called in the reporting state after the CDR variables are set (loopback adds is_loopback). */
  onReporting?(channel: Channel): void;
  /** Called once the channel is destroyed. */
  onDestroy?(channel: Channel): void;
}

export const DEFAULT_CODEC: Codec = { name: 'L16', rate: 8000, bitRate: 128000 };

function emptyProfile(direction: 'inbound' | 'outbound'): CallerProfile {
  return {
    direction,
    logicalDirection: direction,
    username: '',
    dialplan: 'xml',
    callerIdName: '',
    callerIdNumber: '',
    origCallerIdName: '',
    origCallerIdNumber: '',
    calleeIdName: '',
    calleeIdNumber: '',
    networkAddr: '',
    ani: '',
    aniii: '',
    destinationNumber: '',
    uuid: '',
    source: '',
    transferSource: '',
    context: 'default',
    rdnis: '',
    chanName: '',
    profileIndex: '1',
    screen: true,
    hideName: false,
    hideNumber: false,
  };
}

/** A simulated channel. Read it through FakeSwitch.channel(uuid) / channels(). */
export class Channel {
  uuid: string;
  name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly sessionId: number;
  /** The requested state (Channel-State-Number). */
  state: number = CS.NEW;
  /** The running state (Channel-State). */
  runningState: number = CS.NONE;
  callState: CallStateName = 'DOWN';
  answered = false;
  early = false;
  /** CF_DIALPLAN: the channel went through the dialplan (Channel-HIT-Dialplan true for outbound legs). */
  hitDialplan = false;
  hangupCause: string | undefined;
  readonly variables = new Map<string, string>();
  profile: CallerProfile;
  /** False until the endpoint has set the caller profile (the first CODEC events of a loopback leg have no Caller-* headers). */
  hasProfile = true;
  /** The other leg's profile, shown as Other-Type / Other-Leg-*. */
  otherLeg: { type: 'originator' | 'originatee'; profile: CallerProfile } | undefined;
  readCodec: Codec | undefined;
  writeCodec: Codec | undefined;
  readonly times: ChannelTimes;
  /** The bridged partner's uuid. */
  partnerUuid: string | undefined;
  /** Endpoint behaviour (loopback, generic). */
  hooks: EndpointHooks = {};
  /** Digits received and not yet read by an application. */
  readonly dtmfQueue: string[] = [];
  /** Every digit received, for digits_dialed. */
  readonly dtmfLog: string[] = [];
  /** Applications run, for last_app / last_arg. */
  readonly appLog: Array<{ app: string; arg: string }> = [];
  held = false;
  /** Called with each application's name as it starts (after CHANNEL_EXECUTE). */
  onExecute: ((app: string) => void) | undefined;
  /** The connection that took `divert_events on` for this channel. */
  divertTo: { readonly closed: boolean; deliverDiverted(event: FiredEvent): void } | undefined;

  #core: ChannelHost;
  #frames: AppFrame[] = [];
  #framePopWaiters: Array<() => void> = [];
  #messages: ChannelMessage[] = [];
  #eventLocks = 0;
  #threadActive = false;
  #hangupStarted = false;
  #reported = false;
  #destroyed = false;
  #holders = new Set<object>();
  #transfer: { destination: string; dialplan: string; context: string } | undefined;
  #downWaiters: Array<() => void> = [];
  #answerWaiters: Array<() => void> = [];
  #destroyWaiters: Array<() => void> = [];

  constructor(core: ChannelHost, init: ChannelInit) {
    this.#core = core;
    this.uuid = init.uuid ?? randomUUID();
    this.name = init.name;
    this.direction = init.direction;
    this.sessionId = core.nextSessionId();
    const now = core.micros();
    this.times = {
      profileCreated: now,
      created: now,
      answered: 0,
      progress: 0,
      progressMedia: 0,
      hungup: 0,
      transferred: 0,
      resurrected: 0,
      bridged: 0,
      lastHold: 0,
      holdAccum: 0,
    };
    this.profile = { ...emptyProfile(init.direction), ...init.profile, uuid: this.uuid, chanName: init.name };
    this.readCodec = init.readCodec;
    this.writeCodec = init.writeCodec;
    if (init.variables) for (const [k, v] of init.variables) this.setVar(k, v);
  }

  /** @internal The switch the channel belongs to. */
  get core(): ChannelHost {
    return this.#core;
  }

  // ------------------------------------------------------------------ state, read-only

  /** True once the channel is hanging up or gone (switch_channel_down). */
  get down(): boolean {
    return this.hangupCause !== undefined;
  }

  /** True while the channel is up (switch_channel_ready). */
  get ready(): boolean {
    return !this.down && !this.#destroyed;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** True when the channel has media (answered or early media). */
  get mediaReady(): boolean {
    return this.answered || this.early;
  }

  /** The application running now (innermost), if any. */
  get currentApplication(): string | undefined {
    return this.#frames[this.#frames.length - 1]?.app;
  }

  /** Running state name (CS_EXECUTE...). */
  get stateName(): string {
    return CHANNEL_STATES[this.runningState] ?? 'CS_NONE';
  }

  /** Calls `fn` once when the channel is answered; returns a function that cancels it. */
  onAnswered(fn: () => void): () => void {
    if (this.answered) {
      fn();
      return () => undefined;
    }
    this.#answerWaiters.push(fn);
    return () => {
      const i = this.#answerWaiters.indexOf(fn);
      if (i >= 0) this.#answerWaiters.splice(i, 1);
    };
  }

  /** Resolves once the channel is destroyed (CHANNEL_DESTROY fired). */
  whenDestroyed(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#destroyWaiters.push(resolve));
  }

  /** Resolves once the channel is hanging up (at once if it already is). */
  whenDown(): Promise<void> {
    if (this.down) return Promise.resolve();
    return new Promise((resolve) => this.#downWaiters.push(resolve));
  }

  /**
   * Calls `fn` once the channel is hanging up, on the next microtask as `whenDown().then(fn)`
   * would (at once if it already is); returns a function that cancels it, even when the call
   * is already queued.
   */
  onDown(fn: () => void): () => void {
    let armed = true;
    const waiter = (): void =>
      queueMicrotask(() => {
        if (armed) fn();
      });
    if (this.down) waiter();
    else this.#downWaiters.push(waiter);
    return () => {
      armed = false;
      const i = this.#downWaiters.indexOf(waiter);
      if (i >= 0) this.#downWaiters.splice(i, 1);
    };
  }

  // ------------------------------------------------------------------ variables

  /** A channel variable. */
  getVar(name: string): string | undefined {
    return this.variables.get(name);
  }

  /** switch_channel_set_variable: a value set again moves to the end; empty or undefined deletes. */
  setVar(name: string, value: string | number | undefined | null): void {
    this.variables.delete(name);
    if (value === undefined || value === null) return;
    const v = String(value);
    if (v !== '') this.variables.set(name, v);
  }

  /** Expands ${var} and $${global} references, as switch_channel_expand_variables. */
  expand(text: string): string {
    if (text.indexOf('$') < 0) return text;
    return text.replace(/\$\$\{([^}]+)\}|\$\{([^}]+)\}/g, (_m, g: string | undefined, v: string | undefined) => {
      if (g !== undefined) return this.#core.globals.get(g) ?? '';
      return this.variables.get(v!) ?? this.#core.globals.get(v!) ?? '';
    });
  }

  // ------------------------------------------------------------------ events

  /** Appends switch_channel_event_set_basic_data's headers. */
  basicData(h: HeaderBuilder): void {
    h.add('Channel-State', CHANNEL_STATES[this.runningState])
      .add('Channel-Call-State', this.callState)
      .add('Channel-State-Number', this.state)
      .add('Channel-Name', this.name)
      .add('Unique-ID', this.uuid)
      .add('Session-External-ID', this.variables.get('session_external_id'))
      .add('Call-Direction', this.direction)
      .add('Presence-Call-Direction', this.direction)
      .add('Channel-HIT-Dialplan', this.direction === 'inbound' || this.hitDialplan ? 'true' : 'false')
      .add('Channel-Presence-ID', this.variables.get('presence_id'))
      .add('Channel-Presence-Data', this.variables.get('presence_data'))
      .add('Channel-Call-UUID', this.variables.get('call_uuid') ?? this.uuid)
      .add('Answer-State', this.down ? 'hangup' : this.answered ? 'answered' : this.early ? 'early' : 'ringing')
      .add('Hangup-Cause', this.hangupCause);
    this.codecData(h);
    if (this.hasProfile) profileData(this.profile, 'Caller', this.times, h);
    if (this.otherLeg) {
      h.add('Other-Type', this.otherLeg.type);
      profileData(this.otherLeg.profile, 'Other-Leg', undefined, h);
    }
  }

  /** The codec headers of basic data (absent until a codec is set). */
  codecData(h: HeaderBuilder): void {
    if (this.readCodec) {
      h.add('Channel-Read-Codec-Name', this.readCodec.name)
        .add('Channel-Read-Codec-Rate', this.readCodec.rate)
        .add('Channel-Read-Codec-Bit-Rate', this.readCodec.bitRate);
    }
    if (this.writeCodec) {
      h.add('Channel-Write-Codec-Name', this.writeCodec.name)
        .add('Channel-Write-Codec-Rate', this.writeCodec.rate)
        .add('Channel-Write-Codec-Bit-Rate', this.writeCodec.bitRate);
    }
  }

  /** Appends every variable as variable_<name> (extended data). */
  variableData(h: HeaderBuilder): void {
    for (const [k, v] of this.variables) h.add(`variable_${k}`, v);
  }

  /**
   * Fires a channel event: core headers, `pre` headers (those FreeSWITCH adds before the
   * channel data, such as Original-Channel-Call-State), basic data, the variables for the
   * verbose event types, then `post` headers (Application, DTMF-Digit...).
   */
  emit(
    name: string,
    site: EventSite,
    options: { pre?: (h: HeaderBuilder) => void; post?: (h: HeaderBuilder) => void; body?: string; subclass?: string } = {},
  ): void {
    const core = this.#core;
    if (!core.wants(name, this.uuid, options.subclass)) {
      // Nobody listens: still take the sequence number the event would have had.
      core.events.skip();
      return;
    }
    const h = core.events.create(name, site, options.subclass);
    options.pre?.(h);
    this.basicData(h);
    if (VERBOSE_EVENTS.has(name) || this.variables.get('verbose_events') === 'true') this.variableData(h);
    options.post?.(h);
    core.fire(h, options.body);
  }

  // ------------------------------------------------------------------ logs

  /** A log line about this channel: User-Data is its uuid. */
  log(level: number, text: string, site: LogSite, textChannel: TextChannel = 3): void {
    this.#core.log(level, text, { file: site.file, func: site.func, line: site.line, uuid: this.uuid, channel: textChannel });
  }

  /** `(<name>) State <STATE>`: the state machine enters a state. */
  enterState(cs: number): void {
    if (!this.#core.logging) return;
    const site = STATE_MACRO_SITES[cs];
    if (site) this.log(7, `(${this.name}) State ${shortState(cs)}`, site);
  }

  /** `(<name>) State <STATE> going to sleep`: the state's handlers have run. */
  sleepState(cs: number): void {
    if (!this.#core.logging) return;
    const site = STATE_MACRO_SITES[cs];
    if (site) this.log(7, `(${this.name}) State ${shortState(cs)} going to sleep`, site);
  }

  /** `<name> Standard <STATE>`: switch_core_standard_on_<state>. */
  standardState(cs: number): void {
    if (!this.#core.logging) return;
    const line = STANDARD_LINES[cs];
    if (line === undefined) return;
    const short = shortState(cs);
    const cause = cs === CS.HANGUP || cs === CS.REPORTING ? `, cause: ${this.hangupCause ?? 'NONE'}` : '';
    this.log(7, `${this.name} Standard ${short}${cause}`, { file: SSM, func: `switch_core_standard_on_${short.toLowerCase()}`, line });
  }

  /** The endpoint's state handler log for `cs`. */
  driverState(cs: number): void {
    this.hooks.stateLog?.(this, cs);
  }

  /**
   * switch_channel_perform_set_running_state: `Running State Change`; on an inbound channel,
   * entering CS_ROUTING sets the call state RINGING (and a later state re-asserts ACTIVE or
   * EARLY); then CHANNEL_STATE.
   */
  setRunningState(cs: number): void {
    if (this.#core.logging) {
      const site = cs === CS.DESTROY ? { file: SSM, func: 'switch_core_session_destroy_state', line: 735 } : { file: SSM, func: 'switch_core_session_run', line: 581 };
      this.log(7, `(${this.name}) Running State Change ${CHANNEL_STATES[cs]} (Cur ${this.#core.liveSessions} Tot ${this.#core.sessionsSinceStartup})`, site, 0);
    }
    this.runningState = cs;
    if (this.direction === 'inbound' && cs < CS.HANGUP) {
      const here = { file: 'switch_channel.c', func: 'switch_channel_perform_set_running_state', line: 2399 };
      if (cs === CS.ROUTING) this.setCallState('RINGING', here);
      else if (this.answered) this.setCallState('ACTIVE', here);
      else if (this.early) this.setCallState('EARLY', here);
    }
    this.emit('CHANNEL_STATE', SITES.channelState);
  }

  /** Requests a state (the number events carry before it runs): `(<name>) State Change OLD -> NEW`. */
  setState(cs: number, site: LogSite = { file: SSM, func: 'switch_core_session_run', line: 616 }): void {
    if (cs !== this.state && this.#core.logging) this.log(7, `(${this.name}) State Change ${CHANNEL_STATES[this.state]} -> ${CHANNEL_STATES[cs]}`, site, 0);
    this.state = cs;
  }

  /** switch_channel_perform_set_callstate: `Callstate Change`, then CHANNEL_CALLSTATE. */
  setCallState(cs: CallStateName, site: LogSite = { file: 'switch_channel.c', func: 'switch_channel_perform_set_callstate', line: 298 }): void {
    if (this.callState === cs) return;
    const original = this.callState;
    if (this.#core.logging) this.log(7, `(${this.name}) Callstate Change ${original} -> ${cs}`, site, 0);
    this.callState = cs;
    this.emit('CHANNEL_CALLSTATE', SITES.callState, {
      pre: (h) => h.add('Original-Channel-Call-State', original).add('Channel-Call-State-Number', CALL_STATES.indexOf(cs)),
    });
  }

  /** Fires the two CODEC events of setting the read then the write codec, as FreeSWITCH does at channel creation. */
  setCodecs(codec: Codec = DEFAULT_CODEC): void {
    this.readCodec = codec;
    // The read-codec event repeats the codec in lower case (switch_core_session_set_read_codec).
    this.emit('CODEC', SITES.readCodec, {
      post: (h) =>
        h.add('channel-read-codec-name', codec.name).add('channel-read-codec-rate', codec.rate).add('channel-read-codec-bit-rate', codec.bitRate),
    });
    this.setVar('read_codec', codec.name);
    this.setVar('read_rate', codec.rate);
    this.writeCodec = codec;
    // ...and the write-codec event repeats name and rate under the same names, and the bit rate as Channel-Write-codec-bit-rate.
    this.emit('CODEC', SITES.writeCodec, {
      post: (h) =>
        h.add('Channel-Write-Codec-Name', codec.name).add('Channel-Write-Codec-Rate', codec.rate).add('Channel-Write-codec-bit-rate', codec.bitRate),
    });
    this.setVar('write_codec', codec.name);
    this.setVar('write_rate', codec.rate);
  }

  /** switch_channel_answer: through the endpoint (loopback answers its other leg first). */
  answer(): void {
    if (this.down || this.answered) return;
    if (this.hooks.answer) this.hooks.answer(this);
    else this.markAnswered();
  }

  /** switch_channel_pre_answer: early media, through the endpoint. */
  preAnswer(): void {
    if (this.down || this.answered || this.early) return;
    if (this.hooks.preAnswer) this.hooks.preAnswer(this);
    else this.markPreAnswered();
  }

  /** switch_channel_ring_ready: ringing, through the endpoint. */
  ringReady(): void {
    if (this.down || this.answered || this.times.progress) return;
    if (this.hooks.ringReady) this.hooks.ringReady(this);
    else this.markRingReady();
  }

  /** switch_channel_perform_mark_ring_ready: CHANNEL_PROGRESS, call state RINGING. */
  markRingReady(): void {
    if (this.down || this.times.progress) return;
    this.times.progress = this.#core.micros();
    this.setVar('ring_ready', 'true');
    this.emit('CHANNEL_PROGRESS', SITES.progress);
    this.setCallState('RINGING');
  }

  /** switch_channel_perform_mark_pre_answered: CHANNEL_PROGRESS_MEDIA, call state EARLY. */
  markPreAnswered(): void {
    if (this.down || this.early || this.answered) return;
    this.early = true;
    this.times.progressMedia = this.#core.micros();
    this.setVar('early_media', 'true');
    this.emit('CHANNEL_PROGRESS_MEDIA', SITES.progressMedia);
    this.setCallState('EARLY');
  }

  /** switch_channel_perform_mark_answered: CHANNEL_ANSWER, then call state ACTIVE. */
  markAnswered(): void {
    if (this.down || this.answered) return;
    this.answered = true;
    this.times.answered = this.#core.micros();
    this.emit('CHANNEL_ANSWER', SITES.answer);
    this.setVar('endpoint_disposition', 'ANSWER');
    this.setCallState('ACTIVE');
    for (const w of this.#answerWaiters.splice(0)) w();
  }

  /** Caller-ID flip on an answered outbound leg (switch_channel_flip_cid): CALL_UPDATE. */
  flipCallerId(): void {
    const p = this.profile;
    this.setVar('pre_transfer_caller_id_number', p.callerIdNumber);
    const name = p.calleeIdName;
    const number = p.calleeIdNumber;
    p.calleeIdName = p.callerIdName;
    p.calleeIdNumber = p.callerIdNumber;
    p.callerIdName = name;
    p.callerIdNumber = number;
    this.setVar('channel_cid_flipped', 'yes');
    this.hitDialplan = true;
    this.emit('CALL_UPDATE', SITES.callUpdate, { pre: (h) => h.add('Direction', 'RECV') });
  }

  /** Puts the channel on hold or takes it off (switch_channel_mark_hold): CHANNEL_HOLD / CHANNEL_UNHOLD. */
  markHold(on: boolean): void {
    if (this.held === on || this.down) return;
    this.held = on;
    const now = this.#core.micros();
    if (on) this.times.lastHold = now;
    else if (this.times.lastHold) this.times.holdAccum += now - this.times.lastHold;
    this.emit(on ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD', SITES.hold);
    this.setCallState(on ? 'HELD' : 'ACTIVE');
  }

  // ------------------------------------------------------------------ hangup, reporting, destroy

  /**
   * switch_channel_perform_hangup: sets the cause and the requested state CS_HANGUP, fires
   * CHANNEL_HANGUP at once, and wakes the session thread, which then ends its applications
   * and runs the hangup and reporting states.
   */
  hangup(cause: string = 'NORMAL_CLEARING'): void {
    if (this.down || this.#destroyed) return;
    this.hangupCause = cause in HANGUP_CAUSES ? cause : 'NORMAL_CLEARING';
    this.state = CS.HANGUP;
    this.emit('CHANNEL_HANGUP', SITES.hangup);
    this.hooks.onKill?.(this);
    this.#core.channelDown(this);
    for (const w of this.#downWaiters.splice(0)) w();
    // The session thread notices the hangup on its own next pass, not inside the caller.
    this.#core.defer(() => {
      this.#wakeAll('hangup');
      if (!this.#threadActive) this.hangupState();
    });
  }

  /**
   * The hangup and reporting states (switch_core_session_hangup_state, _reporting_state),
   * with their events and log lines; the channel is then destroyed once nothing holds it.
   * Runs once.
   */
  hangupState(): void {
    if (this.#hangupStarted) return;
    this.#hangupStarted = true;
    this.setRunningState(CS.HANGUP);
    this.times.hungup = this.#core.micros();
    this.setCallState('HANGUP', { file: SSM, func: 'switch_core_session_hangup_state', line: 844 });
    this.setVar('hangup_cause', this.hangupCause);
    this.setVar('hangup_cause_q850', HANGUP_CAUSES[this.hangupCause ?? 'NORMAL_CLEARING'] ?? 16);
    this.enterState(CS.HANGUP);
    this.driverState(CS.HANGUP);
    this.hooks.onHangup?.(this);
    this.standardState(CS.HANGUP);
    this.sleepState(CS.HANGUP);
    this.setState(CS.REPORTING, { file: SSM, func: 'switch_core_session_run', line: 616 });
    this.setRunningState(CS.REPORTING);
    this.enterState(CS.REPORTING);
    this.setTimestamps();
    this.hooks.onReporting?.(this);
    this.standardState(CS.REPORTING);
    this.sleepState(CS.REPORTING);
    this.emit('CHANNEL_HANGUP_COMPLETE', SITES.hangupComplete, { pre: (h) => h.add('Hangup-Cause', this.hangupCause) });
    this.setState(CS.DESTROY, { file: SSM, func: 'switch_core_session_run', line: 607 });
    this.log(7, `Session ${this.sessionId} (${this.name}) Locked, Waiting on external entities`, {
      file: 'switch_core_session.c',
      func: 'switch_core_session_thread',
      line: 1744,
    });
    this.#reported = true;
    this.#core.channelReported(this);
    this.tryDestroy();
  }

  /** Keeps the channel from being destroyed (a session-bound socket, a loopback partner) until released. */
  hold(holder: object): void {
    if (!this.#destroyed) this.#holders.add(holder);
  }

  release(holder: object): void {
    if (this.#holders.delete(holder)) this.tryDestroy();
  }

  /** switch_core_session_perform_destroy, once reported and released: CHANNEL_DESTROY then CHANNEL_STATE CS_DESTROY. */
  tryDestroy(): void {
    if (this.#destroyed || !this.#reported || this.#holders.size > 0) return;
    this.#destroyed = true;
    const thread = { file: 'switch_core_session.c', func: 'switch_core_session_thread' };
    this.log(5, `Session ${this.sessionId} (${this.name}) Ended`, { ...thread, line: 1762 });
    this.log(5, `Close Channel ${this.name} [${CHANNEL_STATES[this.state]}]`, { ...thread, line: 1766 }, 0);
    this.emit('CHANNEL_DESTROY', SITES.destroy);
    this.#core.unregisterChannel(this);
    this.setRunningState(CS.DESTROY);
    this.enterState(CS.DESTROY);
    this.standardState(CS.DESTROY);
    this.sleepState(CS.DESTROY);
    this.hooks.onDestroy?.(this);
    for (const w of this.#destroyWaiters.splice(0)) w();
  }

  /** switch_channel_set_timestamps: the CDR variables, in FreeSWITCH's order. */
  setTimestamps(): void {
    const t = this.times;
    const p = this.profile;
    const sec = (us: number): number => Math.floor(us / 1_000_000);
    const ms = (us: number): number => Math.floor(us / 1000);
    this.setVar('digits_dialed', this.dtmfLog.length > 0 ? this.dtmfLog.join('') : 'none');
    this.setVar('start_stamp', localStamp(ms(t.created)));
    this.setVar('profile_start_stamp', localStamp(ms(t.profileCreated)));
    if (t.answered) this.setVar('answer_stamp', localStamp(ms(t.answered)));
    if (t.bridged) this.setVar('bridge_stamp', localStamp(ms(t.bridged)));
    if (t.lastHold) this.setVar('hold_stamp', localStamp(ms(t.lastHold)));
    if (t.resurrected) this.setVar('resurrect_stamp', localStamp(ms(t.resurrected)));
    if (t.progress) this.setVar('progress_stamp', localStamp(ms(t.progress)));
    if (t.progressMedia) this.setVar('progress_media_stamp', localStamp(ms(t.progressMedia)));
    this.setVar('end_stamp', localStamp(ms(t.hungup)));
    const pair = (name: string, us: number): void => {
      this.setVar(`${name}_epoch`, sec(us));
      this.setVar(`${name}_uepoch`, us);
    };
    pair('start', t.created);
    pair('profile_start', t.profileCreated);
    pair('answer', t.answered);
    pair('bridge', t.bridged);
    pair('last_hold', t.lastHold);
    this.setVar('hold_accum_seconds', sec(t.holdAccum));
    this.setVar('hold_accum_usec', t.holdAccum);
    this.setVar('hold_accum_ms', ms(t.holdAccum));
    pair('resurrect', t.resurrected);
    pair('progress', t.progress);
    pair('progress_media', t.progressMedia);
    pair('end', t.hungup);
    const created = t.created;
    const since = (us: number): [number, number, number] =>
      us ? [sec(us) - sec(created), ms(us) - ms(created), us - created] : [0, 0, 0];
    const duration = [sec(t.hungup) - sec(created), ms(t.hungup) - ms(created), t.hungup - created];
    const bill = t.answered ? [sec(t.hungup) - sec(t.answered), ms(t.hungup) - ms(t.answered), t.hungup - t.answered] : [0, 0, 0];
    const flow = t.answered ? duration : [0, 0, 0];
    const progress = since(t.progress);
    const answer = since(t.answered);
    const wait = t.bridged > created ? since(t.bridged) : [0, 0, 0];
    const media = since(t.progressMedia);
    const last = this.appLog[this.appLog.length - 1];
    this.setVar('last_app', last?.app);
    this.setVar('last_arg', last?.arg);
    this.setVar('caller_id', p.callerIdName ? `"${p.callerIdName}" <${p.callerIdNumber}>` : p.callerIdNumber);
    const units = [
      ['duration', 'billsec', 'progresssec', 'answersec', 'waitsec', 'progress_mediasec', 'flow_billsec'],
      ['mduration', 'billmsec', 'progressmsec', 'answermsec', 'waitmsec', 'progress_mediamsec', 'flow_billmsec'],
      ['uduration', 'billusec', 'progressusec', 'answerusec', 'waitusec', 'progress_mediausec', 'flow_billusec'],
    ] as const;
    for (let u = 0; u < 3; u++) {
      const names = units[u]!;
      const values = [duration[u], bill[u], progress[u], answer[u], wait[u], media[u], flow[u]];
      for (let k = 0; k < names.length; k++) this.setVar(names[k]!, values[k]!);
    }
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
      this.#core.reportError(err);
      this.hangup('DESTINATION_OUT_OF_ORDER');
    } finally {
      this.#threadActive = false;
    }
    if (this.down) this.hangupState();
  }

  /** Starts the session thread on a later turn (another FreeSWITCH thread would). */
  startThread(body: () => Promise<void>): void {
    this.#core.defer(() => {
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
    const core = this.#core;
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

  /** Reads a variable and deletes it. */
  takeVar(name: string): string | undefined {
    const v = this.variables.get(name);
    if (v !== undefined) this.variables.delete(name);
    return v;
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
      if (ms !== undefined) timer = this.#core.scheduler.after(ms, () => waiter.resolve({ reason: 'timeout' }));
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
    if (this.#destroyed) return;
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
    void this.processMessage(msg).then(() => this.pumpMessages());
  }

  /**
   * switch_ivr_parse_event: carries out one sendmsg. `execute` runs the application `loops`
   * times (stopping early when a run lasts under 0.5 s, as FreeSWITCH does), holding the
   * event-lock while it runs when asked; `hangup` hangs up with `hangup-cause`. A queued
   * message is then fired as PRIVATE_COMMAND.
   */
  async processMessage(msg: ChannelMessage, queued = true): Promise<void> {
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
            const before = this.#core.scheduler.now();
            const ok = await this.execute(app, arg ?? '');
            if (!ok || !this.ready || this.#core.scheduler.now() - before < 500) break;
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
        this.#core.transferToExtension(this, actions);
      }
      // unicast and nomedia change media paths only; the emulator has none to change.
    } finally {
      if (lock) this.#eventLocks--;
    }
    if (queued) {
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

/** switch_caller_profile_event_set_data: `<prefix>-*` headers; empty fields are left out. */
export function profileData(p: CallerProfile, prefix: string, times: ChannelTimes | undefined, h: HeaderBuilder): void {
  h.add(`${prefix}-Direction`, p.direction)
    .add(`${prefix}-Logical-Direction`, p.logicalDirection)
    .add(`${prefix}-Username`, p.username)
    .add(`${prefix}-Dialplan`, p.dialplan)
    .add(`${prefix}-Caller-ID-Name`, p.callerIdName)
    .add(`${prefix}-Caller-ID-Number`, p.callerIdNumber)
    // Orig-Caller-ID-* are written only when the current caller id is set.
    .add(`${prefix}-Orig-Caller-ID-Name`, p.callerIdName ? p.origCallerIdName : '')
    .add(`${prefix}-Orig-Caller-ID-Number`, p.callerIdNumber ? p.origCallerIdNumber : '')
    .add(`${prefix}-Callee-ID-Name`, p.calleeIdName)
    .add(`${prefix}-Callee-ID-Number`, p.calleeIdNumber)
    .add(`${prefix}-Network-Addr`, p.networkAddr)
    .add(`${prefix}-ANI`, p.ani)
    .add(`${prefix}-ANI-II`, p.aniii)
    .add(`${prefix}-Destination-Number`, p.destinationNumber)
    .add(`${prefix}-Unique-ID`, p.uuid)
    .add(`${prefix}-Source`, p.source)
    .add(`${prefix}-Transfer-Source`, p.transferSource)
    .add(`${prefix}-Context`, p.context)
    .add(`${prefix}-RDNIS`, p.rdnis)
    .add(`${prefix}-Channel-Name`, p.chanName)
    .add(`${prefix}-Profile-Index`, p.profileIndex);
  if (times) {
    h.add(`${prefix}-Profile-Created-Time`, String(times.profileCreated))
      .add(`${prefix}-Channel-Created-Time`, String(times.created))
      .add(`${prefix}-Channel-Answered-Time`, String(times.answered))
      .add(`${prefix}-Channel-Progress-Time`, String(times.progress))
      .add(`${prefix}-Channel-Progress-Media-Time`, String(times.progressMedia))
      .add(`${prefix}-Channel-Hangup-Time`, String(times.hungup))
      .add(`${prefix}-Channel-Transfer-Time`, String(times.transferred))
      .add(`${prefix}-Channel-Resurrect-Time`, String(times.resurrected))
      .add(`${prefix}-Channel-Bridged-Time`, String(times.bridged))
      .add(`${prefix}-Channel-Last-Hold`, String(times.lastHold))
      .add(`${prefix}-Channel-Hold-Accum`, String(times.holdAccum));
  }
  h.add(`${prefix}-Screen-Bit`, p.screen ? 'true' : 'false')
    .add(`${prefix}-Privacy-Hide-Name`, p.hideName ? 'true' : 'false')
    .add(`${prefix}-Privacy-Hide-Number`, p.hideNumber ? 'true' : 'false');
}
