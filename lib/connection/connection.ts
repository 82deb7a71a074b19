/**
 * Connection: the reactive core of an Event Socket client.
 *
 * One read path per socket: chunks -> frames() -> dispatch. Every frame is parsed once; events
 * are parsed once and shared by every subscriber (`events$` and the keyed views); replies go to
 * the command FIFO. Commands are cold Observables: they write on subscribe, emit their reply
 * and complete. bgapi and execute are two-step: the reply, then the result event.
 */
import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import { BehaviorSubject, Observable, Subject, type Subscriber, type Subscription, type TeardownLogic, concat, defer, firstValueFrom, ignoreElements, timer } from 'rxjs';
import {
  EslAuthError,
  EslCommandError,
  EslDisconnectedError,
  EslError,
  EslHangupError,
  EslProtocolError,
  EslTimeoutError,
} from '../errors.js';
import { Commands, type EncodedCommand, type ExecuteOptions, encodeCommand } from '../protocol/commands.js';
import { ContentType, type EventFormat } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { EventName } from '../protocol/event-names.js';
import type { Frame } from '../protocol/frame.js';
import type { FrameParserOptions } from '../protocol/frame-parser.js';
import { frames } from '../transport/frames.js';
import { EventSubscription, FilterList, type EventFilter } from '../protocol/subscriptions.js';
import { openSocket, socketTransport } from '../transport/socket.js';
import type { Transport } from '../transport/transport.js';
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay, retryWithBackoff } from './backoff.js';
import { CommandQueue, QueuedCommand, type QueueHooks, realTimers } from './command-queue.js';
import { EventRouter } from './event-router.js';
import { ApiResponse, ApplicationResult, BackgroundJob, CommandReply, LogLine, isErrorText } from './replies.js';

export type ConnectionState = 'connecting' | 'authenticating' | 'ready' | 'lingering' | 'reconnecting' | 'closed';

/** Reconnect backoff: delay n = min(maxDelay, initialDelay * factor^(n-1)) ± jitter. */
export type ReconnectOptions = Partial<BackoffOptions>;

export interface ConnectionOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8021. */
  port?: number;
  /** Default ClueCon (FreeSWITCH's default). */
  password?: string;
  /** With a user (`1000@default`), authenticates with `userauth` instead of `auth`. */
  user?: string;
  /** Milliseconds for TCP connect plus authentication. Default 10,000. */
  timeout?: number;
  /**
   * Default timeout of commands other than api, ms; 0 for none. Default 30,000. A command's
   * clock starts when it reaches the head of the queue, so a long api before it does not count.
   */
  commandTimeout?: number;
  /**
   * Default timeout of api (and of bgapi and execute results), ms; 0 for none, the default:
   * `api originate` blocks until the call is answered or fails, which can take a minute or more.
   */
  apiTimeout?: number;
  /** Reconnect automatically after a drop (capped exponential backoff with jitter). Default off. */
  reconnect?: boolean | ReconnectOptions;
  /** Commands issued while reconnecting wait for the connection (bounded by their timeout), or fail at once. Default 'wait'. */
  whileReconnecting?: 'wait' | 'fail';
  /** The format rxesl uses when it subscribes on its own (BACKGROUND_JOB before a bgapi...). Default 'plain'. */
  eventFormat?: EventFormat;
  /** Error on a -ERR reply (EslCommandError) instead of emitting it. Default true. */
  failOnError?: boolean;
  /** Frame parser limits. */
  parser?: FrameParserOptions;
  /** TCP keepalive initial delay, ms, or false. Default 30,000. */
  keepAlive?: number | false;
  /**
   * Opens the byte pipe instead of a TCP connection to host:port (called again for each
   * reconnect). For a socket of your own (a TLS tunnel, a socket created before connecting),
   * return `socketTransport(socket)` once it is connected.
   */
  connector?: (host: string, port: number, timeoutMs: number) => Promise<Transport>;
}

export interface CommandOptions {
  /** Milliseconds; 0 for none. Defaults: commandTimeout, or apiTimeout for api. */
  timeout?: number;
  /** Overrides the connection's failOnError for this command. */
  failOnError?: boolean;
}

export interface BgapiOptions extends CommandOptions {
  /** Your own Job-UUID (FreeSWITCH echoes it). Default: a new UUID, known before the reply. */
  jobUuid?: string;
  /** Milliseconds to wait for the BACKGROUND_JOB; 0 for none. Default apiTimeout. */
  jobTimeout?: number;
}

export interface ExecuteCommandOptions extends ExecuteOptions, CommandOptions {
  /** Milliseconds to wait for CHANNEL_EXECUTE_COMPLETE; 0 for none. Default apiTimeout. */
  completionTimeout?: number;
}

type Mode = 'inbound' | 'outbound';

const noop = (): void => {};

interface Handshake {
  onFrame(frame: Frame): void;
  onClose(err: Error): void;
}

interface Waiting {
  start(): void;
  fail(err: Error): void;
}

interface RawHooks extends QueueHooks {
  /** The command went out (it now owns a place in the FIFO). */
  written?: (() => void) | undefined;
}

const asFrame = (frame: Frame): Frame => frame;

/** A queued command whose reply, turned into a value (or an error), goes to one subscriber, which it then completes. */
class SubscriberCommand<T> extends QueuedCommand {
  constructor(
    label: string,
    timeoutMs: number | undefined,
    hooks: QueueHooks | undefined,
    private readonly subscriber: Subscriber<T>,
    private readonly convert: (frame: Frame) => T | Error,
  ) {
    super(label, timeoutMs, hooks);
  }

  reply(frame: Frame): void {
    let value: T | Error;
    try {
      value = this.convert(frame);
    } catch (err) {
      value = err instanceof Error ? err : new EslError(String(err));
    }
    if (value instanceof Error) {
      this.subscriber.error(value);
      return;
    }
    this.subscriber.next(value);
    this.subscriber.complete();
  }

