/**
 * The reconnect policy on a virtual clock: capped exponential backoff with jitter, fatal
 * errors, and giving up.
 */
import { defer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EslAuthError, EslConnectError } from 'rxesl';
import { backoffDelay, retryWithBackoff } from 'rxesl';
import { scheduler } from './helpers';

const policy = { initialDelay: 10, maxDelay: 40, factor: 2, jitter: 0, maxAttempts: 10 };
const refused = new EslConnectError('127.0.0.1', 8021, 'cannot connect to 127.0.0.1:8021: ECONNREFUSED', { code: 'ECONNREFUSED' });

describe('backoffDelay', () => {
  it('grows by the factor and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy))).toEqual([10, 20, 40, 40, 40, 40]);
  });

  it('spreads by ±jitter', () => {
    const p = { ...policy, jitter: 0.2 };
    expect(backoffDelay(1, p, () => 0)).toBe(8);
    expect(backoffDelay(1, p, () => 1)).toBe(12);
    expect(backoffDelay(1, p, () => 0.5)).toBe(10);
  });
});

describe('retryWithBackoff', () => {
  it('retries a failing attempt after 10, 20, 40, 40 ms and succeeds on the fifth', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const fail = cold('--#', undefined, refused);
      const ok = cold('--(a|)');
      let n = 0;
      const attempts = defer(() => (++n < 5 ? fail : ok));
      // attempt 1 at 0 fails at 2; retries at 12, 34, 76, 118; the fifth succeeds at 120
      expectObservable(attempts.pipe(retryWithBackoff(policy))).toBe('120ms (a|)');
      expectSubscriptions(fail.subscriptions).toBe(['^-!', '12ms ^-!', '34ms ^-!', '76ms ^-!']);
    });
  });

  it('tells about each failed attempt and its delay', () => {
    const seen: Array<[number, number]> = [];
    scheduler().run(({ cold, expectObservable }) => {
      let n = 0;
      const attempts = defer(() => (++n < 3 ? cold('-#', undefined, refused) : cold('-(a|)')));
      // fails at 1, retried at 11, fails at 12, retried at 32, succeeds at 33
      expectObservable(attempts.pipe(retryWithBackoff(policy, { onRetry: (_e, attempt, delay) => seen.push([attempt, delay]) }))).toBe('33ms (a|)');
    });
    expect(seen).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('stops at once on a fatal error (a refused password)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const denied = new EslAuthError('invalid', 'authentication refused: -ERR invalid', '-ERR invalid');
      let n = 0;
      const attempts = defer(() => (++n < 2 ? cold('--#', undefined, refused) : cold('--#', undefined, denied)));
      expectObservable(attempts.pipe(retryWithBackoff(policy, { isFatal: (e) => e instanceof EslAuthError }))).toBe('14ms #', undefined, denied);
    });
  });

  it('gives up after maxAttempts retries with the last error', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const attempts = cold('-#', undefined, refused);
      // attempt at 0 (fails at 1), retries at 11 and 32 (fail at 12 and 33): two retries allowed
      expectObservable(attempts.pipe(retryWithBackoff({ ...policy, maxAttempts: 2 }))).toBe('33ms #', undefined, refused);
    });
  });

  it('with firstRetry 2 the first retry waits the second delay (the first was waited before the first attempt)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      let n = 0;
      const attempts = defer(() => (++n < 2 ? cold('-#', undefined, refused) : cold('-(a|)')));
      expectObservable(attempts.pipe(retryWithBackoff(policy, { firstRetry: 2 }))).toBe('22ms (a|)');
    });
  });
});
