/**
 * Server: FreeSWITCH's outbound mode as an Observable of connections. The dialplan's
 * `socket host:port async full` opens one TCP connection per call to us; FreeSWITCH then sends
 * nothing until we send `connect` (PROTOCOL.md §3.3). Each connection is handed out only after
 * that handshake, with the connect reply decoded as `channelData` and the options applied.
 * It is the same Connection class as inbound, with the same commands.
 */
import net from 'node:net';
import { Observable, Subject, firstValueFrom, forkJoin, of } from 'rxjs';
import { Connection, type ConnectionOptions } from '../connection/connection.js';
import { EslMaxConnectionsError, EslNoSubscriberError, EslTimeoutError } from '../errors.js';
import type { EventFormat } from '../protocol/content-type.js';
import type { EventName, EventSubclass } from '../protocol/event-names.js';

export interface ServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8084 (the socket application's default port). 0: a free port the system picks, which `server.port` then says. */
  port?: number;
  /** Use this net.Server (listening or not) instead of creating one, as modesl's `server` option. */
  server?: net.Server;
  /** Send `myevents` after connect: the channel's own events. Default true. */
  myevents?: boolean;
  /** `linger` after connect: true to linger until we close, seconds for a time, false for none. Default false. */
  linger?: boolean | number;
  /** The event format (`myevents <format>`). Default plain. */
  eventFormat?: EventFormat;
  /** More events to subscribe after connect (needs `full` in the dialplan's socket application); checked as `Connection.events()` checks them. */
  events?: readonly (EventName | EventSubclass)[];
  /** Milliseconds a peer has to answer `connect` (FreeSWITCH itself waits 25 s for us). Default 10,000. */
  handshakeTimeout?: number;
  /** Connections beyond this are refused (closed at once). Default no limit. */
  maxConnections?: number;
  /** Options of each Connection (command timeouts, parser limits...). */
  connection?: Omit<ConnectionOptions, 'host' | 'port' | 'password' | 'user' | 'reconnect' | 'connector'>;
}

export interface CloseOptions {
  /**
   * false (default): close every connection now. true: stop accepting and wait for the calls to
   * end on their own. A number: wait that many ms, then close what is left.
   */
  drain?: boolean | number;
}

export class Server {
  readonly #server: net.Server;
  readonly #owned: boolean;
  readonly #options: ServerOptions;
  readonly #connections = new Subject<Connection>();
  readonly #errors = new Subject<Error>();
  readonly #count = new Subject<number>();
  readonly #live = new Set<Connection>();
  readonly #handshaking = new Set<net.Socket>();
  #closing = false;
  #closed: Promise<void> | null = null;

  /**
   * Connections, each emitted once FreeSWITCH has answered `connect` and the options
   * (myevents, linger, events) are in force. Hot: subscribe right after listen(). A
   * connection that arrives while nobody is subscribed is closed (and reported on errors$),
   * so no call is left holding a socket nobody reads.
   */
  readonly connections$: Observable<Connection>;
  /**
   * Handshakes that failed, connections refused (EslMaxConnectionsError) or closed for want of
   * a subscriber (EslNoSubscriberError): nothing here stops the server.
   */
  readonly errors$: Observable<Error>;
  /** The number of open connections, on every change. */
  readonly connectionCount$: Observable<number>;

