/**
 * Bad input and switches coming and going: a malformed message on an esl. subject is dropped
 * with an error, never a crash; odd tokens are escaped; a switch that goes down leaves
 * switches$ and rejoins it when it comes back.
 */
import { headers as natsHeaders } from '@nats-io/transport-node';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EslProtocolError } from 'rxesl';
import type { ClusterEvent, SwitchInfo } from 'rxesl/nats';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  await world.close();
});

describe('faults and bad input', () => {
  it('a switch that goes down leaves switches$ and rejoins it when it comes back', async () => {
    const fs = await world.fakeSwitch();
    const gw = await world.gateway('fs1', fs, { esl: { host: fs.host, port: fs.port, reconnect: { initialDelay: 50, maxDelay: 200 } } });
    const cluster = await world.cluster();
    const lists: string[] = [];
    cluster.switches$.subscribe((l: readonly SwitchInfo[]) => {
      // The node list, each change once (a new version or Core-UUID re-emits the same list).
      const nodes = l.map((s) => s.node).join(',') || '-';
      if (lists.at(-1) !== nodes) lists.push(nodes);
    });
    await nodesUp(cluster, ['fs1']);
    expect(cluster.switches[0]).toMatchObject({ node: 'fs1', gateways: [gw.id] });
    expect(cluster.switches[0]!.version).toMatch(/^FreeSWITCH Version 1\.10\.12/);
    await fs.restart({ downtimeMs: 300 });
    await firstValueFrom(gw.state$.pipe(filter((s) => s === 'down')));
    await firstValueFrom(gw.state$.pipe(filter((s) => s === 'up')));
    await expect.poll(() => lists).toEqual(['-', 'fs1', '-', 'fs1']);
    expect((await firstValueFrom(cluster.switch('fs1').api('status'))).text).toMatch(/^UP /);
  });

  it('a gateway that stops announcing (killed) leaves switches$ after three of its periods', async () => {
    const fs = await world.fakeSwitch();
    const nc = await world.client();
    const gw = await world.gateway('fs1', fs, { nats: nc, announceMs: 100 });
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    // Its NATS connection cut without a word: no `stopped` announcement.
    await nc.close();
    await nodesUp(cluster, []);
    expect(gw.state).toBe('up');
  });

  it('a malformed message on an esl. subject is dropped with an error on errors$, never a crash', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const events: ClusterEvent[] = [];
    const errors: Error[] = [];
    cluster.events$.subscribe((e) => events.push(e));
    cluster.errors$.subscribe((e) => errors.push(e));
    await cluster.flush();
    const nc = await world.client();
    const h = (ct: string) => {
      const x = natsHeaders();
      x.set('Content-Type', ct);
      return x;
    };
    nc.publish('esl.fs1.event.CHANNEL_ANSWER.-', 'Event-Name: CHANNEL_ANSWER\n\n'); // no Content-Type
    nc.publish('esl.fs1.event.CHANNEL_ANSWER.-', 'Event-Name: CHANNEL_ANSWER\n\n', { headers: h('text/html') });
    nc.publish('esl.fs1.event.CHANNEL_ANSWER.-', '{"Event-Name": ', { headers: h('text/event-json') });
    nc.publish('esl.fs1.event.CHANNEL_ANSWER.-', 'Event-Name: HEARTBEAT\n\n', { headers: h('text/event-plain') });
    nc.publish('esl.fs1.event.CHANNEL_ANSWER.-', '', { headers: h('text/event-plain') });
    nc.publish('esl.fs1.event.a.b.c.d.e', 'Event-Name: a\n\n', { headers: h('text/event-plain') });
    nc.publish('esl.fs1.event.bad%zz.-', 'Event-Name: bad\n\n', { headers: h('text/event-plain') });
    nc.publish('esl.fs1.status', 'not json');
    nc.publish('esl.fs1.status', '{"node":"fs1"}');
    // Then a real event, through the gateway.
    fs.fire({ name: 'CUSTOM', subclass: 'rxesl::after' });
    await expect.poll(() => events.some((e) => e.subclass === 'rxesl::after')).toBe(true);
    // Only what the gateway published came through (its own `api version` makes an API event).
    expect(events.every((e) => e.subclass === 'rxesl::after' || e.name === 'API')).toBe(true);
    await expect.poll(() => errors.length).toBe(9);
    expect(errors.every((e) => e instanceof EslProtocolError)).toBe(true);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/Content-Type is null/);
    // Still working.
    expect((await firstValueFrom(cluster.switch('fs1').api('status'))).text).toMatch(/^UP /);
  });

  it('a malformed command request gets an error reply; the gateway goes on serving', async () => {
    const fs = await world.fakeSwitch();
    const gw = await world.gateway('fs1', fs);
    const gwErrors: Error[] = [];
    gw.errors$.subscribe((e) => gwErrors.push(e));
    const nc = await world.client();
    const r1 = await nc.request('esl.fs1.cmd', 'garbage', { timeout: 5000 });
    expect(r1.headers?.get('Esl-Reply')).toBe('error');
    expect(JSON.parse(r1.string())).toMatchObject({ name: 'EslProtocolError' });
    const r2 = await nc.request('esl.fs1.cmd', JSON.stringify({ method: 'api', args: { command: 42 } }), { timeout: 5000 });
    expect(JSON.parse(r2.string())).toMatchObject({ name: 'EslArgumentError', argument: 'command' });
    const r3 = await nc.request('esl.fs1.cmd', JSON.stringify({ method: 'system', args: { command: 'rm -rf /' } }), { timeout: 5000 });
    expect(JSON.parse(r3.string())).toMatchObject({ name: 'EslProtocolError' });
    expect(gwErrors).toHaveLength(3);
    const cluster = await world.cluster();
    expect((await firstValueFrom(cluster.switch('fs1').api('status'))).text).toMatch(/^UP /);
  });

  it('subject tokens with ., *, > or a space in an event name, a subclass or a uuid are escaped', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const nc = await world.client();
    const subjects: string[] = [];
    nc.subscribe('esl.fs1.event.>', { callback: (_e, m) => void subjects.push(m.subject) });
    const odd = cluster.customEvents('my.app*x> y').pipe(take(1));
    const named = cluster.eventsNamed('CUSTOM').pipe(take(2), toArray());
    const byId = cluster.channelEvents('id.with *>').pipe(take(1));
    const got = Promise.all([firstValueFrom(odd), firstValueFrom(named), firstValueFrom(byId)]);
    await cluster.flush();
    await nc.flush();
    fs.fire({ name: 'CUSTOM', subclass: 'my.app*x> y' });
    fs.fire({ name: 'CUSTOM', subclass: 'plain::one', headers: { 'Unique-ID': 'id.with *>' } });
    const [a, all, c] = await got;
    expect(a.subclass).toBe('my.app*x> y');
    expect(all.map((e) => e.subclass)).toEqual(['my.app*x> y', 'plain::one']);
    expect(c.getHeader('Unique-ID')).toBe('id.with *>');
    await expect.poll(() => subjects.length).toBe(2);
    expect(subjects).toEqual(['esl.fs1.event.CUSTOM.my%2Eapp%2Ax%3E%20y.-', 'esl.fs1.event.CUSTOM.plain::one.id%2Ewith%20%2A%3E']);
  });
});
