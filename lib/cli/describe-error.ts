/**
 * Errors as the console prints them: rxesl's describeError (lib/errors.ts), with the
 * console's own hint after a refused password (its options and environment variables).
 */
import { type ErrorContext, describeError as describe } from '../errors.js';

export type { ErrorContext } from '../errors.js';

/** One line for any error, or anything thrown. */
export function describeError(err: unknown, ctx?: ErrorContext): string {
  return describe(err, ctx && { credentials: ctx.user ? '--user/--password' : '--password or ESL_PASSWORD', ...ctx });
}
