/**
 * EslConnection: what call-flow code needs of a connection to FreeSWITCH, as a type of its own
 * (named after libesl's ESLconnection). `Connection`, over a socket inbound or outbound,
 * implements it; so can a switch reached another way, a remote one whose commands travel as
 * request/reply over a message bus and whose events come from its subscriptions. `Channel`
 * and the console depend on this type, not on the class, and so can the users' call flows.
 *
 * What every member promises:
 * - A command is a cold Observable: nothing is sent until it is subscribed, and each
 *   subscription sends it once. Unsubscribing stops the waiting, not the command: FreeSWITCH
 *   still runs it.
 * - A command fails with one of rxesl's named errors: EslCommandError when FreeSWITCH refuses
 *   it (`-ERR`, with the reply), EslTimeoutError when no answer comes in time,
 *   EslDisconnectedError when the connection is closed or goes before the answer. A value that
 *   cannot be sent (a CR or LF in a name) throws EslArgumentError when the command is built.
 * - An event stream is hot (a subscriber sees what arrives after it subscribed), carries on
 *   across reconnects, and completes when the connection is closed for good; subscribed to
 *   after that, it completes at once. Subscribing to one asks FreeSWITCH for nothing:
 *   `events()` and `myevents()` do.
 */
import type { Observable } from 'rxjs';
import type { ExecuteOptions } from '../protocol/commands.js';
import type { EventFormat } from '../protocol/content-type.js';
import type { EslEvent } from '../protocol/event.js';
import type { EventName, EventSubclass } from '../protocol/event-names.js';
import type { EventFilter, EventSubscription } from '../protocol/subscriptions.js';
import type { ApiResponse, ApplicationResult, BackgroundJob, CommandReply, LogLine } from './replies.js';

/**
 * An event as a connection delivers it, on `events$` and every view: one with an Event-Name,
 * so `name` is a string. The router lets no event without one through (it is malformed: a
 * Connection reports it on `errors$` instead); an EslEvent built by hand, or a reply read as
 * an event, makes no such promise, and its `name` may be undefined.
 */
export type ReceivedEvent = EslEvent & { readonly name: string };

/**
 * connecting and authenticating (the first time), ready, lingering (FreeSWITCH said the
 * session is over and waits for us to close), reconnecting (after a drop, when asked to),
 * closed (for good).
 */
export type ConnectionState = 'connecting' | 'authenticating' | 'ready' | 'lingering' | 'reconnecting' | 'closed';

/**
 * inbound: we connected to FreeSWITCH, and a channel is named by its uuid. outbound:
 * FreeSWITCH connected to us for one call (its `socket` application), the connection's own
 * channel.
 */
export type ConnectionMode = 'inbound' | 'outbound';

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

export interface EventsOptions extends CommandOptions {
  /**
   * Default true: names FreeSWITCH would pass over without a word (it replies +OK all the
   * same) throw EslArgumentError before anything is sent: a name FreeSWITCH 1.10.12 does not
   * know, or an event name after CUSTOM (where FreeSWITCH reads every name as a subclass).
   * false sends the names as given: for a FreeSWITCH that knows names newer than rxesl's.
   */
  strict?: boolean;
}

export interface ExecuteCommandOptions extends ExecuteOptions, CommandOptions {
  /** Milliseconds to wait for CHANNEL_EXECUTE_COMPLETE; 0 for none. Default apiTimeout. */
  completionTimeout?: number;
}

export interface EslConnection {
  // ------------------------------------------------------------------ the connection

  /** The state now. */
  readonly state: ConnectionState;
  /** The state now, at once, then every change; completes once the state is 'closed'. */
  readonly state$: Observable<ConnectionState>;
  /** Resolves (never rejects) once the connection is closed for good and all it held is released. */
  readonly closed: Promise<void>;
  /**
   * Why it closed, once `closed` has resolved: undefined when it was asked to (close(), and for
   * a Connection exit() or destroy()), else the error it ended on (FreeSWITCH closed it, the
   * socket failed, reconnecting gave up). Undefined while open.
   */
  readonly closeReason: Error | undefined;
  /**
   * Closes the connection for good: commands still waiting fail with EslDisconnectedError and
   * every stream completes. Resolves as `closed` does, never rejects; calling it again is harmless.
   */
  close(): Promise<void>;
  /** See ConnectionMode. */
  readonly mode: ConnectionMode;
  /** Outbound: the Unique-ID of the connection's own channel; undefined inbound. */
  readonly uuid: string | undefined;
  /** Outbound: that channel's CHANNEL_DATA (what it was when the call reached us); undefined inbound. */
  readonly channelData: EslEvent | undefined;

  // ------------------------------------------------------------------ events

  /** Every event received, parsed once: every subscriber gets the same EslEvent object. Each has a name. */
  readonly events$: Observable<ReceivedEvent>;
  /** Events whose Event-Name is one of these, exactly (a CUSTOM event's name is CUSTOM). */
  eventsNamed(...names: EventName[]): Observable<ReceivedEvent>;
  /** CUSTOM events of this Event-Subclass. */
  customEvents(subclass: string): Observable<ReceivedEvent>;
  /** Events whose Unique-ID is this channel. */
  channelEvents(uuid: string): Observable<ReceivedEvent>;
  /** Events whose Job-UUID is this one (a bgapi's BACKGROUND_JOB). */
  jobEvents(jobUuid: string): Observable<ReceivedEvent>;
  /** Log lines, once `log()` has asked for them. */
  readonly logs$: Observable<LogLine>;
  /**
   * FreeSWITCH's disconnect notices, as events: with linger, the one that says the session is
   * over (`Content-Disposition: linger`), then the last one before it closes. A switch that is
   * not reached over its own socket may have none to give.
   */
  readonly notices$: Observable<EslEvent>;

