/**
 * FakeSwitch: a FreeSWITCH 1.10 Event Socket emulator on a real TCP port.
 *
 * ```ts
 * const fs = await FakeSwitch.start({ password: 'ClueCon' });
 * // connect any ESL client to 127.0.0.1:fs.port
 * await fs.stop();
 * ```
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { EslEvent } from '../../protocol/event.js';
import { ServerFrames } from '../../switch/server-frames.js';
import type { ApiCall, ApiDescription } from './api.js';
import { registerChannelApis } from './api-channels.js';
import { registerCoreApis } from './api-core.js';
import { registerShowApi } from './api-show.js';
import type { AppOptions } from './applications.js';
import { registerControlApps } from './apps-control.js';
import { registerMediaApps } from './apps-media.js';
import { placeCall, pressDigits, type CallOptions, type FakeCall } from './calls.js';
import type { AppContext, AppHandler, Channel, ChannelInfo } from './channel.js';
import { Scheduler, type Clock } from './clock.js';
import { SwitchCore } from './core.js';
import type { Dialplan, ExtensionDefinition } from './dialplan.js';
import { EndpointRegistry, type EndpointBehavior } from './endpoints.js';
import { SITES } from './events.js';
import type { FaultOptions, MalformedFrameKind } from './faults.js';
import { Heartbeat } from './heartbeat.js';
import { Listener, type ListenerHost, type ReceivedCommand } from './listener.js';
import type { FakeLogLine, LogOrigin } from './logger.js';
import { resolveOptions, type FakeSwitchOptions, type ResolvedOptions } from './options.js';
import { originate } from './originate.js';
import { runSocketApplication } from './outbound.js';
import { runAfterOriginate } from './routing.js';
import { startTraffic, type TrafficHandle, type TrafficOptions } from './traffic.js';

/** What an API handler is given besides its arguments. */
export interface ApiContext extends ApiCall {
  /** The emulator, to look at or change its channels. */
  readonly fake: FakeSwitch;
}

/**
 * An API command. It returns the body of the api/response (or of BACKGROUND_JOB). Throwing,
 * or returning a rejected promise, is FreeSWITCH's non-success status: the reply becomes
 * `-ERR <command> Command not found!\n`, whatever was printed.
 */
export type ApiHandler = (args: string, context: ApiContext) => string | Buffer | Promise<string | Buffer>;

/** How long stop() lets connections deliver the shutdown notice before dropping them (real ms). */
const STOP_GRACE_MS = 200;

/** A connection to FakeSwitch (inbound) or from it (outbound), as tests see it. */
export interface FakeConnection {
  readonly id: number;
  readonly mode: 'inbound' | 'outbound';
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Commands received on it, in order. */
  readonly commands: readonly ReceivedCommand[];
  readonly authed: boolean;
  /** The event format it asked for. */
  readonly format: 'plain' | 'json' | 'xml';
  /** The session it controls (outbound, or after `myevents <uuid>`). */
  readonly sessionUuid: string | undefined;
  /** Socket writes made so far (with chunkSizes, one per piece). */
  readonly writes: number;
  /** Events queued and not yet written (a client that does not read sees this grow). */
  readonly queuedEvents: number;
  readonly closed: boolean;
  /** Resolves once it is closed. */
  readonly whenClosed: Promise<void>;
  /** Ends it as FreeSWITCH would: the disconnect notice, then close. */
  close(): void;
  /** Drops it at once, writing nothing more. */
  destroy(): void;
  /** Cuts the connection inside the next frame written, after `at` bytes (default: half the frame). */
  dropMidFrame(at?: number): void;
  /** Writes a malformed frame. */
  sendMalformedFrame(kind?: MalformedFrameKind): void;
  /** Writes raw bytes. */
  writeRaw(bytes: Uint8Array): void;
  /** Applies faults to this connection only. */
  setFaults(faults: FaultOptions): void;
  /** Stops (false) or resumes (true) reading the client's socket. */
  setReading(on: boolean): void;
}

