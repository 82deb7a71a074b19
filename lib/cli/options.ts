/**
 * The console's command line: flags, their environment variables and defaults (fs_cli's:
 * 127.0.0.1, 8021, ClueCon), and the help text. One table drives parsing, the environment
 * and `--help`, so the three cannot disagree.
 */
import { LOG_LEVELS } from '../protocol/event-names.js';

/** What the console was asked to do. */
export type CliAction = 'console' | 'top' | 'execute' | 'help' | 'version';

export interface CliOptions {
  host: string;
  port: number;
  password: string;
  /** userauth `user@domain` instead of auth. */
  user: string | undefined;
  /** Milliseconds an api command may take; 0 for no limit. */
  timeout: number;
  /** Wait for the switch: retry the first connection (fs_cli's -r). */
  retry: boolean;
  /** The commands of `-x`, run in order. */
  execute: string[];
  /** Events to subscribe to at start: `[plain|json|xml] NAME...`. */
  events: string | undefined;
  /** Log level to ask for at start (`log <level>`). */
  log: string | undefined;
  /** Start the built-in FakeSwitch with simulated traffic and connect to it. */
  demo: boolean;
  /** Demo: calls per second. */
  rate: number;
  /** false: no colours whatever the terminal. */
  color: boolean;
  /** History file of the interactive prompt; '' for none. */
  history: string | undefined;
}

export type ParsedCommandLine =
  | { ok: true; action: CliAction; options: CliOptions }
  | { ok: false; error: string };

type Env = Readonly<Record<string, string | undefined>>;

interface FlagSpec {
  name: keyof CliOptions | 'help' | 'version';
  long: string;
  short?: string;
  /** The environment variable that sets it when the flag is absent. */
  env?: string;
  /** Placeholder of the value; flags without one are switches. */
  value?: string;
  help: string;
}

/** Every flag, in the order `--help` lists them. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'host', long: 'host', short: 'H', env: 'ESL_HOST', value: '<host>', help: 'FreeSWITCH address (default 127.0.0.1)' },
  { name: 'port', long: 'port', short: 'P', env: 'ESL_PORT', value: '<port>', help: 'Event Socket port (default 8021)' },
  { name: 'password', long: 'password', short: 'p', env: 'ESL_PASSWORD', value: '<password>', help: 'Event Socket password (default ClueCon)' },
  { name: 'user', long: 'user', short: 'u', env: 'ESL_USER', value: '<user@domain>', help: 'authenticate as a directory user (userauth)' },
  { name: 'execute', long: 'execute', short: 'x', value: '<command>', help: 'run an api command, print its output and exit (0, or 1 on -ERR); repeatable' },
  { name: 'timeout', long: 'timeout', short: 't', env: 'ESL_TIMEOUT', value: '<ms>', help: 'time limit of an api command (default none)' },
  { name: 'retry', long: 'retry', short: 'r', env: 'RXESL_RETRY', help: 'wait for the switch: retry the connection every second, 120 times at most (as fs_cli -r)' },
  { name: 'events', long: 'events', short: 'e', env: 'RXESL_EVENTS', value: '<"[format] names">', help: 'subscribe at start, e.g. "plain ALL" or "CHANNEL_ANSWER DTMF"' },
  { name: 'log', long: 'log', short: 'l', env: 'RXESL_LOG', value: '<level>', help: 'log level at start: console ... debug, or 0-7' },
  { name: 'demo', long: 'demo', env: 'RXESL_DEMO', help: 'start the built-in FakeSwitch with simulated calls and connect to it' },
  { name: 'rate', long: 'rate', env: 'RXESL_RATE', value: '<calls/s>', help: 'demo: calls arriving per second (default 0.5)' },
  { name: 'color', long: 'no-color', env: 'NO_COLOR', help: 'no colours (also off when the output is not a terminal)' },
  { name: 'history', long: 'history', env: 'RXESL_HISTORY', value: '<file>', help: 'prompt history file (default ~/.rxesl_history; "" for none)' },
  { name: 'help', long: 'help', short: 'h', help: 'this help' },
  { name: 'version', long: 'version', short: 'v', help: 'the version' },
];

const DEFAULTS = {
  host: '127.0.0.1',
  port: 8021,
  password: 'ClueCon',
  rate: 0.5,
} as const;

/** The usage text. */
export function usage(): string {
  const rows = FLAGS.map((f) => {
    const names = `${f.short ? `-${f.short}, ` : '    '}--${f.long}${f.value ? ` ${f.value}` : ''}`;
    const env = f.env ? ` [${f.env}]` : '';
    return `  ${names.padEnd(36)} ${f.help}${env}`;
  });
  return [
    'Usage: rxesl [options]            an interactive console, like fs_cli',
    '       rxesl [options] -x <cmd>   run one api command and exit',
    '       rxesl [options] top        live view of channels and events per second',
    '       rxesl --demo               all of this against a built-in FreeSWITCH emulator',
    '',
    'Options (the environment variable in brackets is used when the flag is absent):',
    ...rows,
    '',
    'At the prompt: api commands as typed (Tab completes them), /event, /filter, /log, /top, /help, /exit.',
  ].join('\n');
}

