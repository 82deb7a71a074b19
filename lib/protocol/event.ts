/**
 * EslEvent: the ESLevent interface of libesl (PROTOCOL.md §5.2), for events and for every
 * other frame (replies, api responses, log lines), with typed conveniences on top.
 *
 * Parsed events decode lazily: a plain event read for its Event-Name decodes one value.
 */
import { EslArgumentError, EslProtocolError } from '../errors.js';
import { ContentType, type EventFormat } from './content-type.js';
import { lookupEventName } from './event-names.js';
import { serializeJson, serializePlain, serializeXml } from './event-serialize.js';
import {
  ARRAY_PREFIX,
  type EventStore,
  type HeaderList,
  ListStore,
  PlainStore,
  connectReplyStore,
  joinArrayValue,
  jsonStore,
  splitArrayValue,
  xmlStore,
} from './event-store.js';
import { type Frame, isContentLength } from './frame.js';

export type EslEventPriority = 'NORMAL' | 'LOW' | 'HIGH';

/** Headers for `new EslEvent(headers, body)`: pairs in order, a Map, or an object. Arrays become array headers. */
export type HeaderInit =
  | Iterable<readonly [string, string | readonly string[]]>
  | Record<string, string | readonly string[] | number | boolean | undefined>;

const INTERNAL = Symbol('EslEvent.internal');

/** Builds an event around a store without going through the public constructor's parsing. */
function wrap(store: EventStore, contentType: string | undefined, socketData = false): EslEvent {
  return new (EslEvent as unknown as new (...args: unknown[]) => EslEvent)(INTERNAL, store, contentType, socketData);
}

function isHeaderInit(v: unknown): v is HeaderInit {
  return typeof v === 'object' && v !== null;
}

function toStoredValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 1 ? String(value[0]) : joinArrayValue(value.map(String));
  return String(value);
}

function checkName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new EslArgumentError(what, name, `a header ${what} must be a non-empty string`);
  }
  return name;
}

const ARRAY_INDEX = /^(.+)\[(\d+)\]$/;

/** A read-only, ordered view of an event's headers. Lookups ignore case (an exact-case match wins). */
export class EventHeaders implements Iterable<[string, string | string[]]> {
  /** @internal */
  constructor(private readonly source: () => EventStore) {}

  /** The first value of that name; an array header (`ARRAY::a|:b`) comes back as an array. */
  get(name: string): string | string[] | undefined {
    const v = this.source().get(name);
    return v === undefined ? undefined : (splitArrayValue(v) ?? v);
  }

  /** Every value of a repeated name (FreeSWITCH repeats Hangup-Cause and the CODEC headers), in order. */
  getAll(name: string): string[] {
    return this.source().getAll(name);
  }

  has(name: string): boolean {
    return this.source().get(name) !== undefined;
  }

  get size(): number {
    return this.source().list().names.length;
  }

  keys(): string[] {
    return this.source().list().names.slice();
  }

  *entries(): IterableIterator<[string, string | string[]]> {
    const { names, values } = this.source().list();
    for (let i = 0; i < names.length; i++) yield [names[i]!, splitArrayValue(values[i]!) ?? values[i]!];
  }

  [Symbol.iterator](): IterableIterator<[string, string | string[]]> {
    return this.entries();
  }

  forEach(fn: (value: string | string[], name: string) => void): void {
    for (const [n, v] of this.entries()) fn(v, n);
  }

  /**
   * A plain object of the raw values (an array header stays `ARRAY::a|:b`); a repeated name
   * becomes the array of its values, as in the fixtures' frames.json.
   */
  toObject(): Record<string, string | string[]> {
    const { names, values } = this.source().list();
    const out: Record<string, string | string[]> = Object.create(null);
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      const prev = out[n];
      if (prev === undefined) out[n] = values[i]!;
      else if (Array.isArray(prev)) prev.push(values[i]!);
      else out[n] = [prev, values[i]!];
    }
    return out;
  }
}

export class EslEvent {
  /** Values for setPriority (ESLevent's ESL_PRIORITY_*). */
  static readonly PRIORITY = { NORMAL: 'NORMAL', LOW: 'LOW', HIGH: 'HIGH' } as const;

  #store: EventStore;
  #changed = false;
  /** Set for frames that are not events (replies, api responses, logs, notices): type SOCKET_DATA. */
  #socketData: boolean;
  #cursor = -1;
  #headers: EventHeaders | undefined;
  #bodyText: string | undefined;

  /** Content-Type of the frame this event came from (`text/event-plain`, `api/response`...); undefined for events built here. */
  readonly contentType: string | undefined;

