/**
 * The NATS client is an optional peer dependency: loaded on first use, so that `rxesl` and
 * its other subpaths never need it, and with a one-line error saying what to install when it
 * is missing.
 */
import type * as Jetstream from '@nats-io/jetstream';
import type { ConnectionOptions, MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { EslError } from '../errors.js';

/**
 * What rxesl uses of @nats-io/transport-node. (Its types re-export a subpath of
 * @nats-io/nats-core that the CommonJS build's module resolution cannot follow, so they are
 * named here from @nats-io/nats-core itself.)
 */
export interface NatsModule {
  connect(options: ConnectionOptions): Promise<NatsConnection>;
  headers(): MsgHdrs;
  createInbox(): string;
  /** fromRecord builds headers from values already checked (no CR, LF), without checking them again. */
  MsgHdrsImpl: { fromRecord(r: Record<string, string[]>): MsgHdrs };
}
export type JetstreamModule = typeof Jetstream;

let nats: Promise<NatsModule> | undefined;
let js: Promise<JetstreamModule> | undefined;

function missing(pkg: string, err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(pkg);
}

/** For the loader spec: where a missing package is looked for. */
export async function importPeer<T>(pkg: string, load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (missing(pkg, err)) throw new EslError(`rxesl/nats needs ${pkg} for ${what}: npm install ${pkg}`, { cause: err });
    throw err;
  }
}

export function loadNats(): Promise<NatsModule> {
  nats ??= importPeer<NatsModule>('@nats-io/transport-node', () => import('@nats-io/transport-node') as Promise<unknown> as Promise<NatsModule>, 'its NATS connection');
  nats.catch(() => (nats = undefined));
  return nats;
}

export function loadJetstream(): Promise<JetstreamModule> {
  js ??= importPeer('@nats-io/jetstream', () => import('@nats-io/jetstream'), 'JetStream');
  js.catch(() => (js = undefined));
  return js;
}
