import { describe, expect, it } from 'vitest';
import { type Tour, tour } from '../../examples/modesl-callbacks';
import { startFakeSwitch } from '../helpers/fake-switch';

const run = (port: number, password: string, dial: string): Promise<Tour> =>
  new Promise((resolve, reject) => tour('127.0.0.1', port, password, dial, (err, t) => (err ? reject(err) : resolve(t!))));

describe('examples/modesl-callbacks.ts against FakeSwitch', () => {
  it('runs the modesl program: api, bgapi, subscribe, a call answered and hung up', async () => {
    const fake = await startFakeSwitch();
    fake.endpoint('user/1000', { answerAfterMs: 100 });
    const t = await run(fake.port, 'ClueCon', 'user/1000');
    expect(t.status).toMatch(/^UP 0 years/);
    expect(t.version).toMatch(/^FreeSWITCH Version 1\.10\.12/);
    expect(t.answered).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.hangupCause).toBe('USER_BUSY');
    // It said goodbye: disconnect() sent exit.
    await expect.poll(() => fake.received.some((c) => c.line === 'exit')).toBe(true);
  });

  it('reports a failed call through its callback', async () => {
    const fake = await startFakeSwitch();
    await expect(run(fake.port, 'ClueCon', 'error/USER_NOT_REGISTERED')).rejects.toThrow('originate: -ERR USER_NOT_REGISTERED');
  });

  it('reports a wrong password', async () => {
    const fake = await startFakeSwitch({ password: 'other' });
    // modesl tells of a refused password by ending the connection (esl::end), not with an error.
    await expect(run(fake.port, 'ClueCon', 'user/1000')).rejects.toThrow(/^the connection ended$/);
  });
});
