/**
 * `rxesl gateway`: the CLI entry runs a Gateway until a signal.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGatewayArgs } from '../../lib/cli/gateway';
import { CliProcess, killAll } from '../cli/cli-process';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  killAll();
  await world.close();
});

describe('rxesl gateway', () => {
  it('puts a switch on NATS until SIGTERM, then leaves cleanly', async () => {
    const fs = await world.fakeSwitch();
    const cli = new CliProcess(['gateway', '--nats', world.nats.url, '--node', 'fs1', '--port', String(fs.port), '--jetstream']);
    await cli.waitFor(/gateway fs1: switch 127\.0\.0\.1:\d+ up; NATS nats:\/\/127\.0\.0\.1:\d+, JetStream stream ESL\n/);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    expect((await firstValueFrom(cluster.switch('fs1').api('status'))).text).toMatch(/^UP /);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    await nodesUp(cluster, []);
  });

  it('says what is missing, in one line and the usage', async () => {
    const cli = new CliProcess(['gateway', '--node', 'fs1']);
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr).toMatch(/^rxesl gateway: --nats \(or NATS_URL\) is required\nusage: rxesl gateway --nats/);
  });

  it('takes the switch from ESL_* and NATS_URL when the flags are absent', () => {
    expect(parseGatewayArgs(['--node', 'fs2'], { NATS_URL: 'nats://n:4222', ESL_HOST: 'pbx', ESL_PORT: '8022', ESL_PASSWORD: 'pw' })).toEqual({
      nats: 'nats://n:4222',
      node: 'fs2',
      host: 'pbx',
      port: 8022,
      password: 'pw',
      jetstream: false,
      stream: undefined,
      prefix: undefined,
    });
    expect(parseGatewayArgs(['--node', 'x', '--nats', 'n', '--port', 'eighty'], {})).toBe('not a port: eighty');
    expect(parseGatewayArgs(['--bogus'], {})).toBe('unknown option --bogus');
    expect(parseGatewayArgs(['--node'], {})).toBe('--node needs a value');
  });
});
