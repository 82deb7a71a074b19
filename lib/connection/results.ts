/**
 * The outcome of a two-step command alone. `bgapi` emits its CommandReply, then its
 * BackgroundJob; `execute` its CommandReply, then its ApplicationResult: a union each
 * subscriber would narrow. These operators keep the second step, so that
 * `lastValueFrom(conn.bgapi('status').pipe(jobResult()))` is a BackgroundJob.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { EslCommandError } from '../errors.js';
import type { ApplicationResult, BackgroundJob, CommandReply } from './replies.js';

function outcome<R extends { readonly kind: 'job' | 'complete' }>(): OperatorFunction<CommandReply | R, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next(step) {
          if (step.kind !== 'reply') {
            subscriber.next(step as R);
            return;
          }
          // Refused, with failOnError false: FreeSWITCH will send no result, so there is none
          // to emit; the refusal is the error.
          const reply = step as CommandReply;
          if (!reply.ok) subscriber.error(new EslCommandError(reply.command, reply.replyText, reply.event));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * A bgapi's BackgroundJob alone: the CommandReply is dropped. A bgapi refused with
 * `failOnError: false` (which emits the refusal, then completes) fails here with its
 * EslCommandError: there is no job. A job whose output is an error is emitted, with `ok`
 * false, when `failOnError` is false, as bgapi emits it.
 */
export function jobResult(): OperatorFunction<CommandReply | BackgroundJob, BackgroundJob> {
  return outcome<BackgroundJob>();
}

/**
 * An execute's ApplicationResult (its CHANNEL_EXECUTE_COMPLETE) alone: the CommandReply is
 * dropped. An execute refused with `failOnError: false` fails here with its EslCommandError:
 * the application never ran.
 */
export function applicationResult(): OperatorFunction<CommandReply | ApplicationResult, ApplicationResult> {
  return outcome<ApplicationResult>();
}
