/**
 * The server's side of the wire: splits what a client writes into commands, the way
 * mod_event_socket's read_packet does in FreeSWITCH 1.10.12 (PROTOCOL.md §1.1, client to
 * server). FakeSwitch reads its clients with this, so a test of an injection shows what a real
 * FreeSWITCH would run.
 *
 * - CR and LF bytes before a command are skipped.
 * - A block ends at LF, any number of CR, LF ("\n\n", "\r\n\r\n" and "\n\r\n" all end it), or
 *   when it reaches 10,485,760 bytes (read_packet's max_len): the block is then handled as it
 *   is, and the bytes after the cut start the next command.
 * - The block is a C string: a NUL ends it, and nothing after the NUL is seen (a later
 *   Content-Length included, so the body it announced is read as the next command).
 * - Lines are split as parse_command splits them: a line ends at the first CR anywhere after
 *   its start, else at the first LF (strip_cr), so a CR further down merges lines.
 * - The first line is the command; every later line with a colon is a header (value with
 *   leading spaces removed); lines without a colon are ignored.
 * - Each Content-Length (any case, anywhere) is read with atoi, and that many bytes are read
 *   as the body at once; the body is kept up to its first NUL. A negative value or one above
 *   16 MiB ends the connection, as newer FreeSWITCH releases do (since 2026-08; 1.10.12 reads
 *   any size), so that the emulator's memory stays bounded.
 */
import { EslProtocolError } from '../errors.js';
import { MAX_COMMAND_BLOCK_BYTES } from '../protocol/commands.js';
import { FrameHeaders } from '../protocol/frame.js';
import { toBuffer } from '../protocol/frame-parser.js';

export interface ClientCommand {
  /** The first line (the command) as parse_command's strip_cr cuts it. */
  readonly line: string;
  /**
   * The whole block up to its first NUL, as FreeSWITCH keeps it in the event's Command header
   * (parse_command checks some words, such as mod_event_socket, in all of it).
   */
  readonly block: string;
  readonly headers: FrameHeaders;
  /** The body: Content-Length bytes, up to the first NUL; empty when none. */
  readonly body: Buffer;
}

export interface CommandReaderOptions {
  /** Longest header block: FreeSWITCH's max_len is 10 MiB, at which it treats the block as ended. */
  maxHeaderBytes?: number;
  /** Largest Content-Length accepted: 16 MiB on FreeSWITCH since 2026-08. */
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

/** strip_cr: the text from `from` up to the first CR after it, else the first LF. */
function stripCr(text: string, from: number): string {
  let end = text.indexOf('\r', from);
  if (end < 0) end = text.indexOf('\n', from);
  return end < 0 ? text.slice(from) : text.slice(from, end);
}

/** A block split into lines as parse_command does, and the Content-Length headers met on the way. */
interface ParsedBlock {
  line: string;
  names: string[];
  values: string[];
  /** Each Content-Length above zero, in order: read_packet reads a body for each. */
  lengths: number[];
}

function parseBlock(block: string): ParsedBlock {
  const names: string[] = [];
  const values: string[] = [];
  const lengths: number[] = [];
  let line = '';
  let count = 0;
  for (let cur = 0; cur >= 0; ) {
    // The next line starts after the first CR (else LF) and every CR and LF after it.
    let next = block.indexOf('\r', cur);
    if (next < 0) next = block.indexOf('\n', cur);
    if (next >= 0) {
      while (next < block.length && (block.charCodeAt(next) === CR || block.charCodeAt(next) === LF)) next++;
    }
    if (++count === 1) {
      line = stripCr(block, 0);
    } else {
      const text = stripCr(block, cur);
      const colon = text.indexOf(':');
      if (colon >= 0) {
        const name = text.slice(0, colon);
        let v = colon + 1;
        while (text.charCodeAt(v) === 32) v++;
        const value = text.slice(v);
        names.push(name);
        values.push(value);
        if (name.toLowerCase() === 'content-length') lengths.push(atoi(value));
      }
    }
    cur = next;
  }
  return { line, names, values, lengths };
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
    this.maxHeaderBytes = options.maxHeaderBytes ?? MAX_COMMAND_BLOCK_BYTES;
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

    // Find LF (CR)* LF within the first maxHeaderBytes bytes of the block.
    const limit = Math.min(this.end, this.start + this.maxHeaderBytes);
    let blockEnd = -1;
    let i = this.scan;
    while (i < limit) {
      const at = buf.subarray(i, limit).indexOf(LF);
      if (at < 0) {
        i = limit;
        break;
      }
      const lf = i + at;
      let k = lf + 1;
      while (k < limit && buf[k] === CR) k++;
      if (k === limit) {
        i = lf; // need more bytes to know
        break;
      }
      if (buf[k] === LF) {
        blockEnd = k + 1;
        break;
      }
      i = k;
    }
    if (blockEnd < 0) {
      this.scan = i;
      // read_packet stops at max_len bytes and handles what it has.
      if (this.end - this.start < this.maxHeaderBytes) return null;
      blockEnd = this.start + this.maxHeaderBytes;
    }

    // The block as a C string: up to its first NUL.
    const nul = buf.subarray(this.start, blockEnd).indexOf(0);
    const block = buf.toString('utf8', this.start, nul < 0 ? blockEnd : this.start + nul);
    const { line, names, values, lengths } = parseBlock(block);
    let length = 0;
    for (const n of lengths) {
      if (n < 0 || n > this.maxBodyBytes) {
        throw new EslProtocolError('BAD_CONTENT_LENGTH', `client sent Content-Length ${n}; the limit is ${this.maxBodyBytes}`, {
          excerpt: block.slice(0, 240),
        });
      }
      length += n;
    }
    if (blockEnd + length > this.end) {
      // The body is not all here yet; come back to this block later.
      this.scan = this.start;
      return null;
    }
    let body = EMPTY;
    if (length > 0) {
      // Each Content-Length reads its own body; the last one is the event's (add_body replaces).
      const last = lengths[lengths.length - 1]!;
      const from = blockEnd + length - last;
      const cut = last > 0 ? buf.subarray(from, from + last).indexOf(0) : -1;
      body = Buffer.from(buf.subarray(from, cut < 0 ? from + last : from + cut));
    }
    this.start = blockEnd + length;
    this.scan = this.start;
    return { line, block, headers: FrameHeaders.fromArrays(names, values), body };
  }
}
