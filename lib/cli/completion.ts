/**
 * Tab completion at the prompt. The api commands come from the switch itself (`show api as
 * json`: every command its modules registered, with its syntax), or from a list of the common
 * ones when that fails. Later words are completed from the command's syntax, and a uuid from
 * the live channels.
 */
import { EVENT_FORMATS } from '../protocol/content-type.js';
import { EVENT_NAMES, LOG_LEVELS } from '../protocol/event-names.js';
import { SLASH_WORDS } from './commands.js';

/** mod_commands' usual commands, for a switch that does not answer `show api as json`. */
const COMMON_APIS: readonly string[] = [
  'bgapi', 'break', 'create_uuid', 'echo', 'eval', 'expand', 'fsctl', 'global_getvar', 'global_setvar', 'help',
  'hostname', 'hupall', 'load', 'log', 'module_exists', 'msleep', 'originate', 'reload', 'reloadacl', 'reloadxml',
  'sched_api', 'sched_del', 'sched_hangup', 'sched_transfer', 'show', 'shutdown', 'sofia', 'status', 'switchname',
  'unload', 'uptime', 'user_exists', 'uuid_answer', 'uuid_break', 'uuid_bridge', 'uuid_broadcast', 'uuid_chat',
  'uuid_dump', 'uuid_exists', 'uuid_flush_dtmf', 'uuid_getvar', 'uuid_hold', 'uuid_kill', 'uuid_park',
  'uuid_pre_answer', 'uuid_record', 'uuid_recv_dtmf', 'uuid_send_dtmf', 'uuid_setvar', 'uuid_setvar_multi',
  'uuid_transfer', 'version',
];

/** The api commands a switch knows, with their syntax. */
export class ApiCatalog {
  readonly #syntax: Map<string, string>;
  /** Whether the list came from the switch. */
  readonly fromSwitch: boolean;

  private constructor(entries: Iterable<readonly [string, string]>, fromSwitch: boolean) {
    this.#syntax = new Map(entries);
    this.fromSwitch = fromSwitch;
  }

  /** From the body of `api show api as json`; undefined when it is not that. */
  static fromShowApi(body: string): ApiCatalog | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    const rows = (parsed as { rows?: unknown }).rows;
    if (!Array.isArray(rows)) return undefined;
    const entries: Array<[string, string]> = [];
    for (const r of rows as Array<Record<string, unknown>>) {
      if (typeof r.name === 'string' && r.name !== '') entries.push([r.name, typeof r.syntax === 'string' ? r.syntax : '']);
    }
    return entries.length > 0 ? new ApiCatalog(entries, true) : undefined;
  }

  /** The common mod_commands list, without syntax. */
  static fallback(): ApiCatalog {
    return new ApiCatalog(
      COMMON_APIS.map((n) => [n, ''] as const),
      false,
    );
  }

  get names(): string[] {
    return [...this.#syntax.keys()].sort();
  }

  syntax(name: string): string | undefined {
    return this.#syntax.get(name);
  }
}

/** Words a syntax string offers: `codec|endpoint|calls [count]` gives codec, endpoint, calls, count. */
export function syntaxWords(syntax: string): string[] {
  const out = new Set<string>();
  // Placeholders (<uuid>, <match string>) are not words to type.
  for (const m of syntax.replace(/<[^>]*>/g, ' ').matchAll(/[A-Za-z_][A-Za-z0-9_:.-]*/g)) out.add(m[0]);
  return [...out];
}

/** True when the word being typed is where a channel uuid goes (`uuid_kill <uuid>`, `/bgapi uuid_kill <uuid>`). */
export function wantsUuid(line: string, catalog: ApiCatalog): boolean {
  const ws = line.split(' ');
  if (ws[0]?.toLowerCase() === '/bgapi') ws.shift();
  const cmd = ws[0] ?? '';
  const position = ws.length - 1;
  if (position < 1) return false;
  if (position === 1 && cmd.startsWith('uuid_')) return true;
  return position <= 2 && /uuid/i.test(catalog.syntax(cmd) ?? '');
}

const FILTER_HEADERS = [
  'delete', 'Event-Name', 'Event-Subclass', 'Unique-ID', 'Job-UUID', 'Caller-Context', 'Call-Direction',
  'Channel-Name', 'Caller-Caller-ID-Number', 'Caller-Destination-Number', 'Application',
];

function matching(candidates: Iterable<string>, prefix: string): string[] {
  const out = new Set<string>();
  const lower = prefix.toLowerCase();
  for (const c of candidates) if (c.toLowerCase().startsWith(lower)) out.add(c);
  return [...out].sort();
}

/**
 * readline's completer: the candidates for the word being typed, and that word. `uuids` are
 * the live channels, offered where a uuid goes.
 */
export function complete(line: string, catalog: ApiCatalog, uuids: readonly string[] = []): [string[], string] {
  const ws = line.split(' ');
  const current = ws[ws.length - 1] ?? '';
  const position = ws.length - 1;
  const first = ws[0] ?? '';
  if (position === 0) {
    return [matching(current.startsWith('/') ? SLASH_WORDS : catalog.names, current), current];
  }
  const lowered = first.toLowerCase();
  if (lowered === '/event' || lowered === '/nixevent') {
    const names = ['ALL', ...EVENT_NAMES];
    const afterCustom = ws.slice(1, -1).some((w) => w.toUpperCase() === 'CUSTOM');
    // After CUSTOM every token is a subclass: nothing to offer.
    if (afterCustom) return [[], current];
    const offer = lowered === '/event' && position === 1 ? [...EVENT_FORMATS, ...names] : names;
    return [matching(offer, current), current];
  }
  if (lowered === '/log') return [position === 1 ? matching([...LOG_LEVELS], current) : [], current];
  if (lowered === '/view') return [position === 1 ? matching(['line', 'full'], current) : [], current];
  if (lowered === '/filter') return [position === 1 ? matching(FILTER_HEADERS, current) : [], current];
  if (lowered === '/bgapi') {
    if (position === 1) return [matching(catalog.names, current), current];
    return complete(ws.slice(1).join(' '), catalog, uuids);
  }
  if (first.startsWith('/')) return [[], current];
  const offer = [...syntaxWords(catalog.syntax(first) ?? '')];
  if (wantsUuid(line, catalog)) offer.unshift(...uuids);
  return [matching(offer, current), current];
}
