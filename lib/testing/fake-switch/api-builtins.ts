/**
 * The built-in API commands (mod_commands and a few others), with FreeSWITCH's output texts:
 * status, version, uptime, echo, eval, expand, global_getvar/setvar, create_uuid, hostname,
 * switchname, msleep, log, originate, the uuid_* family, hupall, show channels / calls / api,
 * module_exists, bgapi.
 */
import { serializeJson, serializePlain, serializeXml } from '../../protocol/event-serialize.js';
import type { Channel } from './channel.js';
import { causeName } from './constants.js';
import type { SwitchCore } from './core.js';
import { uuidBridge } from './bridge.js';
import type { EndpointRegistry } from './endpoints.js';
import { localStamp, type EventSite } from './events.js';
import { splitArgs, upTime } from './helpers.js';
import { parseLogArgs } from './logger.js';
import { originate } from './originate.js';
import { VERSION } from './options.js';
import { runAfterOriginate } from './routing.js';

/** Where uuid_dump creates its CHANNEL_DATA event. */
const UUID_DUMP: EventSite = { file: 'mod_commands.c', func: 'uuid_dump_function', line: 6468 };

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

function liveChannels(core: SwitchCore): Channel[] {
  return [...core.channels.values()].filter((c) => !c.destroyed).sort((a, b) => a.times.created - b.times.created);
}

