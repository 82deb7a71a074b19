/**
 * Where an EslEvent's headers and body live. Parsed events keep the bytes they came in and
 * decode on demand; an event that is built or changed by hand keeps a plain ordered list.
 *
 * Header values are kept in FreeSWITCH's string form: an array header reads as
 * `ARRAY::a|:b` (PROTOCOL.md §1.4). EslEvent turns that into arrays where asked.
 */
import { XMLParser } from 'fast-xml-parser';
import { EslProtocolError } from '../errors.js';
import { isContentLength } from './frame.js';
import { urlDecode, urlDecodeBytes } from './url-codec.js';

const LF = 10;
const CR = 13;
const COLON = 58;
const DOUBLE_LF = Buffer.from('\n\n');

/** Ordered header list: names[i] has values[i]. Names repeat when FreeSWITCH repeats them. */
export interface HeaderList {
  names: string[];
  values: string[];
}

export interface EventStore {
  /** First header of that name: an exact-case match if there is one, else the first match ignoring case. */
  get(name: string): string | undefined;
  /** Same, exact case only (the fast path for names FreeSWITCH always spells one way). */
  getExact(name: string): string | undefined;
  /** Every value of that name (ignoring case), in order. */
  getAll(name: string): string[];
  /** The whole ordered list. The caller may keep it but must not change it. */
  list(): HeaderList;
  /** The body: a string, bytes, or undefined when the event has none. */
  body(): string | Buffer | undefined;
}

/** Every value of a name (ignoring case), in order. */
function valuesNamed(list: HeaderList, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.names.length; i++) if (sameNameIgnoringCase(list.names[i]!, name)) out.push(list.values[i]!);
  return out;
}

export const ARRAY_PREFIX = 'ARRAY::';
export const ARRAY_SEPARATOR = '|:';

/** `ARRAY::a|:b` -> ['a','b']; anything else -> undefined. */
export function splitArrayValue(value: string): string[] | undefined {
  return value.startsWith(ARRAY_PREFIX) ? value.slice(ARRAY_PREFIX.length).split(ARRAY_SEPARATOR) : undefined;
}

export function joinArrayValue(items: readonly string[]): string {
  return ARRAY_PREFIX + items.join(ARRAY_SEPARATOR);
}

function sameNameIgnoringCase(a: string, b: string): boolean {
  return a.length === b.length && (a === b || a.toLowerCase() === b.toLowerCase());
}

// ---------------------------------------------------------------------------------------
// A plain list (events built by hand, changed, or decoded eagerly).

/**
 * What a parsed event's bytes come from: its frame. A store keeps the frame rather than the
 * body alone, so that the frame lives as long as anything that holds its bytes (the frame
 * parser watches frames to see what is kept; see frame-parser.ts), or a buffer given.
 */
export interface BodySource {
  readonly body: Buffer;
}

export class ListStore implements EventStore {
  constructor(
    readonly names: string[],
    readonly values: string[],
    public bodyValue: string | Buffer | undefined,
    /** A frame whose whole body (when not empty) is this store's body. */
    private readonly bodyFrom?: BodySource,
  ) {}

  static empty(): ListStore {
    return new ListStore([], [], undefined);
  }

  static copyOf(store: EventStore): ListStore {
    const l = store.list();
    return new ListStore(l.names.slice(), l.values.slice(), store.body());
  }

  indexOf(name: string): number {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
    for (let i = 0; i < names.length; i++) if (sameNameIgnoringCase(names[i]!, name)) return i;
    return -1;
  }

  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  getExact(name: string): string | undefined {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.values[i];
    return undefined;
  }

  getAll(name: string): string[] {
    return valuesNamed(this, name);
  }

  list(): HeaderList {
    return this;
  }

  body(): string | Buffer | undefined {
    if (this.bodyValue !== undefined || this.bodyFrom === undefined) return this.bodyValue;
    const b = this.bodyFrom.body;
    return b.length > 0 ? b : undefined;
  }
}

