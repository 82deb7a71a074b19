/**
 * JetStream: events stored once whatever the number of gateways, nothing lost when nats-server
 * restarts, and a call's unacknowledged events handed to another worker when one dies.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster, ClusterEvent, Gateway } from 'rxesl/nats';
import type { FakeSwitch } from 'rxesl/testing';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  await world.close();
});

/** Fires `count` CUSTOM events of that subclass, one every `everyMs`, then one `rxesl::end`. */
async function fireSteadily(fs: FakeSwitch, subclass: string, count: number, everyMs: number, during?: (n: number) => Promise<void> | void): Promise<void> {
  for (let n = 0; n < count; n++) {
    fs.fire({ name: 'CUSTOM', subclass, headers: { 'Test-N': String(n) } });
    await during?.(n);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  fs.fire({ name: 'CUSTOM', subclass: 'rxesl::end' });
}

const numbers = (events: ClusterEvent[], subclass: string): number[] => events.filter((e) => e.subclass === subclass).map((e) => Number(e.getHeader('Test-N')));

/**
 * Fires end markers until the worker has one of them: from then on, everything published
 * before has arrived. With a gateway given, first waits until the stream has acknowledged all
 * it holds (events retried after the restart are stored after later ones).
 */
async function drained(fs: FakeSwitch, got: ClusterEvent[], gw?: Gateway): Promise<void> {
  if (gw) await expect.poll(() => gw.stats.stored === gw.stats.published, { timeout: 20_000 }).toBe(true);
  const marker = String(Math.random());
  await expect
    .poll(
      () => {
        fs.fire({ name: 'CUSTOM', subclass: 'rxesl::end', headers: { Marker: marker } });
        return got.some((e) => e.subclass === 'rxesl::end' && e.getHeader('Marker') === marker);
      },
      { interval: 200, timeout: 20_000 },
    )
    .toBe(true);
}

/**
 * One switch, one gateway and one worker (both on JetStream or not); 300 events at a steady
 * pace, nats-server restarted after the 100th; returns what the worker got once everything
 * still on its way has arrived, and the worker.
 */
async function restartMidStream(jetstream: boolean): Promise<{ got: ClusterEvent[]; worker: Cluster }> {
  const fs = await world.fakeSwitch();
  const gw = await world.gateway('fs1', fs, jetstream ? { jetstream: { ackTimeoutMs: 1000 } } : {});
  const worker = await world.cluster({ jetstream });
  await nodesUp(worker, ['fs1']);
  const got: ClusterEvent[] = [];
  worker.events$.subscribe((e) => got.push(e));
  await worker.flush();
  let restart: Promise<void> | undefined;
  await fireSteadily(fs, 'rxesl::tick', 300, 2, (n) => {
    if (n === 100) restart = world.nats.restart();
  });
  await restart;
  await drained(fs, got, jetstream ? gw : undefined);
  return { got, worker };
}

describe('nats-server restarting mid-stream', () => {
  it('core NATS: gateways and workers reconnect; what was in flight is lost, and counted', async ({ annotate }) => {
    const { got, worker } = await restartMidStream(false);
    const seen = numbers(got, 'rxesl::tick');
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeLessThanOrEqual(300);
    expect(seen.some((n) => n > 100)).toBe(true);
    await annotate(`core NATS: ${300 - seen.length} of 300 events lost across the restart`);
    // Commands work again too.
    expect((await firstValueFrom(worker.switch('fs1').api('status'))).text).toMatch(/^UP /);
  });

  it('JetStream: nothing is lost, nothing is duplicated', async ({ annotate }) => {
    const { got } = await restartMidStream(true);
    // Events retried after the restart are stored after later ones: compare in order of Test-N.
    expect(numbers(got, 'rxesl::tick').sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await annotate('JetStream: 0 of 300 events lost across the restart');
  });
});

describe('JetStream', () => {
  it('two gateways on one switch store each event once; core subscribers get it once too', async () => {
    const fs = await world.fakeSwitch();
    const gws = [await world.gateway('fs1', fs, { jetstream: true }), await world.gateway('fs1', fs, { jetstream: true })];
    expect(gws.every((g) => g.publishing)).toBe(true);
    const live = await world.cluster();
    const stored = await world.cluster({ jetstream: true });
    await nodesUp(live, ['fs1']);
    await expect.poll(() => live.switches[0]?.gateways.length).toBe(2);
    const got: ClusterEvent[][] = [[], []];
    live.events$.subscribe((e) => got[0]!.push(e));
    stored.events$.subscribe((e) => got[1]!.push(e));
    await live.flush();
    await stored.flush();
    await fireSteadily(fs, 'rxesl::dup', 100, 0);
    await expect.poll(() => got.map((g) => g.filter((e) => e.subclass === 'rxesl::end').length)).toEqual([1, 1]);
    const want = Array.from({ length: 100 }, (_, i) => i);
    expect(numbers(got[0]!, 'rxesl::dup')).toEqual(want);
    expect(numbers(got[1]!, 'rxesl::dup')).toEqual(want);
    // Both gateways published every one of them; the stream kept one copy of each.
    await expect.poll(() => gws.every((g) => g.stats.stored === g.stats.published)).toBe(true);
    expect(gws.map((g) => g.stats.published >= 101)).toEqual([true, true]);
    const jsm = await jetstreamManager(await world.client());
    const info = await jsm.streams.info('ESL', { subjects_filter: 'esl.fs1.event.CUSTOM.>' });
    expect(info.state.subjects).toEqual({ 'esl.fs1.event.CUSTOM.rxesl::dup.-': 100, 'esl.fs1.event.CUSTOM.rxesl::end.-': 1 });
  });

  it('a worker killed mid-call: another worker of the queue gets the call and the events the first had not acknowledged', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs, { jetstream: true });
    // The first worker in a child process, killed with SIGKILL: nothing of it runs after that,
    // no acknowledgement, no goodbye, as when a worker's machine dies.
    const child = fork(join(__dirname, 'helpers', 'worker-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, NATS_URL: world.nats.url, ACK_WAIT_MS: '1000' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    world.closers.push(async () => child.kill('SIGKILL'));
    const fromChild: Array<Record<string, unknown>> = [];
    child.on('message', (m: Record<string, unknown>) => fromChild.push(m));
    await expect.poll(() => fromChild.find((m) => m.ready || m.error), { timeout: 20_000 }).toEqual({ ready: true });

    const call = fs.call({ actions: ['park'] });
    await expect.poll(() => fromChild.find((m) => m.call)).toEqual({ call: call.uuid, redelivered: false });
    fs.dtmf(call.uuid, '01234');
    const digits = (): string => fromChild.map((m) => m.digit ?? '').join('');
    await expect.poll(digits).toBe('01234');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // While nobody follows the call, the caller presses more keys.
    fs.dtmf(call.uuid, '56789');
    const worker = await world.cluster({ jetstream: true });
    const handed = firstValueFrom(worker.calls$({ queue: 'ivr', ackWaitMs: 1000 }));
    const taken = await handed;
    expect(taken).toMatchObject({ uuid: call.uuid, node: 'fs1', redelivered: true });
    const seen: string[] = [];
    taken.channel.dtmf$.subscribe((d) => seen.push(d));
    // The events the first worker had not acknowledged come to this one (an acknowledgement
    // that was on its way when it died may bring an event again: at least once).
    await expect.poll(() => seen.join('').endsWith('56789')).toBe(true);
    expect(new Set([...digits(), ...seen])).toEqual(new Set('0123456789'));
    // The call goes on with its new worker.
    fs.hangup(call.uuid, 'NORMAL_CLEARING');
    await firstValueFrom(taken.channel.hangup$);
    expect(taken.channel.snapshot.hangupCause).toBe('NORMAL_CLEARING');
  });

  it('a stream made for another prefix is refused at start, in one line', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs, { jetstream: true });
    const err = await world.gateway('fs2', fs, { jetstream: true, prefix: 'other' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('the JetStream stream ESL takes ["esl.*.event.>"], not other.*.event.>: give this prefix a stream of its own (jetstream.stream)');
    await world.gateway('fs2', fs, { jetstream: { stream: 'OTHER' }, prefix: 'other' });
  });
});
