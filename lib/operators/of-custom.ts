import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** CUSTOM events of one subclass (`sofia::register`, `conference::maintenance`...). */
export function ofCustom(subclass: string): MonoTypeOperatorFunction<EslEvent> {
  return filter((e) => e.name === 'CUSTOM' && e.subclass === subclass);
}
