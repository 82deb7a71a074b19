/**
 * A Connection's options, and the one place where a command's timeout is worked out from the
 * call's options and the connection's defaults.
 */
import type { EventFormat } from '../protocol/content-type.js';
import type { FrameParserOptions } from '../protocol/frame-parser.js';
import type { Transport } from '../transport/transport.js';
import type { BackoffOptions } from './backoff.js';

/** Reconnect backoff: delay n = min(maxDelay, initialDelay * factor^(n-1)) ± jitter. */
export type ReconnectOptions = Partial<BackoffOptions>;

export interface ConnectionOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8021. */
  port?: number;
  /** Default ClueCon (FreeSWITCH's default). */
  password?: string;
  /** With a user (`1000@default`), authenticates with `userauth` instead of `auth`. */
  user?: string;
  /** Milliseconds for TCP connect plus authentication. Default 10,000. */
  timeout?: number;
  /**
   * Default timeout of commands other than api, ms; 0 for none. Default 30,000. A command's
   * clock starts when it reaches the head of the queue, so a long api before it does not count.
   */
  commandTimeout?: number;
  /**
   * Default timeout of api (and of bgapi and execute results), ms; 0 for none, the default:
   * `api originate` blocks until the call is answered or fails, which can take a minute or more.
   */
  apiTimeout?: number;
  /** Reconnect automatically after a drop (capped exponential backoff with jitter). Default off. */
  reconnect?: boolean | ReconnectOptions;
  /** Commands issued while reconnecting wait for the connection (bounded by their timeout), or fail at once. Default 'wait'. */
  whileReconnecting?: 'wait' | 'fail';
  /** The format rxesl uses when it subscribes on its own (BACKGROUND_JOB before a bgapi...). Default 'plain'. */
  eventFormat?: EventFormat;
  /** Error on a -ERR reply (EslCommandError) instead of emitting it. Default true. */
  failOnError?: boolean;
  /** Frame parser limits. */
  parser?: FrameParserOptions;
  /** TCP keepalive initial delay, ms, or false. Default 30,000. */
  keepAlive?: number | false;
  /**
   * Opens the byte pipe instead of a TCP connection to host:port (called again for each
   * reconnect). For a socket of your own (a TLS tunnel, a socket created before connecting),
   * return `socketTransport(socket)` once it is connected.
   */
  connector?: (host: string, port: number, timeoutMs: number) => Promise<Transport>;
}

/**
 * What a timeout is for: `command`, the reply to a command other than api; `api`, the reply
 * to an api; `result`, the event that ends a bgapi (BACKGROUND_JOB) or an execute
 * (CHANNEL_EXECUTE_COMPLETE), which waits as long as an api would.
 */
export type TimeoutKind = 'command' | 'api' | 'result';

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

/** A connection's default timeouts (commandTimeout, apiTimeout), and how one call's timeout follows from them. */
export class CommandTimeouts {
  readonly #command: number | undefined;
  readonly #api: number | undefined;

  constructor(options: Pick<ConnectionOptions, 'commandTimeout' | 'apiTimeout'>) {
    this.#command = positive(options.commandTimeout ?? 30_000);
    this.#api = positive(options.apiTimeout ?? 0);
  }

  /** Milliseconds, or undefined for no limit: the timeout given for this call (0 or less: none), else the default for its kind. */
  of(kind: TimeoutKind, given?: number): number | undefined {
    if (given !== undefined) return positive(given);
    return kind === 'command' ? this.#command : this.#api;
  }
}
