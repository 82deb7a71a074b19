/**
 * The reconnect policy on a virtual clock: capped exponential backoff with jitter, fatal
 * errors, and giving up.
 */
import { defer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EslAuthError, EslConnectError } from 'rxesl';
import { backoffDelay, retryWithBackoff } from '../lib/connection/backoff';
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
      const ok = cold('  --(a|)');
      // attempt 1 at 0 fails at 2; retries at 12, 34, 76, 118; the fifth succeeds at 120
      const failSubs = ['^-!', '12ms ^-!', '34ms ^-!', '76ms ^-!'];
      const okSubs = '  118ms ^-!';
      const expected = '120ms (a|)';
      let n = 0;
      const attempts = defer(() => (++n < 5 ? fail : ok));
      expectObservable(attempts.pipe(retryWithBackoff(policy))).toBe(expected);
      expectSubscriptions(fail.subscriptions).toBe(failSubs);
      expectSubscriptions(ok.subscriptions).toBe(okSubs);
    });
  });

  it('tells about each failed attempt and its delay', () => {
    const seen: Array<[number, number]> = [];
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const fail = cold('-#', undefined, refused);
      const ok = cold('  -(a|)');
      // fails at 1, retried at 11, fails at 12, retried at 32, succeeds at 33
      const failSubs = ['^!', '11ms ^!'];
      const okSubs = '  32ms ^!';
      const expected = '33ms (a|)';
      let n = 0;
      const attempts = defer(() => (++n < 3 ? fail : ok));
      expectObservable(attempts.pipe(retryWithBackoff(policy, { onRetry: (_e, attempt, delay) => seen.push([attempt, delay]) }))).toBe(expected);
      expectSubscriptions(fail.subscriptions).toBe(failSubs);
      expectSubscriptions(ok.subscriptions).toBe(okSubs);
    });
    expect(seen).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('stops at once on a fatal error (a refused password)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const denied = new EslAuthError('invalid', 'authentication refused: -ERR invalid', '-ERR invalid');
      const unreachable = cold('--#', undefined, refused);
      const refusing = cold('   --#', undefined, denied);
      // refused at 2, retried at 12, denied at 14: no retry after that
      const unreachableSubs = ' ^-!';
      const refusingSubs = '    12ms ^-!';
      const expected = '        14ms #';
      let n = 0;
      const attempts = defer(() => (++n < 2 ? unreachable : refusing));
      expectObservable(attempts.pipe(retryWithBackoff(policy, { isFatal: (e) => e instanceof EslAuthError }))).toBe(expected, undefined, denied);
      expectSubscriptions(unreachable.subscriptions).toBe(unreachableSubs);
      expectSubscriptions(refusing.subscriptions).toBe(refusingSubs);
    });
  });

  it('gives up after maxAttempts retries with the last error', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempts = cold('-#', undefined, refused);
      // attempt at 0 (fails at 1), retries at 11 and 32 (fail at 12 and 33): two retries allowed
      const subs = ['^!', '11ms ^!', '32ms ^!'];
      const expected = '33ms #';
      expectObservable(attempts.pipe(retryWithBackoff({ ...policy, maxAttempts: 2 }))).toBe(expected, undefined, refused);
      expectSubscriptions(attempts.subscriptions).toBe(subs);
    });
  });

  it('with firstRetry 2 the first retry waits the second delay (the first was waited before the first attempt)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const fail = cold('-#', undefined, refused);
      const ok = cold('  -(a|)');
      // fails at 1, retried at 21 (20 ms: the second delay), succeeds at 22
      const failSubs = ' ^!';
      const okSubs = '   21ms ^!';
      const expected = ' 22ms (a|)';
      let n = 0;
      const attempts = defer(() => (++n < 2 ? fail : ok));
      expectObservable(attempts.pipe(retryWithBackoff(policy, { firstRetry: 2 }))).toBe(expected);
      expectSubscriptions(fail.subscriptions).toBe(failSubs);
      expectSubscriptions(ok.subscriptions).toBe(okSubs);
    });
  });
});
