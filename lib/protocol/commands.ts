/**
 * Encoders for every client command of PROTOCOL.md §2. Each returns the exact bytes to
 * write, or throws EslArgumentError before a byte exists: a CR or LF in a command line or a
 * header value would end the command early and start another one (a caller name typed by a
 * user must never become a second command). Multi-line data goes in a Content-Length body.
 */
import { EslArgumentError } from '../errors.js';
import type { EventFormat } from './content-type.js';
import type { EslEvent } from './event.js';

export type CommandHeaders =
  | Iterable<readonly [string, string]>
  | Record<string, string | number | boolean | undefined>;

/** A command ready for the socket. */
export class EncodedCommand {
  constructor(
    /** The command line as sent (the first line of the block). */
    readonly line: string,
    /**
     * What to write: the block as a string (most commands: nothing is allocated until the
     * socket encodes it) or as bytes (a command with a binary body).
     */
    readonly data: string | Buffer,
    /** The line as shown in errors and logs (a password is masked). */
    readonly label: string = line,
  ) {}

  /** The bytes to write (UTF-8). */
  get bytes(): Buffer {
    return typeof this.data === 'string' ? Buffer.from(this.data, 'utf8') : this.data;
  }

  /** The command word: api, bgapi, sendmsg... */
  get verb(): string {
    const sp = this.line.indexOf(' ');
    return sp < 0 ? this.line : this.line.slice(0, sp);
  }

  toString(): string {
    return this.label;
  }
}

function hasBreak(s: string): boolean {
  return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
}

function describe(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);
}

const MAY_BE_EMPTY = { empty: true } as const;

/** A command line or an argument of one: a string with no CR or LF. */
export function checkText(argument: string, value: unknown, options?: { empty?: boolean }): string {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') throw new EslArgumentError(argument, value, `${argument} must be a string`);
  if (hasBreak(value)) {
    throw new EslArgumentError(
      argument,
      value,
      `${argument} contains a CR or LF, which would end the command early: ${describe(value)} (send multi-line data as a body)`,
    );
  }
  if (options?.empty !== true && value.trim() === '') throw new EslArgumentError(argument, value, `${argument} must not be empty`);
  return value;
}

/** One space-free token (an event name, a filter's header name, a uuid...). */
function checkToken(argument: string, value: unknown): string {
  const s = checkText(argument, value);
  if (/\s/.test(s)) throw new EslArgumentError(argument, value, `${argument} must be a single word: ${describe(s)}`);
  return s;
}

function headerPairs(headers: CommandHeaders | undefined): Array<[string, string]> {
  if (!headers) return [];
  const out: Array<[string, string]> = [];
  const entries: Iterable<readonly [string, unknown]> =
    Symbol.iterator in headers ? (headers as Iterable<readonly [string, unknown]>) : Object.entries(headers);
  for (const [name, raw] of entries) {
    if (raw === undefined) continue;
    if (typeof name !== 'string' || name.length === 0 || name.indexOf(':') >= 0 || hasBreak(name)) {
      throw new EslArgumentError('header name', name, `invalid header name ${JSON.stringify(name)}`);
    }
    const value = typeof raw === 'string' ? raw : String(raw);
    if (hasBreak(value)) {
      throw new EslArgumentError(
        `header ${name}`,
        value,
        `header ${name} contains a CR or LF: ${describe(value)} (send multi-line data as a body)`,
      );
    }
    out.push([name, value]);
  }
  return out;
}

/**
 * Any command: a first line, optional headers and an optional body (Content-Length is added,
 * in bytes). The building block of every other encoder.
 */
export function encodeCommand(
  line: string,
  headers?: CommandHeaders,
  body?: string | Uint8Array,
  label?: string,
): EncodedCommand {
  checkText('command', line);
  const pairs = headerPairs(headers);
  let head = `${line}\n`;
  for (const [n, v] of pairs) {
    if (body !== undefined && n.toLowerCase() === 'content-length') {
      throw new EslArgumentError('header name', n, 'Content-Length is set from the body; do not pass it as a header');
    }
    head += `${n}: ${v}\n`;
  }
  if (body === undefined) return new EncodedCommand(line, `${head}\n`, label);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length === 0) return new EncodedCommand(line, `${head}\n`, label);
  return new EncodedCommand(line, Buffer.concat([Buffer.from(`${head}Content-Length: ${bytes.length}\n\n`, 'utf8'), bytes]), label);
}

