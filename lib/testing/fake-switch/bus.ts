/**
 * What every part of the switch shares below its channels: time on the clock, the event bus
 * (switch_event_fire and mod_event_socket's event_handler), the log bus (switch_log_printf),
 * error reporting, session numbering and the global variables. It knows nothing of channels
 * or sockets: the core (core.ts) adds the channel table and the registries on top of it.
 *
 * Delivery is indexed so that it stays cheap with thousands of connections: a connection
 * bound to one session (outbound, or inbound after `myevents <uuid>`) is only ever offered
 * that session's events, so a channel event is checked against the connections of its own
 * session and the (few) connections listening to everything, not against every connection.
 */
import { randomUUID } from 'node:crypto';
import type { Scheduler } from './clock.js';
import { EventFactory, FiredEvent, toEslEvent, type HeaderBuilder, type SwitchIdentity } from './events.js';
import { switchLogLine, type FakeLogLine, type LogOrigin } from './logger.js';
import type { ResolvedOptions } from './options.js';

/** What the bus needs from a connection to deliver events and logs to it. */
export interface EventSink {
  readonly id: number;
  /** Whether an event of that name/subclass passes the connection's subscription (before filters). */
  subscribed(name: string, subclass: string | undefined): boolean;
  /** Offers an event: the connection applies its subscription, filters and myevents rules. */
  offerEvent(event: FiredEvent): void;
  /** Offers a log line: taken when the connection logs at that level. */
  offerLog(line: FakeLogLine): void;
}

/** How a connection is indexed for delivery. */
export interface SinkRoute {
  /** Listening for events at all (LFLAG_EVENTS). */
  events: boolean;
  /** Bound to this session's events only (myevents with a session). */
  sessionUuid: string | undefined;
  /** Logging (LFLAG_LOG). */
  logs: boolean;
}

export class SwitchBus {
  readonly events: EventFactory;
  readonly globals = new Map<string, string>();
  /** Errors thrown by user handlers or internal faults; never rethrown into socket callbacks. */
  readonly errors: Error[] = [];
  readonly startedAt: number;
  /** Set once the switch is stopped: nothing new may start (an outbound connection being made, say). */
  stopped = false;

  #sessionCounter = 0;
  #general = new Set<EventSink>();
  #routes = new Map<EventSink, SinkRoute>();
  #bySession = new Map<string, Set<EventSink>>();
  #loggers = new Set<EventSink>();
  #observers = new Set<(event: FiredEvent) => void>();
  #logObservers = new Set<(line: FakeLogLine) => void>();
  #errorObservers = new Set<(err: Error) => void>();
  #channelEventHooks = new Set<(name: string) => void>();

  constructor(
    readonly options: ResolvedOptions,
    readonly scheduler: Scheduler,
  ) {
    const identity: SwitchIdentity = {
      coreUuid: options.coreUuid,
      hostname: options.hostname,
      switchname: options.switchname,
      ipv4: options.ipv4,
      ipv6: options.ipv6,
    };
    this.events = new EventFactory(identity, () => scheduler.now(), options.firstEventSequence);
    this.startedAt = scheduler.now();
    this.#sessionCounter = options.firstSessionId - 1;
    for (const [k, v] of Object.entries(options.globalVariables)) this.globals.set(k, v);
  }

  // ------------------------------------------------------------------ time

  /** Microseconds since the epoch (FreeSWITCH's switch_micro_time_now), from the clock. */
  micros(): number {
    return Math.floor(this.scheduler.now()) * 1000;
  }

  /** Runs `fn` on a later turn: what another FreeSWITCH thread would do next. */
  defer(fn: () => void): void {
    this.scheduler.after(0, () => {
      try {
        fn();
      } catch (err) {
        this.reportError(err);
      }
    });
  }

  /** Uptime in microseconds. */
  uptimeMicros(): number {
    return Math.max(0, (this.scheduler.now() - this.startedAt) * 1000);
  }

  // ------------------------------------------------------------------ session numbers

  nextSessionId(): number {
    return ++this.#sessionCounter;
  }

  /** Sessions created since startup (switch_core_session_id() - 1). */
  get sessionsSinceStartup(): number {
    return this.#sessionCounter;
  }

  newUuid(): string {
    return randomUUID();
  }

  // ------------------------------------------------------------------ delivery