/** An event to inject with `fake.fire()`. */
export interface FireOptions {
  /** Event-Name (CUSTOM when a subclass is given). */
  name: string;
  subclass?: string;
  /** Headers after the core ones. */
  headers?: Record<string, string | number> | ReadonlyArray<readonly [string, string]>;
  body?: string;
  /** Add the channel's data (Channel-*, Caller-*, variables) of this uuid, as a channel event. */
  channelUuid?: string;
}

/**
 * A FreeSWITCH 1.10.12 Event Socket emulator. Start it with `FakeSwitch.start()`; it listens
 * on `host:port` and behaves like mod_event_socket, with simulated channels behind it.
 *
 * Events it emits (Node EventEmitter):
 * - `connection` (FakeConnection), `disconnect` (FakeConnection);
 * - `command` (ReceivedCommand, FakeConnection): every command a client sent;
 * - `channel` (ChannelInfo, 'create' | 'down' | 'destroy');
 * - `handlerError` (Error): a user API handler or application threw (recorded in `errors` too).
 *
 * Every event fired and every log line can be observed with `onEvent()` and `onLog()`.
 */
export class FakeSwitch extends EventEmitter {
  readonly #options: ResolvedOptions;
  #acl: ((remoteAddress: string) => boolean) | undefined;
  readonly #core: SwitchCore;
  readonly #scheduler: Scheduler;
  readonly #heartbeat: Heartbeat;
  readonly #endpoints: EndpointRegistry;
  #server: Server | undefined;
  #port = 0;
  #listeners = new Set<Listener>();
  #rawSockets = new Set<Socket>();
  #faults: FaultOptions;
  #received: ReceivedCommand[] = [];
  #stopped = false;
  #traffic = new Set<TrafficHandle>();
  /** Resolves when stop() starts (a restart waiting out its downtime gives up). */
  readonly #stopping: Promise<void>;
  #stop!: () => void;

  private constructor(options: FakeSwitchOptions) {
    super();
    this.#stopping = new Promise((resolve) => (this.#stop = resolve));
    this.#options = resolveOptions(options);
    this.#scheduler = new Scheduler(this.#options.clock);
    const core = (this.#core = new SwitchCore(this.#options, this.#scheduler));
    const endpoints = (this.#endpoints = new EndpointRegistry(core));
    const socket = (ctx: AppContext): Promise<void> =>
      runSocketApplication(core, ctx, (s, o) => {
        const l = new Listener(this.#host, s, { outbound: true, session: o.session, async: o.async, full: o.full });
        this.#adopt(l);
        return l;
      });
    registerControlApps(core.apps, { core, endpoints, socket });
    registerMediaApps(core.apps, core);
    registerCoreApis(core);
    registerChannelApis(core, endpoints);
    registerShowApi(core);
    for (const def of this.#options.dialplan) this.#core.dialplan.add(def);
    this.#faults = { ...this.#options.faults };
    this.#acl = this.#options.acl;
    this.#heartbeat = new Heartbeat(this.#core);
    this.#core.observeErrors((err) => {
      if (this.listenerCount('handlerError') > 0) this.emit('handlerError', err);
    });
    this.#core.observeChannels((ch, what) => {
      if (this.listenerCount('channel') > 0) this.emit('channel', ch.info(), what);
    });
  }

  /** Starts an emulator listening on `options.host:options.port` (port 0: a free one). */
  static async start(options: FakeSwitchOptions = {}): Promise<FakeSwitch> {
    const fake = new FakeSwitch(options);
    await fake.#listen(fake.#options.port);
    fake.#heartbeat.start();
    return fake;
  }

  // ------------------------------------------------------------------ server

