import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** Events of one channel (Unique-ID). */
export function forChannel<E extends EslEvent>(uuid: string): MonoTypeOperatorFunction<E> {
  return filter((e: E) => e.getHeader('Unique-ID') === uuid);
}
