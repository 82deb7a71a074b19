/**
 * Channel: one call leg and what can be done to it, over any EslConnection (a Connection, or
 * another implementation of the interface). On an outbound connection (from Server) it is the
 * connection's own channel; on an inbound connection it is any channel named by its uuid.
 * NEventSocket's Channel is the model: actions (answer, playback, bridge...) and streams
 * (DTMF, state, hangup, feature codes).
 *
 * Every action is a cold Observable built on `EslConnection.execute`: it sends its sendmsg on
 * subscribe, emits one typed result when the application's CHANNEL_EXECUTE_COMPLETE arrives
 * and completes. A hangup first fails it with EslHangupError, and so does a socket that
 * FreeSWITCH closes because the call is over; unsubscribing releases everything it holds
 * (the application itself keeps running on the switch: `breakMedia()` stops it). A command
 * FreeSWITCH refuses (-ERR) fails it with EslCommandError whatever the connection's
 * `failOnError`: with the refusal as a value, no completion would ever come.
 */
import { EMPTY, Observable, ReplaySubject, Subject, Subscription, concat, defer, filter, ignoreElements, map, takeUntil, takeWhile } from 'rxjs';
import type { Connection } from '../connection/connection.js';
import type { EslConnection, ReceivedEvent } from '../connection/esl-connection.js';
import { type ApiResponse, type ApplicationResult, type CommandReply } from '../connection/replies.js';
import { EslArgumentError, EslDisconnectedError, EslHangupError } from '../errors.js';
import type { EventFormat } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import { type KnownEventName, MYEVENTS_SET } from '../protocol/event-names.js';
import { type ChannelSnapshot, blankSnapshot, foldChannelEvent } from '../operators/channel-state.js';
import { dtmf } from '../operators/dtmf.js';
import { type FeatureCodeOptions, featureCodes } from './feature-codes.js';
import {
  type BridgeProgress,
  type ChannelHangup,
  type DigitsResult,
  type PlaybackResult,
  type RecordResult,
  bridgeResult,
  digitsResult,
  playbackResult,
  recordResult,
} from './results.js';

export interface ChannelOptions {
  /**
   * An event of this channel to start its state from: the CHANNEL_PARK or CHANNEL_CREATE it
   * was found by... Default, on an outbound connection's own channel: the connect reply
   * (channelData).
   */
  data?: EslEvent;
  /**
   * Start the state from `api uuid_dump <uuid> json`, sent at once: `state$` gives its first
   * snapshot when the dump has come, the channel as it is then. `Channel.of(conn, uuid)` does
   * this on a live call (any channel but an outbound connection's own, when no `data` is
   * given); `new Channel()` only when asked. No such channel (yet), or a dump that cannot be
   * read: the state starts blank, and the channel is followed all the same.
   */
  dump?: boolean;
}

export interface PlaybackOptions {
  /** Keys that stop the file (playback_terminators, set first with `set`): `#`, `any`, `none`. Default: the channel's (FreeSWITCH: `*`). */
  terminators?: string;
}

export interface SayOptions {
  /** Say module and language, e.g. `en`, `en:us`. Default `en`. */
  language?: string;
  /** What the text is: number, items, persons, messages, currency, time_measurement, current_date, current_time, current_date_time, telephone_number, telephone_extension, url, ip_address, email_address, postal_address, account_number, name_spelled, name_phonetic, short_date_time. Default `number`. */
  type?: string;
  /** How to say it: pronounced, iterated, counted. Default `pronounced`. */
  method?: string;
  /** masculine, feminine, neuter (languages that need it). */
  gender?: string;
}

export interface PlayAndGetDigitsOptions {
  /** The prompt. */
  file: string;
  /** Fewest digits. Default 1. */
  min?: number;
  /** Most digits. Default: min (at least 1). */
  max?: number;
  /** Attempts. Default 3. */
  tries?: number;
  /** Milliseconds to wait for the first digit after the prompt. Default 5,000. */
  timeout?: number;
  /** Keys that end the input. Default `#`. */
  terminators?: string;
  /** Played after an invalid entry. Default `silence_stream://250`. */
  invalidFile?: string;
  /** The channel variable the digits are put in. Default `rxesl_digits`. */
  variable?: string;
  /** What a valid entry matches. Default `\d+`. */
  regex?: string;
  /** Milliseconds between digits. Default: timeout. */
  digitTimeout?: number;
  /** Where to transfer after the last failed try: `<extension> [<dialplan> [<context>]]`. */
  transferOnFailure?: string;
}

