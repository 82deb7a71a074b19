import { type MonoTypeOperatorFunction, filter } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/** Events of one background job (Job-UUID): its BACKGROUND_JOB. */
export function forJob(jobUuid: string): MonoTypeOperatorFunction<EslEvent> {
  return filter((e) => e.getHeader('Job-UUID') === jobUuid);
}
