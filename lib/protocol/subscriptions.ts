/**
 * How FreeSWITCH merges a connection's event subscriptions and filters (mod_event_socket.c,
 * parse_command and event_handler; PROTOCOL.md §2.3). No I/O: the client uses it to know what
 * it asked for (and to ask again after a reconnect), the emulator to decide what to deliver.
 */
import { EslArgumentError } from '../errors.js';
import type { EventFormat } from './content-type.js';
import { EVENT_NAMES, lookupEventName } from './event-names.js';

const ALL_TYPES = EVENT_NAMES.filter((n) => n !== 'ALL');

/**
 * What a connection authenticated with `userauth` may subscribe to (the directory user's
 * esl-allowed-events): FreeSWITCH refuses the first name outside it with `-ERR permission denied`.
 */
export interface SubscriptionPermits {
  /** Whether an event type (canonical upper-case name) may be subscribed. */
  type(name: string): boolean;
  /** Whether a CUSTOM subclass may be subscribed. */
  subclass(name: string): boolean;
}

export class EventSubscription {
  /** The format of the whole connection (the last `event <format>` wins, even one that failed). */
  format: EventFormat = 'plain';
  /** `event ... ALL`: everything, every CUSTOM subclass included. */
  all = false;
  /** Event types subscribed (canonical upper-case names; CUSTOM included when asked). */
  readonly types = new Set<string>();
  /** CUSTOM subclasses subscribed. */
  readonly subclasses = new Set<string>();

  /** True when nothing is subscribed. */
  get empty(): boolean {
    return !this.all && this.types.size === 0 && this.subclasses.size === 0;
  }

  /**
   * Applies `event [<format>] <NAME...>`. Tokens after CUSTOM are subclasses; unknown names
   * are ignored. Returns the number of keywords FreeSWITCH would count (0 means it replies
   * `-ERR no keywords supplied`, after having changed the format).
   *
   * With `permits`, the first type or subclass they refuse stops it there and it returns
   * `denied`: the format and the names before that one stay applied, as on FreeSWITCH.
   */
  subscribe(tokens: readonly string[]): number;
  subscribe(tokens: readonly string[], permits: SubscriptionPermits | undefined): number | 'denied';
  subscribe(tokens: readonly string[], permits?: SubscriptionPermits): number | 'denied' {
    let list = tokens;
    const first = list[0]?.toLowerCase();
    if (first === 'plain' || first === 'json' || first === 'xml') {
      this.format = first;
      list = list.slice(1);
    }
    let keys = 0;
    let custom = false;
    for (const token of list) {
      if (custom) {
        if (permits && !permits.subclass(token)) return 'denied';
        this.subclasses.add(token);
        continue;
      }
      const name = lookupEventName(token);
      if (!name) continue;
      if (permits && !permits.type(name)) return 'denied';
      keys++;
      if (name === 'ALL') {
        this.all = true;
        for (const t of ALL_TYPES) this.types.add(t);
      } else {
        this.types.add(name);
      }
      if (name === 'CUSTOM') custom = true;
    }
    return keys;
  }

  /**
   * Applies `nixevent <NAME...>`: ALL clears everything; removing one type while ALL is on
   * first expands ALL into every type; CUSTOM only switches to subclass names (it does not
   * clear the CUSTOM type). Returns the keyword count (0 gives `-ERR no keywords supplied`).
   */
  unsubscribe(tokens: readonly string[]): number {
    let keys = 0;
    let custom = false;
    for (const token of tokens) {
      if (custom) {
        this.subclasses.delete(token);
        continue;
      }
      const name = lookupEventName(token);
      if (!name) continue;
      keys++;
      if (name === 'CUSTOM') {
        custom = true;
      } else if (name === 'ALL') {
        this.all = false;
        this.types.clear();
      } else {
        if (this.all) {
          this.all = false;
          for (const t of ALL_TYPES) this.types.add(t);
        }
        this.types.delete(name);
      }
    }
    return keys;
  }

  /** `noevents`. */
  clear(): void {
    this.all = false;
    this.types.clear();
    this.subclasses.clear();
  }

  /** Whether an event of that name (and subclass) passes the subscription (before filters). */
  wants(name: string, subclass?: string): boolean {
    if (this.all) return true;
    if (!this.types.has(name)) return false;
    if (name !== 'CUSTOM' || !subclass) return true;
    return this.subclasses.has(subclass);
  }

  /** Whether the subscription already covers that event name (a subclass for CUSTOM). */
  covers(name: string, subclass?: string): boolean {
    return this.wants(name.toUpperCase(), subclass);
  }

  /** The tokens of one `event` command that asks for all of this again (empty when nothing is subscribed). */
  toTokens(): string[] {
    if (this.all) return ['ALL'];
    const names = [...this.types].filter((t) => t !== 'CUSTOM');
    if (this.types.has('CUSTOM') || this.subclasses.size > 0) names.push('CUSTOM', ...this.subclasses);
    return names;
  }

