/**
 * modesl's Server (lib/esl/Server.js of modesl 1.2.1): listens for FreeSWITCH's outbound
 * connections (the dialplan's `socket` application) and makes each a modesl Connection,
 * itself on rxesl's Connection. rxesl's own Server hands a connection out only after its
 * handshake; modesl's announces it first (`connection::open`) and again once it is ready
 * (`connection::ready`), so this one keeps modesl's order.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { Connection } from './connection.js';
import { EventEmitter2 } from './emitter.js';

export interface ServerOptions {
  /** Default 8022 (modesl's). 0 picks a free port; `server.port` then tells which. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Use this net.Server (already listening) instead of creating one. */
  server?: net.Server;
  /** Send `myevents` once a connection is ready (before `connection::ready`). */
  myevents?: boolean;
}

/** `new Server(opts, readyCb)`: called once the server listens. */
export type ServerReadyCallback = (this: Server) => void;

export class Server extends EventEmitter2 {
  /** Open connections by id. */
  connections: Record<string, Connection> = {};
  /** Sequence part of the ids. */
  seq: number;
  /** The `myevents` option. */
  readonly bindEvents: boolean;
  port: number;
  host: string | undefined;
  readonly server: net.Server;

  constructor(readyCb?: ServerReadyCallback);
  constructor(opts?: ServerOptions | null, readyCb?: ServerReadyCallback);
  constructor(opts?: ServerOptions | ServerReadyCallback | null, readyCb?: ServerReadyCallback) {
    super({ wildcard: true, delimiter: '::', maxListeners: 25 });
    if (typeof opts === 'function') {
      readyCb = opts;
      opts = null;
    }
    this.once('ready', readyCb ?? (() => {}));
    const o = opts ?? {};
    // modesl: `Date.now() | 0`, a 32-bit sequence start.
    this.seq = Date.now() | 0;
    this.bindEvents = o.myevents || false;
    if (o.server) {
      const address = o.server.address() as net.AddressInfo;
      this.port = address.port;
      this.host = address.address;
      this.server = o.server;
      // After the constructor returns, so that the callback sees the server.
      process.nextTick(() => this.emit('ready'));
      this.server.on('connection', (socket: net.Socket) => this._onConnection(socket));
    } else {
      this.port = o.port ?? 8022;
      this.host = o.host || '127.0.0.1';
      this.server = net.createServer((socket) => this._onConnection(socket));
      this.server.on('error', (err) => this.emit('error', err));
      this.server.listen(this.port, this.host, () => this._onListening());
    }
  }

  /** Stops listening (net.Server.close: the callback runs once every connection has ended). */
  close(callback?: (err?: Error) => void): void {
    this.server.close(callback);
  }

  /** The number of open connections (drachtio-modesl's). */
  getCountOfConnections(): number {
    return Object.keys(this.connections).length;
  }

  /**
   * modesl's: a connection FreeSWITCH opened. `connection::open` at once; `connection::ready`
   * once the call is ready (after `myevents` is answered, with that option), never for a
   * connection that closed first; `connection::close` once it has ended, however it ended
   * (modesl's only came with esl::end, so a reset left the connection in `connections`).
   */
  _onConnection(socket: net.Socket): void {
    const conn = new Connection(socket);
    const id = this._generateId();
    this.connections[id] = conn;
    conn._id = id;
    this.emit('connection::open', conn, id);
    conn.on('esl::ready', () => {
      if (!this.bindEvents) {
        this.emit('connection::ready', this.connections[id], id);
        return;
      }
      conn._myevents((reply) => {
        if (reply.error === undefined) this.emit('connection::ready', this.connections[id], id);
      });
    });
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.emit('connection::close', this.connections[id], id);
      delete this.connections[id];
    };
    // From esl::end, registered first, as modesl did (so before the application's listeners of
    // it); and for a close that ends with 'error' instead, once the connection has closed.
    conn.on('esl::end', close);
    void conn.closed.then(close);
  }

  /** modesl's: the server listens (`port` is then the one it got, for port 0). */
  _onListening(): void {
    this.port = (this.server.address() as net.AddressInfo).port;
    this.emit('ready');
  }

  /** 11 random bytes and a 32-bit sequence number, base64 made safe for an object key (modesl's scheme). */
  _generateId(): string {
    const id = Buffer.alloc(15);
    this.seq = (this.seq + 1) | 0;
    id.writeInt32BE(this.seq, 11);
    randomBytes(11).copy(id);
    return id.toString('base64').replace(/\//g, '_').replace(/\+/g, '-');
  }
}
