/**
 * Marble-test failures as marble diagrams. RxJS's TestScheduler hands its assertion two arrays
 * of frames (`{ frame, notification }`), or of subscription logs, and a test framework prints
 * them as they are: a page of objects to read frame by frame. This draws them back as the
 * diagrams they came from, expected over actual, aligned column for column, with the values
 * and errors listed below under the keys the diagrams use.
 *
 * `marbleScheduler()` is a TestScheduler whose failures read that way; `describeMarbleMismatch`
 * gives the text for a TestScheduler of your own.
 */
import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

/** `expectObservable(...).toBe`. */
type ToBe = (marbles: string, values?: Record<string, unknown>, errorValue?: unknown) => void;
import { EslEvent } from '../protocol/event.js';

// ---------------------------------------------------------------------------- equality

/**
 * Deep equality for test values: primitives by Object.is; EslEvents by their headers and body
 * (an EslEvent keeps them in private fields, which a structural comparison does not see, so
 * two different events would look the same to one); errors by class name, message and own
 * properties (`code`...); arrays, Maps, Sets, Dates and byte arrays by content; other objects
 * by prototype and own enumerable properties.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return same(a, b, new Map());
}

function same(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // A cycle compared again: equal so far.
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (a instanceof EslEvent || b instanceof EslEvent) {
    return a instanceof EslEvent && b instanceof EslEvent && a.contentType === b.contentType && same(a.toJSON(), b.toJSON(), seen);
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Error) {
    const e = b as Error;
    if (a.name !== e.name || a.message !== e.message) return false;
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array((b as ArrayBufferView).buffer, (b as ArrayBufferView).byteOffset, (b as ArrayBufferView).byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    for (const [k, v] of a) if (!m.has(k) || !same(v, m.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    const s = [...(b as Set<unknown>)];
    return a.size === s.length && [...a].every((x) => s.some((y) => same(x, y, seen)));
  }
  if (Array.isArray(a)) {
    const arr = b as unknown[];
    return a.length === arr.length && a.every((x, i) => same(x, arr[i], seen));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], rb[k], seen));
}

// ---------------------------------------------------------------------------- values as text

/** A value on one line, for the list under the diagrams. */
export function formatValue(v: unknown): string {
  return format(v, 0, new Set());
}

function format(v: unknown, depth: number, seen: Set<object>): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return String(v);
  if (typeof v !== 'object' || v === null) return String(v);
  if (seen.has(v)) return '[Circular]';
  if (depth > 6) return Array.isArray(v) ? '[…]' : '{…}';
  seen.add(v);
  try {
    const inner = (x: unknown): string => format(x, depth + 1, seen);
    if (v instanceof EslEvent) {
      const { headers, body } = v.toJSON();
      return `EslEvent ${inner(headers)}${body !== undefined ? ` body ${JSON.stringify(body)}` : ''}`;
    }
    if (v instanceof Error) {
      // What the error carries besides its message (code, uuid...); an unset one says nothing.
      const own = Object.keys(v).filter((k) => k !== 'name' && k !== 'message' && k !== 'stack' && (v as unknown as Record<string, unknown>)[k] !== undefined);
      const props = own.map((k) => `${k}: ${inner((v as unknown as Record<string, unknown>)[k])}`);
      return `${v.name}: ${v.message}${props.length > 0 ? ` { ${props.join(', ')} }` : ''}`;
    }
    if (v instanceof Date) return `Date ${Number.isNaN(v.getTime()) ? 'Invalid' : v.toISOString()}`;
    if (ArrayBuffer.isView(v)) {
      const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      const text = bytes.toString('utf8');
      // Wire bytes are usually text: show them as such when they are (control characters escaped).
      const readable = !text.includes('\uFFFD');
      return `${v.constructor.name} ${readable ? JSON.stringify(text) : `<${bytes.toString('hex')}>`}`;
    }
    // An inner Observable, as TestScheduler records one (its frames from its own start): drawn too.
    if (Array.isArray(v) && v.length > 0 && allOf(v, isMessage)) return innerObservable(v, inner);
    if (Array.isArray(v)) return `[${v.map(inner).join(', ')}]`;
    if (v instanceof Map) return `Map { ${[...v].map(([k, x]) => `${inner(k)} => ${inner(x)}`).join(', ')} }`;
    if (v instanceof Set) return `Set { ${[...v].map(inner).join(', ')} }`;
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    const name = proto === null || proto === Object.prototype ? '' : `${proto.constructor?.name ?? 'Object'} `;
    const entries = Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inner(x)}`);
    return `${name}{${entries.length > 0 ? ` ${entries.join(', ')} ` : ''}}`;
  } finally {
    seen.delete(v);
  }
}

/** `Observable "-a-b|" { a: 1, b: 2 }`: an inner Observable's messages as marbles and its values. */
function innerObservable(messages: MarbleMessage[], inner: (x: unknown) => string): string {
  const keys = new Keys(sameValue, messages.map((m) => m.notification.value), undefined);
  const { factor } = scale(messages.map((m) => m.frame));
  const tokens = messageTokens(messages, 'actual', keys, factor, () => {});
  const drawn = layout([tokens], factor === 1 && TestScheduler.frameTimeFactor === 1).lines[0]!;
  const error = messages.find((m) => m.notification.kind === 'E');
  const listed = [...keys.entries.map((e) => `${e.key}: ${inner(e.value)}`), ...(error ? [`#: ${inner(error.notification.error)}`] : [])];
  return `Observable ${JSON.stringify(drawn)}${listed.length > 0 ? ` { ${listed.join(', ')} }` : ''}`;
}

