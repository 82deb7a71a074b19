import { filter, firstValueFrom, map, mergeMap, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Server } from 'rxesl';
import { ivr } from '../../examples/outbound-ivr';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('examples/outbound-ivr.ts against FakeSwitch', () => {
  it('routes each caller by the digit pressed', async () => {
    const fake = await startFakeSwitch({ media: { playbackMs: 50 }, ringMs: 20 });
    const server = closeAfterTest(await Server.listen({ port: 0 }));
    const outcomes = firstValueFrom(
      server.connections$.pipe(
        mergeMap((call) => ivr(call).pipe(map((o) => [call.channelData?.getHeader('Caller-Caller-ID-Number'), o] as const))),
        take(3),
        toArray(),
      ),
    );
    const sales = fake.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: '1001', dtmf: '1' });
    fake.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: '1002', dtmf: '2' });
    const quitter = fake.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: '1003' });
    // the third caller gives up during the greeting; the sales call is bridged until the agent
    // (the b-leg) hangs up
    server.connections$.pipe(filter((c) => c.uuid === quitter.uuid), take(1), mergeMap((c) => c.eventsNamed('CHANNEL_EXECUTE').pipe(take(1)))).subscribe(() => quitter.hangup());
    const bridged = await new Promise<string>((resolve) => {
      const t = setInterval(() => {
        const b = fake.channels().find((c) => c.uuid !== sales.uuid && c.name.includes('/1001@'));
        if (b) {
          clearInterval(t);
          resolve(b.uuid);
        }
      }, 10);
    });
    await new Promise((r) => setTimeout(r, 100));
    fake.hangup(bridged);
    expect(new Map(await outcomes)).toEqual(
      new Map([
        ['1001', 'sales'],
        ['1002', 'support'],
        ['1003', 'caller hung up'],
      ]),
    );
  });
});
