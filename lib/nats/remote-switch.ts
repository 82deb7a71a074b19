/**
 * RemoteSwitch: one switch of the cluster, with the command surface and the event views of a
 * Connection, over NATS. Commands go to the switch's gateways and come back as a Connection
 * would emit them (the same reply classes, the same error classes); the views are NATS
 * subscriptions on that switch's narrowest subjects. A Channel and the operators take it
 * where they take a Connection.
 */
import { randomUUID } from 'node:crypto';
import type { Observable } from 'rxjs';
import type { BgapiOptions, CommandOptions, ExecuteCommandOptions } from '../connection/connection.js';
import type { ApiResponse, ApplicationResult, BackgroundJob, CommandReply } from '../connection/replies.js';
import type { EventFormat } from '../protocol/content-type.js';
import { Commands } from '../protocol/commands.js';
import type { EslEvent } from '../protocol/event.js';
import type { EventName } from '../protocol/event-names.js';
import { EventSubscription } from '../protocol/subscriptions.js';
import type { CommandLink } from './command-link.js';
import type { CommandRequest, CommandValue } from './wire.js';

/** An event of the cluster: an EslEvent that knows which switch it comes from. */
export type ClusterEvent = EslEvent & { readonly node: string };

/** What a RemoteSwitch needs from its cluster: the views on its subjects and what its gateways announce. */
export interface SwitchViews {
  events(node: string): Observable<ClusterEvent>;
  named(names: readonly string[], node: string): Observable<ClusterEvent>;
  custom(subclass: string, node: string): Observable<ClusterEvent>;
  channel(uuid: string, node: string): Observable<ClusterEvent>;
  job(jobUuid: string, node: string): Observable<ClusterEvent>;
  /** The format and events the node's gateways asked the switch for, when announced. */
  subscribed(node: string): { format: string; events: readonly string[] } | undefined;
}

function nameList(names: EventName | readonly EventName[]): string[] {
  return typeof names === 'string' ? names.split(' ').filter((n) => n !== '') : [...names];
}

export class RemoteSwitch {
  /** The switch's name. */
  readonly node: string;
  /** Seen from the switch, the gateway is an inbound client: there is no channel of its own. */
  readonly mode = 'inbound' as const;
  /** The node's events, from the moment of subscribing. Hot. */
  readonly events$: Observable<ClusterEvent>;

  readonly #link: CommandLink;
  readonly #views: SwitchViews;
  readonly #failOnError: boolean;
  /** Channels whose events come from somewhere else than a core subscription (a call's JetStream consumer). */
  readonly #adopted = new Map<string, Observable<ClusterEvent>>();

  /** @internal Made by Cluster.switch(). */
  constructor(node: string, link: CommandLink, views: SwitchViews, failOnError: boolean) {
    this.node = node;
    this.#link = link;
    this.#views = views;
    this.#failOnError = failOnError;
    this.events$ = views.events(node);
  }

  // ------------------------------------------------------------------ as a Connection

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

  /** What the node's gateways asked the switch for (ALL unless configured otherwise), as announced. */
  get subscription(): Readonly<EventSubscription> {
    const sub = new EventSubscription();
    const s = this.#views.subscribed(this.node);
    if (s) sub.subscribe([s.format, ...s.events]);
    return sub;
  }

  #call<T extends CommandValue>(label: string, method: CommandRequest['method'], args: Record<string, unknown>, options: CommandOptions | undefined): Observable<T> {
    const full = { ...args, timeout: options?.timeout, failOnError: options?.failOnError ?? this.#failOnError };
    return this.#link.call(this.node, label, { method, args: full }) as Observable<T>;
  }

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
   * Asks the node's gateways for more events (`event <format> <NAME...>`, additive; the format
   * stays the gateway's). A worker cannot take events away from the others.
   */
  events(format: EventFormat, names: EventName | readonly EventName[], options?: CommandOptions): Observable<CommandReply> {
    const list = nameList(names);
    const label = Commands.event(format, list).label;
    return this.#call(label, 'events', { names: list }, options);
  }

  /** `getvar` (needs a session: an inbound gateway has none, so FreeSWITCH refuses it, as on a local inbound connection). */
  getvar(name: string, options?: CommandOptions): Observable<string | undefined> {
    const label = Commands.getvar(name).label;
    return this.#call(label, 'getvar', { name }, options);
  }

  // ------------------------------------------------------------------ views

  /** Events of this switch with one of these names (a subscription per name). */
  eventsNamed(...names: EventName[]): Observable<ClusterEvent> {
    return this.#views.named(names, this.node);
  }

  /** CUSTOM events of that subclass. */
  customEvents(subclass: string): Observable<ClusterEvent> {
    return this.#views.custom(subclass, this.node);
  }

  /** Events of one channel (Unique-ID). */
  channelEvents(uuid: string): Observable<ClusterEvent> {
    return this.#adopted.get(uuid) ?? this.#views.channel(uuid, this.node);
  }

  /** @internal calls$ with JetStream: the channel's events are its call's, acknowledged as delivered. Returns the remover. */
  adopt(uuid: string, events: Observable<ClusterEvent>): () => void {
    this.#adopted.set(uuid, events);
    return () => {
      if (this.#adopted.get(uuid) === events) this.#adopted.delete(uuid);
    };
  }

  /** Events of one job (Job-UUID). */
  jobEvents(jobUuid: string): Observable<ClusterEvent> {
    return this.#views.job(jobUuid, this.node);
  }
}
