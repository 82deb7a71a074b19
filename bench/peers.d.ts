/**
 * Minimal types for the peers that ship none (modesl 1.2.1, and drachtio-modesl 1.3.1 with the same API), covering
 * only what the bench adapters call. esl and esl-lite ship their own.
 */

declare module 'modesl' {
  import type { Server as NetServer } from 'node:net';

  export class Event {
    constructor(type: string | Record<string, unknown>, subclassOrBody?: string);
    getHeader(name: string): string | null;
    getBody(): string;
    getType(): string;
    serialize(format?: 'plain' | 'json' | 'xml'): string;
  }

  type Callback = (event: Event) => void;
  type Listener = (event: Event, headers?: Record<string, string>, body?: string) => void;

  export class Connection {
    constructor(host: string, port: number, password: string, ready?: () => void);
    on(event: string, listener: Listener): this;
    once(event: string, listener: Listener): this;
    on(event: 'error', listener: (err: Error) => void): this;
    removeListener(event: string, listener: (...args: never[]) => void): this;
    getInfo(): Event | null;
    send(command: string, args?: Record<string, string>): void;
    sendRecv(command: string, cb?: Callback): void;
    sendRecv(command: string, args: Record<string, string> | null, cb?: Callback): void;
    api(command: string, args: string | string[], cb: Callback): void;
    bgapi(command: string, args: string | string[], cb: Callback): void;
    events(type: 'plain' | 'json' | 'xml', events: string | string[], cb?: Callback): void;
    subscribe(events: string | string[], cb?: Callback): void;
    execute(app: string, arg: string, cb: Callback): string;
    disconnect(): void;
  }

  export class Server {
    constructor(options: { host?: string; port?: number; server?: NetServer; myevents?: boolean }, ready?: () => void);
    server: NetServer;
    on(event: 'connection::ready' | 'connection::open', listener: (conn: Connection, id: string) => void): this;
    on(event: 'connection::close', listener: (conn: Connection, id: string) => void): this;
    close(cb?: () => void): void;
  }
}

// The drachtio fork keeps modesl's API for everything the adapters call.
declare module 'drachtio-modesl' {
  export * from 'modesl';
}