// ---------------------------------------------------------------------------- what TestScheduler compares

interface Notification {
  kind: 'N' | 'E' | 'C';
  value?: unknown;
  error?: unknown;
}

/** One frame of `expectObservable`: what TestScheduler records, and parses from marbles. */
export interface MarbleMessage {
  frame: number;
  notification: Notification;
}

/** One subscription of `expectSubscriptions`. */
export interface MarbleSubscription {
  subscribedFrame: number;
  unsubscribedFrame: number;
}

function isMessage(x: unknown): x is MarbleMessage {
  const n = (x as { notification?: { kind?: unknown } } | null)?.notification;
  return typeof (x as { frame?: unknown } | null)?.frame === 'number' && (n?.kind === 'N' || n?.kind === 'E' || n?.kind === 'C');
}

function isSubscription(x: unknown): x is MarbleSubscription {
  return typeof (x as { subscribedFrame?: unknown } | null)?.subscribedFrame === 'number';
}

function allOf<T>(xs: unknown, test: (x: unknown) => x is T): xs is T[] {
  return Array.isArray(xs) && xs.every(test);
}

/** Which of the two a value or an error was seen in. */
type Side = 'expected' | 'actual';

export interface MarbleOptions {
  /** When two values (or errors) are the same. Default: sameValue. */
  equals?: (a: unknown, b: unknown) => boolean;
}

export interface DescribeOptions extends MarbleOptions {
  /** The values map the expected marbles were written with: its keys are used for its values, on both lines. */
  values?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Whether TestScheduler's two arrays are equal: the same frames, kinds, and values and errors
 * equal by `equals`; subscriptions by their frames. Anything else by `equals` as a whole.
 */
export function sameMarbles(actual: unknown, expected: unknown, options: MarbleOptions = {}): boolean {
  const equals = options.equals ?? sameValue;
  if (allOf(actual, isMessage) && allOf(expected, isMessage)) {
    return (
      actual.length === expected.length &&
      actual.every((a, i) => {
        const e = expected[i]!;
        if (a.frame !== e.frame || a.notification.kind !== e.notification.kind) return false;
        if (a.notification.kind === 'N') return equals(a.notification.value, e.notification.value);
        if (a.notification.kind === 'E') return equals(a.notification.error, e.notification.error);
        return true;
      })
    );
  }
  if (allOf(actual, isSubscription) && allOf(expected, isSubscription)) {
    return actual.length === expected.length && actual.every((a, i) => a.subscribedFrame === expected[i]!.subscribedFrame && a.unsubscribedFrame === expected[i]!.unsubscribedFrame);
  }
  return equals(actual, expected);
}

// ---------------------------------------------------------------------------- drawing

/** A thing drawn at a frame on one line: a value key, `|`, `#`, a group `(ab|)`, `^` or `!`. */
interface Token {
  tick: number;
  text: string;
  /** Nothing is drawn after it on its line (completion, error, unsubscription). */
  ends: boolean;
}

/** Gaps longer than this, in run mode, are drawn as time progression (` 30000ms `). */
const LONG_GAP = 20;

interface Layout {
  lines: string[];
  /** A token was drawn later than its frame: the group before it is wider than the time between them. */
  inexact: boolean;
}

/**
 * Draws lines of tokens on one time scale, so that the same frame is the same column on every
 * line. Where nothing happens on any line for long (run mode only), the gap is written as time
 * progression, which marbles read back.
 */
function layout(lines: Token[][], progression: boolean): Layout {
  const ticks = [...new Set(lines.flat().map((t) => t.tick))].sort((a, b) => a - b);
  const out = lines.map(() => '');
  const ended = lines.map(() => false);
  let cursor = 0;
  let inexact = false;
  const fill = (i: number, n: number): void => {
    out[i] += (ended[i] ? ' ' : '-').repeat(n);
  };
  for (const tick of ticks) {
    let gap = tick - cursor;
    if (gap < 0) {
      inexact = true;
      gap = 0;
    }
    if (progression && gap > LONG_GAP) {
      const piece = ` ${gap}ms `;
      lines.forEach((_, i) => (out[i] += ended[i] ? ' '.repeat(piece.length) : piece));
    } else {
      lines.forEach((_, i) => fill(i, gap));
    }
    const here = lines.map((l) => l.find((t) => t.tick === tick));
    const width = Math.max(...here.map((t) => t?.text.length ?? 0));
    here.forEach((t, i) => {
      if (!t) {
        fill(i, width);
        return;
      }
      out[i] += t.text;
      if (t.ends) ended[i] = true;
      fill(i, width - t.text.length);
    });
    cursor = Math.max(cursor, tick) + width;
  }
  // Dashes at the end say nothing: a line that has not ended goes on the same without them.
  return { lines: out.map((l) => l.replace(/[-\s]+$/, '')), inexact };
}

/** Keys for the values of both sides: equal values share one; a one-character string is its own key when free. */
class Keys {
  readonly #entries: Array<{ key: string; value: unknown; sides: Set<Side> }> = [];
  readonly #equals: (a: unknown, b: unknown) => boolean;
  readonly #reserved = new Set<string>();

