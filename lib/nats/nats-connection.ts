/**
 * The NATS connection of a gateway or a cluster client: one given by the caller (left open on
 * close), or one made here from options (reconnecting for ever, closed on close).
 */
import type { MsgHdrs, NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import { loadNats, type NatsModule } from './load.js';

export type NatsInput = NatsConnection | NodeConnectionOptions;

export function isNatsConnection(v: NatsInput): v is NatsConnection {
  return typeof (v as NatsConnection).publish === 'function' && typeof (v as NatsConnection).subscribe === 'function';
}

export interface OpenedNats {
  nc: NatsConnection;
  /** Whether close() should close it (we opened it). */
  owned: boolean;
  nats: NatsModule;
}

export async function openNats(input: NatsInput, name: string): Promise<OpenedNats> {
  const nats = await loadNats();
  if (isNatsConnection(input)) return { nc: input, owned: false, nats };
  // A broker restart is a pause, not the end: reconnect for ever unless told otherwise.
  const nc = await nats.connect({ name, maxReconnectAttempts: -1, reconnectTimeWait: 250, ...input });
  return { nc, owned: true, nats };
}

/** Headers for one message. */
export function makeHeaders(nats: NatsModule, pairs: ReadonlyArray<readonly [string, string]>): MsgHdrs {
  const h = nats.headers();
  for (const [k, v] of pairs) h.set(k, v);
  return h;
}
