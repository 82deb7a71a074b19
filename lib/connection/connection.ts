/**
 * Connection: an Event Socket client, inbound (Connection.connect) or outbound (from a
 * Server), over a Link (link.ts: the socket, its read path, its life). Commands are cold
 * Observables: they write on subscribe, emit their reply and complete; events are parsed once
 * and shared by every subscriber (`events$` and the keyed views). What the commands ask
 * FreeSWITCH for is kept in asked-for.ts, and bgapi and execute, whose outcome is an event,
 * are in two-step.ts.
 */
import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import { Observable, defer, firstValueFrom } from 'rxjs';
import { EslCommandError } from '../errors.js';
import { Commands, type EncodedCommand, encodeCommand } from '../protocol/commands.js';
import { ContentType, type EventFormat } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { EventName, EventSubclass } from '../protocol/event-names.js';
import type { Frame } from '../protocol/frame.js';
import { type EventFilter, type EventSubscription, checkEventNames } from '../protocol/subscriptions.js';
import { socketTransport } from '../transport/socket.js';
import type { Transport } from '../transport/transport.js';
import { AskedFor, type Tracker } from './asked-for.js';
import type { QueueHooks } from './command-queue.js';
import type { BgapiOptions, CommandOptions, ConnectionMode, ConnectionState, EslConnection, EventsOptions, ExecuteCommandOptions, ReceivedEvent } from './esl-connection.js';
import { Link } from './link.js';
import { CommandTimeouts, type ConnectionOptions } from './options.js';
import { ApiResponse, type ApplicationResult, type BackgroundJob, CommandReply, type LogLine } from './replies.js';
import { TwoStepCommands } from './two-step.js';

// The types of a Connection's API, importable with it.
export type { BgapiOptions, CommandOptions, ConnectionMode, ConnectionState, EventsOptions, ExecuteCommandOptions, ReceivedEvent } from './esl-connection.js';
export type { ConnectionOptions, ReconnectOptions } from './options.js';

/**
 * The names of `events()` or `nixevent()` as a list (a string is split at its spaces, as
 * FreeSWITCH splits the command line), checked unless `strict` is false.
 */
function namesOf(names: string | readonly string[], options: EventsOptions | undefined): string[] {
  const list = typeof names === 'string' ? names.split(' ').filter((n) => n !== '') : [...names];
  if (options?.strict !== false) checkEventNames(list);
  return list;
}

export class Connection implements EslConnection {
  readonly state$: Observable<ConnectionState>;
  /**
   * Every frame read, replies and events alike, parsed once. Hot: no replay. For an event, the
   * frame comes here before its EslEvent comes on `events$` and the keyed views: code that needs
   * both (the modesl facade) may rely on that order.
   */
  readonly frames$: Observable<Frame>;
  readonly events$: Observable<ReceivedEvent>;
  readonly logs$: Observable<LogLine>;
  readonly notices$: Observable<EslEvent>;
  /** Problems that do not end the connection: a malformed event (one without Event-Name included), a reply nobody asked for, a failed reconnect attempt, a subscription that could not be restored. */
  readonly errors$: Observable<Error>;

  readonly #link: Link;
  readonly #asked: AskedFor;
  readonly #twoStep: TwoStepCommands;
  readonly #timeouts: CommandTimeouts;
  readonly #failOnError: boolean;
  #channelData: EslEvent | undefined;

