/**
 * Encoders for every client command of PROTOCOL.md §2. Each returns the exact bytes to
 * write, or throws EslArgumentError before a byte exists. The encoder is the one place where a
 * caller's string becomes command bytes, and what it writes must be read by FreeSWITCH
 * (mod_event_socket.c, read_packet and parse_command) as exactly the command the caller meant:
 *
 * - no CR or LF in a command line, header name or value: it would end the line, or the block,
 *   early and start another command (multi-line data goes in a Content-Length body);
 * - no NUL anywhere before the body: FreeSWITCH reads the block as a C string, so a NUL hides
 *   what follows it, a later Content-Length included, and the body is then read as a command;
 * - a header block of at most MAX_COMMAND_BLOCK_BYTES: FreeSWITCH cuts a block there and reads
 *   the rest as a new command;
 * - no caller-supplied Content-Length header: it would frame the bytes that follow;
 * - no block naming mod_event_socket with unload or reload: parse_command replaces any such
 *   command, whatever it was, with `api bgapi unload|reload mod_event_socket`.
 *
 * docs/security.md lists what each command refuses and why.
 */
import { EslArgumentError } from '../errors.js';
import type { EventFormat } from './content-type.js';
import type { EslEvent } from './event.js';

export type CommandHeaders =
  | Iterable<readonly [string, string]>
  | Record<string, string | number | boolean | undefined>;

/**
 * The longest header block FreeSWITCH reads as one command: read_packet's max_len. The block
 * counts the command line, the header lines and the blank line that ends it, in bytes; a body
 * is not part of it (it is read by Content-Length).
 */
export const MAX_COMMAND_BLOCK_BYTES = 10 * 1024 * 1024;

/** A command ready for the socket. */
export class EncodedCommand {
  constructor(
    /** The command line as sent (the first line of the block). */
    readonly line: string,
    /**
     * What to write: the block as a string (most commands: nothing is allocated until the
     * socket encodes it) or as bytes (a command with a binary body). Written as is: build it
     * with the encoders, which check it.
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

/** Whether the string holds a CR or LF (first), or a NUL, or neither. */
function forbiddenIn(s: string): 'a NUL' | 'a CR or LF' | undefined {
  // Most strings are short: one pass over them beats three native searches.
  if (s.length < 48) {
    let nul = false;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 13) continue;
      if (c === 10 || c === 13) return 'a CR or LF';
      if (c === 0) nul = true;
    }
    return nul ? 'a NUL' : undefined;
  }
  if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) return 'a CR or LF';
  if (s.indexOf('\0') >= 0) return 'a NUL';
  return undefined;
}

function describe(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);
}

const MASKED = '********';

function forbiddenError(argument: string, value: string, what: 'a NUL' | 'a CR or LF', secret = false): EslArgumentError {
  const why =
    what === 'a NUL'
      ? 'which FreeSWITCH reads as the end of the command, so the rest, a body included, could run as another command'
      : 'which would end the command early';
  const shown = secret ? '' : `: ${describe(value)} (send multi-line data as a body)`;
  return new EslArgumentError(argument, secret ? MASKED : value, `${argument} contains ${what}, ${why}${shown}`);
}

const MAY_BE_EMPTY = { empty: true } as const;
/** A password: may be empty or hold spaces, and is never shown in an error. */
const SECRET = { empty: true, secret: true } as const;

/** A command line or an argument of one: a string with no NUL, CR or LF. */
export function checkText(argument: string, value: unknown, options?: { empty?: boolean; secret?: boolean }): string {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') throw new EslArgumentError(argument, options?.secret ? MASKED : value, `${argument} must be a string`);
  const bad = forbiddenIn(value);
  if (bad !== undefined) throw forbiddenError(argument, value, bad, options?.secret);
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
    if (typeof name !== 'string' || name.length === 0 || name.indexOf(':') >= 0) {
      throw new EslArgumentError('header name', name, `invalid header name ${JSON.stringify(name)}`);
    }
    const badName = forbiddenIn(name);
    if (badName !== undefined) throw forbiddenError('header name', name, badName);
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      // FreeSWITCH reads that many bytes after the block as its body: with no body of ours,
      // the start of the next command.
      throw new EslArgumentError('header name', name, 'Content-Length frames the command: it is set from the body; do not pass it as a header');
    }
    const value = typeof raw === 'string' ? raw : String(raw);
    const bad = forbiddenIn(value);
    if (bad !== undefined) throw forbiddenError(`header ${name}`, value, bad);
    out.push([name, value]);
  }
  return out;
}

