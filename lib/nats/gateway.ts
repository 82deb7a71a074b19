/**
 * Gateway: one FreeSWITCH on NATS. It holds a reconnecting rxesl Connection to the switch and a
 * NATS connection, and
 * - publishes every event the switch sends on `<prefix>.<node>.event.<name>[.<subclass>].<id>`,
 *   the frame's body as it came (core NATS, or into a JetStream stream with a Nats-Msg-Id);
 * - serves commands on `<prefix>.<node>.cmd` (a queue group: redundant gateways share them),
 *   running each on its Connection and streaming back what it emits, errors included;
 * - announces itself on `<prefix>.<node>.status` (state, version) when it changes, every
 *   `announceMs`, and when a client asks on `<prefix>.discover`.
 *
 * Several gateways may serve one node (high availability). On core NATS only the oldest one
 * that is up publishes events, so subscribers get each event once; with JetStream they all
 * publish and the stream drops the copies. Commands go to one of them, whichever NATS picks.
 */
import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/nats-core';
import { BehaviorSubject, type Observable, Subject, type Subscription, firstValueFrom } from 'rxjs';
import { DEFAULT_BACKOFF, backoffDelay } from '../connection/backoff.js';
import { Connection, type ConnectionOptions, type ConnectionState, type ReconnectOptions } from '../connection/connection.js';
import { EslAuthError, EslDisconnectedError, EslError, EslProtocolError } from '../errors.js';
import { ContentType, type EventFormat } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import { type Routing, routingOf } from './routing.js';
import type { EventName } from '../protocol/event-names.js';
import type { Frame } from '../protocol/frame.js';
import { loadJetstream, type NatsModule } from './load.js';
import { type NatsInput, openNats } from './nats-connection.js';
import { DEFAULT_STREAM, StreamPublisher, type StreamOptions, ensureStream } from './stream.js';
import { Subjects, escapeToken } from './subjects.js';
import {
  Arg,
  type CommandRequest,
  type CommandValue,
  type GatewayStatus,
  H_BEAT,
  H_REPLY,
  H_VALUE,
  ROUTING_HEADERS,
  type ReplyKind,
  decodeRequest,
  decodeStatus,
  encodeError,
  encodeStatus,
  encodeValue,
} from './wire.js';

export interface GatewayOptions {
  /** An open NATS connection (left open by close()), or options to open one (`{ servers: 'nats://...' }`). */
  nats: NatsInput;
  /** The switch's name in subjects and announcements (fs1, pbx-paris...). */
  node: string;
  /** How to reach the switch (host, port, password...). The gateway always reconnects. */
  esl?: Omit<ConnectionOptions, 'reconnect' | 'whileReconnecting' | 'eventFormat'> & { reconnect?: ReconnectOptions };
  /** The events asked for (`event <format> ...`). Default ALL. */
  events?: readonly EventName[];
  /** The format asked for; events are published in it. Default plain (decoded lazily by workers). */
  eventFormat?: EventFormat;
  /** Publish into a JetStream stream (true for the defaults). Default false: core NATS. */
  jetstream?: boolean | StreamOptions;
  /** First token(s) of every subject. Default `esl`. */
  prefix?: string;
  /** How often the gateway announces itself, ms. Default 2,000. */
  announceMs?: number;
  /** This gateway's id in announcements. Default a new UUID. */
  id?: string;
  /** Core NATS: how long start() waits for the node's other gateways to answer before deciding which publishes, ms. Default 250. */
  electionMs?: number;
}

export type GatewayState = 'up' | 'down' | 'stopped';

/** What a gateway has done so far. */
export interface GatewayStats {
  /** Events published (core), or handed to the stream publisher (JetStream). */
  published: number;
  /** Events acknowledged by the stream (JetStream). */
  stored: number;
  /** Events not published: too large for NATS, unreadable, or over the JetStream buffer. */
  dropped: number;
  /** Commands served. */
  commands: number;
}

/** Commands of which the gateway answers nothing before they end: sent as one `last` message. */
interface InFlight {
  reply: string;
  beatMs: number;
  lastSent: number;
  sub: Subscription | undefined;
  held: CommandValue;
  holding: boolean;
  done: boolean;
}

const QUEUE = 'rxesl-gateways';
const BEAT_TICK_MS = 100;
const MIN_BEAT_MS = 100;