function simple(line: string, label?: string): EncodedCommand {
  return new EncodedCommand(line, `${line}\n\n`, label);
}

function words(argument: string, names: string | readonly string[]): string[] {
  const list = typeof names === 'string' ? names.split(' ').filter((n) => n !== '') : [...names];
  return list.map((n) => checkToken(argument, n));
}

function checkFormat(format: unknown): EventFormat {
  if (format !== 'plain' && format !== 'json' && format !== 'xml') {
    throw new EslArgumentError('format', format, `event format must be plain, json or xml, not ${JSON.stringify(format)}`);
  }
  return format;
}

export interface ExecuteOptions {
  /** The channel; omit it on an outbound connection to run on the connection's own channel. */
  uuid?: string;
  /** `event-lock: true`: later queued messages wait until this application has finished. */
  eventLock?: boolean;
  /** `async: true`: queue the application instead of running it inline (static outbound mode). */
  async?: boolean;
  /** Run it n times; a negative number repeats forever. */
  loops?: number;
  /** Becomes Application-UUID on CHANNEL_EXECUTE and CHANNEL_EXECUTE_COMPLETE. */
  eventUuid?: string;
  /** Becomes Application-UUID-Name. */
  eventUuidName?: string;
  /** `hold-bleg: true`: play hold music to the bridged partner while it runs. */
  holdBleg?: boolean;
}

/** Arguments longer than this (bytes), or with a CR or LF, go in a text/plain body. */
export const EXECUTE_ARG_INLINE_MAX = 4096;

export interface UnicastOptions {
  uuid?: string;
  localIp?: string;
  localPort?: number;
  remoteIp?: string;
  remotePort?: number;
  transport?: 'udp' | 'tcp';
  flags?: string;
}

function sendmsgLine(uuid: string | undefined): string {
  return uuid === undefined || uuid === '' ? 'sendmsg' : `sendmsg ${checkToken('uuid', uuid)}`;
}

function intArg(argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new EslArgumentError(argument, value, `${argument} must be an integer >= ${min}`);
  }
  return value;
}

