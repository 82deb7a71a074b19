/**
 * Events over NATS: every switch's events reach every worker, tagged with their node, once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterEvent } from 'rxesl/nats';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  await world.close();
});

describe('events over NATS', () => {
  it('events of 3 switches reach 2 workers, tagged with their node, none lost, none duplicated', async () => {
    const nodes = ['fs1', 'fs2', 'fs3'];
    const switches = await Promise.all(nodes.map(() => world.fakeSwitch()));
    const gateways = await Promise.all(nodes.map((n, i) => world.gateway(n, switches[i]!)));
    const workers = await Promise.all([world.cluster(), world.cluster()]);
    const seen = workers.map(() => [] as ClusterEvent[]);
    workers.forEach((w, i) => w.events$.subscribe((e) => seen[i]!.push(e)));
    await Promise.all(workers.map((w) => nodesUp(w, nodes)));
    await Promise.all(workers.map((w) => w.flush()));
    await expect.poll(() => gateways.every((g) => g.publishing)).toBe(true);

    const perSwitch = 200;
    switches.forEach((fs, i) => {
      for (let n = 0; n < perSwitch; n++) fs.fire({ name: 'CUSTOM', subclass: 'rxesl::test', headers: { 'Test-Node': nodes[i]!, 'Test-N': String(n) } });
      // A last event per switch: NATS keeps one publisher's order, so any copy of an earlier one would come before it.
      fs.fire({ name: 'CUSTOM', subclass: 'rxesl::end', headers: { 'Test-Node': nodes[i]! } });
    });
    const ends = (i: number): number => seen[i]!.filter((e) => e.subclass === 'rxesl::end').length;
    await expect.poll(() => [ends(0), ends(1)]).toEqual([3, 3]);

    for (const events of seen) {
      const test = events.filter((e) => e.subclass === 'rxesl::test');
      const keys = test.map((e) => `${e.node}:${e.getHeader('Test-N')}`);
      expect(test.every((e) => e.node === e.getHeader('Test-Node'))).toBe(true);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(3 * perSwitch);
    }
  });
});
