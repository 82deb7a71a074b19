/**
 * The NATS client is an optional peer dependency: rxesl/nats loads it on first use, and a
 * missing one is a one-line EslError saying what to install.
 */
import { describe, expect, it } from 'vitest';
import { EslError } from 'rxesl';
import { importPeer } from '../../lib/nats/load';

describe('loading the NATS client', () => {
  it('a package that is not installed: one line, naming what to install', async () => {
    // A real missing package, through the same dynamic import.
    const err = await importPeer('@nats-io/not-installed-here', () => import('@nats-io/not-installed-here' as string), 'its NATS connection').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslError);
    expect((err as Error).message).toBe('rxesl/nats needs @nats-io/not-installed-here for its NATS connection: npm install @nats-io/not-installed-here');
  });

  it('any other failure while loading is passed on as it is', async () => {
    const boom = new SyntaxError('broken package');
    await expect(importPeer('@nats-io/transport-node', () => Promise.reject(boom), 'x')).rejects.toBe(boom);
  });

  it('importing rxesl, its subpaths and rxesl/nats itself does not load it (only connecting does)', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = "require('tsx/cjs'); require('./lib/index.ts'); require('./lib/testing/index.ts'); require('./lib/modesl/index.ts'); require('./lib/nats/index.ts'); console.log(Object.keys(require.cache).filter((f) => f.includes('@nats-io')).length)";
    expect(execFileSync(process.execPath, ['-e', script], { cwd: `${__dirname}/../..`, encoding: 'utf8' }).trim()).toBe('0');
  });
});
