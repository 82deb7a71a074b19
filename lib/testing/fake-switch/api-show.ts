/**
 * `show` (mod_commands' show_function): the channels, calls, bridged_calls, api and
 * application tables, as text (comma-separated with a total line) or JSON, as FreeSWITCH
 * prints them from its core database.
 */
import type { Channel } from './channel.js';
import type { SwitchCore } from './core.js';
import { localStamp } from './events.js';

const CHANNEL_COLUMNS = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'application',
  'application_data',
  'dialplan',
  'context',
  'read_codec',
  'read_rate',
  'read_bit_rate',
  'write_codec',
  'write_rate',
  'write_bit_rate',
  'secure',
  'hostname',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'sent_callee_name',
  'sent_callee_num',
  'initial_cid_name',
  'initial_cid_num',
  'initial_ip_addr',
  'initial_dest',
  'initial_dialplan',
  'initial_context',
] as const;

const CALL_A_COLUMNS = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'hostname',
  'sent_callee_name',
  'sent_callee_num',
] as const;

/** The b leg's columns of `show calls`: the a leg's without call_uuid and hostname. */
const CALL_B_COLUMNS = CALL_A_COLUMNS.filter((c) => c !== 'call_uuid' && c !== 'hostname');

/** A channel's row of the channels table (switch_core_sqldb.c). */
function channelRow(core: SwitchCore, ch: Channel): Record<string, string> {
  const p = ch.profile;
  const createdMs = Math.floor(ch.times.created / 1000);
  return {
    uuid: ch.uuid,
    direction: ch.direction,
    created: localStamp(createdMs),
    created_epoch: String(Math.floor(createdMs / 1000)),
    name: ch.name,
    state: ch.stateName,
    cid_name: p.callerIdName,
    cid_num: p.callerIdNumber,
    ip_addr: p.networkAddr,
    dest: p.destinationNumber,
    application: ch.getVar('current_application') ?? '',
    application_data: ch.getVar('current_application_data') ?? '',
    dialplan: p.dialplan.toUpperCase(),
    context: p.context,
    read_codec: ch.readCodec?.name ?? '',
    read_rate: ch.readCodec ? String(ch.readCodec.rate) : '',
    read_bit_rate: ch.readCodec ? String(ch.readCodec.bitRate) : '',
    write_codec: ch.writeCodec?.name ?? '',
    write_rate: ch.writeCodec ? String(ch.writeCodec.rate) : '',
    write_bit_rate: ch.writeCodec ? String(ch.writeCodec.bitRate) : '',
    secure: '',
    hostname: core.options.switchname,
    presence_id: ch.getVar('presence_id') ?? '',
    presence_data: ch.getVar('presence_data') ?? '',
    accountcode: ch.getVar('accountcode') ?? '',
    callstate: ch.callState,
    callee_name: p.calleeIdName,
    callee_num: p.calleeIdNumber,
    callee_direction: '',
    call_uuid: ch.getVar('call_uuid') ?? '',
    sent_callee_name: '',
    sent_callee_num: '',
    initial_cid_name: p.origCallerIdName,
    initial_cid_num: p.origCallerIdNumber,
    initial_ip_addr: p.networkAddr,
    initial_dest: p.destinationNumber,
    initial_dialplan: p.dialplan.toUpperCase(),
    initial_context: p.context,
  };
}

/** The rows of basic_calls: every channel that is not the callee side of a bridge, with its partner. */
function callRows(core: SwitchCore): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const ch of core.liveChannels()) {
    const partner = core.channel(ch.partnerUuid);
    if (partner && ch.otherLeg?.type === 'originator') continue;
    const a = channelRow(core, ch);
    const row: Record<string, string> = {};
    for (const c of CALL_A_COLUMNS) row[c] = a[c] ?? '';
    const b = partner ? channelRow(core, partner) : undefined;
    for (const c of CALL_B_COLUMNS) row[`b_${c}`] = b ? (b[c] ?? '') : '';
    row['call_created_epoch'] = b ? a['created_epoch']! : '';
    rows.push(row);
  }
  return rows;
}

/** show_callback / show_as_json_callback over rows. */
function renderRows(columns: readonly string[], rows: Array<Record<string, string>>, as: string | undefined, justCount: boolean): string {
  if (as !== undefined && as.toLowerCase() === 'json') {
    if (justCount) return JSON.stringify({ row_count: rows.length, rows: [] });
    if (rows.length === 0) return '{"row_count": 0}\n';
    return JSON.stringify({ row_count: rows.length, rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? '']))) });
  }
  if (as !== undefined) return `-ERR Cannot find format ${as}\n`;
  if (justCount) return `\n${rows.length} total.\n`;
  let out = '';
  if (rows.length > 0) out += `${columns.join(',')}\n`;
  for (const r of rows) out += `${columns.map((c) => r[c] ?? '').join(',')}\n`;
  return `${out}\n${rows.length} total.\n`;
}

/** Registers `show`. */
export function registerShowApi(core: SwitchCore): void {
  const r = core.apis;
  const mc = 'mod_commands';

  const SHOW_SYNTAX =
    'codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status';
  r.register(
    'show',
    (args) => {
      const argv = args.split(' ').filter((x) => x !== '');
      const what = (argv[0] ?? '').toLowerCase();
      const asAt = argv.findIndex((x, i) => i > 0 && x.toLowerCase() === 'as');
      const as = asAt > 0 ? argv[asAt + 1] : undefined;
      const count = argv[1]?.toLowerCase() === 'count';
      if (what === 'channels') {
        let list = core.liveChannels();
        if (argv[1]?.toLowerCase() === 'like' && argv[2]) {
          const needle = argv[2].replace(/%/g, '');
          list = list.filter((c) => [c.uuid, c.name, c.profile.callerIdName, c.profile.callerIdNumber].some((v) => v.includes(needle)));
        }
        return renderRows(CHANNEL_COLUMNS, list.map((c) => channelRow(core, c)), as, count);
      }
      if (what === 'calls' || what === 'bridged_calls') {
        let rows = callRows(core);
        if (what === 'bridged_calls') rows = rows.filter((r) => r['b_uuid'] !== '');
        return renderRows([...CALL_A_COLUMNS, ...CALL_B_COLUMNS.map((c) => `b_${c}`), 'call_created_epoch'], rows, as, count);
      }
      if (what === 'api') {
        const rows = core.apis.list().map((a) => ({ name: a.name, description: a.description, syntax: a.syntax, ikey: a.module }));
        return renderRows(['name', 'description', 'syntax', 'ikey'], rows, as, false);
      }
      if (what === 'application') {
        const rows = core.apps.names().map((n) => ({ name: n, description: n, syntax: '', ikey: 'mod_dptools' }));
        return renderRows(['name', 'description', 'syntax', 'ikey'], rows, as, false);
      }
      return `-USAGE: ${SHOW_SYNTAX}\n`;
    },
    { description: 'Show various reports', syntax: SHOW_SYNTAX, module: mc },
  );
}
