/**
 * Cluster: the client side of rxesl on NATS. Many switches (each behind its gateways) look like
 * one Connection: `events$` carries the events of every switch, each tagged with its node; the
 * views (`eventsNamed`, `customEvents`, `channelEvents`, `jobEvents`) are NATS subscriptions on
 * the narrowest subjects, not filters over everything; `switch(node)` gives a RemoteSwitch with
 * the command surface of a Connection; `switches$` follows which switches are up; `calls$`
 * shares new calls between the workers of a queue group.
 *
 * With `jetstream`, `events$` and the cluster's views read the stream (ordered consumers: an
 * outage of nats-server loses nothing), and `calls$` keeps each call's events until the worker
 * acknowledges them.
 */
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import type { Msg, MsgHdrs, NatsConnection, Subscription as NatsSubscription } from '@nats-io/nats-core';
import { BehaviorSubject, Observable, Subject, type Subscriber, distinctUntilChanged, map, share } from 'rxjs';
import type { ConnectionState } from '../connection/esl-connection.js';
import { EslError, EslProtocolError } from '../errors.js';
import { eventFormatOf } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { EventName } from '../protocol/event-names.js';
import { type CallsOptions, type ClusterCall, callsOf } from './calls.js';
import { CommandLink } from './command-link.js';
import { Deduper } from './dedupe.js';
import { loadJetstream, type NatsModule } from './load.js';
import { type NatsInput, openNats } from './nats-connection.js';
import { type ClusterEvent, RemoteSwitch, type SwitchViews } from './remote-switch.js';
import { DEFAULT_STREAM, PULL_EXPIRES_MS } from './stream.js';
import { type EventSubjectParts, Subjects } from './subjects.js';
import { type GatewayStatus, decodeStatus } from './wire.js';

export interface ClusterOptions {
  /** First token(s) of every subject, as the gateways'. Default `esl`. */
  prefix?: string;
  /** Read events from the JetStream stream the gateways publish into (true: the stream `ESL`). Default false. */
  jetstream?: boolean | { stream?: string };
  /** How often a gateway must say that a long command is still running, ms; three silent periods fail it. Default 1,000. */
  commandBeatMs?: number;
  /** Commands fail with EslCommandError on -ERR (as a Connection's). Default true. */
  failOnError?: boolean;
}

/** A switch that is up: at least one of its gateways is connected to it. */
export interface SwitchInfo {
  node: string;
  /** FreeSWITCH's `api version`, when a gateway has read it. */
  version?: string;
  coreUuid?: string;
  /** The ids of its gateways that are up. */
  gateways: readonly string[];
}

interface Seen {
  status: GatewayStatus;
  seen: number;
}

/** The message fields an event is rebuilt from (a core Msg and a JetStream JsMsg both have them). */
interface EventMessage {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs | undefined;
}

export class Cluster {
  /** The switches that are up, as they come and go; replays the current list. */
  readonly switches$: Observable<readonly SwitchInfo[]>;
  /** Every event of every switch, from the moment of subscribing (one NATS subscription shared by every subscriber). Hot. */
  readonly events$: Observable<ClusterEvent>;
  /** Problems that do not end the client: a malformed message on an event subject, a bad announcement, a consumer that failed. */
  readonly errors$: Observable<Error>;

