import { type MonoTypeOperatorFunction, takeWhile } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';

/**
 * Passes events on until the channel hangs up: the CHANNEL_HANGUP (or CHANNEL_HANGUP_COMPLETE)
 * of that Unique-ID is the last event, then the stream completes.
 */
export function untilHangup<E extends EslEvent>(uuid: string): MonoTypeOperatorFunction<E> {
  return takeWhile((e: E) => {
    const n = e.name;
    return !((n === 'CHANNEL_HANGUP' || n === 'CHANNEL_HANGUP_COMPLETE') && e.getHeader('Unique-ID') === uuid);
  }, true);
}
