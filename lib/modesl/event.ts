/**
 * modesl's Event (lib/esl/Event.js of modesl 1.2.1) on top of rxesl's EslEvent.
 *
 * An event read from FreeSWITCH stays the EslEvent the connection parsed, decoded lazily:
 * `getHeader` reads one value, nothing is copied. The first call that needs modesl's own data
 * model (the `headers` array, a change, the header cursor) copies the headers once into that
 * model, `[{ name, value }]` plus a body string, and from then on the Event works on it as
 * modesl's does. An Event built by hand starts in that model.
 *
 * modesl's quirks that code relies on are kept: `getHeader` returns null for a missing
 * header, `addHeader` replaces the first header of that name in place, `addBody` appends,
 * `getBody` is '' when there is no body, `type` is fixed when the event is made.
 */
import { EslEvent } from '../protocol/event.js';
import type { EventFormat } from '../protocol/content-type.js';
import { serializeModesl } from './serialize.js';

/** What a header can hold. Values read from FreeSWITCH are strings; modesl keeps what you set as you set it. */
export type HeaderValue = string | number | boolean | readonly string[] | null | undefined;

/** One entry of `event.headers`, modesl's shape. */
export interface EventHeader {
  name: string;
  value: HeaderValue;
}

export type EventPriority = 'LOW' | 'NORMAL' | 'HIGH';

/** Headers for `new Event(headers, body)`: `_body` is taken as the body when no body is given. */
export type EventHeadersInit = Record<string, HeaderValue>;

const UNSET: unique symbol = Symbol('unset');
/** fromEslEvent's way in: the constructor then only keeps the EslEvent. */
const WIRE: unique symbol = Symbol('wire');

/** modesl's Parser adds these to any event whose Reply-Text starts with +OK or -ERR. */
export function replyHeader(replyText: string | undefined): EventHeader | undefined {
  if (replyText === undefined) return undefined;
  if (replyText.startsWith('-ERR')) return { name: 'Modesl-Reply-ERR', value: replyText.substring(5) };
  if (replyText.startsWith('+OK')) return { name: 'Modesl-Reply-OK', value: replyText.substring(4) };
  return undefined;
}

function indexOfName(list: readonly EventHeader[], name: string): number {
  for (let i = 0; i < list.length; i++) if (list[i]!.name === name) return i;
  return -1;
}

function storedString(value: HeaderValue): string | readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value);
}

/** modesl's five fields, as an Event shows them (see toJSON). */
export interface EventFields {
  headers: EventHeader[];
  hPtr: number | null;
  type: string | undefined;
  subclass: string | null | undefined;
  body: string;
}

export class Event {
  /** Values for setPriority (modesl's Event.PRIORITY). */
  static readonly PRIORITY = { LOW: 'LOW', NORMAL: 'NORMAL', HIGH: 'HIGH' } as const;

  /** The header cursor of firstHeader()/nextHeader(): an index into `headers`, or null. */
  hPtr: number | null = null;

  /** The event as read, while nothing asked for modesl's model. */
  #wire: EslEvent | undefined;
  #list: EventHeader[] | undefined;
  #body = '';
  #type: string | undefined | typeof UNSET = UNSET;
  #subclass: string | null | undefined | typeof UNSET = UNSET;
  #error: Error | undefined;

  static {
    // modesl's fields were enumerable: `for (const k in event)` lists them here too. They are
    // accessors on the prototype (an own accessor per event costs about a microsecond on the
    // read path), so JSON.stringify and console.log go through toJSON and inspect.custom.
    for (const name of ['headers', 'type', 'subclass', 'body']) {
      Object.defineProperty(Event.prototype, name, { ...Object.getOwnPropertyDescriptor(Event.prototype, name), enumerable: true });
    }
  }

  /** An event with no headers, no type and an empty body. */
  constructor();
  /** Adds `Event-Name: <type>` (as given, not looked up) and `Event-Subclass` when there is one. */
  constructor(type: string, subclass?: string);
  /** Exactly these headers, in order; the body is `body`, else the `_body` member, else ''. */
  constructor(headers: EventHeadersInit, body?: string);
  constructor(type?: string | EventHeadersInit | typeof WIRE, second?: string | EslEvent) {
    if (type === WIRE) {
      // fromEslEvent: no list until modesl's model is asked for; type and subclass read lazily.
      this.#wire = second as EslEvent;
      return;
    }
    const subclass = second as string | undefined;
    this.#list = [];
    if (typeof type === 'string') {
      this.#type = type;
      this.#subclass = subclass;
      this.addHeader('Event-Name', type);
      if (subclass) this.addHeader('Event-Subclass', subclass);
    } else if (typeof type === 'object' && type !== null) {
      this.#type = type['Event-Name'] as string | undefined;
      this.#subclass = type['Event-Subclass'] as string | undefined;
      this.#body = subclass || (type._body as string | undefined) || '';
      for (const key of Object.keys(type)) {
        if (key === '_body') continue;
        this.addHeader(key, type[key]);
      }
    } else {
      this.#type = '';
      this.#subclass = null;
    }
  }