export const Commands = {
  /** `auth <password>` (the password is masked in labels). */
  auth(password: string): EncodedCommand {
    checkText('password', password, MAY_BE_EMPTY);
    return simple(`auth ${password}`, 'auth ********');
  },

  /** `userauth <user>:<password>`; user is `name@domain`. */
  userauth(user: string, password: string): EncodedCommand {
    checkToken('user', user);
    checkText('password', password, MAY_BE_EMPTY);
    return simple(`userauth ${user}:${password}`, `userauth ${user}:********`);
  },

  /** `api <command> [<args>]`: runs synchronously; the reply is an api/response. */
  api(command: string, args?: string): EncodedCommand {
    const cmd = checkText('api command', command).trim();
    const a = args === undefined || args === '' ? '' : ` ${checkText('api arguments', args, MAY_BE_EMPTY)}`;
    return simple(`api ${cmd}${a}`);
  },

  /** `bgapi <command> [<args>]`, with `Job-UUID: <id>` when the caller chooses the id. */
  bgapi(command: string, args?: string, jobUuid?: string): EncodedCommand {
    const cmd = checkText('bgapi command', command).trim();
    const a = args === undefined || args === '' ? '' : ` ${checkText('bgapi arguments', args, MAY_BE_EMPTY)}`;
    if (jobUuid === undefined) return simple(`bgapi ${cmd}${a}`);
    return encodeCommand(`bgapi ${cmd}${a}`, [['Job-UUID', checkToken('jobUuid', jobUuid)]]);
  },

  /** `event <plain|json|xml> <NAME...>`: additive; put CUSTOM last, followed by its subclasses. */
  event(format: EventFormat, names: string | readonly string[]): EncodedCommand {
    const list = words('event name', names);
    return simple(`event ${checkFormat(format)}${list.length ? ` ${list.join(' ')}` : ''}`);
  },

  /** `nixevent <NAME...>`. */
  nixevent(names: string | readonly string[]): EncodedCommand {
    const list = words('event name', names);
    if (list.length === 0) throw new EslArgumentError('names', names, 'nixevent needs at least one event name');
    return simple(`nixevent ${list.join(' ')}`);
  },

  /** `noevents`: unsubscribe from everything (queued events are dropped). */
  noevents(): EncodedCommand {
    return simple('noevents');
  },

  /** `myevents [<uuid>] [<format>]`. */
  myevents(uuid?: string, format?: EventFormat): EncodedCommand {
    let line = 'myevents';
    if (uuid !== undefined && uuid !== '') line += ` ${checkToken('uuid', uuid)}`;
    if (format !== undefined) line += ` ${checkFormat(format)}`;
    return simple(line);
  },

  /** `divert_events on|off`. */
  divertEvents(on: boolean): EncodedCommand {
    return simple(`divert_events ${on ? 'on' : 'off'}`);
  },

  /** `filter <Header> <value>`: positive filters are OR-ed; a value starting with `-` is negative, `/re/` a regex. */
  filter(header: string, value: string): EncodedCommand {
    return simple(`filter ${checkToken('filter header', header)} ${checkText('filter value', value)}`);
  },

  /** `filter delete <Header> [<value>]`, or `filter delete all`. */
  filterDelete(header: string, value?: string): EncodedCommand {
    const v = value === undefined || value === '' ? '' : ` ${checkText('filter value', value)}`;
    return simple(`filter delete ${checkToken('filter header', header)}${v}`);
  },

  /** `log [<level>]`: level name (console..debug) or number 0-7; no level means debug. */
  log(level?: string | number): EncodedCommand {
    if (level === undefined) return simple('log');
    return simple(`log ${checkToken('log level', typeof level === 'number' ? String(level) : level)}`);
  },

  nolog(): EncodedCommand {
    return simple('nolog');
  },

  /** `linger [<seconds>]`: without seconds, linger until the client closes. */
  linger(seconds?: number): EncodedCommand {
    return seconds === undefined ? simple('linger') : simple(`linger ${intArg('seconds', seconds, 0)}`);
  },

  nolinger(): EncodedCommand {
    return simple('nolinger');
  },

  /** `resume`: let the dialplan continue when the socket session ends. */
  resume(): EncodedCommand {
    return simple('resume');
  },

  /** `getvar <name>` (session-bound connections). */
  getvar(name: string): EncodedCommand {
    return simple(`getvar ${checkToken('variable name', name)}`);
  },

  /** `connect`: the first command of an outbound session. */
  connect(): EncodedCommand {
    return simple('connect');
  },

  /** `exit`: FreeSWITCH replies +OK bye, sends a disconnect notice and closes. */
  exit(): EncodedCommand {
    return simple('exit');
  },

  /**
   * `sendevent <NAME>` with the event's headers written raw (not percent-encoded) and its body.
   * Event-Name is the command's argument, so it is not repeated as a header (libesl repeats it,
   * and FreeSWITCH then fires an event with two Event-Name headers).
   */
  sendevent(event: EslEvent): EncodedCommand {
    const name = checkToken('event name', event.name ?? event.getType());
    const { names, values } = event.headerList();
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!.toLowerCase();
      if (n === 'event-name' || n === 'content-length') continue;
      pairs.push([names[i]!, values[i]!]);
    }
    return encodeCommand(`sendevent ${name}`, pairs, event.bodyBytes);
  },

  /** `sendmsg [<uuid>]` with any headers and an optional body. */
  sendmsg(uuid: string | undefined, headers: CommandHeaders, body?: string | Uint8Array): EncodedCommand {
    return encodeCommand(sendmsgLine(uuid), headers, body);
  },

  /**
   * sendmsg `call-command: execute`. A long or multi-line argument goes in a text/plain body
   * instead of `execute-app-arg` (FreeSWITCH reads it from there).
   */
  execute(app: string, arg?: string, options: ExecuteOptions = {}): EncodedCommand {
    const pairs: Array<[string, string]> = [
      ['call-command', 'execute'],
      ['execute-app-name', checkToken('application', app)],
    ];
    let body: string | undefined;
    if (arg !== undefined && arg !== '') {
      if (typeof arg !== 'string') throw new EslArgumentError('application argument', arg, 'application argument must be a string');
      if (hasBreak(arg) || Buffer.byteLength(arg) > EXECUTE_ARG_INLINE_MAX) body = arg;
      else pairs.push(['execute-app-arg', arg]);
    }
    if (options.loops !== undefined) {
      if (!Number.isInteger(options.loops)) throw new EslArgumentError('loops', options.loops, 'loops must be an integer');
      pairs.push(['loops', String(options.loops)]);
    }
    if (options.eventLock) pairs.push(['event-lock', 'true']);
    if (options.async) pairs.push(['async', 'true']);
    if (options.holdBleg) pairs.push(['hold-bleg', 'true']);
    if (options.eventUuid !== undefined) pairs.push(['event-uuid', checkToken('eventUuid', options.eventUuid)]);
    if (options.eventUuidName !== undefined) pairs.push(['event-uuid-name', checkText('eventUuidName', options.eventUuidName)]);
    if (body !== undefined) pairs.push(['content-type', 'text/plain']);
    return encodeCommand(sendmsgLine(options.uuid), pairs, body);
  },

  /** sendmsg `call-command: hangup` with `hangup-cause` (NORMAL_CLEARING by default on the server). */
  hangup(cause?: string, uuid?: string): EncodedCommand {
    const pairs: Array<[string, string]> = [['call-command', 'hangup']];
    if (cause !== undefined) pairs.push(['hangup-cause', checkToken('hangup cause', cause)]);
    return encodeCommand(sendmsgLine(uuid), pairs);
  },

  /** sendmsg `call-command: unicast`: stream the channel's media to a socket. */
  unicast(options: UnicastOptions = {}): EncodedCommand {
    const pairs: Array<[string, string]> = [['call-command', 'unicast']];
    if (options.localIp !== undefined) pairs.push(['local-ip', checkToken('localIp', options.localIp)]);
    if (options.localPort !== undefined) pairs.push(['local-port', String(intArg('localPort', options.localPort, 0))]);
    if (options.remoteIp !== undefined) pairs.push(['remote-ip', checkToken('remoteIp', options.remoteIp)]);
    if (options.remotePort !== undefined) pairs.push(['remote-port', String(intArg('remotePort', options.remotePort, 0))]);
    if (options.transport !== undefined) pairs.push(['transport', checkToken('transport', options.transport)]);
    if (options.flags !== undefined) pairs.push(['flags', checkText('flags', options.flags)]);
    return encodeCommand(sendmsgLine(options.uuid), pairs);
  },

  /** sendmsg `call-command: nomedia`. */
  nomedia(nomediaUuid: string, uuid?: string): EncodedCommand {
    return encodeCommand(sendmsgLine(uuid), [
      ['call-command', 'nomedia'],
      ['nomedia-uuid', checkToken('nomediaUuid', nomediaUuid)],
    ]);
  },

  /** sendmsg `call-command: xferext`: the applications become a new extension and the channel moves to it. */
  xferext(applications: ReadonlyArray<readonly [string, string?]>, uuid?: string): EncodedCommand {
    if (applications.length === 0) throw new EslArgumentError('applications', applications, 'xferext needs at least one application');
    const pairs: Array<[string, string]> = [['call-command', 'xferext']];
    for (const [app, arg] of applications) {
      pairs.push(['application', `${checkToken('application', app)}${arg ? ` ${checkText('application argument', arg)}` : ''}`]);
    }
    return encodeCommand(sendmsgLine(uuid), pairs);
  },
} as const;
