/**
 * The link under a Connection: one socket at a time, and its life. It opens the socket,
 * authenticates (inbound), reads it (chunks -> frames() -> dispatch: every frame parsed once,
 * events to the router, replies to the command FIFO), writes commands in order (holding them
 * while it is not ready), and when the socket goes, fails what waited on it and reconnects
 * (if asked), asking again for what was asked for; or closes for good. The commands
 * themselves, and what they mean, are the Connection's.
 */
import type net from 'node:net';
import { BehaviorSubject, Observable, Subject, type Subscription, type TeardownLogic, concat, defer, firstValueFrom, ignoreElements, timer } from 'rxjs';
import { EslAuthError, EslCommandError, EslDisconnectedError, EslError, EslProtocolError, EslTimeoutError } from '../errors.js';
import { Commands, type EncodedCommand } from '../protocol/commands.js';
import { ContentType } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import { frames } from '../transport/frames.js';
import { openSocket, socketTransport } from '../transport/socket.js';
import type { Transport } from '../transport/transport.js';
import type { AskedFor } from './asked-for.js';
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay, retryWithBackoff } from './backoff.js';
import { CommandQueue, type QueueHooks, type QueuedCommand, SubscriberCommand, realTimers } from './command-queue.js';
import type { ConnectionMode, ConnectionState } from './esl-connection.js';
import { EventRouter } from './event-router.js';
import { Handshake } from './handshake.js';
import type { CommandTimeouts, ConnectionOptions } from './options.js';
import { CommandReply, LogLine } from './replies.js';

const noop = (): void => {};

/** A command held until the link is ready: never written yet. */
interface Waiting {
  readonly label: string;
  start(): void;
  fail(err: Error): void;
}

const asFrame = (frame: Frame): Frame => frame;

/** The error of a command that was never written: `why` it was not (the connection closed...). */
function notSent(why: string, label: string, cause?: Error): EslDisconnectedError {
  return new EslDisconnectedError(`${why}: "${label}" not sent`, label, { cause, sent: false });
}

export class Link {
  // ------------------------------------------------------------------ what it reads

  readonly state = new BehaviorSubject<ConnectionState>('connecting');
  readonly frames = new Subject<Frame>();
  readonly router = new EventRouter();
  readonly logs = new Subject<LogLine>();
  readonly notices = new Subject<EslEvent>();
  readonly errors = new Subject<Error>();
  /** Resolves when the link is closed for good and everything is released. */
  readonly closed: Promise<void>;

  // ------------------------------------------------------------------ settings

  readonly mode: ConnectionMode;
  readonly #host: string;
  readonly #port: number;
  readonly #password: string;
  readonly #user: string | undefined;
  readonly #timeout: number;
  readonly #timeouts: CommandTimeouts;
  readonly #reconnect: BackoffOptions | null;
  readonly #whileReconnecting: 'wait' | 'fail';
  readonly #parser: ConnectionOptions['parser'];
  readonly #connector: (host: string, port: number, timeoutMs: number) => Promise<Transport>;
  readonly timers = realTimers;
  /** What was asked for, asked again after a reconnect. */
  readonly #asked: AskedFor;
  /** Told when the socket goes: what waits for an event rather than a reply fails then. */
  readonly #onLost: (err: Error) => void;

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
  #resolveClosed!: () => void;
  #reconnecting: Subscription | null = null;
  #opening = false;
  #authReply: CommandReply | undefined;

