/**
 * The JetStream side of a gateway: the stream events are stored in, and a publisher that keeps
 * every event until the stream has acknowledged it.
 *
 * Each event is published with `Nats-Msg-Id: <Core-UUID>:<Event-Sequence>`: the stream drops
 * a second copy within its duplicate window, so a retry after a lost acknowledgement, or a
 * second gateway on the same switch, never stores an event twice.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import { EslError } from '../errors.js';

export interface StreamOptions {
  /** The stream's name. Default `ESL`. */
  stream?: string;
  /** Create the stream when it does not exist. Default true. */
  create?: boolean;
  /** How long events are kept, ms. Default one day. */
  maxAgeMs?: number;
  /** `file` (survives a restart of nats-server) or `memory`. Default `file`. */
  storage?: 'file' | 'memory';
  /** How long the stream remembers a Nats-Msg-Id to drop its duplicates, ms. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Events published and not yet acknowledged. Default 1,024. */
  maxInFlight?: number;
  /** Events held while the stream cannot be reached; past this the newest are dropped (and reported). Default 100,000. */
  maxBuffered?: number;
  /** How long to wait for one acknowledgement before publishing again, ms. Default 5,000. */
  ackTimeoutMs?: number;
}

export const DEFAULT_STREAM = 'ESL';

/** How long a consumer's pull waits on the server, ms; also how soon a consumer lost in a restart of nats-server is found and made again. */
export const PULL_EXPIRES_MS = 2000;

const NS_PER_MS = 1_000_000;
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

function apiCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Makes sure the stream exists (several gateways may race to create it: that is fine). */
export async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[], options: StreamOptions): Promise<void> {
  try {
    const info = await jsm.streams.info(name);
    // A stream made for another prefix would not take our events: every publish would fail.
    const have = info.config.subjects ?? [];
    const missing = subjects.filter((s) => !have.includes(s));
    if (missing.length > 0) throw new EslError(`the JetStream stream ${name} takes ${JSON.stringify(have)}, not ${missing.join(', ')}: give this prefix a stream of its own (jetstream.stream)`);
    return;
  } catch (err) {
    if (err instanceof EslError || apiCode(err) !== STREAM_NOT_FOUND) throw err;
  }
  if (options.create === false) throw new EslError(`the JetStream stream ${name} does not exist (create it, or let the gateway: jetstream.create)`);
  try {
    await jsm.streams.add({
      name,
      subjects,
      storage: (options.storage ?? 'file') as never,
      max_age: (options.maxAgeMs ?? 86_400_000) * NS_PER_MS,
      duplicate_window: (options.duplicateWindowMs ?? 120_000) * NS_PER_MS,
    });
  } catch (err) {
    if (apiCode(err) !== STREAM_NAME_IN_USE) throw err;
  }
}

const QUEUED = 0;
const SENT = 1;
const ACKED = 2;

interface Entry {
  subject: string;
  payload: Uint8Array;
  headers: MsgHdrs;
  msgId: string | undefined;
  state: number;
}

/**
 * Publishes into the stream in order, with up to maxInFlight waiting for their acknowledgement.
 * A failed publish (no acknowledgement in time, nats-server gone) is sent again, with
 * everything after it that was not acknowledged, once the retry delay has passed.
 */
export class StreamPublisher {
  readonly #js: JetStreamClient;
  readonly #maxInFlight: number;
  readonly #maxBuffered: number;
  readonly #timeout: number;
  readonly #report: (err: Error) => void;
  #buf: Entry[] = [];
  #head = 0;
  #cursor = 0;
  #inFlight = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = 0;
  #dropping = false;
  #stopped = false;
  #idle: Array<() => void> = [];
  /** Events acknowledged by the stream (a duplicate the stream dropped counts: it is stored). */
  acked = 0;
  /** Events dropped because the buffer was full. */
  dropped = 0;

  constructor(js: JetStreamClient, options: StreamOptions, report: (err: Error) => void) {
    this.#js = js;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1024);
    this.#maxBuffered = Math.max(1, options.maxBuffered ?? 100_000);
    this.#timeout = Math.max(100, options.ackTimeoutMs ?? 5000);
    this.#report = report;
  }

  /** Events not acknowledged yet. */
  get pending(): number {
    return this.#buf.length - this.#head;
  }

  publish(subject: string, payload: Uint8Array, headers: MsgHdrs, msgId: string | undefined): void {
    if (this.#stopped) return;
    if (this.pending >= this.#maxBuffered) {
      this.dropped++;
      if (!this.#dropping) {
        this.#dropping = true;
        this.#report(new EslError(`JetStream: ${this.#maxBuffered} events wait for the stream; newer events are dropped until it answers`));
      }
      return;
    }
    this.#buf.push({ subject, payload, headers, msgId, state: QUEUED });
    this.#pump();
  }

  #pump(): void {
    if (this.#retryTimer !== undefined || this.#stopped) return;
    const buf = this.#buf;
    let i = this.#cursor;
    while (i < buf.length && this.#inFlight < this.#maxInFlight) {
      const e = buf[i]!;
      if (e.state === QUEUED) this.#send(e);
      i++;
    }
    this.#cursor = i;
  }

  #send(e: Entry): void {
    e.state = SENT;
    this.#inFlight++;
    const options = e.msgId === undefined ? { headers: e.headers, timeout: this.#timeout } : { headers: e.headers, msgID: e.msgId, timeout: this.#timeout };
    this.#js.publish(e.subject, e.payload, options).then(
      () => {
        this.#inFlight--;
        e.state = ACKED;
        this.acked++;
        this.#retryDelay = 0;
        this.#dropping = false;
        this.#trim();
        this.#pump();
      },
      (err: unknown) => {
        this.#inFlight--;
        e.state = QUEUED;
        this.#retryLater(err);
      },
    );
  }

  #retryLater(err: unknown): void {
    if (this.#retryTimer !== undefined || this.#stopped) return;
    this.#retryDelay = Math.min(2000, this.#retryDelay === 0 ? 100 : this.#retryDelay * 2);
    this.#report(new EslError(`JetStream publish failed (${(err as Error)?.message ?? String(err)}); ${this.pending} events held, retrying in ${this.#retryDelay} ms`, { cause: err }));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#cursor = this.#head;
      this.#pump();
    }, this.#retryDelay);
  }

  /** Drops acknowledged entries from the front. */
  #trim(): void {
    const buf = this.#buf;
    while (this.#head < buf.length && buf[this.#head]!.state === ACKED) this.#head++;
    if (this.#head === buf.length) {
      this.#buf = [];
      this.#cursor -= this.#head;
      this.#head = 0;
      for (const done of this.#idle.splice(0)) done();
    } else if (this.#head > 4096 && this.#head * 2 > buf.length) {
      this.#buf = buf.slice(this.#head);
      this.#cursor -= this.#head;
      this.#head = 0;
    }
    if (this.#cursor < this.#head) this.#cursor = this.#head;
  }

  /** Resolves when every event is acknowledged, or after `ms` with the number still waiting. */
  flush(ms: number): Promise<number> {
    if (this.pending === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((f) => f !== done);
        resolve(this.pending);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(0);
      };
      this.#idle.push(done);
    });
  }

  /** Stops retrying; what was not acknowledged is given up. */
  stop(): number {
    this.#stopped = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const left = this.pending;
    this.#buf = [];
    this.#head = this.#cursor = 0;
    return left;
  }
}
