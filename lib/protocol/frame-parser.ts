/**
 * Splits an Event Socket byte stream into frames (PROTOCOL.md §1.1-1.2).
 *
 * - The header block ends at the first "\n\n"; each line splits at its FIRST colon
 *   (`Reply-Text: +OK Job-UUID: ...` keeps its second colon in the value).
 * - Content-Length may be anywhere in the block (events put it first, log/data second) or
 *   missing (the outbound connect reply); the body is exactly that many BYTES.
 * - Chunks are never concatenated into strings. A frame that lies inside one chunk is handed
 *   out as a view of that chunk (no copy on the hot path). A frame that straddles chunks is
 *   copied into a buffer that grows as its bytes arrive (doubling, up to the announced size):
 *   an announced Content-Length reserves nothing by itself.
 * - Retention: a view kept for long pins its whole chunk (a 1.2 KB event kept out of a 64 KB
 *   socket read holds the 64 KB). Copying every small frame would cost more than the rest of
 *   the read path, and most frames are dropped at once, so the parser measures what its user
 *   keeps instead: it watches a sample of the frames weakly (see RetentionSampler), and
 *   while the frames kept are a small part of what went by (lopsided retention: a consumer
 *   that keeps one event in a hundred), it copies each small frame of a large chunk into a
 *   buffer of its own, so that what is kept holds only itself.
 * - Limits (docs/security.md): a header block of at most maxHeaderBytes, a body of at most
 *   maxBodyBytes. setLimits() changes them between frames, so a connection can run with small
 *   limits until it is authenticated and raise them then.
 */
import { EslArgumentError, EslProtocolError } from '../errors.js';
import { Frame, FrameHeaders, isContentLength } from './frame.js';

export interface FrameParserOptions {
  /**
   * Largest header block accepted, in bytes. The outbound connect reply is one header block of
   * tens of KB. Default 8 MiB; at most MAX_PARSER_LIMIT_BYTES (Infinity means that).
   */
  maxHeaderBytes?: number;
  /**
   * Largest body accepted, in bytes. FreeSWITCH sets no limit on what it sends (`show channels`
   * on a busy box). Default 128 MiB; at most MAX_PARSER_LIMIT_BYTES (Infinity means that).
   */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024;
/**
 * The largest limit a parser takes: a header block and a body must each be readable as one
 * JavaScript string (a header block is decoded as one, and an event's body is text). V8's
 * longest string on 64-bit platforms is 2^29 - 24 characters (Node's
 * `buffer.constants.MAX_STRING_LENGTH`).
 */
export const MAX_PARSER_LIMIT_BYTES = 2 ** 29 - 24;
/**
 * A body limit for the frames that come before authentication (inbound) or the connect
 * handshake (outbound): none of them carries more than a short notice, so an unauthenticated
 * peer cannot make a connection hold a large body.
 */
export const HANDSHAKE_MAX_BODY_BYTES = 64 * 1024;

/** Size of the first buffer of a body that straddles chunks; it doubles as bytes arrive. */
const BODY_START_BYTES = 64 * 1024;
/**
 * A frame is small in its chunk when the chunk's memory is more than this many times its body:
 * kept as a view it would pin that much more than itself. Retention is lopsided when fewer
 * than one in this many of the sampled frames are still kept.
 */
const RETAIN_RATIO = 4;
/**
 * One small frame in this many is sampled, on average (the gaps vary, so that a consumer
 * keeping every n-th event is not missed). Each decision that finds nothing kept doubles the
 * gap, up to SAMPLE_GAP_MAX: a consumer that keeps nothing, the common case, costs almost no
 * samples; one that starts keeping is seen within a decision, and the gap starts over.
 */
const SAMPLE_GAP = 16;
const SAMPLE_GAP_MAX = 64;
/**
 * Samples needed for a decision; at most SAMPLE_LIMIT wait for one (sampling pauses past it).
 * At one event in a hundred kept, 256 samples hold about 2.6 kept ones: a decision that saw
 * none may be chance, so copying stops only after two such decisions in a row.
 */
const SAMPLE_MIN = 256;
const SAMPLE_LIMIT = 1024;

/** Set when a full garbage collection has collected the sentinel it was registered with. */
interface Generation {
  collected: boolean;
}

/**
 * Marks generations as done. A WeakRef is cleared only by a full collection, and reading one
 * (deref) keeps its target alive until the current task ends, which would keep a sentinel read
 * on every chunk alive through every incremental collection: the sentinel is watched by
 * registration instead, which does not keep it (and, like WeakRef targets, is let go by full
 * collections only).
 */
const fullCollections = new FinalizationRegistry<Generation>((generation) => {
  generation.collected = true;
});

/**
 * Measures whether the frames handed out are kept. A sampled frame's token (an empty object
 * only the frame holds, so it lives exactly as long as the frame) is watched through a WeakRef.
 * The frame itself is never watched: V8's young-generation collector treats a WeakRef's target
 * as alive, so watching a frame would keep its chunk until the next full collection.
 *
 * Samples are judged a generation late: `older` was taken before the current generation began,
 * and once a full collection has run since then, an older sample still alive is really kept.
 */
class RetentionSampler {
  /** Copy small frames of large chunks: what is kept of them is a small part. */
  copying = false;
  private gap = SAMPLE_GAP;
  private countdown = SAMPLE_GAP;
  /** xorshift32 state: the gaps between samples. */
  private seed = 0x9e3779b9;
  /** Decisions in a row that saw no sample kept. */
  private noneKept = 0;
  private older: Array<WeakRef<object>> = [];
  private newer: Array<WeakRef<object>> = [];
  private generation: Generation = { collected: true };