/** A value a NATS header can carry, or undefined. */
const headerSafe = (v: string | undefined): string | undefined => (v === undefined || v === '' || v.includes('\n') || v.includes('\r') ? undefined : v);

const isEventType = (ct: string | undefined): boolean => ct === ContentType.EventPlain || ct === ContentType.EventJson || ct === ContentType.EventXml;

export class Gateway {
  readonly node: string;
  readonly id: string;
  readonly startedAt = Date.now();
  /** Problems that do not stop the gateway: a switch connection lost, an event not published, a bad request. */
  readonly errors$: Observable<Error>;
  /** up (connected to the switch), down, stopped; replays the current one. */
  readonly state$: Observable<GatewayState>;

  readonly #nc: NatsConnection;
  readonly #owned: boolean;
  readonly #nats: NatsModule;
  readonly #subjects: Subjects;
  readonly #nodeToken: string;
  readonly #esl: GatewayOptions['esl'];
  readonly #events: readonly EventName[];
  readonly #format: EventFormat;
  readonly #announceMs: number;
  readonly #electionMs: number;
  readonly #streamName: string | undefined;
  readonly #publisher: StreamPublisher | undefined;
  readonly #errors = new Subject<Error>();
  readonly #state = new BehaviorSubject<GatewayState>('down');
  readonly #inflight = new Map<string, InFlight>();
  readonly #natsSubs: NatsSubscription[] = [];
  readonly #peers = new Map<string, { startedAt: number; state: GatewayStatus['state']; seen: number; announceMs: number }>();
  readonly #stats: GatewayStats = { published: 0, stored: 0, dropped: 0, commands: 0 };

  #conn: Connection | undefined;
  /** The connection whose events have been asked for: its `ready` means up. */
  #subscribed: Connection | undefined;
  #connSubs: Subscription[] = [];
  #cmdSub: NatsSubscription | undefined;
  #beatTimer: ReturnType<typeof setInterval> | undefined;
  #announceTimer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #version: string | undefined;
  #coreUuid: string | undefined;
  /** Core NATS: false until the gateway has heard from its peers, then whether it is the oldest up. */
  #publishing = false;
  #electing = true;
  #closing: Promise<void> | undefined;

  private constructor(options: GatewayOptions, nc: NatsConnection, owned: boolean, nats: NatsModule, js: JetStreamClient | undefined) {
    this.node = options.node;
    this.id = options.id ?? randomUUID();
    this.#nc = nc;
    this.#owned = owned;
    this.#nats = nats;
    this.#subjects = new Subjects(options.prefix);
    this.#nodeToken = escapeToken(options.node);
    this.#esl = options.esl;
    this.#events = options.events ?? ['ALL'];
    this.#format = options.eventFormat ?? 'plain';
    this.#announceMs = Math.max(50, options.announceMs ?? 2000);
    this.#electionMs = Math.max(0, options.electionMs ?? 250);
    const stream = options.jetstream === true ? {} : options.jetstream || undefined;
    this.#streamName = stream ? (stream.stream ?? DEFAULT_STREAM) : undefined;
    this.#publisher = js && stream ? new StreamPublisher(js, stream, (err) => this.#errors.next(err)) : undefined;
    this.errors$ = this.#errors.asObservable();
    this.state$ = this.#state.asObservable();
  }

  /**
   * Connects to NATS (and makes sure the stream exists, with jetstream), announces itself and
   * connects to the switch. Resolves once the first attempt at the switch is over: connected
   * (state up) or not (state down, retrying with backoff; the failure is on errors$). Rejects
   * when NATS cannot be reached, the stream cannot be made, or the switch refuses the password.
   */
  static async start(options: GatewayOptions): Promise<Gateway> {
    if (typeof options.node !== 'string' || options.node === '') throw new EslError('Gateway.start needs a node name');
    escapeToken(options.node);
    const { nc, owned, nats } = await openNats(options.nats, `rxesl-gateway ${options.node}`);
    let js: JetStreamClient | undefined;
    try {
      if (options.jetstream) {
        const { jetstream, jetstreamManager } = await loadJetstream();
        const stream = options.jetstream === true ? {} : options.jetstream;
        const subjects = new Subjects(options.prefix);
        await ensureStream(await jetstreamManager(nc), stream.stream ?? DEFAULT_STREAM, [subjects.allEvents()], stream);
        js = jetstream(nc);
      }
      const gw = new Gateway(options, nc, owned, nats, js);
      await gw.#begin();
      return gw;
    } catch (err) {
      if (owned) await nc.close().catch(() => undefined);
      throw err;
    }
  }