  clone(): EventSubscription {
    const c = new EventSubscription();
    c.format = this.format;
    c.all = this.all;
    for (const t of this.types) c.types.add(t);
    for (const s of this.subclasses) c.subclasses.add(s);
    return c;
  }
}

/**
 * The names of an `event` or `nixevent` command (without the format) that FreeSWITCH would pass
 * over without a word, replying +OK all the same when another name counts (parse_command in
 * mod_event_socket.c): before CUSTOM, a token switch_name_event does not know; after CUSTOM,
 * where every token is read as a subclass, a token that is an event name (surely meant as one).
 */
export function skippedNames(tokens: readonly string[]): { unknown: string[]; readAsSubclass: string[] } {
  const unknown: string[] = [];
  const readAsSubclass: string[] = [];
  let custom = false;
  for (const token of tokens) {
    const name = lookupEventName(token);
    if (custom) {
      if (name !== undefined) readAsSubclass.push(token);
    } else if (name === undefined) {
      unknown.push(token);
    } else if (name === 'CUSTOM') {
      custom = true;
    }
  }
  return { unknown, readAsSubclass };
}

/**
 * Throws EslArgumentError when FreeSWITCH would pass over some of these names (see
 * skippedNames): a subscription that silently lacks an event is found at once, not when the
 * event never comes.
 */
export function checkEventNames(tokens: readonly string[]): void {
  const { unknown, readAsSubclass } = skippedNames(tokens);
  const quoted = (list: string[]): string => list.map((t) => `"${t}"`).join(', ');
  if (unknown.length > 0) {
    throw new EslArgumentError(
      'names',
      unknown,
      `FreeSWITCH would ignore ${quoted(unknown)}: not an event name it knows (a CUSTOM subclass goes after CUSTOM; a name newer than FreeSWITCH 1.10.12 needs { strict: false })`,
    );
  }
  if (readAsSubclass.length > 0) {
    throw new EslArgumentError('names', readAsSubclass, `${quoted(readAsSubclass)} after CUSTOM would be read as a subclass, not as an event name: put event names before CUSTOM`);
  }
}

/** One `filter <Header> <value>` as FreeSWITCH stores it. */
export interface EventFilter {
  header: string;
  value: string;
}

/**
 * The ordered filter list of a connection. Positive filters are OR-ed; a negative one
 * (`-value`) vetoes; `/re/` values are regular expressions; a connection with only negative
 * filters receives nothing (PROTOCOL.md §2.3, "How filters are evaluated").
 */
export class FilterList {
  readonly filters: EventFilter[] = [];

  add(header: string, value: string): void {
    this.filters.push({ header, value });
  }

  /** `filter delete <header> [<value>]`; `filter delete all` clears the list. */
  delete(header: string, value?: string): void {
    if (header.toLowerCase() === 'all') {
      this.filters.length = 0;
      return;
    }
    for (let i = this.filters.length - 1; i >= 0; i--) {
      const f = this.filters[i]!;
      if (f.header.toLowerCase() === header.toLowerCase() && (value === undefined || f.value === value)) this.filters.splice(i, 1);
    }
  }

  get size(): number {
    return this.filters.length;
  }

  /**
   * Whether an event passes, given a header lookup; true when there are no filters. As
   * mod_event_socket's event_handler: filters whose header the event lacks are skipped; leading
   * '+', '-' and spaces are markers (the last of '+' and '-' wins); once a positive filter has
   * matched, later positive ones are not tried; a matching negative one vetoes. A value whose
   * raw first character is '/' is a regular expression, anything else a case-insensitive
   * comparison.
   */
  passes(getHeader: (name: string) => string | undefined): boolean {
    if (this.filters.length === 0) return true;
    let send = false;
    for (const f of this.filters) {
      const actual = getHeader(f.header);
      if (actual === undefined) continue;
      const raw = f.value;
      let i = 0;
      let positive = true;
      while (i < raw.length) {
        const c = raw[i];
        if (c === '+') positive = true;
        else if (c === '-') positive = false;
        else if (c !== ' ') break;
        i++;
      }
      if (send && positive) continue;
      const compareTo = raw.slice(i);
      const hit = raw.startsWith('/') ? (regexOf(compareTo)?.test(actual) ?? false) : actual.toLowerCase() === compareTo.toLowerCase();
      if (hit) {
        if (!positive) return false;
        send = true;
      }
    }
    return send;
  }
}

const regexCache = new Map<string, RegExp | null>();
/** `/pattern/flags` (flags i and s, PCRE2's), or `/pattern` without a closing slash; null when it does not compile. */
function regexOf(raw: string): RegExp | null {
  let re = regexCache.get(raw);
  if (re !== undefined) return re;
  const m = /^\/(.*)\/([a-z]*)$/s.exec(raw);
  try {
    re = m ? new RegExp(m[1]!, m[2]!.replace(/[^is]/g, '')) : new RegExp(raw.slice(1));
  } catch {
    re = null;
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(raw, re);
  return re;
}
