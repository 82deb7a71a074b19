/**
 * Named error classes. Every error rxesl raises or emits is one of these, so callers can
 * branch on `instanceof` (or on `name`, which survives a second copy of the package).
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