function truthy(v: string): boolean {
  return v !== '' && !/^(0|false|no|off)$/i.test(v);
}

const LEVEL_RE = new RegExp(`^(${LOG_LEVELS.join('|')}|disable|[0-7])$`, 'i');

/**
 * Parses argv (without node and the script) over the environment. Flags win over the
 * environment, the environment over the defaults.
 */
export function parseCommandLine(argv: readonly string[], env: Env = {}): ParsedCommandLine {
  const given = new Map<string, string | true>();
  const execute: string[] = [];
  let action: CliAction = 'console';
  const byLong = new Map(FLAGS.map((f) => [f.long, f]));
  const byShort = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      spec = byLong.get(eq < 0 ? arg.slice(2) : arg.slice(2, eq));
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      spec = byShort.get(arg[1]!);
      if (arg.length > 2) inline = arg.slice(2);
    } else if (arg === 'top' && action === 'console') {
      action = 'top';
      continue;
    } else {
      return { ok: false, error: `unexpected argument "${arg}"` };
    }
    if (!spec) return { ok: false, error: `unknown option ${arg}` };
    let value: string | true = true;
    if (spec.value) {
      if (inline !== undefined) value = inline;
      else if (i + 1 < argv.length) value = argv[++i]!;
      else return { ok: false, error: `${arg} needs a value ${spec.value}` };
    } else if (inline !== undefined) {
      return { ok: false, error: `${arg.split('=')[0]} takes no value` };
    }
    if (spec.name === 'execute') execute.push(value as string);
    else given.set(spec.name, value);
  }

  if (given.has('help')) return { ok: true, action: 'help', options: defaults() };
  if (given.has('version')) return { ok: true, action: 'version', options: defaults() };
  if (execute.length > 0) {
    if (action === 'top') return { ok: false, error: '-x and top do not go together' };
    action = 'execute';
  }

  const pick = (name: keyof CliOptions): string | true | undefined => {
    if (given.has(name)) return given.get(name);
    const spec = FLAGS.find((f) => f.name === name);
    const v = spec?.env ? env[spec.env] : undefined;
    return v;
  };
  const str = (name: keyof CliOptions): string | undefined => {
    const v = pick(name);
    return v === true ? undefined : v;
  };
  const flag = (name: keyof CliOptions): boolean => {
    const v = pick(name);
    return v === true || (typeof v === 'string' && truthy(v));
  };

  const demo = flag('demo');
  const portText = str('port');
  const port = portText === undefined ? DEFAULTS.port : Number(portText);
  // Port 0 (a free one) only makes sense for the demo switch, which listens on it.
  if (!Number.isInteger(port) || port < (demo ? 0 : 1) || port > 65535) return { ok: false, error: `invalid port "${portText}"` };
  const timeoutText = str('timeout');
  const timeout = timeoutText === undefined ? 0 : Number(timeoutText);
  if (!Number.isInteger(timeout) || timeout < 0) return { ok: false, error: `invalid timeout "${timeoutText}" (milliseconds)` };
  const rateText = str('rate');
  const rate = rateText === undefined ? DEFAULTS.rate : Number(rateText);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) return { ok: false, error: `invalid rate "${rateText}" (calls per second, up to 1000)` };
  const log = str('log');
  if (log !== undefined && !LEVEL_RE.test(log)) return { ok: false, error: `invalid log level "${log}" (${LOG_LEVELS.join(', ')}, or 0-7)` };
  const host = str('host') || DEFAULTS.host;
  const user = str('user') || undefined;
  // NO_COLOR: any non-empty value turns colours off (no-color.org).
  const noColor = given.has('color') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');

  return {
    ok: true,
    action,
    options: {
      host,
      port,
      password: str('password') ?? DEFAULTS.password,
      user,
      timeout,
      retry: flag('retry'),
      execute,
      events: str('events') || undefined,
      log,
      demo,
      rate,
      color: !noColor,
      history: str('history'),
    },
  };
}

function defaults(): CliOptions {
  return {
    host: DEFAULTS.host,
    port: DEFAULTS.port,
    password: DEFAULTS.password,
    user: undefined,
    timeout: 0,
    retry: false,
    execute: [],
    events: undefined,
    log: undefined,
    demo: false,
    rate: DEFAULTS.rate,
    color: true,
    history: undefined,
  };
}
