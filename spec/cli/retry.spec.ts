/**
 * -r: the first connection tried again while the switch is not up, as fs_cli's -r (a second
 * apart, 120 times), and only for what waiting can cure. The wait itself is shortened here.
 */
import { describe, expect, it } from 'vitest';
import { EslAuthError, EslConnectError, EslDisconnectedError, EslTimeoutError } from 'rxesl';
import { FS_CLI_RETRY, RetryCancelled, connectRetrying, worthRetrying } from '../../lib/cli/retry';

const refused = (): EslConnectError => new EslConnectError('127.0.0.1', 8021, 'cannot connect to 127.0.0.1:8021: ECONNREFUSED', { code: 'ECONNREFUSED' });

class FakeConn {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

/** An open() that fails with `failures` in turn, then gives a connection. */
function opener(failures: unknown[]): { open: () => Promise<FakeConn>; attempts: () => number } {
  let n = 0;
  return {
    open: () => {
      const err = failures[n++];
      return err === undefined ? Promise.resolve(new FakeConn()) : Promise.reject(err);
    },
    attempts: () => n,
  };
}

describe('connectRetrying', () => {
  it("has fs_cli's plan: 120 retries a second apart", () => {
    expect(FS_CLI_RETRY).toEqual({ retries: 120, delayMs: 1000 });
  });

  it('tries again after each failure until the switch answers, telling each retry', async () => {
    const { open, attempts } = opener([refused(), new EslTimeoutError('no TCP connection to 127.0.0.1:8021 within 10000 ms', 10000), refused()]);
    const told: Array<[string, number]> = [];
    const conn = await connectRetrying(open, { plan: { retries: 5, delayMs: 0 }, onRetry: (e, n) => told.push([(e as Error).name, n]) });
    expect(conn).toBeInstanceOf(FakeConn);
    expect(attempts()).toBe(4);
    expect(told).toEqual([
      ['EslConnectError', 1],
      ['EslTimeoutError', 2],
      ['EslConnectError', 3],
    ]);
  });

  it('gives up after the last retry with the last error', async () => {
    const last = refused();
    const { open, attempts } = opener([refused(), refused(), refused(), last]);
    await expect(connectRetrying(open, { plan: { retries: 3, delayMs: 0 }, onRetry: () => {} })).rejects.toBe(last);
    expect(attempts()).toBe(4);
  });

  it('does not retry what waiting will not cure: a refused password, an ACL', async () => {
    for (const err of [new EslAuthError('invalid', 'authentication failed', '-ERR invalid'), new EslAuthError('rejected', 'rejected', 'Access Denied, go away.')]) {
      const { open, attempts } = opener([err]);
      let told = 0;
      await expect(connectRetrying(open, { plan: FS_CLI_RETRY, onRetry: () => told++ })).rejects.toBe(err);
      expect([attempts(), told]).toEqual([1, 0]);
    }
    expect(worthRetrying(new EslDisconnectedError('connection closed during authentication'))).toBe(true);
    expect(worthRetrying(new Error('a bug'))).toBe(false);
  });

  it('stops waiting when the user gives up', async () => {
    const { open, attempts } = opener(Array.from({ length: 200 }, refused));
    let giveUp!: () => void;
    const cancelled = new Promise<void>((resolve) => (giveUp = resolve));
    // A wait of an hour: only the cancellation can end it.
    const waiting = connectRetrying(open, { plan: { retries: 120, delayMs: 3_600_000 }, cancelled, onRetry: () => giveUp() });
    const err = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryCancelled);
    expect((err as RetryCancelled).lastError).toBeInstanceOf(EslConnectError);
    expect(attempts()).toBe(1);
  });

  it('closes a connection that opens after the user gave up', async () => {
    let resolveOpen!: (c: FakeConn) => void;
    const late = new FakeConn();
    const cancelled = Promise.resolve();
    const err = await connectRetrying(() => new Promise<FakeConn>((resolve) => (resolveOpen = resolve)), { plan: FS_CLI_RETRY, cancelled, onRetry: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryCancelled);
    resolveOpen(late);
    await expect.poll(() => late.closed).toBe(true);
  });
});
