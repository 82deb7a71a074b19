/**
 * The two-step commands. FreeSWITCH answers bgapi and execute at once (`+OK Job-UUID: ...`,
 * `+OK`) and reports the outcome later, as an event: the BACKGROUND_JOB whose Job-UUID is the
 * bgapi's, the CHANNEL_EXECUTE_COMPLETE whose Application-UUID is the execute's event-uuid.
 * Each call is one Observable: the reply, then the result, then complete. Before the command is
 * written, the result event is subscribed (and let through the filters in force); waiting for
 * it is a one-shot entry in the EventRouter, removed with its timer and its filter on teardown.
 */
import { Observable } from 'rxjs';
import { EslCommandError, EslDisconnectedError, EslHangupError, EslTimeoutError } from '../errors.js';
import type { EncodedCommand } from '../protocol/commands.js';
import type { Timers } from './command-queue.js';
import type { EventRouter } from './event-router.js';
import { ApplicationResult, BackgroundJob, type CommandReply } from './replies.js';

/** What the two-step commands need of their connection. */
export interface TwoStepContext {
  readonly timers: Timers;
  readonly router: EventRouter;
  /** Makes sure an event type is subscribed: undefined when it is, else a promise that fails when FreeSWITCH refuses. */
  ensureSubscribed(name: string): Promise<void> | undefined;
  /** Lets events whose `header` is `value` through the filters in force; returns what undoes it, undefined when there are none. */
  letThrough(header: string, value: string): (() => void) | undefined;
}

interface Step<R> {
  cmd: EncodedCommand;
  /** The command's reply (cold: subscribing writes the command). */
  reply$: Observable<CommandReply>;
  /** Event types the result needs. */
  subscribe: readonly string[];
  /** The header and value that single out the result event. */
  filter: readonly [string, string];
  /** Milliseconds from the reply to the result; undefined: no limit. */
  resultTimeout: number | undefined;
  timeoutMessage: (ms: number) => string;
  /** Registers the waiters of the result (or of the error that ends the wait); returns their removers. */
  wait: (done: (result: R | Error) => void) => Array<() => void>;
}

export class TwoStepCommands {
  readonly #ctx: TwoStepContext;
  /** Calls whose reply came and whose result event has not: failed when the connection goes. */
  readonly #awaiting = new Set<(err: Error) => void>();

  constructor(ctx: TwoStepContext) {
    this.#ctx = ctx;
  }

  /**
   * A bgapi: `reply$` writes it (with `jobUuid` in its Job-UUID header); the job fails with
   * EslCommandError when its output reports a failure, if `failOnError`.
   */
  bgapi(cmd: EncodedCommand, jobUuid: string, reply$: Observable<CommandReply>, failOnError: boolean, jobTimeout: number | undefined): Observable<CommandReply | BackgroundJob> {
    const router = this.#ctx.router;
    return this.#run<BackgroundJob>({
      cmd,
      reply$,
      subscribe: ['BACKGROUND_JOB'],
      filter: ['Job-UUID', jobUuid],
      resultTimeout: jobTimeout,
      timeoutMessage: (ms) => `no BACKGROUND_JOB for "${cmd.label}" (Job-UUID ${jobUuid}) within ${ms} ms`,
      wait: (done) => [
        router.waitJob(jobUuid, (ev) => {
          const job = new BackgroundJob(ev);
          done(failOnError && !job.ok ? new EslCommandError(cmd.label, job.body, job.event) : job);
        }),
      ],
    });
  }

  /**
   * An execute of `app` whose event-uuid is `eventUuid`: `reply$` writes it. On `channel`
   * (when known) a CHANNEL_HANGUP_COMPLETE before the completion fails it with EslHangupError.
   * `subscribe`: whether rxesl must subscribe the events it waits for (inbound without myevents).
   */
  execute(
    cmd: EncodedCommand,
    app: string,
    eventUuid: string,
    channel: string | undefined,
    reply$: Observable<CommandReply>,
    subscribe: boolean,
    completionTimeout: number | undefined,
  ): Observable<CommandReply | ApplicationResult> {
    const router = this.#ctx.router;
    return this.#run<ApplicationResult>({
      cmd,
      reply$,
      subscribe: subscribe ? ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE'] : [],
      filter: ['Application-UUID', eventUuid],
      resultTimeout: completionTimeout,
      timeoutMessage: (ms) => `${app} did not complete within ${ms} ms`,
      wait: (done) => {
        const removers = [router.waitApplication(eventUuid, (ev) => done(new ApplicationResult(ev)))];
        if (channel !== undefined) {
          removers.push(
            router.waitHangup(channel, (ev) => {
              const cause = ev.getHeader('Hangup-Cause');
              done(new EslHangupError(channel, cause, `channel ${channel} hung up before ${app} completed (${cause ?? 'unknown cause'})`));
            }),
          );
        }
        return removers;
      },
    });
  }

  /** The connection went: no result awaited will come. */
  lost(err: Error): void {
    for (const lost of [...this.#awaiting]) lost(err);
  }

  /**
   * Makes sure the result event is subscribed and let through, writes the command, emits its
   * reply, then emits the result (or the error the waiters report) and completes. Teardown
   * removes every waiter, timer and filter.
   */
  #run<R>(step: Step<R>): Observable<CommandReply | R> {
    const ctx = this.#ctx;
    return new Observable<CommandReply | R>((subscriber) => {
      let timer: unknown;
      let unfilter: (() => void) | undefined;
      let removers: Array<() => void> = [];
      const cleanup = (): void => {
        for (const r of removers) r();
        removers = [];
        if (timer !== undefined) ctx.timers.clearTimeout(timer);
        timer = undefined;
        unfilter?.();
        unfilter = undefined;
      };
      const fail = (err: Error): void => {
        cleanup();
        subscriber.error(err);
      };
      // The result is an event: if the connection goes before it comes, it never will.
      const label = step.cmd.label;
      const lost = (err: Error): void => fail(new EslDisconnectedError(`connection lost before the result of "${label}"`, label, { cause: err, sent: true }));
      this.#awaiting.add(lost);
      removers = [() => this.#awaiting.delete(lost)];
      removers.push(
        ...step.wait((result) => {
          cleanup();
          if (result instanceof Error) {
            subscriber.error(result);
            return;
          }
          subscriber.next(result);
          subscriber.complete();
        }),
      );
      for (const name of step.subscribe) ctx.ensureSubscribed(name)?.catch(fail);
      unfilter = ctx.letThrough(step.filter[0], step.filter[1]);
      const replySub = step.reply$.subscribe({
        next: (reply) => {
          subscriber.next(reply);
          if (!reply.ok) {
            // Refused (failOnError: false let the -ERR through): no result event will come.
            cleanup();
            subscriber.complete();
            return;
          }
          const ms = step.resultTimeout;
          if (ms) timer = ctx.timers.setTimeout(() => fail(new EslTimeoutError(step.timeoutMessage(ms), ms, label)), ms);
        },
        error: fail,
      });
      return () => {
        replySub.unsubscribe();
        cleanup();
      };
    });
  }
}
