import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import { formatStatus, switchStatus } from '../../examples/status';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('examples/status.ts against FakeSwitch', () => {
  it('reports the version, the uptime, the sessions, the channels and the calls', async () => {
    const fake = await startFakeSwitch();
    fake.call({ destination: 'park', callerIdNumber: '1001' });
    fake.call({ destination: 'park', callerIdNumber: '1002' });
    // A bridged call: two channels, one call.
    fake.call({ callerIdNumber: '1003', actions: ['answer', 'bridge user/2000'] });
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    await expect.poll(async () => (await switchStatus(conn!)).calls).toBe(3);
    const s = await switchStatus(conn);
    expect(s).toMatchObject({ channels: 4, calls: 3, sessionsSinceStartup: 4, peakSessions: 4 });
    expect(s.version).toMatch(/^FreeSWITCH Version 1\.10\.12/);
    expect(s.uptime).toMatch(/^UP 0 years, 0 days/);
    // The four commands, in the order forkJoin subscribed them (each written at once: pipelined).
    expect(fake.received.slice(-4).map((c) => c.line)).toEqual(['api version', 'api status', 'api show channels count', 'api show calls count']);
    expect(formatStatus(s).split('\n')[2]).toBe('4 channel(s), 3 call(s) up now; 4 session(s) since startup, peak 4');
  });
});
