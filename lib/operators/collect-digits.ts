import { type OperatorFunction, Observable, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import { EslArgumentError, EslTimeoutError } from '../errors.js';

export interface CollectDigitsOptions {
  /** Fewest digits that make an answer. Default 1. */
  min?: number;
  /** Most digits: the answer is complete when this many are in. Default no limit. */
  max?: number;
  /** Keys that end the input (not part of the answer), such as '#'. Default '#'. */
  terminators?: string;
  /** Milliseconds to wait for the first digit. Default 5,000. */
  timeout?: number;
  /** Milliseconds to wait between digits. Default: timeout. */
  interDigitTimeout?: number;
  /** For tests; defaults to the async scheduler (virtual inside TestScheduler.run). */
  scheduler?: SchedulerLike;
}

/**
 * Collects digits from a stream of digits (see `dtmf()`) into one answer, as
 * play_and_get_digits does: the answer is complete when `max` digits are in, when a terminator
 * is pressed, or when the caller stops typing (a timeout) with at least `min` digits. Emits the
 * answer once (terminator excluded) and completes. A timeout with fewer than `min` digits fails
 * with EslTimeoutError; a terminator with fewer than `min` digits is ignored and the input goes on.
 */
export function collectDigits(options: CollectDigitsOptions = {}): OperatorFunction<string, string> {
  const min = options.min ?? 1;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const terminators = options.terminators ?? '#';
  const first = options.timeout ?? 5000;
  const between = options.interDigitTimeout ?? first;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (!(min >= 0) || !(max >= 1) || min > max) throw new EslArgumentError('min/max', { min, max }, 'collectDigits needs 0 <= min <= max and max >= 1');
  return (source) =>
    new Observable<string>((subscriber) => {
      let digits = '';
      let timer: Subscription | undefined;
      const finish = (): void => {
        timer?.unsubscribe();
        subscriber.next(digits);
        subscriber.complete();
      };
      const arm = (ms: number): void => {
        timer?.unsubscribe();
        timer = scheduler.schedule(() => {
          // With min 0, silence is an answer: the empty one.
          if (digits.length >= min) finish();
          else subscriber.error(new EslTimeoutError(`no answer: ${digits.length} of at least ${min} digits after ${ms} ms`, ms));
        }, ms);
      };
      arm(first);
      const sub = source.subscribe({
        next(key) {
          for (const k of key) {
            if (terminators.includes(k)) {
              if (digits.length >= min) return finish();
              continue;
            }
            digits += k;
            if (digits.length >= max) return finish();
          }
          arm(between);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          if (digits.length >= min && digits.length > 0) finish();
          else subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
