/**
 * RemoteSwitch: one switch of the cluster, with the surface of a Connection, over NATS.
 * Commands go to the switch's gateways and come back as a Connection would emit them (the same
 * reply classes, the same error classes); the views are NATS subscriptions on that switch's
 * narrowest subjects. A Channel and the operators take it where they take a Connection.
 *
 * What differs, because a gateway's connection is shared by every worker: the subscription is
 * the gateway's (ALL unless configured), and `events()` can only add to it; `nixevent`,
 * `noevents`, `filter`, `filterDelete`, `myevents`, `log` and `nolog` are refused with an
 * EslCommandError; no log lines or disconnect notices come (`logs$`, `notices$` only complete).
 */
import { randomUUID } from 'node:crypto';
import { BehaviorSubject, NEVER, Observable, type Subscriber, type Subscription, share } from 'rxjs';
import type { BgapiOptions, CommandOptions, ConnectionState, EslConnection, EventsOptions, ExecuteCommandOptions, ReceivedEvent } from '../connection/esl-connection.js';
import type { ApiResponse, ApplicationResult, BackgroundJob, CommandReply, LogLine } from '../connection/replies.js';
import { EslCommandError, EslDisconnectedError } from '../errors.js';
import { Commands } from '../protocol/commands.js';
import type { EventFormat } from '../protocol/content-type.js';
import type { EslEvent } from '../protocol/event.js';
import type { EventName, EventSubclass } from '../protocol/event-names.js';
import { type EventFilter, EventSubscription, checkEventNames } from '../protocol/subscriptions.js';
import type { CommandLink } from './command-link.js';
import type { CommandRequest, CommandValue } from './wire.js';

/** An event of the cluster: an EslEvent that knows which switch it comes from. */
export type ClusterEvent = ReceivedEvent & { readonly node: string };

/** What a RemoteSwitch needs from its cluster: the views on its subjects and what its gateways announce. */
export interface SwitchViews {
  events(node: string): Observable<ClusterEvent>;
  named(names: readonly string[], node: string): Observable<ClusterEvent>;
  custom(subclass: string, node: string): Observable<ClusterEvent>;
  channel(uuid: string, node: string): Observable<ClusterEvent>;
  job(jobUuid: string, node: string): Observable<ClusterEvent>;
  /** The format and events the node's gateways asked the switch for, when announced. */
  subscribed(node: string): { format: string; events: readonly string[] } | undefined;
  /** ready while a gateway of the node is up; connecting before any was; reconnecting after. Completes when the cluster client closes. */
  state(node: string): Observable<ConnectionState>;
}

/** The names of events() or nixevent() as a list, checked as a Connection checks them (unless `strict` is false). */
function nameList(names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): string[] {
  const list = typeof names === 'string' ? names.split(' ').filter((n) => n !== '') : [...names];
  if (options?.strict !== false) checkEventNames(list);
  return list;
}

export class RemoteSwitch implements EslConnection {
  /** The switch's name. */
  readonly node: string;
  /** Seen from the switch, the gateway is an inbound client: there is no channel of its own. */
  readonly mode = 'inbound' as const;
  /** The node's events, from the moment of subscribing (one subscription for every subscriber). Hot. */
  readonly events$: Observable<ClusterEvent>;
  /** Gateways forward no log lines: completes when this handle closes. */
  readonly logs$: Observable<LogLine>;
  /** Gateways forward no disconnect notices: completes when this handle closes. */
  readonly notices$: Observable<EslEvent>;
  /** ready while a gateway of the switch is connected to it, reconnecting while none is, closed after close(). */
  readonly state$: Observable<ConnectionState>;
  /** Resolves once this handle is closed (close(), or its cluster client closing). */
  readonly closed: Promise<void>;

  readonly #link: CommandLink;
  readonly #views: SwitchViews;
  readonly #failOnError: boolean;
  readonly #state = new BehaviorSubject<ConnectionState>('connecting');
  #closing = false;
  readonly #stateSub: Subscription;
  readonly #pending = new Set<Subscriber<unknown>>();
  /** Subscribers of this handle's streams: completed when it closes. */
  readonly #live = new Set<Subscriber<unknown>>();
  readonly #onClose: () => void;
  #resolveClosed!: () => void;
  /** Channels whose events come from somewhere else than a core subscription (a call's JetStream consumer). */
  readonly #adopted = new Map<string, Observable<ClusterEvent>>();