const MOD_EVENT_SOCKET = 'mod_event_socket';
/** The api command that asks for parse_command's own rewrite: `api unload|reload mod_event_socket`. */
const MOD_EVENT_SOCKET_COMMAND = /^(?:un|re)load\s+mod_event_socket$/i;

/**
 * Whether FreeSWITCH's parse_command would replace this block with `api bgapi (un|re)load
 * mod_event_socket`: it looks for both words anywhere, ignoring case. Most blocks hold no
 * underscore at all, so the search starts from the underscores (one native search).
 */
function namesModEventSocket(head: string): boolean {
  for (let u = head.indexOf('_', 3); u >= 0; u = head.indexOf('_', u + 1)) {
    // "mod_event_socket" has its first underscore at offset 3.
    const at = u - 3;
    if (at + MOD_EVENT_SOCKET.length > head.length) return false;
    let k = 0;
    while (k < MOD_EVENT_SOCKET.length && (head.charCodeAt(at + k) | 0x20) === (MOD_EVENT_SOCKET.charCodeAt(k) | 0x20)) k++;
    if (k === MOD_EVENT_SOCKET.length) return /unload|reload/i.test(head);
  }
  return false;
}

/**
 * The checks on a whole header block (line, header lines, blank line): its size, and
 * parse_command's rewrite. `shown` is what errors show of it (a password masked); `apiText`
 * is an api command's text, which may ask for that very rewrite.
 */
function checkBlock(head: string, shown: string, apiText?: string): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most blocks need no byte count.
  if (head.length * 3 > MAX_COMMAND_BLOCK_BYTES) {
    const bytes = Buffer.byteLength(head, 'utf8');
    if (bytes > MAX_COMMAND_BLOCK_BYTES) {
      throw new EslArgumentError(
        'command',
        shown,
        `the command's header block is ${bytes} bytes; FreeSWITCH reads at most ${MAX_COMMAND_BLOCK_BYTES} and runs the rest as another command (send long data as a body)`,
      );
    }
  }
  if (namesModEventSocket(head) && !(apiText !== undefined && MOD_EVENT_SOCKET_COMMAND.test(apiText))) {
    throw new EslArgumentError(
      'command',
      shown,
      `the command names mod_event_socket together with unload or reload, so FreeSWITCH would run "api bgapi unload|reload mod_event_socket" in its place: ${describe(shown)}`,
    );
  }
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
  return block(line, headerPairs(headers), body, label);
}

/** A block from a line and headers already checked (the encoders' own, or headerPairs'). */
function block(line: string, pairs: ReadonlyArray<readonly [string, string]>, body?: string | Uint8Array, label?: string): EncodedCommand {
  let head = `${line}\n`;
  for (const [n, v] of pairs) head += `${n}: ${v}\n`;
  const bytes =
    body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes === undefined || bytes.length === 0) {
    head += '\n';
    checkBlock(head, label ?? head);
    return new EncodedCommand(line, head, label);
  }
  head += `Content-Length: ${bytes.length}\n\n`;
  checkBlock(head, label ?? head);
  return new EncodedCommand(line, Buffer.concat([Buffer.from(head, 'utf8'), bytes]), label);
}

