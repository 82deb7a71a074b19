/**
 * Named error classes. Every error rxesl raises or emits is one of these, so callers can
 * branch on `instanceof` (or on `name`, which survives a second copy of the package); and
 * describeError, which says any of them in one line for a person to read.
 */
import type { EslEvent } from './protocol/event.js';

export interface EslErrorOptions {
  cause?: unknown;
}

/** Base class of every rxesl error. */
export class EslError extends Error {
  override name = 'EslError';
  constructor(message: string, options?: EslErrorOptions) {
    super(message, options);
  }
}

export type ProtocolErrorCode =
  | 'BAD_CONTENT_LENGTH'
  | 'HEADER_TOO_LARGE'
  | 'BODY_TOO_LARGE'
  | 'MALFORMED_HEADER'
  | 'TRUNCATED'
  | 'MALFORMED_EVENT'
  | 'UNEXPECTED_FRAME';

/**
 * The bytes on the wire are not a valid Event Socket stream. A frame parser that raises it
 * stops: past a bad Content-Length nothing can be trusted, so the stream is never resynced
 * silently.
 */
export class EslProtocolError extends EslError {
  override name = 'EslProtocolError';
  /** What was wrong. */
  readonly code: ProtocolErrorCode;
  /** Byte offset in the stream where the offending frame starts, when known. */
  readonly offset: number | undefined;
  /** The offending header block or a prefix of the offending bytes, for diagnostics. */
  readonly excerpt: string | undefined;
  constructor(
    code: ProtocolErrorCode,
    message: string,
    details: { offset?: number; excerpt?: string } & EslErrorOptions = {},
  ) {
    super(message, details);
    this.code = code;
    this.offset = details.offset;
    this.excerpt = details.excerpt;
  }
}

/** An argument cannot be put on the wire as given (a CR or LF in a command line, an empty name...). */
export class EslArgumentError extends EslError {
  override name = 'EslArgumentError';
  /** Which argument was refused. */
  readonly argument: string;
  /** The refused value. */
  readonly value: unknown;
  constructor(argument: string, value: unknown, message: string) {
    super(message);
    this.argument = argument;
    this.value = value;
  }
}

/** FreeSWITCH refused the credentials (`-ERR invalid`) or the connection (`text/rude-rejection`). */
export class EslAuthError extends EslError {
  override name = 'EslAuthError';
  /** The Reply-Text FreeSWITCH sent, or the body of the rude rejection. */
  readonly replyText: string | undefined;
  /** `invalid` for a refused password, `rejected` for an ACL rejection. */
  readonly reason: 'invalid' | 'rejected' | 'unexpected';
  constructor(reason: 'invalid' | 'rejected' | 'unexpected', message: string, replyText?: string, options?: EslErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.replyText = replyText;
  }
}

/** A TCP connection could not be opened (refused, unreachable, DNS...). */
export class EslConnectError extends EslError {
  override name = 'EslConnectError';
  /** The system error code, such as ECONNREFUSED. */
  readonly code: string | undefined;
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number, message: string, options: { code?: string } & EslErrorOptions = {}) {
    super(message, options);
    this.host = host;
    this.port = port;
    this.code = options.code;
  }
}

/** Something did not happen in time: connecting, authenticating, a command's reply, a handshake. */
export class EslTimeoutError extends EslError {
  override name = 'EslTimeoutError';
  /** The command (first line) that timed out, when a command did. */
  readonly command: string | undefined;
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, command?: string) {
    super(message);
    this.timeoutMs = timeoutMs;
    this.command = command;
  }
}

