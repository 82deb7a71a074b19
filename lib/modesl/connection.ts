/**
 * modesl's Connection (lib/esl/Connection.js of modesl 1.2.1), built on rxesl's Connection.
 *
 * One read path: the frames come from rxesl's `frames$` and `events$` (parsed once), the
 * replies from rxesl's command FIFO, bgapi and execute results from rxesl's keyed event
 * views (a Map lookup by Job-UUID or channel). This class only names things as modesl did:
 * it emits what modesl emitted, and calls the callbacks modesl called, in the same order.
 *
 * Ordering. modesl called a command's callback from a listener of `esl::event::command::reply`
 * (or `api::response`) that it registered first, so the callback ran before any listener of
 * the user, inside the emit. This class registers the same two listeners; what they call is
 * the callback rxesl's FIFO routed the reply to. A reply (or an event that may complete a
 * bgapi or an execute) is held until rxesl has routed it: if a callback claims it, the frame
 * is emitted with that callback; if not, it is emitted before the next frame, or at the end
 * of the chunk. A bgapi or execute callback runs just before its event is emitted.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import type { Observable, Subscription } from 'rxjs';
import { Connection as RxConnection, type ConnectionOptions, type ConnectionState } from '../connection/connection.js';
import { type LogLine, replySucceeded } from '../connection/replies.js';
import {
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslHangupError,
  EslProtocolError,
} from '../errors.js';
import { Commands, EXECUTE_ARG_INLINE_MAX, EncodedCommand, encodeCommand } from '../protocol/commands.js';
import { ContentType, type EventFormat, eventFormatOf } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { EventName } from '../protocol/event-names.js';
import { type Frame, isContentLength } from '../protocol/frame.js';
import { type ClientCommand, CommandReader } from '../switch/command-reader.js';
import { socketTransport } from '../transport/socket.js';
import type { Transport } from '../transport/transport.js';
import { EventEmitter2 } from './emitter.js';
import { Event } from './event.js';
import { doLog, logUnhandledError } from './logging.js';
import { parseShow, type ShowResult } from './show.js';
import { type FrameHeadersObject, type ModeslFrame, bodyText, eventEmitName, frameEmitName, modeslFrame, outerHeaders } from './wire.js';

/** `new Connection(..., readyCb)`: called once, on `esl::ready`. */
export type ReadyCallback = (this: Connection) => void;
/** sendRecv, api, filter, events...: the reply, its outer headers and its body, as modesl passed them. */
export type ReplyCallback = (this: Connection, event: Event, headers: FrameHeadersObject, body: string | undefined) => void;
/** bgapi and execute: the BACKGROUND_JOB or CHANNEL_EXECUTE_COMPLETE event. */
export type EventCallback = (event: Event) => void;
/** recvEventTimed: the next event, or nothing when the time ran out. */
export type TimedEventCallback = (event?: Event) => void;
/** auth: null and the reply, or an EslAuthError and the reply. */
export type AuthCallback = (err: Error | null, event: Event) => void;
/** show: the parsed rows and the raw output, or an error. */
export type ShowCallback = (err: Error | null, result?: ShowResult, raw?: string) => void;
/** Headers of a command, written `Name: value` after its first line. */
export type CommandArgs = Record<string, string | number | boolean>;

/** `originate(options)`: calls `sofia/<profile>/<number>@<gateway> [&<app>]`. */
export interface OriginateOptions {
  profile?: string;
  gateway?: string;
  number?: string;
  /** A dialplan application, run when the call answers (`&park`...). */
  app?: string;
  /** api instead of bgapi: the callback gets the api/response instead of the BACKGROUND_JOB. */
  sync?: boolean;
}

/** `message(options)`: a SIP MESSAGE, sent as a CUSTOM SMS::SEND_MESSAGE event. */
export interface MessageOptions {
  to?: string;
  from?: string;
  profile?: string;
  body?: string;
  subject?: string;
  deliveryConfirmation?: string | boolean;
}

/** A frame held until rxesl has routed it (see the file comment). */
interface Emission extends ModeslFrame {
  /** The name it is emitted under. */
  name: string;
  /** What modesl did for this frame before emitting it. */
  before?: () => void;
}

interface RequestHandlers {
  /** The reply arrived; runs where modesl ran the command's callback. */
  reply?: (e: Emission) => void;
  /** The reply will never arrive (the connection closed, or the command could not be sent). */
  fail?: (err: Error) => void;
}

/** How #sendForResult finds the event that ends a bgapi or an execute. */
interface ResultWait {
  /** The keyed view it comes on. */
  events(): Observable<EslEvent>;
  /** 'result': this is it (the callback gets it, then it is emitted); an Event: the wait ends with that instead; undefined: not yet. */
  check(ev: EslEvent): 'result' | Event | undefined;
  /** The failure's message when the connection closes first. */
  closed: string;
}

const noop = (): void => {};

/** modesl set no timeouts: FreeSWITCH's own (25 s to authenticate) and TCP's apply. */
const CORE_OPTIONS = {
  timeout: 0,
  commandTimeout: 0,
  apiTimeout: 0,
  // A -ERR reply is a value to hand to the callback, as in modesl.
  failOnError: false,
  // What modesl subscribes with (subscribe() asks for json).
  eventFormat: 'json',
} as const satisfies ConnectionOptions;

const KEEPALIVE_MS = 30_000;

function eslOf(reply: unknown): EslEvent {
  return reply instanceof EslEvent ? reply : (reply as { event: EslEvent }).event;
}

function replyFailed(event: Event): boolean {
  return !replySucceeded(event.getHeader('Reply-Text') ?? '');
}

/**
 * A command as modesl's send() wrote it: the command, its args as header lines, a blank line;
 * here through the encoder, which refuses what would not reach FreeSWITCH as this one command
 * (EslArgumentError). modesl also took several lines in the command string (its sendEvent
 * did): that text is read as FreeSWITCH reads a command, must be exactly one, and its line,
 * headers and body are encoded again (args after its own headers).
 */