  readonly #nc: NatsConnection;
  readonly #owned: boolean;
  readonly #nats: NatsModule;
  readonly #subjects: Subjects;
  readonly #js: JetStreamClient | undefined;
  readonly #stream: string | undefined;
  readonly #link: CommandLink;
  readonly #failOnError: boolean;
  readonly #errors = new Subject<Error>();
  readonly #gateways = new Map<string, Map<string, Seen>>();
  readonly #switches = new BehaviorSubject<readonly SwitchInfo[]>([]);
  readonly #remote = new Map<string, RemoteSwitch>();
  /** Every view subscriber, completed when the client closes. */
  readonly #live = new Set<Subscriber<unknown>>();
  readonly #nodeCache = new Map<string, string>();
  /** Nodes with several gateways publishing (see #copies). */
  readonly #multi = new Set<string>();
  /** Event subjects already parsed: a call's events share a few subjects. */
  readonly #parsed = new Map<string, EventSubjectParts>();
  readonly #views: SwitchViews;
  readonly #onClose = new Set<() => void>();
  /** Consumers being created: flush() waits for them. */
  readonly #starting = new Set<Promise<unknown>>();
  #statusSub: NatsSubscription | undefined;
  #expiry: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(nc: NatsConnection, owned: boolean, nats: NatsModule, js: JetStreamClient | undefined, options: ClusterOptions) {
    this.#nc = nc;
    this.#owned = owned;
    this.#nats = nats;
    this.#js = js;
    this.#subjects = new Subjects(options.prefix);
    const stream = options.jetstream === true ? {} : options.jetstream || undefined;
    this.#stream = stream ? (stream.stream ?? DEFAULT_STREAM) : undefined;
    this.#failOnError = options.failOnError ?? true;
    this.#link = new CommandLink(nc, nats, this.#subjects, Math.max(50, options.commandBeatMs ?? 1000), (err) => this.#errors.next(err));
    this.errors$ = this.#errors.asObservable();
    this.switches$ = this.#switches.pipe(distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)));
    this.events$ = this.#eventView([this.#subjects.allEvents()]).pipe(share());
    this.#views = {
      events: (node) => this.#eventView([this.#subjects.allEvents(node)], undefined, true),
      named: (names, node) => this.#named(names, node, true),
      custom: (subclass, node) => this.#eventView([this.#subjects.custom(subclass, node)], undefined, true),
      channel: (uuid, node) => this.#eventView(this.#subjects.channel(uuid, node), (h) => h?.get('Unique-ID') === uuid, true),
      job: (jobUuid, node) => this.#eventView([this.#subjects.job(jobUuid, node)], (h) => h?.get('Job-UUID') === jobUuid, true),
      state: (node) => this.#stateOf(node),
      subscribed: (node) => {
        for (const g of this.#gateways.get(node)?.values() ?? []) if (g.status.state === 'up') return { format: g.status.format, events: g.status.events };
        return undefined;
      },
    };
  }

  /**
   * A client on a NATS connection (left open by close()) or on one opened from options
   * (`{ servers: 'nats://...' }`). Asks every gateway to announce itself; `switches$` fills as
   * they answer.
   */
  static async connect(nats: NatsInput, options: ClusterOptions = {}): Promise<Cluster> {
    const opened = await openNats(nats, 'rxesl-cluster');
    try {
      let js: JetStreamClient | undefined;
      if (options.jetstream) js = (await loadJetstream()).jetstream(opened.nc);
      const cluster = new Cluster(opened.nc, opened.owned, opened.nats, js, options);
      await cluster.#begin();
      return cluster;
    } catch (err) {
      if (opened.owned) await opened.nc.close().catch(() => undefined);
      throw err;
    }
  }

  async #begin(): Promise<void> {
    this.#statusSub = this.#nc.subscribe(this.#subjects.status(), { callback: (err, msg) => (err ? this.#errors.next(err) : this.#onStatus(msg)) });
    this.#expiry = setInterval(() => this.#expire(), 250);
    await this.#nc.flush();
    this.#nc.publish(this.#subjects.discover());
    void this.#watchNats();
  }

  /** After NATS reconnects, ask the gateways again: announcements sent meanwhile were lost. */
  async #watchNats(): Promise<void> {
    for await (const s of this.#nc.status()) {
      if (this.#closed) return;
      if (s.type === 'reconnect') this.#nc.publish(this.#subjects.discover());
    }
  }

  // ------------------------------------------------------------------ switches

  /** The switches up now. */
  get switches(): readonly SwitchInfo[] {
    return this.#switches.value;
  }

  #onStatus(msg: Msg): void {
    let s: GatewayStatus;
    try {
      s = decodeStatus(msg.data);
    } catch (err) {
      this.#errors.next(err as Error);
      return;
    }
    let node = this.#gateways.get(s.node);
    if (s.state === 'stopped') node?.delete(s.gateway);
    else {
      if (!node) this.#gateways.set(s.node, (node = new Map()));
      node.set(s.gateway, { status: s, seen: Date.now() });
    }
    if (node?.size === 0) this.#gateways.delete(s.node);
    this.#publishSwitches();
  }

  /** A gateway silent for three of its periods is gone (killed, or cut off from NATS). */
  #expire(): void {
    const now = Date.now();
    let changed = false;
    for (const [name, node] of this.#gateways) {
      for (const [id, g] of node) {
        if (now - g.seen <= 3 * g.status.announceMs) continue;
        node.delete(id);
        changed = true;
      }
      if (node.size === 0) this.#gateways.delete(name);
    }
    if (changed) this.#publishSwitches();
  }

  #publishSwitches(): void {
    this.#multi.clear();
    for (const [node, gateways] of this.#gateways) {
      let publishing = 0;
      for (const g of gateways.values()) if (g.status.publishing) publishing++;
      if (publishing > 1) this.#multi.add(node);
    }
    const list: SwitchInfo[] = [];
    for (const [node, gateways] of this.#gateways) {
      const up = [...gateways.values()].filter((g) => g.status.state === 'up');
      if (up.length === 0) continue;
      const info: SwitchInfo = { node, gateways: up.map((g) => g.status.gateway).sort() };
      const version = up.find((g) => g.status.version)?.status.version;
      const core = up.find((g) => g.status.coreUuid)?.status.coreUuid;
      if (version !== undefined) info.version = version;
      if (core !== undefined) info.coreUuid = core;
      list.push(info);
    }
    list.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.#switches.next(list);
  }

  /** connecting until a gateway of the node has been seen up, then ready or reconnecting as it comes and goes. */
  #stateOf(node: string): Observable<ConnectionState> {
    let seenUp = false;
    return this.#switches.pipe(
      map((list) => {
        const up = list.some((s) => s.node === node);
        seenUp ||= up;
        return up ? 'ready' : seenUp ? 'reconnecting' : 'connecting';
      }),
      distinctUntilChanged(),
    );
  }

  /** Whether several gateways of the node publish events (JetStream HA): core views then drop the copies. */
  #copies(node: string): boolean {
    return this.#multi.has(node);
  }

  // ------------------------------------------------------------------ switches as connections

  /** A switch of the cluster, by node name: commands to its gateways, views on its events. One object per node. */
  switch(node: string): RemoteSwitch {
    let s = this.#remote.get(node);
    if (!s) {
      this.#subjects.node(node);
      let made: RemoteSwitch | undefined;
      made = new RemoteSwitch(node, this.#link, this.#views, this.#failOnError, () => {
        if (made !== undefined && this.#remote.get(node) === made) this.#remote.delete(node);
      });
      // A handle of a closed client is closed at once: not kept.
      if (made.state !== 'closed') this.#remote.set(node, made);
      s = made;
    }
    return s;
  }

  // ------------------------------------------------------------------ views

  /** Events with one of these names, from every switch (a subscription per name). */
  eventsNamed(...names: EventName[]): Observable<ClusterEvent> {
    return this.#named(names, undefined, false);
  }

  /** CUSTOM events of that subclass, from every switch. */
  customEvents(subclass: string): Observable<ClusterEvent> {
    return this.#eventView([this.#subjects.custom(subclass)]);
  }

  /** Events of one channel (Unique-ID), whichever switch it is on. */
  channelEvents(uuid: string): Observable<ClusterEvent> {
    return this.#eventView(this.#subjects.channel(uuid), (h) => h?.get('Unique-ID') === uuid);
  }

  /** Events of one job (Job-UUID). */
  jobEvents(jobUuid: string): Observable<ClusterEvent> {
    return this.#eventView([this.#subjects.job(jobUuid)], (h) => h?.get('Job-UUID') === jobUuid);
  }

  #named(names: readonly string[], node: string | undefined, live: boolean): Observable<ClusterEvent> {
    return this.#eventView(
      names.map((n) => this.#subjects.named(n, node)),
      undefined,
      live,
    );
  }

  /**
   * A view on some subjects: core subscriptions, or (with jetstream, unless `live`) ordered
   * consumers of the stream. `exact` checks a header the subject cannot pin down alone (a
   * channel view's subjects also match a job whose Job-UUID is that uuid).
   */
  #eventView(subjects: string[], exact?: (h: MsgHdrs | undefined) => boolean, live = false): Observable<ClusterEvent> {
    return new Observable<ClusterEvent>((subscriber) => {
      if (this.#closed) {
        subscriber.complete();
        return undefined;
      }
      this.#live.add(subscriber);
      const deliver = (m: EventMessage): boolean => {
        if (exact && !exact(m.headers)) return false;
        const ev = this.#decode(m);
        if (ev instanceof Error) {
          this.#errors.next(ev);
          return false;
        }
        subscriber.next(ev);
        return true;
      };
      const stop = this.#js && !live ? this.#consume(subjects, deliver, subscriber) : this.#subscribe(subjects, deliver);
      return () => {
        this.#live.delete(subscriber);
        stop();
      };
    });
  }

  #subscribe(subjects: string[], deliver: (m: EventMessage) => boolean): () => void {
    const dedupe = new Deduper();
    const subs = subjects.map((subject) =>
      this.#nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) {
            this.#errors.next(err);
            return;
          }
          const node = this.#nodeOf(msg.subject);
          if (node !== undefined && this.#copies(node)) {
            const h = msg.headers;
            if (!dedupe.fresh(h?.get('Core-UUID'), h?.get('Event-Sequence'))) return;
          }
          deliver(msg);
        },
      }),
    );
    return () => {
      for (const s of subs) s.unsubscribe();
    };
  }

  /** Ordered consumers from now on, one per subject (nats-server 2.9 takes one filter per consumer). */
  #consume(subjects: string[], deliver: (m: EventMessage) => boolean, subscriber: Subscriber<ClusterEvent>): () => void {
    const js = this.#js!;
    let stopped = false;
    const running: ConsumerMessages[] = [];
    for (const filter of subjects) {
      const starting = (async () => {
        const consumer = await js.consumers.get(this.#stream!, { filter_subjects: filter, deliver_policy: 'new' as never });
        if (stopped) return;
        // Short pulls: after nats-server restarts, the consumer is found gone (and made again from the last event seen) within ~2 s.
        const messages = await consumer.consume({ expires: PULL_EXPIRES_MS, callback: (m) => void deliver(m) });
        if (stopped) void messages.close();
        else running.push(messages);
      })().catch((err: unknown) => {
        if (!stopped) subscriber.error(new EslError(`cannot read the JetStream stream ${this.#stream}: ${(err as Error).message}`, { cause: err }));
      });
      this.#starting.add(starting);
      void starting.finally(() => this.#starting.delete(starting));
    }
    return () => {
      stopped = true;
      for (const m of running) void m.close();
    };
  }

  #nodeOf(subject: string): string | undefined {
    const i = this.#subjects.prefix.length + 1;
    const j = subject.indexOf('.', i);
    const token = subject.slice(i, j < 0 ? undefined : j);
    let node = this.#nodeCache.get(token);
    if (node === undefined) {
      node = this.#subjects.nodeOf(subject);
      if (node !== undefined && this.#nodeCache.size < 4096) this.#nodeCache.set(token, node);
    }
    return node;
  }

  /**
   * An event from a message: the format from its Content-Type, the payload parsed by the
   * protocol layer (plain lazily), its Event-Name checked against the subject, its node attached.
   * Anything else is an EslProtocolError for errors$, never a crash.
   */
  #decode(m: EventMessage): ClusterEvent | Error {
    let parts = this.#parsed.get(m.subject);
    if (parts === undefined) {
      parts = this.#subjects.parseEvent(m.subject);
      if (parts !== undefined) {
        if (this.#parsed.size >= 8192) this.#parsed.clear();
        this.#parsed.set(m.subject, parts);
      }
    }
    if (!parts) return new EslProtocolError('MALFORMED_EVENT', `a message on ${m.subject}, which is not an event subject: dropped`);
    const ct = m.headers?.get('Content-Type');
    const format = eventFormatOf(ct);
    if (!format) return new EslProtocolError('MALFORMED_EVENT', `a message on ${m.subject} whose Content-Type is ${JSON.stringify(ct ?? null)}, not an event format: dropped`);
    if (m.data.length === 0) return new EslProtocolError('MALFORMED_EVENT', `an empty message on ${m.subject}: dropped`);
    let ev: EslEvent;
    try {
      ev = EslEvent.parse(format, m.data);
      if (ev.name !== parts.name) {
        return new EslProtocolError('MALFORMED_EVENT', `the payload on ${m.subject} is ${ev.name ? `a ${ev.name} event` : 'not an event'}: dropped`, {
          excerpt: Buffer.from(m.data.buffer, m.data.byteOffset, Math.min(240, m.data.byteLength)).toString('utf8'),
        });
      }
    } catch (err) {
      return err instanceof EslProtocolError ? err : new EslProtocolError('MALFORMED_EVENT', `the payload on ${m.subject} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    Object.defineProperty(ev, 'node', { value: parts.node, enumerable: true });
    return ev as ClusterEvent;
  }

  // ------------------------------------------------------------------ calls

  /**
   * New calls shared between the workers of a queue group: each call goes to exactly one
   * worker, with its later events (see docs/cluster.md, "Sharing calls").
   */
  calls$(options: CallsOptions): Observable<ClusterCall> {
    return callsOf(
      {
        nc: this.#nc,
        js: this.#js,
        stream: this.#stream,
        subjects: this.#subjects,
        decode: (m) => this.#decode(m),
        switchOf: (node) => this.switch(node),
        report: (err) => this.#errors.next(err),
        closed: () => this.#closed,
        onClose: (fn) => {
          this.#onClose.add(fn);
          return () => this.#onClose.delete(fn);
        },
      },
      options,
    );
  }

  /** Resolves once the views subscribed before it are in force (nats-server has their subscriptions, their consumers exist). */
  async flush(): Promise<void> {
    await Promise.all([...this.#starting]);
    await this.#nc.flush();
  }

  // ------------------------------------------------------------------ closing

  /** Fails the commands still waiting (EslDisconnectedError), completes every stream, and closes the NATS connection if it opened it. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    for (const fn of [...this.#onClose]) fn();
    for (const s of [...this.#remote.values()]) await s.close();
    this.#link.close();
    this.#statusSub?.unsubscribe();
    if (this.#expiry !== undefined) clearInterval(this.#expiry);
    for (const s of [...this.#live]) s.complete();
    this.#live.clear();
    this.#switches.complete();
    this.#errors.complete();
    if (this.#owned) await this.#nc.drain().catch(() => this.#nc.close());
  }
}