  // ------------------------------------------------------------------ state

  get state(): GatewayState {
    return this.#state.value;
  }

  /** The Connection to the switch (undefined before the first connect and after close). */
  get connection(): Connection | undefined {
    return this.#conn;
  }

  /** Whether this gateway publishes the node's events now (with JetStream: always while up). */
  get publishing(): boolean {
    return this.#publishing;
  }

  get stats(): Readonly<GatewayStats> {
    return { ...this.#stats, stored: this.#publisher?.acked ?? this.#stats.stored, dropped: this.#stats.dropped + (this.#publisher?.dropped ?? 0) };
  }

  get status(): GatewayStatus {
    const s: GatewayStatus = {
      node: this.node,
      gateway: this.id,
      state: this.#state.value,
      startedAt: this.startedAt,
      announceMs: this.#announceMs,
      publishing: this.#publishing,
      format: this.#format,
      events: [...this.#events],
    };
    if (this.#version !== undefined) s.version = this.#version;
    if (this.#coreUuid !== undefined) s.coreUuid = this.#coreUuid;
    if (this.#streamName !== undefined) s.stream = this.#streamName;
    return s;
  }

  async #begin(): Promise<void> {
    const nc = this.#nc;
    this.#natsSubs.push(
      nc.subscribe(this.#subjects.status(this.node), { callback: (err, msg) => (err ? this.#errors.next(err) : this.#onPeer(msg)) }),
      nc.subscribe(this.#subjects.cancel(this.node), { callback: (err, msg) => (err ? this.#errors.next(err) : this.#onCancel(msg)) }),
      nc.subscribe(this.#subjects.discover(), { callback: (err) => (err ? this.#errors.next(err) : this.#announce()) }),
    );
    this.#announceTimer = setInterval(() => {
      this.#elect();
      this.#announce();
    }, this.#announceMs);
    // Ask the node's other gateways to announce themselves before deciding who publishes.
    nc.publish(this.#subjects.discover());
    await nc.flush();
    await this.#connectSwitch(true);
    // On core NATS, the other gateways' answers to discover are on their way (a round trip):
    // wait for them before deciding who publishes, so start() resolves publishing or not, for good.
    if (!this.#publisher) await new Promise((resolve) => setTimeout(resolve, this.#electionMs));
    this.#electing = false;
    this.#elect();
    this.#announce();
  }

  // ------------------------------------------------------------------ the switch

  /** One attempt at the switch; on failure, retries with backoff in the background. */
  async #connectSwitch(first: boolean, attempt = 1): Promise<void> {
    if (this.#closing) return;
    const reconnect = { ...DEFAULT_BACKOFF, ...this.#esl?.reconnect };
    const conn = Connection.create({ ...this.#esl, reconnect, whileReconnecting: 'fail', eventFormat: this.#format });
    this.#watch(conn);
    try {
      await conn.open();
      await firstValueFrom(conn.events(this.#format, this.#events));
      this.#subscribed = conn;
    } catch (err) {
      this.#unwatch();
      conn.destroy();
      if (first && err instanceof EslAuthError) throw err;
      this.#errors.next(err as Error);
      if (!this.#closing) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          void this.#connectSwitch(false, attempt + 1);
        }, backoffDelay(attempt, reconnect));
      }
      return;
    }
    this.#onSwitchState(conn.state);
  }

  #watch(conn: Connection): void {
    this.#conn = conn;
    this.#connSubs = [
      conn.frames$.subscribe((frame) => this.#onFrame(frame)),
      conn.errors$.subscribe((err) => this.#errors.next(err)),
      conn.state$.subscribe({
        next: (s) => {
          // The first ready counts once the events are asked for (#connectSwitch); later ones (after a reconnect) at once.
          if (s !== 'ready' || this.#subscribed === conn) this.#onSwitchState(s);
        },
        complete: () => this.#onSwitchClosed(conn),
      }),
    ];
  }

  #unwatch(): void {
    for (const s of this.#connSubs) s.unsubscribe();
    this.#connSubs = [];
  }

  #onSwitchState(s: ConnectionState): void {
    if (this.#closing) return;
    const up = s === 'ready' || s === 'lingering';
    if (up === (this.#state.value === 'up')) return;
    this.#state.next(up ? 'up' : 'down');
    if (up) {
      this.#serveCommands();
      void this.#readVersion();
    } else {
      this.#cmdSub?.unsubscribe();
      this.#cmdSub = undefined;
    }
    this.#elect();
    this.#announce();
  }

  /** The Connection gave up (a password change: EslAuthError): start over with a new one. */
  #onSwitchClosed(conn: Connection): void {
    if (this.#closing || this.#conn !== conn) return;
    this.#unwatch();
    this.#onSwitchState('closed');
    if (conn.closeReason) this.#errors.next(conn.closeReason);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connectSwitch(false, 2);
    }, backoffDelay(2, DEFAULT_BACKOFF));
  }

  async #readVersion(): Promise<void> {
    const conn = this.#conn;
    if (!conn) return;
    try {
      const r = await firstValueFrom(conn.api('version', undefined, { timeout: 5000 }));
      const version = r.text.trim();
      if (version !== this.#version) {
        this.#version = version;
        this.#announce();
      }
    } catch (err) {
      this.#errors.next(err as Error);
    }
  }

  // ------------------------------------------------------------------ events

  #onFrame(frame: Frame): void {
    const ct = frame.contentType;
    if (!isEventType(ct) || !this.#publishing) return;
    let r: Routing;
    try {
      r = routingOf(frame);
    } catch (err) {
      this.#drop(err as Error);
      return;
    }
    const name = r.name;
    if (!name) {
      this.#drop(new EslProtocolError('MALFORMED_EVENT', `an event without Event-Name: ${frame}`));
      return;
    }
    const core = headerSafe(r.coreUuid);
    const seq = headerSafe(r.sequence);
    if (core !== undefined && core !== this.#coreUuid) {
      this.#coreUuid = core;
      this.#announce();
    }
    let subject: string;
    try {
      subject = this.#subjects.event(this.#nodeToken, name, name === 'CUSTOM' ? r.subclass || undefined : undefined, r.uniqueId, r.jobUuid);
    } catch (err) {
      this.#drop(err as Error);
      return;
    }
    // A value NATS headers cannot hold (CR, LF) stays in the payload only. Every value is
    // checked here, so the headers are built as they are (the gateway's hot path).
    const record: Record<string, string[]> = { 'Content-Type': [ct!] };
    const values = [headerSafe(name), headerSafe(r.uniqueId), headerSafe(r.jobUuid), core, seq];
    for (let i = 0; i < values.length; i++) if (values[i] !== undefined) record[ROUTING_HEADERS[i]!] = [values[i]!];
    const headers = this.#nats.MsgHdrsImpl.fromRecord(record);
    try {
      if (this.#publisher) this.#publisher.publish(subject, frame.body, headers, core !== undefined && seq !== undefined ? `${core}:${seq}` : undefined);
      else this.#nc.publish(subject, frame.body, { headers });
      this.#stats.published++;
    } catch (err) {
      // max_payload exceeded (1 MiB by default), or the connection closed under us.
      this.#drop(new EslError(`${name} event (${frame.body.length} bytes) not published on ${subject}: ${(err as Error).message}`, { cause: err }));
    }
  }

  #drop(err: Error): void {
    this.#stats.dropped++;
    this.#errors.next(err);
  }

  // ------------------------------------------------------------------ who publishes (core NATS)

  #onPeer(msg: Msg): void {
    let s: GatewayStatus;
    try {
      s = decodeStatus(msg.data);
    } catch (err) {
      this.#errors.next(err as Error);
      return;
    }
    if (s.gateway === this.id || s.node !== this.node) return;
    if (s.state === 'stopped') this.#peers.delete(s.gateway);
    else this.#peers.set(s.gateway, { startedAt: s.startedAt, state: s.state, seen: Date.now(), announceMs: s.announceMs });
    this.#elect();
  }

  /** With JetStream every gateway publishes; on core NATS the oldest gateway that is up does. */
  #elect(): void {
    let publish = this.#state.value === 'up' && !this.#electing;
    if (publish && !this.#publisher) {
      const now = Date.now();
      for (const [id, p] of this.#peers) {
        if (now - p.seen > 3 * p.announceMs) {
          this.#peers.delete(id);
          continue;
        }
        const older = p.startedAt < this.startedAt || (p.startedAt === this.startedAt && id < this.id);
        if (p.state === 'up' && older) publish = false;
      }
    }
    if (publish !== this.#publishing) {
      this.#publishing = publish;
      this.#announce();
    }
  }

  #announce(): void {
    if (this.#nc.isClosed()) return;
    try {
      this.#nc.publish(this.#subjects.status(this.node), encodeStatus(this.status));
    } catch (err) {
      this.#errors.next(err as Error);
    }
  }

  // ------------------------------------------------------------------ commands

  #serveCommands(): void {
    if (this.#cmdSub || this.#closing) return;
    this.#cmdSub = this.#nc.subscribe(this.#subjects.cmd(this.node), {
      queue: QUEUE,
      callback: (err, msg) => (err ? this.#errors.next(err) : this.#onCommand(msg)),
    });
  }

  #onCommand(msg: Msg): void {
    const reply = msg.reply;
    if (!reply) {
      this.#errors.next(new EslProtocolError('UNEXPECTED_FRAME', `a command on ${msg.subject} without a reply subject: dropped`));
      return;
    }
    this.#stats.commands++;
    let source: Observable<CommandValue>;
    try {
      source = this.#run(decodeRequest(msg.data));
    } catch (err) {
      this.#errors.next(err as Error);
      this.#send(reply, 'error', encodeError(err));
      return;
    }
    const beat = Number(msg.headers?.get(H_BEAT));
    const entry: InFlight = { reply, beatMs: Number.isFinite(beat) ? Math.min(60_000, Math.max(MIN_BEAT_MS, beat)) : 1000, lastSent: Date.now(), sub: undefined, held: undefined, holding: false, done: false };
    this.#inflight.set(reply, entry);
    this.#startBeats();
    entry.sub = source.subscribe({
      next: (v) => this.#hold(entry, v),
      error: (err) => {
        this.#release(entry);
        this.#finish(entry);
        this.#send(reply, 'error', encodeError(err));
      },
      complete: () => {
        this.#finish(entry);
        if (entry.holding) this.#sendValue(reply, 'last', entry.held);
        else this.#send(reply, 'complete');
      },
    });
  }

  /** Runs a request on the switch connection: only these methods, with arguments of the right types. */
  #run(req: CommandRequest): Observable<CommandValue> {
    const conn = this.#conn;
    if (!conn || this.#state.value !== 'up') throw new EslDisconnectedError(`the gateway of ${this.node} is not connected to its switch`);
    const a = req.args;
    const options = { timeout: Arg.optNumber(a, 'timeout'), failOnError: Arg.optBoolean(a, 'failOnError') };
    switch (req.method) {
      case 'api':
        return conn.api(Arg.string(a, 'command'), Arg.optString(a, 'args'), options);
      case 'bgapi':
        return conn.bgapi(Arg.string(a, 'command'), Arg.optString(a, 'args'), { ...options, jobUuid: Arg.optString(a, 'jobUuid'), jobTimeout: Arg.optNumber(a, 'jobTimeout') });
      case 'execute':
        return conn.execute(Arg.string(a, 'app'), Arg.optString(a, 'arg'), {
          ...options,
          uuid: Arg.optString(a, 'uuid'),
          eventUuid: Arg.optString(a, 'eventUuid'),
          eventUuidName: Arg.optString(a, 'eventUuidName'),
          eventLock: Arg.optBoolean(a, 'eventLock'),
          async: Arg.optBoolean(a, 'async'),
          loops: Arg.optNumber(a, 'loops'),
          holdBleg: Arg.optBoolean(a, 'holdBleg'),
          completionTimeout: Arg.optNumber(a, 'completionTimeout'),
        });
      case 'sendMsg':
        return conn.sendMsg(Arg.optString(a, 'uuid'), Arg.pairs(a, 'headers'), Arg.optString(a, 'body'), options);
      case 'hangup':
        return conn.hangup(Arg.optString(a, 'cause'), Arg.optString(a, 'uuid'), options);
      case 'sendEvent':
        return conn.sendEvent(EslEvent.parse('plain', Arg.string(a, 'event')), options);
      case 'events':
        // Additive only, in the gateway's own format: one worker never takes events from another.
        // The names were checked by the worker's RemoteSwitch (unless it asked for strict: false).
        return conn.events(this.#format, Arg.stringList(a, 'names') as EventName[], { ...options, strict: false });
      case 'getvar':
        return conn.getvar(Arg.string(a, 'name'), options);
    }
  }

  /**
   * Most commands emit one value and complete at once (api): they go back as one `last`
   * message. A value is held until the end of the current turn; a later value or the end of
   * the turn sends it as `next` (bgapi's command/reply goes out before its job completes).
   */
  #hold(entry: InFlight, v: CommandValue): void {
    this.#release(entry);
    entry.held = v;
    entry.holding = true;
    queueMicrotask(() => this.#release(entry));
  }

  #release(entry: InFlight): void {
    if (!entry.holding || entry.done) return;
    entry.holding = false;
    const v = entry.held;
    entry.held = undefined;
    this.#sendValue(entry.reply, 'next', v);
  }

  #finish(entry: InFlight): void {
    entry.done = true;
    this.#inflight.delete(entry.reply);
    if (this.#inflight.size === 0) this.#stopBeats();
  }

  #sendValue(reply: string, kind: 'next' | 'last', v: CommandValue): void {
    let encoded;
    try {
      encoded = encodeValue(v);
    } catch (err) {
      this.#send(reply, 'error', encodeError(err));
      return;
    }
    this.#send(reply, kind, encoded.payload, encoded.kind);
  }

  #send(reply: string, kind: ReplyKind, payload?: Uint8Array, valueKind?: string): void {
    const entry = this.#inflight.get(reply);
    if (entry) entry.lastSent = Date.now();
    const headers = this.#nats.headers();
    headers.set(H_REPLY, kind);
    if (valueKind !== undefined) headers.set(H_VALUE, valueKind);
    try {
      this.#nc.publish(reply, payload, { headers });
    } catch (err) {
      this.#errors.next(err as Error);
      // Too large for NATS (a huge api output): the caller still gets an answer, and an error.
      if (kind === 'next' || kind === 'last') this.#send(reply, 'error', encodeError(new EslError(`the reply (${payload?.length ?? 0} bytes) could not be sent over NATS: ${(err as Error).message}`)));
    }
  }

  #onCancel(msg: Msg): void {
    const entry = this.#inflight.get(msg.string());
    if (!entry) return;
    this.#finish(entry);
    entry.sub?.unsubscribe();
  }

  #startBeats(): void {
    this.#beatTimer ??= setInterval(() => {
      const now = Date.now();
      for (const e of this.#inflight.values()) if (now - e.lastSent >= e.beatMs) this.#send(e.reply, 'beat');
    }, BEAT_TICK_MS);
  }

  #stopBeats(): void {
    if (this.#beatTimer !== undefined) clearInterval(this.#beatTimer);
    this.#beatTimer = undefined;
  }

  // ------------------------------------------------------------------ closing

  /**
   * Stops serving commands (those in flight fail at their callers with EslDisconnectedError),
   * announces `stopped`, waits up to `flushMs` for the stream to acknowledge what it holds,
   * closes the switch connection, and closes the NATS connection if it opened it.
   */
  close(options: { flushMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.flushMs ?? 5000);
    return this.#closing;
  }

  async #close(flushMs: number): Promise<void> {
    this.#cmdSub?.unsubscribe();
    this.#cmdSub = undefined;
    for (const entry of [...this.#inflight.values()]) {
      this.#finish(entry);
      entry.sub?.unsubscribe();
      this.#send(entry.reply, 'error', encodeError(new EslDisconnectedError(`the gateway of ${this.node} closed before the command completed`)));
    }
    this.#stopBeats();
    if (this.#announceTimer !== undefined) clearInterval(this.#announceTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#publishing = false;
    this.#state.next('stopped');
    this.#announce();
    if (this.#publisher) {
      const left = await this.#publisher.flush(flushMs);
      this.#publisher.stop();
      if (left > 0) this.#errors.next(new EslError(`closed with ${left} events the stream had not acknowledged`));
    }
    this.#unwatch();
    await this.#conn?.close();
    for (const s of this.#natsSubs) s.unsubscribe();
    if (this.#owned) await this.#nc.drain().catch(() => this.#nc.close());
    else if (!this.#nc.isClosed()) await this.#nc.flush().catch(() => undefined);
    this.#state.complete();
    this.#errors.complete();
  }
}