export interface ReadOptions {
  /** The prompt (`silence` for none). */
  file: string;
  /** Fewest digits. Default 1. */
  min?: number;
  /** Most digits. Default: min (at least 1). */
  max?: number;
  /** Milliseconds to wait for the first digit. Default 5,000. */
  timeout?: number;
  /** Keys that end the input. Default `#`. */
  terminators?: string;
  /** The channel variable the digits are put in. Default `rxesl_digits`. */
  variable?: string;
  /** Milliseconds between digits. Default: timeout. */
  digitTimeout?: number;
}

export interface RecordOptions {
  /** Longest recording, seconds. Default: FreeSWITCH's (no limit). */
  limit?: number;
  /** Energy level under which the caller counts as silent. */
  silenceThreshold?: number;
  /** Seconds of silence that end the recording. */
  silenceHits?: number;
}

export interface BridgeOptions {
  /**
   * Before bridging, `set continue_on_fail`: true (or a list of causes) keeps the caller up
   * when the far end fails, so the result reports the cause. Unset, FreeSWITCH hangs the caller
   * up on most failures (not NO_ANSWER) and the action fails with EslHangupError.
   */
  continueOnFail?: boolean | readonly string[];
  /**
   * Before bridging, `set hangup_after_bridge`: whether FreeSWITCH hangs the caller up when a
   * bridge that happened ends (otherwise the caller stays up, waiting). The bridge still ends
   * with its result, not EslHangupError.
   */
  hangupAfterBridge?: boolean;
}

/** Where an action's outcome goes (the Observable's subscriber, errors translated). */
interface Sink<R> {
  next(value: R): void;
  complete(): void;
  error(err: unknown): void;
}

/** An action a hangup may end rather than fail: see Channel's #guard. */
interface Ending {
  /** True once a hangup of the channel ends the action instead of failing it. */
  ends(): boolean;
  /** The connection went while the action waited for its outcome: end it with what is known. */
  end(): void;
}

const HANGUP_EVENTS = new Set(['CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE']);
const END_EVENTS = new Set(['CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']);
const PROGRESS_EVENTS = new Set(['CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA']);

/** A channel variable name FreeSWITCH's `set` can take. */
function checkVariable(name: string): string {
  if (!/^[^\s=]+$/.test(name)) throw new EslArgumentError('variable', name, `not a channel variable name: "${name}"`);
  return name;
}

/**
 * A channel over a connection of type `C`, which is whatever it was given, so that
 * `channel.connection` keeps its type. Its code uses EslConnection alone; the default names
 * the usual one, so that a bare `Channel` is one over a Connection. Code that takes any
 * channel takes a `Channel<EslConnection>`.
 */
export class Channel<C extends EslConnection = Connection> {
  /** The events a Channel follows (what `subscribeEvents()` asks for). */
  static readonly EVENTS: readonly KnownEventName[] = [
    'CHANNEL_ANSWER',
    'CHANNEL_PROGRESS',
    'CHANNEL_PROGRESS_MEDIA',
    'CHANNEL_BRIDGE',
    'CHANNEL_UNBRIDGE',
    'CHANNEL_EXECUTE',
    'CHANNEL_EXECUTE_COMPLETE',
    'CHANNEL_CALLSTATE',
    'CHANNEL_HOLD',
    'CHANNEL_UNHOLD',
    'CHANNEL_PARK',
    'CHANNEL_UNPARK',
    'CHANNEL_HANGUP',
    'CHANNEL_HANGUP_COMPLETE',
    'DTMF',
  ];

  /** The channel's Unique-ID. */
  readonly uuid: string;
  /** The connection its commands go through. */
  readonly connection: C;
  /** This channel's events, until it ends (its CHANNEL_HANGUP_COMPLETE, the connection closing, `release()`). Hot. */
  readonly events$: Observable<ReceivedEvent>;
  /** The channel's state (the `channelState` fold): the latest snapshot to a new subscriber, then every change; completes when the channel ends. */
  readonly state$: Observable<ChannelSnapshot>;
  /** The keys the caller presses (DTMF events), one string per key. */
  readonly dtmf$: Observable<string>;
  /** The hangup (the first CHANNEL_HANGUP or CHANNEL_HANGUP_COMPLETE), replayed to late subscribers, then completes; completes without a value if the channel is followed no more before it hangs up. */
  readonly hangup$: Observable<ChannelHangup>;