function rawCommand(command: string, args: CommandArgs | null | undefined): EncodedCommand {
  const label = (line: string): string => (line.startsWith('auth ') ? 'auth ********' : line);
  const extra: Array<[string, string]> = args ? Object.keys(args).map((key) => [key, String(args[key])]) : [];
  const nl = typeof command === 'string' ? command.indexOf('\n') : -1;
  if (nl < 0) return encodeCommand(command, extra, undefined, typeof command === 'string' ? label(command) : undefined);
  const reader = new CommandReader();
  const read: ClientCommand[] = [];
  try {
    reader.push(Buffer.from(`${command}\n\n`, 'utf8'), (cmd) => read.push(cmd));
  } catch (err) {
    throw new EslArgumentError('command', command, `the command text does not read as a command: ${(err as Error).message}`);
  }
  const cmd = read[0];
  if (cmd === undefined || read.length !== 1 || reader.bufferedBytes > 0) {
    throw new EslArgumentError('command', command, `the command text reads as ${read.length} commands${reader.bufferedBytes > 0 ? ' and an incomplete one' : ''}, not one`);
  }
  const headers: Array<[string, string]> = [];
  const { names, values } = cmd.headers;
  // Content-Length frames the block: the encoder writes it from the body.
  for (let i = 0; i < names.length; i++) if (!isContentLength(names[i]!)) headers.push([names[i]!, values[i]!]);
  return encodeCommand(cmd.line, [...headers, ...extra], cmd.body.length > 0 ? cmd.body : undefined, label(cmd.line));
}

export class Connection extends EventEmitter2 {
  /** execute() adds `async: true` (setAsyncExecute). */
  execAsync = false;
  /** execute() adds `event-lock: true` (setEventLock). */
  execLock = false;
  /** Inbound, until the TCP connection is up. */
  connecting = true;
  /** Inbound, once FreeSWITCH accepted the password. */
  authed = false;
  /** Outbound: the CHANNEL_DATA of the `connect` reply (getInfo()). */
  channelData: Event | null = null;
  /** The events modesl subscribes on its own, and adds to every events() call. */
  reqEvents: string[] = ['BACKGROUND_JOB', 'CHANNEL_EXECUTE_COMPLETE'];
  /** What the last events() call asked for. */
  listeningEvents: string[] = [];
  /** filter() was called: bgapi lets its own job through with a `filter Job-UUID` of its own. */
  usingFilters = false;
  /** Inbound: the password. */
  password: string | undefined;
  /** The socket, until the connection ends. */
  socket: net.Socket | null = null;
  /** The id a Server gave this connection. */
  _id?: string;
  /** True for a connection to FreeSWITCH (inbound), false for one from FreeSWITCH (outbound). */
  readonly _inbound: boolean;
  /** The rxesl Connection underneath: its streams and commands work alongside this API. */
  readonly rx: RxConnection;

  #pending: Emission | null = null;
  #flushQueued = false;
  /** The event frame whose event rxesl is parsing (frames$ comes just before events$). */
  #eventFrame: Frame | undefined;
  #awaitingAuthReply = false;
  /** The callback of the reply being emitted, for the listeners below. */
  #replyCallback: (() => void) | null = null;
  /** disconnect() was called, or the connection closed: a command now is not sent. */
  #ended = false;
  /** The close came with an 'error' (a socket error, bytes that cannot be read on): no esl::end then. */
  #failed = false;
  /** Above 0 while the connection sends a command of its own (not in cmdCallbackQueue). */
  #internal = 0;
  /** Your commands waiting for their reply, with their callbacks (cmdCallbackQueue, apiCallbackQueue). */
  readonly #waitingReplies = new Set<{ cb: ReplyCallback | undefined; api: boolean }>();
  #resolveClosed!: () => void;

  /**
   * Resolves once the connection has ended and said so (esl::end, or 'error' for a close that
   * came with one), after the callbacks it settled.
   */
  readonly closed: Promise<void> = new Promise<void>((resolve) => {
    this.#resolveClosed = resolve;
  });

