import { type OperatorFunction, Observable } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** The value of one header of each event; events without it are skipped. */
export function header(name: string): OperatorFunction<EslEvent, string> {
  return (source) =>
    new Observable<string>((subscriber) =>
      source.subscribe({
        next(e) {
          const v = e.getHeader(name);
          if (v !== undefined) subscriber.next(v);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
