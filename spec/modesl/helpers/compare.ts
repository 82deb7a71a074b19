/**
 * The comparison harness: one scenario, written once against modesl's API, is run through
 * modesl 1.2.1 and through rxesl/modesl, each against its own FakeSwitch. Each run gives a
 * trace (the names emitted, the callbacks with what they received, notes, then the command
 * lines FreeSWITCH read); the two traces are normalised and diffed line by line.
 */
import { FakeSwitch, type FakeSwitchOptions } from 'rxesl/testing';

export type Impl = 'modesl' | 'rxesl';

/** The part of an Event both libraries share (modesl's has no types). */
export interface AnyEvent {
  getHeader(name: string): unknown;
  getBody(): string;
  getType(): string | undefined;
}

/** An EventEmitter2 of either version. */
export interface AnyEmitter {
  on(name: string, fn: (...args: any[]) => void): unknown;
  once(name: string, fn: (...args: any[]) => void): unknown;
}

export interface Run {
  impl: Impl;
  /** The module: `require('modesl')` or `rxesl/modesl`. */
  esl: any;
  fs: FakeSwitch;
  trace: string[];
  note(line: string): void;
  /** Records every name the emitter emits (from a `**` listener, as a user's catch-all). */
  watch(emitter: AnyEmitter, prefix?: string): void;
  /** A callback that records `cb:<label> <what it got>`. */
  cb(label: string): (...args: any[]) => void;
  /** Starts a callback-style call and resolves with its arguments once it calls back (recorded). */
  step(label: string, start: (cb: (...args: any[]) => void) => void): Promise<any[]>;
  /** An inbound modesl Connection to this run's FakeSwitch, watched, once esl::ready and modesl's subscription are answered. */
  connect(password?: string, watched?: boolean): Promise<any>;
  /** Resolves on the next emit of that name. */
  next(emitter: AnyEmitter, name: string): Promise<any[]>;
  /** Waits until the predicate holds (polling every 5 ms), at most `ms`. */
  until(predicate: () => boolean, ms?: number): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Commands the FakeSwitch read so far (first lines). */
  wire(): string[];
}

export type Scenario = (run: Run) => Promise<void>;

/** What a callback got, in a line: the type, the Reply-Text, the first word of the body (uptimes differ). */
export function summary(args: unknown[]): string {
  const [first] = args;
  if (first === undefined) return '(nothing)';
  if (first === null) return `null ${args.length > 1 ? summary(args.slice(1)) : ''}`.trim();
  if (first instanceof Error) return `${first.name}: ${first.message}`;
  const e = first as Partial<AnyEvent>;
  if (typeof e.getHeader !== 'function') return JSON.stringify(first);
  const type = e.getType?.() ?? '-';
  const reply = e.getHeader('Reply-Text') ?? '';
  const body = (e.getBody?.() ?? '').split(/\s/)[0] ?? '';
  return `${type} | ${reply} | ${body}`.replace(/\n/g, '\\n');
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every uuid becomes <uN>, numbered in order of first appearance. */
export function normalise(lines: readonly string[]): string[] {
  const seen = new Map<string, string>();
  return lines.map((l) =>
    l.replace(UUID, (u) => {
      const k = u.toLowerCase();
      if (!seen.has(k)) seen.set(k, `<u${seen.size + 1}>`);
      return seen.get(k)!;
    }),
  );
}

export interface Difference {
  /** The run that has the line and the other does not. */
  only: Impl;
  line: string;
}

/** The lines of a and b that are not in their longest common subsequence, in order. */
export function diff(a: readonly string[], b: readonly string[]): Difference[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: Difference[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ only: 'modesl', line: a[i++]! });
    } else {
      out.push({ only: 'rxesl', line: b[j++]! });
    }
  }
  return out;
}

/** Runs a scenario with one library against a new FakeSwitch; returns its normalised trace. */
export async function runScenario(impl: Impl, esl: any, scenario: Scenario, options: FakeSwitchOptions = {}): Promise<string[]> {
  const fs = await FakeSwitch.start({ password: 'ClueCon', heartbeatIntervalMs: 0, ...options });
  const trace: string[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const watch = (emitter: AnyEmitter, prefix = ''): void => {
    emitter.on('**', function (this: { event: string | string[] }) {
      const name = Array.isArray(this.event) ? this.event.join('::') : String(this.event);
      // EventEmitter2 4 (modesl's) emits its own removeListener events.
      if (name !== 'removeListener' && name !== 'newListener') trace.push(`${prefix}emit ${name}`);
    });
  };
  const cb =
    (label: string) =>
    (...args: unknown[]): void => {
      trace.push(`cb:${label} ${summary(args)}`);
    };
  const run: Run = {
    impl,
    esl,
    fs,
    trace,
    note: (line) => trace.push(`note ${line}`),
    watch,
    cb,
    step: (label, start) =>
      new Promise((resolve) =>
        start((...args: unknown[]) => {
          cb(label)(...args);
          resolve(args);
        }),
      ),
    connect: async (password = 'ClueCon', watched = true) => {
      const conn = new esl.Connection('127.0.0.1', fs.port, password);
      if (watched) watch(conn);
      // The replies to auth and to the subscription modesl sends (esl::ready comes between them).
      let replies = 0;
      await new Promise<void>((resolve) => conn.many('esl::event::command::reply', 2, () => ++replies === 2 && resolve()));
      return conn;
    },
    next: (emitter, name) => new Promise((resolve) => emitter.once(name, (...args: unknown[]) => resolve(args))),
    until: async (predicate, ms = 5000) => {
      const end = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > end) throw new Error(`${impl}: condition not reached in time; trace so far:\n${trace.join('\n')}`);
        await sleep(5);
      }
    },
    sleep,
    wire: () => fs.received.map((c) => c.line),
  };
  try {
    await scenario(run);
    return normalise([...trace, ...run.wire().map((l) => `wire ${l}`)]);
  } finally {
    await fs.stop();
  }
}