  /** Inbound: connects to FreeSWITCH at host:port and authenticates with password. */
  constructor(host: string, port: number, password: string, readyCb?: ReadyCallback);
  /** Inbound, from a given local address (drachtio-modesl's form). */
  constructor(host: string, port: number, password: string, localAddress: string, readyCb?: ReadyCallback);
  /** Outbound: a socket FreeSWITCH opened to us; `connect` is sent at once. */
  constructor(socket: net.Socket, readyCb?: ReadyCallback);
  constructor(...args: unknown[]) {
    super({ wildcard: true, delimiter: '::', maxListeners: 25 });
    const last = args[args.length - 1];
    this.once('esl::ready', typeof last === 'function' ? (last as ReadyCallback) : noop);
    // modesl's own listeners, registered first: log lines, and the callbacks of replies.
    this.on('esl::event::logdata', (event: Event) => doLog(event));
    this.on('esl::event::command::reply', this.#runReplyCallback);
    this.on('esl::event::api::response', this.#runReplyCallback);
    if (typeof args[0] === 'string') {
      this._inbound = true;
      // A password that cannot go on the wire (a CR, LF or NUL: one read from a file ends in a
      // newline) is refused here, before anything connects (EslArgumentError).
      Commands.auth(String(args[2]));
      this.rx = this.#inboundConnection(args[0], Number(args[1]), String(args[2]), typeof args[3] === 'string' ? args[3] : undefined);
      // modesl subscribed once FreeSWITCH accepted the password. Asked now, it waits in rxesl's
      // queue behind the authentication and goes out first: a bgapi issued before esl::ready
      // cannot miss its BACKGROUND_JOB.
      this.#asInternal(() => this.subscribe(this.reqEvents));
    } else if (args[0] instanceof net.Socket) {
      this._inbound = false;
      this.rx = this.#outboundConnection(args[0]);
    } else {
      throw new EslArgumentError('arguments', args, 'Bad arguments passed to esl.Connection: (host, port, password[, readyCb]) or (socket[, readyCb])');
    }
  }

  #inboundConnection(host: string, port: number, password: string, localAddress: string | undefined): RxConnection {
    this.password = password;
    // The socket exists at once, as modesl's did (`conn.socket`); rxesl reads it once it connects.
    const socket = net.createConnection({ host, port, localAddress, noDelay: true });
    this.socket = socket;
    const transport = new Promise<Transport>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(new EslConnectError(host, port, `cannot connect to ${host}:${port}: ${err.code ?? err.message}`, { code: err.code, cause: err }));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.removeListener('error', onError);
        socket.setKeepAlive(true, KEEPALIVE_MS);
        this._onConnect();
        resolve(socketTransport(socket));
      });
    });
    socket.on('error', this.#onSocketError);
    const rx = RxConnection.create({ ...CORE_OPTIONS, host, port, password, connector: () => transport });
    this.#follow(rx);
    // A failure ends in the close: 'error' (socket), esl::event::auth::fail (password), esl::end.
    rx.open().catch(noop);
    return rx;
  }

  #outboundConnection(socket: net.Socket): RxConnection {
    this.socket = socket;
    socket.on('error', this.#onSocketError);
    const rx = RxConnection.outbound(socket, CORE_OPTIONS);
    this.#follow(rx);
    // As in modesl, emitted inside the constructor: nobody can be listening yet.
    this._onConnect();
    this.#asInternal(() =>
      this.#request(() => rx.connect(), 'connect', {
        reply: () => {
          // modesl's subscription, then esl::ready. modesl waited for the subscription's reply;
          // FreeSWITCH runs a socket's commands in order, so anything sent from esl::ready on
          // goes after it and sees its events all the same, one round trip sooner.
          this.#asInternal(() => this.subscribe(this.reqEvents));
          if (!this.#isClosed()) this.emit('esl::ready');
        },
      }),
    );
    return rx;
  }

  #follow(rx: RxConnection): void {
    rx.frames$.subscribe((frame) => this.#onFrame(frame));
    rx.events$.subscribe((event) => this.#onEvent(event));
    rx.errors$.subscribe((err) => this.#onCoreError(err));
    rx.state$.subscribe((state) => {
      if (state !== 'closed') return;
      this.#flush();
      this.#ended = true;
      this.socket = null;
    });
    // After the callbacks the close settled (each deferred with #later, in order).
    void rx.closed.then(() => this.#later(() => this.#onClosed()));
  }

  /** A socket error: modesl emitted it as 'error'; a connection that closes with one emits no esl::end. */
  readonly #onSocketError = (err: Error): void => {
    this.#failed = true;
    this.emit('error', err);
  };

  /** Runs fn once the current call and everything it started synchronously are over, after I/O already read. */
  #later(fn: () => void): void {
    setImmediate(fn);
  }

  /** fn's commands are the connection's own (the subscription, connect, myevents): not in cmdCallbackQueue. */
  #asInternal<T>(fn: () => T): T {
    this.#internal++;
    try {
      return fn();
    } finally {
      this.#internal--;
    }
  }

  #isClosed(): boolean {
    // rx is unset only while the constructor makes it (outbound: the connect goes out then).
    return this.#ended || (this.rx as RxConnection | undefined)?.state === 'closed';
  }

  /**
   * An 'error' with no listener (EventEmitter2 would throw it, as modesl's did, and thrown from
   * a socket handler it ends the process and every call on it) is logged through modesl's
   * logger instead.
   */
  override emit(event: string | symbol | Array<string | symbol>, ...values: unknown[]): boolean {
    if (event === 'error' && this.listeners('error').length === 0 && this.listenersAny().length === 0) {
      logUnhandledError(`rxesl/modesl connection${this._id === undefined ? '' : ` ${this._id}`}`, values[0]);
      return false;
    }
    return super.emit(event, ...values);
  }

  // ------------------------------------------------------------------ the rxesl streams

  /** Every event, parsed once (rxesl's events$). */
  get events$(): Observable<EslEvent> {
    return this.rx.events$;
  }

  /** Every frame (rxesl's frames$). */
  get frames$(): Observable<Frame> {
    return this.rx.frames$;
  }

  /** log/data lines (rxesl's logs$). */
  get logs$(): Observable<LogLine> {
    return this.rx.logs$;
  }

  /** Disconnect notices (rxesl's notices$). */
  get notices$(): Observable<EslEvent> {
    return this.rx.notices$;
  }

  /** Problems that do not end the connection (rxesl's errors$). */
  get errors$(): Observable<Error> {
    return this.rx.errors$;
  }

  /** The connection's state (rxesl's state$). */
  get state$(): Observable<ConnectionState> {
    return this.rx.state$;
  }

  // ------------------------------------------------------------------ the read path

  #onFrame(frame: Frame): void {
    this.#flush();
    const type = frame.contentType;
    if (eventFormatOf(type) !== undefined) {
      this.#eventFrame = frame;
      return;
    }
    const e: Emission = { ...modeslFrame(frame), name: frameEmitName(type) };
    switch (type) {
      case ContentType.AuthRequest:
        // rxesl answers it with `auth <password>`, as modesl's auth() did.
        this.#awaitingAuthReply = this._inbound;
        this.#emit(e);
        return;
      case ContentType.CommandReply:
        if (this.#awaitingAuthReply) {
          this.#awaitingAuthReply = false;
          this.#emit(e, () => this.#authResult(e.event, undefined, false));
          return;
        }
        if (!this._inbound && e.headers['Event-Name'] === 'CHANNEL_DATA') e.before = () => this.#channelData(e.event);
        this.#hold(e);
        return;
      case ContentType.ApiResponse:
        this.#hold(e);
        return;
      default:
        this.#emit(e);
    }
  }

  #onEvent(event: EslEvent): void {
    const frame = this.#eventFrame;
    this.#eventFrame = undefined;
    this.#hold({
      event: Event.fromEslEvent(event),
      name: eventEmitName(event),
      headers: frame ? outerHeaders(frame) : {},
      body: frame ? bodyText(frame) : undefined,
    });
  }

  #onCoreError(err: Error): void {
    if (err instanceof EslProtocolError) {
      switch (err.code) {
        case 'UNEXPECTED_FRAME':
          // A reply nobody waits for is not an error to modesl: it is emitted like any other.
          return;
        case 'MALFORMED_EVENT':
          // A JSON or XML event that does not parse: modesl's parser emitted 'error' too; the
          // connection goes on.
          this.emit('error', err);
          return;
        case 'TRUNCATED':
          // The peer closed in the middle of a frame: it ended the connection (esl::end, as
          // for any close by the peer); rx.closeReason keeps what was cut.
          return;
        default:
          // Bytes that cannot be read on (a bad Content-Length...): the connection ends, with
          // this error instead of esl::end.
          this.#failed = true;
          this.emit('error', err);
          return;
      }
    }
    this.emit('error', err);
  }

  /**
   * Once, after rxesl has closed and the callbacks that waited were settled. Each close says
   * so once, as modesl's did: 'error' when it came with one (a refused connect, a reset, bytes
   * that cannot be read on: emitted when it happened), else esl::end (FreeSWITCH closed,
   * disconnect(), a wrong password, the socket destroyed here).
   */
  #onClosed(): void {
    if (!this.#failed) this.emit('esl::end');
    this.#resolveClosed();
  }

  /** Holds a frame that a callback may claim; it is emitted at the latest at the end of this chunk. */
  #hold(e: Emission): void {
    this.#pending = e;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushLater);
    }
  }

  readonly #flushLater = (): void => {
    this.#flushQueued = false;
    this.#flush();
  };

  #flush(): void {
    const e = this.#pending;
    if (e === null) return;
    this.#pending = null;
    this.#emit(e);
  }

  #emit(e: Emission, callback?: () => void): void {
    e.before?.();
    if (callback === undefined) {
      this.emit(e.name, e.event, e.headers, e.body);
    } else if (e.name === 'esl::event::command::reply' || e.name === 'esl::event::api::response') {
      const outer = this.#replyCallback;
      this.#replyCallback = callback;
      this.emit(e.name, e.event, e.headers, e.body);
      // Our listener was removed (removeAllListeners): the callback still runs, after the others.
      const missed = this.#replyCallback;
      this.#replyCallback = outer;
      missed?.();
    } else {
      callback();
      this.emit(e.name, e.event, e.headers, e.body);
    }
  }

  readonly #runReplyCallback = (): void => {
    const cb = this.#replyCallback;
    this.#replyCallback = null;
    cb?.();
  };

  /** rxesl routed the frame being dispatched to one of our commands: its callback, then the emit. */
  #claim(routed: EslEvent, callback: (e: Emission) => void): void {
    const e = this.#pending;
    if (e === null) {
      callback({ event: Event.fromEslEvent(routed), name: '', headers: {}, body: undefined });
      return;
    }
    this.#pending = null;
    this.#emit(e, () => callback(e));
  }

  /**
   * Sends a command through rxesl's FIFO. `build` encodes it (and throws EslArgumentError for
   * what cannot go on the wire: nothing is written then). Nothing calls back inside the method
   * that took the callback: a refusal or a failure is handed over with #later.
   *
   * On a closed connection (after disconnect(), or once it ended) nothing is written and no
   * callback is ever called, as in modesl: a retry loop driven by the callback stops there
   * instead of spinning. The connection emits 'error' (EslDisconnectedError) instead.
   */
  #request(build: () => Observable<unknown>, what: string, handlers: RequestHandlers): void {
    if (this.#isClosed()) {
      this.#notSent(what);
      return;
    }
    let source: Observable<unknown>;
    try {
      source = build();
    } catch (err) {
      const fail = handlers.fail;
      this.#later(() => (fail !== undefined ? fail(err as Error) : this.emit('error', err)));
      return;
    }
    source.subscribe({
      next: (reply) => this.#claim(eslOf(reply), (e) => handlers.reply?.(e)),
      error: (err: Error) => {
        const fail = handlers.fail;
        if (fail !== undefined) this.#later(() => fail(err));
      },
    });
  }

  /** A command on a closed connection: not written, never called back; said as 'error'. */
  #notSent(what: string): void {
    this.#later(() => this.emit('error', new EslDisconnectedError(`connection closed: "${what}" was not sent`, what)));
  }

  /** A command with a modesl reply callback; yours (not the connection's own) are listed in cmdCallbackQueue / apiCallbackQueue. */
  #command(build: () => Observable<unknown>, what: string, cb: ReplyCallback | undefined, contentType: string = ContentType.CommandReply): void {
    const entry = this.#internal > 0 ? undefined : { cb, api: contentType === ContentType.ApiResponse };
    if (entry !== undefined && !this.#isClosed()) this.#waitingReplies.add(entry);
    const done = (): boolean => (entry === undefined ? true : this.#waitingReplies.delete(entry));
    this.#request(build, what, {
      reply: (e) => {
        done();
        cb?.call(this, e.event, e.headers, e.body);
      },
      fail: (err) => {
        done();
        if (cb === undefined) {
          // Nothing to call back: a command refused before it was written says so as 'error'.
          if (err instanceof EslArgumentError) this.emit('error', err);
          return;
        }
        const event = this.#failure(contentType, err);
        cb.call(this, event, { 'Content-Type': contentType, 'Reply-Text': event.getHeader('Reply-Text')! }, event.getBody());
      },
    });
  }

  /** The callbacks of your commands still waiting for a command/reply, in order (modesl's cmdCallbackQueue; undefined for one sent without a callback). */
  get cmdCallbackQueue(): Array<ReplyCallback | undefined> {
    return [...this.#waitingReplies].filter((w) => !w.api).map((w) => w.cb);
  }

  /** The callbacks of your api commands still waiting for their api/response, in order (modesl's apiCallbackQueue). */
  get apiCallbackQueue(): Array<ReplyCallback | undefined> {
    return [...this.#waitingReplies].filter((w) => w.api).map((w) => w.cb);
  }

  /**
   * What a callback receives when the reply or result it waits for will never come: the
   * connection closed (Event-Name SERVER_DISCONNECTED) or the command failed. Reply-Text,
   * Modesl-Reply-ERR and the body all say `-ERR <why>`; `event.error` is the error.
   */
  #failure(contentType: string, err: Error, extra: Record<string, string> = {}): Event {
    const why = err.message.replace(/[\r\n]+/g, ' ');
    const headers: Record<string, string> = {};
    if (err instanceof EslDisconnectedError) headers['Event-Name'] = 'SERVER_DISCONNECTED';
    headers['Content-Type'] = contentType;
    headers['Reply-Text'] = `-ERR ${why}`;
    Object.assign(headers, extra);
    headers['Modesl-Reply-ERR'] = why;
    const event = new Event(headers, `-ERR ${why}\n`);
    event.error = err;
    return event;
  }

  /** A refused bgapi or execute: the -ERR reply, with its text as the body too (where a job's output would be). */
  #refused(reply: Event, command: string, extra: Record<string, string>): Event {
    const text = reply.getHeader('Reply-Text') ?? '-ERR';
    const headers: Record<string, string> = {};
    for (const h of reply.headers) headers[h.name] = String(h.value);
    Object.assign(headers, extra);
    const event = new Event(headers, `${text}\n`);
    event.error = new EslCommandError(command, text, reply.toEslEvent());
    return event;
  }

  // ------------------------------------------------------------------ ESLconnection

  /** Outbound: the socket; inbound: null. */
  socketDescriptor(): net.Socket | null {
    if (this._inbound) return null;
    return this.socket;
  }

  /** True once the TCP connection is up, until it ends or disconnect() is called. */
  connected(): boolean {
    return !this.connecting && !!this.socket;
  }

  /** Outbound: the CHANNEL_DATA of the connect reply; inbound: null. */
  getInfo(): Event | null {
    return this.channelData;
  }

  /**
   * Writes a command (and its args as header lines) and does not wait for the reply. The
   * reply is still read in its turn (and emitted as esl::event::command::reply), so later
   * replies reach the right callbacks. A command the encoder refuses is emitted as 'error'.
   */
  send(command: string, args?: CommandArgs | null): void {
    this.#request(() => this.rx.send(rawCommand(command, args)), String(command).split('\n', 1)[0]!, {});
  }

  /** Writes a command and calls back with its reply (a command/reply, or an api/response for `api ...`). */
  sendRecv(command: string, cb?: ReplyCallback): void;
  sendRecv(command: string, args: CommandArgs | null | undefined, cb?: ReplyCallback): void;
  sendRecv(command: string, args?: CommandArgs | ReplyCallback | null, cb?: ReplyCallback): void {
    if (typeof args === 'function') {
      cb = args;
      args = null;
    }
    const a = args;
    this.#command(() => this.rx.send(rawCommand(command, a)), String(command).split('\n', 1)[0]!, cb);
  }

  /** `api <command> [<args>]`: the callback gets the api/response (the output is its body). */
  api(command: string, cb?: ReplyCallback): void;
  api(command: string, args: string | readonly string[] | null | undefined, cb?: ReplyCallback): void;
  api(command: string, args?: string | readonly string[] | ReplyCallback | null, cb?: ReplyCallback): void {
    if (typeof args === 'function') {
      cb = args;
      args = '';
    }
    const a = Array.isArray(args) ? args.join(' ') : (args as string | null | undefined);
    this.#command(() => this.rx.api(command, a || undefined), `api ${command}`, cb, ContentType.ApiResponse);
  }

  /**
   * `bgapi <command> [<args>]` with a `Job-UUID` (yours, or a new one): the callback gets the
   * BACKGROUND_JOB (the output is its body). The job is found by a Map lookup in rxesl, not
   * by an EventEmitter2 listener per call. After filter(), the job's event is let through with
   * `filter Job-UUID <id>` for the time of the job, as modesl did. Returns the Job-UUID
   * (modesl returned nothing).
   */
  bgapi(command: string, cb?: EventCallback): string;
  bgapi(command: string, args: string | readonly string[] | null | undefined, cb?: EventCallback): string;
  bgapi(command: string, args: string | readonly string[] | null | undefined, jobid: string | null | undefined, cb?: EventCallback): string;
  bgapi(command: string, args?: string | readonly string[] | EventCallback | null, jobid?: string | EventCallback | null, cb?: EventCallback): string {
    if (typeof args === 'function') {
      cb = args;
      args = '';
      jobid = null;
    }
    if (typeof jobid === 'function') {
      cb = jobid;
      jobid = null;
    }
    const a = Array.isArray(args) ? args.join(' ') : ((args as string | null | undefined) ?? '');
    const id = jobid || randomUUID();
    const extra = { 'Job-UUID': id };
    const cmd = this.#encode(() => Commands.bgapi(command, a, id), `bgapi ${command}`, cb, extra);
    if (cmd === undefined) return id;
    if (!this.usingFilters) {
      this.#bgapi(cmd, id, cb);
      return id;
    }
    // modesl: filter, and once it is in force the bgapi; the callback after the filter is gone.
    this.filter('Job-UUID', id, (reply) => {
      if (reply.error instanceof EslDisconnectedError) {
        cb?.(this.#failure(ContentType.CommandReply, reply.error, extra));
        return;
      }
      if (cb === undefined) this.filterDelete('Job-UUID', id);
      this.#bgapi(cmd, id, cb && ((job) => this.filterDelete('Job-UUID', id, () => cb(job))));
    });
    return id;
  }

  #bgapi(cmd: EncodedCommand, jobUuid: string, cb: EventCallback | undefined): void {
    // modesl sent bgapi with sendRecv and no callback: an entry of cmdCallbackQueue.
    this.#sendForResult(cmd, cb, { 'Job-UUID': jobUuid }, true, {
      events: () => this.rx.jobEvents(jobUuid),
      check: (ev) => (ev.name === 'BACKGROUND_JOB' ? 'result' : undefined),
      closed: `connection closed before the BACKGROUND_JOB of "${cmd.label}"`,
    });
  }

  /**
   * Encodes a command for a method with an event callback; when the encoder refuses it
   * (EslArgumentError), nothing is sent and the callback gets the refusal on a later tick
   * (or 'error' is emitted, without a callback).
   */
  #encode(build: () => EncodedCommand, what: string, cb: EventCallback | undefined, extra: Record<string, string>): EncodedCommand | undefined {
    try {
      return build();
    } catch (err) {
      if (!(err instanceof EslArgumentError)) throw err;
      if (this.#isClosed()) this.#notSent(what);
      else this.#later(() => (cb !== undefined ? cb(this.#failure(ContentType.CommandReply, err, extra)) : this.emit('error', err)));
      return undefined;
    }
  }

  /**
   * Sends a bgapi or an execute whose callback gets the event that ends it, found on a keyed
   * view of rxesl's router. The callback runs once: with that event, with the -ERR reply when
   * the command is refused (then nothing will come: bgapi is not allowed on an outbound socket
   * without `full`, a sendmsg names no channel), or with a failure, on a later tick, when the
   * connection goes.
   */
  #sendForResult(cmd: EncodedCommand, cb: EventCallback | undefined, extra: Record<string, string>, listed: boolean, wait: ResultWait): void {
    const entry = listed && this.#internal === 0 && !this.#isClosed() ? { cb: undefined, api: false } : undefined;
    if (entry !== undefined) this.#waitingReplies.add(entry);
    const replied = (): void => {
      if (entry !== undefined) this.#waitingReplies.delete(entry);
    };
    if (cb === undefined || this.#isClosed()) {
      this.#request(() => this.rx.send(cmd), cmd.label, { reply: replied, fail: replied });
      return;
    }
    let view: Subscription | undefined;
    let done = false;
    const settle = (run: () => void): void => {
      if (done) return;
      done = true;
      view?.unsubscribe();
      run();
    };
    view = wait.events().subscribe({
      next: (ev) => {
        const outcome = done ? undefined : wait.check(ev);
        if (outcome === 'result') settle(() => this.#claim(ev, (e) => cb(e.event)));
        else if (outcome !== undefined) settle(() => cb(outcome));
      },
      complete: () => {
        if (!done) this.#later(() => settle(() => cb(this.#failure(ContentType.CommandReply, new EslDisconnectedError(wait.closed, cmd.label), extra))));
      },
    });
    this.#request(() => this.rx.send(cmd), cmd.label, {
      reply: (e) => {
        replied();
        if (replyFailed(e.event)) settle(() => cb(this.#refused(e.event, cmd.label, extra)));
      },
      fail: (err) => {
        replied();
        settle(() => cb(this.#failure(ContentType.CommandReply, err, extra)));
      },
    });
  }

  /**
   * @internal The Server's `myevents` (modesl: `sendRecv('myevents', cb)`): the same bytes and
   * the same callback, sent through rxesl so that `rx.hasMyEvents` knows.
   */
  _myevents(cb?: ReplyCallback): void {
    this.#asInternal(() => this.#command(() => this.rx.myevents(), 'myevents', cb));
  }

  /** `sendevent <Event-Name>` with the event's headers and body; the callback gets the reply (`+OK <Event-UUID>`). */
  sendEvent(event: Event | EslEvent, cb?: ReplyCallback): void {
    this.#command(() => this.rx.sendEvent(event instanceof Event ? event.toEslEvent() : event), 'sendevent', cb);
  }

  /**
   * The next frame of any kind (modesl: `once('esl::event::**')`). Nothing is queued: what
   * came before the call is not returned.
   */
  recvEvent(cb?: EventCallback): void {
    this.once('esl::event::**', cb ?? noop);
  }

  /** recvEvent, or a call with no event after `ms` milliseconds. */
  recvEventTimed(ms: number, cb?: TimedEventCallback): void {
    const listener = (event: Event): void => {
      clearTimeout(timer);
      cb?.(event);
    };
    const timer = setTimeout(() => {
      // modesl removed a different function here, so its callback ran a second time on the next event.
      this.off('esl::event::**', listener);
      cb?.();
    }, ms);
    this.once('esl::event::**', listener);
  }

  /** `filter <header> <value>`. From then on bgapi adds a filter for its own job. */
  filter(header: string, value: string, cb?: ReplyCallback): void {
    this.usingFilters = true;
    this.#command(() => this.rx.filter(header, String(value)), `filter ${header}`, cb);
  }

  /** `filter delete <header> [<value>]`. */
  filterDelete(header: string, cb?: ReplyCallback): void;
  filterDelete(header: string, value: string | null | undefined, cb?: ReplyCallback): void;
  filterDelete(header: string, value?: string | ReplyCallback | null, cb?: ReplyCallback): void {
    if (typeof value === 'function') {
      cb = value;
      value = null;
    }
    const v = value;
    this.#command(() => this.rx.filterDelete(header, v || undefined), `filter delete ${header}`, cb);
  }

  /**
   * `event <plain|json|xml> <names>` (any other type is plain; no names means all). The
   * events modesl needs (reqEvents) are added, before CUSTOM: after it they would be read
   * as CUSTOM subclasses.
   */
  events(type: string, cb?: ReplyCallback): void;
  events(type: string, events: string | readonly string[] | null | undefined, cb?: ReplyCallback): void;
  events(type: string, events?: string | readonly string[] | ReplyCallback | null, cb?: ReplyCallback): void {
    const format: EventFormat = type === 'plain' || type === 'xml' || type === 'json' ? type : 'plain';
    if (typeof events === 'function') {
      cb = events;
      events = 'all';
    }
    const given = (Array.isArray(events) ? [...events] : ((events as string | null | undefined) || 'all').split(' ')).filter((n) => n !== '');
    if (given.length === 1 && given[0]!.toLowerCase() === 'all') {
      this.listeningEvents = ['all'];
    } else {
      const custom = given.findIndex((n) => n.toUpperCase() === 'CUSTOM');
      const head = custom < 0 ? given : given.slice(0, custom);
      const tail = custom < 0 ? [] : given.slice(custom);
      for (const name of this.reqEvents) if (!given.includes(name)) head.push(name);
      this.listeningEvents = [...head, ...tail];
    }
    // As modesl: the names go as given, FreeSWITCH ignoring those it does not know.
    const list = this.listeningEvents as EventName[];
    this.#command(() => this.rx.events(format, list, { strict: false }), `event ${format}`, cb);
  }

  /**
   * Runs a dialplan application on a channel (sendmsg `call-command: execute`) and calls
   * back with its CHANNEL_EXECUTE_COMPLETE, matched by the Event-UUID it returns. Inbound,
   * give the channel's uuid; outbound, the connection's channel is the default.
   */
  execute(app: string, cb?: EventCallback): string;
  execute(app: string, arg: string | null | undefined, cb?: EventCallback): string;
  execute(app: string, arg: string | null | undefined, uuid: string | null | undefined, cb?: EventCallback): string;
  execute(app: string, arg?: string | EventCallback | null, uuid?: string | EventCallback | null, cb?: EventCallback): string {
    if (typeof arg === 'function') {
      cb = arg;
      arg = '';
    }
    if (typeof uuid === 'function') {
      cb = uuid;
      uuid = null;
    }
    // Inbound without a uuid modesl made one up (FreeSWITCH then refuses the sendmsg).
    const channel = this._inbound ? uuid || randomUUID() : uuid || this.channelData?.getHeader('Unique-ID') || this.rx.uuid || '';
    // modesl wrote execute-app-arg even when empty.
    return this._doExec(channel, 'execute', { 'execute-app-name': app, 'execute-app-arg': arg ?? '' }, cb);
  }

  /**
   * modesl's helper behind execute: `sendmsg <uuid>` with `args` as headers, then
   * `call-command: <command>`, `async` / `event-lock` when set, and a new `Event-UUID`
   * (returned), as modesl wrote them; the callback gets the CHANNEL_EXECUTE_COMPLETE whose
   * Application-UUID is that Event-UUID. An `execute-app-arg` with a line break or longer than
   * 4,096 bytes goes in a text/plain body, where FreeSWITCH reads it too (as rxesl's execute).
   */
  _doExec(uuid: string, command: string, args: CommandArgs, cb?: EventCallback): string {
    const eventUuid = randomUUID();
    const extra = { 'Application-UUID': eventUuid, 'Unique-ID': uuid };
    const what = `${command} ${args['execute-app-name'] ?? ''}`.trim();
    const cmd = this.#encode(
      () => {
        if (!uuid) throw new EslArgumentError('uuid', uuid, 'execute() before the connect reply: the channel is not known yet');
        const pairs: Array<[string, string]> = [];
        let body: string | undefined;
        for (const key of Object.keys(args)) {
          const value = String(args[key]);
          if (key === 'execute-app-arg' && (/[\r\n]/.test(value) || Buffer.byteLength(value) > EXECUTE_ARG_INLINE_MAX)) body = value;
          else pairs.push([key, value]);
        }
        pairs.push(['call-command', command]);
        if (this.execAsync) pairs.push(['async', 'true']);
        if (this.execLock) pairs.push(['event-lock', 'true']);
        // modesl's way of matching the completion: Event-UUID becomes the Application-UUID.
        pairs.push(['Event-UUID', eventUuid]);
        if (body !== undefined) pairs.push(['content-type', 'text/plain']);
        return encodeCommand(`sendmsg ${uuid}`, pairs, body);
      },
      what,
      cb,
      extra,
    );
    if (cmd === undefined) return eventUuid;
    const app = String(args['execute-app-name'] ?? command);
    this.#sendForResult(cmd, cb, extra, false, {
      events: () => this.rx.channelEvents(uuid),
      check: (ev) => {
        const name = ev.name;
        if (name === 'CHANNEL_EXECUTE_COMPLETE' && (ev.getHeader('Application-UUID') ?? ev.getHeader('Event-UUID')) === eventUuid) return 'result';
        if (name !== 'CHANNEL_HANGUP_COMPLETE') return undefined;
        // The channel is gone before the application completed: it never will.
        const event = Event.fromEslEvent(ev);
        event.error = new EslHangupError(uuid, ev.getHeader('Hangup-Cause'), `channel ${uuid} hung up before ${app} completed`);
        return event;
      },
      closed: `connection closed before ${app} completed`,
    });
    return eventUuid;
  }

  /** execute() with `async: true`. */
  executeAsync(app: string, cb?: EventCallback): string;
  executeAsync(app: string, arg: string | null | undefined, cb?: EventCallback): string;
  executeAsync(app: string, arg: string | null | undefined, uuid: string | null | undefined, cb?: EventCallback): string;
  executeAsync(app: string, arg?: string | EventCallback | null, uuid?: string | EventCallback | null, cb?: EventCallback): string {
    const old = this.execAsync;
    this.execAsync = true;
    try {
      return this.execute(app, arg as string, uuid as string, cb);
    } finally {
      this.execAsync = old;
    }
  }

  /** execute() adds `async: true` from now on (or not). */
  setAsyncExecute(value: boolean): void {
    this.execAsync = value;
  }

  /** execute() adds `event-lock: true` from now on (or not). */
  setEventLock(value: boolean): void {
    this.execLock = value;
  }

  /**
   * Sends `exit` and closes: FreeSWITCH replies, sends its disconnect notice and closes (the
   * socket is closed after a second if it does not). From the call on, the connection is
   * closed to new commands; the callbacks still waiting are called (after disconnect()
   * returns) with a SERVER_DISCONNECTED event, then esl::end is emitted.
   */
  disconnect(): void {
    this.#ended = true;
    this.socket = null;
    void this.rx.close();
  }

  // ------------------------------------------------------------------ modesl's private helpers

  /** modesl's no-op (the ready callback when none is given). */
  _noop(): void {}

  /** modesl's: the TCP connection is up (inbound) or was handed over (outbound). */
  _onConnect(): void {
    this.emit('esl::connect');
    this.connecting = false;
  }

  /** modesl's: a socket or parser error, emitted as 'error'. */
  _onError(err: Error): void {
    this.emit('error', err);
  }

  /**
   * modesl's: emits a frame under the name modesl gave it (`esl::event::<Event-Name>[::<uuid>]`
   * for an event, `esl::event::command::reply`... for the rest; the outbound connect reply is
   * also kept as channelData and emitted as `esl::event::CHANNEL_DATA[::<uuid>]` first).
   */
  _onEvent(event: Event, headers: FrameHeadersObject, body?: string): void {
    const type = headers['Content-Type'] as string | undefined;
    if (eventFormatOf(type) !== undefined) {
      this.emit(eventEmitName(event.toEslEvent()), event, headers, body);
      return;
    }
    if (type === ContentType.CommandReply && headers['Event-Name'] === 'CHANNEL_DATA') this.#channelData(event);
    this.emit(frameEmitName(type), event, headers, body);
  }

  /** Outbound, the connect reply: kept as channelData and emitted as CHANNEL_DATA, as modesl did. */
  #channelData(event: Event): void {
    if (this._inbound) return;
    this.channelData = event;
    this.emit(eventEmitName(event.toEslEvent()), event);
  }

  // ------------------------------------------------------------------ modesl's own helpers

  /** `auth <password>` (rxesl authenticates on its own when FreeSWITCH asks: this is a second try). */
  auth(cb?: AuthCallback): void {
    this.sendRecv(`auth ${this.password}`, (event) => this.#authResult(event, cb));
  }

  #authResult(event: Event, cb?: AuthCallback, subscribe = true): void {
    if (event.getHeader('Modesl-Reply-OK') === 'accepted') {
      this.authed = true;
      if (subscribe) this.subscribe(this.reqEvents);
      this.emit('esl::event::auth::success', event);
      this.emit('esl::ready');
      cb?.(null, event);
    } else {
      this.authed = false;
      this.emit('esl::event::auth::fail', event);
      cb?.(new EslAuthError('invalid', 'Authentication Failed', event.getHeader('Reply-Text') ?? undefined), event);
    }
  }

  /** `event json <events>` (all by default). */
  subscribe(events?: string | readonly string[] | null, cb?: ReplyCallback): void {
    this.events('json', events || 'all', cb);
  }

  /** `bgapi show <item> as <format>` (json by default), parsed into rows. */
  show(item: string, cb?: ShowCallback): void;
  show(item: string, format: string | null | undefined, cb?: ShowCallback): void;
  show(item: string, format?: string | ShowCallback | null, cb?: ShowCallback): void {
    if (typeof format === 'function') {
      cb = format;
      format = null;
    }
    const fmt = format || 'json';
    this.bgapi(`show ${item} as ${fmt}`, (event) => {
      const data = event.getBody();
      if (data.indexOf('-ERR') !== -1) {
        cb?.(event.error ?? new EslCommandError(`show ${item}`, data, event.toEslEvent()));
        return;
      }
      let parsed: ShowResult;
      try {
        parsed = parseShow(fmt, data);
      } catch (err) {
        cb?.(err as Error);
        return;
      }
      cb?.(null, parsed, data);
    });
  }

  /** `originate sofia/<profile>/<number>@<gateway> [&<app>]`, with bgapi (api when `sync`); returns the bgapi's Job-UUID. */
  originate(options: OriginateOptions | EventCallback | null, cb?: EventCallback): string | undefined {
    if (typeof options === 'function') {
      cb = options;
      options = null;
    }
    const o = options ?? {};
    const arg = `sofia/${o.profile || ''}/${o.number || ''}@${o.gateway || ''}${o.app ? ` &${o.app}` : ''}`;
    if (o.sync) {
      this.api('originate', arg, cb);
      return undefined;
    }
    return this.bgapi('originate', arg, cb);
  }

  /** A SIP MESSAGE: sendevent CUSTOM SMS::SEND_MESSAGE. */
  message(options: MessageOptions | ReplyCallback | null, cb?: ReplyCallback): void {
    if (typeof options === 'function') {
      cb = options;
      options = null;
    }
    const o = options ?? {};
    const event = new Event('custom', 'SMS::SEND_MESSAGE');
    event.addHeader('proto', 'sip');
    event.addHeader('dest_proto', 'sip');
    event.addHeader('from', `sip:${o.from || ''}`);
    event.addHeader('from_full', `sip:${o.from || ''}`);
    event.addHeader('to', o.to || '');
    event.addHeader('sip_profile', o.profile || '');
    event.addHeader('subject', o.subject || '');
    if (o.deliveryConfirmation) event.addHeader('blocking', 'true');
    event.addHeader('type', 'text/plain');
    event.addHeader('Content-Type', 'text/plain');
    event.addBody(o.body || '');
    this.sendEvent(event, cb);
  }
}
