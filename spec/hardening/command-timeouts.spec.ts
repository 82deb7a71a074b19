/**
 * A switch that stops answering with its socket open (issue 12, item 8): every command given a
 * timeout fails by its deadline. A command's clock starts when it becomes the first command
 * still waited for, so ten commands of 300 ms fail one after another, each 300 ms after the one
 * before; none stays pending. Before the fix only the head and the next one got a timer: two
 * failed and eight waited for ever.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, EslTimeoutError } from 'rxesl';
import { FakeSwitch } from 'rxesl/testing';

let fake: FakeSwitch | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  await conn?.close();
  conn = undefined;
  await fake?.stop();
  fake = undefined;
});

/** Settles every promise, or reports how many were still pending when the guard ran out. */
async function settleAll(promises: Array<Promise<unknown>>, guardMs: number): Promise<unknown[]> {
  const outcomes: unknown[] = new Array(promises.length).fill('pending');
  const all = Promise.all(promises.map((p, i) => p.then((v) => (outcomes[i] = v), (e: unknown) => (outcomes[i] = e))));
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), guardMs)));
  const done = await Promise.race([all, guard]);
  clearTimeout(timer);
  if (done === 'stuck') throw new Error(`${outcomes.filter((o) => o === 'pending').length} of ${promises.length} commands still pending`);
  return outcomes;
}

async function silentSwitch(options: Parameters<typeof Connection.connect>[0] = {}): Promise<Connection> {
  fake = await FakeSwitch.start({ heartbeatIntervalMs: 0 });
  conn = await Connection.connect({ port: fake.port, ...options });
  // The switch stops reading its socket: no command gets a reply, the socket stays open.
  fake.setFaults({ stopReading: true });
  return conn;
}

describe('a switch that stops answering', () => {
  it('ten api commands with { timeout: 300 } all fail with EslTimeoutError, in order', async () => {
    const c = await silentSwitch();
    const order: number[] = [];
    const pending = Array.from({ length: 10 }, (_, i) =>
      firstValueFrom(c.api('echo', `n${i}`, { timeout: 300 })).finally(() => order.push(i)),
    );
    const outcomes = await settleAll(pending, 15_000);
    for (const o of outcomes) {
      expect(o).toBeInstanceOf(EslTimeoutError);
      expect((o as EslTimeoutError).timeoutMs).toBe(300);
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('ten commands under the connection’s commandTimeout all fail the same way', async () => {
    const c = await silentSwitch({ commandTimeout: 200 });
    const pending = Array.from({ length: 10 }, (_, i) => firstValueFrom(c.filter('Unique-ID', `u${i}`)));
    for (const o of await settleAll(pending, 15_000)) {
      expect(o).toBeInstanceOf(EslTimeoutError);
      expect((o as EslTimeoutError).command).toMatch(/^filter Unique-ID u\d$/);
    }
  });
});
