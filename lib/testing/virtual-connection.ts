/**
 * A Connection for marble tests of call-flow code. It is the real rxesl Connection (same
 * FIFO, same execute completion, same errors) over a virtual byte pipe; at the other end a small
 * scripted switch answers in virtual time and records every command. Call flows written against
 * EslConnection (or Connection, which implements it) take `vc.connection` as it is. Run it
 * inside `TestScheduler.run()`: application durations and reply delays are virtual milliseconds.
 *
 *   testScheduler.run(({ hot, expectObservable }) => {
 *     const vc = new VirtualConnection({ events: hot('--d--', { d: dtmfEvent('1') }), applications: { playback: 5 } });
 *     ivr(vc.connection).subscribe();
 *     expectObservable(vc.commands$).toBe('a----p', { a: 'execute answer', p: 'execute playback welcome.wav' });
 *   });
 */
import { type Observable, ReplaySubject, Subject, type Subscription, asyncScheduler } from 'rxjs';
import { randomUUID } from 'node:crypto';
import { Connection } from '../connection/connection.js';
import { CommandReader, type ClientCommand } from '../switch/command-reader.js';
import { EslEvent } from '../protocol/event.js';
import { ServerFrames } from '../switch/server-frames.js';
import type { Transport } from '../transport/transport.js';
import { dialStatus } from './fake-switch/constants.js';

/** A command the code under test sent, as the switch read it. */
export interface RecordedCommand {
  /** Virtual time it arrived. */
  time: number;
  /** The command line: `api status`, `sendmsg <uuid>`... */
  line: string;
  /** Headers of the command block (sendmsg, sendevent, bgapi's Job-UUID). */
  headers: Record<string, string>;
  body: string;
  /** A short form: `api status`, `execute playback a.wav`, `hangup USER_BUSY`, `event plain ALL`. */
  summary: string;
}

/** An event of the controlled channel an application fires while it runs. */
export interface ScriptedEvent {
  /** Virtual milliseconds after the application starts (CHANNEL_EXECUTE); at its completion time it comes first. */
  after: number;
  /** Event-Name: CHANNEL_PROGRESS, PLAYBACK_START, DTMF... */
  name: string;
  /** Headers besides the channel's own (Unique-ID, Channel-Name). */
  headers?: Record<string, string>;
}

/** How the `bridge` application goes: the far end rings, answers (or fails), and hangs up at the application's `duration`. */
export interface BridgeScript {
  /** The far end's Unique-ID. Default: a new uuid. */
  otherLeg?: string;
  /** The far end rings then: CHANNEL_PROGRESS on the channel (what FreeSWITCH sends while the caller is not answered). Default: no ringing. */
  ringAfter?: number;
  /** The far end answers then: CHANNEL_BRIDGE. Default 0. */
  answerAfter?: number;
  /** Instead of answering, the originate fails then with this cause (USER_BUSY, NO_ANSWER...): the bridge completes with originate_disposition set to it. */
  failCause?: string;
}

/** How an application behaves: its duration, and what its completion carries. */
export interface ApplicationScript {
  /** Virtual milliseconds until CHANNEL_EXECUTE_COMPLETE. Default 0. For `bridge`: when the far end hangs up (default: as soon as it answers). */
  duration?: number;
  /** Application-Response. Default `_none_`. */
  response?: string;
  /** Channel variables set by the application (they stay set, and every completion carries them, as FreeSWITCH's does). */
  variables?: Record<string, string>;
  /** Hang the channel up instead of completing (with this cause). */
  hangup?: string;
  /** Events of the channel fired while it runs. */
  events?: readonly ScriptedEvent[];
  /** play_and_get_digits and read: the keys the caller presses (DTMF events, then the variable named in the argument and read_result). Unset: nothing entered. */
  digits?: string;
  /** bridge: the far end. */
  bridge?: BridgeScript;
}

