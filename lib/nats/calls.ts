/**
 * calls$: new calls shared between the workers of a queue group, each call to exactly one
 * worker, with its later events.
 *
 * Core NATS: the workers queue-subscribe to the subject of the event that makes a call new
 * (`<prefix>.*.event.CHANNEL_PARK.*`), so NATS hands each to one of them. That worker follows
 * the call with a Channel (a subscription on the call's subjects), waits for NATS to confirm
 * the subscription, then asks the switch whether the call still exists (`uuid_exists`): a
 * caller who hung up in between is not handed out as a call that never ends.
 *
 * JetStream: the workers share a durable consumer `rxesl_<queue>` on the same subject. The
 * worker that gets a call follows it through a durable consumer of its own, on the call's
 * subject from the event that made it new, and acknowledges each event once delivered; it
 * keeps the call's message "in progress" while the call lasts and acknowledges it when the
 * call ends. A worker that dies stops doing both: after `ackWaitMs` the call's message goes to
 * another worker, which takes over the call's consumer and gets the events the first one had
 * not acknowledged, then the rest.
 */
import { createHash } from 'node:crypto';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { Observable, Subject, type Subscriber, firstValueFrom } from 'rxjs';
import { Channel } from '../channel/channel.js';
import { EslArgumentError, EslError } from '../errors.js';
import type { EventName } from '../protocol/event-names.js';
import type { ClusterEvent, RemoteSwitch } from './remote-switch.js';
import { PULL_EXPIRES_MS } from './stream.js';
import type { Subjects } from './subjects.js';

export interface CallsOptions {
  /** The queue group: workers with the same queue share the calls. Letters, digits, `_` and `-`. */
  queue: string;
  /** The event that makes a call new. Default CHANNEL_PARK (a call parked for an application to take it). */
  on?: EventName;
  /** Only the calls of this switch. Default: every switch. */
  node?: string;
  /** JetStream: how long a call (or one of its events) may go unacknowledged before another worker gets it, ms. Default 30,000. */
  ackWaitMs?: number;
}

/** One call handed to this worker. */
export interface ClusterCall {
  readonly node: string;
  readonly uuid: string;
  /** The event that made it new. */
  readonly event: ClusterEvent;
  /** The switch it is on. */
  readonly switch: RemoteSwitch;
  /** The call as a Channel, following it from the moment it was handed out until it ends. */
  readonly channel: Channel<RemoteSwitch>;
  /** JetStream: another worker had it and stopped acknowledging (it died); the events it had not acknowledged come again. */
  readonly redelivered: boolean;
  /** Stops following the call (JetStream: acknowledges it: no other worker will get it). */
  release(): void;
}

interface EventMessage {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs | undefined;
}

/** What calls$ needs from its Cluster. */
export interface CallsContext {
  nc: NatsConnection;
  js: JetStreamClient | undefined;
  stream: string | undefined;
  subjects: Subjects;
  decode(m: EventMessage): ClusterEvent | Error;
  switchOf(node: string): RemoteSwitch;
  report(err: Error): void;
  closed(): boolean;
  /** Runs `fn` when the cluster client closes; returns the remover. */
  onClose(fn: () => void): () => void;
}

const NS_PER_MS = 1_000_000;

function checkQueue(queue: string): string {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(queue)) {
    throw new EslArgumentError('queue', queue, `not a queue name: ${JSON.stringify(queue)} (1 to 64 letters, digits, _ and -)`);
  }
  return queue;
}

function uuidOf(ctx: CallsContext, ev: ClusterEvent): string | undefined {
  const uuid = ev.getHeader('Unique-ID');
  if (uuid) return uuid;
  ctx.report(new EslError(`${ev.name} from ${ev.node} has no Unique-ID: not a call`));
  return undefined;
}

function makeCall(sw: RemoteSwitch, event: ClusterEvent, uuid: string, channel: Channel<RemoteSwitch>, redelivered: boolean): ClusterCall {
  return { node: event.node, uuid, event, switch: sw, channel, redelivered, release: () => channel.release() };
}

export function callsOf(ctx: CallsContext, options: CallsOptions): Observable<ClusterCall> {
  const queue = checkQueue(options.queue);
  const on = options.on ?? 'CHANNEL_PARK';
  const subject = `${ctx.subjects.prefix}.${ctx.subjects.node(options.node)}.event.${ctx.subjects.nameToken(on)}.*`;
  return new Observable<ClusterCall>((subscriber) => {
    if (ctx.closed()) {
      subscriber.complete();
      return undefined;
    }
    return ctx.js ? viaStream(ctx, queue, subject, options, subscriber) : viaQueue(ctx, queue, subject, subscriber);
  });
}

// ------------------------------------------------------------------ core NATS