  /** @internal Made by Cluster.switch(). */
  constructor(node: string, link: CommandLink, views: SwitchViews, failOnError: boolean, onClose: () => void) {
    this.node = node;
    this.#link = link;
    this.#views = views;
    this.#failOnError = failOnError;
    this.#onClose = onClose;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.events$ = this.#view(views.events(node)).pipe(share());
    this.logs$ = this.#view(NEVER);
    this.notices$ = this.#view(NEVER);
    this.state$ = this.#state.asObservable();
    this.#stateSub = views.state(node).subscribe({
      next: (s) => this.#state.next(s),
      complete: () => void this.close(),
    });
  }

  // ------------------------------------------------------------------ as a Connection

  get state(): ConnectionState {
    return this.#state.value;
  }

  /** Never set: a handle closes only when asked to. */
  get closeReason(): Error | undefined {
    return undefined;
  }

  /** No channel of its own (an inbound connection's). */
  get uuid(): undefined {
    return undefined;
  }

  get channelData(): undefined {
    return undefined;
  }

  get hasMyEvents(): boolean {
    return false;
  }

  get filters(): readonly EventFilter[] {
    return [];
  }

  get logLevel(): string | undefined {
    return undefined;
  }

  /** What the switch's gateways asked it for (ALL unless configured otherwise), as announced. */
  get subscription(): Readonly<EventSubscription> {
    const sub = new EventSubscription();
    const s = this.#views.subscribed(this.node);
    if (s) sub.subscribe([s.format, ...s.events]);
    return sub;
  }

  /**
   * Closes this handle (not the switch, not its gateways): commands still waiting fail with
   * EslDisconnectedError, its streams complete, and later commands fail at once.
   * `cluster.switch(node)` then gives a new handle.
   */
  close(): Promise<void> {
    if (this.#closing) return this.closed;
    this.#closing = true;
    this.#onClose();
    this.#stateSub.unsubscribe();
    for (const s of [...this.#pending]) s.error(new EslDisconnectedError(`the handle of ${this.node} was closed before the command completed`));
    for (const s of [...this.#live]) s.complete();
    this.#state.next('closed');
    this.#state.complete();
    this.#resolveClosed();
    return this.closed;
  }

  /** A view of this handle: completes when it closes, at once when subscribed to after. */
  #view<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.#closing) {
        subscriber.complete();
        return undefined;
      }
      this.#live.add(subscriber);
      const sub = source.subscribe(subscriber);
      return () => {
        this.#live.delete(subscriber);
        sub.unsubscribe();
      };
    });
  }

  #call<T extends CommandValue>(label: string, method: CommandRequest['method'], args: Record<string, unknown>, options: CommandOptions | undefined): Observable<T> {
    const full = { ...args, timeout: options?.timeout, failOnError: options?.failOnError ?? this.#failOnError };
    const remote = this.#link.call(this.node, label, { method, args: full }) as Observable<T>;
    return new Observable<T>((subscriber) => {
      if (this.#closing) {
        subscriber.error(new EslDisconnectedError(`the handle of ${this.node} is closed: cannot send "${label}"`, label));
        return undefined;
      }
      this.#pending.add(subscriber);
      const sub = remote.subscribe(subscriber);
      return () => {
        this.#pending.delete(subscriber);
        sub.unsubscribe();
      };
    });
  }

  /** A command that would change what the gateway's shared connection receives: refused, as FreeSWITCH refuses (EslCommandError). */
  #refused(label: string): Observable<CommandReply> {
    return new Observable<CommandReply>((subscriber) => {
      subscriber.error(new EslCommandError(label, `-ERR not through a gateway: its connection's events are shared by every worker (use the views, or events() to add)`));
    });
  }

  // ------------------------------------------------------------------ commands

  /** `api <command> [<args>]`, as Connection.api: the api/response, or EslCommandError on -ERR. */
  api(command: string, args?: string, options?: CommandOptions): Observable<ApiResponse> {
    const label = Commands.api(command, args).label;
    return this.#call(label, 'api', { command, args }, options);
  }

  /** `bgapi`, as Connection.bgapi: the command/reply, then the BackgroundJob. */
  bgapi(command: string, args?: string, options: BgapiOptions = {}): Observable<CommandReply | BackgroundJob> {
    const jobUuid = options.jobUuid ?? randomUUID();
    const label = Commands.bgapi(command, args, jobUuid).label;
    return this.#call(label, 'bgapi', { command, args, jobUuid, jobTimeout: options.jobTimeout }, options);
  }

  /** A dialplan application over sendmsg, as Connection.execute: the command/reply, then the ApplicationResult (or EslHangupError). */
  execute(app: string, arg?: string, options: ExecuteCommandOptions = {}): Observable<CommandReply | ApplicationResult> {
    const eventUuid = options.eventUuid ?? randomUUID();
    const label = Commands.execute(app, arg, { ...options, eventUuid }).label;
    return this.#call(
      label,
      'execute',
      {
        app,
        arg,
        uuid: options.uuid,
        eventUuid,
        eventUuidName: options.eventUuidName,
        eventLock: options.eventLock,
        async: options.async,
        loops: options.loops,
        holdBleg: options.holdBleg,
        completionTimeout: options.completionTimeout,
      },
      options,
    );
  }

  executeAsync(app: string, arg?: string, options: ExecuteCommandOptions = {}): Observable<CommandReply | ApplicationResult> {
    return this.execute(app, arg, { ...options, async: true });
  }

  /** `sendmsg [<uuid>]` with any headers and body. */
  sendMsg(uuid: string | undefined, headers: Record<string, string> | Iterable<readonly [string, string]>, body?: string, options?: CommandOptions): Observable<CommandReply> {
    const label = Commands.sendmsg(uuid, headers, body).label;
    const pairs = Symbol.iterator in headers ? [...(headers as Iterable<readonly [string, string]>)] : Object.entries(headers);
    return this.#call(label, 'sendMsg', { uuid, headers: pairs, body }, options);
  }

  /** sendmsg `call-command: hangup`. */
  hangup(cause?: string, uuid?: string, options?: CommandOptions): Observable<CommandReply> {
    const label = Commands.hangup(cause, uuid).label;
    return this.#call(label, 'hangup', { cause, uuid }, options);
  }

  /** `sendevent <NAME>` with the event's headers and body. */
  sendEvent(event: EslEvent, options?: CommandOptions): Observable<CommandReply> {
    const label = Commands.sendevent(event).label;
    return this.#call(label, 'sendEvent', { event: event.serialize('plain') }, options);
  }

  /**
   * Asks the switch's gateways for more events (`event <format> <NAME...>`, additive; the
   * format stays the gateway's). A worker cannot take events away from the others.
   */
  events(format: EventFormat, names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): Observable<CommandReply> {
    const list = nameList(names, options);
    const label = Commands.event(format, list).label;
    return this.#call(label, 'events', { names: list }, options);
  }

  /** `getvar` needs a session: a gateway (an inbound client) has none, and FreeSWITCH says so. */
  getvar(name: string, options?: CommandOptions): Observable<string | undefined> {
    const label = Commands.getvar(name).label;
    return this.#call(label, 'getvar', { name }, options);
  }

  /** Refused: see the class comment. */
  nixevent(names: EventName | readonly (EventName | EventSubclass)[], options?: EventsOptions): Observable<CommandReply> {
    return this.#refused(Commands.nixevent(nameList(names, options)).label);
  }

  /** Refused: see the class comment. */
  noevents(_options?: CommandOptions): Observable<CommandReply> {
    return this.#refused(Commands.noevents().label);
  }

  /** Refused: see the class comment. */
  filter(header: string, value: string, _options?: CommandOptions): Observable<CommandReply> {
    return this.#refused(Commands.filter(header, value).label);
  }

  /** Refused: see the class comment. */
  filterDelete(header: string, value?: string, _options?: CommandOptions): Observable<CommandReply> {
    return this.#refused(Commands.filterDelete(header, value).label);
  }

  /** Refused: see the class comment. */
  myevents(uuid?: string, format?: EventFormat, _options?: CommandOptions): Observable<CommandReply> {
    return this.#refused(Commands.myevents(uuid, format).label);
  }

  /** Refused: see the class comment. */
  log(level?: string | number, _options?: CommandOptions): Observable<CommandReply> {
    return this.#refused(Commands.log(level).label);
  }

  /** Refused: see the class comment. */
  nolog(_options?: CommandOptions): Observable<CommandReply> {
    return this.#refused(Commands.nolog().label);
  }

  // ------------------------------------------------------------------ views

  /** Events of this switch with one of these names (a subscription per name). */
  eventsNamed(...names: EventName[]): Observable<ClusterEvent> {
    return this.#view(this.#views.named(names, this.node));
  }

  /** CUSTOM events of that subclass. */
  customEvents(subclass: string): Observable<ClusterEvent> {
    return this.#view(this.#views.custom(subclass, this.node));
  }

  /** Events of one channel (Unique-ID). */
  channelEvents(uuid: string): Observable<ClusterEvent> {
    return this.#view(this.#adopted.get(uuid) ?? this.#views.channel(uuid, this.node));
  }

  /** Events of one job (Job-UUID). */
  jobEvents(jobUuid: string): Observable<ClusterEvent> {
    return this.#view(this.#views.job(jobUuid, this.node));
  }

  /** @internal calls$ with JetStream: the channel's events are its call's, acknowledged as delivered. Returns the remover. */
  adopt(uuid: string, events: Observable<ClusterEvent>): () => void {
    this.#adopted.set(uuid, events);
    return () => {
      if (this.#adopted.get(uuid) === events) this.#adopted.delete(uuid);
    };
  }
}