  /** `given`: the test's own values map, whose keys its values keep. */
  constructor(equals: (a: unknown, b: unknown) => boolean, values: unknown[], given: Readonly<Record<string, unknown>> | undefined) {
    this.#equals = equals;
    for (const [key, value] of Object.entries(given ?? {})) {
      if ([...key].length === 1 && !RESERVED.has(key)) this.#entries.push({ key, value: recorded(value), sides: new Set() });
    }
    for (const v of values) if (typeof v === 'string' && [...v].length === 1 && !RESERVED.has(v)) this.#reserved.add(v);
  }

  keyOf(value: unknown, side: Side): string {
    let entry = this.#entries.find((e) => this.#equals(e.value, value));
    if (!entry) {
      entry = { key: this.#newKey(value), value, sides: new Set() };
      this.#entries.push(entry);
    }
    entry.sides.add(side);
    return entry.key;
  }

  /** The keys drawn, each with its value and the sides it was seen on. */
  get entries(): ReadonlyArray<{ key: string; value: unknown; sides: ReadonlySet<Side> }> {
    return this.#entries.filter((e) => e.sides.size > 0);
  }

  #newKey(value: unknown): string {
    const used = new Set(this.#entries.map((e) => e.key));
    if (typeof value === 'string' && this.#reserved.has(value) && !used.has(value)) return value;
    const free = KEY_CHARS.find((c) => !used.has(c) && !this.#reserved.has(c));
    // Past the keys on offer: any letter not taken.
    if (free !== undefined) return free;
    for (let cp = 0x3b1; ; cp++) {
      const c = String.fromCodePoint(cp);
      if (!used.has(c) && !this.#reserved.has(c) && /\p{L}/u.test(c)) return c;
    }
  }
}

/**
 * A value as TestScheduler records it: a cold Observable of a values map (an Observable of
 * Observables) becomes its messages, as the parsed marbles have it.
 */
function recorded(value: unknown): unknown {
  const messages = (value as { messages?: unknown } | null)?.messages;
  return typeof (value as { subscribe?: unknown } | null)?.subscribe === 'function' && allOf(messages, isMessage) ? messages : value;
}

/** Characters marbles give a meaning to (and the space, which a key cannot be). */
const RESERVED = new Set(['-', '|', '#', '(', ')', '^', '!', ' ']);
const KEY_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** The frame a character stands for (1 in `run()`, 10 outside it), unless a frame falls between two. */
function scale(frames: number[]): { factor: number; note: string | undefined } {
  const factor = TestScheduler.frameTimeFactor;
  if (factor === 1 || frames.every((f) => !Number.isFinite(f) || f % factor === 0)) return { factor, note: undefined };
  return { factor: 1, note: `one character is one frame here (some frames fall between the ${factor} frames a marble character stands for)` };
}

function pad(label: string): string {
  return label.padEnd(10);
}

/** One line's tokens: values by their keys, `|`, `#`, and a group for what shares a frame. */
function messageTokens(messages: MarbleMessage[], side: Side, keys: Keys, factor: number, onError: (error: unknown) => void): Token[] {
  const byFrame = new Map<number, string[]>();
  let ends = false;
  for (const m of messages) {
    const n = m.notification;
    let c: string;
    if (n.kind === 'N') c = keys.keyOf(n.value, side);
    else if (n.kind === 'C') c = '|';
    else {
      c = '#';
      onError(n.error);
    }
    if (n.kind !== 'N') ends = true;
    byFrame.set(m.frame, [...(byFrame.get(m.frame) ?? []), c]);
  }
  const frames = [...byFrame.keys()];
  return frames.map((frame, i) => {
    const cs = byFrame.get(frame)!;
    return { tick: frame / factor, text: cs.length === 1 ? cs[0]! : `(${cs.join('')})`, ends: ends && i === frames.length - 1 };
  });
}

/** The lines that draw two arrays of TestScheduler messages, and list their values. */
function describeMessages(actual: MarbleMessage[], expected: MarbleMessage[], equals: (a: unknown, b: unknown) => boolean, given: DescribeOptions['values']): string {
  const values = [...expected, ...actual].filter((m) => m.notification.kind === 'N').map((m) => m.notification.value);
  const keys = new Keys(equals, values, given);
  const errors: Array<{ side: Side; error: unknown }> = [];
  const { factor, note } = scale([...expected, ...actual].map((m) => m.frame));
  const tokens = (messages: MarbleMessage[], side: Side): Token[] => messageTokens(messages, side, keys, factor, (error) => errors.push({ side, error }));
  const exp = tokens(expected, 'expected');
  const act = tokens(actual, 'actual');
  const drawn = layout([exp, act], factor === 1 && TestScheduler.frameTimeFactor === 1);
  const line = (l: string): string => (l === '' ? '(nothing)' : l);
  const out = ['the notifications differ from the marbles expected:', '', `${pad('expected')}${line(drawn.lines[0]!)}`, `${pad('actual')}${line(drawn.lines[1]!)}`];
  if (drawn.inexact) {
    const at = (ts: Token[]): string => ts.map((t) => `${t.text}@${t.tick * factor}`).join(' ');
    out.push('', 'Some are drawn later than their frame (a group is wider than the time to the next); the frames:', `${pad('expected')}${at(exp)}`, `${pad('actual')}${at(act)}`);
  }
  if (note) out.push('', note);
  const listed = keys.entries.map((e) => ({ key: e.key, text: formatValue(e.value), only: e.sides.size === 1 ? [...e.sides][0] : undefined }));
  const [e, a] = [errors.find((x) => x.side === 'expected'), errors.find((x) => x.side === 'actual')];
  if (e && a && equals(e.error, a.error)) listed.push({ key: '#', text: formatValue(e.error), only: undefined });
  else for (const x of [e, a]) if (x) listed.push({ key: '#', text: formatValue(x.error), only: x.side });
  if (listed.length > 0) {
    out.push('');
    for (const l of listed) out.push(`${l.key.padEnd(3)}${l.text}${l.only ? `   (${l.only} only)` : ''}`);
  }
  return out.join('\n');
}

/**
 * A subscription as marbles: `^` where it starts (it takes a frame), `!` where it ends, `(^!)`
 * for both at once. Each is drawn on its own, so that a `(^!)` on one line does not push the
 * others off their frames: with no long gap, a column is a frame on every line.
 */
function subscriptionMarbles(s: MarbleSubscription, factor: number, progression: boolean): string {
  const dashes = (n: number): string => (progression && n > LONG_GAP ? ` ${n}ms ` : '-'.repeat(n));
  const sub = s.subscribedFrame / factor;
  const unsub = s.unsubscribedFrame / factor;
  if (unsub === sub) return `${dashes(sub)}(^!)`;
  return `${dashes(sub)}^${Number.isFinite(unsub) ? `${dashes(unsub - sub - 1)}!` : ''}`;
}

/** The lines that draw two lists of subscriptions, one line each, with their frames. */
function describeSubscriptions(actual: MarbleSubscription[], expected: MarbleSubscription[]): string {
  const { factor } = scale([...expected, ...actual].flatMap((s) => [s.subscribedFrame, s.unsubscribedFrame]));
  const progression = factor === 1 && TestScheduler.frameTimeFactor === 1;
  const drawn = [...expected, ...actual].map((s) => subscriptionMarbles(s, factor, progression));
  const width = Math.max(...drawn.map((l) => l.length));
  const frames = (s: MarbleSubscription): string =>
    `subscribed at ${s.subscribedFrame}${Number.isFinite(s.unsubscribedFrame) ? `, unsubscribed at ${s.unsubscribedFrame}` : ', never unsubscribed'}`;
  const out = ['the subscriptions differ from the marbles expected:', ''];
  const side = (label: string, subs: MarbleSubscription[], offset: number): void => {
    if (subs.length === 0) out.push(`${pad(label)}(none)`);
    subs.forEach((s, i) => out.push(`${pad(i === 0 ? label : '')}${drawn[offset + i]!.padEnd(width)}   ${frames(s)}`));
  };
  side('expected', expected, 0);
  side('actual', actual, expected.length);
  return out.join('\n');
}

/**
 * The text of a failed marble assertion: what TestScheduler's `assertDeepEqual` was given
 * (frames of `expectObservable`, or subscription logs of `expectSubscriptions`), drawn as
 * marble diagrams, expected above actual, aligned, and the values and errors listed under them.
 */
export function describeMarbleMismatch(actual: unknown, expected: unknown, options: DescribeOptions = {}): string {
  const equals = options.equals ?? sameValue;
  if (allOf(actual, isMessage) && allOf(expected, isMessage)) return describeMessages(actual, expected, equals, options.values);
  if (allOf(actual, isSubscription) && allOf(expected, isSubscription)) return describeSubscriptions(actual, expected);
  return ['the values differ:', `${pad('expected')}${formatValue(expected)}`, `${pad('actual')}${formatValue(actual)}`].join('\n');
}

/** A marble assertion that failed; its message draws both sides (describeMarbleMismatch). */
export class MarbleMismatchError extends Error {
  override name = 'MarbleMismatchError';
  /** What TestScheduler recorded. (Not named `actual`: test frameworks would print a raw diff of it.) */
  readonly actualFrames: unknown;
  /** What the marbles said. */
  readonly expectedFrames: unknown;
  constructor(actual: unknown, expected: unknown, options: DescribeOptions = {}) {
    super(describeMarbleMismatch(actual, expected, options));
    this.actualFrames = actual;
    this.expectedFrames = expected;
  }
}

/** What a `toBe` was given. */
interface Told {
  marbles: string;
  values: Record<string, unknown> | undefined;
  errorValue: unknown;
}

/**
 * A TestScheduler whose failures are drawn (describeMarbleMismatch). It keeps what each
 * `expectObservable(...).toBe(marbles, values)` was given, so that a failure draws the values
 * under the keys the test gave them.
 */
class MarbleScheduler extends TestScheduler {
  readonly #options: MarbleOptions;
  readonly #told: Told[] = [];

  constructor(options: MarbleOptions) {
    super(() => {});
    this.#options = options;
    this.assertDeepEqual = (actual, expected) => {
      if (sameMarbles(actual, expected, options)) return;
      throw new MarbleMismatchError(actual, expected, { ...options, values: this.#valuesOf(expected) });
    };
  }

  override expectObservable<T>(observable: Observable<T>, subscriptionMarbles: string | null = null): { toBe: ToBe; toEqual: (other: Observable<T>) => void } {
    const expectation = super.expectObservable(observable, subscriptionMarbles);
    return {
      toBe: (marbles: string, values?: Record<string, unknown>, errorValue?: unknown) => {
        this.#told.push({ marbles, values, errorValue });
        expectation.toBe(marbles, values, errorValue);
      },
      toEqual: (other: Observable<T>) => expectation.toEqual(other),
    };
  }

  /** The values map of the toBe whose marbles gave `expected`: they are parsed again, in either mode, and compared. */
  #valuesOf(expected: unknown): Record<string, unknown> | undefined {
    const equals = this.#options.equals ?? sameValue;
    const same = { equals: (a: unknown, b: unknown) => Object.is(a, b) || equals(a, b) };
    for (const told of [...this.#told].reverse()) {
      for (const runMode of [true, false]) {
        try {
          if (sameMarbles(TestScheduler.parseMarbles(told.marbles, told.values, told.errorValue, true, runMode), expected, same)) return told.values;
        } catch {
          // Marbles this mode cannot read: the other one.
        }
      }
    }
    return undefined;
  }
}

/**
 * A TestScheduler for any test framework: it compares what `expectObservable` and
 * `expectSubscriptions` saw with their marbles (values by `equals`, sameValue by default) and
 * throws a MarbleMismatchError that draws both, the values under the test's own keys. One per
 * test: its clock does not go back to 0.
 */
export function marbleScheduler(options: MarbleOptions = {}): TestScheduler {
  return new MarbleScheduler(options);
}