function viaQueue(ctx: CallsContext, queue: string, subject: string, subscriber: Subscriber<ClusterCall>): () => void {
  let stopped = false;
  const take = async (ev: ClusterEvent): Promise<void> => {
    const uuid = uuidOf(ctx, ev);
    if (uuid === undefined) return;
    const sw = ctx.switchOf(ev.node);
    // The Channel subscribes to the call's subjects now; flush() returns once nats-server has them.
    const channel = new Channel(sw, uuid, { data: ev });
    try {
      await ctx.nc.flush();
      const exists = await firstValueFrom(sw.api('uuid_exists', uuid, { failOnError: false }));
      if (exists.text.trim() === 'false') {
        channel.release();
        return;
      }
    } catch (err) {
      // Cannot tell (the gateway went away): hand it out anyway, its Channel follows what comes.
      ctx.report(err as Error);
    }
    if (stopped) channel.release();
    else if (!channel.ended) subscriber.next(makeCall(sw, ev, uuid, channel, false));
  };
  const sub = ctx.nc.subscribe(subject, {
    queue,
    callback: (err, msg) => {
      if (err) {
        subscriber.error(err);
        return;
      }
      const ev = ctx.decode(msg);
      if (ev instanceof Error) ctx.report(ev);
      else void take(ev);
    },
  });
  // Calls handed out go on until they end (or release()): unsubscribing only stops taking new ones.
  return () => {
    stopped = true;
    sub.unsubscribe();
  };
}

// ------------------------------------------------------------------ JetStream

function viaStream(ctx: CallsContext, queue: string, subject: string, options: CallsOptions, subscriber: Subscriber<ClusterCall>): () => void {
  const js = ctx.js!;
  const stream = ctx.stream!;
  const ackWait = Math.max(100, options.ackWaitMs ?? 30_000);
  let triggers: ConsumerMessages | undefined;
  let stopped = false;

  const follow = async (jm: JsMsg, ev: ClusterEvent): Promise<void> => {
    const uuid = uuidOf(ctx, ev);
    if (uuid === undefined) {
      jm.term();
      return;
    }
    const sw = ctx.switchOf(ev.node);
    const jsm = await js.jetstreamManager();
    const name = `rxesl_${queue}_${createHash('sha1').update(`${ev.node}\n${uuid}`).digest('hex').slice(0, 24)}`;
    // The call's own consumer, from the event after the one that made it new. A worker taking
    // over finds it there, with what the first one acknowledged.
    try {
      await jsm.consumers.add(stream, {
        durable_name: name,
        filter_subject: ctx.subjects.channel(uuid, ev.node)[0],
        deliver_policy: 'by_start_sequence' as never,
        opt_start_seq: jm.seq + 1,
        ack_policy: 'explicit' as never,
        ack_wait: ackWait * NS_PER_MS,
        inactive_threshold: Math.max(3_600_000, 10 * ackWait) * NS_PER_MS,
      });
    } catch (err) {
      ctx.report(new EslError(`cannot follow call ${uuid} on ${ev.node}: ${(err as Error).message}`, { cause: err }));
      jm.nak(ackWait);
      return;
    }
    if (stopped) {
      jm.nak();
      return;
    }
    const events = new Subject<ClusterEvent>();
    const unadopt = sw.adopt(uuid, events.asObservable());
    const channel = new Channel(sw, uuid, { data: ev });
    const keepAlive = setInterval(() => jm.working(), Math.max(50, Math.floor(ackWait / 3)));
    let messages: ConsumerMessages | undefined;
    let ended = false;
    const end = (ack: boolean): void => {
      if (ended) return;
      ended = true;
      offClose();
      clearInterval(keepAlive);
      void messages?.close();
      unadopt();
      events.complete();
      if (ack) {
        jm.ack();
        jsm.consumers.delete(stream, name).catch((err: unknown) => ctx.report(err as Error));
      } else {
        // This worker's client closes mid-call: the call goes to another worker now.
        jm.nak();
      }
    };
    const stop = (): void => {
      end(false);
      channel.release();
    };
    const offClose = ctx.onClose(stop);
    channel.state$.subscribe({ complete: () => end(true) });
    try {
      const consumer = await js.consumers.get(stream, name);
      messages = await consumer.consume({
        expires: PULL_EXPIRES_MS,
        callback: (m) => {
          const e = ctx.decode(m);
          if (e instanceof Error) ctx.report(e);
          else events.next(e);
          // Delivered (the worker's handlers ran): acknowledged.
          m.ack();
        },
      });
      if (ended) void messages.close();
    } catch (err) {
      ctx.report(err as Error);
      stop();
      return;
    }
    if (!ended) subscriber.next(makeCall(sw, ev, uuid, channel, jm.redelivered));
  };

  (async () => {
    const jsm = await js.jetstreamManager();
    const durable = `rxesl_${queue}`;
    try {
      await jsm.consumers.info(stream, durable);
    } catch {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        filter_subject: subject,
        deliver_policy: 'new' as never,
        ack_policy: 'explicit' as never,
        ack_wait: ackWait * NS_PER_MS,
      });
    }
    if (stopped) return;
    const consumer = await js.consumers.get(stream, durable);
    triggers = await consumer.consume({
      max_messages: 16,
      expires: PULL_EXPIRES_MS,
      callback: (jm) => {
        const ev = ctx.decode(jm);
        if (ev instanceof Error) {
          ctx.report(ev);
          jm.term();
          return;
        }
        follow(jm, ev).catch((err: unknown) => ctx.report(err as Error));
      },
    });
    if (stopped) void triggers.close();
  })().catch((err: unknown) => {
    if (!stopped) subscriber.error(new EslError(`cannot share calls through the stream ${stream}: ${(err as Error).message}`, { cause: err }));
  });

  // Calls handed out go on until they end (or release(), or the client closes): unsubscribing only stops taking new ones.
  return () => {
    stopped = true;
    void triggers?.close();
  };
}
