/**
 * docs/cluster.md's code, run: each test is a snippet of the page (same code, against a real
 * nats-server and FakeSwitches), so that what the page shows works.
 */
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Channel, Server } from 'rxesl';
import { Cluster, Gateway } from 'rxesl/nats';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  await world.close();
});

describe('docs/cluster.md', () => {
  it('Quick start: a gateway, a worker, switches$, events$, an api', async () => {
    const fs = await world.fakeSwitch();
    const lines: string[] = [];
    const console = { log: (...a: unknown[]) => lines.push(a.join(' ')) };

    const gw = await Gateway.start({ nats: { servers: world.nats.url }, node: 'fs1',
      esl: { host: '127.0.0.1', port: fs.port, password: 'ClueCon' }, jetstream: false });

    const cluster = await Cluster.connect({ servers: world.nats.url });
    cluster.switches$.subscribe((up) => console.log('up:', up.map((s) => s.node).join(', ')));
    cluster.events$.subscribe((e) => console.log(e.node, e.name));
    const status = await firstValueFrom(cluster.switch('fs1').api('status'));   // an ApiResponse
    console.log(status.text);

    await expect.poll(() => lines.includes('up: fs1')).toBe(true);
    expect(lines.some((l) => /^UP 0 years/.test(l))).toBe(true);
    // The api made an API event on the switch, which came back through the gateway.
    await expect.poll(() => lines.includes('fs1 API')).toBe(true);
    await cluster.close();
    await gw.close();
  });

  it('Workers: a Channel over the switch a parked call is on', async () => {
    const fs = await world.fakeSwitch({ media: { playbackMs: 20 } });
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const done: string[] = [];

    // Whatever switch a call is on: its channel's events, and a Channel over its switch.
    cluster.eventsNamed('CHANNEL_PARK').subscribe(async (parked) => {
      const channel = Channel.of(cluster.switch(parked.node), parked);
      await lastValueFrom(channel.answer());
      await lastValueFrom(channel.playback('ivr/welcome.wav'));
      await lastValueFrom(channel.hangup());
      done.push(channel.uuid);
    });

    await cluster.flush();
    const call = fs.call({ actions: ['park'] });
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
    await expect.poll(() => done).toEqual([call.uuid]);
    expect(fs.received.filter((c) => c.line === `sendmsg ${call.uuid}`).length).toBe(3);
  });

  it('Sharing calls: calls$ on a queue', async () => {
    const fs = await world.fakeSwitch({ media: { playbackMs: 20 } });
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const menus: string[] = [];

    cluster.calls$({ queue: 'ivr' }).subscribe(async (call) => {
      await lastValueFrom(call.channel.answer());
      const menu = await lastValueFrom(call.channel.playAndGetDigits({ file: 'ivr/menu.wav', max: 1 }));
      await lastValueFrom(call.channel.hangup());
      menus.push(menu.digits);
    });

    await cluster.flush();
    const call = fs.call({ actions: ['park'], dtmf: '5' });
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
    await expect.poll(() => menus).toEqual(['5']);
  });

  it('Outbound-socket applications: socket failover between two Server workers, and a drain', async () => {
    const fs = await world.fakeSwitch({ media: { playbackMs: 20 } });
    const lines: string[] = [];
    const console = { log: (...a: unknown[]) => lines.push(a.join(' ')) };

    const [a, b] = [await Server.listen({ port: 0 }), await Server.listen({ port: 0 })];
    for (const [name, server] of [['a', a], ['b', b]] as const) {
      server.connections$.subscribe(async (call) => {
        console.log(`worker ${name}: call ${call.uuid}`);
        await lastValueFrom(Channel.fromConnection(call).playback('ivr/welcome.wav'));
        await lastValueFrom(call.hangup());
      });
    }
    // dialplan: socket 127.0.0.1:<a>|127.0.0.1:<b> async full
    fs.extension({ destination: '5000', socket: `127.0.0.1:${a.port}|127.0.0.1:${b.port} async full` });
    const first = fs.call({ destination: '5000' });
    await firstValueFrom(a.connectionCount$.pipe(filter((n) => n === 1)));
    const draining = a.close({ drain: true });   // a deploy: a finishes its calls; new calls go to b
    const second = fs.call({ destination: '5000' });
    await Promise.all([first.whenDown, second.whenDown, draining]);
    await b.close();

    expect(lines).toEqual([`worker a: call ${first.uuid}`, `worker b: call ${second.uuid}`]);
  });
});
