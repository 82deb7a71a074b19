/**
 * The clocks FakeSwitch runs on: ManualClock's timers, advance(), runNext(), tick(), and
 * tick() with FakeSwitch's sockets (an outbound handshake, a client's answers).
 */
import { describe, expect, it } from 'vitest';
import { Commands } from 'rxesl';
import { ManualClock, RealClock } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';
import { OutboundServer } from './helpers/raw-client';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ManualClock', () => {
  it('stands still until advanced, then runs timers in order of due time', () => {
    const clock = new ManualClock(1_000_000);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('b'), 200);
    clock.setTimeout(() => ran.push('a'), 100);
    clock.setTimeout(() => ran.push('c'), 300);
    expect(clock.pending).toBe(3);
    clock.advance(150);
    expect(ran).toEqual(['a']);
    expect(clock.now()).toBe(1_000_150);
    clock.advance(1000);
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1_001_150);
    expect(clock.pending).toBe(0);
  });

  it('runs timers created by timers when they fall due inside the same advance', () => {
    const clock = new ManualClock(0);
    const ran: number[] = [];
    clock.setTimeout(() => {
      ran.push(clock.now());
      clock.setTimeout(() => ran.push(clock.now()), 50);
    }, 100);
    clock.advance(200);
    expect(ran).toEqual([100, 150]);
  });

  it('keeps the order of timers due at the same time', () => {
    const clock = new ManualClock(0);
    const ran: number[] = [];
    for (let i = 0; i < 10; i++) clock.setTimeout(() => ran.push(i), 5);
    clock.advance(5);
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('does not run a cancelled timer', () => {
    const clock = new ManualClock(0);
    let ran = false;
    const t = clock.setTimeout(() => (ran = true), 10);
    t.cancel();
    t.cancel();
    clock.advance(100);
    expect(ran).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('runs a timer that is already due on the next turn, without moving time', async () => {
    const clock = new ManualClock(500);
    let ran = false;
    clock.setTimeout(() => (ran = true), 0);
    expect(ran).toBe(false);
    await turn();
    expect(ran).toBe(true);
    expect(clock.now()).toBe(500);
  });

  it('runNext jumps to the next timer; runAll empties the queue, within a limit', () => {
    const clock = new ManualClock(0);
    const ran: number[] = [];
    clock.setTimeout(() => ran.push(1), 1000);
    clock.setTimeout(() => ran.push(2), 5000);
    expect(clock.nextDue).toBe(1000);
    expect(clock.runNext()).toBe(true);
    expect(ran).toEqual([1]);
    expect(clock.now()).toBe(1000);
    expect(clock.runAll()).toBe(1);
    expect(ran).toEqual([1, 2]);
    expect(clock.runNext()).toBe(false);
    // A timer that re-arms itself forever stops at the limit.
    const tick = (): void => void clock.setTimeout(tick, 10);
    tick();
    expect(clock.runAll(50)).toBe(50);
  });

  it('refuses to go back in time', () => {
    expect(() => new ManualClock(0).advance(-1)).toThrow(RangeError);
  });
});

describe('RealClock', () => {
  it('is Date.now() and the platform timers', async () => {
    const clock = new RealClock();
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    let ran = false;
    const t = clock.setTimeout(() => (ran = true), 0);
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toBe(true);
    t.cancel();
  });
});

describe('ManualClock.tick', () => {
  it('lets promise chains start their next timers inside the window', async () => {
    const clock = new ManualClock(0);
    const sleep = (ms: number): Promise<void> => new Promise((r) => clock.setTimeout(r, ms));
    const seen: number[] = [];
    const chain = (async () => {
      await sleep(100);
      seen.push(clock.now());
      await sleep(200);
      seen.push(clock.now());
      await sleep(300);
      seen.push(clock.now());
    })();
    // advance() alone runs only the first timer: its continuation runs after advance() has
    // already moved time to the end of the window, and starts the next timer from there.
    clock.advance(1000);
    expect(seen).toEqual([]);
    await clock.tick(0);
    expect(seen).toEqual([1000]);
    // tick() turns the event loop between timers, so the whole chain runs within the window.
    await clock.tick(500);
    expect(seen).toEqual([1000, 1200, 1500]);
    await chain;
    expect(clock.now()).toBe(1500);
  });
});

describe('ManualClock.tick with FakeSwitch', () => {
  /** A call to an outbound application on `app`, and the events FakeSwitch fired for it (with their clock time). */
  async function outboundCall(clock: ManualClock, app: OutboundServer) {
    const fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
    fake.extension({ destination: '5000', socket: `127.0.0.1:${app.port} async full` });
    const events: string[] = [];
    fake.onEvent((e) => {
      if (e.name === 'CHANNEL_ANSWER' || e.name === 'CHANNEL_HANGUP') events.push(`${e.name} at ${Number(e.getHeader('Event-Date-Timestamp')) / 1000}`);
    });
    return { fake, events, call: fake.call({ destination: '5000' }) };
  }

  it('one tick: the outbound handshake, however long the application takes to send connect, then its commands, then time', async () => {
    // The README's recipe: a call to an outbound application, then `await clock.tick(10_000)`.
    // The application connects its reply after a while in real time (another process, a busy
    // machine); the tick must not jump over the handshake.
    const clock = new ManualClock(0);
    const app = closeAfterTest(await OutboundServer.start());
    const { events, call } = await outboundCall(clock, app);
    const ticked = clock.tick(10_000);
    const conn = await app.accept();
    await new Promise((r) => setTimeout(r, 50));
    conn.write(Commands.connect().bytes);
    await conn.next();
    conn.write(Buffer.concat([Commands.execute('answer', undefined, { eventLock: true }).bytes, Commands.execute('playback', 'silence_stream://1000', { eventLock: true }).bytes, Commands.hangup().bytes]));
    await ticked;
    expect(clock.now()).toBe(10_000);
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
    expect(events).toEqual(['CHANNEL_ANSWER at 0', 'CHANNEL_HANGUP at 1000']);
  });

  it('a client that connects and never sends connect holds time back for a bounded while only', async () => {
    const clock = new ManualClock(0);
    const app = closeAfterTest(await OutboundServer.start());
    const { call } = await outboundCall(clock, app);
    const ticked = clock.tick(1000);
    await app.accept();
    await ticked;
    expect(clock.now()).toBe(1000);
    expect(call.info()?.application).toBe('socket');
    call.hangup();
  });
});