// ---------------------------------------------------------------------------------------
// text/event-plain (and any payload in that format): lazy.

const needles = new Map<string, Buffer>();
function needleFor(name: string): Buffer {
  let n = needles.get(name);
  if (n === undefined) {
    n = Buffer.from(`\n${name}:`, 'utf8');
    if (needles.size > 4096) needles.clear();
    needles.set(name, n);
  }
  return n;
}

/**
 * The serialized form `Name: %-encoded value\n ... \n[Content-Length: N\n\n<body>]`.
 * Nothing is decoded until it is read: a lookup is one native search for "\nName:" in the
 * header part and one decode of that value. The full line index is built only when a
 * lookup needs case-folding, or when every header is wanted.
 */
export class PlainStore implements EventStore {
  private readonly buf: Buffer;
  /** Held so that the frame lives as long as this store (see BodySource). */
  private readonly src: BodySource;
  /** End of the header lines: the index of the LF that ends the last header kept. -1 until computed. */
  private hLimit = -1;
  private bodyStart = 0;
  /** Line index: [nameStart, colon, lineEnd] triples, built on demand. */
  private index: number[] | null = null;
  private decoded: HeaderList | null = null;

  /** The payload is `source.body`. */
  constructor(source: BodySource) {
    this.src = source;
    this.buf = source.body;
  }

  private bounds(): void {
    const buf = this.buf;
    const len = buf.length;
    let hEnd: number;
    if (len === 0) {
      hEnd = 0;
      this.bodyStart = 0;
    } else if (buf[0] === LF) {
      hEnd = 0;
      this.bodyStart = 1;
    } else {
      const idx = buf.indexOf(DOUBLE_LF);
      if (idx < 0) {
        hEnd = buf[len - 1] === LF ? len - 1 : len;
        this.bodyStart = len;
      } else {
        hEnd = idx;
        this.bodyStart = idx + 2;
      }
    }
    // With a body, the last header line is the serializer's own Content-Length: it describes
    // the body and is not one of the event's headers (a sendevent'ed event may carry a second,
    // real one further up).
    if (this.bodyStart < len && hEnd > 0) {
      const lastStart = buf.lastIndexOf(LF, hEnd - 1) + 1;
      if (this.lineNameIs(lastStart, 'content-length')) hEnd = lastStart === 0 ? 0 : lastStart - 1;
    }
    this.hLimit = hEnd;
  }

  private lineNameIs(start: number, lowerName: string): boolean {
    const buf = this.buf;
    const n = lowerName.length;
    if (start + n >= buf.length || buf[start + n] !== COLON) return false;
    for (let k = 0; k < n; k++) {
      let c = buf[start + k]!;
      if (c >= 65 && c <= 90) c += 32;
      if (c !== lowerName.charCodeAt(k)) return false;
    }
    return true;
  }

  private lineStartsWithExact(start: number, name: string, limit: number): boolean {
    const buf = this.buf;
    const n = name.length;
    if (start + n >= limit || buf[start + n] !== COLON) return false;
    for (let k = 0; k < n; k++) if (buf[start + k] !== name.charCodeAt(k)) return false;
    return true;
  }

  /** Decoded value of the line whose name ends at `colon` and which ends at `end`. */
  private valueAt(colon: number, end: number): string {
    const buf = this.buf;
    let v = colon + 1;
    while (v < end && (buf[v] === 32 || buf[v] === 9)) v++;
    if (end > v && buf[end - 1] === CR) end--;
    return urlDecodeBytes(buf, v, end);
  }

