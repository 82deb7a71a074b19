/**
 * A Connection for marble tests of call-flow code. It is the real rxesl Connection (same
 * FIFO, same execute completion, same errors) over a virtual byte pipe; at the other end a small
 * scripted switch answers in virtual time and records every command. Run it inside
 * `TestScheduler.run()`: application durations and reply delays are virtual milliseconds.
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
import { CommandReader, type ClientCommand } from '../protocol/command-reader.js';
import { EslEvent } from '../protocol/event.js';
import { ServerFrames } from '../protocol/server-frames.js';
import type { Transport } from '../transport/transport.js';

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

/** How an application behaves: its duration, and what its completion carries. */
export interface ApplicationScript {
  /** Virtual milliseconds until CHANNEL_EXECUTE_COMPLETE. Default 0. */
  duration?: number;
  /** Application-Response. Default `_none_`. */
  response?: string;
  /** Channel variables set by the application (variable_<name> on the completion event). */
  variables?: Record<string, string>;
  /** Hang the channel up instead of completing (with this cause). */
  hangup?: string;
}

export interface VirtualConnectionOptions {
  /** Events the switch sends, in virtual time (hot or cold marbles of EslEvent). */
  events?: Observable<EslEvent>;
  /** The channel this connection controls (an outbound call): its Unique-ID, and more channel data. Default: a new uuid. */
  channel?: Record<string, string>;
  /** Per application: a duration in ms, a script, or a function of its argument. Unlisted applications complete at once. */
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
      write: (bytes) => {
        this.#reader.push(bytes, (cmd) => this.#handle(cmd));
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

  #later(ms: number, fn: () => void): void {
    asyncScheduler.schedule(fn, ms);
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
    this.#later(this.#options.replyDelay ?? 0, () => {
      if (this.#hungUp) return;
      this.send(this.channelEvent('CHANNEL_EXECUTE', common));
      this.#later(script.duration ?? 0, () => {
        if (this.#hungUp) return;
        if (script.hangup) {
          this.hangup(script.hangup);
          return;
        }
        const vars: Record<string, string> = {};
        for (const [k, v] of Object.entries(script.variables ?? {})) {
          this.#channel[`variable_${k}`] = v;
          vars[`variable_${k}`] = v;
        }
        this.send(this.channelEvent('CHANNEL_EXECUTE_COMPLETE', { ...common, 'Application-Response': script.response ?? '_none_', ...vars }));
      });
    });
  }
}