  fail(err: Error): void {
    this.subscriber.error(err);
  }
}

/** A subscription command written and not answered yet: what it will change if it succeeds. */
interface PendingSubscription {
  apply(sub: EventSubscription): void;
  /** Resolves true when it succeeded, false when it failed or was lost. */
  done: Promise<boolean>;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

/** A timeout given for one call (0 or less: none), else the connection's default. */
function timeoutOr(given: number | undefined, fallback: number | undefined): number | undefined {
  return given !== undefined ? positive(given) : fallback;
}

export class Connection {
  // ------------------------------------------------------------------ streams

  readonly #state: BehaviorSubject<ConnectionState>;
  readonly #frames = new Subject<Frame>();
  readonly #router = new EventRouter();
  readonly #logs = new Subject<LogLine>();
  readonly #notices = new Subject<EslEvent>();
  readonly #errors = new Subject<Error>();

  /** The connection's state; replays the current one to a new subscriber. */
  readonly state$: Observable<ConnectionState>;
  /** Every frame read, replies and events alike, parsed once. Hot: no replay. */
  readonly frames$: Observable<Frame>;
  /** Every event (text/event-plain|json|xml), parsed once and shared. Hot: a late subscriber gets no old events. Carries on across reconnects. */
  readonly events$: Observable<EslEvent>;
  /** log/data lines (after `log <level>`). */
  readonly logs$: Observable<LogLine>;
  /** text/disconnect-notice frames: the linger notice and the final one. */
  readonly notices$: Observable<EslEvent>;
  /** Problems that do not end the connection: a malformed event, a reply nobody asked for, a failed reconnect attempt, a subscription that could not be restored. */
  readonly errors$: Observable<Error>;

  // ------------------------------------------------------------------ settings

  readonly #mode: Mode;
  readonly #host: string;
  readonly #port: number;
  readonly #password: string;
  readonly #user: string | undefined;
  readonly #timeout: number;
  readonly #commandTimeout: number | undefined;
  readonly #apiTimeout: number | undefined;
  readonly #reconnect: BackoffOptions | null;
  readonly #whileReconnecting: 'wait' | 'fail';
  readonly #failOnError: boolean;
  readonly #parser: FrameParserOptions | undefined;
  readonly #keepAlive: number | false;
  readonly #timers = realTimers;
  readonly #connector: (host: string, port: number, timeoutMs: number) => Promise<Transport>;

  // ------------------------------------------------------------------ live state

  #transport: Transport | null = null;
  #session: Subscription | null = null;
  #queue: CommandQueue;
  #handshake: Handshake | null = null;
  readonly #waiting = new Set<Waiting>();
  /** close() was called or exit sent: a socket close is not a drop. */
  #closing = false;
  /** The server said goodbye for a session that is over: do not reconnect. */
  #sessionOver = false;
  #finalError: Error | undefined;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #reconnecting: Subscription | null = null;
  #opening = false;
  #channelData: EslEvent | undefined;
  #authReply: CommandReply | undefined;

  /** What was asked for, to ask again after a reconnect. */
  readonly #subscription = new EventSubscription();
  readonly #filters = new FilterList();
  #logLevel: string | undefined;
  #myevents = false;
  /** bgapi and execute calls whose reply came and whose result event has not: failed when the connection goes. */
  readonly #awaitingResults = new Set<(err: Error) => void>();
  /** Subscription commands written whose reply has not come. */
  readonly #pendingSubscriptions = new Set<PendingSubscription>();

