/**
 * The client end of remote commands: one inbox subscription for every command of a cluster
 * client, a request per command on `<prefix>.<node>.cmd` whose reply subject is
 * `<inbox>.<n>`, and the gateway's messages to that subject turned back into what the
 * Connection method emits (values, the completion, the error as its own class).
 *
 * A command never hangs: no gateway (NATS says "no responders") fails it at once with
 * EslDisconnectedError; a gateway that took it says every `beatMs` that it is still running,
 * and three beats without a word (the gateway died, NATS lost the reply) fail it the same way.
 * Unsubscribing tells the gateway to stop waiting too.
 */
import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/nats-core';
import { Observable, type Subscriber } from 'rxjs';
import { EslDisconnectedError, EslProtocolError } from '../errors.js';
import type { NatsModule } from './load.js';
import type { Subjects } from './subjects.js';
import { type CommandRequest, type CommandValue, H_BEAT, H_REPLY, H_VALUE, decodeError, decodeValue, encodeRequest } from './wire.js';

interface Pending {
  node: string;
  label: string;
  subscriber: Subscriber<CommandValue>;
  lastHeard: number;
}

/** NATS's status code for a request nobody subscribes to. */
const NO_RESPONDERS = 503;

export class CommandLink {
  readonly #nc: NatsConnection;
  readonly #nats: NatsModule;
  readonly #subjects: Subjects;
  readonly #beatMs: number;
  readonly #report: (err: Error) => void;
  readonly #inbox: string;
  readonly #pending = new Map<string, Pending>();
  #sub: NatsSubscription | undefined;
  #next = 0;
  #sweep: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(nc: NatsConnection, nats: NatsModule, subjects: Subjects, beatMs: number, report: (err: Error) => void) {
    this.#nc = nc;
    this.#nats = nats;
    this.#subjects = subjects;
    this.#beatMs = beatMs;
    this.#report = report;
    this.#inbox = nats.createInbox();
  }

  /** Commands waiting for their end. */
  get pending(): number {
    return this.#pending.size;
  }

  #ensureSubscribed(): void {
    this.#sub ??= this.#nc.subscribe(`${this.#inbox}.*`, {
      callback: (err, msg) => {
        if (err) this.#report(err);
        else this.#onMessage(msg);
      },
    });
  }

  /** A cold Observable: sends the request on subscribe; unsubscribing cancels it at the gateway. */
  call(node: string, label: string, req: CommandRequest): Observable<CommandValue> {
    return new Observable<CommandValue>((subscriber) => {
      if (this.#closed) {
        subscriber.error(new EslDisconnectedError(`the cluster client is closed: cannot send "${label}"`, label));
        return undefined;
      }
      this.#ensureSubscribed();
      const reply = `${this.#inbox}.${++this.#next}`;
      const p: Pending = { node, label, subscriber, lastHeard: Date.now() };
      this.#pending.set(reply, p);
      this.#startSweep();
      const headers = this.#nats.headers();
      headers.set(H_BEAT, String(this.#beatMs));
      try {
        this.#nc.publish(this.#subjects.cmd(node), encodeRequest(req), { reply, headers });
      } catch (err) {
        this.#pending.delete(reply);
        subscriber.error(new EslDisconnectedError(`"${label}" could not be sent to ${node}: ${(err as Error).message}`, label, { cause: err }));
        return undefined;
      }
      return () => {
        if (!this.#pending.delete(reply)) return;
        this.#stopSweepIfIdle();
        // The caller stopped waiting: the gateway can stop too (whichever of the node's gateways has it).
        if (!this.#nc.isClosed()) this.#nc.publish(this.#subjects.cancel(node), reply);
      };
    });
  }

  #onMessage(msg: Msg): void {
    const p = this.#pending.get(msg.subject);
    if (!p) return;
    p.lastHeard = Date.now();
    const h = msg.headers;
    if (h?.code === NO_RESPONDERS) {
      this.#fail(msg.subject, p, new EslDisconnectedError(`no gateway serves ${p.node} (none is up, or none reaches its switch): "${p.label}" not sent`, p.label));
      return;
    }
    const kind = h?.get(H_REPLY);
    try {
      switch (kind) {
        case 'beat':
          return;
        case 'next':
          p.subscriber.next(decodeValue(h!.get(H_VALUE), msg.data, p.label));
          return;
        case 'last': {
          const v = decodeValue(h!.get(H_VALUE), msg.data, p.label);
          this.#end(msg.subject);
          p.subscriber.next(v);
          p.subscriber.complete();
          return;
        }
        case 'complete':
          this.#end(msg.subject);
          p.subscriber.complete();
          return;
        case 'error':
          this.#fail(msg.subject, p, decodeError(msg.data));
          return;
        default:
          throw new EslProtocolError('UNEXPECTED_FRAME', `the gateway of ${p.node} answered "${p.label}" with a message of unknown kind ${JSON.stringify(kind ?? null)}`);
      }
    } catch (err) {
      this.#report(err as Error);
      this.#fail(msg.subject, p, err as Error);
    }
  }

  #end(reply: string): void {
    this.#pending.delete(reply);
    this.#stopSweepIfIdle();
  }

  #fail(reply: string, p: Pending, err: Error): void {
    this.#end(reply);
    p.subscriber.error(err);
  }

  #startSweep(): void {
    this.#sweep ??= setInterval(() => {
      const deadline = Date.now() - 3 * this.#beatMs;
      for (const [reply, p] of [...this.#pending]) {
        if (p.lastHeard >= deadline) continue;
        this.#fail(reply, p, new EslDisconnectedError(`no word from the gateway of ${p.node} for ${3 * this.#beatMs} ms: the reply to "${p.label}" is lost (the gateway or NATS went away)`, p.label));
      }
    }, this.#beatMs);
  }

  #stopSweepIfIdle(): void {
    if (this.#pending.size > 0 || this.#sweep === undefined) return;
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  /** Every command still waiting fails with EslDisconnectedError. */
  close(): void {
    this.#closed = true;
    for (const [reply, p] of [...this.#pending]) this.#fail(reply, p, new EslDisconnectedError(`the cluster client closed before the reply to "${p.label}"`, p.label));
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }
}
