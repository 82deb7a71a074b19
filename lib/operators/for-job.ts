import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** Events of one background job (Job-UUID): its BACKGROUND_JOB. */
export function forJob<E extends EslEvent>(jobUuid: string): MonoTypeOperatorFunction<E> {
  return filter((e: E) => e.getHeader('Job-UUID') === jobUuid);
}