  private constructor(mode: Mode, options: ConnectionOptions) {
    this.#mode = mode;
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 8021;
    this.#password = options.password ?? 'ClueCon';
    this.#user = options.user;
    this.#timeout = options.timeout ?? 10_000;
    this.#commandTimeout = positive(options.commandTimeout ?? 30_000);
    this.#apiTimeout = positive(options.apiTimeout ?? 0);
    this.#whileReconnecting = options.whileReconnecting ?? 'wait';
    this.#failOnError = options.failOnError ?? true;
    this.#parser = options.parser;
    this.#keepAlive = options.keepAlive ?? 30_000;
    this.#connector =
      options.connector ??
      (async (host, port, timeoutMs) => socketTransport(await openSocket({ host, port, timeoutMs, keepAlive: this.#keepAlive })));
    this.#subscription.format = options.eventFormat ?? 'plain';
    const r = options.reconnect;
    this.#reconnect = r && mode === 'inbound' ? { ...DEFAULT_BACKOFF, ...(typeof r === 'object' ? r : {}) } : null;
    this.#queue = new CommandQueue(this.#timers);
    this.#state = new BehaviorSubject<ConnectionState>('connecting');
    this.state$ = this.#state.asObservable();
    this.frames$ = this.#frames.asObservable();
    this.events$ = this.#router.events.asObservable();
    this.logs$ = this.#logs.asObservable();
    this.notices$ = this.#notices.asObservable();
    this.errors$ = this.#errors.asObservable();
    this.#closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  // ------------------------------------------------------------------ opening

  /**
   * Connects to FreeSWITCH, waits for auth/request, authenticates (`auth`, or `userauth` when a
   * user is given) and resolves once the connection is ready.
   *
   * Rejects with EslConnectError (refused, unreachable), EslTimeoutError (no connection or no
   * greeting in time), EslAuthError (wrong password: `reason: 'invalid'` with the reply text;
   * ACL rejection: `reason: 'rejected'`).
   */
  static connect(options: ConnectionOptions = {}): Promise<Connection> {
    return Connection.create(options).open();
  }

  /**
   * A connection that is not open yet: subscribe to its streams (state$, frames$ see the
   * greeting and the auth reply too), then call open(). `connect()` is create().open().
   */
  static create(options: ConnectionOptions = {}): Connection {
    return new Connection('inbound', options);
  }

  /** Opens a connection made by create(). Rejects (and closes it) as connect() does. */
  async open(): Promise<this> {
    if (this.#mode !== 'inbound' || this.#transport || this.#state.value === 'closed' || this.#opening) {
      throw new EslError('open() is for a connection made by Connection.create(), once');
    }
    this.#opening = true;
    try {
      await this.#open();
    } catch (err) {
      this.#finalize(err as Error);
      throw err;
    }
    return this;
  }

  /**
   * @internal Wraps a byte pipe that is already open: a socket FreeSWITCH opened to us
   * (outbound: not ready until `connect` has been answered, which the Server does before
   * handing it out), or a scripted transport in tests (`ready: true` skips authentication).
   */
  static attach(transport: Transport, options: ConnectionOptions & { mode?: Mode; ready?: boolean } = {}): Connection {
    const conn = new Connection(options.mode ?? 'outbound', { ...options, reconnect: false });
    conn.#attach(transport);
    conn.#setState(options.ready ? 'ready' : 'authenticating');
    return conn;
  }

  /** @internal A socket FreeSWITCH opened to us (outbound mode). */
  static outbound(socket: net.Socket, options: ConnectionOptions = {}): Connection {
    return Connection.attach(socketTransport(socket), { ...options, mode: 'outbound' });
  }

  async #open(): Promise<void> {
    if (this.#state.value !== 'reconnecting') this.#setState('connecting');
    const transport = await this.#connector(this.#host, this.#port, this.#timeout);
    if (this.#closing) {
      transport.destroy();
      throw new EslDisconnectedError('connection closed while connecting');
    }
    this.#attach(transport);
    if (this.#state.value !== 'reconnecting') this.#setState('authenticating');
    await this.#authenticate();
    await this.#restore();
    // Lost while restoring (the handshake was over, so #lost left it to the retry loop): retry.
    if (this.#transport !== transport) throw new EslDisconnectedError('connection lost before it was ready');
    this.#setState('ready');
    this.#flushWaiting();
  }

  #attach(transport: Transport): void {
    this.#transport = transport;
    this.#queue = new CommandQueue(this.#timers);
    this.#session = transport.chunks$
      .pipe(frames(this.#parser))
      .subscribe({
        next: (frame) => this.#dispatch(frame),
        error: (err: Error) => this.#lost(err),
        complete: () => this.#lost(new EslDisconnectedError('FreeSWITCH closed the connection')),
      });
  }

  #authenticate(): Promise<void> {
    // Encoded first: a password or user that cannot go on the wire (CR, LF) fails open() itself.
    const cmd = this.#user === undefined ? Commands.auth(this.#password) : Commands.userauth(this.#user, this.#password);
    const timeoutMs = this.#timeout;
    return new Promise<void>((resolve, reject) => {
      let sentAuth = false;
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        this.#handshake = null;
        if (timer !== undefined) this.#timers.clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer =
        timeoutMs > 0
          ? this.#timers.setTimeout(() => {
              finish(new EslTimeoutError(`no ${sentAuth ? 'reply to auth' : 'auth/request'} from ${this.#host}:${this.#port} within ${timeoutMs} ms`, timeoutMs));
              this.#transport?.destroy();
            }, timeoutMs)
          : undefined;
      this.#handshake = {
        onFrame: (frame) => {
          const type = frame.contentType;
          if (type === ContentType.AuthRequest && !sentAuth) {
            sentAuth = true;
            this.#transport?.write(cmd.data);
            return;
          }
          if (type === ContentType.CommandReply && sentAuth) {
            const reply = new CommandReply(EslEvent.fromFrame(frame), cmd.label);
            if (reply.replyText.trim().toLowerCase() === '+ok accepted') {
              this.#authReply = reply;
              finish();
            } else {
              finish(new EslAuthError('invalid', `authentication refused by ${this.#host}:${this.#port}: ${reply.replyText}`, reply.replyText));
            }
            return;
          }
          if (type === ContentType.RudeRejection) {
            finish(new EslAuthError('rejected', `access denied by ${this.#host}:${this.#port} (ACL): ${frame.bodyText.trim()}`, frame.bodyText));
            return;
          }
          finish(new EslAuthError('unexpected', `unexpected ${type ?? 'frame'} from ${this.#host}:${this.#port} during authentication`));
        },
        onClose: (err) => finish(sentAuth || this.#closing ? err : new EslDisconnectedError(`${this.#host}:${this.#port} closed the connection before auth/request`, undefined, { cause: err })),
      };
    });
  }

  /** After a reconnect: subscriptions, filters and the log level again, before any new command. */
  async #restore(): Promise<void> {
    const pending: Array<Observable<unknown>> = [];
    const tokens = this.#subscription.toTokens();
    if (tokens.length > 0) pending.push(this.#raw(Commands.event(this.#subscription.format, tokens), this.#commandTimeout, true));
    for (const f of this.#filters.filters) pending.push(this.#raw(Commands.filter(f.header, f.value), this.#commandTimeout, true));
    if (this.#logLevel !== undefined) pending.push(this.#raw(Commands.log(this.#logLevel), this.#commandTimeout, true));
    const results = await Promise.allSettled(pending.map((o) => firstValueFrom(o)));
    for (const r of results) {
      if (r.status === 'rejected') this.#errors.next(r.reason as Error);
      else {
        const frame = r.value as Frame;
        const text = frame.headers.get('Reply-Text') ?? '';
        if (isErrorText(text)) this.#errors.next(new EslCommandError('restore', text, EslEvent.fromFrame(frame)));
      }
    }
  }

  // ------------------------------------------------------------------ the read path

  #dispatch(frame: Frame): void {
    if (this.#frames.observed) this.#frames.next(frame);
    const type = frame.contentType;
    switch (type) {
      case ContentType.EventPlain:
      case ContentType.EventJson:
      case ContentType.EventXml: {
        let ev: EslEvent;
        try {
          ev = EslEvent.fromFrame(frame);
        } catch (err) {
          this.#errors.next(err as Error);
          return;
        }
        this.#router.dispatch(ev);
        return;
      }
      case ContentType.CommandReply:
      case ContentType.ApiResponse:
        if (this.#handshake) this.#handshake.onFrame(frame);
        else if (!this.#queue.reply(frame)) {
          this.#errors.next(new EslProtocolError('UNEXPECTED_FRAME', `a ${type} arrived with no command waiting: ${frame}`));
        }
        return;
      case ContentType.LogData:
        this.#logs.next(new LogLine(frame));
        return;
      case ContentType.DisconnectNotice: {
        const notice = EslEvent.fromFrame(frame);
        this.#notices.next(notice);
        if (notice.getHeader('Content-Disposition') === 'linger') {
          if (this.#state.value === 'ready') this.#setState('lingering');
          return;
        }
        // The final notice: the socket closes next. A session that is over is not reconnected.
        if (notice.getHeader('Controlled-Session-UUID') !== undefined) this.#sessionOver = true;
        this.#queue.failAll((label) => new EslDisconnectedError(`FreeSWITCH disconnected before the reply to "${label}": ${frame.bodyText.trim()}`, label));
        return;
      }
      default:
        if (this.#handshake) this.#handshake.onFrame(frame);
        else this.#errors.next(new EslProtocolError('UNEXPECTED_FRAME', `unexpected frame: ${frame}`));
    }
  }

  /** The socket is gone (closed, failed, or a protocol error made it unusable). */
  #lost(err: Error): void {
    this.#detach();
    if (err instanceof EslProtocolError) this.#errors.next(err);
    const cause = err instanceof EslDisconnectedError ? err : new EslDisconnectedError(`connection lost: ${err.message}`, undefined, { cause: err });
    this.#queue.failAll((label) => new EslDisconnectedError(`connection lost before the reply to "${label}"`, label, { cause }));
    for (const lost of [...this.#awaitingResults]) lost(cause);
    if (this.#handshake) {
      this.#handshake.onClose(cause);
      return;
    }
    // A reconnect loop already running retries on its own.
    if (this.#state.value === 'closed' || this.#reconnecting) return;
    if (!this.#closing && !this.#sessionOver && this.#reconnect) {
      this.#startReconnecting(this.#reconnect);
      return;
    }
    this.#finalize(this.#closing ? undefined : cause);
  }

  /** Releases the current socket and its read path. */
  #detach(): void {
    const transport = this.#transport;
    this.#session?.unsubscribe();
    this.#session = null;
    this.#transport = null;
    transport?.destroy();
  }

  /**
   * Waits the first backoff delay, then tries to connect, authenticate and restore, retrying
   * with backoff. An EslAuthError ends it (the password or the ACL changed: retrying would
   * hammer FreeSWITCH with the same refusal), and so does maxAttempts.
   */
  #startReconnecting(r: BackoffOptions): void {
    this.#setState('reconnecting');
    this.#reconnecting = concat(
      timer(backoffDelay(1, r)).pipe(ignoreElements()),
      defer(() => this.#open()).pipe(
        retryWithBackoff(r, {
          firstRetry: 2,
          isFatal: (err) => err instanceof EslAuthError || this.#closing,
          onRetry: (err) => {
            this.#detach();
            this.#errors.next(err as Error);
          },
        }),
      ),
    ).subscribe({
      complete: () => {
        this.#reconnecting = null;
      },
      error: (err: Error) => {
        this.#reconnecting = null;
        this.#finalize(
          err instanceof EslAuthError || this.#closing
            ? err
            : new EslDisconnectedError(`gave up reconnecting to ${this.#host}:${this.#port} after ${r.maxAttempts} attempts`, undefined, { cause: err }),
        );
      },
    });
  }

  #finalize(err: Error | undefined): void {
    if (this.#state.value === 'closed') return;
    this.#finalError = err;
    this.#detach();
    // The read path is gone, so the handshake would never hear of the close: open() fails now.
    this.#handshake?.onClose(err ?? new EslDisconnectedError('connection closed during authentication'));
    this.#reconnecting?.unsubscribe();
    this.#reconnecting = null;
    this.#queue.failAll((label) => new EslDisconnectedError(`connection closed before the reply to "${label}"`, label, err ? { cause: err } : undefined));
    for (const lost of [...this.#awaitingResults]) lost(err ?? new EslDisconnectedError('connection closed'));
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const w of waiting) w.fail(new EslDisconnectedError('connection closed', undefined, err ? { cause: err } : undefined));
    this.#state.next('closed');
    this.#state.complete();
    this.#frames.complete();
    this.#router.complete();
    this.#logs.complete();
    this.#notices.complete();
    this.#errors.complete();
    this.#resolveClosed();
  }

  #setState(s: ConnectionState): void {
    if (this.#state.value !== s && this.#state.value !== 'closed') this.#state.next(s);
  }

  #flushWaiting(): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const w of waiting) w.start();
  }

  // ------------------------------------------------------------------ commands: the core

  /**
   * Writes a command and emits its reply frame (command/reply or api/response), unchecked.
   * `internal` commands (restoring subscriptions) go out even before the connection is ready.
   */
  #raw(cmd: EncodedCommand, timeoutMs: number | undefined, internal = false, hooks?: RawHooks): Observable<Frame> {
    return new Observable<Frame>((subscriber) => this.#send(new SubscriberCommand(cmd.label, timeoutMs, hooks, subscriber, asFrame), cmd, internal, hooks));
  }

  /** A command whose reply frame is turned into a value (or an Error) by `convert`. */
  #command<T>(cmd: EncodedCommand, timeoutMs: number | undefined, convert: (frame: Frame) => T | Error, internal = false): Observable<T> {
    return new Observable<T>((subscriber) => this.#send(new SubscriberCommand(cmd.label, timeoutMs, undefined, subscriber, convert), cmd, internal));
  }

  /**
   * Writes a command now (or when the connection is ready) and routes its reply to `target`.
   * Returns the teardown: the caller stops waiting, the reply is still consumed in turn.
   */
  #send(entry: QueuedCommand, cmd: EncodedCommand, internal = false, hooks?: RawHooks): TeardownLogic {
    const state = this.#state.value;
    // Outbound there is no authentication: commands queue behind `connect` (which the Server
    // sends first) and go out at once, pipelined.
    if (internal || state === 'ready' || state === 'lingering' || (state === 'authenticating' && this.#mode === 'outbound')) {
      return this.#write(entry, cmd, hooks);
    }
    if (state === 'closed') {
      entry.fail(new EslDisconnectedError(`connection closed: cannot send "${cmd.label}"`, cmd.label, this.#finalError ? { cause: this.#finalError } : undefined));
      return undefined;
    }
    if (this.#whileReconnecting === 'fail' && state === 'reconnecting') {
      entry.fail(new EslDisconnectedError(`reconnecting: "${cmd.label}" not sent`, cmd.label));
      return undefined;
    }
    const timeoutMs = entry.timeoutMs;
    let waitTimer: unknown;
    let teardown: TeardownLogic;
    const waiting: Waiting = {
      start: () => {
        if (waitTimer !== undefined) this.#timers.clearTimeout(waitTimer);
        teardown = this.#write(entry, cmd, hooks);
      },
      fail: (err) => entry.fail(err),
    };
    this.#waiting.add(waiting);
    if (timeoutMs) {
      waitTimer = this.#timers.setTimeout(() => {
        this.#waiting.delete(waiting);
        entry.fail(new EslTimeoutError(`"${cmd.label}" waited ${timeoutMs} ms for the connection`, timeoutMs, cmd.label));
      }, timeoutMs);
    }
    return () => {
      if (teardown) (teardown as QueuedCommand).unsubscribe();
      if (waitTimer !== undefined) this.#timers.clearTimeout(waitTimer);
      this.#waiting.delete(waiting);
    };
  }

  /** Writes a command and puts it in the FIFO; the entry is the teardown (it abandons the wait). */
  #write(entry: QueuedCommand, cmd: EncodedCommand, hooks?: RawHooks): TeardownLogic {
    const transport = this.#transport;
    if (!transport || this.#state.value === 'closed') {
      entry.fail(new EslDisconnectedError(`not connected: cannot send "${cmd.label}"`, cmd.label));
      return undefined;
    }
    this.#queue.push(entry);
    hooks?.written?.();
    if (!transport.write(cmd.data)) this.#lost(new EslDisconnectedError('the socket is no longer writable'));
    return entry;
  }

  #fail(options: CommandOptions | undefined): boolean {
    return options?.failOnError ?? this.#failOnError;
  }

  /**
   * A command answered by a command/reply; -ERR fails it unless failOnError is false.
   * `track` sees every reply (ok or not) before the caller does: it keeps what was asked for.
   */
  #reply(cmd: EncodedCommand, options?: CommandOptions, track?: (reply: CommandReply) => void, pending?: PendingSubscription & { settle(ok: boolean): void }): Observable<CommandReply> {
    const timeout = timeoutOr(options?.timeout, this.#commandTimeout);
    const fail = this.#fail(options);
    const check = (r: CommandReply): CommandReply | Error => (!r.ok && fail ? new EslCommandError(cmd.label, r.replyText, r) : r);
    if (!track && !pending) return this.#command<CommandReply>(cmd, timeout, (frame) => check(new CommandReply(EslEvent.fromFrame(frame), cmd.label)));
    return new Observable<CommandReply>((subscriber) => {
      let reply: CommandReply | undefined;
      const hooks: RawHooks = {
        written: pending ? () => this.#pendingSubscriptions.add(pending) : undefined,
        replied: (frame) => {
          reply = new CommandReply(EslEvent.fromFrame(frame), cmd.label);
          if (pending) this.#pendingSubscriptions.delete(pending);
          track?.(reply);
          pending?.settle(reply.ok);
        },
        lost: pending
          ? () => {
              this.#pendingSubscriptions.delete(pending);
              pending.settle(false);
            }
          : undefined,
      };
      const entry = new SubscriberCommand(cmd.label, timeout, hooks, subscriber, (frame: Frame) => check(reply ?? new CommandReply(EslEvent.fromFrame(frame), cmd.label)));
      return this.#send(entry, cmd, false, hooks);
    });
  }

  /**
   * A command that changes the subscription. What it will change counts as asked for from the
   * moment it is written (so rxesl does not ask again for BACKGROUND_JOB while the caller's
   * own `event ... BACKGROUND_JOB` is on its way), and is kept when the reply says +OK,
   * whether or not the caller still listens.
   */
  #subscriptionCommand(cmd: EncodedCommand, options: CommandOptions | undefined, apply: (sub: EventSubscription) => void, onError?: (sub: EventSubscription) => void): Observable<CommandReply> {
    let settle!: (ok: boolean) => void;
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    const pending = { apply, done, settle };
    return this.#reply(
      cmd,
      options,
      (r) => {
        if (r.ok) apply(this.#subscription);
        else onError?.(this.#subscription);
      },
      pending,
    );
  }

  /** The subscription as it will be once every pending subscription command has succeeded. */
  #expectedSubscription(): EventSubscription {
    if (this.#pendingSubscriptions.size === 0) return this.#subscription;
    const probe = this.#subscription.clone();
    for (const p of this.#pendingSubscriptions) p.apply(probe);
    return probe;
  }

  // ------------------------------------------------------------------ commands: public

  /**
   * Any command, as encoded bytes or as a single line; emits the reply (command/reply or
   * api/response) as an event, unchecked. The escape hatch for what has no method.
   */
  send(command: EncodedCommand | string, options?: CommandOptions): Observable<EslEvent> {
    const cmd = typeof command === 'string' ? encodeCommand(command) : command;
    const timeout = timeoutOr(options?.timeout, cmd.verb === 'api' ? this.#apiTimeout : this.#commandTimeout);
    return this.#command(cmd, timeout, (frame) => EslEvent.fromFrame(frame));
  }


  /**
   * `api <command> [<args>]`: emits the api/response and completes. A body starting with -ERR
   * or -USAGE (and a `-ERR permission denied` command/reply under userauth) fails with
   * EslCommandError unless `failOnError: false`, in which case check `response.ok`.
   * No timeout by default (see apiTimeout).
   */
  api(command: string, args?: string, options?: CommandOptions): Observable<ApiResponse> {
    const cmd = Commands.api(command, args);
    const timeout = timeoutOr(options?.timeout, this.#apiTimeout);
    const fail = this.#fail(options);
    return this.#command<ApiResponse>(cmd, timeout, (frame) => {
      const ev = EslEvent.fromFrame(frame);
      // userauth: a forbidden api is refused with a command/reply, not an api/response.
      if (frame.contentType === ContentType.CommandReply) ev.addBody(ev.getHeader('Reply-Text') ?? '');
      const response = new ApiResponse(ev, cmd.label);
      return fail && !response.ok ? new EslCommandError(cmd.label, response.body, response) : response;
    });
  }


  /**
   * `bgapi <command> [<args>]`: a job stream. Emits the command/reply first (its `jobUuid` is
   * known at once), then the BACKGROUND_JOB as a BackgroundJob, then completes. rxesl makes
   * sure BACKGROUND_JOB is subscribed before the first bgapi, and when filters are active it
   * lets this job's event through with a `filter Job-UUID` of its own, removed afterwards.
   * A job whose output starts with -ERR fails with EslCommandError unless failOnError is false.
   */
  bgapi(command: string, args?: string, options: BgapiOptions = {}): Observable<CommandReply | BackgroundJob> {
    const jobUuid = options.jobUuid ?? randomUUID();
    const cmd = Commands.bgapi(command, args, jobUuid);
    const fail = this.#fail(options);
    return this.#twoStep<BackgroundJob>({
      cmd,
      options,
      subscribe: ['BACKGROUND_JOB'],
      filter: ['Job-UUID', jobUuid],
      resultTimeout: timeoutOr(options.jobTimeout, this.#apiTimeout),
      timeoutMessage: (ms) => `no BACKGROUND_JOB for "${cmd.label}" (Job-UUID ${jobUuid}) within ${ms} ms`,
      wait: (done) => [
        this.#router.waitJob(jobUuid, (ev) => {
          const job = new BackgroundJob(ev);
          done(fail && !job.ok ? new EslCommandError(cmd.label, job.body, job) : job);
        }),
      ],
    });
  }

  /**
   * The shape bgapi and execute share: make sure the result event is subscribed (and let it
   * through active filters), write the command, emit its reply, then emit the result (or the
   * error `wait` reports) and complete. Teardown removes every waiter, timer and filter.
   */
  #twoStep<R>(spec: {
    cmd: EncodedCommand;
    options: CommandOptions;
    subscribe: readonly string[];
    filter: readonly [string, string];
    resultTimeout: number | undefined;
    timeoutMessage: (ms: number) => string;
    wait: (done: (result: R | Error) => void) => Array<() => void>;
  }): Observable<CommandReply | R> {
    return new Observable<CommandReply | R>((subscriber) => {
      let timer: unknown;
      let filtered = false;
      let removers: Array<() => void> = [];
      const cleanup = (): void => {
        for (const r of removers) r();
        removers = [];
        if (timer !== undefined) this.#timers.clearTimeout(timer);
        timer = undefined;
        if (filtered) {
          filtered = false;
          this.#fireAndForget(Commands.filterDelete(spec.filter[0], spec.filter[1]));
        }
      };
      const fail = (err: Error): void => {
        cleanup();
        subscriber.error(err);
      };
      // The result is an event: if the connection goes before it comes, it never will.
      const lost = (err: Error): void => fail(new EslDisconnectedError(`connection lost before the result of "${spec.cmd.label}"`, spec.cmd.label, { cause: err }));
      this.#awaitingResults.add(lost);
      removers = [() => this.#awaitingResults.delete(lost)];
      removers.push(...spec.wait((result) => {
        cleanup();
        if (result instanceof Error) {
          subscriber.error(result);
          return;
        }
        subscriber.next(result);
        subscriber.complete();
      }));
      for (const name of spec.subscribe) this.#autoSubscribe(name)?.catch(fail);
      if (this.#filters.size > 0) {
        filtered = true;
        this.#fireAndForget(Commands.filter(spec.filter[0], spec.filter[1]));
      }
      const replySub = this.#reply(spec.cmd, spec.options).subscribe({
        next: (reply) => {
          subscriber.next(reply);
          if (!reply.ok) {
            // Refused (failOnError: false let the -ERR through): no result event will come.
            cleanup();
            subscriber.complete();
            return;
          }
          const ms = spec.resultTimeout;
          if (ms) timer = this.#timers.setTimeout(() => fail(new EslTimeoutError(spec.timeoutMessage(ms), ms, spec.cmd.label)), ms);
        },
        error: fail,
      });
      return () => {
        replySub.unsubscribe();
        cleanup();
      };
    });
  }

  /**
   * `event <format> <NAME...>` (additive, as FreeSWITCH merges it). Remembered, and asked
   * again after a reconnect. Subscribing to `events$` does not ask FreeSWITCH for anything:
   * this does.
   */
  events(format: EventFormat, names: EventName | readonly EventName[], options?: CommandOptions): Observable<CommandReply> {
    const list = typeof names === 'string' ? names.split(' ').filter((n) => n !== '') : [...names];
    // FreeSWITCH switches the format even when it then refuses the names.
    return this.#subscriptionCommand(
      Commands.event(format, list),
      options,
      (sub) => sub.subscribe([format, ...list]),
      (sub) => {
        sub.format = format;
      },
    );
  }

