/**
 * The NATS connection of a gateway or a cluster client: one given by the caller (left open on
 * close), or one made here from options (reconnecting for ever, closed on close).
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { loadNats, type NatsModule } from './load.js';

/**
 * Options for `connect()` of @nats-io/transport-node (its ConnectionOptions: servers, user,
 * pass, token, authenticator, tls...). Unless given, rxesl reconnects for ever.
 */
export interface NatsConnectOptions {
  /** `nats://host:4222`, or several. */
  servers?: string | string[];
  [option: string]: unknown;
}

/** An open connection made by `connect()` of @nats-io/transport-node (its NatsConnection). */
export interface NatsConnectionLike {
  publish(subject: string, payload?: never, options?: never): void;
  subscribe(subject: string, options?: never): unknown;
  flush(): Promise<void>;
  isClosed(): boolean;
}

/** An open NATS connection (left open by rxesl), or options to open one. */
export type NatsInput = NatsConnectionLike | NatsConnectOptions;

export function isNatsConnection(v: NatsInput): v is NatsConnectionLike {
  return typeof (v as NatsConnectionLike).publish === 'function' && typeof (v as NatsConnectionLike).subscribe === 'function';
}

export interface OpenedNats {
  nc: NatsConnection;
  /** Whether close() should close it (we opened it). */
  owned: boolean;
  nats: NatsModule;
}

export async function openNats(input: NatsInput, name: string): Promise<OpenedNats> {
  const nats = await loadNats();
  if (isNatsConnection(input)) return { nc: input as unknown as NatsConnection, owned: false, nats };
  // A broker restart is a pause, not the end: reconnect for ever unless told otherwise.
  const nc = await nats.connect({ name, maxReconnectAttempts: -1, reconnectTimeWait: 250, ...input });
  return { nc, owned: true, nats };
}
