import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** Events of one channel (Unique-ID). */
export function forChannel(uuid: string): MonoTypeOperatorFunction<EslEvent> {
  return filter((e) => e.getHeader('Unique-ID') === uuid);
}