  /** Called for each small frame handed out. */
  handedOut(frame: Frame): void {
    if (--this.countdown > 0) return;
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x;
    this.countdown = 1 + ((x >>> 0) % (2 * this.gap - 1));
    if (this.newer.length < SAMPLE_LIMIT) this.newer.push(new WeakRef(frame.token));
    if (this.newer.length >= SAMPLE_MIN && this.generation.collected) this.judge();
  }

  private judge(): void {
    if (this.older.length >= SAMPLE_MIN) {
      let kept = 0;
      for (const ref of this.older) if (ref.deref() !== undefined) kept++;
      this.noneKept = kept === 0 ? this.noneKept + 1 : 0;
      if (kept * RETAIN_RATIO >= this.older.length) this.copying = false;
      else if (kept > 0) this.copying = true;
      else if (this.noneKept >= 2) this.copying = false;
      this.gap = kept === 0 ? Math.min(this.gap * 2, SAMPLE_GAP_MAX) : SAMPLE_GAP;
      this.older = this.newer;
    } else {
      this.older = this.older.concat(this.newer);
    }
    this.newer = [];
    this.generation = { collected: false };
    const sentinel = {};
    // Making a WeakRef keeps its target until the current task ends (as it keeps the samples
    // just taken): the sentinel cannot go in a collection that still had to keep samples.
    void new WeakRef(sentinel);
    fullCollections.register(sentinel, this.generation);
  }
}

const LF = 10;
const CR = 13;
const DOUBLE_LF = Buffer.from('\n\n');
const CL_PREFIX = Buffer.from('Content-Length: ');
const CT_PREFIX = Buffer.from('\nContent-Type: text/event-');
const API_PREFIX = Buffer.from('Content-Type: api/response\nContent-Length: ');
const EMPTY = Buffer.alloc(0);
/** A partial-header buffer larger than this is dropped after use instead of being kept for reuse. */
const KEEP_HEAD_BYTES = 64 * 1024;

export function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** A limit as given: a whole number of bytes from `min` to MAX_PARSER_LIMIT_BYTES, or Infinity for that. */
function limitOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return MAX_PARSER_LIMIT_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_PARSER_LIMIT_BYTES) {
    throw new EslArgumentError(
      name,
      value,
      `${name} must be a whole number of bytes from ${min} to ${MAX_PARSER_LIMIT_BYTES} (the longest string), or Infinity for that: ${String(value)}`,
    );
  }
  return value;
}