  /**
   * `new EslEvent(type, subclass?)`: as ESLevent(type, subclass). The type is looked up
   * case-insensitively; an unknown name becomes MESSAGE; a subclass forces CUSTOM. Adds
   * `Event-Name` (and `Event-Subclass`). `new EslEvent('json', text)` parses a JSON event.
   *
   * `new EslEvent(headers, body?)`: an event with exactly those headers and that body.
   */
  constructor(type: string, subclass?: string);
  constructor(headers: HeaderInit, body?: string | Uint8Array);
  constructor(a: unknown, b?: unknown, c?: unknown, d?: unknown) {
    if (a === INTERNAL) {
      this.#store = b as EventStore;
      this.contentType = c as string | undefined;
      this.#socketData = d === true;
      return;
    }
    this.contentType = undefined;
    this.#socketData = false;
    this.#changed = true;
    if (typeof a === 'string') {
      if (a.toLowerCase() === 'json' && typeof b === 'string') {
        this.#store = ListStore.copyOf(jsonStore(b));
        return;
      }
      const sub = b === undefined || b === null ? '' : String(b);
      let name: string = sub !== '' ? 'CUSTOM' : (lookupEventName(a) ?? 'MESSAGE');
      if (name === 'ALL') name = 'MESSAGE';
      const store = ListStore.empty();
      store.names.push('Event-Name');
      store.values.push(name);
      if (sub !== '') {
        store.names.push('Event-Subclass');
        store.values.push(sub);
      }
      this.#store = store;
      return;
    }
    if (!isHeaderInit(a)) {
      throw new EslArgumentError('type', a, 'new EslEvent() takes an event type name or a headers object');
    }
    const store = ListStore.empty();
    const entries: Iterable<readonly [string, unknown]> =
      Symbol.iterator in a ? (a as Iterable<readonly [string, unknown]>) : Object.entries(a);
    for (const [name, value] of entries) {
      if (value === undefined) continue;
      store.names.push(checkName(name));
      store.values.push(toStoredValue(value));
    }
    if (b !== undefined && b !== null) store.bodyValue = typeof b === 'string' ? b : Buffer.from(b as Uint8Array);
    this.#store = store;
  }

  // ---------------------------------------------------------------- construction

  /**
   * The event a frame carries:
   * - `text/event-plain|json|xml`: the inner event (plain is decoded lazily; JSON and XML are
   *   parsed here and a malformed body throws EslProtocolError('MALFORMED_EVENT'));
   * - the outbound `connect` reply (a command/reply holding a CHANNEL_DATA event): its
   *   percent-encoded outer headers, decoded;
   * - any other frame: its outer headers, raw, and its body; getType() is SOCKET_DATA.
   * In every case the Content-Length that frames the body is not kept as a header.
   */
  static fromFrame(frame: Frame): EslEvent {
    const type = frame.contentType;
    switch (type) {
      case ContentType.EventPlain:
        return wrap(new PlainStore(frame), type);
      case ContentType.EventJson:
        return wrap(jsonStore(frame.body), type);
      case ContentType.EventXml:
        return wrap(xmlStore(frame.body), type);
    }
    const { names, values } = frame.headers;
    if (type === ContentType.CommandReply && frame.headers.has('Event-Name')) {
      return wrap(connectReplyStore(names, values, frame), type);
    }
    // Copies of the exact size, without the Content-Length that framed the body.
    let kept = 0;
    for (let i = 0; i < names.length; i++) if (!isContentLength(names[i]!)) kept++;
    const outNames = new Array<string>(kept);
    const outValues = new Array<string>(kept);
    for (let i = 0, k = 0; i < names.length; i++) {
      if (isContentLength(names[i]!)) continue;
      outNames[k] = names[i]!;
      outValues[k++] = values[i]!;
    }
    const store = new ListStore(outNames, outValues, undefined, frame);
    return wrap(store, type, true);
  }

  /** Parses a serialized event (the body of a text/event-* frame, or what serialize() wrote). */
  static parse(format: EventFormat, payload: string | Uint8Array): EslEvent {
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    switch (format) {
      case 'plain':
        return wrap(new PlainStore({ body: bytes }), ContentType.EventPlain);
      case 'json':
        return wrap(jsonStore(bytes), ContentType.EventJson);
      case 'xml':
        return wrap(xmlStore(bytes), ContentType.EventXml);
      default:
        throw new EslArgumentError('format', format, `unknown event format ${JSON.stringify(format)} (plain, json or xml)`);
    }
  }

  // ---------------------------------------------------------------- typed conveniences

  /** Event-Name, such as CHANNEL_ANSWER (undefined for replies and other non-event frames). */
  get name(): string | undefined {
    return this.#store.getExact('Event-Name') ?? this.#store.get('Event-Name');
  }

  /** Event-Subclass of a CUSTOM event, such as sofia::register. */
  get subclass(): string | undefined {
    return this.#store.getExact('Event-Subclass') ?? this.#store.get('Event-Subclass');
  }

