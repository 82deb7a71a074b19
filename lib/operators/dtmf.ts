import { type OperatorFunction, Observable } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** The digits of DTMF events (DTMF-Digit), one string per key press. */
export function dtmf(): OperatorFunction<EslEvent, string> {
  return (source) =>
    new Observable<string>((subscriber) =>
      source.subscribe({
        next(e) {
          if (e.name !== 'DTMF') return;
          const digit = e.getHeader('DTMF-Digit');
          if (digit !== undefined && digit !== '') subscriber.next(digit);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