  /** `nixevent <NAME...>`. */
  nixevent(names: EventName | readonly EventName[], options?: CommandOptions): Observable<CommandReply> {
    const list = typeof names === 'string' ? names.split(' ').filter((n) => n !== '') : [...names];
    return this.#subscriptionCommand(Commands.nixevent(list), options, (sub) => sub.unsubscribe(list));
  }

  /** `noevents`: unsubscribes from everything (FreeSWITCH drops its queued events too). */
  noevents(options?: CommandOptions): Observable<CommandReply> {
    return this.#subscriptionCommand(Commands.noevents(), options, (sub) => sub.clear());
  }

  /** `filter <Header> <value>`: remembered and restored after a reconnect. */
  filter(header: string, value: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.filter(header, value), options, (r) => r.ok && this.#filters.add(header, value));
  }

  /** `filter delete <Header> [<value>]`, or `filterDelete('all')`. */
  filterDelete(header: string, value?: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.filterDelete(header, value), options, (r) => r.ok && this.#filters.delete(header, value));
  }

  /** `myevents [<uuid>] [<format>]`. Inbound with a uuid, the connection becomes bound to that channel and closes when it hangs up. */
  myevents(uuid?: string, format?: EventFormat, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.myevents(uuid, format), options, (r) => {
      if (!r.ok) return;
      this.#myevents = true;
      if (format && this.#mode === 'outbound') this.#subscription.format = format;
    });
  }

