import { type OperatorFunction, Observable, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import { EslArgumentError } from '../errors.js';

export interface FeatureCodeOptions {
  /** Keys after the prefix that make a code. Default 1 (`#1`, `#2`...). */
  digits?: number;
  /** Milliseconds to enter the whole code, from its first key; a slower code is dropped. Default 2,000. */
  timeout?: number;
  /** For tests; defaults to the async scheduler (virtual inside TestScheduler.run). */
  scheduler?: SchedulerLike;
}

/**
 * Feature codes in a stream of keys (see `dtmf()`), as NEventSocket's FeatureCodes: the
 * prefix, then `digits` more keys within `timeout` ms, emitted as one string (`#1`). Keys
 * outside a code are ignored; a code that is not finished in time is dropped. While a code is
 * being entered every key counts, the prefix's own key included (`##` is a code).
 */
export function featureCodes(prefix = '#', options: FeatureCodeOptions = {}): OperatorFunction<string, string> {
  const digits = options.digits ?? 1;
  const timeout = options.timeout ?? 2000;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (prefix === '') throw new EslArgumentError('prefix', prefix, 'featureCodes needs a prefix of at least one key');
  if (!Number.isInteger(digits) || digits < 1) throw new EslArgumentError('digits', digits, 'featureCodes needs digits >= 1');
  const length = prefix.length + digits;
  return (source) =>
    new Observable<string>((subscriber) => {
      let code = '';
      let timer: Subscription | undefined;
      const reset = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        code = '';
      };
      const key = (k: string): void => {
        if (code === '') {
          if (k !== prefix[0]) return;
          timer = scheduler.schedule(reset, timeout);
        }
        code += k;
        if (code.length <= prefix.length && !prefix.startsWith(code)) {
          // Not the prefix after all: this key may start a new one.
          reset();
          if (k === prefix[0]) key(k);
          return;
        }
        if (code.length === length) {
          const done = code;
          reset();
          subscriber.next(done);
        }
      };
      const sub = source.subscribe({
        next: (keys) => {
          for (const k of keys) key(k);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
