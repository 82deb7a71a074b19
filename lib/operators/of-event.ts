import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';
import type { EventName } from '../protocol/event-names.js';

/** Events whose Event-Name is one of these. */
export function ofEvent<E extends EslEvent>(...names: EventName[]): MonoTypeOperatorFunction<E> {
  if (names.length === 1) {
    const only = names[0];
    return filter((e: E) => e.name === only);
  }
  const set = new Set<string>(names);
  return filter((e: E) => {
    const n = e.name;
    return n !== undefined && set.has(n);
  });
}