  constructor(mode: ConnectionMode, options: ConnectionOptions, timeouts: CommandTimeouts, asked: AskedFor, onLost: (err: Error) => void) {
    this.mode = mode;
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 8021;
    this.#password = options.password ?? 'ClueCon';
    this.#user = options.user;
    this.#timeout = options.timeout ?? 10_000;
    this.#timeouts = timeouts;
    this.#whileReconnecting = options.whileReconnecting ?? 'wait';
    this.#parser = options.parser;
    const keepAlive = options.keepAlive ?? 30_000;
    this.#connector = options.connector ?? (async (host, port, timeoutMs) => socketTransport(await openSocket({ host, port, timeoutMs, keepAlive })));
    const r = options.reconnect;
    this.#reconnect = r && mode === 'inbound' ? { ...DEFAULT_BACKOFF, ...(typeof r === 'object' ? r : {}) } : null;
    this.#queue = new CommandQueue(this.timers);
    this.#asked = asked;
    this.#onLost = onLost;
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get finalError(): Error | undefined {
    return this.#finalError;
  }

  get authReply(): CommandReply | undefined {
    return this.#authReply;
  }

  get socket(): net.Socket | null {
    return this.#transport?.socket ?? null;
  }

  /** Commands written whose reply has not arrived. */
  get pendingCommands(): number {
    return this.#queue.size;
  }

  // ------------------------------------------------------------------ opening

  /** Connects, authenticates, restores; rejects (and closes for good) when it cannot. */
  async open(): Promise<void> {
    if (this.mode !== 'inbound' || this.#transport || this.state.value === 'closed' || this.#opening) {
      throw new EslError('open() is for a connection made by Connection.create(), once');
    }
    this.#opening = true;
    try {
      await this.#open();
    } catch (err) {
      this.#finalize(err as Error);
      throw err;
    }
  }

  /** A byte pipe already open: outbound (ready once `connect` is answered), or ready at once. */
  attach(transport: Transport, ready: boolean): void {
    this.#attach(transport);
    this.#setState(ready ? 'ready' : 'authenticating');
  }

  /** Outbound: `connect` was answered, the link is ready. */
  connected(): void {
    if (this.state.value !== 'authenticating') return;
    this.#setState('ready');
    this.#flushWaiting();
  }

  async #open(): Promise<void> {
    if (this.state.value !== 'reconnecting') this.#setState('connecting');
    const transport = await this.#connector(this.#host, this.#port, this.#timeout);
    if (this.#closing) {
      transport.destroy();
      throw new EslDisconnectedError('connection closed while connecting');
    }
    this.#attach(transport);
    if (this.state.value !== 'reconnecting') this.#setState('authenticating');
    await this.#authenticate();
    await this.#restore();
    // Lost while restoring (the handshake was over, so #lost left it to the retry loop): retry.
    if (this.#transport !== transport) throw new EslDisconnectedError('connection lost before it was ready');
    this.#setState('ready');
    this.#flushWaiting();
  }

  #attach(transport: Transport): void {
    this.#transport = transport;
    this.#queue = new CommandQueue(this.timers);
    this.#session = transport.chunks$
      .pipe(frames(this.#parser))
      .subscribe({
        next: (frame) => this.#dispatch(frame),
        error: (err: Error) => this.#lost(err),
        complete: () => this.#lost(new EslDisconnectedError('FreeSWITCH closed the connection')),
      });
  }

  async #authenticate(): Promise<void> {
    // Encoded first: a password or user that cannot go on the wire (CR, LF) fails open() itself.
    const cmd = this.#user === undefined ? Commands.auth(this.#password) : Commands.userauth(this.#user, this.#password);
    const over = {
      peer: `${this.#host}:${this.#port}`,
      timers: this.timers,
      write: (data: Uint8Array | string) => this.#transport?.write(data),
      destroy: () => this.#transport?.destroy(),
    };
    const handshake = new Handshake(cmd, over, this.#timeout, () => {
      this.#handshake = null;
    });
    this.#handshake = handshake;
    this.#authReply = await handshake.reply;
  }

