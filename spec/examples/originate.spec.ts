import { toArray, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import { type OriginateStep, originateAll } from '../../examples/originate';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('examples/originate.ts against FakeSwitch', () => {
  it('follows each call on its job: queued at once, then answered or failed with its cause', async () => {
    const fake = await startFakeSwitch();
    fake.endpoint('user/1001', { answerAfterMs: 300 });
    fake.endpoint('user/1002', { answerAfterMs: 100, failCause: 'USER_BUSY' });
    fake.endpoint('user/1003', { noAnswer: true });
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const steps = await lastValueFrom(originateAll(conn, ['user/1001', 'user/1002', '{originate_timeout=1}user/1003']).pipe(toArray()));

    // All three were queued before any result: the calls run at the same time.
    expect(steps.slice(0, 3).map((s) => [s.kind, s.dial])).toEqual([
      ['queued', 'user/1001'],
      ['queued', 'user/1002'],
      ['queued', '{originate_timeout=1}user/1003'],
    ]);
    // Results in the order the calls ended: busy at 100 ms, answered at 300 ms, no answer at 1 s.
    const results = steps.slice(3);
    expect(results.map((s) => [s.kind, s.dial, s.kind === 'failed' ? s.cause : ''])).toEqual([
      ['failed', 'user/1002', 'USER_BUSY'],
      ['answered', 'user/1001', ''],
      ['failed', '{originate_timeout=1}user/1003', 'NO_ANSWER'],
    ]);
    // Each result carries the Job-UUID its queued step announced, and an answered call is a live channel.
    const jobOf = new Map(steps.filter((s) => s.kind === 'queued').map((s) => [s.dial, s.jobUuid]));
    for (const r of results) expect(r.jobUuid).toBe(jobOf.get(r.dial));
    expect(new Set(jobOf.values()).size).toBe(3);
    const answered = results.find((s): s is Extract<OriginateStep, { kind: 'answered' }> => s.kind === 'answered')!;
    expect(fake.channel(answered.uuid)?.answered).toBe(true);
  });
});
