/**
 * Scale: a thousand outbound calls at once, each driven through answer, playback,
 * play_and_get_digits with injected DTMF and hangup. Correctness only (performance is
 * measured elsewhere), but it has to get through.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Commands, EslEvent } from 'rxesl';
import { type FakeSwitch, ManualClock } from 'rxesl/testing';
import { OutboundServer, type RawClient } from './helpers/raw-client';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

let fake: FakeSwitch;
let clock: ManualClock;
let app: OutboundServer;

beforeEach(async () => {
  clock = new ManualClock(0);
  // Registered first, closed last: the switch stops, then the test's server closes.
  app = closeAfterTest(await OutboundServer.start());
  fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
});

async function drive(conn: RawClient, n: number): Promise<string> {
  conn.write(Buffer.concat([Commands.connect().bytes, Buffer.from('myevents\n\n')]));
  const info = EslEvent.fromFrame(await conn.next());
  const uuid = info.getHeader('Unique-ID')!;
  await conn.reply();
  const lock = { eventLock: true };
  conn.write(
    Buffer.concat([
      Commands.execute('answer', undefined, { ...lock, eventUuid: `${n}-answer` }).bytes,
      Commands.execute('playback', 'silence_stream://1000', { ...lock, eventUuid: `${n}-play` }).bytes,
      Commands.execute('play_and_get_digits', '1 3 1 5000 # silence_stream://200 silence digits', { ...lock, eventUuid: `${n}-pagd` }).bytes,
    ]),
  );
  for (let i = 0; i < 3; i++) expect((await conn.reply()).headers.get('Reply-Text')).toBe('+OK');
  await conn.event((e) => e.name === 'CHANNEL_EXECUTE' && e.getHeader('Application-UUID') === `${n}-pagd`);
  fake.dtmf(uuid, `${n % 1000}#`.slice(-4));
  const done = await conn.event((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application-UUID') === `${n}-pagd`);
  const digits = done.getHeader('variable_digits') ?? '';
  expect(await conn.text(Commands.hangup())).toBe('+OK');
  await conn.whenClosed();
  return digits;
}

describe('a thousand concurrent outbound calls', () => {
  it('each answered, played, asked for digits and hung up', async () => {
    const n = 1000;
    const calls = Array.from({ length: n }, () => fake.call({ destination: '7000', socket: `127.0.0.1:${app.port} async full` }));
    const results = Promise.all(
      calls.map(async (_, i) => {
        const conn = await app.accept();
        return drive(conn, i);
      }),
    );
    let finished = false;
    void results.then(() => (finished = true));
    // Simulated time moves only when nothing else can: when no frame has arrived for a few
    // turns of the event loop, jump to the next timer (the playbacks' end, the prompts').
    let seen = -1;
    for (let guard = 0; guard < 100_000 && !finished; guard++) {
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
      const progress = app.clients.reduce((sum, c) => sum + c.frames.length, 0);
      if (progress !== seen) {
        seen = progress;
        continue;
      }
      clock.runNext();
    }
    const digits = await results;
    expect(new Set(digits).size).toBeGreaterThan(900);
    expect(digits.every((d) => /^\d{1,3}$/.test(d))).toBe(true);
    await Promise.all(calls.map((c) => c.whenDown));
    expect(fake.connectionCount).toBe(0);
  }, 120_000);
});