  /** Job-UUID, else Unique-ID, else Core-UUID: the id modesl puts in `esl::event::<NAME>::<uuid>`. */
  get uuid(): string | undefined {
    const s = this.#store;
    return s.getExact('Job-UUID') ?? s.getExact('Unique-ID') ?? s.getExact('Core-UUID');
  }

  /** Read-only ordered view of the headers. */
  get headers(): EventHeaders {
    this.#headers ??= new EventHeaders(() => this.#store);
    return this.#headers;
  }

  /** The body as text (UTF-8), or undefined when there is none. */
  get body(): string | undefined {
    return this.getBody();
  }

  /** The body's exact bytes, or undefined when there is none. */
  get bodyBytes(): Buffer | undefined {
    const b = this.#store.body();
    return b === undefined ? undefined : typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  }

  // ---------------------------------------------------------------- ESLevent reading

  /**
   * The value of the first header of that name, ignoring case (an exact-case match wins).
   * With an index, element `index` of an array header, or undefined for a plain header (as
   * libesl). `_body` gives the body; `Content-Length` falls back to the body's byte length.
   */
  getHeader(name: string, index = -1): string | undefined {
    let v = this.#store.get(name);
    if (v === undefined) {
      const lower = name.toLowerCase();
      if (lower === '_body') v = this.getBody();
      else if (lower === 'content-length') {
        const b = this.#store.body();
        if (b !== undefined) v = String(typeof b === 'string' ? Buffer.byteLength(b) : b.length);
      }
    }
    if (v === undefined || index < 0) return v;
    return splitArrayValue(v)?.[index];
  }