  // ------------------------------------------------------------------ what is asked for

  /**
   * `event <format> <NAME...>` (`ALL` for every event; CUSTOM followed by subclasses): adds
   * these to what FreeSWITCH sends; the format applies to the whole connection. Emits the
   * CommandReply and completes. What is accepted shows in `subscription`, and is asked for
   * again after a reconnect. A name FreeSWITCH would pass over throws EslArgumentError unless
   * `strict` is false (see EventsOptions).
   */
  events(format: EventFormat, names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): Observable<CommandReply>;
  /** `nixevent <NAME...>`: these no more. Emits the CommandReply and completes. Names are checked as `events()` checks them. */
  nixevent(names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): Observable<CommandReply>;
  /** `noevents`: no events at all any more. Emits the CommandReply and completes. */
  noevents(options?: CommandOptions): Observable<CommandReply>;
  /**
   * `filter <Header> <value>`: once there is a filter, only the events that match one of them
   * come. Emits the CommandReply and completes; what is accepted shows in `filters`, and is
   * asked for again after a reconnect.
   */
  filter(header: string, value: string, options?: CommandOptions): Observable<CommandReply>;
  /** `filter delete <Header> [<value>]` (`filterDelete('all')`: every filter). Emits the CommandReply and completes. */
  filterDelete(header: string, value?: string, options?: CommandOptions): Observable<CommandReply>;
  /**
   * `myevents [<uuid>] [<format>]`: the events of the connection's own channel (outbound), or
   * of channel `uuid` alone (inbound; FreeSWITCH then closes the connection when that channel
   * hangs up). Emits the CommandReply and completes.
   */
  myevents(uuid?: string, format?: EventFormat, options?: CommandOptions): Observable<CommandReply>;
  /** `log [<level>]` (debug when none): log lines of that level and above come on `logs$`. Emits the CommandReply and completes. */
  log(level?: string | number, options?: CommandOptions): Observable<CommandReply>;
  /** `nolog`: no more log lines. Emits the CommandReply and completes. */
  nolog(options?: CommandOptions): Observable<CommandReply>;
  /** What `events()` asked for and FreeSWITCH accepted: the format, the names and subclasses (a copy). */
  readonly subscription: Readonly<EventSubscription>;
  /** The filters FreeSWITCH accepted, in order (a copy). */
  readonly filters: readonly EventFilter[];
  /** Whether `myevents()` was accepted: the channel's own events come without `events()`. */
  readonly hasMyEvents: boolean;
  /** The level `log()` asked for, until `nolog()`. */
  readonly logLevel: string | undefined;

  // ------------------------------------------------------------------ commands

  /**
   * `api <command> [<args>]`: emits the ApiResponse (the output is its `body`) and completes.
   * An output that starts with -ERR or -USAGE fails with EslCommandError, unless `failOnError`
   * is false (then `ok` is false). Waits as long as `timeout`, by default the connection's
   * apiTimeout (none unless set: `api originate` takes as long as the call takes to answer).
   */
  api(command: string, args?: string, options?: CommandOptions): Observable<ApiResponse>;
  /**
   * `bgapi <command> [<args>]`: emits the CommandReply (its `jobUuid` known at once), then the
   * BACKGROUND_JOB as a BackgroundJob, then completes. Makes sure BACKGROUND_JOB comes, active
   * filters notwithstanding. A refusal, or an output that starts with -ERR, fails with
   * EslCommandError unless `failOnError` is false (a refusal then completes after the reply, a
   * failed job is emitted with `ok` false). No job within `jobTimeout`: EslTimeoutError; the
   * connection gone before the job: EslDisconnectedError.
   */
  bgapi(command: string, args?: string, options?: BgapiOptions): Observable<CommandReply | BackgroundJob>;
  /**
   * Runs a dialplan application on a channel (`options.uuid`; outbound, by default the
   * connection's own): emits the CommandReply, then the application's CHANNEL_EXECUTE_COMPLETE
   * as an ApplicationResult, then completes. Makes sure that event comes. Fails with
   * EslHangupError when the channel's CHANNEL_HANGUP_COMPLETE comes first, EslTimeoutError when
   * nothing comes within `completionTimeout`, EslDisconnectedError when the connection goes
   * first, EslCommandError when refused (unless `failOnError` is false: it then completes
   * after the reply).
   */
  execute(app: string, arg?: string, options?: ExecuteCommandOptions): Observable<CommandReply | ApplicationResult>;
  /** `execute` with `async: true`: queued on the channel rather than run inline (outbound sockets without `async`). */
  executeAsync(app: string, arg?: string, options?: ExecuteCommandOptions): Observable<CommandReply | ApplicationResult>;
  /** `sendmsg [<uuid>]` with these headers and body: emits the CommandReply and completes. */
  sendMsg(uuid: string | undefined, headers: Record<string, string> | Iterable<readonly [string, string]>, body?: string, options?: CommandOptions): Observable<CommandReply>;
  /**
   * Hangs a channel up (`uuid`; outbound, by default the connection's own) with this cause,
   * NORMAL_CLEARING when none: emits the CommandReply and completes. The hangup itself comes
   * as the channel's events.
   */
  hangup(cause?: string, uuid?: string, options?: CommandOptions): Observable<CommandReply>;
  /** A variable of the connection's own channel (outbound): emits its value, or undefined when unset, and completes. */
  getvar(name: string, options?: CommandOptions): Observable<string | undefined>;
}