/** The rows of basic_calls: every channel that is not the callee side of a bridge, with its partner. */
function callRows(core: SwitchCore): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const ch of liveChannels(core)) {
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

/** The DTMF characters FreeSWITCH sends (W and w are pauses, @ starts a duration). */
function dtmfDigits(s: string): string {
  const at = s.indexOf('@');
  return (at < 0 ? s : s.slice(0, at)).replace(/[^0-9*#A-Da-d]/g, '').toUpperCase();
}

export function registerBuiltinApis(core: SwitchCore, endpoints: EndpointRegistry): void {
  const r = core.apis;
  const mc = 'mod_commands';

  r.register(
    'status',
    () => {
      const o = core.options;
      const n = [...core.channels.values()].filter((c) => !c.destroyed).length;
      return (
        `UP ${upTime(core.uptimeMicros())}\n` +
        `FreeSWITCH (Version ${VERSION.fullHuman}) is ready\n` +
        `${core.sessionsSinceStartup} session(s) since startup\n` +
        `${n} session(s) - peak ${core.peakSessions}, last 5min ${core.peakSessions} \n` +
        `0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n` +
        `${o.maxSessions} session(s) max\n` +
        `min idle cpu 0.00/${o.idleCpu.toFixed(2)}\n` +
        `Current Stack Size/Max 240K/8192K\n`
      );
    },
    { description: 'Show current status', module: mc },
  );

  r.register(
    'version',
    (args) => (/short/i.test(args.split(' ')[0] ?? '') && args !== '' ? `${VERSION.short}\n` : `FreeSWITCH Version ${VERSION.full} (${VERSION.revisionHuman})\n`),
    { description: 'Version', syntax: '[short]', module: mc },
  );

  r.register(
    'uptime',
    (args) => {
      const scales: Record<string, number> = {
        '': 1_000_000,
        us: 1,
        microseconds: 1,
        ms: 1000,
        milliseconds: 1000,
        s: 1_000_000,
        seconds: 1_000_000,
        m: 60_000_000,
        minutes: 60_000_000,
        h: 3_600_000_000,
        hours: 3_600_000_000,
        d: 86_400_000_000,
        days: 86_400_000_000,
      };
      const scale = scales[args.toLowerCase()];
      if (scale === undefined) return '-USAGE: [us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]\n';
      return `${Math.floor(core.uptimeMicros() / scale)}\n`;
    },
    { description: 'Show uptime', syntax: '[us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]', module: mc },
  );

  r.register('echo', (args) => args, { description: 'Echo', syntax: '<data>', module: mc });

  const expandFor = (args: string): string => {
    let input = args;
    let channel: Channel | undefined;
    if (/^uuid:/i.test(input)) {
      const sp = input.indexOf(' ');
      channel = core.channel(sp < 0 ? input.slice(5) : input.slice(5, sp));
      input = sp < 0 ? '' : input.slice(sp + 1);
    }
    if (channel) return channel.expand(input);
    return input.replace(/\$\$\{([^}]+)\}|\$\{([^}]+)\}/g, (_m, g: string | undefined, v: string | undefined) => core.globals.get((g ?? v)!) ?? '');
  };

  r.register('eval', (args) => expandFor(args), { description: 'eval (noop)', syntax: '[uuid:<uuid> ]<expression>', module: mc });

  r.register(
    'expand',
    async (args, ctx) => {
      const expanded = expandFor(args);
      const sp = expanded.indexOf(' ');
      const cmd = sp < 0 ? expanded : expanded.slice(0, sp);
      const arg = sp < 0 ? '' : expanded.slice(sp + 1);
      // A nested command's failure leaves what switch_api_execute printed, then expand's own line.
      const { ok, output } = await core.apis.run(cmd, arg, { sessionUuid: ctx.sessionUuid });
      return ok ? output : `${output}-ERR Cannot execute command\n`;
    },
    { description: 'Execute an api with variable expansion', syntax: '[uuid:<uuid> ]<cmd> <args>', module: mc },
  );

  r.register(
    'global_getvar',
    (args) => {
      if (args === '') return [...core.globals].map(([k, v]) => `${k}=${v}\n`).join('');
      return core.globals.get(args) ?? '';
    },
    { description: 'Get global var', syntax: '<var>', module: mc },
  );

  r.register(
    'global_setvar',
    (args) => {
      const eq = args.indexOf('=');
      const name = (eq < 0 ? args : args.slice(0, eq)).trim();
      if (name === '') return '-USAGE: <var>=<value> [=<value2>]\n';
      const value = eq < 0 ? '' : args.slice(eq + 1).trim();
      if (value === '') core.globals.delete(name);
      else core.globals.set(name, value);
      return '+OK';
    },
    { description: 'Set global var', syntax: '<var>=<value> [=<value2>]', module: mc },
  );

  r.register('create_uuid', () => core.newUuid(), { description: 'Create a uuid', syntax: '<uuid> <other_uuid>', module: mc });
  r.register('hostname', () => core.options.hostname, { description: 'Return the system hostname', module: mc });
  r.register('switchname', () => core.options.switchname, { description: 'Return the switch name', module: mc });

  r.register(
    'msleep',
    async (args) => {
      const ms = Number.parseInt(args, 10);
      if (Number.isFinite(ms) && ms > 0) await core.scheduler.sleep(ms);
      return '+OK';
    },
    { description: 'Sleep N milliseconds', syntax: '<milliseconds>', module: mc },
  );

  r.register(
    'log',
    (args) => {
      const { level, text } = parseLogArgs(args);
      core.log(level, text, { file: 'mod_commands.c', func: 'log_function', line: 2286, channel: 0 });
      return '+OK\n';
    },
    { description: 'Log', syntax: '<level> <message>', module: mc },
  );

  r.register(
    'module_exists',
    (args) => (['mod_commands', 'mod_dptools', 'mod_event_socket', 'mod_loopback', 'mod_sofia', 'mod_fakeswitch'].includes(args) ? 'true' : 'false'),
    { description: 'Check if module exists', syntax: '<module>', module: mc },
  );

  const ORIGINATE_SYNTAX = '<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]';
  r.register(
    'originate',
    async (args) => {
      const argv = splitArgs(args).map((a) => (a.toLowerCase() === 'undef' ? undefined : a));
      if (args === '' || argv.length < 2 || argv.length > 7) return `-USAGE: ${ORIGINATE_SYNTAX}\n`;
      const [url, exten, dp, context, cidName, cidNum, timeout] = argv;
      const result = await originate(core, endpoints, url ?? '', {
        cidName,
        cidNum,
        timeoutSec: timeout !== undefined ? Number.parseInt(timeout, 10) || 60 : 60,
      });
      if (!result.ok) return `-ERR ${result.cause}\n`;
      runAfterOriginate(core, result.channel, exten ?? '&park', dp ?? 'XML', context ?? 'default');
      return `+OK ${result.channel.uuid}\n`;
    },
    { description: 'Originate a call', syntax: ORIGINATE_SYNTAX, module: mc },
  );

  r.register(
    'uuid_kill',
    (args) => {
      if (args === '') return '-USAGE: <uuid> [cause]\n';
      const sp = args.indexOf(' ');
      const ch = core.channel(sp < 0 ? args : args.slice(0, sp));
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      ch.hangup(causeName(sp < 0 ? undefined : args.slice(sp + 1)));
      return '+OK\n';
    },
    { description: 'Kill channel', syntax: '<uuid> [cause]', module: mc },
  );

  const simple = (name: string, description: string, act: (ch: Channel) => void): void => {
    r.register(
      name,
      (args) => {
        const ch = core.channel(args);
        if (!ch || ch.destroyed || ch.down) return '-ERROR\n';
        act(ch);
        return '+OK\n';
      },
      { description, syntax: '<uuid>', module: mc },
    );
  };
  simple('uuid_answer', 'answer', (ch) => ch.answer());
  simple('uuid_pre_answer', 'pre_answer', (ch) => ch.preAnswer());
  simple('uuid_ring_ready', 'Sending ringing to a channel', (ch) => ch.ringReady());

  r.register(
    'uuid_bridge',
    (args) => {
      const argv = splitArgs(args);
      if (argv.length < 2) return '-USAGE: <uuid> <other_uuid>\n';
      for (const other of argv.slice(1, 3)) {
        const a = core.channel(argv[0]);
        const b = core.channel(other);
        if (a && b && a.ready && b.ready && a !== b) {
          uuidBridge(core, a, b);
          return `+OK ${other}\n`;
        }
      }
      return '-ERR Invalid uuid\n';
    },
    { description: 'Bridge call legs', module: mc },
  );

  const dtmfApi = (name: string, description: string, verb: string): void => {
    r.register(
      name,
      (args) => {
        const sp = args.indexOf(' ');
        if (sp < 0) return `-USAGE: <uuid> <dtmf_data>\n`;
        const uuid = args.slice(0, sp);
        const data = args.slice(sp + 1).trim();
        const ch = core.channel(uuid);
        if (!ch || ch.destroyed) return '-ERR Cannot locate session!\n';
        const digits = dtmfDigits(data);
        // The emulator has no far end: the digits arrive on the channel as if pressed by the caller.
        core.defer(() => {
          for (const d of digits) ch.receiveDtmf(d, 2000, name === 'uuid_send_dtmf' ? 'APP' : 'ENDPOINT');
        });
        return `+OK ${uuid} ${verb} DTMF ${data}.\n`;
      },
      { description, syntax: '<uuid> <dtmf_data>', module: mc },
    );
  };
  dtmfApi('uuid_send_dtmf', 'Send dtmf digits', 'sent');
  dtmfApi('uuid_recv_dtmf', 'Receive dtmf digits', 'received');

  r.register(
    'uuid_flush_dtmf',
    (args) => {
      const ch = core.channel(args);
      if (!ch) return '-ERR no such session\n';
      ch.takeQueuedDigits();
      return '+OK\n';
    },
    { description: 'Flush dtmf on a given uuid', syntax: '<uuid>', module: mc },
  );

  r.register(
    'uuid_getvar',
    (args) => {
      const argv = splitArgs(args);
      if (argv.length < 2 || !argv[0]) return '-USAGE: <uuid> <var>\n';
      const ch = core.channel(argv[0]);
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      return ch.getVar(argv[1]!) ?? '_undef_';
    },
    { description: 'Get a variable from a channel', syntax: '<uuid> <var>', module: mc },
  );

  r.register(
    'uuid_setvar',
    (args) => {
      const argv = splitArgs(args, 3);
      if ((argv.length !== 2 && argv.length !== 3) || !argv[0]) return '-USAGE: <uuid> <var> [value]\n';
      const ch = core.channel(argv[0]);
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      if (!argv[1]) return '-ERR No variable specified\n';
      ch.setVar(argv[1], argv[2]);
      return '+OK\n';
    },
    { description: 'Set a variable', syntax: '<uuid> <var> [value]', module: mc },
  );

  r.register(
    'uuid_setvar_multi',
    (args) => {
      const sp = args.indexOf(' ');
      if (sp < 0) return '-USAGE: <uuid> <var>=<value>;<var>=<value>...\n';
      const ch = core.channel(args.slice(0, sp));
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      for (const pair of args.slice(sp + 1).split(';')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return '-ERR No variable specified\n';
        ch.setVar(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return '+OK\n';
    },
    { description: 'Set multiple variables', syntax: '<uuid> <var>=<value>;<var>=<value>...', module: mc },
  );

  r.register('uuid_exists', (args) => (core.channel(args) && !core.channel(args)!.destroyed ? 'true' : 'false'), {
    description: 'Check if a uuid exists',
    syntax: '<uuid>',
    module: mc,
  });

  r.register(
    'uuid_transfer',
    (args) => {
      const argv = splitArgs(args);
      if (argv.length < 2 || argv.length > 5) return '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
      let ch = core.channel(argv[0]);
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      let rest = argv.slice(1);
      const targets: Channel[] = [ch];
      if (rest[0]!.startsWith('-')) {
        const which = rest[0]!.slice(1).toLowerCase();
        rest = rest.slice(1);
        const other = core.channel(ch.getVar('bridge_uuid'));
        if (which === 'bleg' && other) ch = other;
        targets.length = 0;
        targets.push(ch);
        if (which === 'both' && other) targets.push(other);
      }
      for (const t of targets) t.requestTransfer(rest[0] ?? '', rest[1] ?? 'XML', rest[2]);
      return '+OK\n';
    },
    { description: 'Transfer a session', syntax: '<uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]', module: mc },
  );

  r.register(
    'uuid_park',
    (args) => {
      const ch = core.channel(args);
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      core.transferToExtension(ch, ['park']);
      return '+OK\n';
    },
    { description: 'Park channel', syntax: '<uuid>', module: mc },
  );

  r.register(
    'uuid_hold',
    (args) => {
      const argv = splitArgs(args);
      if (argv.length < 1) return '-USAGE: [off|toggle] <uuid> [<display>]\n';
      let mode: 'on' | 'off' | 'toggle' = 'on';
      let uuid = argv[0];
      if (argv[0]!.toLowerCase() === 'off' || argv[0]!.toLowerCase() === 'toggle') {
        mode = argv[0]!.toLowerCase() as 'off' | 'toggle';
        uuid = argv[1];
      }
      const ch = core.channel(uuid);
      if (!ch || !ch.ready) return '-ERR Operation failed\n';
      ch.markHold(mode === 'toggle' ? !ch.held : mode === 'on');
      return '+OK Success\n';
    },
    { description: 'Place call on hold', syntax: '[off|toggle] <uuid> [<display>]', module: mc },
  );

  r.register(
    'uuid_break',
    (args) => {
      const argv = splitArgs(args);
      const ch = core.channel(argv[0]);
      if (!argv[0]) return '-USAGE: <uuid> [all]\n';
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      ch.breakApplications(argv[1]?.toLowerCase() === 'all');
      return '+OK\n';
    },
    { description: 'Break out of media sent to channel', syntax: '<uuid> [all]', module: mc },
  );

  r.register(
    'uuid_broadcast',
    (args) => {
      const argv = splitArgs(args);
      if (argv.length < 2) return '-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n';
      const ch = core.channel(argv[0]);
      if (!ch || ch.destroyed) return '-ERR invalid uuid\n';
      const path = argv[1]!;
      const m = /^([^:]+)::(.*)$/.exec(path);
      const app = m ? m[1]! : 'playback';
      const data = m ? m[2]! : path;
      ch.queueMessage({
        command: 'execute',
        headers: [
          ['call-command', 'execute'],
          ['execute-app-name', app],
          ['execute-app-arg', data],
        ],
      });
      return '+OK Message sent\n';
    },
    { description: 'Execute dialplan application', syntax: '<uuid> <path> [aleg|bleg|holdb|both]', module: mc },
  );

  r.register(
    'uuid_dump',
    (args) => {
      // Separated in two: the uuid, and everything after it as the format.
      const sp = args.indexOf(' ');
      const uuid = sp < 0 ? args : args.slice(0, sp);
      const format = sp < 0 ? 'txt' : args.slice(sp + 1).trim();
      if (uuid === '') return '-USAGE: <uuid> [format]\n';
      const ch = core.channel(uuid);
      if (!ch || ch.destroyed) return '-ERR No such channel!\n';
      const h = core.events.create('CHANNEL_DATA', UUID_DUMP);
      ch.basicData(h);
      ch.variableData(h);
      const headers = { names: h.names, values: h.values };
      switch (format.toLowerCase()) {
        case 'xml':
          return serializeXml(headers, undefined);
        case 'json':
          return serializeJson(headers, undefined);
        case 'plain':
          return serializeUnencoded(headers);
        default:
          // `txt` and any other word: switch_event_serialize with encoding on.
          return serializePlain(headers, undefined);
      }
    },
    { description: 'Dump session vars', syntax: '<uuid> [format]', module: mc },
  );

  r.register(
    'hupall',
    (args) => {
      const argv = splitArgs(args);
      let cause = argv[0] ? causeName(argv[0], 'MANAGER_REQUEST') : 'MANAGER_REQUEST';
      if (argv[0] && cause === 'NONE') cause = 'MANAGER_REQUEST';
      const match: Array<[string, string]> = [];
      for (let i = 1; i < argv.length - 1; i += 2) match.push([argv[i]!, argv[i + 1]!]);
      for (const ch of liveChannels(core)) {
        if (match.every(([k, v]) => ch.getVar(k) === v)) ch.hangup(cause);
      }
      if (match.length === 0) return `+OK hangup all channels with cause ${cause}\n`;
      if (match.length === 1) return `+OK hangup all channels matching [${argv[1]}]=[${argv[2]}] with cause: ${cause}\n`;
      return `+OK hangup all channels matching [${argv[1]}]=[${argv[2]}]... with cause: ${cause}\n`;
    },
    { description: 'hupall', syntax: '<cause> [<var> <value>] [<var2> <value2>]', module: mc },
  );

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
        let list = liveChannels(core);
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

  r.register(
    'bgapi',
    (args) => {
      const sp = args.indexOf(' ');
      const command = sp < 0 ? args : args.slice(0, sp);
      if (command === '') return '-ERR Invalid syntax\n';
      const uuid = core.newUuid();
      core.apis.background({ uuid, command, arg: sp < 0 ? undefined : args.slice(sp + 1), runner: 'mod_commands' });
      return `+OK Job-UUID: ${uuid}\n`;
    },
    { description: 'Execute an api command in a thread', syntax: '<command>[ <arg>]', module: mc },
  );
}

/** switch_event_serialize without encoding (`uuid_dump <uuid> plain`): raw values, `_undef_` for an empty one. */
function serializeUnencoded(headers: { names: readonly string[]; values: readonly string[] }): string {
  let out = '';
  for (let i = 0; i < headers.names.length; i++) out += `${headers.names[i]}: ${headers.values[i] === '' ? '_undef_' : headers.values[i]}\n`;
  return `${out}\n`;
}
