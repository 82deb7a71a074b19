/**
 * modesl's Server (lib/esl/Server.js of modesl 1.2.1): listens for FreeSWITCH's outbound
 * connections (the dialplan's `socket` application) and makes each a modesl Connection,
 * itself on rxesl's Connection. rxesl's own Server hands a connection out only after its
 * handshake; modesl's announces it first (`connection::open`) and again once it is ready
 * (`connection::ready`), so this one keeps modesl's order.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { EventEmitter2 } from './emitter.js';
import { Connection } from './connection.js';

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
      this.server.on('connection', (socket: net.Socket) => this.#onConnection(socket));
    } else {
      this.port = o.port ?? 8022;
      this.host = o.host || '127.0.0.1';
      this.server = net.createServer((socket) => this.#onConnection(socket));
      this.server.on('error', (err) => this.emit('error', err));
      this.server.listen(this.port, this.host, () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        this.emit('ready');
      });
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

  #onConnection(socket: net.Socket): void {
    const conn = new Connection(socket);
    const id = this.#generateId();
    this.connections[id] = conn;
    conn._id = id;
    this.emit('connection::open', conn, id);
    conn.on('esl::ready', () => {
      if (this.bindEvents) {
        conn._myevents(() => this.emit('connection::ready', this.connections[id], id));
      } else {
        this.emit('connection::ready', this.connections[id], id);
      }
    });
    conn.on('esl::end', () => {
      this.emit('connection::close', this.connections[id], id);
      delete this.connections[id];
    });
  }

  /** 11 random bytes and a 32-bit sequence number, base64 made safe for an object key (modesl's scheme). */
  #generateId(): string {
    const id = Buffer.alloc(15);
    this.seq = (this.seq + 1) | 0;
    id.writeInt32BE(this.seq, 11);
    randomBytes(11).copy(id);
    return id.toString('base64').replace(/\//g, '_').replace(/\+/g, '-');
  }
}