  /** An Event over an EslEvent read from FreeSWITCH (or built with rxesl), without copying it. */
  static fromEslEvent(event: EslEvent): Event {
    return new (Event as unknown as new (wire: typeof WIRE, event: EslEvent) => Event)(WIRE, event);
  }

  // ------------------------------------------------------------------ modesl's fields

  /**
   * Set on the event a callback receives instead of a reply that will never come (the
   * connection closed, or FreeSWITCH refused the command): why. See docs/modesl.md. It is not
   * one of modesl's fields: JSON.stringify and console.log leave it out.
   */
  get error(): Error | undefined {
    return this.#error;
  }

  set error(err: Error | undefined) {
    this.#error = err;
  }

  /** Event-Name when the event was made (undefined for replies, which have none). */
  get type(): string | undefined {
    if (this.#type === UNSET) this.#type = this.#wire?.getHeader('Event-Name');
    return this.#type;
  }

  set type(value: string | undefined) {
    this.#type = value;
  }

  /** Event-Subclass when the event was made. */
  get subclass(): string | null | undefined {
    if (this.#subclass === UNSET) this.#subclass = this.#wire?.getHeader('Event-Subclass');
    return this.#subclass;
  }

  set subclass(value: string | null | undefined) {
    this.#subclass = value;
  }

  /** The body ('' when there is none). */
  get body(): string {
    if (this.#wire !== undefined) return this.#wire.getBody() ?? '';
    return this.#body;
  }

  set body(value: string) {
    this.#own();
    this.#body = value;
  }

  /** modesl's header list, `[{ name, value }]`, in order. It is the event's own list: changing it changes the event. */
  get headers(): EventHeader[] {
    return this.#own();
  }

  set headers(list: EventHeader[]) {
    this.#own();
    this.#list = list;
  }

  // ------------------------------------------------------------------ ESLevent, modesl's way

  /**
   * The value of the first header of that name (an exact-case match first, then ignoring
   * case, as libesl), or null. Content-Length is a number, as modesl's parser made it.
   */
  getHeader(name: 'Content-Length'): number | null;
  getHeader(name: string): string | null;
  getHeader(name: string): string | number | null {
    const list = this.#list;
    if (list !== undefined) {
      let i = indexOfName(list, name);
      if (i < 0) {
        const lower = name.toLowerCase();
        i = list.findIndex((h) => h.name.toLowerCase() === lower);
      }
      if (i < 0) return null;
      const v = list[i]!.value;
      return v === undefined ? null : (v as string);
    }
    const wire = this.#wire!;
    const lower = name.toLowerCase();
    if (lower === 'modesl-reply-ok' || lower === 'modesl-reply-err') {
      const h = replyHeader(wire.getHeader('Reply-Text'));
      return h !== undefined && h.name.toLowerCase() === lower ? (h.value as string) : null;
    }
    if (lower === 'content-length') {
      const bytes = wire.bodyBytes;
      if (bytes !== undefined && bytes.length > 0) return bytes.length;
      const v = wire.headers.get(name);
      return typeof v === 'string' ? parseInt(v, 10) : null;
    }
    // EslEvent answers `_body` with the body; modesl's Event has no such header.
    if (lower === '_body') return null;
    return wire.getHeader(name) ?? null;
  }

  /** The body ('' when there is none). */
  getBody(): string {
    return this.body;
  }

  /** The type the event was made with: its Event-Name, '' for `new Event()`, undefined for replies. */
  getType(): string | undefined {
    return this.type;
  }

  /** Appends to the body (modesl's addBody appends; libesl's replaces). Returns the new body. */
  addBody(value: string): string {
    this.#own();
    this.#body += value;
    return this.#body;
  }

  /** Replaces the value of the first header of that exact name, in place, or appends one. Returns the value. */
  addHeader<V extends HeaderValue>(name: string, value: V): V {
    const list = this.#own();
    const i = indexOfName(list, name);
    if (i >= 0) list[i]!.value = value;
    else list.push({ name, value });
    return value;
  }

  /** Removes the first header of that exact name; returns `[removed]`, or null when there was none. */
  delHeader(name: string): EventHeader[] | null {
    const list = this.#own();
    const i = indexOfName(list, name);
    return i < 0 ? null : list.splice(i, 1);
  }

  /** Moves the cursor to the first header and returns its name (null when there are no headers). */
  firstHeader(): string | null {
    const list = this.#own();
    this.hPtr = 0;
    return list[0]?.name ?? null;
  }

  /** Moves the cursor on and returns the header's name; null past the end or before firstHeader(). */
  nextHeader(): string | null {
    const list = this.#own();
    if (this.hPtr === null) return null;
    if (this.hPtr >= list.length - 1) {
      this.hPtr = null;
      return null;
    }
    return list[++this.hPtr]!.name;
  }

  /** Sets the `priority` header (LOW, NORMAL or HIGH). */
  setPriority(priority: EventPriority): void {
    this.addHeader('priority', priority);
  }

  /**
   * The event as modesl wrote it (see serialize.ts): `plain` (the default) is `Name: value`
   * lines, raw, then the body after a blank line; `json` is indented JSON with the body as
   * `_body`; `xml` is modesl's layout. A `Content-Length` of the body's bytes is written among
   * the headers, as modesl did, without being added to the event. An unknown format gives
   * undefined, as in modesl. FreeSWITCH's own text: `event.toEslEvent().serialize(format)`.
   */
  serialize(format?: EventFormat): string;
  serialize(format: string): string | undefined;
  serialize(format: string = 'plain'): string | undefined {
    return serializeModesl(this.headers, this.body, format || 'plain');
  }

  /** modesl's private helper: the index of the first header of that exact name, or null. */
  _findHeaderIndex(name: string): number | null {
    const i = indexOfName(this.#own(), name);
    return i < 0 ? null : i;
  }

  /** modesl's private helper: the first header of that exact name (the list's own entry), or null. */
  _findHeader(name: string): EventHeader | null {
    const i = indexOfName(this.#own(), name);
    return i < 0 ? null : this.#list![i]!;
  }

  /**
   * modesl's five fields as a plain object: what `JSON.stringify(event)` writes (the same text
   * as modesl's Event for the same frame) and what `structuredClone(event.toJSON())` or
   * `{ ...event.toJSON() }` copy. `headers` is the event's own list.
   */
  toJSON(): EventFields {
    return { headers: this.headers, hPtr: this.hPtr, type: this.type, subclass: this.subclass, body: this.body };
  }

  /** `console.log(event)` prints what it printed for modesl's Event: `{ headers: [...], hPtr, type, subclass, body }`. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return inspect(this.toJSON(), options);
  }

  // ------------------------------------------------------------------ rxesl

  /**
   * The event as an rxesl EslEvent: the one the connection parsed while nothing was changed,
   * else a new one with these headers (Content-Length aside: it is the body's) and body.
   */
  toEslEvent(): EslEvent {
    if (this.#wire !== undefined) return this.#wire;
    const pairs: Array<[string, string | readonly string[]]> = [];
    for (const h of this.#list!) {
      if (h.name.toLowerCase() === 'content-length') continue;
      const v = storedString(h.value);
      if (v !== undefined) pairs.push([h.name, v]);
    }
    return new EslEvent(pairs, this.#body === '' ? undefined : this.#body);
  }

  toString(): string {
    return `Event(${this.type ?? 'reply'})`;
  }

  /**
   * Copies an event read from FreeSWITCH into modesl's model, once: its headers (each name once), then
   * Content-Length (a number) when it has a body and Modesl-Reply-OK/-ERR when its Reply-Text
   * says +OK/-ERR, as modesl's parser left them.
   */
  #own(): EventHeader[] {
    if (this.#list !== undefined) return this.#list;
    const wire = this.#wire!;
    // modesl fixes type and subclass when the event is made: read them before the copy.
    if (this.#type === UNSET) this.#type = wire.getHeader('Event-Name');
    if (this.#subclass === UNSET) this.#subclass = wire.getHeader('Event-Subclass');
    const { names, values } = wire.headerList();
    // modesl's parser read the headers into an object: a name FreeSWITCH repeats (Hangup-Cause,
    // the codec headers, always with the same value) is there once, at its first place; and
    // Content-Length is a number.
    const list: EventHeader[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (seen.has(name)) continue;
      seen.add(name);
      list.push({ name, value: name === 'Content-Length' ? parseInt(values[i]!, 10) : values[i]! });
    }
    const bytes = wire.bodyBytes;
    if (bytes !== undefined && bytes.length > 0 && indexOfName(list, 'Content-Length') < 0) {
      list.push({ name: 'Content-Length', value: bytes.length });
    }
    const reply = replyHeader(wire.getHeader('Reply-Text'));
    if (reply !== undefined) list.push(reply);
    this.#body = wire.getBody() ?? '';
    this.#list = list;
    this.#wire = undefined;
    return list;
  }
}
