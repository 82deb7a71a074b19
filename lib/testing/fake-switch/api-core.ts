/**
 * The built-in API commands about the switch itself (mod_commands), with FreeSWITCH's output
 * texts: status, version, uptime, echo, eval, expand, global_getvar/setvar, create_uuid,
 * hostname, switchname, msleep, log, module_exists, reloadxml, bgapi.
 */
import type { Channel } from './channel.js';
import type { SwitchCore } from './core.js';
import { upTime } from './helpers.js';
import { parseLogArgs } from './logger.js';
import type { EventSite } from './events.js';
import { VERSION } from './options.js';

/** Where switch_xml_open_root creates RELOADXML. */
const RELOADXML_SITE: EventSite = { file: 'switch_xml.c', func: 'switch_xml_open_root', line: 2385 };

/** Registers the commands about the switch itself. */
export function registerCoreApis(core: SwitchCore): void {
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

  r.register(
    'reloadxml',
    () => {
      // switch_xml_reload opens the root again, which fires RELOADXML (core headers only);
      // the emulator has no XML to read, so the reload always succeeds.
      core.fire(core.events.create('RELOADXML', RELOADXML_SITE));
      return '+OK [Success]\n';
    },
    { description: 'Reload XML', module: mc },
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