  readonly #owned: boolean;
  readonly #state = new ReplaySubject<ChannelSnapshot>(1);
  readonly #hangups = new ReplaySubject<ChannelHangup>(1);
  readonly #released = new Subject<void>();
  #snapshot: ChannelSnapshot;
  #hangup: ChannelHangup | undefined;
  #ended = false;
  #tracking: Subscription | undefined;
  /** The uuid_dump on its way (options.dump): state$ waits for it. */
  #dumping: Subscription | undefined;

  /**
   * Follows channel `uuid` on `conn` from now until it ends: one view on the connection's
   * router, released at CHANNEL_HANGUP_COMPLETE (or CHANNEL_DESTROY), when the connection
   * closes, or on `release()`. Sends nothing, unless `options.dump` asks for a uuid_dump.
   */
  constructor(conn: C, uuid: string, options: ChannelOptions = {}) {
    if (typeof uuid !== 'string' || uuid === '') throw new EslArgumentError('uuid', uuid, 'a Channel needs the Unique-ID of a channel');
    this.uuid = uuid;
    this.connection = conn;
    this.#owned = conn.mode === 'outbound' && conn.uuid === uuid;
    let snapshot = blankSnapshot(uuid);
    const data = options.data ?? (this.#owned ? conn.channelData : undefined);
    if (data !== undefined && (data.getHeader('Unique-ID') ?? uuid) === uuid) snapshot = foldChannelEvent(snapshot, data);
    this.#snapshot = snapshot;
    // With a dump to wait for, state$ starts when it comes (or when the channel ends first).
    if (options.dump === true) this.#dumping = new Subscription();
    else this.#state.next(snapshot);

    this.state$ = this.#state.asObservable();
    this.hangup$ = this.#hangups.asObservable();
    this.events$ = defer(() =>
      this.#ended
        ? EMPTY
        : conn.channelEvents(uuid).pipe(
            takeWhile((e) => !END_EVENTS.has(e.name), true),
            takeUntil(this.#released),
          ),
    );
    this.dtmf$ = this.events$.pipe(dtmf());

    // On a closed connection the view completes at once, and the channel with it.
    this.#tracking = conn.channelEvents(uuid).subscribe({
      next: (e) => this.#observe(e),
      complete: () => this.#end(),
    });
    if (this.#dumping !== undefined) {
      // Events that come before the dump's reply were fired before the dump was taken: the dump
      // is folded in over them.
      this.#dumping.add(
        conn.api('uuid_dump', `${uuid} json`, { failOnError: false }).subscribe({
          next: (r) => this.#seed(r.ok ? r.body : undefined),
          error: () => this.#seed(undefined),
        }),
      );
    }
  }

  /** The channel of an outbound connection (a call FreeSWITCH's `socket` application sent to a Server). */
  static fromConnection<C extends EslConnection>(conn: C): Channel<C> {
    const uuid = conn.uuid;
    if (uuid === undefined) throw new EslArgumentError('connection', conn.mode, 'Channel.fromConnection needs an outbound connection that has been connected (it knows its channel)');
    return new Channel(conn, uuid);
  }

  /**
   * A channel by uuid, its state from `uuid_dump <uuid> json` (sent at once; see
   * ChannelOptions.dump); or by one of its events, which gives its initial state.
   */
  static of<C extends EslConnection>(conn: C, channel: string | EslEvent, options: ChannelOptions = {}): Channel<C> {
    if (typeof channel === 'string') {
      const own = conn.mode === 'outbound' && conn.uuid === channel;
      return new Channel(conn, channel, { dump: options.data === undefined && !own, ...options });
    }
    const uuid = channel.getHeader('Unique-ID');
    if (uuid === undefined) throw new EslArgumentError('channel', channel.name, `a ${channel.name ?? 'event'} without Unique-ID names no channel`);
    return new Channel(conn, uuid, { data: channel, ...options });
  }

  /** The latest state. */
  get snapshot(): ChannelSnapshot {
    return this.#snapshot;
  }

  /** The hangup, once seen. */
  get hangupInfo(): ChannelHangup | undefined {
    return this.#hangup;
  }

  /** True once the channel is followed no more (it ended, the connection closed, or release()). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Stops following the channel: its streams complete and its view is released. Actions still work. */
  release(): void {
    this.#released.next();
    this.#end();
  }

  // ------------------------------------------------------------------ following

  #observe(e: ReceivedEvent): void {
    this.#note(e);
    this.#snapshot = foldChannelEvent(this.#snapshot, e);
    if (this.#dumping === undefined) this.#state.next(this.#snapshot);
    if (this.#snapshot.ended) this.#end();
  }

  /** The uuid_dump answered (its JSON), or could not: state$ starts, from it or from what is known. */
  #seed(json: string | undefined): void {
    this.#dumping = undefined;
    if (json !== undefined && json.trimStart().startsWith('{')) {
      try {
        const dump = EslEvent.parse('json', json);
        if (dump.getHeader('Unique-ID') === this.uuid) this.#snapshot = foldChannelEvent(this.#snapshot, dump);
      } catch {
        // Not a dump after all: the state starts from what is known.
      }
    }
    this.#state.next(this.#snapshot);
  }

  /** Remembers the first hangup event seen, by the follower or by an action. */
  #note(e: ReceivedEvent): void {
    if (this.#hangup !== undefined || !HANGUP_EVENTS.has(e.name)) return;
    this.#hangup = { uuid: this.uuid, cause: e.getHeader('Hangup-Cause'), event: e };
    this.#hangups.next(this.#hangup);
    this.#hangups.complete();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#tracking?.unsubscribe();
    this.#tracking = undefined;
    if (this.#dumping !== undefined) {
      // Ended before the dump came: state$ gives what is known, then completes.
      this.#dumping.unsubscribe();
      this.#dumping = undefined;
      this.#state.next(this.#snapshot);
    }
    this.#state.complete();
    this.#hangups.complete();
    this.#released.complete();
  }

  /** Where sendmsg goes: nowhere named on the connection's own channel (the outbound form). */
  get #target(): string | undefined {
    return this.#owned ? undefined : this.uuid;
  }

  #hangupError(what: string): EslHangupError {
    const cause = this.#hangup?.cause;
    return new EslHangupError(this.uuid, cause, `channel ${this.uuid} hung up before ${what} completed (${cause ?? 'unknown cause'})`);
  }

  /**
   * A hangup is a hangup whatever shape it reaches us in: without linger FreeSWITCH closes
   * an outbound socket right after the call ends, so a pending action may see the connection
   * go instead of the hangup event.
   */
  #translate(err: unknown, what: string): unknown {
    if (err instanceof EslHangupError) return err;
    if (err instanceof EslDisconnectedError && (this.#hangup !== undefined || this.#owned)) return this.#hangupError(what);
    return err;
  }

  /**
   * Runs `body` unless the channel has hung up, and fails it with EslHangupError at this
   * channel's first hangup event while it runs. `body` gets a callback that records events it
   * sees, and returns its subscription. With `ending`, once `ending.ends()` is true a hangup is
   * the end of the action, not its failure: the action goes on waiting for its outcome, and if
   * the connection goes first, `ending.end()` ends it with what is known.
   */
  #guard<R>(what: string, body: (subscriber: Sink<R>) => Subscription, ending?: Ending): Observable<R> {
    return new Observable<R>((subscriber) => {
      if (this.#hangup !== undefined) {
        subscriber.error(this.#hangupError(what));
        return undefined;
      }
      const sub = new Subscription();
      sub.add(
        this.connection.channelEvents(this.uuid).subscribe({
          next: (e) => {
            if (!HANGUP_EVENTS.has(e.name)) return;
            this.#note(e);
            if (ending?.ends()) return;
            subscriber.error(this.#hangupError(what));
          },
          // The view completes when the connection is gone. The connection's execute does not fail
          // a command whose reply has come while its completion has not: this does.
          complete: () => {
            if (ending?.ends()) ending.end();
            else subscriber.error(this.#translate(new EslDisconnectedError(`connection closed before ${what} completed`), what));
          },
        }),
      );
      if (subscriber.closed) return sub;
      sub.add(
        body({
          next: (v) => subscriber.next(v),
          complete: () => subscriber.complete(),
          error: (err) => subscriber.error(this.#translate(err, what)),
        }),
      );
      return sub;
    });
  }

  // ------------------------------------------------------------------ actions

  /**
   * Runs any dialplan application on the channel; emits its CHANNEL_EXECUTE_COMPLETE as an
   * ApplicationResult (Application-Response in `response`, the variables on `event`) and
   * completes. Fails with EslHangupError if the channel hangs up first.
   */
  execute(app: string, arg?: string): Observable<ApplicationResult> {
    return this.#guard<ApplicationResult>(app, (s) =>
      this.connection.execute(app, arg, { uuid: this.#target, failOnError: true }).subscribe({
        next: (step) => {
          if (step.kind !== 'complete') return;
          s.next(step);
          s.complete();
        },
        error: (err) => s.error(err),
      }),
    );
  }

  /** `answer`. */
  answer(): Observable<ApplicationResult> {
    return this.execute('answer');
  }

  /** `pre_answer`: early media. */
  preAnswer(): Observable<ApplicationResult> {
    return this.execute('pre_answer');
  }

  /** `ring_ready`: tells the caller it is ringing. */
  ringReady(): Observable<ApplicationResult> {
    return this.execute('ring_ready');
  }

  /** `park`: completes when the channel leaves park (a transfer, uuid_break does not). */
  park(): Observable<ApplicationResult> {
    return this.execute('park');
  }

  /** `sleep <ms>`. */
  sleep(ms: number): Observable<ApplicationResult> {
    return this.execute('sleep', String(Math.max(0, Math.floor(ms))));
  }

  /** `playback <file>` (with `terminators`, `set playback_terminators=<t>` first). */
  playback(file: string, options: PlaybackOptions = {}): Observable<PlaybackResult> {
    const play = this.execute('playback', file).pipe(map(playbackResult));
    return options.terminators === undefined ? play : concat(this.setVar('playback_terminators', options.terminators).pipe(ignoreElements()), play);
  }

  /** `say <language> <type> <method> [<gender>] <text>`: `say('42')` says forty-two in English. */
  say(text: string, options: SayOptions = {}): Observable<ApplicationResult> {
    const parts = [options.language ?? 'en', options.type ?? 'number', options.method ?? 'pronounced'];
    if (options.gender !== undefined) parts.push(options.gender);
    parts.push(text);
    return this.execute('say', parts.join(' '));
  }

  /**
   * `play_and_get_digits`: plays the prompt and collects digits, with retries and a regex.
   * Emits what was entered (`digits` is '' when nothing valid was).
   */
  playAndGetDigits(options: PlayAndGetDigitsOptions): Observable<DigitsResult> {
    const min = options.min ?? 1;
    const max = options.max ?? Math.max(1, min);
    const variable = checkVariable(options.variable ?? 'rxesl_digits');
    const timeout = options.timeout ?? 5000;
    const args = [
      min,
      max,
      options.tries ?? 3,
      timeout,
      options.terminators ?? '#',
      options.file,
      options.invalidFile ?? 'silence_stream://250',
      variable,
      options.regex ?? '\\d+',
      options.digitTimeout ?? timeout,
    ].join(' ');
    const arg = options.transferOnFailure === undefined ? args : `${args} '${options.transferOnFailure}'`;
    return this.execute('play_and_get_digits', arg).pipe(map((r) => digitsResult(r, variable)));
  }

  /** `read <min> <max> <file> <variable> <timeout> <terminators> [<digit timeout>]`: the digits entered. */
  read(options: ReadOptions): Observable<DigitsResult> {
    const min = options.min ?? 1;
    const max = options.max ?? Math.max(1, min);
    const variable = checkVariable(options.variable ?? 'rxesl_digits');
    const timeout = options.timeout ?? 5000;
    const parts: Array<string | number> = [min, max, options.file, variable, timeout, options.terminators ?? '#'];
    if (options.digitTimeout !== undefined) parts.push(options.digitTimeout);
    return this.execute('read', parts.join(' ')).pipe(map((r) => digitsResult(r, variable)));
  }

  /** `record <file> [<limit> [<silence threshold> <silence hits>]]`: the file and its length. */
  record(file: string, options: RecordOptions = {}): Observable<RecordResult> {
    const parts: Array<string | number> = [file];
    const silence = options.silenceThreshold !== undefined || options.silenceHits !== undefined;
    if (options.limit !== undefined || silence) parts.push(options.limit ?? 0);
    if (silence) parts.push(options.silenceThreshold ?? 200, options.silenceHits ?? 3);
    return this.execute('record', parts.join(' ')).pipe(map((r) => recordResult(r, file)));
  }

  /**
   * `bridge <dial string>`. Emits `{ kind: 'ringing' }` once when the far end rings (this
   * channel's CHANNEL_PROGRESS or _MEDIA, or the far end's own when this connection receives
   * it), `{ kind: 'bridged', otherLeg }` when it answers, and at the application's completion
   * `{ kind: 'result', bridged, otherLeg, disposition, hangupCause }`, then completes: a
   * failed bridge reports its cause; a bridge that happened completes when it is over.
   *
   * Once bridged, the end of the call is the end of the bridge, not its failure: with
   * hangup_after_bridge FreeSWITCH hangs this channel up when the far end leaves, inside the
   * bridge application (switch_ivr_multi_threaded_bridge), so the hangup comes before the
   * completion; the caller may hang up too. The result is emitted all the same, from the
   * completion when it comes, else (the socket closed with the call) from what the channel's
   * hangup event says, with `completion` undefined. A hangup before the far end answered fails
   * the bridge with EslHangupError, as it fails any action.
   */
  bridge(dial: string, options: BridgeOptions = {}): Observable<BridgeProgress> {
    const presets: Array<Observable<never>> = [];
    const cof = options.continueOnFail;
    if (cof !== undefined) presets.push(this.setVar('continue_on_fail', typeof cof === 'boolean' ? String(cof) : cof.join(',')).pipe(ignoreElements()));
    if (options.hangupAfterBridge !== undefined) presets.push(this.setVar('hangup_after_bridge', String(options.hangupAfterBridge)).pipe(ignoreElements()));
    const run = defer(() => {
      let ringing = false;
      let bridged: ReceivedEvent | undefined;
      let sink: Sink<BridgeProgress> | undefined;
      let over = false;
      const finish = (completion: ApplicationResult | undefined): void => {
        if (over || sink === undefined) return;
        over = true;
        sink.next(bridgeResult(completion, bridged, this.#hangup?.event));
        sink.complete();
      };
      const ending: Ending = { ends: () => bridged !== undefined, end: () => finish(undefined) };
      return this.#guard<BridgeProgress>(
        'bridge',
        (s) => {
          sink = s;
          const progress = (e: EslEvent, leg: string): void => {
            if (ringing) return;
            ringing = true;
            s.next({ kind: 'ringing', leg, early: e.name === 'CHANNEL_PROGRESS_MEDIA', event: e });
          };
          const sub = new Subscription();
          sub.add(
            this.connection.channelEvents(this.uuid).subscribe((e) => {
              const name = e.name;
              if (PROGRESS_EVENTS.has(name)) progress(e, this.uuid);
              else if (name === 'CHANNEL_BRIDGE' && bridged === undefined) {
                bridged = e;
                s.next({ kind: 'bridged', otherLeg: e.getHeader('Other-Leg-Unique-ID') ?? e.getHeader('Bridge-B-Unique-ID'), event: e });
              }
            }),
          );
          // The far end's own progress, when this connection receives other channels' events (inbound).
          sub.add(
            this.connection
              .eventsNamed('CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA')
              .pipe(filter((e) => e.getHeader('Unique-ID') !== this.uuid && e.getHeader('Other-Leg-Unique-ID') === this.uuid))
              .subscribe((e) => progress(e, e.getHeader('Unique-ID') ?? '')),
          );
          sub.add(
            this.connection.execute('bridge', dial, { uuid: this.#target, failOnError: true }).subscribe({
              next: (step) => {
                if (step.kind === 'complete') finish(step);
              },
              error: (err) => {
                // Bridged, then the channel's end came before the completion could (the
                // connection's execute fails at CHANNEL_HANGUP_COMPLETE, or with the socket).
                if (bridged !== undefined && (err instanceof EslHangupError || err instanceof EslDisconnectedError)) finish(undefined);
                else s.error(err);
              },
            }),
          );
          return sub;
        },
        ending,
      );
    });
    return presets.length === 0 ? run : concat(...presets, run);
  }

  /**
   * `transfer <extension> [<dialplan> [<context>]]`: the channel leaves what it was doing and
   * runs that extension. An outbound socket stays connected to it (FreeSWITCH keeps the
   * session's listener until the call ends), so the Channel goes on following it.
   */
  transfer(extension: string, dialplan?: string, context?: string): Observable<ApplicationResult> {
    const parts = [extension];
    if (dialplan !== undefined || context !== undefined) parts.push(dialplan ?? 'XML');
    if (context !== undefined) parts.push(context);
    return this.execute('transfer', parts.join(' '));
  }

  /** `hold`: puts the channel on hold (its partner hears music). */
  hold(): Observable<ApplicationResult> {
    return this.execute('hold');
  }

  /** `unhold`. */
  unhold(): Observable<ApplicationResult> {
    return this.execute('unhold');
  }

  /** `set <name>=<value>`; an empty value unsets the variable. */
  setVar(name: string, value: string | number | boolean): Observable<ApplicationResult> {
    return this.execute('set', `${checkVariable(name)}=${String(value)}`);
  }

  /**
   * A channel variable, or undefined when unset: `getvar` on the connection's own channel,
   * `api uuid_getvar` otherwise.
   */
  getVar(name: string): Observable<string | undefined> {
    checkVariable(name);
    return this.#guard<string | undefined>(`getvar ${name}`, (s) => {
      const value$: Observable<string | undefined> = this.#owned
        ? this.connection.getvar(name)
        : this.connection.api('uuid_getvar', `${this.uuid} ${name}`, { failOnError: true }).pipe(map((r) => (r.text === '_undef_' ? undefined : r.text)));
      return value$.subscribe({
        next: (v) => {
          s.next(v);
          s.complete();
        },
        error: (err) => s.error(err),
      });
    });
  }

  /**
   * Hangs the channel up (sendmsg `call-command: hangup`, FreeSWITCH's NORMAL_CLEARING when no
   * cause is given). Emits the hangup once the channel is down (its CHANNEL_HANGUP) and
   * completes; at once when it is down already. Pending actions fail with EslHangupError.
   */
  hangup(cause?: string): Observable<ChannelHangup> {
    return new Observable<ChannelHangup>((subscriber) => {
      const down = (): void => {
        subscriber.next(this.#hangup ?? { uuid: this.uuid, cause: undefined, event: undefined });
        subscriber.complete();
      };
      if (this.#hangup !== undefined) {
        down();
        return undefined;
      }
      const sub = new Subscription();
      // The socket going with the call means it is down.
      const gone = (err: unknown): void => {
        if (err instanceof EslDisconnectedError && (this.#hangup !== undefined || this.#owned)) down();
        else subscriber.error(err);
      };
      sub.add(
        this.connection.channelEvents(this.uuid).subscribe({
          next: (e) => {
            if (!HANGUP_EVENTS.has(e.name)) return;
            this.#note(e);
            down();
          },
          complete: () => gone(new EslDisconnectedError('connection closed before the hangup was seen')),
        }),
      );
      if (subscriber.closed) return sub;
      sub.add(this.connection.hangup(cause, this.#target, { failOnError: true }).subscribe({ error: gone }));
      return sub;
    });
  }

  /** `api uuid_break <uuid> [all]`: stops the application playing media now (with `all`, the queued ones too). */
  breakMedia(all = false): Observable<ApiResponse> {
    return this.connection.api('uuid_break', all ? `${this.uuid} all` : this.uuid);
  }

  /**
   * Asks FreeSWITCH for the events a Channel follows that this connection does not receive
   * yet (`event <format> ...`), or nothing when it has them all. Inbound, call it once before
   * following channels. Outbound, myevents brings most of them; this asks only for
   * CHANNEL_CALLSTATE, CHANNEL_HOLD and CHANNEL_UNHOLD (the socket needs `full`).
   */
  subscribeEvents(format?: EventFormat): Observable<CommandReply> {
    return defer(() => {
      const sub = this.connection.subscription;
      const mine = this.#owned && this.connection.hasMyEvents;
      const missing = Channel.EVENTS.filter((n) => !sub.covers(n) && !(mine && MYEVENTS_SET.includes(n)));
      return missing.length === 0 ? EMPTY : this.connection.events(format ?? sub.format, missing);
    });
  }

  // ------------------------------------------------------------------ streams

  /**
   * Feature codes on a bridged leg, as NEventSocket's FeatureCodes: the prefix and `digits`
   * more keys within `timeout` ms (`#1`), counted only while the channel is bridged (unless
   * `bridgedOnly: false`).
   */
  featureCodes(prefix = '#', options: FeatureCodeOptions & { bridgedOnly?: boolean } = {}): Observable<string> {
    const bridgedOnly = options.bridgedOnly ?? true;
    return this.dtmf$.pipe(
      filter(() => !bridgedOnly || this.#snapshot.bridgedTo !== undefined),
      featureCodes(prefix, options),
    );
  }
}
