/**
 * Reconnection as an RxJS operator: retry an attempt with capped exponential backoff and
 * jitter, give up on errors that retrying cannot fix (a refused password), and after
 * maxAttempts. Timers come from the async scheduler, so marble tests run it on virtual time.
 */
import { type MonoTypeOperatorFunction, retry, throwError, timer } from 'rxjs';

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialDelay: number;
  /** Cap, ms. */
  maxDelay: number;
  /** Growth per attempt. */
  factor: number;
  /** Random spread as a fraction of the delay (0.2 = ±20%). */
  jitter: number;
  /** Retries before giving up. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelay: 100,
  maxDelay: 10_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** The delay before retry number `attempt` (1-based): initialDelay * factor^(attempt-1), capped, with jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelay, options.initialDelay * options.factor ** (attempt - 1));
  return Math.max(0, Math.round(base * (1 + options.jitter * (random() * 2 - 1))));
}

export interface RetryHooks {
  /** Errors that end the retrying at once. */
  isFatal?: (err: unknown) => boolean;
  /** Told about each failed attempt that will be retried, with the delay before the next. */
  onRetry?: (err: unknown, attempt: number, delay: number) => void;
  /** For tests: the jitter's random source. */
  random?: () => number;
  /** The attempt number of the first retry (2 when the first attempt already waited its delay). Default 1. */
  firstRetry?: number;
}

export function retryWithBackoff<T>(options: BackoffOptions, hooks: RetryHooks = {}): MonoTypeOperatorFunction<T> {
  return retry<T>({
    count: options.maxAttempts,
    delay: (err: unknown, attempt: number) => {
      if (hooks.isFatal?.(err)) return throwError(() => err);
      const delay = backoffDelay(attempt + (hooks.firstRetry ?? 1) - 1, options, hooks.random);
      hooks.onRetry?.(err, attempt, delay);
      return timer(delay);
    },
  });
}
