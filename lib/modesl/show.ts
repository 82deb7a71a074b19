/**
 * What modesl's `show(item, format, cb)` makes of the output of `show <item> as <format>`
 * (FreeSWITCH's mod_commands show_function): json, xml, or `delim <separator>`.
 */
import { XMLParser } from 'fast-xml-parser';

/** A parsed `show` result. json keeps FreeSWITCH's object (row_count, rows); xml and delim give rowCount and rows. */
export interface ShowResult {
  rows: Array<Record<string, string>>;
  rowCount?: number;
  row_count?: number;
  [key: string]: unknown;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributesGroupName: '$',
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // FreeSWITCH writes one <row> per row: a single row must still be a list.
  isArray: (_name, jpath) => jpath === 'result.row',
});

function fromXml(data: string): ShowResult {
  const doc = xml.parse(data) as { result?: { $?: { row_count?: string }; row?: Array<Record<string, unknown>> } };
  const result = doc.result;
  if (result === undefined) throw new SyntaxError('show ... as xml: no <result> element');
  const rows: Array<Record<string, string>> = [];
  for (const row of result.row ?? []) {
    const out: Record<string, string> = {};
    // modesl dropped the row's attributes (row_id) and kept its elements as strings.
    for (const [k, v] of Object.entries(row)) if (k !== '$') out[k] = typeof v === 'string' ? v : '';
    rows.push(out);
  }
  return { rowCount: parseInt(result.$?.row_count ?? String(rows.length), 10), rows };
}

function fromDelim(data: string, separator: string): ShowResult {
  // After the rows FreeSWITCH writes a blank line and "<n> total.".
  const lines = data.split('\n').filter((l) => l !== '' && !/^\d+ total\.$/.test(l));
  const cols = (lines[0] ?? '').split(separator);
  const rows = lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    line.split(separator).forEach((v, i) => {
      row[cols[i] ?? String(i)] = v;
    });
    return row;
  });
  return { rowCount: rows.length, rows };
}

/** Parses the output; throws (SyntaxError) when it does not parse in that format. */
export function parseShow(format: string, data: string): ShowResult {
  if (format === 'json') {
    const parsed = JSON.parse(data) as ShowResult;
    if (!parsed.rows) parsed.rows = [];
    return parsed;
  }
  if (format === 'xml') return fromXml(data);
  if (format.startsWith('delim')) return fromDelim(data, format.replace('delim ', ''));
  // FreeSWITCH knows json, xml and delim: any other format gives no rows.
  return { rows: [] };
}