function excerptOf(text: string): string {
  const cut = text.length > 240 ? `${text.slice(0, 240)}...` : text;
  return cut.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export class FrameParser {
  private maxHeaderBytes: number;
  private maxBodyBytes: number;

  /** Bytes of a header block that is not complete yet. */
  private head: Buffer = EMPTY;
  private headLen = 0;

  /** Body of a frame that straddles chunks: bodyFilled of bodyLength bytes, in a buffer grown as they arrive. */
  private bodyBuf: Buffer | null = null;
  private bodyLength = 0;
  private bodyFilled = 0;
  private bodyHeaders: FrameHeaders | null = null;
  private bodyType: string | undefined;

  /** Results of the last header-block parse (kept in fields to avoid an object per frame). */
  private lastHeaders: FrameHeaders | null = null;
  private lastType: string | undefined;
  private lastLength = 0;

  private readonly retention = new RetentionSampler();

  /** Stream offset of the first byte of the current chunk, and of the frame being read. */
  private consumed = 0;
  private frameStart = 0;
  private failure: Error | null = null;

  /** Throws EslArgumentError for a limit that is not a whole number of bytes in range (see FrameParserOptions). */
  constructor(options: FrameParserOptions = {}) {
    this.maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
    this.maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    this.setLimits(options);
  }

  /**
   * Changes the limits (only those given). A header block not complete yet is held to the new
   * header limit; a body already announced and accepted is read to its end. Typical use: run
   * with `{ maxBodyBytes: HANDSHAKE_MAX_BODY_BYTES }` until the peer is authenticated, then
   * raise it. Throws EslArgumentError, and changes nothing, for an invalid value.
   */
  setLimits(limits: FrameParserOptions): void {
    if (typeof limits !== 'object' || limits === null) throw new EslArgumentError('limits', limits, 'parser limits must be an object');
    const header = limitOption('maxHeaderBytes', limits.maxHeaderBytes, this.maxHeaderBytes, 1);
    const body = limitOption('maxBodyBytes', limits.maxBodyBytes, this.maxBodyBytes, 0);
    this.maxHeaderBytes = header;
    this.maxBodyBytes = body;
  }

  /** The limits in force. */
  get limits(): Required<FrameParserOptions> {
    return { maxHeaderBytes: this.maxHeaderBytes, maxBodyBytes: this.maxBodyBytes };
  }

  /** Bytes received that do not yet form a complete frame. */
  get bufferedBytes(): number {
    return this.headLen + this.bodyFilled;
  }

  /** Bytes of memory the parser holds for a partial frame (its buffers' sizes, not their fill). */
  get reservedBytes(): number {
    return this.head.length + (this.bodyBuf === null ? 0 : this.bodyBuf.length);
  }

  /** Total bytes pushed so far. */
  get offset(): number {
    return this.consumed;
  }

  /** The error that stopped this parser, if any. A failed parser refuses further input. */
  get error(): Error | null {
    return this.failure;
  }

  /**
   * Feeds one chunk; calls `onFrame` for every frame it completes, in order.
   * Throws EslProtocolError on bad input, after which the parser stays failed.
   * `onFrame` should not throw: if it does, the parser fails too (the rest of the chunk is lost).
   */
  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    if (this.failure) throw this.failure;
    const buf = toBuffer(chunk);
    const len = buf.length;
    /** What a view of this chunk keeps alive: its whole memory. */
    const chunkBytes = buf.buffer.byteLength;
    let pos = 0;
    try {
      while (pos < len) {
        // 1. Filling the body of a frame that straddles chunks.
        if (this.bodyBuf !== null) {
          const need = this.bodyLength - this.bodyFilled;
          const n = need < len - pos ? need : len - pos;
          const body = this.bodyFilled + n > this.bodyBuf.length ? this.growBody(this.bodyFilled + n) : this.bodyBuf;
          buf.copy(body, this.bodyFilled, pos, pos + n);
          this.bodyFilled += n;
          pos += n;
          if (this.bodyFilled === this.bodyLength) {
            // Grown by doubling up to exactly bodyLength: the buffer is the body.
            const frame = new Frame(this.bodyHeaders!, body, this.bodyType);
            this.bodyBuf = null;
            this.bodyHeaders = null;
            this.bodyFilled = 0;
            this.bodyLength = 0;
            onFrame(frame);
          }
          continue;
        }

        // 2. The header block.
        if (this.headLen === 0) {
          // Stray CR/LF between frames carry nothing; FreeSWITCH never sends them, but they are harmless.
          while (pos < len && (buf[pos] === LF || buf[pos] === CR)) pos++;
          if (pos === len) break;
          this.frameStart = this.consumed + pos;
          const fast = this.fastHead(buf, pos, len);
          const idx = fast > 0 ? fast - 2 : buf.indexOf(DOUBLE_LF, pos);
          if (idx < 0) {
            this.appendHead(buf, pos, len);
            pos = len;
            break;
          }
          if (fast < 0) {
            if (idx + 2 - pos > this.maxHeaderBytes) this.headerTooLarge(idx + 2 - pos);
            this.parseHeaderBlock(buf, pos, idx);
          }
          pos = idx + 2;
        } else {
          // Continue a partial header block; its "\n\n" may straddle the two chunks.
          let end: number;
          if (this.head[this.headLen - 1] === LF && buf[pos] === LF) {
            end = pos + 1;
          } else {
            const idx = buf.indexOf(DOUBLE_LF, pos);
            if (idx < 0) {
              this.appendHead(buf, pos, len);
              pos = len;
              break;
            }
            end = idx + 2;
          }
          this.appendHead(buf, pos, end);
          pos = end;
          const head = this.head;
          const headLen = this.headLen;
          this.headLen = 0;
          this.parseHeaderBlock(head, 0, headLen - 2);
          if (head.length > KEEP_HEAD_BYTES) this.head = EMPTY;
        }

        // 3. The body, if any.
        const headers = this.lastHeaders!;
        const type = this.lastType;
        const cl = this.lastLength;
        this.lastHeaders = null;
        if (cl === 0) {
          onFrame(new Frame(headers, EMPTY, type));
        } else if (len - pos >= cl) {
          const view = buf.subarray(pos, pos + cl);
          pos += cl;
          if (cl * RETAIN_RATIO < chunkBytes) {
            // Copied into Node's shared pool when small: a kept copy holds at most one 8 KiB slab.
            const frame = new Frame(headers, this.retention.copying ? Buffer.from(view) : view, type);
            this.retention.handedOut(frame);
            onFrame(frame);
          } else {
            onFrame(new Frame(headers, view, type));
          }
        } else {
          // Only what has arrived is held: an announced size reserves nothing by itself.
          const have = len - pos;
          const body = Buffer.allocUnsafe(Math.min(cl, Math.max(BODY_START_BYTES, have)));
          buf.copy(body, 0, pos, len);
          this.bodyBuf = body;
          this.bodyLength = cl;
          this.bodyFilled = have;
          this.bodyHeaders = headers;
          this.bodyType = type;
          pos = len;
        }
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      this.consumed += len;
    }
  }

  /** A bigger body buffer holding at least `need` bytes: double, up to the announced length. */
  private growBody(need: number): Buffer {
    const old = this.bodyBuf!;
    const grown = Buffer.allocUnsafe(Math.min(this.bodyLength, Math.max(need, old.length * 2)));
    old.copy(grown, 0, 0, this.bodyFilled);
    this.bodyBuf = grown;
    return grown;
  }

  /**
   * Declares the end of the stream. Throws EslProtocolError (TRUNCATED) if a frame was cut
   * short, so a peer that closes mid-frame is never mistaken for a clean close.
   */
  end(): void {
    if (this.failure) throw this.failure;
    const buffered = this.bufferedBytes;
    if (buffered > 0) {
      const what = this.bodyBuf
        ? `inside a body (${this.bodyFilled} of ${this.bodyLength} bytes received)`
        : `inside a header block (${this.headLen} bytes received)`;
      const excerpt = this.bodyBuf ? this.describe(this.bodyHeaders!) : this.head.toString('utf8', 0, Math.min(this.headLen, 240));
      this.failure = new EslProtocolError('TRUNCATED', `stream ended ${what}, frame at byte ${this.frameStart}`, {
        offset: this.frameStart,
        excerpt: excerptOf(excerpt),
      });
      throw this.failure;
    }
  }

  /** Forgets any partial frame and any failure, as for a new connection. */
  reset(): void {
    this.head = EMPTY;
    this.headLen = 0;
    this.bodyBuf = null;
    this.bodyLength = 0;
    this.bodyFilled = 0;
    this.bodyHeaders = null;
    this.lastHeaders = null;
    this.consumed = 0;
    this.frameStart = 0;
    this.failure = null;
  }

  /**
   * The two header blocks FreeSWITCH always writes the same way, recognised byte by byte
   * without a search or a string decode: an event frame's
   * `Content-Length: <n>\nContent-Type: text/event-<plain|json|xml>\n\n` and an api reply's
   * (see apiHead). Anything else (or a block cut by the chunk) goes the general way. Returns
   * the index after the block, or -1.
   */
  private fastHead(buf: Buffer, pos: number, len: number): number {
    if (len - pos < 45 || buf[pos] !== 67 /* C */) return -1;
    if (buf[pos + 8] === 84 /* T */) return this.apiHead(buf, pos, len);
    if (len - pos < 56 || buf[pos + 8] !== 76 /* L */) return -1;
    for (let k = 0; k < 16; k++) if (buf[pos + k] !== CL_PREFIX[k]) return -1;
    let i = pos + 16;
    const digits = i;
    i = this.lengthDigits(buf, i, len);
    const cl = this.lastLength;
    const nd = i - digits;
    if (nd === 0 || nd > 15 || cl > this.maxBodyBytes || len - i < 32) return -1;
    for (let k = 0; k < CT_PREFIX.length; k++) if (buf[i + k] !== CT_PREFIX[k]) return -1;
    i += CT_PREFIX.length;
    let type: string;
    if (buf[i] === 112 && buf[i + 1] === 108 && buf[i + 2] === 97 && buf[i + 3] === 105 && buf[i + 4] === 110) {
      type = 'text/event-plain';
      i += 5;
    } else if (buf[i] === 106 && buf[i + 1] === 115 && buf[i + 2] === 111 && buf[i + 3] === 110) {
      type = 'text/event-json';
      i += 4;
    } else if (buf[i] === 120 && buf[i + 1] === 109 && buf[i + 2] === 108) {
      type = 'text/event-xml';
      i += 3;
    } else {
      return -1;
    }
    if (buf[i] !== LF || buf[i + 1] !== LF) return -1;
    this.lastHeaders = FrameHeaders.fromArrays(['Content-Length', 'Content-Type'], [buf.toString('latin1', digits, digits + nd), type]);
    this.lastType = type;
    return i + 2;
  }

  /**
   * The header block of an api reply, also always written the same way:
   * `Content-Type: api/response\nContent-Length: <n>\n\n`. Returns the index after it, or -1.
   */
  private apiHead(buf: Buffer, pos: number, len: number): number {
    const prefix = API_PREFIX.length;
    for (let k = 9; k < prefix; k++) if (buf[pos + k] !== API_PREFIX[k]) return -1;
    for (let k = 0; k < 9; k++) if (buf[pos + k] !== API_PREFIX[k]) return -1;
    let i = pos + prefix;
    const digits = i;
    i = this.lengthDigits(buf, i, len);
    const cl = this.lastLength;
    const nd = i - digits;
    if (nd === 0 || nd > 15 || cl > this.maxBodyBytes || len - i < 2 || buf[i] !== LF || buf[i + 1] !== LF) return -1;
    this.lastHeaders = FrameHeaders.fromArrays(['Content-Type', 'Content-Length'], ['api/response', buf.toString('latin1', digits, i)]);
    this.lastType = 'api/response';
    return i + 2;
  }

  /**
   * Reads the decimal digits at buf[i...] as a Content-Length into lastLength (a fast head sets
   * it; if the head is then refused, the general parse sets it again). Returns the index after them.
   */
  private lengthDigits(buf: Buffer, i: number, len: number): number {
    let cl = 0;
    while (i < len) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      cl = cl * 10 + d;
      i++;
    }
    this.lastLength = cl;
    return i;
  }

  private describe(headers: FrameHeaders): string {
    return Array.from(headers.entries(), ([n, v]) => `${n}: ${v}`).join('\n');
  }

  private appendHead(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    const need = this.headLen + n;
    if (need > this.maxHeaderBytes) this.headerTooLarge(need);
    if (need > this.head.length) {
      let size = this.head.length === 0 ? 256 : this.head.length * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.head.copy(grown, 0, 0, this.headLen);
      this.head = grown;
    }
    buf.copy(this.head, this.headLen, from, to);
    this.headLen = need;
  }

  private headerTooLarge(size: number): never {
    const sample = this.headLen > 0 ? this.head.toString('utf8', 0, Math.min(this.headLen, 240)) : '';
    throw new EslProtocolError(
      'HEADER_TOO_LARGE',
      `header block of at least ${size} bytes exceeds the limit of ${this.maxHeaderBytes} bytes (frame at byte ${this.frameStart})`,
      { offset: this.frameStart, excerpt: excerptOf(sample) },
    );
  }

  /**
   * Parses the lines in buf[start, end), where end is the index of the LF that ends the last
   * line (the first byte of the "\n\n"). Sets lastHeaders, lastType and lastLength.
   */
  private parseHeaderBlock(buf: Buffer, start: number, end: number): void {
    // One decode of the whole block; a multi-byte character can never be split here.
    const s = buf.toString('utf8', start, end);
    const n = s.length;
    // Arrays of the exact size (a reply has two or three headers; a pushed-to array reserves 17).
    let lines = 1;
    for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) lines++;
    const names = new Array<string>(lines);
    const values = new Array<string>(lines);
    let count = 0;
    let type: string | undefined;
    let length = -1;
    let i = 0;
    while (i < n) {
      let eol = s.indexOf('\n', i);
      if (eol < 0) eol = n;
      const colon = s.indexOf(':', i);
      if (colon < 0 || colon > eol) {
        throw new EslProtocolError(
          'MALFORMED_HEADER',
          `header line without a colon: ${JSON.stringify(s.slice(i, Math.min(eol, i + 80)))} (frame at byte ${this.frameStart})`,
          { offset: this.frameStart, excerpt: excerptOf(s) },
        );
      }
      const name = s.slice(i, colon);
      let v = colon + 1;
      while (v < eol) {
        const c = s.charCodeAt(v);
        if (c !== 32 && c !== 9) break;
        v++;
      }
      let ve = eol;
      if (ve > v && s.charCodeAt(ve - 1) === CR) ve--;
      const value = s.slice(v, ve);
      names[count] = name;
      values[count] = value;
      count++;
      if (isContentLength(name)) {
        const cl = this.parseContentLength(value, s);
        if (length >= 0 && cl !== length) {
          throw new EslProtocolError(
            'BAD_CONTENT_LENGTH',
            `conflicting Content-Length headers ${length} and ${cl} (frame at byte ${this.frameStart})`,
            { offset: this.frameStart, excerpt: excerptOf(s) },
          );
        }
        length = cl;
      } else if (type === undefined && name.length === 12 && (name === 'Content-Type' || name.toLowerCase() === 'content-type')) {
        type = value;
      }
      i = eol + 1;
    }
    if (count < lines) {
      names.length = count;
      values.length = count;
    }
    this.lastHeaders = FrameHeaders.fromArrays(names, values);
    this.lastType = type;
    this.lastLength = length < 0 ? 0 : length;
  }

  private parseContentLength(value: string, block: string): number {
    let cl = 0;
    const n = value.length;
    let ok = n > 0 && n <= 16;
    for (let k = 0; ok && k < n; k++) {
      const d = value.charCodeAt(k) - 48;
      if (d < 0 || d > 9) ok = false;
      else cl = cl * 10 + d;
    }
    if (!ok) {
      throw new EslProtocolError(
        'BAD_CONTENT_LENGTH',
        `Content-Length ${JSON.stringify(value)} is not a byte count (frame at byte ${this.frameStart})`,
        { offset: this.frameStart, excerpt: excerptOf(block) },
      );
    }
    if (cl > this.maxBodyBytes) {
      throw new EslProtocolError(
        'BODY_TOO_LARGE',
        `Content-Length ${cl} exceeds the limit of ${this.maxBodyBytes} bytes (frame at byte ${this.frameStart})`,
        { offset: this.frameStart, excerpt: excerptOf(block) },
      );
    }
    return cl;
  }
}

/** Parses a complete byte sequence into frames (a convenience for tests, fixtures and scripts). */
export function parseFrames(bytes: Uint8Array, options?: FrameParserOptions): Frame[] {
  const out: Frame[] = [];
  const parser = new FrameParser(options);
  parser.push(bytes, (f) => out.push(f));
  parser.end();
  return out;
}