  private constructor(mode: ConnectionMode, options: ConnectionOptions) {
    this.#timeouts = new CommandTimeouts(options);
    this.#failOnError = options.failOnError ?? true;
    this.#asked = new AskedFor(options.eventFormat ?? 'plain', {
      ask: (cmd, tracker) => firstValueFrom(this.#reply(cmd, { failOnError: true }, tracker)),
      tell: (cmd) => this.#fireAndForget(cmd),
    });
    const link = new Link(mode, options, this.#timeouts, this.#asked, (err) => this.#twoStep.lost(err));
    this.#link = link;
    this.#twoStep = new TwoStepCommands({
      timers: link.timers,
      router: link.router,
      ensureSubscribed: (name) => this.#asked.ensureSubscribed(name),
      letThrough: (header, value) => this.#asked.letThrough(header, value),
    });
    this.state$ = link.state.asObservable();
    this.frames$ = link.frames.asObservable();
    this.events$ = link.router.events.asObservable();
    this.logs$ = link.logs.asObservable();
    this.notices$ = link.notices.asObservable();
    this.errors$ = link.errors.asObservable();
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
    await this.#link.open();
    return this;
  }

  /**
   * @internal Wraps a byte pipe that is already open: a socket FreeSWITCH opened to us
   * (outbound: not ready until `connect` has been answered, which the Server does before
   * handing it out), or a scripted transport in tests (`ready: true` skips authentication).
   */
  static attach(transport: Transport, options: ConnectionOptions & { mode?: ConnectionMode; ready?: boolean } = {}): Connection {
    const conn = new Connection(options.mode ?? 'outbound', { ...options, reconnect: false });
    conn.#link.attach(transport, options.ready === true);
    return conn;
  }

  /** @internal A socket FreeSWITCH opened to us (outbound mode). */
  static outbound(socket: net.Socket, options: ConnectionOptions = {}): Connection {
    return Connection.attach(socketTransport(socket), { ...options, mode: 'outbound' });
  }

  // ------------------------------------------------------------------ commands: the way in

  #failOnErrorOf(options: CommandOptions | undefined): boolean {
    return options?.failOnError ?? this.#failOnError;
  }

  /**
   * A command answered by a command/reply; -ERR fails it unless failOnError is false.
   * `tracker` sees every reply (ok or not) before the caller does: it keeps what was asked for.
   */
  #reply(cmd: EncodedCommand, options?: CommandOptions, tracker?: Tracker): Observable<CommandReply> {
    const timeout = this.#timeouts.of('command', options?.timeout);
    const fail = this.#failOnErrorOf(options);
    const check = (r: CommandReply): CommandReply | Error => (!r.ok && fail ? new EslCommandError(cmd.label, r.replyText, r.event) : r);
    if (!tracker) return this.#link.command<CommandReply>(cmd, timeout, (frame) => check(new CommandReply(EslEvent.fromFrame(frame), cmd.label)));
    return defer(() => {
      // One reply object for the tracker and the caller.
      let reply: CommandReply | undefined;
      const hooks: QueueHooks = {
        written: tracker.written,
        replied: (frame) => {
          reply = new CommandReply(EslEvent.fromFrame(frame), cmd.label);
          tracker.replied(reply);
        },
        lost: tracker.lost,
      };
      return this.#link.command<CommandReply>(cmd, timeout, (frame) => check(reply ?? new CommandReply(EslEvent.fromFrame(frame), cmd.label)), false, hooks);
    });
  }

  /** A command whose reply matters to nobody (it is still consumed in turn). */
  #fireAndForget(cmd: EncodedCommand): void {
    if (!this.#link.accepting) return;
    this.#link.command(cmd, this.#timeouts.of('command'), (frame) => frame).subscribe({ error: (err: Error) => this.#link.errors.next(err) });
  }

  // ------------------------------------------------------------------ commands: EslConnection

  events(format: EventFormat, names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): Observable<CommandReply> {
    const list = namesOf(names, options);
    // FreeSWITCH switches the format even when it then refuses the names.
    const tracker = this.#asked.subscribing(
      (sub) => sub.subscribe([format, ...list]),
      (sub) => {
        sub.format = format;
      },
    );
    return this.#reply(Commands.event(format, list), options, tracker);
  }

  nixevent(names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): Observable<CommandReply> {
    const list = namesOf(names, options);
    return this.#reply(Commands.nixevent(list), options, this.#asked.subscribing((sub) => sub.unsubscribe(list)));
  }

  noevents(options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.noevents(), options, this.#asked.subscribing((sub) => sub.clear()));
  }

  filter(header: string, value: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.filter(header, value), options, this.#asked.filtering(header, value));
  }

  filterDelete(header: string, value?: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.filterDelete(header, value), options, this.#asked.unfiltering(header, value));
  }

  myevents(uuid?: string, format?: EventFormat, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.myevents(uuid, format), options, this.#asked.myEvents(format, this.#link.mode === 'outbound'));
  }

  log(level?: string | number, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.log(level), options, this.#asked.logging(level));
  }

  nolog(options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.nolog(), options, this.#asked.notLogging());
  }

  api(command: string, args?: string, options?: CommandOptions): Observable<ApiResponse> {
    const cmd = Commands.api(command, args);
    const timeout = this.#timeouts.of('api', options?.timeout);
    const fail = this.#failOnErrorOf(options);
    return this.#link.command<ApiResponse>(cmd, timeout, (frame) => {
      const ev = EslEvent.fromFrame(frame);
      // userauth: a forbidden api is refused with a command/reply, not an api/response.
      if (frame.contentType === ContentType.CommandReply) ev.addBody(ev.getHeader('Reply-Text') ?? '');
      const response = new ApiResponse(ev, cmd.label);
      return fail && !response.ok ? new EslCommandError(cmd.label, response.body, response.event) : response;
    });
  }

  bgapi(command: string, args?: string, options: BgapiOptions = {}): Observable<CommandReply | BackgroundJob> {
    const jobUuid = options.jobUuid ?? randomUUID();
    const cmd = Commands.bgapi(command, args, jobUuid);
    return this.#twoStep.bgapi(cmd, jobUuid, this.#reply(cmd, options), this.#failOnErrorOf(options), this.#timeouts.of('result', options.jobTimeout));
  }

  execute(app: string, arg?: string, options: ExecuteCommandOptions = {}): Observable<CommandReply | ApplicationResult> {
    const eventUuid = options.eventUuid ?? randomUUID();
    const cmd = Commands.execute(app, arg, { ...options, eventUuid });
    // Outbound, the channel's events come with myevents (the Server sends it); `event` would
    // even fail there without `full`. Inbound, rxesl subscribes CHANNEL_EXECUTE_COMPLETE and
    // CHANNEL_HANGUP_COMPLETE first (as modesl does), unless myevents or a subscription has them.
    const subscribe = !this.#asked.myevents && this.#link.mode !== 'outbound';
    const timeout = this.#timeouts.of('result', options.completionTimeout);
    return this.#twoStep.execute(cmd, app, eventUuid, options.uuid ?? this.uuid, this.#reply(cmd, options), subscribe, timeout);
  }

  executeAsync(app: string, arg?: string, options: ExecuteCommandOptions = {}): Observable<CommandReply | ApplicationResult> {
    return this.execute(app, arg, { ...options, async: true });
  }

  sendMsg(uuid: string | undefined, headers: Record<string, string> | Iterable<readonly [string, string]>, body?: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.sendmsg(uuid, headers, body), options);
  }

  hangup(cause?: string, uuid?: string, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.hangup(cause, uuid), options);
  }

  getvar(name: string, options?: CommandOptions): Observable<string | undefined> {
    return this.#link.command<string | undefined>(Commands.getvar(name), this.#timeouts.of('command', options?.timeout), (frame) => {
      const text = frame.headers.get('Reply-Text') ?? '';
      // The reply is the raw value; an unset variable reads as "-ERR command not found".
      return text === '-ERR command not found' ? undefined : text;
    });
  }

  // ------------------------------------------------------------------ commands: the rest of the socket's

  /**
   * Any command, as encoded bytes or as a single line; emits the reply (command/reply or
   * api/response) as an event, unchecked. The escape hatch for what has no method.
   */
  send(command: EncodedCommand | string, options?: CommandOptions): Observable<EslEvent> {
    const cmd = typeof command === 'string' ? encodeCommand(command) : command;
    const timeout = this.#timeouts.of(cmd.verb === 'api' ? 'api' : 'command', options?.timeout);
    return this.#link.command(cmd, timeout, (frame) => EslEvent.fromFrame(frame));
  }

  /** `sendevent <NAME>` with the event's headers and body; the reply is `+OK <Event-UUID>`. */
  sendEvent(event: EslEvent, options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.sendevent(event), options);
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

  /** `resume` (needs a session): the dialplan continues when the socket session ends. */
  resume(options?: CommandOptions): Observable<CommandReply> {
    return this.#reply(Commands.resume(), options);
  }

  /** `connect` (outbound): the reply is the channel's CHANNEL_DATA. */
  connect(options?: CommandOptions): Observable<EslEvent> {
    const timeout = this.#timeouts.of('command', options?.timeout);
    const toData = (frame: Frame): EslEvent => {
      const data = EslEvent.fromFrame(frame);
      this.#channelData = data;
      this.#link.connected();
      return data;
    };
    return this.#link.command(Commands.connect(), timeout, toData, true);
  }

  /** `exit`: FreeSWITCH replies +OK bye, sends the disconnect notice and closes. No reconnect follows. */
  exit(options?: CommandOptions): Observable<CommandReply> {
    return new Observable<CommandReply>((subscriber) => {
      const sub = this.#reply(Commands.exit(), { failOnError: false, ...options }).subscribe(subscriber);
      // Written (or held until the link is ready): what follows it is never written.
      this.#link.closing();
      return sub;
    });
  }

  /**
   * Closes the connection for good (see EslConnection.close): sends `exit`, waits up to a
   * second for FreeSWITCH to close, then closes the socket.
   */
  close(): Promise<void> {
    return this.#link.close();
  }

  /** Closes the socket at once, without `exit`. */
  destroy(): void {
    this.#link.destroy();
  }

  // ------------------------------------------------------------------ views

  eventsNamed(...names: EventName[]): Observable<ReceivedEvent> {
    return this.#link.router.named(names);
  }

  customEvents(subclass: string): Observable<ReceivedEvent> {
    return this.#link.router.custom(subclass);
  }

  channelEvents(uuid: string): Observable<ReceivedEvent> {
    return this.#link.router.channel(uuid);
  }

  jobEvents(jobUuid: string): Observable<ReceivedEvent> {
    return this.#link.router.job(jobUuid);
  }

  // ------------------------------------------------------------------ state

  get state(): ConnectionState {
    return this.#link.state.value;
  }

  get closed(): Promise<void> {
    return this.#link.closed;
  }

  get closeReason(): Error | undefined {
    return this.#link.finalError;
  }

  get mode(): ConnectionMode {
    return this.#link.mode;
  }

  /** The underlying socket (null between reconnects, after close, and over a non-TCP transport). */
  get socket(): net.Socket | null {
    return this.#link.socket;
  }

  get channelData(): EslEvent | undefined {
    return this.#channelData;
  }

  get uuid(): string | undefined {
    return this.#channelData?.getHeader('Unique-ID');
  }

  /** The reply to auth/userauth (userauth adds Allowed-Events, Allowed-API, Allowed-LOG). */
  get authReply(): CommandReply | undefined {
    return this.#link.authReply;
  }

  get subscription(): Readonly<EventSubscription> {
    return this.#asked.subscription.clone();
  }

  get filters(): readonly EventFilter[] {
    return this.#asked.filterList();
  }

  get hasMyEvents(): boolean {
    return this.#asked.myevents;
  }

  get logLevel(): string | undefined {
    return this.#asked.logLevel;
  }

  /** Commands written whose reply has not arrived. */
  get pendingCommands(): number {
    return this.#link.pendingCommands;
  }

  /** @internal For tests: internal waiters and views still registered. */
  get routerStats(): { waiters: number; views: number } {
    const router = this.#link.router;
    return { waiters: router.waiters, views: router.views };
  }
}