  getExact(name: string): string | undefined {
    const buf = this.buf;
    if (this.hLimit < 0) {
      // The end of the headers is not known yet. Finding it means searching the whole payload
      // for "\n\n"; a lookup only needs to know that no "\n\n" comes before its match.
      // The serializer's own Content-Length line needs the real bounds.
      if (buf.length === 0 || buf[0] === LF || isContentLength(name)) {
        this.bounds();
        return this.getExact(name);
      }
      const n = name.length;
      if (this.lineStartsWithExact(0, name, buf.length)) return this.valueAt(n, this.lineEnd(n));
      const at = buf.indexOf(needleFor(name));
      if (at < 0) return undefined;
      if (!this.headersReach(at)) {
        this.bounds();
        return this.getExact(name);
      }
      const colon = at + 1 + Buffer.byteLength(name);
      return this.valueAt(colon, this.lineEnd(colon));
    }
    const hLimit = this.hLimit;
    if (hLimit === 0) return undefined;
    let lineStart: number;
    if (this.lineStartsWithExact(0, name, hLimit)) {
      lineStart = 0;
    } else {
      const at = buf.indexOf(needleFor(name));
      if (at < 0 || at >= hLimit) return undefined;
      lineStart = at + 1;
    }
    const colon = lineStart + Buffer.byteLength(name);
    let end = buf.indexOf(LF, colon);
    if (end < 0 || end > hLimit) end = hLimit;
    return this.valueAt(colon, end);
  }

  /** Bytes [0, clean) are known to hold no "\n\n". */
  private clean = 0;

  /** True when no "\n\n" comes before byte `at` (an LF): the line after it is a header line. */
  private headersReach(at: number): boolean {
    if (at < this.clean) return true;
    const from = this.clean > 0 ? this.clean - 1 : 0;
    if (this.buf.subarray(from, at + 1).indexOf(DOUBLE_LF) >= 0) return false;
    this.clean = at + 1;
    return true;
  }

  /** The LF that ends the line containing `pos` (or the end of the payload). */
  private lineEnd(pos: number): number {
    const end = this.buf.indexOf(LF, pos);
    return end < 0 ? this.buf.length : end;
  }

  get(name: string): string | undefined {
    const exact = this.getExact(name);
    if (exact !== undefined) return exact;
    const idx = this.lineIndex();
    const lower = name.toLowerCase();
    for (let i = 0; i < idx.length; i += 3) {
      const start = idx[i]!;
      if (idx[i + 1]! - start === lower.length && this.lineNameIs(start, lower)) return this.valueAt(idx[i + 1]!, idx[i + 2]!);
    }
    return undefined;
  }

  getAll(name: string): string[] {
    return valuesNamed(this.list(), name);
  }

  private lineIndex(): number[] {
    if (this.index) return this.index;
    if (this.hLimit < 0) this.bounds();
    const buf = this.buf;
    const limit = this.hLimit;
    const idx: number[] = [];
    let start = 0;
    while (start < limit) {
      let end = buf.indexOf(LF, start);
      if (end < 0 || end > limit) end = limit;
      let colon = -1;
      for (let k = start; k < end; k++) {
        if (buf[k] === COLON) {
          colon = k;
          break;
        }
      }
      // A line without a colon carries no header; libesl skips it too.
      if (colon > start) idx.push(start, colon, end);
      start = end + 1;
    }
    this.index = idx;
    return idx;
  }

  list(): HeaderList {
    if (this.decoded) return this.decoded;
    const idx = this.lineIndex();
    const names: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < idx.length; i += 3) {
      names.push(this.buf.toString('utf8', idx[i]!, idx[i + 1]!));
      values.push(this.valueAt(idx[i + 1]!, idx[i + 2]!));
    }
    this.decoded = { names, values };
    return this.decoded;
  }

  body(): Buffer | undefined {
    if (this.hLimit < 0) this.bounds();
    return this.bodyStart < this.buf.length ? this.buf.subarray(this.bodyStart) : undefined;
  }
}

