/**
 * The NATS subjects of an rxesl cluster, and the escaping of the values put in them.
 *
 *   <prefix>.<node>.event.<Event-Name>[.<Event-Subclass>].<id>   every event of a switch
 *   <prefix>.<node>.cmd        commands, request/reply, queue group of the node's gateways
 *   <prefix>.<node>.cancel     a caller stopped waiting for a command (every gateway of the node)
 *   <prefix>.<node>.status     a gateway's announcements
 *   <prefix>.discover          clients asking every gateway to announce itself now
 *
 * `<id>` is the event's Unique-ID; for an event without one its Job-UUID (so a BACKGROUND_JOB
 * has a subject of its own); else `-`. The prefix is `esl` unless configured.
 *
 * A NATS subject is tokens separated by `.`; a token may not be empty nor contain `.`, `*`,
 * `>` or white space. Every value that comes from a switch or a user (node names, event names,
 * subclasses, uuids) goes through escapeToken: `%`, `.`, `*`, `>` and every byte outside
 * printable ASCII are written `%XX` (UTF-8 bytes, upper-case hex), and a value that is exactly
 * `-` is written `%2D` so it never reads as "no id". Typical values (CHANNEL_ANSWER, uuids,
 * sofia::register) come out unchanged.
 */
import { EslArgumentError } from '../errors.js';

const PERCENT = 37;

/** True for the bytes a token may hold as they are. */
function plainByte(c: number): boolean {
  // Printable ASCII except . (46) * (42) > (62) and the escape character % (37).
  return c > 32 && c < 127 && c !== 46 && c !== 42 && c !== 62 && c !== PERCENT;
}

const HEX = '0123456789ABCDEF';

/** The token for a value (see the module comment). Throws EslArgumentError for an empty value. */
export function escapeToken(value: string): string {
  if (typeof value !== 'string' || value === '') throw new EslArgumentError('token', value, 'a subject token cannot be empty');
  let i = 0;
  const n = value.length;
  while (i < n && plainByte(value.charCodeAt(i))) i++;
  if (i === n) return value === '-' ? '%2D' : value;
  let out = value.slice(0, i);
  const rest = Buffer.from(value.slice(i), 'utf8');
  for (const c of rest) out += plainByte(c) ? String.fromCharCode(c) : `%${HEX[c >> 4]}${HEX[c & 15]}`;
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** The value of a token, or undefined when it is not one escapeToken could have written. */
export function unescapeToken(token: string): string | undefined {
  if (token === '' || token === '-') return undefined;
  if (token.indexOf('%') < 0) {
    for (let i = 0; i < token.length; i++) if (!plainByte(token.charCodeAt(i))) return undefined;
    return token;
  }
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === PERCENT) {
      const hi = hexValue(token.charCodeAt(i + 1));
      const lo = hexValue(token.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      bytes.push(hi * 16 + lo);
      i += 2;
    } else if (plainByte(c)) {
      bytes.push(c);
    } else {
      return undefined;
    }
  }
  const text = Buffer.from(bytes).toString('utf8');
  // Bytes that are not UTF-8 were not written by escapeToken.
  return Buffer.byteLength(text, 'utf8') === bytes.length && !text.includes('\uFFFD') ? text : undefined;
}

/** A prefix must be one or more plain tokens: it is configuration, not data. */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
    throw new EslArgumentError('prefix', prefix, `not a subject prefix: ${JSON.stringify(prefix)} (tokens of letters, digits, _ and -, separated by dots)`);
  }
  return prefix;
}

/** The last token of an event's subject: Unique-ID, else Job-UUID, else `-`. */
export function idToken(uniqueId: string | undefined, jobUuid: string | undefined): string {
  const id = uniqueId || jobUuid;
  return id ? escapeToken(id) : '-';
}

/** What an event subject says. */
export interface EventSubjectParts {
  node: string;
  name: string;
  subclass: string | undefined;
  /** Unique-ID or Job-UUID; undefined for `-`. */
  id: string | undefined;
}

