/**
 * `show` (mod_commands' show_function): the channels, calls, bridged_calls, api and
 * application tables, as delimited text (commas by default, with a total line), XML or JSON,
 * as FreeSWITCH prints them from its core database (core-db.ts: rows written ~200 ms after
 * the events that change them); `show status` runs `status`.
 */
import { xmlEscapeText } from '../../protocol/event-serialize.js';
import { CALL_A_COLUMNS, CALL_B_COLUMNS, CHANNEL_COLUMNS, CoreDb } from './core-db.js';
import type { SwitchCore } from './core.js';

/** The values a column holds for a row ('' for a NULL, as switch_str_nil makes it). */
function valuesOf(columns: readonly string[], row: Record<string, string>): string[] {
  return columns.map((c) => row[c] ?? '');
}

/**
 * show_as_xml_callback's tree through switch_xml_toxml: `<result row_count="N">`, a
 * `<row row_id="i">` per row with one element per column, two spaces of indent per level;
 * element text escaped as switch_xml_ampencode does. No rows: `<result row_count="0"/>`.
 */
function renderXml(columns: readonly string[], rows: ReadonlyArray<Record<string, string>>, count: number, justCount: boolean): string {
  if (!justCount && rows.length === 0) return '<result row_count="0"/>\n';
  if (justCount) return `<result row_count="${count}"></result>\n`;
  let out = `<result row_count="${count}">\n`;
  rows.forEach((row, i) => {
    out += `  <row row_id="${i + 1}">\n`;
    const values = valuesOf(columns, row);
    columns.forEach((c, k) => {
      out += `    <${c}>${xmlEscapeText(Buffer.from(values[k]!, 'utf8'))}</${c}>\n`;
    });
    out += '  </row>\n';
  });
  return Buffer.from(`${out}</result>\n`, 'latin1').toString('utf8');
}

/**
 * The end of show_function: the rows as `as` asks (delim, the default, with `delim`; csv is
 * delim; xml; json), or `-ERR Cannot find format`. `justCount` is a `count` query: one row,
 * the number.
 */
function renderRows(columns: readonly string[], rows: ReadonlyArray<Record<string, string>>, as: string, delim: string, justCount: boolean): string {
  const count = rows.length;
  const format = as.toLowerCase();
  if (format === 'delim' || format === 'csv') {
    if (justCount) return `\n${count} total.\n`;
    let out = '';
    if (count > 0) out += `${columns.join(delim)}\n`;
    for (const r of rows) out += `${valuesOf(columns, r).join(delim)}\n`;
    return `${out}\n${count} total.\n`;
  }
  if (format === 'xml') return renderXml(columns, rows, count, justCount);
  if (format === 'json') {
    if (justCount) return JSON.stringify({ row_count: count, rows: [] });
    if (count === 0) return '{"row_count": 0}\n';
    return JSON.stringify({ row_count: count, rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? '']))) });
  }
  return `-ERR Cannot find format ${as}\n`;
}

/**
 * `show channels like <text>`: SQL LIKE on uuid, name, cid_name, cid_num, presence_data and
 * accountcode (case-insensitive for ASCII); without a % in the text it is %text%. Quotes and
 * semicolons become spaces first.
 */
function likeFilter(text: string): (row: Record<string, string>) => boolean {
  const cleaned = text.replace(/['; ]/g, ' ');
  const pattern = cleaned.includes('%') ? cleaned : `%${cleaned}%`;
  const source = [...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const re = new RegExp(`^${source}$`, 'is');
  return (row) => ['uuid', 'name', 'cid_name', 'cid_num', 'presence_data', 'accountcode'].some((c) => re.test(row[c] ?? ''));
}

/** Registers `show`. */
export function registerShowApi(core: SwitchCore): void {
  const r = core.apis;
  const mc = 'mod_commands';
  const db = new CoreDb(core, core.options.coreDbDelayMs);

  const SHOW_SYNTAX =
    'codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status';
  r.register(
    'show',
    async (args) => {
      // switch_separate_string into at most 6 words; `as <format>` right after the command,
      // later for the queries that take more words.
      const argv = args.split(' ').filter((x) => x !== '').slice(0, 6);
      const command = argv[0];
      const is = (i: number, word: string): boolean => argv[i]?.toLowerCase() === word;
      let as = argv[2] !== undefined && is(1, 'as') ? argv[2] : undefined;
      if (command === undefined) return `-USAGE: ${SHOW_SYNTAX}\n`;
      const what = command.toLowerCase();
      let columns: readonly string[];
      let rows: Array<Record<string, string>>;
      let justCount = false;
      if (what.startsWith('status')) {
        // "show status" for those who type it at the CLI: the status command itself.
        const { output } = await core.apis.run(command, as ?? argv[1] ?? '', {});
        return output;
      } else if (what === 'api' || what === 'application') {
        const all =
          what === 'api'
            ? core.apis.list().map((a) => ({ name: a.name, description: a.description, syntax: a.syntax, ikey: a.module }))
            : core.apps.names().map((n) => ({ name: n, description: n, syntax: '', ikey: 'mod_dptools' }));
        const named = argv[1] !== undefined && !is(1, 'as') ? argv[1] : undefined;
        columns = ['name', 'description', 'syntax', 'ikey'];
        rows = all.filter((a) => a.description !== '' && (named === undefined || a.name === named));
      } else if (what === 'calls' || what === 'bridged_calls') {
        columns = [...CALL_A_COLUMNS, ...CALL_B_COLUMNS.map((c) => `b_${c}`), 'call_created_epoch'];
        rows = db.callRows();
        if (what === 'bridged_calls') rows = rows.filter((row) => row['b_uuid'] !== '');
        else if (is(1, 'count')) {
          justCount = true;
          if (argv[3] !== undefined && is(2, 'as')) as = argv[3];
        }
      } else if (what === 'channels') {
        columns = CHANNEL_COLUMNS;
        rows = db.channelRows();
        if (is(1, 'like')) {
          if (argv[2] !== undefined) {
            rows = rows.filter(likeFilter(argv[2]));
            if (argv[4] !== undefined && is(3, 'as')) as = argv[4];
          }
        } else if (is(1, 'count')) {
          justCount = true;
          if (argv[3] !== undefined && is(2, 'as')) as = argv[3];
        }
      } else {
        return `-USAGE: ${SHOW_SYNTAX}\n`;
      }
      // Without `as`: delim with a comma. With `as delim` (or csv), the delimiter is the fourth
      // word, whatever the query put there.
      const delim = as === undefined ? ',' : (argv[3] ?? ',');
      return renderRows(columns, rows, as ?? 'delim', delim, justCount);
    },
    { description: 'Show various reports', syntax: SHOW_SYNTAX, module: mc },
  );
}