// ---------------------------------------------------------------------------------------
// text/event-json: eager (JSON.parse is the only sane way in), duplicate keys recovered.
//
// FreeSWITCH writes every member as a string, an array header as an array of strings, and the
// body as the string `_body` (switch_event_serialize_json_obj). A store accepts that, numbers
// and booleans (written as text) and null (no header); anything else is not an event
// FreeSWITCH wrote and is refused as MALFORMED_EVENT: an object, an array holding anything but
// strings and numbers (nested thousands deep, it used to make JSON.stringify throw a
// RangeError in every getter), and a routing header or `_body` that is not a string. So every
// value a store holds is a flat string, and every getter is total.

/** Members whose value names the event, routes it, or is its body: one string, never an array. */
const SINGLE_VALUED = new Set(['event-name', 'event-subclass', 'unique-id', 'job-uuid', 'core-uuid', 'application-uuid', '_body']);

function isScalar(v: unknown): v is string | number | boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean';
}

/** The string form of a member's value (validated by checkMember, or by keepsEveryMember's fast path). */
function stringValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return joinArrayValue(v.map((x) => (typeof x === 'string' ? x : isScalar(x) ? String(x) : '')));
  return isScalar(v) ? String(v) : undefined;
}

function checkMember(key: string, v: unknown, text: string): void {
  if (v === null || isScalar(v)) return;
  const single = SINGLE_VALUED.has(key.toLowerCase());
  if (Array.isArray(v) && !single && v.every(isScalar)) return;
  const what = Array.isArray(v) ? (single ? 'an array' : 'an array holding more than strings') : 'an object';
  throw new EslProtocolError('MALFORMED_EVENT', `text/event-json member ${JSON.stringify(key.slice(0, 80))} is ${what}; FreeSWITCH writes ${single ? 'a string' : 'strings'} there`, {
    excerpt: text.slice(0, 240),
  });
}

function isIndexLike(key: string | undefined): boolean {
  if (key === undefined || key.length === 0) return false;
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(0|[1-9]\d*)$/.test(key);
}

/** Splits a JSON object's text into its members, in order, duplicates included. */
function jsonMembers(text: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  const stringEnd = (from: number): number => {
    // text[from] is the opening quote
    let k = from + 1;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === 92) k += 2;
      else if (c === 34) return k + 1;
      else k++;
    }
    throw new SyntaxError('unterminated string');
  };
  const valueEnd = (from: number): number => {
    const c = text.charCodeAt(from);
    if (c === 34) return stringEnd(from);
    if (c === 91 || c === 123) {
      let depth = 0;
      let k = from;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d === 34) {
          k = stringEnd(k);
          continue;
        }
        if (d === 91 || d === 123) depth++;
        else if (d === 93 || d === 125) {
          depth--;
          if (depth === 0) return k + 1;
        }
        k++;
      }
      throw new SyntaxError('unterminated value');
    }
    let k = from;
    while (k < n) {
      const d = text.charCodeAt(k);
      if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
      k++;
    }
    return k;
  };
  ws();
  if (text.charCodeAt(i) !== 123) throw new SyntaxError('not an object');
  i++;
  ws();
  if (text.charCodeAt(i) === 125) return out;
  for (;;) {
    ws();
    const ks = i;
    i = stringEnd(i);
    const key = JSON.parse(text.slice(ks, i)) as string;
    ws();
    if (text.charCodeAt(i) !== 58) throw new SyntaxError('expected a colon');
    i++;
    ws();
    const vs = i;
    i = valueEnd(i);
    out.push([key, JSON.parse(text.slice(vs, i))]);
    ws();
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    if (c === 125) return out;
    throw new SyntaxError('expected , or }');
  }
}