  /** (Re)indexes a connection after its subscription, session or log settings changed. */
  route(sink: EventSink, route: SinkRoute | null): void {
    const previous = this.#routes.get(sink);
    if (previous) {
      this.#general.delete(sink);
      this.#loggers.delete(sink);
      if (previous.sessionUuid !== undefined) {
        const set = this.#bySession.get(previous.sessionUuid);
        if (set && set.delete(sink) && set.size === 0) this.#bySession.delete(previous.sessionUuid);
      }
      this.#routes.delete(sink);
    }
    if (!route) return;
    this.#routes.set(sink, { ...route });
    if (route.logs) this.#loggers.add(sink);
    if (!route.events) return;
    if (route.sessionUuid !== undefined) {
      let set = this.#bySession.get(route.sessionUuid);
      if (!set) this.#bySession.set(route.sessionUuid, (set = new Set()));
      set.add(sink);
    } else {
      this.#general.add(sink);
    }
  }

  /**
   * Whether anyone could receive this event: building a channel event with its hundred
   * headers is skipped when no connection and no observer could take it.
   */
  wants(name: string, uniqueId: string | undefined, subclass?: string): boolean {
    if (this.#observers.size > 0) return true;
    if (uniqueId !== undefined) {
      const set = this.#bySession.get(uniqueId);
      if (set) for (const s of set) if (s.subscribed(name, subclass)) return true;
    }
    for (const s of this.#general) if (s.subscribed(name, subclass)) return true;
    return false;
  }

  /** switch_event_fire: builds the event and offers it to every connection that may take it. */
  fire(h: HeaderBuilder, body?: string | Buffer): FiredEvent {
    const event = new FiredEvent(toEslEvent(h, body));
    this.dispatch(event);
    return event;
  }

  /** Offers an already built event to the connections and observers. */
  dispatch(event: FiredEvent): void {
    for (const s of this.#general) this.#offer(s, event);
    if (event.uniqueId !== undefined) {
      const set = this.#bySession.get(event.uniqueId);
      if (set) for (const s of set) this.#offer(s, event);
    }
    if (event.jobOwnerUuid !== undefined && event.jobOwnerUuid !== event.uniqueId) {
      const set = this.#bySession.get(event.jobOwnerUuid);
      if (set) for (const s of set) this.#offer(s, event);
    }
    for (const o of this.#observers) {
      try {
        o(event);
      } catch (err) {
        this.reportError(err);
      }
    }
  }

  #offer(sink: EventSink, event: FiredEvent): void {
    try {
      sink.offerEvent(event);
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Whether anyone takes log lines now (so that callers can skip formatting them). */
  get logging(): boolean {
    return this.#loggers.size > 0 || this.#logObservers.size > 0;
  }

  /** Emits a log line (switch_log_printf) to every logging connection. */
  log(level: number, message: string, origin: LogOrigin = {}): void {
    if (this.#loggers.size === 0 && this.#logObservers.size === 0) return;
    const line = switchLogLine(level, message, origin, this.scheduler.now(), this.options.idleCpu);
    for (const s of this.#loggers) {
      try {
        s.offerLog(line);
      } catch (err) {
        this.reportError(err);
      }
    }
    for (const o of this.#logObservers) o(line);
  }

  // ------------------------------------------------------------------ observers and errors

  /**
   * A channel fires an event of that name, whether or not anyone listens (the core database
   * writes from some of them). Cheaper than an event observer: the event is not built for it.
   */
  noteChannelEvent(name: string): void {
    for (const h of this.#channelEventHooks) h(name);
  }

  /** Calls `fn` with the name of every channel event (see noteChannelEvent). */
  onChannelEvent(fn: (name: string) => void): () => void {
    this.#channelEventHooks.add(fn);
    return () => this.#channelEventHooks.delete(fn);
  }

  observeEvents(fn: (event: FiredEvent) => void): () => void {
    this.#observers.add(fn);
    return () => this.#observers.delete(fn);
  }

  observeLogs(fn: (line: FakeLogLine) => void): () => void {
    this.#logObservers.add(fn);
    return () => this.#logObservers.delete(fn);
  }

  observeErrors(fn: (err: Error) => void): () => void {
    this.#errorObservers.add(fn);
    return () => this.#errorObservers.delete(fn);
  }

  /** Records an error from a user handler or an internal fault; never throws. */
  reportError(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    if (this.errors.length < 1000) this.errors.push(e);
    for (const o of this.#errorObservers) {
      try {
        o(e);
      } catch {
        // An observer that throws is not allowed to take the switch down.
      }
    }
  }
}
