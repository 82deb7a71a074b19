import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame } from '../protocol/frame.js';
import { FrameParser, type FrameParserOptions } from '../protocol/frame-parser.js';

/**
 * The RxJS operator that lifts a stream of byte chunks into a stream of frames.
 *
 * - Any chunking gives the same frames.
 * - Bad bytes error the stream with an EslProtocolError; nothing is thrown at the producer.
 * - When the source completes in the middle of a frame, the stream errors with
 *   EslProtocolError('TRUNCATED') instead of completing: a cut-off frame is never silent.
 * - Each subscription gets its own parser; share() the result to parse once for many readers.
 */
export function frames(options?: FrameParserOptions): OperatorFunction<Uint8Array, Frame> {
  return (source) =>
    new Observable<Frame>((subscriber) => {
      const parser = new FrameParser(options);
      const emit = (frame: Frame): void => {
        if (!subscriber.closed) subscriber.next(frame);
      };
      return source.subscribe({
        next(chunk) {
          try {
            parser.push(chunk, emit);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          try {
            parser.end();
            subscriber.complete();
          } catch (err) {
            subscriber.error(err);
          }
        },
      });
    });
}