/** Headers from members; `_body` is the body and the `Content-Length` just describing it is dropped. */
function storeFromMembers(members: Array<[string, unknown]>, text: string): ListStore {
  for (const [key, v] of members) checkMember(key, v, text);
  let body: string | undefined;
  let bodyAt = -1;
  for (let i = members.length - 1; i >= 0; i--) {
    if (members[i]![0] === '_body') {
      bodyAt = i;
      body = stringValue(members[i]![1]) ?? '';
      break;
    }
  }
  let lengthAt = -1;
  if (bodyAt >= 0) {
    for (let i = bodyAt - 1; i >= 0; i--) {
      if (members[i]![0] === 'Content-Length') {
        lengthAt = i;
        break;
      }
    }
  }
  const names: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < members.length; i++) {
    if (i === bodyAt || i === lengthAt || members[i]![0] === '_body') continue;
    const v = stringValue(members[i]![1]);
    if (v === undefined) continue;
    names.push(members[i]![0]);
    values.push(v);
  }
  return new ListStore(names, values, body);
}

/**
 * True when the object JSON.parse made holds every member of the text: no duplicate key was
 * dropped and no index-like key was moved first. Checked without reading the text again: the
 * text's length must equal what the object's members take once written (`"k":"v"` each,
 * commas, braces) plus what the escapes in the text add (one char for `\n`, five for a `\u00e9`).
 * A dropped duplicate makes the text longer than that, by its own length. Anything unusual
 * (a value that is not a string or an array of strings) answers false, the safe side.
 */
function keepsEveryMember(obj: Record<string, unknown>, text: string): boolean {
  let total = 2;
  let members = 0;
  for (const key in obj) {
    if (members === 0 && isIndexLike(key)) return false;
    const v = obj[key];
    if (typeof v === 'string') total += key.length + v.length + 5;
    else if (Array.isArray(v)) {
      // An array where one string belongs goes the member-by-member way, which refuses it.
      if (SINGLE_VALUED.has(key.toLowerCase())) return false;
      total += key.length + 5 + (v.length > 0 ? v.length - 1 : 0);
      for (const item of v) {
        if (typeof item !== 'string') return false;
        total += item.length + 2;
      }
    } else return false;
    members++;
  }
  if (members > 1) total += members - 1;
  let at = text.indexOf('\\');
  while (at >= 0) {
    // An escape: \u0000 is six chars for one, the others two for one.
    const extra = text.charCodeAt(at + 1) === 117 /* u */ ? 5 : 1;
    total += extra;
    at = text.indexOf('\\', at + extra + 1);
  }
  return total === text.length;
}

/** A parsed JSON event that JSON.parse read whole (no duplicate keys): the object itself is the store. */
export class JsonStore implements EventStore {
  private decoded: HeaderList | null = null;
  constructor(private readonly obj: Record<string, unknown>) {}

  getExact(name: string): string | undefined {
    const v = this.obj[name];
    if (typeof v === 'string') return v;
    if (v === undefined || !Object.prototype.hasOwnProperty.call(this.obj, name)) return undefined;
    return stringValue(v);
  }

  get(name: string): string | undefined {
    const exact = this.getExact(name);
    if (exact !== undefined) return exact;
    const lower = name.toLowerCase();
    for (const key of Object.keys(this.obj)) {
      if (key.length === lower.length && key.toLowerCase() === lower) return stringValue(this.obj[key]);
    }
    return undefined;
  }

  getAll(name: string): string[] {
    return valuesNamed(this.list(), name);
  }

  list(): HeaderList {
    if (this.decoded) return this.decoded;
    const hasBody = Object.prototype.hasOwnProperty.call(this.obj, '_body');
    const names: string[] = [];
    const values: string[] = [];
    for (const key of Object.keys(this.obj)) {
      if (key === '_body' || (hasBody && key === 'Content-Length')) continue;
      const v = stringValue(this.obj[key]);
      if (v === undefined) continue;
      names.push(key);
      values.push(v);
    }
    this.decoded = { names, values };
    return this.decoded;
  }

  body(): string | undefined {
    const b = this.obj['_body'];
    return b === undefined ? undefined : (stringValue(b) ?? '');
  }
}

