/**
 * The demo switch: its IVR and its agents, and a port taken by someone else.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EslEvent } from 'rxesl';
import { type DemoSwitch, startDemo } from '../../lib/cli/demo';

let demo: DemoSwitch | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
});

describe('the demo switch', () => {
  it('sends no call before startTraffic, then callers through the IVR: 1 to an agent, 2 to goodbye', async () => {
    demo = await startDemo({ host: '127.0.0.1', port: 0, password: 'ClueCon', rate: 10 });
    const events: EslEvent[] = [];
    demo.fake.onEvent((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 200));
    expect(demo.fake.channels()).toEqual([]);
    expect(demo.traffic).toBeUndefined();

    demo.startTraffic();
    demo.startTraffic(); // once only
    // Caller 0 presses 1 and is bridged to the agent; caller 1 presses 2 and hears goodbye.
    await expect
      .poll(() => events.some((e) => e.name === 'CHANNEL_BRIDGE' && e.getHeader('Caller-Caller-ID-Number') === '55501000'), { timeout: 10_000 })
      .toBe(true);
    await expect
      .poll(
        () => events.some((e) => e.name === 'PLAYBACK_START' && e.getHeader('Caller-Caller-ID-Number') === '55501001' && e.getHeader('Playback-File-Path') === 'voicemail/vm-goodbye.wav'),
        { timeout: 10_000 },
      )
      .toBe(true);
    const digits = events.filter((e) => e.name === 'DTMF').map((e) => [e.getHeader('Caller-Caller-ID-Number'), e.getHeader('DTMF-Digit')]);
    expect(digits.slice(0, 2)).toEqual([
      ['55501000', '1'],
      ['55501001', '2'],
    ]);
    expect(demo.traffic!.started).toBeGreaterThan(2);
  });

  it('takes a free port when the one asked for is taken, and says which it left', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as { port: number }).port;
    try {
      demo = await startDemo({ host: '127.0.0.1', port: taken, password: 'ClueCon', rate: 1 });
      expect(demo.movedFrom).toBe(taken);
      expect(demo.port).not.toBe(taken);
      expect(demo.port).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });
});
