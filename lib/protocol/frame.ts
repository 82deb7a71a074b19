/**
 * One Event Socket frame: a header block and an optional body of Content-Length bytes.
 * Outer header values are kept raw, exactly as FreeSWITCH wrote them (only the outbound
 * `connect` reply is percent-encoded, and EslEvent decodes that one).
 */

const EMPTY = Buffer.alloc(0);

/**
 * Whether a header name is Content-Length. FreeSWITCH writes it in exactly that case, so the
 * exact comparison comes first and the common case allocates nothing.
 */
export function isContentLength(name: string): boolean {
  return name === 'Content-Length' || (name.length === 14 && name.toLowerCase() === 'content-length');
}

/** Outer headers of a frame, in wire order. Names may repeat; lookups ignore case. */
export class FrameHeaders implements Iterable<[string, string]> {
  /** @internal */
  readonly names: string[];
  /** @internal */
  readonly values: string[];

  constructor(entries?: Iterable<readonly [string, string]> | Record<string, string>) {
    this.names = [];
    this.values = [];
    if (!entries) return;
    const list: Iterable<readonly [string, string]> =
      Symbol.iterator in entries
        ? (entries as Iterable<readonly [string, string]>)
        : Object.entries(entries as Record<string, string>);
    for (const [name, value] of list) {
      this.names.push(name);
      this.values.push(value);
    }
  }

  /** @internal Build from parallel arrays without copying. */
  static fromArrays(names: string[], values: string[]): FrameHeaders {
    const h = Object.create(FrameHeaders.prototype) as { names: string[]; values: string[] };
    h.names = names;
    h.values = values;
    return h as unknown as FrameHeaders;
  }

  get size(): number {
    return this.names.length;
  }

  /** The value of the first header with that name (exact case preferred, then any case). */
  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  /** Every value of that name, in wire order. */
  getAll(name: string): string[] {
    const out: string[] = [];
    const lower = name.toLowerCase();
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i]!.toLowerCase() === lower) out.push(this.values[i]!);
    }
    return out;
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  private indexOf(name: string): number {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
    const lower = name.toLowerCase();
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (n.length === lower.length && n.toLowerCase() === lower) return i;
    }
    return -1;
  }

  keys(): string[] {
    return this.names.slice();
  }

  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A plain object; a repeated name becomes an array of its values (as in the fixtures' frames.json). */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null);
    for (let i = 0; i < this.names.length; i++) {
      const n = this.names[i]!;
      const v = this.values[i]!;
      const prev = out[n];
      if (prev === undefined) out[n] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[n] = [prev, v];
    }
    return out;
  }
}

export class Frame {
  /** The Content-Type header, or undefined when the frame has none. */
  readonly contentType: string | undefined;
  readonly headers: FrameHeaders;
  /**
   * Exactly Content-Length bytes (empty when there is no body). For speed this is usually a
   * view into the socket's read buffer: copy it (`Buffer.from(frame.body)`) before keeping it
   * for a long time if memory matters.
   */
  readonly body: Buffer;
  #token: object | undefined = undefined;

  constructor(headers: FrameHeaders, body?: Uint8Array, contentType?: string) {
    this.headers = headers;
    this.body = body === undefined ? EMPTY : Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.contentType = contentType ?? headers.get('Content-Type');
  }

  /**
   * @internal An object only this frame holds, so it lives exactly as long as the frame (the
   * frame parser watches it to learn whether frames are kept; see frame-parser.ts).
   */
  get token(): object {
    this.#token ??= {};
    return this.#token;
  }

  /** The body decoded as UTF-8 (invalid sequences become U+FFFD). */
  get bodyText(): string {
    return this.body.length === 0 ? '' : this.body.toString('utf8');
  }

  /** Body length in bytes. */
  get contentLength(): number {
    return this.body.length;
  }

  /** The frame as FreeSWITCH would write it: headers in order, a blank line, the body. */
  toBytes(): Buffer {
    let head = '';
    for (let i = 0; i < this.headers.names.length; i++) head += `${this.headers.names[i]}: ${this.headers.values[i]}\n`;
    head += '\n';
    return this.body.length === 0 ? Buffer.from(head, 'utf8') : Buffer.concat([Buffer.from(head, 'utf8'), this.body]);
  }

  /** A short human-readable description, used in error messages and failing tests. */
  toString(): string {
    const head = Array.from(this.headers.entries(), ([n, v]) => `${n}: ${v}`).join('\\n');
    const body = this.body.length === 0 ? '' : ` + ${this.body.length} body bytes`;
    return `Frame(${head}${body})`;
  }
}