  /** The body as text, or undefined when there is none (ESLevent returns NULL). */
  getBody(): string | undefined {
    if (this.#bodyText !== undefined) return this.#bodyText;
    const b = this.#store.body();
    if (b === undefined) return undefined;
    this.#bodyText = typeof b === 'string' ? b : b.toString('utf8');
    return this.#bodyText;
  }

  /** The event type name: Event-Name for events (CUSTOM for custom ones), SOCKET_DATA for other frames. */
  getType(): string {
    if (this.#socketData) return 'SOCKET_DATA';
    return this.name ?? 'SOCKET_DATA';
  }

  /** Steps through header names in order: firstHeader() starts over, nextHeader() moves on; undefined past the end. */
  firstHeader(): string | undefined {
    this.#cursor = 0;
    return this.#store.list().names[0];
  }

  nextHeader(): string | undefined {
    if (this.#cursor < 0) return undefined;
    const names = this.#store.list().names;
    if (this.#cursor >= names.length) return undefined;
    this.#cursor++;
    return names[this.#cursor];
  }

  // ---------------------------------------------------------------- ESLevent changing

  #list(): ListStore {
    if (!this.#changed || !(this.#store instanceof ListStore)) {
      this.#store = ListStore.copyOf(this.#store);
      this.#changed = true;
    }
    this.#bodyText = undefined;
    return this.#store as ListStore;
  }

  /**
   * Appends a header (duplicates are allowed, as in ESL events). `Name[n]` sets element n of
   * an array header (n up to 4000); an `ARRAY::a|:b` value is an array; an empty value deletes
   * the header; `_body` sets the body.
   */
  addHeader(name: string, value: string | number | boolean | readonly string[]): boolean {
    checkName(name);
    if (name.toLowerCase() === '_body') return this.addBody(String(value));
    const stored = toStoredValue(value);
    const m = ARRAY_INDEX.exec(name);
    if (m) {
      const base = m[1]!;
      const index = Number(m[2]);
      if (index > 4000) return false;
      const list = this.#list();
      const at = list.indexOf(base);
      const items = at < 0 ? [] : (splitArrayValue(list.values[at]!) ?? [list.values[at]!]);
      while (items.length <= index) items.push('');
      items[index] = stored;
      const joined = items.length === 1 ? items[0]! : joinArrayValue(items);
      if (at < 0) {
        list.names.push(base);
        list.values.push(joined);
      } else {
        list.values[at] = joined;
      }
      return true;
    }
    if (stored === '') return this.delHeader(name);
    const list = this.#list();
    list.names.push(name);
    list.values.push(stored);
    return true;
  }

  /** Appends an element to an array header; a plain header becomes an array; a missing one is created. */
  pushHeader(name: string, value: string): boolean {
    return this.#stack(name, String(value), false);
  }

  /** Prepends an element to an array header (the intended behaviour; libesl's appends by mistake). */
  unshiftHeader(name: string, value: string): boolean {
    return this.#stack(name, String(value), true);
  }

  #stack(name: string, value: string, front: boolean): boolean {
    checkName(name);
    const list = this.#list();
    const at = list.indexOf(name);
    if (at < 0) {
      list.names.push(name);
      list.values.push(value);
      return true;
    }
    const items = splitArrayValue(list.values[at]!) ?? [list.values[at]!];
    if (front) items.unshift(value);
    else items.push(value);
    list.values[at] = joinArrayValue(items);
    return true;
  }

  /** Deletes every header of that name (ignoring case). Always true, as ESLevent. */
  delHeader(name: string): boolean {
    const list = this.#list();
    const lower = name.toLowerCase();
    for (let i = list.names.length - 1; i >= 0; i--) {
      if (list.names[i]!.toLowerCase() === lower) {
        list.names.splice(i, 1);
        list.values.splice(i, 1);
      }
    }
    return true;
  }

  /** Replaces the body (ESLevent's addBody does not append). */
  addBody(value: string | Uint8Array): boolean {
    const list = this.#list();
    list.bodyValue = typeof value === 'string' ? value : Buffer.from(value);
    return true;
  }

  /** Sets `priority: NORMAL|LOW|HIGH` at the top of the headers. */
  setPriority(priority: EslEventPriority = 'NORMAL'): boolean {
    if (priority !== 'NORMAL' && priority !== 'LOW' && priority !== 'HIGH') {
      throw new EslArgumentError('priority', priority, 'priority must be NORMAL, LOW or HIGH (EslEvent.PRIORITY)');
    }
    this.delHeader('priority');
    const list = this.#list();
    list.names.unshift('priority');
    list.values.unshift(priority);
    return true;
  }

  // ---------------------------------------------------------------- output

  /** The ordered header list (names may repeat; values in string form). */
  headerList(): HeaderList {
    const l = this.#store.list();
    return { names: l.names.slice(), values: l.values.slice() };
  }

  /** The raw body (string or bytes) as stored; undefined when there is none. */
  rawBody(): string | Buffer | undefined {
    return this.#store.body();
  }

  /**
   * Serializes exactly as FreeSWITCH writes the event in that format (plain by default).
   * The one lossy corner is FreeSWITCH's own: in plain and xml, a value containing `%XX`
   * (two uppercase hex digits) is not re-encoded, so it reads back decoded (FINDINGS §1 B).
   */
  serialize(format: EventFormat = 'plain'): string {
    const bytes = this.toBytes(format);
    try {
      return bytes.toString('utf8');
    } catch (err) {
      throw tooLargeToSerialize(format, bytes.length, err);
    }
  }

  /** serialize(), as exact bytes (the body may hold bytes that are not UTF-8). */
  toBytes(format: EventFormat = 'plain'): Buffer {
    const list = this.#store.list();
    const body = this.#store.body();
    const f = typeof format === 'string' ? format.toLowerCase() : format;
    if (f !== 'plain' && f !== 'json' && f !== 'xml') {
      throw new EslArgumentError('format', format, `unknown event format ${JSON.stringify(format)} (plain, json or xml)`);
    }
    const size = body === undefined ? 0 : typeof body === 'string' ? body.length : body.length;
    try {
      return f === 'plain' ? serializePlain(list, body) : f === 'json' ? serializeJson(list, body) : serializeXml(list, body);
    } catch (err) {
      throw tooLargeToSerialize(f, size, err);
    }
  }

  toJSON(): { headers: Record<string, string | string[]>; body?: string } {
    const body = this.getBody();
    return body === undefined ? { headers: this.headers.toObject() } : { headers: this.headers.toObject(), body };
  }

  toString(): string {
    const n = this.name;
    return `EslEvent(${n ?? this.contentType ?? 'SOCKET_DATA'}${this.subclass ? ` ${this.subclass}` : ''})`;
  }

  /** `console.log(event)`: its name, then its headers and body as toJSON gives them. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    const { headers, body } = this.toJSON();
    return `${this.toString()} ${inspect(body === undefined ? { headers: { ...headers } } : { headers: { ...headers }, body }, options)}`;
  }
}

/**
 * A value read from the wire may be large enough (up to maxBodyBytes) that its escaped form
 * cannot be a JavaScript string (V8 caps one near 2^29 characters): the engine's RangeError
 * becomes a typed error.
 */
function tooLargeToSerialize(format: string, size: number, err: unknown): Error {
  if (!(err instanceof RangeError) && (err as { code?: string } | null)?.code !== 'ERR_STRING_TOO_LONG') return err as Error;
  return new EslProtocolError('BODY_TOO_LARGE', `the event (body of ${size} bytes) is too large to serialize as ${format}`, { cause: err });
}

/** True when a value is an `ARRAY::` array header value. */
export function isArrayValue(value: string): boolean {
  return value.startsWith(ARRAY_PREFIX);
}