export interface VirtualConnectionOptions {
  /** Events the switch sends, in virtual time (hot or cold marbles of EslEvent). */
  events?: Observable<EslEvent>;
  /** The channel this connection controls (an outbound call): its Unique-ID, and more channel data. Default: a new uuid. */
  channel?: Record<string, string>;
  /**
   * Per application: a duration in ms, a script, or a function of its argument. Unlisted
   * applications complete at once. Some do what FreeSWITCH's do without a script: answer,
   * pre_answer, ring_ready, hold and unhold fire their channel event; set, export and unset
   * change the variables getvar reads; hangup hangs up; play_and_get_digits and read clear
   * their variable; `api uuid_break <uuid> [all]` completes the running application (or all)
   * at once, unless the `api` table answers uuid_break itself.
   */
  applications?: Record<string, number | ApplicationScript | ((arg: string) => ApplicationScript)>;
  /** Bodies for api and bgapi, per command name (a string or a function of the arguments). Unlisted: `+OK\n`. */
  api?: Record<string, string | ((args: string) => string)>;
  /** Virtual milliseconds before each command/reply. Default 0. */
  replyDelay?: number;
  /** Virtual milliseconds before a BACKGROUND_JOB. Default 0. */
  jobDelay?: number;
}

function summarize(cmd: ClientCommand): string {
  const h = (n: string): string | undefined => cmd.headers.get(n);
  if (cmd.line.startsWith('sendmsg')) {
    const what = h('call-command');
    if (what === 'execute') {
      const arg = h('execute-app-arg') ?? (cmd.body.length > 0 ? cmd.body.toString() : undefined);
      return `execute ${h('execute-app-name')}${arg ? ` ${arg}` : ''}`;
    }
    if (what === 'hangup') return `hangup${h('hangup-cause') ? ` ${h('hangup-cause')}` : ''}`;
    return `${what ?? 'sendmsg'}`;
  }
  return cmd.line;
}

export class VirtualConnection {
  /** The connection under test: a real rxesl Connection, ready, in outbound mode for `channel`. */
  readonly connection: Connection;
  /** Every command, in order. */
  readonly commands: RecordedCommand[] = [];
  /** Commands as they arrive (summaries), for expectObservable: `execute answer`, `api status`... */
  readonly commands$: Observable<string>;
  /** The controlled channel's Unique-ID. */
  readonly uuid: string;

  readonly #chunks = new Subject<Uint8Array>();
  readonly #commands = new ReplaySubject<string>();
  readonly #options: VirtualConnectionOptions;
  readonly #channel: Record<string, string>;
  readonly #reader = new CommandReader();
  #sequence = 0;
  #hungUp = false;
  /** Applications started and not completed, innermost last: uuid_break completes them early. */
  #running: Array<{ finish: () => void }> = [];
  #setup = false;
  #events: Subscription | undefined;