function simple(line: string, label?: string, apiText?: string): EncodedCommand {
  const block = `${line}\n\n`;
  checkBlock(block, label ?? line, apiText);
  return new EncodedCommand(line, block, label);
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

/** An integer FreeSWITCH reads with atoi: it must fit a C int (and the given range). */
function intArg(argument: string, value: unknown, min: number, max = INT_MAX): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EslArgumentError(argument, value, `${argument} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const INT_MAX = 2 ** 31 - 1;

/**
 * bgapi answers `~Reply-Text: +OK Job-UUID: <id>\nJob-UUID: <id>\n\n` into a 512-byte buffer
 * (listener_run's reply): a longer id cuts the reply, blank line included, and every frame
 * after it would be read as part of it. 40 bytes of text plus the id twice must fit 511.
 */
const MAX_JOB_UUID_BYTES = 235;

/** `name@domain`: userauth splits at the first @, then at the first colon (the password). */
const USERAUTH_USER = /^[^\s:@]+@[^\s:@]+$/;


/** A filter's header name: one word, and not one of the words FreeSWITCH reads as a keyword there. */
function filterHeader(header: string): string {
  const h = checkToken('filter header', header);
  const lower = h.toLowerCase();
  if (lower === 'add' || lower === 'delete') {
    throw new EslArgumentError('filter header', header, `"${h}" cannot be a filter header: FreeSWITCH reads it as the keyword "filter ${lower}"`);
  }
  return h;
}

export const Commands = {
  /** `auth <password>` (the password is masked in labels). */
  auth(password: string): EncodedCommand {
    // FreeSWITCH compares everything after `auth ` with its password: spaces are part of it.
    checkText('password', password, SECRET);
    return simple(`auth ${password}`, `auth ${MASKED}`);
  },

  /**
   * `userauth <user>:<password>`; user is `name@domain` (FreeSWITCH splits at the first @, then
   * at the first colon, so neither part may hold a colon or an @); the password is everything
   * after that colon, spaces included.
   */
  userauth(user: string, password: string): EncodedCommand {
    checkToken('user', user);
    if (!USERAUTH_USER.test(user)) {
      throw new EslArgumentError('user', user, `user must be name@domain, with no colon and a single @: ${describe(user)}`);
    }
    checkText('password', password, SECRET);
    return simple(`userauth ${user}:${password}`, `userauth ${user}:${MASKED}`);
  },

  /**
   * `api <command> [<args>]`: runs synchronously; the reply is an api/response. FreeSWITCH
   * takes the command name up to the first space, so `api('show', 'channels')` and
   * `api('show channels')` are the same bytes: never pass untrusted text as the command.
   */
  api(command: string, args?: string): EncodedCommand {
    const cmd = checkText('api command', command).trim();
    const a = args === undefined || args === '' ? '' : ` ${checkText('api arguments', args, MAY_BE_EMPTY)}`;
    const text = `${cmd}${a}`;
    return simple(`api ${text}`, undefined, text);
  },

  /**
   * `bgapi <command> [<args>]`, with `Job-UUID: <id>` when the caller chooses the id (one word
   * of at most 235 bytes: FreeSWITCH echoes it twice in a 512-byte reply).
   */
  bgapi(command: string, args?: string, jobUuid?: string): EncodedCommand {
    const cmd = checkText('bgapi command', command).trim();
    const a = args === undefined || args === '' ? '' : ` ${checkText('bgapi arguments', args, MAY_BE_EMPTY)}`;
    if (jobUuid === undefined) return simple(`bgapi ${cmd}${a}`);
    checkToken('jobUuid', jobUuid);
    if (jobUuid.length * 3 > MAX_JOB_UUID_BYTES && Buffer.byteLength(jobUuid) > MAX_JOB_UUID_BYTES) {
      throw new EslArgumentError('jobUuid', jobUuid, `jobUuid is longer than ${MAX_JOB_UUID_BYTES} bytes: FreeSWITCH would cut its reply`);
    }
    return block(`bgapi ${cmd}${a}`, [['Job-UUID', jobUuid]]);
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
    if (uuid !== undefined && uuid !== '') {
      // FreeSWITCH switches the format when the line holds "xml" or "json" anywhere.
      if (/xml|json/i.test(checkToken('uuid', uuid))) {
        throw new EslArgumentError('uuid', uuid, `a myevents uuid must not contain "xml" or "json": FreeSWITCH would switch the event format`);
      }
      line += ` ${uuid}`;
    }
    if (format !== undefined) line += ` ${checkFormat(format)}`;
    return simple(line);
  },

  /** `divert_events on|off`. */
  divertEvents(on: boolean): EncodedCommand {
    return simple(`divert_events ${on ? 'on' : 'off'}`);
  },

  /** `filter <Header> <value>`: positive filters are OR-ed; a value starting with `-` is negative, `/re/` a regex. */
  filter(header: string, value: string): EncodedCommand {
    return simple(`filter ${filterHeader(header)} ${checkText('filter value', value)}`);
  },

  /** `filter delete <Header> [<value>]`, or `filter delete all`. */
  filterDelete(header: string, value?: string): EncodedCommand {
    const v = value === undefined || value === '' ? '' : ` ${checkText('filter value', value)}`;
    return simple(`filter delete ${checkToken('filter header', header)}${v}`);
  },

  /** `log [<level>]`: level name (console..debug) or number 0-7; no level means debug. */
  log(level?: string | number): EncodedCommand {
    if (level === undefined) return simple('log');
    return simple(`log ${typeof level === 'number' ? intArg('log level', level, 0, 7) : checkToken('log level', level)}`);
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
      // FreeSWITCH keeps a body up to its first NUL: an argument with one cannot be sent whole.
      if (arg.indexOf('\0') >= 0) throw forbiddenError('application argument', arg, 'a NUL');
      // The body is not part of the block parse_command looks at for mod_event_socket.
      if (forbiddenIn(arg) !== undefined || Buffer.byteLength(arg) > EXECUTE_ARG_INLINE_MAX || namesModEventSocket(arg)) body = arg;
      else pairs.push(['execute-app-arg', arg]);
    }
    if (options.loops !== undefined) pairs.push(['loops', String(intArg('loops', options.loops, -INT_MAX))]);
    if (options.eventLock) pairs.push(['event-lock', 'true']);
    if (options.async) pairs.push(['async', 'true']);
    if (options.holdBleg) pairs.push(['hold-bleg', 'true']);
    if (options.eventUuid !== undefined) pairs.push(['event-uuid', checkToken('eventUuid', options.eventUuid)]);
    if (options.eventUuidName !== undefined) pairs.push(['event-uuid-name', checkText('eventUuidName', options.eventUuidName)]);
    if (body !== undefined) pairs.push(['content-type', 'text/plain']);
    return block(sendmsgLine(options.uuid), pairs, body);
  },

  /** sendmsg `call-command: hangup` with `hangup-cause` (NORMAL_CLEARING by default on the server). */
  hangup(cause?: string, uuid?: string): EncodedCommand {
    const pairs: Array<[string, string]> = [['call-command', 'hangup']];
    if (cause !== undefined) pairs.push(['hangup-cause', checkToken('hangup cause', cause)]);
    return block(sendmsgLine(uuid), pairs);
  },

  /** sendmsg `call-command: unicast`: stream the channel's media to a socket. */
  unicast(options: UnicastOptions = {}): EncodedCommand {
    const pairs: Array<[string, string]> = [['call-command', 'unicast']];
    if (options.localIp !== undefined) pairs.push(['local-ip', checkToken('localIp', options.localIp)]);
    if (options.localPort !== undefined) pairs.push(['local-port', String(intArg('localPort', options.localPort, 0, 65535))]);
    if (options.remoteIp !== undefined) pairs.push(['remote-ip', checkToken('remoteIp', options.remoteIp)]);
    if (options.remotePort !== undefined) pairs.push(['remote-port', String(intArg('remotePort', options.remotePort, 0, 65535))]);
    if (options.transport !== undefined) pairs.push(['transport', checkToken('transport', options.transport)]);
    if (options.flags !== undefined) pairs.push(['flags', checkText('flags', options.flags)]);
    return block(sendmsgLine(options.uuid), pairs);
  },

  /** sendmsg `call-command: nomedia`. */
  nomedia(nomediaUuid: string, uuid?: string): EncodedCommand {
    return block(sendmsgLine(uuid), [
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
    return block(sendmsgLine(uuid), pairs);
  },
} as const;
