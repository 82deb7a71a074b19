/**
 * HEARTBEAT and RE_SCHEDULE on the clock, and the call generator.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from 'rxesl/testing';
import { RawClient } from './helpers/raw-client';
import { startFakeSwitch } from '../helpers/fake-switch';

describe('HEARTBEAT', () => {
  it('fires every 20 s of clock time, followed by RE_SCHEDULE', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const fake = await startFakeSwitch({ clock });
    const c = await RawClient.authed(fake.port);
    await c.text('event plain HEARTBEAT RE_SCHEDULE');
    await clock.tick(19_999);
    expect(c.unread).toHaveLength(0);
    await clock.tick(1);
    const hb = await c.event();
    expect(hb.name).toBe('HEARTBEAT');
    expect(hb.headers.keys().slice(13)).toEqual([
      'Event-Info',
      'Up-Time',
      'FreeSWITCH-Version',
      'Uptime-msec',
      'Session-Count',
      'Max-Sessions',
      'Session-Per-Sec',
      'Session-Per-Sec-Last',
      'Session-Per-Sec-Max',
      'Session-Per-Sec-FiveMin',
      'Session-Since-Startup',
      'Session-Peak-Max',
      'Session-Peak-FiveMin',
      'Idle-CPU',
    ]);
    expect(hb.getHeader('Event-Info')).toBe('System Ready');
    expect(hb.getHeader('Up-Time')).toBe('0 years, 0 days, 0 hours, 0 minutes, 20 seconds, 0 milliseconds, 0 microseconds');
    expect(hb.getHeader('Uptime-msec')).toBe('20000');
    expect(hb.getHeader('Event-Calling-Function')).toBe('send_heartbeat');
    const rs = await c.event();
    expect(rs.name).toBe('RE_SCHEDULE');
    expect(rs.getHeader('Task-Desc')).toBe('heartbeat');
    expect(rs.getHeader('Task-Group')).toBe('core');
    await clock.tick(20_000);
    expect((await c.event()).getHeader('Uptime-msec')).toBe('40000');
    c.close();
  });

  it('the interval is configurable, 0 turns it off, heartbeat() fires one now', async () => {
    const clock = new ManualClock(0);
    const fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
    const c = await RawClient.authed(fake.port);
    await c.text('event plain HEARTBEAT');
    await clock.tick(120_000);
    expect(c.unread).toHaveLength(0);
    fake.heartbeat();
    expect((await c.event()).name).toBe('HEARTBEAT');
    c.close();
  });
});

describe('traffic', () => {
  it('starts calls at the given rate on the clock; each runs the dialplan and ends', async () => {
    const clock = new ManualClock(0);
    const fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
    fake.extension({
      destination: /^2\d\d$/,
      actions: ['answer', 'playback silence_stream://1000', 'play_and_get_digits 1 1 1 2000 # silence_stream://10 silence choice', 'hangup'],
    });
    const t = fake.traffic({ callsPerSecond: 4, maxCalls: 10, destination: (n) => String(200 + n), dtmf: (n) => String(n % 10) });
    // Calls start at 0, 250, 500, 750 and 1000 ms.
    await clock.tick(1000);
    expect(t.started).toBe(5);
    await clock.tick(1500);
    expect(t.started).toBe(10);
    expect(t.stopped).toBe(true);
    await clock.tick(5000);
    expect(t.active).toBe(0);
    const causes = await Promise.all(t.calls.map((c) => c.whenDown));
    expect(causes.every((x) => x === 'NORMAL_CLEARING')).toBe(true);
    expect(fake.channels()).toEqual([]);
  });

  it('stop() stops starting calls; maxConcurrent caps the calls up at once', async () => {
    const clock = new ManualClock(0);
    const fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
    const t = fake.traffic({ callsPerSecond: 10, maxConcurrent: 3, destination: 'park' });
    await clock.tick(2000);
    expect(t.active).toBe(3);
    expect(fake.channels()).toHaveLength(3);
    t.stop();
    for (const c of t.calls) c.hangup();
    await clock.tick(2000);
    expect(t.started).toBe(3);
  });
});
