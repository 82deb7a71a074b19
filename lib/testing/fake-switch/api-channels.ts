/**
 * The built-in API commands that act on channels (mod_commands), with FreeSWITCH's output
 * texts: originate, the uuid_* family and hupall.
 */
import { serializeJson, serializePlain, serializeXml } from '../../protocol/event-serialize.js';
import { uuidBridge } from './bridge.js';
import type { Channel } from './channel.js';
import { causeName } from './constants.js';
import type { SwitchCore } from './core.js';
import type { EndpointRegistry } from './endpoints.js';
import type { EventSite } from './events.js';
import { splitArgs } from './helpers.js';
import { originate } from './originate.js';
import { runAfterOriginate } from './routing.js';

/** Where uuid_dump creates its CHANNEL_DATA event. */
const UUID_DUMP: EventSite = { file: 'mod_commands.c', func: 'uuid_dump_function', line: 6468 };

/** The DTMF characters FreeSWITCH sends (W and w are pauses, @ starts a duration). */
function dtmfDigits(s: string): string {
  const at = s.indexOf('@');
  return (at < 0 ? s : s.slice(0, at)).replace(/[^0-9*#A-Da-d]/g, '').toUpperCase();
}

/** switch_event_serialize without encoding (`uuid_dump <uuid> plain`): raw values, `_undef_` for an empty one. */
function serializeUnencoded(headers: { names: readonly string[]; values: readonly string[] }): string {
  let out = '';
  for (let i = 0; i < headers.names.length; i++) out += `${headers.names[i]}: ${headers.values[i] === '' ? '_undef_' : headers.values[i]}\n`;
  return `${out}\n`;
}

/** Registers the commands that act on channels. */
export function registerChannelApis(core: SwitchCore, endpoints: EndpointRegistry): void {
  const r = core.apis;
  const mc = 'mod_commands';

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
      // switch_channel_str2cause: a name it does not know is NORMAL_CLEARING; only NONE (or
      // nothing at all) gives hupall's own MANAGER_REQUEST.
      let cause = argv[0] ? causeName(argv[0]) : 'MANAGER_REQUEST';
      if (cause === 'NONE') cause = 'MANAGER_REQUEST';
      const match: Array<[string, string]> = [];
      for (let i = 1; i < argv.length - 1; i += 2) match.push([argv[i]!, argv[i + 1]!]);
      for (const ch of core.liveChannels()) {
        if (match.every(([k, v]) => ch.getVar(k) === v)) ch.hangup(cause);
      }
      if (match.length === 0) return `+OK hangup all channels with cause ${cause}\n`;
      if (match.length === 1) return `+OK hangup all channels matching [${argv[1]}]=[${argv[2]}] with cause: ${cause}\n`;
      return `+OK hangup all channels matching [${argv[1]}]=[${argv[2]}]... with cause: ${cause}\n`;
    },
    { description: 'hupall', syntax: '<cause> [<var> <value>] [<var2> <value2>]', module: mc },
  );
}