/** The connection went away while a command was pending, or a command was issued on a closed connection. */
export class EslDisconnectedError extends EslError {
  override name = 'EslDisconnectedError';
  /** The command (first line) that was pending, when there was one. */
  readonly command: string | undefined;
  /**
   * For a command: true when it was written and its answer never came (FreeSWITCH may have run
   * it), false when it was never written (issued after close(), while reconnecting...: it is
   * safe to send again). Undefined when the error is about no command in particular.
   */
  readonly sent: boolean | undefined;
  constructor(message: string, command?: string, options: EslErrorOptions & { sent?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.command = command;
    this.sent = options.sent;
  }
}

/** FreeSWITCH answered a command with `-ERR ...` (in Reply-Text, or in an api body). */
export class EslCommandError extends EslError {
  override name = 'EslCommandError';
  /** The command (first line) that failed. */
  readonly command: string;
  /** The reply text: Reply-Text of a command/reply, or the api/response body. */
  readonly replyText: string;
  /**
   * The whole reply, as an event: the command/reply, the api/response, or the BACKGROUND_JOB
   * of a failed bgapi. Undefined when the error was made without one.
   */
  readonly reply: EslEvent | undefined;
  constructor(command: string, replyText: string, reply?: EslEvent) {
    super(`${command.split(' ', 1)[0]}: ${replyText.trim()}`);
    this.command = command;
    this.replyText = replyText;
    this.reply = reply;
  }
}

/** A channel hung up while an action on it was still running. */
export class EslHangupError extends EslError {
  override name = 'EslHangupError';
  readonly uuid: string;
  /** Hangup-Cause of the hangup, when known (NORMAL_CLEARING, USER_BUSY...). */
  readonly hangupCause: string | undefined;
  constructor(uuid: string, hangupCause: string | undefined, message?: string) {
    super(message ?? `channel ${uuid} hung up${hangupCause ? ` (${hangupCause})` : ''}`);
    this.uuid = uuid;
    this.hangupCause = hangupCause;
  }
}

/** A Server refused a connection FreeSWITCH opened to it (closed at once): it has `maxConnections` already. */
export class EslMaxConnectionsError extends EslError {
  override name = 'EslMaxConnectionsError';
  /** The peer, `address:port`. */
  readonly peer: string;
  readonly maxConnections: number;
  constructor(peer: string, maxConnections: number) {
    super(`max connections (${maxConnections}) reached: connection from ${peer} refused`);
    this.peer = peer;
    this.maxConnections = maxConnections;
  }
}

/**
 * A Server closed a connection FreeSWITCH opened to it, once `connect` was answered, because
 * nobody subscribed to `connections$`: no call is left holding a socket that nobody reads.
 */
export class EslNoSubscriberError extends EslError {
  override name = 'EslNoSubscriberError';
  /** The call's Unique-ID. */
  readonly uuid: string | undefined;
  constructor(uuid: string | undefined) {
    super(`no subscriber to connections$: outbound connection ${uuid ?? ''} closed`);
    this.uuid = uuid;
  }
}

// ---------------------------------------------------------------------------------------
// One line for a person

/** Where a program was connecting to, for describeError's messages and hints. */
export interface ErrorContext {
  host: string;
  port: number;
  /** The user of `userauth`, when one was given. */
  user?: string | undefined;
  /**
   * Where the password (and user) come from, named in the hint after a refused password:
   * `--password or ESL_PASSWORD`, `the ESL_PASSWORD variable`... Default: the `password`
   * option (and `user`, when there is one).
   */
  credentials?: string | undefined;
}

/** What a system error code means for someone connecting to FreeSWITCH. */
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

/**
 * One line for any error (or anything thrown), for a person: what happened and, when it
 * helps, what to check. `cannot connect to 127.0.0.1:8021: connection refused (is FreeSWITCH
 * running, with mod_event_socket on that port?)` rather than `ECONNREFUSED`. Never a stack
 * trace. `ctx` says where the program was connecting, for the messages about authentication.
 */
export function describeError(err: unknown, ctx?: ErrorContext): string {
  const where = ctx ? `${ctx.host}:${ctx.port}` : 'FreeSWITCH';
  if (err instanceof EslAuthError) {
    const reply = oneLine(err.replyText ?? '');
    if (err.reason === 'rejected') {
      return `${where} refused this client (ACL): ${reply || 'rude rejection'} (check apply-inbound-acl in event_socket.conf)`;
    }
    if (err.reason === 'invalid') {
      const what = ctx?.user ? `user ${ctx.user} and its password` : 'the password';
      const hint = ctx?.credentials ?? (ctx?.user ? 'the user and password options' : 'the password option');
      return `authentication failed: ${where} refused ${what}: ${reply || 'no reason given'} (check ${hint})`;
    }
    return oneLine(err.message);
  }
  if (err instanceof EslConnectError) {
    const why = SYSTEM_CODES[err.code ?? ''];
    return `cannot connect to ${err.host}:${err.port}: ${why ?? oneLine(err.message.replace(/^cannot connect to \S+: /, ''))}`;
  }
  if (err instanceof EslCommandError) return oneLine(err.replyText) || oneLine(err.message);
  if (err instanceof EslTimeoutError) return `timed out: ${oneLine(err.message)}`;
  if (err instanceof EslDisconnectedError) return `disconnected: ${oneLine(err.message)}`;
  if (err instanceof EslProtocolError) return `protocol error (${err.code}): ${oneLine(err.message)}`;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') return `address in use: ${oneLine(err.message)}`;
    return oneLine(err.message) || err.name;
  }
  return oneLine(String(err));
}
