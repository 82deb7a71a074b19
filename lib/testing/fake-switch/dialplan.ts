/**
 * A small dialplan: extensions matched on the destination number within a context, each a
 * list of applications (or a `socket` target for outbound mode). It plays the part of
 * mod_dialplan_xml for the destinations of `originate`, `fake.call()`, `transfer` and the
 * b-leg of `loopback/<extension>/<context>`.
 *
 * The built-in extensions are those of the `default` context the captures were made with
 * (outbound, park, echo, answer_park, tone, hangup): a test dialplan, not FreeSWITCH's stock
 * one. A destination no extension matches has no route (the channel hangs up with
 * NO_ROUTE_DESTINATION, as mod_dialplan_xml leaves it), unless a catch-all is asked for.
 */

/**
 * One dialplan action: `'answer'`, `'playback ivr/welcome.wav'`, `'hangup(USER_BUSY)'`,
 * `['playback', 'ivr/welcome.wav']` or `{ app: 'playback', data: 'ivr/welcome.wav' }`.
 */
export type DialplanAction = string | readonly [app: string, data?: string] | { readonly app: string; readonly data?: string };

/** An application and its argument, normalised. */
export interface Action {
  app: string;
  data: string;
}

/** A dialplan extension. */
export interface ExtensionDefinition {
  /** Shown in logs. Default: the destination pattern. */
  name?: string;
  /** The destination number: an exact string, or a RegExp tested against it. */
  destination: string | RegExp;
  /** The context (default `default`); `*` matches every context. */
  context?: string;
  /** The applications to run, in order. */
  actions?: readonly DialplanAction[];
  /** Shortcut for `[['socket', target]]`: e.g. `127.0.0.1:8084 async full`. */
  socket?: string;
  /** Computes the applications from the destination (overrides `actions`). */
  handler?: (destination: string, variables: ReadonlyMap<string, string>) => readonly DialplanAction[];
}

/** The extension a lookup found. */
export interface Extension {
  name: string;
  actions: Action[];
}

/** Parses one action. */
export function toAction(a: DialplanAction): Action {
  if (typeof a === 'string') {
    const call = /^([A-Za-z0-9_:-]+)\((.*)\)$/s.exec(a.trim());
    if (call) return { app: call[1]!, data: call[2]! };
    const s = a.trim();
    const sp = s.indexOf(' ');
    return sp < 0 ? { app: s, data: '' } : { app: s.slice(0, sp), data: s.slice(sp + 1) };
  }
  if (Array.isArray(a)) return { app: String(a[0]), data: a[1] === undefined ? '' : String(a[1]) };
  const o = a as { app: string; data?: string };
  return { app: o.app, data: o.data ?? '' };
}

interface Entry {
  def: ExtensionDefinition;
  builtin: boolean;
}

/**
 * The switch's dialplan: `fake.dialplan` (or `fake.extension()` to add one extension). Each
 * lookup tries the added extensions in order, then the defaults, then the catch-all if it is on.
 */
export class Dialplan {
  #entries: Entry[] = [];
  #inline = new Map<string, Action[]>();
  #catchAll: boolean;

  constructor(outboundSocket: string, catchAll = false) {
    this.#catchAll = catchAll;
    const builtin = (def: ExtensionDefinition): void => {
      this.#entries.push({ def, builtin: true });
    };
    builtin({ name: 'outbound', destination: 'outbound', socket: outboundSocket });
    builtin({ name: 'park', destination: 'park', actions: ['park'] });
    builtin({ name: 'echo', destination: 'echo', actions: ['answer', 'echo'] });
    builtin({ name: 'answer_park', destination: 'answer_park', actions: ['answer', 'park'] });
    builtin({ name: 'tone', destination: 'tone', actions: ['answer', 'playback tone_stream://%(1000,4000,440,480);loops=-1'] });
    builtin({ name: 'hangup', destination: 'hangup', actions: ['hangup NORMAL_CLEARING'] });
  }

  /** Adds an extension. Added extensions are tried in the order added, all before the built-in ones. Returns a remover. */
  add(def: ExtensionDefinition): () => void {
    const entry: Entry = { def, builtin: false };
    const firstBuiltin = this.#entries.findIndex((e) => e.builtin);
    this.#entries.splice(firstBuiltin < 0 ? this.#entries.length : firstBuiltin, 0, entry);
    return () => {
      const i = this.#entries.indexOf(entry);
      if (i >= 0) this.#entries.splice(i, 1);
    };
  }

  /** Removes every extension, built-in ones included, and the catch-all. */
  clear(): void {
    this.#entries = [];
    this.#catchAll = false;
  }

  /**
   * Whether a destination no extension matches answers and parks. Off by default: such a
   * destination has no route, as on FreeSWITCH. clear() turns it off too.
   */
  set catchAll(on: boolean) {
    this.#catchAll = on;
  }

  get catchAll(): boolean {
    return this.#catchAll;
  }

  /** The extensions that a lookup in `context` would try, in order (for the dialplan log lines). */
  candidates(context: string): Array<{ name: string; pattern: string }> {
    return this.#entries
      .filter((e) => (e.def.context ?? 'default') === context || e.def.context === '*')
      .map((e) => ({ name: e.def.name ?? String(e.def.destination), pattern: patternOf(e.def.destination) }));
  }

  /** Finds the extension for a destination in a context, or undefined (no route). */
  lookup(destination: string, context: string, variables: ReadonlyMap<string, string> = new Map()): Extension | undefined {
    if (context === 'inline' && destination.startsWith('xferext:')) {
      const actions = this.#inline.get(destination.slice(8));
      this.#inline.delete(destination.slice(8));
      return actions ? { name: 'xferext', actions } : undefined;
    }
    for (const { def } of this.#entries) {
      const ctx = def.context ?? 'default';
      if (ctx !== '*' && ctx !== context) continue;
      const d = def.destination;
      const hit = typeof d === 'string' ? d === destination : (d.lastIndex = 0, d.test(destination));
      if (!hit) continue;
      const name = def.name ?? (typeof d === 'string' ? d : destination);
      if (def.handler) return { name, actions: def.handler(destination, variables).map(toAction) };
      if (def.socket !== undefined) return { name, actions: [{ app: 'socket', data: def.socket }] };
      return { name, actions: (def.actions ?? []).map(toAction) };
    }
    if (this.#catchAll) return { name: destination, actions: [{ app: 'answer', data: '' }, { app: 'park', data: '' }] };
    return undefined;
  }

  /** Keeps an inline extension for a channel (sendmsg xferext). */
  pushInline(uuid: string, actions: DialplanAction[]): void {
    this.#inline.set(uuid, actions.map(toAction));
  }
}

function patternOf(d: string | RegExp): string {
  if (typeof d !== 'string') return d.source;
  return `^${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
