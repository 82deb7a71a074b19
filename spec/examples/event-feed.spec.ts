import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import { type CallState, callStates } from '../../examples/event-feed';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('examples/event-feed.ts against FakeSwitch', () => {
  it('reports the calls of one context, each state once it has settled', async () => {
    const fake = await startFakeSwitch();
    fake.extension({ context: 'public', destination: /.*/, actions: ['answer', 'park'] });
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const seen: CallState[] = [];
    const sub = callStates(conn, { context: 'default', quietMs: 300 }).subscribe((s) => seen.push(s));
    // The subscription and the filter are in place once FreeSWITCH has answered both.
    await expect.poll(() => fake.received.map((c) => c.line)).toEqual(expect.arrayContaining(['event plain CHANNEL_CALLSTATE', 'filter Caller-Context default']));

    const mine = fake.call({ destination: 'answer_park', callerIdNumber: '1001' });
    const other = fake.call({ destination: '9999', context: 'public', callerIdNumber: '2002' });
    // RINGING then ACTIVE come within the quiet time: only ACTIVE is reported.
    await expect.poll(() => seen.map((s) => s.state)).toEqual(['ACTIVE']);
    fake.dtmf(mine.uuid, '1');
    mine.hangup('NORMAL_CLEARING');
    other.hangup('NORMAL_CLEARING');
    await expect.poll(() => seen.map((s) => s.state)).toEqual(['ACTIVE', 'HANGUP']);
    expect(seen).toEqual([
      { uuid: mine.uuid, caller: '1001', destination: 'answer_park', state: 'ACTIVE' },
      { uuid: mine.uuid, caller: '1001', destination: 'answer_park', state: 'HANGUP' },
    ]);
    // The other context's events never reached the connection: FreeSWITCH filtered them.
    expect(seen.some((s) => s.uuid === other.uuid)).toBe(false);
    sub.unsubscribe();
  });

  it('debounces each call on its own: a burst on one call does not hide another', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const seen: CallState[] = [];
    const sub = callStates(conn, { quietMs: 500 }).subscribe((s) => seen.push(s));
    await expect.poll(() => fake.received.some((c) => c.line === 'filter Caller-Context default')).toBe(true);
    const a = fake.call({ destination: 'answer_park', callerIdNumber: '1001' });
    const b = fake.call({ destination: 'answer_park', callerIdNumber: '1002' });
    await expect.poll(() => seen.length).toBe(2);
    expect(new Set(seen.map((s) => s.uuid))).toEqual(new Set([a.uuid, b.uuid]));
    // Held then taken off hold within the quiet time: a is reported ACTIVE again, never HELD...
    await firstValueFrom(conn.api('uuid_hold', a.uuid));
    await firstValueFrom(conn.api('uuid_hold', `off ${a.uuid}`));
    // ...while b, held for longer, is reported HELD.
    await firstValueFrom(conn.api('uuid_hold', b.uuid));
    await expect.poll(() => seen.length).toBe(4);
    // (Two calls that settle within the same millisecond may be reported in either order.)
    expect(seen.slice(2).map((s) => [s.caller, s.state]).sort()).toEqual([
      ['1001', 'ACTIVE'],
      ['1002', 'HELD'],
    ]);
    sub.unsubscribe();
  });
});