/** Subject builders for one prefix. Every argument is a value (escaped here) or `*` where a wildcard is meant. */
export class Subjects {
  readonly prefix: string;
  readonly #depth: number;
  /** Event names escaped once: there are few of them and every event has one. */
  readonly #names = new Map<string, string>();

  constructor(prefix = 'esl') {
    this.prefix = checkPrefix(prefix);
    this.#depth = prefix.split('.').length;
  }

  /** The node token, or `*` for every node. */
  node(node: string | undefined): string {
    return node === undefined ? '*' : escapeToken(node);
  }

  nameToken(name: string): string {
    let t = this.#names.get(name);
    if (t === undefined) {
      t = escapeToken(name);
      if (this.#names.size < 1024) this.#names.set(name, t);
    }
    return t;
  }

  /** The subject of one event (the gateway's side). */
  event(nodeToken: string, name: string, subclass: string | undefined, uniqueId: string | undefined, jobUuid: string | undefined): string {
    const sub = subclass ? `.${escapeToken(subclass)}` : '';
    return `${this.prefix}.${nodeToken}.event.${this.nameToken(name)}${sub}.${idToken(uniqueId, jobUuid)}`;
  }

  /** Every event of a node (or of all). */
  allEvents(node?: string): string {
    return `${this.prefix}.${this.node(node)}.event.>`;
  }

  /** Events with that Event-Name (CUSTOM: every subclass). */
  named(name: string, node?: string): string {
    return `${this.prefix}.${this.node(node)}.event.${escapeToken(name)}.>`;
  }

  /** CUSTOM events of one subclass. */
  custom(subclass: string, node?: string): string {
    return `${this.prefix}.${this.node(node)}.event.CUSTOM.${escapeToken(subclass)}.*`;
  }

  /** A channel's events: those without a subclass token, and CUSTOM ones with one. */
  channel(uuid: string, node?: string): [string, string] {
    const n = this.node(node);
    const id = escapeToken(uuid);
    return [`${this.prefix}.${n}.event.*.${id}`, `${this.prefix}.${n}.event.*.*.${id}`];
  }

  /** A job's BACKGROUND_JOB. */
  job(jobUuid: string, node?: string): string {
    return `${this.prefix}.${this.node(node)}.event.BACKGROUND_JOB.${escapeToken(jobUuid)}`;
  }

  cmd(node: string): string {
    return `${this.prefix}.${escapeToken(node)}.cmd`;
  }

  cancel(node: string): string {
    return `${this.prefix}.${escapeToken(node)}.cancel`;
  }

  status(node?: string): string {
    return `${this.prefix}.${this.node(node)}.status`;
  }

  discover(): string {
    return `${this.prefix}.discover`;
  }

  /** Parses an event subject; undefined when it is not one. */
  parseEvent(subject: string): EventSubjectParts | undefined {
    const t = subject.split('.');
    const d = this.#depth;
    const len = t.length - d;
    // <node> event <name> [<subclass>] <id>
    if ((len !== 4 && len !== 5) || t[d + 1] !== 'event') return undefined;
    const node = unescapeToken(t[d]!);
    const name = unescapeToken(t[d + 2]!);
    if (node === undefined || name === undefined) return undefined;
    let subclass: string | undefined;
    if (len === 5) {
      subclass = unescapeToken(t[d + 3]!);
      if (subclass === undefined) return undefined;
    }
    const last = t[t.length - 1]!;
    let id: string | undefined;
    if (last !== '-') {
      id = unescapeToken(last);
      if (id === undefined) return undefined;
    }
    return { node, name, subclass, id };
  }

  /** The node of a `<prefix>.<node>.<...>` subject, or undefined. */
  nodeOf(subject: string): string | undefined {
    const t = subject.split('.', this.#depth + 1);
    return t.length > this.#depth ? unescapeToken(t[this.#depth]!) : undefined;
  }
}
