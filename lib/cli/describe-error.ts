/**
 * Errors as the console prints them: one line saying what happened and, when it helps, what
 * to check. Never a stack trace.
 */
import {
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslHangupError,
  EslProtocolError,
  EslTimeoutError,
} from '../errors.js';

/** Where the console was connecting to, for the messages. */
export interface ErrorContext {
  host: string;
  port: number;
  user?: string | undefined;
}

const SYSTEM_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is FreeSWITCH running, with mod_event_socket on that port?)',
  ECONNRESET: 'connection reset by the peer',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  EADDRNOTAVAIL: 'address not available',
  EACCES: 'permission denied',
};

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** One line for any error, or anything thrown. */
export function describeError(err: unknown, ctx?: ErrorContext): string {
  const where = ctx ? `${ctx.host}:${ctx.port}` : 'FreeSWITCH';
  if (err instanceof EslAuthError) {
    const reply = oneLine(err.replyText ?? '');
    if (err.reason === 'rejected') {
      return `${where} refused this client (ACL): ${reply || 'rude rejection'} (check apply-inbound-acl in event_socket.conf)`;
    }
    if (err.reason === 'invalid') {
      const what = ctx?.user ? `user ${ctx.user} and its password` : 'the password';
      const hint = ctx?.user ? '--user/--password' : '--password or ESL_PASSWORD';
      return `authentication failed: ${where} refused ${what}: ${reply || 'no reason given'} (check ${hint})`;
    }
    return oneLine(err.message);
  }
  if (err instanceof EslConnectError) {
    const code = err.code ?? '';
    const why = SYSTEM_CODES[code];
    return `cannot connect to ${err.host}:${err.port}: ${why ?? oneLine(err.message.replace(/^cannot connect to \S+: /, ''))}`;
  }
  if (err instanceof EslCommandError) return oneLine(err.replyText) || oneLine(err.message);
  if (err instanceof EslTimeoutError) return `timed out: ${oneLine(err.message)}`;
  if (err instanceof EslDisconnectedError) return `disconnected: ${oneLine(err.message)}`;
  if (err instanceof EslHangupError) return oneLine(err.message);
  if (err instanceof EslProtocolError) return `protocol error (${err.code}): ${oneLine(err.message)}`;
  if (err instanceof EslArgumentError) return oneLine(err.message);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return `address in use: ${oneLine(err.message)}`;
    return oneLine(err.message) || err.name;
  }
  return oneLine(String(err));
}
