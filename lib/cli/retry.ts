/**
 * `-r`, `--retry`: wait for the switch to come up, as fs_cli's -r does. fs_cli (libs/esl/fs_cli.c,
 * main) tries once without it; with it, it tries again a second after each failure, 120 times,
 * so about two minutes, saying each failure and each retry, and gives up with the last error.
 *
 * One difference, on purpose: fs_cli retries whatever failed, a refused password included. Here
 * only what waiting can cure is retried: nothing listening yet, no answer in time, a socket
 * closed before authentication (a switch starting or stopping). A refused password, or a client
 * refused by the ACL, would be refused again: that ends it at once.
 */
import { EslConnectError, EslDisconnectedError, EslTimeoutError } from '../errors.js';

export interface RetryPlan {
  /** Attempts after the first. */
  retries: number;
  /** Wait after a failed attempt, ms. */
  delayMs: number;
}

const CANCELLED: unique symbol = Symbol('cancelled');

/** fs_cli's: 120 more attempts, one second apart. */
export const FS_CLI_RETRY: RetryPlan = { retries: 120, delayMs: 1000 };

/** Whether waiting may cure it: the switch is not up (yet). */
export function worthRetrying(err: unknown): boolean {
  return err instanceof EslConnectError || err instanceof EslTimeoutError || err instanceof EslDisconnectedError;
}

/** Thrown by connectRetrying when the user gave up waiting. */
export class RetryCancelled extends Error {
  override name = 'RetryCancelled';
  /** The last failure before that, if one came. */
  readonly lastError: unknown;
  constructor(lastError: unknown) {
    super('gave up waiting for the switch');
    this.lastError = lastError;
  }
}

export interface RetryOptions {
  plan: RetryPlan;
  /** Told of each failure that will be retried: the error, and which retry comes next (1-based). */
  onRetry(err: unknown, retry: number): void;
  /** Resolves when the user gives up (Ctrl-C, a signal): the wait ends at once with RetryCancelled. */
  cancelled?: Promise<unknown>;
}

/**
 * `open()`, and again after each failure worth retrying, up to the plan. Resolves with what
 * the first success gives; rejects with the last error, at once with one not worth retrying,
 * or with RetryCancelled (a connection that opens after that is closed).
 */
export async function connectRetrying<T extends { close(): unknown }>(open: () => Promise<T>, o: RetryOptions): Promise<T> {
  const cancelled = (o.cancelled ?? new Promise<never>(() => {})).then((): typeof CANCELLED => CANCELLED);
  let lastError: unknown;
  for (let retry = 1; ; retry++) {
    const attempt = open();
    let outcome: Awaited<T> | typeof CANCELLED;
    try {
      outcome = await Promise.race([attempt, cancelled]);
    } catch (err) {
      if (retry > o.plan.retries || !worthRetrying(err)) throw err;
      lastError = err;
      o.onRetry(err, retry);
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, o.plan.delayMs))), cancelled]);
      clearTimeout(timer);
      if (waited === CANCELLED) throw new RetryCancelled(err);
      continue;
    }
    if (outcome === CANCELLED) {
      attempt.then((late) => late.close(), () => {});
      throw new RetryCancelled(lastError);
    }
    return outcome;
  }
}