/**
 * Parses the body of a text/event-json frame. Throws EslProtocolError('MALFORMED_EVENT') for
 * what is not JSON, not an object, or not flat (above). JSON.parse keeps only the last of
 * duplicate keys, and FreeSWITCH writes some (Hangup-Cause, the CODEC headers, sendevent's
 * Content-Length): such an event is read member by member instead, so repeated headers
 * survive in order, as in plain.
 */
export function jsonStore(payload: Buffer | string): EventStore {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new EslProtocolError('MALFORMED_EVENT', `text/event-json body is not JSON: ${(err as Error).message}`, {
      excerpt: text.slice(0, 240),
      cause: err,
    });
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new EslProtocolError('MALFORMED_EVENT', 'text/event-json body is not a JSON object', { excerpt: text.slice(0, 240) });
  }
  const record = obj as Record<string, unknown>;
  if (keepsEveryMember(record, text)) return new JsonStore(record);
  let members: Array<[string, unknown]>;
  try {
    members = jsonMembers(text);
  } catch {
    // What JSON.parse accepted and the member scanner cannot read keeps JSON.parse's view.
    members = Object.entries(record);
  }
  return storeFromMembers(members, text);
}

// ---------------------------------------------------------------------------------------
// text/event-xml: eager, via fast-xml-parser.

type XmlNode = Record<string, unknown>;

let xmlParser: XMLParser | null = null;
function getXmlParser(): XMLParser {
  xmlParser ??= new XMLParser({
    preserveOrder: true,
    ignoreAttributes: true,
    trimValues: false,
    parseTagValue: false,
    processEntities: true,
    htmlEntities: true,
  });
  return xmlParser;
}

function nodeName(node: XmlNode): string | undefined {
  for (const k in node) if (k !== ':@') return k;
  return undefined;
}

function nodeText(children: unknown): string {
  if (!Array.isArray(children)) return '';
  let s = '';
  for (const c of children as XmlNode[]) {
    const t = c['#text'];
    if (typeof t === 'string') s += t;
    else if (typeof t === 'number') s += String(t);
  }
  return s;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character data: the five named entities and numeric references. */
function xmlUnescape(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) break;
    i++;
  }
  return i;
}

/**
 * Reads the one layout FreeSWITCH writes (switch_event_xmlize + switch_xml_toxml): `<event>`,
 * `<headers>` with one element per header (text only), then an optional `<Content-Length>`
 * and `<body>`. Returns undefined at the first thing that is not that layout (a comment, CDATA,
 * an attribute, a nested element), and the caller hands the text to a full XML parser.
 */
