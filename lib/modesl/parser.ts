/**
 * modesl's Parser (lib/esl/Parser.js of modesl 1.2.1): reads a socket and emits
 * `esl::event` (event, headers, body) for every frame. The bytes go through rxesl's
 * FrameParser (byte-exact Content-Length, any chunking, no string concatenation).
 */
import { FrameParser, type FrameParserOptions } from '../protocol/frame-parser.js';
import type { Frame } from '../protocol/frame.js';
import { EventEmitter2 } from './emitter.js';
import { modeslFrame } from './wire.js';

/** What a Parser reads: a net.Socket, or anything that emits 'data' with Buffers. */
export interface ReadableSocket {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

export class Parser extends EventEmitter2 {
  /** The socket read. */
  readonly socket: ReadableSocket;
  readonly #parser: FrameParser;
  #failed = false;

  constructor(socket: ReadableSocket, options?: FrameParserOptions) {
    super({ wildcard: true, delimiter: '::', maxListeners: 25 });
    this.socket = socket;
    this.#parser = new FrameParser(options);
    socket.on('data', (chunk) => this.#onData(chunk));
  }

  #onData(chunk: Buffer): void {
    // Past a bad Content-Length nothing can be trusted: report it once and read no further.
    if (this.#failed) return;
    try {
      this.#parser.push(chunk, (frame) => this.#onFrame(frame));
    } catch (err) {
      this.#failed = true;
      this.emit('error', err);
    }
  }

  #onFrame(frame: Frame): void {
    let out;
    try {
      out = modeslFrame(frame);
    } catch (err) {
      // A JSON or XML event that does not parse (EslProtocolError): modesl emitted 'error' too.
      this.emit('error', err);
      return;
    }
    this.emit('esl::event', out.event, out.headers, out.body);
  }
}