  /** After a reconnect: subscriptions, filters and the log level again, before any new command. */
  async #restore(): Promise<void> {
    const timeout = this.#timeouts.of('command');
    const replies = this.#asked.restoreCommands().map((cmd) => firstValueFrom(this.command(cmd, timeout, asFrame, true)));
    for (const r of await Promise.allSettled(replies)) {
      if (r.status === 'rejected') {
        this.errors.next(r.reason as Error);
        continue;
      }
      const reply = new CommandReply(EslEvent.fromFrame(r.value), 'restore');
      if (!reply.ok) this.errors.next(new EslCommandError('restore', reply.replyText, reply.event));
    }
  }

  // ------------------------------------------------------------------ the read path

  #dispatch(frame: Frame): void {
    // frames$ before events$: a contract (see Connection.frames$).
    if (this.frames.observed) this.frames.next(frame);
    const type = frame.contentType;
    switch (type) {
      case ContentType.EventPlain:
      case ContentType.EventJson:
      case ContentType.EventXml: {
        let ev: EslEvent;
        try {
          ev = EslEvent.fromFrame(frame);
        } catch (err) {
          this.errors.next(err as Error);
          return;
        }
        // FreeSWITCH names every event it fires: one without a name is routed nowhere.
        if (!this.router.dispatch(ev)) this.errors.next(new EslProtocolError('MALFORMED_EVENT', `an event without Event-Name: ${frame}`));
        return;
      }
      case ContentType.CommandReply:
      case ContentType.ApiResponse:
        if (this.#handshake) this.#handshake.onFrame(frame);
        else if (!this.#queue.reply(frame)) {
          this.errors.next(new EslProtocolError('UNEXPECTED_FRAME', `a ${type} arrived with no command waiting: ${frame}`));
        }
        return;
      case ContentType.LogData:
        this.logs.next(new LogLine(frame));
        return;
      case ContentType.DisconnectNotice: {
        const notice = EslEvent.fromFrame(frame);
        this.notices.next(notice);
        if (notice.getHeader('Content-Disposition') === 'linger') {
          if (this.state.value === 'ready') this.#setState('lingering');
          return;
        }
        // The final notice: the socket closes next. A session that is over is not reconnected.
        if (notice.getHeader('Controlled-Session-UUID') !== undefined) this.#sessionOver = true;
        this.#queue.failAll((label) => new EslDisconnectedError(`FreeSWITCH disconnected before the reply to "${label}": ${frame.bodyText.trim()}`, label, { sent: true }));
        return;
      }
      default:
        if (this.#handshake) this.#handshake.onFrame(frame);
        else this.errors.next(new EslProtocolError('UNEXPECTED_FRAME', `unexpected frame: ${frame}`));
    }
  }

  // ------------------------------------------------------------------ losing it, and closing

  /** The socket is gone (closed, failed, or a protocol error made it unusable). */
  #lost(err: Error): void {
    this.#detach();
    if (err instanceof EslProtocolError) this.errors.next(err);
    const cause = err instanceof EslDisconnectedError ? err : new EslDisconnectedError(`connection lost: ${err.message}`, undefined, { cause: err });
    this.#queue.failAll((label) => new EslDisconnectedError(`connection lost before the reply to "${label}"`, label, { cause, sent: true }));
    this.#onLost(cause);
    if (this.#handshake) {
      this.#handshake.onClose(cause, this.#closing);
      return;
    }
    // A reconnect loop already running retries on its own.
    if (this.state.value === 'closed' || this.#reconnecting) return;
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
            this.errors.next(err as Error);
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

  /** `exit` was sent: the close that follows is not a drop, and no command is written after it. */
  closing(): void {
    this.#closing = true;
  }

  /** False once close() was called or `exit` sent: a command now would never be written. */
  get accepting(): boolean {
    return !this.#closing && this.state.value !== 'closed';
  }

  /** Sends `exit` and waits (up to a second) for FreeSWITCH to close, then closes for good. */
  async close(): Promise<void> {
    if (this.state.value === 'closed') return this.closed;
    this.#closing = true;
    const state = this.state.value;
    if ((state === 'ready' || state === 'lingering') && this.#transport) {
      const bye = firstValueFrom(this.command(Commands.exit(), 1000, asFrame, true)).catch(noop);
      const closedByPeer = this.closed;
      let t: unknown;
      await Promise.race([Promise.all([bye, closedByPeer]), new Promise<void>((r) => (t = this.timers.setTimeout(r, 1000)))]);
      this.timers.clearTimeout(t);
    }
    this.#finalize(undefined);
    return this.closed;
  }

  /** Closes for good at once, without `exit`. */
  destroy(): void {
    this.#closing = true;
    this.#finalize(undefined);
  }

  #finalize(err: Error | undefined): void {
    if (this.state.value === 'closed') return;
    this.#finalError = err;
    this.#detach();
    // The read path is gone, so the handshake would never hear of the close: open() fails now.
    this.#handshake?.onClose(err ?? new EslDisconnectedError('connection closed during authentication'), this.#closing);
    this.#reconnecting?.unsubscribe();
    this.#reconnecting = null;
    this.#queue.failAll((label) => new EslDisconnectedError(`connection closed before the reply to "${label}"`, label, { cause: err, sent: true }));
    this.#onLost(err ?? new EslDisconnectedError('connection closed'));
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const w of waiting) w.fail(notSent('connection closed', w.label, err));
    this.state.next('closed');
    this.state.complete();
    this.frames.complete();
    this.router.complete();
    this.logs.complete();
    this.notices.complete();
    this.errors.complete();
    this.#resolveClosed();
  }

  #setState(s: ConnectionState): void {
    if (this.state.value !== s && this.state.value !== 'closed') this.state.next(s);
  }

  // ------------------------------------------------------------------ writing commands

  /**
   * A command whose reply frame is turned into a value (or an Error) by `convert`: cold, it
   * writes on subscribe. `internal` commands (restoring subscriptions, `connect`) go out even
   * before the link is ready.
   */
  command<T>(cmd: EncodedCommand, timeoutMs: number | undefined, convert: (frame: Frame) => T | Error, internal = false, hooks?: QueueHooks): Observable<T> {
    return new Observable<T>((subscriber) => this.#send(new SubscriberCommand(cmd.label, timeoutMs, hooks, subscriber, convert), cmd, internal));
  }

  /**
   * Writes a command now (or when the link is ready) with its queue entry, to which the reply
   * will go. Returns the teardown: the caller stops waiting, the reply is still consumed in turn.
   */
  #send(entry: QueuedCommand, cmd: EncodedCommand, internal: boolean): TeardownLogic {
    const state = this.state.value;
    // Every refusal below is of a command that was never written: its error says "not sent",
    // unlike the errors of a command written whose reply never came.
    if (state === 'closed') {
      entry.fail(notSent('connection closed', cmd.label, this.#finalError));
      return undefined;
    }
    // After `exit` FreeSWITCH reads nothing more: a command written now would get no reply.
    if (this.#closing && !internal) {
      entry.fail(notSent('connection closing', cmd.label));
      return undefined;
    }
    // Outbound there is no authentication: commands queue behind `connect` (which the Server
    // sends first) and go out at once, pipelined.
    if (internal || state === 'ready' || state === 'lingering' || (state === 'authenticating' && this.mode === 'outbound')) {
      return this.#write(entry, cmd);
    }
    if (this.#whileReconnecting === 'fail' && state === 'reconnecting') {
      entry.fail(notSent('reconnecting', cmd.label));
      return undefined;
    }
    const timeoutMs = entry.timeoutMs;
    let waitTimer: unknown;
    let teardown: TeardownLogic;
    const waiting: Waiting = {
      label: cmd.label,
      start: () => {
        if (waitTimer !== undefined) this.timers.clearTimeout(waitTimer);
        teardown = this.#write(entry, cmd);
      },
      fail: (err) => entry.fail(err),
    };
    this.#waiting.add(waiting);
    if (timeoutMs) {
      waitTimer = this.timers.setTimeout(() => {
        this.#waiting.delete(waiting);
        entry.fail(new EslTimeoutError(`"${cmd.label}" not sent: waited ${timeoutMs} ms for the connection`, timeoutMs, cmd.label));
      }, timeoutMs);
    }
    return () => {
      if (teardown) (teardown as QueuedCommand).unsubscribe();
      if (waitTimer !== undefined) this.timers.clearTimeout(waitTimer);
      this.#waiting.delete(waiting);
    };
  }

  /** Writes a command and puts it in the FIFO; the entry is the teardown (it abandons the wait). */
  #write(entry: QueuedCommand, cmd: EncodedCommand): TeardownLogic {
    const transport = this.#transport;
    if (!transport || this.state.value === 'closed') {
      entry.fail(notSent('not connected', cmd.label));
      return undefined;
    }
    this.#queue.push(entry);
    if (!transport.write(cmd.data)) {
      // Nothing was written: this one fails as not sent, the ones before it as lost.
      if (!entry.settled) {
        entry.settled = true;
        entry.fail(notSent('connection lost', cmd.label));
      }
      this.#lost(new EslDisconnectedError('the socket is no longer writable'));
    }
    return entry;
  }

  #flushWaiting(): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const w of waiting) w.start();
  }
}