  private constructor(server: net.Server, owned: boolean, options: ServerOptions) {
    this.#server = server;
    this.#owned = owned;
    this.#options = options;
    this.connections$ = this.#connections.asObservable();
    this.errors$ = this.#errors.asObservable();
    this.connectionCount$ = this.#count.asObservable();
    server.on('connection', this.#onSocket);
  }

  /** Starts listening (or adopts `options.server`) and resolves once it accepts connections. */
  static async listen(options: ServerOptions = {}): Promise<Server> {
    const server = options.server ?? net.createServer();
    const s = new Server(server, options.server === undefined, options);
    if (!server.listening) {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => {
          server.removeListener('listening', onListening);
          s.#server.removeListener('connection', s.#onSocket);
          reject(err);
        };
        const onListening = (): void => {
          server.removeListener('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(options.port ?? 8084, options.host ?? '127.0.0.1');
      });
    }
    return s;
  }

  /** Where it listens. */
  get address(): net.AddressInfo {
    return this.#server.address() as net.AddressInfo;
  }

  /** The port it listens on: with `port: 0`, the one the system picked. */
  get port(): number {
    return this.address.port;
  }

  /** Open connections (handed out and not yet closed). */
  get connectionCount(): number {
    return this.#live.size;
  }

  /** The underlying net.Server. */
  get server(): net.Server {
    return this.#server;
  }

  #onSocket = (socket: net.Socket): void => {
    // Not called once closing: close() removes this listener at once.
    const max = this.#options.maxConnections;
    if (max !== undefined && this.#live.size + this.#handshaking.size >= max) {
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      socket.destroy();
      this.#errors.next(new EslMaxConnectionsError(peer, max));
      return;
    }
    this.#handshaking.add(socket);
    void this.#handshake(socket).finally(() => this.#handshaking.delete(socket));
  };

  async #handshake(socket: net.Socket): Promise<void> {
    const o = this.#options;
    const conn = Connection.outbound(socket, { ...o.connection });
    const timeout = o.handshakeTimeout ?? 10_000;
    const format = o.eventFormat ?? 'plain';
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    try {
      // connect first: FreeSWITCH drops the reply to any other first command. The rest is
      // pipelined behind it: one round trip for the whole handshake.
      const steps = [
        conn.connect({ timeout }),
        o.myevents === false ? of(null) : conn.myevents(undefined, format === 'plain' ? undefined : format, { timeout }),
        o.linger === undefined || o.linger === false ? of(null) : conn.linger(o.linger === true ? undefined : o.linger, { timeout }),
        o.events && o.events.length > 0 ? conn.events(format, o.events, { timeout }) : of(null),
      ];
      await firstValueFrom(forkJoin(steps));
    } catch (err) {
      conn.destroy();
      const e = err instanceof EslTimeoutError ? new EslTimeoutError(`outbound peer ${peer} did not complete the handshake within ${timeout} ms`, timeout) : (err as Error);
      this.#errors.next(e);
      return;
    }
    if (this.#closing) {
      conn.destroy();
      return;
    }
    // Handed out from here on: a close({ drain }) right after must wait for it, not destroy it.
    this.#handshaking.delete(socket);
    this.#live.add(conn);
    this.#count.next(this.#live.size);
    void conn.closed.then(() => {
      this.#live.delete(conn);
      this.#count.next(this.#live.size);
    });
    if (!this.#connections.observed) {
      this.#errors.next(new EslNoSubscriberError(conn.uuid));
      void conn.close();
      return;
    }
    this.#connections.next(conn);
  }

  /**
   * Stops accepting. Without drain, closes every connection (each gets `exit`). With drain,
   * waits for them to end on their own (up to `drain` ms when it is a number). Resolves when
   * everything is released; connections$ and errors$ complete.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#closing = true;
    this.#closed = (async () => {
      const stopped = new Promise<void>((resolve) => {
        if (this.#owned && this.#server.listening) this.#server.close(() => resolve());
        else resolve();
      });
      this.#server.removeListener('connection', this.#onSocket);
      for (const s of this.#handshaking) s.destroy();
      const drain = options.drain ?? false;
      if (drain !== false && this.#live.size > 0) {
        const all = Promise.all([...this.#live].map((c) => c.closed));
        if (drain === true) await all;
        else await Promise.race([all, new Promise<void>((r) => setTimeout(r, drain).unref())]);
      }
      await Promise.all([...this.#live].map((c) => c.close()));
      await stopped;
      this.#connections.complete();
      this.#errors.complete();
      this.#count.complete();
    })();
    return this.#closed;
  }
}
