/**
 * What waits to be written to one connection: listener_t's event queue and log queue, with
 * FreeSWITCH's limits (a full queue loses what is offered to it; after 500 losses in a row
 * mod_event_socket gives up on the client) and listener_run's order of writing them.
 */
import type { FiredEvent } from './events.js';
import type { FakeLogLine } from './logger.js';

/** What became of an offered event or log line. */
export type Queued = 'queued' | 'lost' | 'give-up';

/** How the queued items are written; each returns false once the connection has closed. */
export interface OutboxWriter {
  log(line: FakeLogLine): boolean;
  event(event: FiredEvent): boolean;
}

export class Outbox {
  readonly #eventLimit: number;
  readonly #logLimit: number;
  readonly #writer: OutboxWriter;
  #events: FiredEvent[] = [];
  #eventHead = 0;
  #logs: FakeLogLine[] = [];
  #logHead = 0;
  #lostEvents = 0;
  #lostLogs = 0;

  constructor(limits: { events: number; logs: number }, writer: OutboxWriter) {
    this.#eventLimit = limits.events;
    this.#logLimit = limits.logs;
    this.#writer = writer;
  }

  /** Events queued and not yet written. */
  get queuedEvents(): number {
    return this.#events.length - this.#eventHead;
  }

  /** Queues an event, unless the queue is full. */
  offerEvent(event: FiredEvent): Queued {
    if (this.queuedEvents >= this.#eventLimit) return ++this.#lostEvents > 500 ? 'give-up' : 'lost';
    this.#lostEvents = 0;
    this.#events.push(event);
    return 'queued';
  }

  /** Queues a log line, unless the queue is full. */
  offerLog(line: FakeLogLine): Queued {
    if (this.#logs.length - this.#logHead >= this.#logLimit) return ++this.#lostLogs > 500 ? 'give-up' : 'lost';
    this.#lostLogs = 0;
    this.#logs.push(line);
    return 'queued';
  }

  /** Queues an event whatever the limit (one diverted to the connection's session). */
  pushEvent(event: FiredEvent): void {
    this.#events.push(event);
  }

  /** Drops what is queued: the events (noevents), the log lines (nolog), or both (the connection closed). */
  discard(what: 'events' | 'logs' | 'all'): void {
    if (what !== 'logs') {
      this.#events = [];
      this.#eventHead = 0;
    }
    if (what !== 'events') {
      this.#logs = [];
      this.#logHead = 0;
    }
  }

  /**
   * Writes what is queued, as listener_run between commands: one log line, then every queued
   * event, and again, until both queues are empty; log lines only when `logs` (LFLAG_LOG),
   * events only when `events` (LFLAG_EVENTS). False when it stopped because the connection
   * closed.
   */
  drain(logs: boolean, events: boolean): boolean {
    const w = this.#writer;
    for (;;) {
      let wrote = false;
      if (logs && this.#logHead < this.#logs.length) {
        if (!w.log(this.#logs[this.#logHead++]!)) return false;
        wrote = true;
      }
      if (events) {
        while (this.#eventHead < this.#events.length) {
          if (!w.event(this.#events[this.#eventHead++]!)) return false;
          wrote = true;
        }
      }
      if (this.#logHead >= this.#logs.length && this.#logHead > 0) {
        this.#logs = [];
        this.#logHead = 0;
      }
      if (this.#eventHead >= this.#events.length && this.#eventHead > 0) {
        this.#events = [];
        this.#eventHead = 0;
      }
      if (!wrote) return true;
    }
  }
}
