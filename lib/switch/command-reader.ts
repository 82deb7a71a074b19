/**
 * The server's side of the wire: splits what a client writes into commands, the way
 * mod_event_socket's read_packet does (PROTOCOL.md §1.1, client to server). FakeSwitch reads
 * its clients with this.
 *
 * - CR and LF bytes before a command are skipped.
 * - A block ends at LF, any number of CR, LF ("\n\n", "\r\n\r\n" and "\n\r\n" all end it).
 * - The first line is the command; every later line with a colon is a header (value with
 *   leading spaces removed); lines without a colon are ignored.
 * - Content-Length (any case, anywhere) is read with atoi; the body is that many bytes.
 *   A negative value or one above 16 MiB ends the connection, as FreeSWITCH does since 2026-08.
 */
import { EslProtocolError } from '../errors.js';
import { FrameHeaders } from '../protocol/frame.js';
import { toBuffer } from '../protocol/frame-parser.js';

export interface ClientCommand {
  /** The first line (the command), without its line ending. */
  readonly line: string;
  readonly headers: FrameHeaders;
  /** Content-Length bytes, or empty. */
  readonly body: Buffer;
}

export interface CommandReaderOptions {
  /** Longest header block; FreeSWITCH's max_len is 10 MiB, past which it treats the block as ended. */
  maxHeaderBytes?: number;
  /** Largest Content-Length accepted: 16 MiB on FreeSWITCH. */
  maxBodyBytes?: number;
}

const LF = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);

/** C's atoi: optional spaces and sign, then digits up to the first non-digit; 0 if none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s);
  if (!m || m[2] === '') return 0;
  const n = Number(m[2]!.slice(0, 12));
  return m[1] === '-' ? -n : n;
}

export class CommandReader {
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** Where the search for the end of the current block resumes. */
  private scan = 0;
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private failure: Error | null = null;

  constructor(options: CommandReaderOptions = {}) {
    this.maxHeaderBytes = options.maxHeaderBytes ?? 10 * 1024 * 1024;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  }

  get bufferedBytes(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array, onCommand: (command: ClientCommand) => void): void {
    if (this.failure) throw this.failure;
    this.append(toBuffer(chunk));
    try {
      for (;;) {
        const cmd = this.next();
        if (cmd === null) break;
        onCommand(cmd);
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  }

  private append(chunk: Buffer): void {
    const live = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      const need = live + chunk.length;
      if (need <= this.buf.length && this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2, 1024));
        this.buf.copy(grown, 0, this.start, this.end);
        this.buf = grown;
      }
      this.scan -= this.start;
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  private next(): ClientCommand | null {
    const buf = this.buf;
    // Skip CR/LF before a block.
    while (this.start < this.end && (buf[this.start] === LF || buf[this.start] === CR)) this.start++;
    if (this.scan < this.start) this.scan = this.start;
    if (this.start === this.end) return null;

    // Find LF (CR)* LF.
    let blockEnd = -1;
    let i = this.scan;
    while (i < this.end) {
      if (buf[i] === LF) {
        let k = i + 1;
        while (k < this.end && buf[k] === CR) k++;
        if (k === this.end) break; // need more bytes to know
        if (buf[k] === LF) {
          blockEnd = k + 1;
          break;
        }
        i = k;
        continue;
      }
      i++;
    }
    if (blockEnd < 0) {
      this.scan = i;
      if (this.end - this.start > this.maxHeaderBytes) {
        // FreeSWITCH stops reading the block at max_len and handles what it has.
        blockEnd = this.start + this.maxHeaderBytes;
      } else {
        return null;
      }
    }

    const text = buf.toString('utf8', this.start, blockEnd);
    const lines = text.split('\n').map((l) => l.replace(/\r+$/, ''));
    const line = lines[0] ?? '';
    const names: string[] = [];
    const values: string[] = [];
    let length = 0;
    for (let k = 1; k < lines.length; k++) {
      const l = lines[k]!;
      const colon = l.indexOf(':');
      if (colon < 0) continue;
      const name = l.slice(0, colon);
      const value = l.slice(colon + 1).replace(/^ +/, '');
      names.push(name);
      values.push(value);
      if (name.toLowerCase() === 'content-length') {
        length = atoi(value);
        if (length < 0 || length > this.maxBodyBytes) {
          throw new EslProtocolError('BAD_CONTENT_LENGTH', `client sent Content-Length ${value}; the limit is ${this.maxBodyBytes}`, {
            excerpt: text.slice(0, 240),
          });
        }
      }
    }
    if (blockEnd + length > this.end) {
      // The body is not all here yet; come back to this block later.
      this.scan = this.start;
      return null;
    }
    const body = length > 0 ? Buffer.from(buf.subarray(blockEnd, blockEnd + length)) : EMPTY;
    this.start = blockEnd + length;
    this.scan = this.start;
    return { line, headers: FrameHeaders.fromArrays(names, values), body };
  }
}