function readFreeswitchXml(text: string): { names: string[]; values: string[]; body: string | undefined; length: number | undefined } | undefined {
  let i = skipSpace(text, 0);
  if (!text.startsWith('<event>', i)) return undefined;
  i = skipSpace(text, i + 7);
  if (!text.startsWith('<headers>', i)) return undefined;
  i += 9;
  const names: string[] = [];
  const values: string[] = [];
  for (;;) {
    i = skipSpace(text, i);
    if (text.startsWith('</headers>', i)) {
      i += 10;
      break;
    }
    if (text.charCodeAt(i) !== 60 /* < */) return undefined;
    const gt = text.indexOf('>', i);
    if (gt < 0) return undefined;
    const name = text.slice(i + 1, gt);
    if (name.length === 0 || /[\s/!?<"'=]/.test(name)) return undefined;
    const close = `</${name}>`;
    const end = text.indexOf(close, gt + 1);
    if (end < 0) return undefined;
    const raw = text.slice(gt + 1, end);
    if (raw.indexOf('<') >= 0) return undefined;
    names.push(name);
    values.push(urlDecode(xmlUnescape(raw)));
    i = end + close.length;
  }
  let length: number | undefined;
  let body: string | undefined;
  i = skipSpace(text, i);
  if (text.startsWith('<Content-Length>', i)) {
    const end = text.indexOf('</Content-Length>', i);
    if (end < 0) return undefined;
    const n = Number(urlDecode(text.slice(i + 16, end)).trim());
    if (Number.isInteger(n) && n >= 0) length = n;
    i = skipSpace(text, end + 17);
  }
  if (text.startsWith('<body>', i)) {
    const end = text.lastIndexOf('</body>');
    if (end < i) return undefined;
    const raw = text.slice(i + 6, end);
    if (raw.indexOf('<') >= 0) return undefined;
    body = xmlUnescape(raw);
    i = skipSpace(text, end + 7);
  }
  if (!text.startsWith('</event>', i)) return undefined;
  return { names, values, body, length };
}

/** The body of an XML event, cut to `<Content-Length>` bytes (which drops FreeSWITCH's indent before `</body>`). */
function xmlBody(text: string | undefined, length: number | undefined): string | Buffer | undefined {
  if (text === undefined) return undefined;
  if (length === undefined) return text;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length > length ? bytes.subarray(0, length) : bytes;
}

/**
 * Parses the body of a text/event-xml frame (PROTOCOL.md §1.6, FINDINGS §5).
 * Header text is XML-unescaped then percent-decoded. A repeated element becomes repeated
 * headers: XML cannot tell an array header from a repeated header, and repeated headers
 * (Hangup-Cause, the CODEC ones) are the common case. The body is cut to `<Content-Length>`
 * bytes, which drops the two spaces FreeSWITCH indents the closing tag with after a final LF.
 * FreeSWITCH's own layout is read directly; anything else goes through fast-xml-parser.
 */
export function xmlStore(payload: Buffer | string): EventStore {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  const quick = readFreeswitchXml(text);
  if (quick) return new ListStore(quick.names, quick.values, xmlBody(quick.body, quick.length));
  let doc: XmlNode[];
  try {
    doc = getXmlParser().parse(text) as XmlNode[];
  } catch (err) {
    throw new EslProtocolError('MALFORMED_EVENT', `text/event-xml body is not XML: ${(err as Error).message}`, {
      excerpt: text.slice(0, 240),
      cause: err,
    });
  }
  const root = Array.isArray(doc) ? doc.find((n) => nodeName(n) === 'event') : undefined;
  if (!root) throw new EslProtocolError('MALFORMED_EVENT', 'text/event-xml body has no <event> element', { excerpt: text.slice(0, 240) });
  const names: string[] = [];
  const values: string[] = [];
  let bodyText: string | undefined;
  let bodyLength: number | undefined;
  for (const child of (root['event'] as XmlNode[]) ?? []) {
    const name = nodeName(child);
    if (name === undefined || name === '#text') continue;
    if (name === 'headers') {
      for (const h of (child['headers'] as XmlNode[]) ?? []) {
        const hn = nodeName(h);
        if (hn === undefined || hn === '#text') continue;
        names.push(hn);
        values.push(urlDecode(nodeText(h[hn])));
      }
    } else if (name === 'Content-Length') {
      const n = Number(urlDecode(nodeText(child[name])).trim());
      if (Number.isInteger(n) && n >= 0) bodyLength = n;
    } else if (name === 'body') {
      bodyText = nodeText(child[name]);
    }
  }
  return new ListStore(names, values, xmlBody(bodyText, bodyLength));
}

/** Outer headers of a command/reply that carries a whole CHANNEL_DATA event (the outbound connect reply). */
export function connectReplyStore(names: readonly string[], values: readonly string[], body: BodySource): ListStore {
  const outNames: string[] = [];
  const outValues: string[] = [];
  for (let i = 0; i < names.length; i++) {
    if (isContentLength(names[i]!)) continue;
    outNames.push(names[i]!);
    outValues.push(urlDecode(values[i]!));
  }
  return new ListStore(outNames, outValues, undefined, body);
}