  /** `divert_events on|off` (needs a session). */
  divertEvents(on: boolean, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.divertEvents(on), options);
  }

  /** `linger [<seconds>]` (needs a session): without seconds, until the client closes. */
  linger(seconds?: number, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.linger(seconds), options);
  }

  /** `nolinger`. */
  nolinger(options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.nolinger(), options);
  }

  /** `log [<level>]`: log/data lines then arrive on `logs$`. Restored after a reconnect. */
  log(level?: string | number, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.log(level), options, (r) => {
      // `log` with no level means debug.
      if (r.ok) this.#logLevel = level === undefined ? 'debug' : String(level);
    });
  }

  /** `nolog`. */
  nolog(options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.nolog(), options, (r) => {
      if (r.ok) this.#logLevel = undefined;
    });
  }

  /** `resume` (needs a session): the dialplan continues when the socket session ends. */
  resume(options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.resume(), options);
  }

  /** `getvar <name>` (needs a session): the value, or undefined when the variable is unset. */
  getvar(name: string, options?: CommandOptions): Observable<string | undefined> {
    const cmd = Commands.getvar(name);
    const timeout = timeoutOr(options?.timeout, this.#commandTimeout);
    return this.#command<string | undefined>(cmd, timeout, (frame) => {
      const text = frame.headers.get('Reply-Text') ?? '';
      // The reply is the raw value; an unset variable reads as "-ERR command not found".
      return text === '-ERR command not found' ? undefined : text;
    });
  }


  /** `sendevent <NAME>` with the event's headers and body; the reply is `+OK <Event-UUID>`. */
  sendEvent(event: EslEvent, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.sendevent(event), options);
  }

  /** `sendmsg [<uuid>]` with any headers and body. */
  sendMsg(uuid: string | undefined, headers: Record<string, string> | Iterable<readonly [string, string]>, body?: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.sendmsg(uuid, headers, body), options);
  }

  /**
   * Runs a dialplan application over sendmsg. Emits the command/reply, then the
   * CHANNEL_EXECUTE_COMPLETE whose Application-UUID is this execute's event-uuid (as an
   * ApplicationResult), then completes. Fails with EslHangupError if the channel's
   * CHANNEL_HANGUP_COMPLETE comes first, EslDisconnectedError if the connection goes.
   * On an inbound connection rxesl subscribes CHANNEL_EXECUTE_COMPLETE and
   * CHANNEL_HANGUP_COMPLETE first (as modesl does), unless already covered.
   */
  execute(app: string, arg?: string, options: ExecuteCommandOptions = {}): Observable<CommandReply | ApplicationResult> {
    const eventUuid = options.eventUuid ?? randomUUID();
    const cmd = Commands.execute(app, arg, { ...options, eventUuid });
    const channel = options.uuid ?? this.uuid;
    return this.#twoStep<ApplicationResult>({
      cmd,
      options,
      // Outbound, the channel's events come with myevents (the Server sends it); `event` would
      // even fail there without `full`. Inbound, rxesl asks for what it needs.
      subscribe: this.#myevents || this.#mode === 'outbound' ? [] : ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE'],
      filter: ['Application-UUID', eventUuid],
      resultTimeout: timeoutOr(options.completionTimeout, this.#apiTimeout),
      timeoutMessage: (ms) => `${app} did not complete within ${ms} ms`,
      wait: (done) => {
        const removers = [this.#router.waitApplication(eventUuid, (ev) => done(new ApplicationResult(ev)))];
        if (channel !== undefined) {
          removers.push(
            this.#router.waitHangup(channel, (ev) => {
              const cause = ev.getHeader('Hangup-Cause');
              done(new EslHangupError(channel, cause, `channel ${channel} hung up before ${app} completed (${cause ?? 'unknown cause'})`));
            }),
          );
        }
        return removers;
      },
    });
  }

  /** execute with `async: true`: queued on the channel instead of run inline (static outbound sockets). */
  executeAsync(app: string, arg?: string, options: ExecuteCommandOptions = {}): Observable<CommandReply | ApplicationResult> {
    return this.execute(app, arg, { ...options, async: true });
  }

  /** sendmsg `call-command: hangup` (NORMAL_CLEARING when no cause is given). */
  hangup(cause?: string, uuid?: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.hangup(cause, uuid), options);
  }

  /** `connect` (outbound): the reply is the channel's CHANNEL_DATA. */
  connect(options?: CommandOptions): Observable<EslEvent> {
    const cmd = Commands.connect();
    const timeout = timeoutOr(options?.timeout, this.#commandTimeout);
    return this.#command(
      cmd,
      timeout,
      (frame) => {
        const data = EslEvent.fromFrame(frame);
        this.#channelData = data;
        if (this.#state.value === 'authenticating') {
          this.#setState('ready');
          this.#flushWaiting();
        }
        return data;
      },
      true,
    );
  }


  /** `exit`: FreeSWITCH replies +OK bye, sends the disconnect notice and closes. No reconnect follows. */
  exit(options?: CommandOptions): Observable<CommandReply> {
    return new Observable<CommandReply>((subscriber) => {
      this.#closing = true;
      return this.#reply(Commands.exit(), { failOnError: false, ...options }).subscribe(subscriber);
    });
  }

  /**
   * Closes the connection: sends `exit` and waits (up to a second) for FreeSWITCH to close,
   * then closes the socket. Pending commands fail with EslDisconnectedError; every stream
   * completes. Resolves when everything is released.
   */
  async close(): Promise<void> {
    if (this.#state.value === 'closed') return this.#closed;
    this.#closing = true;
    const state = this.#state.value;
    if ((state === 'ready' || state === 'lingering') && this.#transport) {
      const bye = firstValueFrom(this.#reply(Commands.exit(), { failOnError: false, timeout: 1000 })).catch(noop);
      const closedByPeer = this.#closed;
      let t: unknown;
      await Promise.race([Promise.all([bye, closedByPeer]), new Promise<void>((r) => (t = this.#timers.setTimeout(r, 1000)))]);
      this.#timers.clearTimeout(t);
    }
    this.#finalize(undefined);
    return this.#closed;
  }

  /** Closes the socket at once, without `exit`. */
  destroy(): void {
    this.#closing = true;
    this.#finalize(undefined);
  }

  // ------------------------------------------------------------------ views

  /** Events with one of these names. */
  eventsNamed(...names: EventName[]): Observable<EslEvent> {
    return this.#router.named(names);
  }

  /** CUSTOM events of that subclass. */
  customEvents(subclass: string): Observable<EslEvent> {
    return this.#router.custom(subclass);
  }

  /** Events of one channel (Unique-ID). */
  channelEvents(uuid: string): Observable<EslEvent> {
    return this.#router.channel(uuid);
  }

  /** Events of one job (Job-UUID). */
  jobEvents(jobUuid: string): Observable<EslEvent> {
    return this.#router.job(jobUuid);
  }

  // ------------------------------------------------------------------ state

  get state(): ConnectionState {
    return this.#state.value;
  }

  /** Resolves when the connection is closed for good and everything is released. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Why it closed, if it closed on an error. */
  get closeReason(): Error | undefined {
    return this.#finalError;
  }

  get mode(): Mode {
    return this.#mode;
  }

  /** The underlying socket (null between reconnects, after close, and over a non-TCP transport). */
  get socket(): net.Socket | null {
    return this.#transport?.socket ?? null;
  }

  /** Outbound: the CHANNEL_DATA of the `connect` reply. */
  get channelData(): EslEvent | undefined {
    return this.#channelData;
  }

  /** Outbound: the channel's Unique-ID. */
  get uuid(): string | undefined {
    return this.#channelData?.getHeader('Unique-ID');
  }

  /** The reply to auth/userauth (userauth adds Allowed-Events, Allowed-API, Allowed-LOG). */
  get authReply(): CommandReply | undefined {
    return this.#authReply;
  }

  /** What this connection asked FreeSWITCH for: format, types, subclasses. */
  get subscription(): Readonly<EventSubscription> {
    return this.#subscription.clone();
  }

  /** The filters in force, in order. */
  get filters(): readonly EventFilter[] {
    return this.#filters.filters.map((f) => ({ ...f }));
  }

  /** Whether `myevents` is on (sent through this connection, as the Server does): the channel's own events come without `event`. */
  get hasMyEvents(): boolean {
    return this.#myevents;
  }

  /** The log level asked for with log(), if any. */
  get logLevel(): string | undefined {
    return this.#logLevel;
  }

  /** Commands written whose reply has not arrived. */
  get pendingCommands(): number {
    return this.#queue.size;
  }

  /** @internal For tests: internal waiters and views still registered. */
  get routerStats(): { waiters: number; views: number } {
    return { waiters: this.#router.waiters, views: this.#router.views };
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Makes sure an event type is subscribed, for rxesl's own needs. Returns undefined when it
   * already is, else a promise that fails with the EslCommandError if FreeSWITCH refuses.
   */
  #autoSubscribe(name: string): Promise<void> | undefined {
    if (this.#subscription.covers(name)) return undefined;
    if (this.#expectedSubscription().covers(name)) {
      // Asked for by a command on its way: rely on it, and ask again only if it fails.
      const waits = [...this.#pendingSubscriptions].map((p) => p.done);
      return Promise.all(waits).then(() => (this.#subscription.covers(name) ? undefined : this.#autoSubscribe(name)));
    }
    const p = firstValueFrom(this.#subscriptionCommand(Commands.event(this.#subscription.format, [name]), { failOnError: true }, (sub) => sub.subscribe([name]))).then(
      () => undefined,
    );
    p.catch(noop);
    return p;
  }

  /** A command whose reply matters to nobody (it is still consumed in turn). */
  #fireAndForget(cmd: EncodedCommand): void {
    if (this.#state.value === 'closed') return;
    this.#raw(cmd, this.#commandTimeout).subscribe({ error: (err: Error) => this.#errors.next(err) });
  }
}