  constructor(options: VirtualConnectionOptions = {}) {
    this.#options = options;
    this.uuid = options.channel?.['Unique-ID'] ?? randomUUID();
    this.#channel = {
      'Channel-Name': 'sofia/internal/1000@192.0.2.1',
      'Caller-Caller-ID-Number': '1000',
      'Caller-Destination-Number': '5000',
      ...options.channel,
      'Unique-ID': this.uuid,
    };
    this.commands$ = this.#commands.asObservable();
    const transport: Transport = {
      chunks$: this.#chunks.asObservable(),
      write: (data) => {
        this.#reader.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, (cmd) => this.#handle(cmd));
        return true;
      },
      destroy: () => this.#chunks.complete(),
    };
    this.connection = Connection.attach(transport, { mode: 'outbound', ready: true });
    // What the Server does before handing a call out: connect (so the connection knows its
    // channel and execute needs no uuid) and myevents. Recorded, but not on commands$.
    this.#setup = true;
    this.connection.connect().subscribe({ error: () => {} });
    this.connection.myevents().subscribe({ error: () => {} });
    this.#setup = false;
    this.#events = options.events?.subscribe({
      next: (ev) => this.send(ev),
      complete: () => {},
    });
  }

  /** Sends an event now (it reaches the connection as FreeSWITCH would send it, in plain). */
  send(event: EslEvent): void {
    this.#write(ServerFrames.event('plain', event.toBytes('plain')));
  }

  /** An event of the controlled channel, with its Unique-ID and channel headers. */
  channelEvent(name: string, headers: Record<string, string> = {}): EslEvent {
    return new EslEvent({
      'Event-Name': name,
      'Event-Sequence': String(++this.#sequence),
      'Unique-ID': this.uuid,
      'Channel-Name': this.#channel['Channel-Name'],
      ...headers,
    });
  }

  /** The caller hangs up now: CHANNEL_HANGUP then CHANNEL_HANGUP_COMPLETE. */
  hangup(cause = 'NORMAL_CLEARING'): void {
    if (this.#hungUp) return;
    this.#hungUp = true;
    this.send(this.channelEvent('CHANNEL_HANGUP', { 'Hangup-Cause': cause, 'Channel-Call-State': 'HANGUP', 'Answer-State': 'hangup' }));
    this.send(this.channelEvent('CHANNEL_HANGUP_COMPLETE', { 'Hangup-Cause': cause }));
  }

  /** FreeSWITCH closes the socket (what it does after a hangup without linger). */
  disconnect(): void {
    this.#write(ServerFrames.disconnectNotice({ controlledSessionUuid: this.uuid }));
    this.#events?.unsubscribe();
    this.#chunks.complete();
  }

  #write(bytes: Buffer): void {
    if (!this.#chunks.closed) this.#chunks.next(bytes);
  }

  #later(ms: number, fn: () => void): Subscription {
    return asyncScheduler.schedule(fn, ms);
  }

  #reply(bytes: Buffer): void {
    const delay = this.#options.replyDelay ?? 0;
    if (delay > 0) this.#later(delay, () => this.#write(bytes));
    else this.#write(bytes);
  }

  #apiBody(line: string): string {
    const [name = '', ...rest] = line.split(' ');
    const args = rest.join(' ');
    const r = this.#options.api?.[name];
    if (r === undefined) return '+OK\n';
    return typeof r === 'function' ? r(args) : r;
  }

  #handle(cmd: ClientCommand): void {
    const summary = summarize(cmd);
    this.commands.push({
      time: asyncScheduler.now(),
      line: cmd.line,
      headers: Object.fromEntries(cmd.headers.entries()),
      body: cmd.body.toString(),
      summary,
    });
    if (!this.#setup) this.#commands.next(summary);
    const line = cmd.line;
    if (line === 'connect') {
      const names = ['Event-Name', ...Object.keys(this.#channel)];
      const values = ['CHANNEL_DATA', ...Object.values(this.#channel)];
      this.#write(ServerFrames.connectReply({ names, values }, { socketMode: 'async', control: 'full' }));
      return;
    }
    if (line.startsWith('api ')) {
      this.#reply(ServerFrames.apiResponse(this.#apiBody(line.slice(4))));
      const [name, uuid, all] = line.slice(4).split(' ');
      if (name === 'uuid_break' && this.#options.api?.uuid_break === undefined && uuid === this.uuid) this.#break(all === 'all');
      return;
    }
    if (line.startsWith('bgapi ')) {
      const jobUuid = cmd.headers.get('Job-UUID') ?? randomUUID();
      this.#reply(ServerFrames.commandReply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]));
      const [name = '', ...rest] = line.slice(6).split(' ');
      const job = new EslEvent({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': jobUuid, 'Job-Command': name, ...(rest.length ? { 'Job-Command-Arg': rest.join(' ') } : {}) }, this.#apiBody(line.slice(6)));
      this.#later(Math.max(this.#options.jobDelay ?? 0, this.#options.replyDelay ?? 0), () => this.send(job));
      return;
    }
    if (line.startsWith('sendmsg')) {
      this.#reply(ServerFrames.commandReply('+OK'));
      const what = cmd.headers.get('call-command');
      if (what === 'execute') this.#execute(cmd);
      else if (what === 'hangup') this.#later(this.#options.replyDelay ?? 0, () => this.hangup(cmd.headers.get('hangup-cause') ?? 'NORMAL_CLEARING'));
      return;
    }
    if (line === 'exit') {
      this.#reply(ServerFrames.commandReply('+OK bye'));
      this.#later(this.#options.replyDelay ?? 0, () => this.disconnect());
      return;
    }
    if (line.startsWith('getvar ')) {
      this.#reply(ServerFrames.commandReply(this.#channel[`variable_${line.slice(7)}`] ?? '-ERR command not found'));
      return;
    }
    const text = line.startsWith('event ')
      ? `+OK event listener enabled ${line.split(' ')[1]}`
      : line.startsWith('myevents')
        ? '+OK Events Enabled'
        : line.startsWith('filter ')
          ? '+OK filter added.'
          : '+OK';
    this.#reply(ServerFrames.commandReply(text));
  }

  #execute(cmd: ClientCommand): void {
    const app = cmd.headers.get('execute-app-name') ?? '';
    const arg = cmd.headers.get('execute-app-arg') ?? cmd.body.toString();
    const appUuid = cmd.headers.get('event-uuid') ?? randomUUID();
    const spec = this.#options.applications?.[app];
    const script: ApplicationScript = spec === undefined ? {} : typeof spec === 'number' ? { duration: spec } : typeof spec === 'function' ? spec(arg) : spec;
    const common = { Application: app, 'Application-Data': arg, 'Application-UUID': appUuid };
    const events = [...(script.events ?? [])];
    const variables: Record<string, string> = {};
    let completeAt = script.duration ?? 0;
    if (app === 'bridge' && script.bridge) {
      const b = script.bridge;
      const other = b.otherLeg ?? randomUUID();
      const answerAt = b.answerAfter ?? 0;
      if (b.ringAfter !== undefined) events.push({ after: b.ringAfter, name: 'CHANNEL_PROGRESS', headers: { 'Channel-Call-State': 'RINGING' } });
      if (b.failCause !== undefined) {
        completeAt = answerAt;
        Object.assign(variables, { originate_disposition: b.failCause, originate_failed_cause: b.failCause, DIALSTATUS: dialStatus(b.failCause) });
      } else {
        completeAt = Math.max(completeAt, answerAt);
        const ids = { 'Bridge-A-Unique-ID': this.uuid, 'Bridge-B-Unique-ID': other, 'Other-Leg-Unique-ID': other };
        events.push({ after: answerAt, name: 'CHANNEL_BRIDGE', headers: ids });
        events.push({ after: completeAt, name: 'CHANNEL_UNBRIDGE', headers: ids });
        Object.assign(variables, { originate_disposition: 'SUCCESS', DIALSTATUS: 'SUCCESS', bridge_uuid: other, last_bridge_to: other, bridge_hangup_cause: 'NORMAL_CLEARING' });
      }
    }
    this.#later(this.#options.replyDelay ?? 0, () => {
      if (this.#hungUp) return;
      this.send(this.channelEvent('CHANNEL_EXECUTE', common));
      const timers = events.map((e) =>
        this.#later(e.after, () => {
          if (!this.#hungUp) this.send(this.channelEvent(e.name, e.headers));
        }),
      );
      const run = {
        finish: () => {
          this.#running = this.#running.filter((r) => r !== run);
          done.unsubscribe();
          for (const t of timers) t.unsubscribe();
          this.#complete(app, arg, script, common, variables);
        },
      };
      const done = this.#later(completeAt, () => run.finish());
      this.#running.push(run);
    });
  }

  /** `uuid_break`: the innermost application (or every one) completes now. */
  #break(all: boolean): void {
    const runs = all ? [...this.#running].reverse() : this.#running.slice(-1);
    for (const r of runs) r.finish();
  }

  /** The application ends: what it did to the channel, then its CHANNEL_EXECUTE_COMPLETE. */
  #complete(app: string, arg: string, script: ApplicationScript, common: Record<string, string>, variables: Record<string, string>): void {
    if (this.#hungUp) return;
    if (script.hangup) {
      this.hangup(script.hangup);
      return;
    }
    const complete = (): EslEvent => this.channelEvent('CHANNEL_EXECUTE_COMPLETE', { ...common, 'Application-Response': script.response ?? '_none_', ...this.#variables() });
    const effect = BUILTIN_EFFECTS[app];
    if (effect) this.send(this.channelEvent(effect.name, effect.headers));
    if (app === 'set' || app === 'export') {
      const spec = app === 'export' && arg.startsWith('nolocal:') ? '' : arg;
      const eq = spec.indexOf('=');
      if (eq > 0) this.#setVariable(spec.slice(0, eq), spec.slice(eq + 1));
    } else if (app === 'unset') {
      this.#setVariable(arg.trim(), '');
    } else if (app === 'play_and_get_digits' || app === 'read') {
      const name = app === 'read' ? arg.split(' ')[3] : arg.split(' ')[7];
      if (name) this.#setVariable(name, '');
      const digits = script.digits ?? '';
      for (const d of digits) this.send(this.channelEvent('DTMF', { 'DTMF-Digit': d, 'DTMF-Duration': '2000', 'DTMF-Source': 'RTP' }));
      this.#setVariable('read_result', digits === '' ? 'timeout' : 'success');
      if (name && digits !== '') this.#setVariable(name, digits);
    } else if (app === 'hangup') {
      // FreeSWITCH: CHANNEL_HANGUP at once, the application's completion, then the rest of the hangup.
      const cause = arg.trim() === '' ? 'NORMAL_CLEARING' : arg.trim();
      this.#hungUp = true;
      this.send(this.channelEvent('CHANNEL_HANGUP', { 'Hangup-Cause': cause, 'Channel-Call-State': 'HANGUP', 'Answer-State': 'hangup' }));
      this.send(complete());
      this.send(this.channelEvent('CHANNEL_HANGUP_COMPLETE', { 'Hangup-Cause': cause }));
      return;
    }
    for (const [k, v] of Object.entries({ ...variables, ...script.variables })) this.#setVariable(k, v);
    this.send(complete());
  }

  #setVariable(name: string, value: string): void {
    if (value === '') delete this.#channel[`variable_${name}`];
    else this.#channel[`variable_${name}`] = value;
  }

  /** The channel's variables as event headers. */
  #variables(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#channel)) if (k.startsWith('variable_')) out[k] = v;
    return out;
  }
}

/** The channel event some applications fire, as FreeSWITCH's do. */
const BUILTIN_EFFECTS: Record<string, { name: string; headers: Record<string, string> }> = {
  answer: { name: 'CHANNEL_ANSWER', headers: { 'Answer-State': 'answered', 'Channel-Call-State': 'ACTIVE' } },
  pre_answer: { name: 'CHANNEL_PROGRESS_MEDIA', headers: { 'Answer-State': 'early', 'Channel-Call-State': 'EARLY' } },
  ring_ready: { name: 'CHANNEL_PROGRESS', headers: { 'Answer-State': 'ringing', 'Channel-Call-State': 'RINGING' } },
  hold: { name: 'CHANNEL_HOLD', headers: { 'Channel-Call-State': 'HELD' } },
  unhold: { name: 'CHANNEL_UNHOLD', headers: { 'Channel-Call-State': 'ACTIVE' } },
};