  get #host(): ListenerHost {
    return {
      core: this.#core,
      faults: () => this.#faults,
      commandReceived: (c, l) => {
        this.#received.push(c);
        if (this.listenerCount('command') > 0) this.emit('command', c, l);
      },
      closed: (l) => {
        this.#listeners.delete(l);
        if (this.listenerCount('disconnect') > 0) this.emit('disconnect', l);
      },
    };
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // Half-open: a client that ends its side still gets the disconnect notice (listener_run
      // reads the end of its stream, then writes the notice and closes).
      const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
      server.once('error', reject);
      server.listen(port, this.#options.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.#core.reportError(err));
        const addr = server.address();
        this.#port = typeof addr === 'object' && addr ? addr.port : port;
        this.#server = server;
        resolve();
      });
    });
  }

  #accept(socket: Socket): void {
    if (this.#stopped) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const acl = this.#acl;
    let allowed = true;
    try {
      allowed = acl ? acl(socket.remoteAddress ?? '') : true;
    } catch (err) {
      this.#core.reportError(err);
      allowed = false;
    }
    if (!allowed) {
      // The ACL refuses: rude rejection instead of auth/request, the notice, then close.
      this.#rawSockets.add(socket);
      socket.on('close', () => this.#rawSockets.delete(socket));
      socket.write(ServerFrames.rudeRejection());
      socket.end(ServerFrames.disconnectNotice());
      return;
    }
    const l = new Listener(this.#host, socket, { outbound: false });
    this.#adopt(l);
    l.start();
  }

  #adopt(l: Listener): void {
    this.#listeners.add(l);
    if (this.listenerCount('connection') > 0) this.emit('connection', l);
  }

  /** The port it listens on. */
  get port(): number {
    return this.#port;
  }

  /** The address it listens on. */
  get host(): string {
    return this.#options.host;
  }

  /** The password `auth` expects. */
  get password(): string {
    return this.#options.password;
  }

  /** The clock it runs on. */
  get clock(): Clock {
    return this.#options.clock;
  }

  /** Core-UUID of its events. */
  get coreUuid(): string {
    return this.#options.coreUuid;
  }

  /**
   * Stops: closes every connection (with FreeSWITCH's shutdown notice), cancels every timer
   * and frees the port. The process can exit right after.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stop();
    this.#core.stopped = true;
    for (const t of this.#traffic) t.stop();
    this.#heartbeat.stop();
    // Closing a connection takes it out of #listeners: keep them to wait for their sockets.
    const open = [...this.#listeners];
    for (const l of open) l.kill('The system is being shut down.\n');
    for (const s of this.#rawSockets) s.destroy();
    this.#scheduler.close();
    const server = this.#server;
    this.#server = undefined;
    const serverClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const socketsClosed = Promise.all(open.map((l) => l.whenSocketClosed));
    // A client that does not read never lets the notice drain: after a short grace (real time,
    // whatever the clock), its socket is dropped.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([socketsClosed, new Promise<void>((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS).unref()))]);
    clearTimeout(grace);
    for (const l of open) l.destroy();
    await Promise.all([socketsClosed, serverClosed]);
    this.#listeners.clear();
    this.#core.reset();
    this.removeAllListeners();
  }

  /**
   * Simulates a FreeSWITCH restart: every connection is dropped without a notice, every
   * channel is gone, and after `downtimeMs` of clock time (default 0) it accepts again on
   * the same port.
   */
  async restart(options: { downtimeMs?: number } = {}): Promise<void> {
    if (this.#stopped) throw new Error('FakeSwitch.restart: stopped');
    this.#heartbeat.stop();
    for (const t of this.#traffic) t.stop();
    const server = this.#server;
    this.#server = undefined;
    for (const l of [...this.#listeners]) l.destroy();
    for (const s of this.#rawSockets) s.destroy();
    this.#listeners.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.#stopped) return;
    this.#scheduler.close();
    this.#core.reset();
    this.#scheduler.reopen();
    // A stopped scheduler never ends the sleep: stop() does.
    if (options.downtimeMs && options.downtimeMs > 0) await Promise.race([this.#scheduler.sleep(options.downtimeMs), this.#stopping]);
    if (this.#stopped) return;
    await this.#listen(this.#port);
    this.#heartbeat.start();
  }

  // ------------------------------------------------------------------ registries

  /** Registers (or replaces) an API command: `fake.api('mycmd', (args) => '+OK\n')`. */
  api(name: string, handler: ApiHandler, description?: ApiDescription): this {
    this.#core.apis.register(name, (args, call) => handler(args, { command: call.command, fake: this, sessionUuid: call.sessionUuid, background: call.background }), description);
    return this;
  }

  /** Registers (or replaces) a dialplan application. */
  app(name: string, handler: AppHandler, options?: AppOptions): this {
    this.#core.apps.register(name, handler, options);
    return this;
  }

  /** The dialplan (add(), clear(), catchAll). */
  get dialplan(): Dialplan {
    return this.#core.dialplan;
  }

  /** Adds a dialplan extension; returns a function that removes it. */
  extension(def: ExtensionDefinition): () => void {
    return this.#core.dialplan.add(def);
  }

  /**
   * Sets how a non-loopback dial string behaves (`user/1001`, /^sofia\//...): ring time,
   * early media, answer or a failure cause. A technology other than user, sofia, loopback and
   * error is dialable only through such a rule (otherwise CHAN_NOT_IMPLEMENTED, as FreeSWITCH
   * answers for an endpoint it does not have). Returns a function that removes the rule.
   */
  endpoint(pattern: string | RegExp, behavior: EndpointBehavior): () => void {
    return this.#endpoints.define(pattern, behavior);
  }

  /**
   * Replaces the inbound ACL: a client the function refuses gets text/rude-rejection and the
   * disconnect notice instead of auth/request. `undefined` allows everyone.
   */
  setAcl(acl: ((remoteAddress: string) => boolean) | undefined): void {
    this.#acl = acl;
  }

  /** Sets a global variable ($${name}). */
  setGlobal(name: string, value: string): void {
    this.#core.globals.set(name, value);
  }

  // ------------------------------------------------------------------ calls and channels

  /** Places an inbound call that runs through the dialplan (or `actions`, or an outbound socket). */
  call(options: CallOptions = {}): FakeCall {
    return placeCall(this.#core, options);
  }

  /**
   * Originates a call, as `api originate <dial> <exten>` does. Resolves with the new
   * channel's uuid, or rejects with the hangup cause (e.g. USER_BUSY) as the error message.
   */
  async originate(dial: string, exten = '&park', options: { dialplan?: string; context?: string; timeoutSec?: number } = {}): Promise<string> {
    const r = await originate(this.#core, this.#endpoints, dial, { timeoutSec: options.timeoutSec ?? 60 });
    if (!r.ok) throw new Error(r.cause);
    runAfterOriginate(this.#core, r.channel, exten, options.dialplan ?? 'XML', options.context ?? 'default');
    return r.channel.uuid;
  }

  /** The caller on channel `uuid` presses `digits` (DTMF events; applications reading digits get them). */
  dtmf(uuid: string, digits: string): boolean {
    return pressDigits(this.#core, uuid, digits);
  }

  /** Hangs channel `uuid` up. False when there is no such live channel. */
  hangup(uuid: string, cause = 'NORMAL_CLEARING'): boolean {
    const ch = this.#core.channel(uuid);
    if (!ch || ch.down) return false;
    ch.hangup(cause.toUpperCase());
    return true;
  }

  /** Snapshots of the channels that exist now, oldest first. */
  channels(): ChannelInfo[] {
    return [...this.#core.channels.values()].filter((c) => !c.destroyed).map((c) => c.info());
  }

  /** A snapshot of one channel. */
  channel(uuid: string): ChannelInfo | undefined {
    const ch = this.#core.channel(uuid);
    return ch && !ch.destroyed ? ch.info() : undefined;
  }

  /** The live channel object (for custom applications and deep tests). */
  liveChannel(uuid: string): Channel | undefined {
    return this.#core.channel(uuid);
  }

  /** Starts generating inbound calls. */
  traffic(options: TrafficOptions): TrafficHandle {
    const handle = startTraffic(options, {
      call: (o) => this.call(o),
      after: (ms, fn) => this.#scheduler.after(ms, fn),
    });
    this.#traffic.add(handle);
    return handle;
  }

  // ------------------------------------------------------------------ events and logs

  /**
   * Fires an event to every subscribed connection, with the core headers FreeSWITCH stamps
   * (an EslEvent is sent as it is, with only its missing core headers added).
   */
  fire(event: FireOptions | EslEvent): void {
    const core = this.#core;
    if (event instanceof EslEvent) {
      core.dispatch(core.events.complete(event));
      return;
    }
    const name = event.subclass ? 'CUSTOM' : event.name.toUpperCase();
    const headers: ReadonlyArray<readonly [string, string]> = Array.isArray(event.headers)
      ? (event.headers as ReadonlyArray<readonly [string, string]>)
      : Object.entries((event.headers ?? {}) as Record<string, string | number>).map(([k, v]) => [k, String(v)] as const);
    const ch = core.channel(event.channelUuid);
    if (ch) {
      ch.emit(name, SITES.user, {
        subclass: event.subclass,
        body: event.body,
        post: (h) => {
          for (const [k, v] of headers) h.add(k, v);
        },
      });
      return;
    }
    const h = core.events.create(name, SITES.user, event.subclass);
    for (const [k, v] of headers) h.add(k, v);
    core.fire(h, event.body);
  }

  /** Emits a log line to every connection that asked for logs at that level (0 CONSOLE .. 7 DEBUG). */
  log(level: number, message: string, origin?: LogOrigin): void {
    this.#core.log(level, message, origin);
  }

  /** Fires a HEARTBEAT (and its RE_SCHEDULE) now, without waiting for the interval. */
  heartbeat(): void {
    this.#heartbeat.fire();
  }

  // ------------------------------------------------------------------ observation and faults

  /** Open connections, inbound and outbound. */
  get connections(): FakeConnection[] {
    return [...this.#listeners].filter((l) => !l.closed);
  }

  /** How many connections are open. */
  get connectionCount(): number {
    let n = 0;
    for (const l of this.#listeners) if (!l.closed) n++;
    return n;
  }

  /** Every command received on any connection, in order. */
  get received(): readonly ReceivedCommand[] {
    return this.#received;
  }

  /** Errors thrown by user handlers or met inside (never thrown out of a socket callback). */
  get errors(): readonly Error[] {
    return this.#core.errors;
  }

  /** Resolves with the next command received that matches (a line prefix, a RegExp or a predicate). */
  nextCommand(match?: string | RegExp | ((c: ReceivedCommand) => boolean)): Promise<ReceivedCommand> {
    const test = (c: ReceivedCommand): boolean =>
      match === undefined ? true : typeof match === 'string' ? c.line.startsWith(match) : match instanceof RegExp ? match.test(c.line) : match(c);
    return new Promise((resolve) => {
      const on = (c: ReceivedCommand): void => {
        if (!test(c)) return;
        this.off('command', on);
        resolve(c);
      };
      this.on('command', on);
    });
  }

  /** Resolves with the next connection (inbound or outbound). */
  nextConnection(): Promise<FakeConnection> {
    return new Promise((resolve) => this.once('connection', resolve));
  }

  /** Applies faults to every connection, present and future (merged with what is set). */
  setFaults(faults: FaultOptions): void {
    this.#faults = { ...this.#faults, ...faults };
    if (faults.stopReading !== undefined) for (const l of this.#listeners) l.setReading(!faults.stopReading);
  }

  /** Clears every fault. */
  clearFaults(): void {
    this.#faults = {};
    for (const l of this.#listeners) {
      l.faults = {};
      l.setReading(true);
    }
  }

  /** Cuts every open connection inside its next frame. */
  dropMidFrame(at?: number): void {
    for (const l of this.#listeners) l.dropMidFrame(at);
  }

  /** Writes a malformed frame on every open connection. */
  sendMalformedFrame(kind?: MalformedFrameKind): void {
    for (const l of [...this.#listeners]) l.sendMalformedFrame(kind);
  }

  /** Observes every event fired (returns an unsubscribe function). */
  onEvent(fn: (event: EslEvent) => void): () => void {
    return this.#core.observeEvents((e) => fn(e.event));
  }

  /** Observes every log line (returns an unsubscribe function). */
  onLog(fn: (line: FakeLogLine) => void): () => void {
    return this.#core.observeLogs(fn);
  }
}
