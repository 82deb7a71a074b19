/**
 * A bare Event Socket client for the FakeSwitch tests: a net socket, the protocol layer's
 * FrameParser for what comes in and its Commands encoders for what goes out. No Connection
 * class: the tests look at the wire.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { EslEvent, Frame, FrameParser, type EncodedCommand } from 'rxesl';

export class RawClient {
  readonly frames: Frame[] = [];
  /** Raw bytes received, in order. */
  readonly chunks: Buffer[] = [];
  #cursor = 0;
  #stash: Frame[] = [];
  #waiters: Array<() => void> = [];
  #closed = false;
  #closedWaiters: Array<() => void> = [];
  #parser = new FrameParser();
  parseError: Error | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      try {
        this.#parser.push(chunk, (f) => this.frames.push(new Frame(f.headers, Buffer.from(f.body), f.contentType)));
      } catch (err) {
        this.parseError = err as Error;
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      for (const w of this.#closedWaiters.splice(0)) w();
      this.#wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
    });
  }

  /** Connects and authenticates (reads auth/request, sends auth, reads the reply). */
  static async authed(port: number, password = 'ClueCon'): Promise<RawClient> {
    const c = await RawClient.connect(port);
    await c.next();
    c.write(`auth ${password}\n\n`);
    const r = await c.next();
    if (r.headers.get('Reply-Text') !== '+OK accepted') throw new Error(`auth failed: ${r.toString()}`);
    return c;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  write(data: string | Buffer | EncodedCommand): void {
    if (typeof data === 'string') this.socket.write(data);
    else if (Buffer.isBuffer(data)) this.socket.write(data);
    else this.socket.write(data.bytes);
  }

  /** The next frame not read yet (waits for it). Rejects when the socket closes first. */
  async next(): Promise<Frame> {
    for (;;) {
      if (this.#cursor < this.frames.length) return this.frames[this.#cursor++]!;
      if (this.#closed) throw new Error(`socket closed; frames so far: ${this.frames.map((f) => f.contentType).join(', ')}`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** Reads frames until one matches; the ones skipped are returned with it. */
  async until(pred: (f: Frame) => boolean): Promise<{ frame: Frame; skipped: Frame[] }> {
    const skipped: Frame[] = [];
    for (;;) {
      const f = await this.next();
      if (pred(f)) return { frame: f, skipped };
      skipped.push(f);
    }
  }

  /**
   * The next command/reply or api/response. Events met on the way are kept for event() (as a
   * client library would queue them); other frames are passed over.
   */
  async reply(): Promise<Frame> {
    const { frame, skipped } = await this.until((f) => f.contentType === 'command/reply' || f.contentType === 'api/response');
    for (const f of skipped) if (f.contentType?.startsWith('text/event-')) this.#stash.push(f);
    return frame;
  }

  /** Sends a command and returns its reply. */
  async send(data: string | EncodedCommand): Promise<Frame> {
    this.write(typeof data === 'string' && !data.endsWith('\n\n') ? `${data}\n\n` : data);
    return this.reply();
  }

  /** The Reply-Text of a command's reply (or the body of an api/response). */
  async text(data: string | EncodedCommand): Promise<string> {
    const f = await this.send(data);
    return f.contentType === 'api/response' ? f.bodyText : (f.headers.get('Reply-Text') ?? '');
  }

  /** The next event frame whose event matches (events kept by reply() come first). */
  async event(pred: (e: EslEvent) => boolean = () => true): Promise<EslEvent> {
    while (this.#stash.length > 0) {
      const e = EslEvent.fromFrame(this.#stash.shift()!);
      if (pred(e)) return e;
    }
    for (;;) {
      const f = await this.next();
      if (!f.contentType?.startsWith('text/event-')) continue;
      const e = EslEvent.fromFrame(f);
      if (pred(e)) return e;
    }
  }

  /** Frames received and not read yet (events kept by reply() included). */
  get unread(): Frame[] {
    return [...this.#stash, ...this.frames.slice(this.#cursor)];
  }

  /** Waits for the server to close the socket. */
  whenClosed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((r) => this.#closedWaiters.push(r));
  }

  /** Waits until `n` frames in all have arrived. */
  async waitFrames(n: number): Promise<void> {
    while (this.frames.length < n) {
      if (this.#closed) return;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** Ends our side of the socket (a half-close): what the server still writes can be read. */
  end(): void {
    this.socket.end();
  }
}

/** A TCP server the emulator's `socket` application connects to (an outbound ESL app). */
export class OutboundServer {
  readonly clients: RawClient[] = [];
  #waiters: Array<(c: RawClient) => void> = [];
  #taken = 0;
  private constructor(readonly server: Server) {}

  /** Listens on `host:port` (by default a free port of 127.0.0.1). */
  static async start(port = 0, host = '127.0.0.1'): Promise<OutboundServer> {
    const server = createServer();
    const o = new OutboundServer(server);
    server.on('connection', (s) => {
      const c = new RawClient(s);
      o.clients.push(c);
      const w = o.#waiters.shift();
      if (w) {
        o.#taken++;
        w(c);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return o;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** The next connection, or one already received and not taken. */
  accept(): Promise<RawClient> {
    if (this.#taken < this.clients.length) return Promise.resolve(this.clients[this.#taken++]!);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
