import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** CUSTOM events of one subclass (`sofia::register`, `conference::maintenance`...). */
export function ofCustom<E extends EslEvent>(subclass: string): MonoTypeOperatorFunction<E> {
  return filter((e: E) => e.name === 'CUSTOM' && e.subclass === subclass);
}
