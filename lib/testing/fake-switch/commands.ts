/**
 * parse_command of mod_event_socket.c, command by command, in its order and with its reply
 * texts, misspellings included (`-ERR aready enabled.`, `-ERR not loging`). PROTOCOL.md §2,
 * FINDINGS §8.
 */
import { atoi, type ClientCommand } from '../../switch/command-reader.js';
import type { EventFormat } from '../../protocol/content-type.js';
import { MYEVENTS_SET, lookupEventName } from '../../protocol/event-names.js';
import { ServerFrames } from '../../switch/server-frames.js';
import type { EventSubscription, FilterList, SubscriptionPermits } from '../../protocol/subscriptions.js';
import { profileData } from './channel-data.js';
import type { Channel } from './channel.js';
import { parseLogLevel, switchTrue } from './constants.js';
import type { SwitchCore } from './core.js';
import { FiredEvent, HeaderBuilder, SITES, toEslEvent } from './events.js';

/** Permissions of a connection authenticated with userauth. */
export interface UserPermissions {
  /**
   * esl-allowed-events: the event types (`all` when ALL is listed), or undefined when the
   * user has no such param (then nothing is checked).
   */
  allowedEventTypes: Set<string> | 'all' | undefined;
  /** The CUSTOM subclasses listed after CUSTOM in esl-allowed-events. */
  allowedSubclasses: Set<string>;
  /** esl-allowed-api: command names (`all` is one more name, not a wildcard), or undefined without the param. */
  allowedApi: Set<string> | undefined;
}

/**
 * The connection a command runs on (listener.ts): the state parse_command reads and changes
 * (listener_t's LFLAG_* flags and their data), and what it may ask of the connection.
 */
export interface CommandListener {
  readonly core: SwitchCore;
  readonly outbound: boolean;
  readonly closed: boolean;
  authed: boolean;
  permissions: UserPermissions | undefined;
  allowLog: boolean;
  eventsOn: boolean;
  /** event_list / event_hash: what `event`, `nixevent`, `noevents`, `myevents` asked for. */
  readonly subscription: EventSubscription;
  /** The `filter` list. */
  readonly filters: FilterList;
  /** The event format asked for. */
  readonly format: EventFormat;
  myevents: boolean;
  /** The session the connection controls (outbound, or inbound after `myevents <uuid>`). */
  readonly session: Channel | undefined;
  async: boolean;
  full: boolean;
  linger: boolean;
  /** Seconds, or -1 for "until the client closes". */
  lingerSeconds: number;
  logOn: boolean;
  logLevel: number;
  resume: boolean;
  connected: boolean;
  /** Binds the connection to a session (myevents <uuid>). */
  bindSession(channel: Channel): void;
  /** Re-indexes the connection for delivery after its flags changed. */
  reroute(): void;
  /** Drops queued events (noevents) or log lines (nolog). */
  discardQueued(what: 'events' | 'logs'): void;
  /** `connect` was answered. */
  connectedNow(): void;
  /** Takes an event queued to the session it diverts (divert_events on). */
  deliverDiverted(event: FiredEvent): void;
}

/** What the connection writes for a command. */
export interface CommandOutcome {
  /** Reply-Text of a command/reply (an empty string is `-ERR command not found`). */
  reply?: string;
  /** Headers after Reply-Text (bgapi's Job-UUID, userauth's Allowed-*). */
  extra?: ReadonlyArray<readonly [string, string]>;
  /** A frame written instead of a command/reply (api/response, the connect reply). */
  bytes?: Buffer;
  /** Close the connection after the reply (exit, a refused password). */
  close?: boolean;
  closeBody?: string;
  /** Runs once the reply is written (a bgapi job starts then). */
  after?: () => void;
}

const NOT_FOUND: CommandOutcome = { reply: '-ERR command not found' };

function startsWithCi(s: string, prefix: string): boolean {
  return s.length >= prefix.length && s.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/** Carries out one command. */
export function handleCommand(l: CommandListener, command: ClientCommand): CommandOutcome | Promise<CommandOutcome> {
  let cmd = command.line;
  // The safety hack: any command naming (un|re)load and mod_event_socket becomes a bgapi. It
  // looks at the whole block, header lines included (the Command header holds all of it).
  const lower = command.block.toLowerCase();
  if (lower.includes('mod_event_socket')) {
    if (lower.includes('unload')) cmd = 'api bgapi unload mod_event_socket';
    else if (lower.includes('reload')) cmd = 'api bgapi reload mod_event_socket';
  }

  if (startsWithCi(cmd, 'exit') || cmd.startsWith('...')) return { reply: '+OK bye', close: true };

  if (!l.authed) {
    if (startsWithCi(cmd, 'auth ')) return auth(l, cmd.slice(5));
    if (startsWithCi(cmd, 'userauth ')) return userauth(l, cmd.slice(9));
    return NOT_FOUND;
  }

  if (startsWithCi(cmd, 'filter ')) return filter(l, cmd.slice(7));

  if (l.session && startsWithCi(cmd, 'resume')) {
    l.resume = true;
    l.session.setVar('socket_resume', 'true');
    return { reply: '+OK' };
  }

  if (l.session || startsWithCi(cmd, 'myevents ')) {
    if (startsWithCi(cmd, 'connect')) return connect(l);
    if (startsWithCi(cmd, 'getvar')) {
      const sp = cmd.indexOf(' ');
      const value = sp < 0 ? '' : (l.session?.getVar(cmd.slice(sp + 1)) ?? '');
      return value === '' ? NOT_FOUND : { reply: value };
    }
    if (startsWithCi(cmd, 'myevents')) return myevents(l, cmd);
  }

  if (startsWithCi(cmd, 'divert_events')) return divertEvents(l, cmd.slice(13));
  if (startsWithCi(cmd, 'sendmsg')) return sendmsg(l, cmd, command);

  // Everything below needs `full` on an outbound socket.
  if (l.outbound && !l.full) return NOT_FOUND;

  if (startsWithCi(cmd, 'sendevent')) return sendevent(l, cmd, command);
  if (startsWithCi(cmd, 'api ')) return api(l, cmd.slice(4), command);
  if (startsWithCi(cmd, 'bgapi ')) return bgapi(l, cmd.slice(6), command);
  if (startsWithCi(cmd, 'log')) return log(l, cmd.slice(3));
  if (startsWithCi(cmd, 'linger')) {
    if (!l.session) return { reply: '-ERR not controlling a session' };
    l.linger = true;
    // `linger` alone (or with nothing after the space) lingers until the client closes.
    l.lingerSeconds = cmd[6] === ' ' && cmd.length > 7 ? atoi(cmd.slice(7)) : -1;
    return { reply: l.lingerSeconds !== -1 ? `+OK will linger ${l.lingerSeconds} seconds` : '+OK will linger' };
  }
  if (startsWithCi(cmd, 'nolinger')) {
    if (!l.session) return { reply: '-ERR not controlling a session' };
    l.linger = false;
    return { reply: '+OK will not linger' };
  }
  if (startsWithCi(cmd, 'nolog')) {
    l.discardQueued('logs');
    if (l.logOn) {
      l.logOn = false;
      l.reroute();
      return { reply: '+OK no longer logging' };
    }
    return { reply: '-ERR not loging' };
  }
  if (startsWithCi(cmd, 'event')) return event(l, cmd);
  if (startsWithCi(cmd, 'nixevent')) return nixevent(l, cmd);
  if (startsWithCi(cmd, 'noevents')) {
    l.discardQueued('events');
    if (l.eventsOn) {
      l.eventsOn = false;
      l.subscription.clear();
      l.reroute();
      return { reply: '+OK no longer listening for events' };
    }
    return { reply: '-ERR not listening for events' };
  }
  return NOT_FOUND;
}

// ---------------------------------------------------------------------------------- auth

function auth(l: CommandListener, password: string): CommandOutcome {
  // Compared byte for byte: trailing spaces count.
  if (password === l.core.options.password) {
    l.authed = true;
    return { reply: '+OK accepted' };
  }
  return { reply: '-ERR invalid', close: true };
}

function splitList(raw: string): string[] {
  const delim = raw.includes(' ') ? ' ' : ',';
  return raw.split(delim).filter((s) => s !== '');
}

function userauth(l: CommandListener, rest: string): CommandOutcome {
  let user = rest;
  let domain: string | undefined;
  let pass: string | undefined;
  const at = user.indexOf('@');
  if (at >= 0) {
    domain = user.slice(at + 1);
    user = user.slice(0, at);
  }
  if (domain !== undefined) {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      pass = domain.slice(colon + 1);
      domain = domain.slice(0, colon);
    }
  }
  const colon = user.indexOf(':');
  if (colon >= 0) {
    pass = user.slice(colon + 1);
    user = user.slice(0, colon);
  }
  const invalid: CommandOutcome = { reply: '-ERR invalid', close: true };
  if (!user || !domain) return invalid;
  const entry = l.core.options.users[`${user}@${domain}`];
  if (!entry || !entry.password || !pass || entry.password !== pass) return invalid;

  const perms: UserPermissions = { allowedEventTypes: undefined, allowedSubclasses: new Set(), allowedApi: undefined };
  let eventsReply = 'all';
  if (entry.allowedEvents !== undefined) {
    eventsReply = entry.allowedEvents;
    const types = new Set<string>();
    let custom = false;
    let all = false;
    for (const token of splitList(entry.allowedEvents)) {
      if (custom) {
        perms.allowedSubclasses.add(token);
        continue;
      }
      const name = lookupEventName(token);
      if (!name) continue;
      if (name === 'ALL') all = true;
      types.add(name);
      if (name === 'CUSTOM') custom = true;
    }
    perms.allowedEventTypes = all ? 'all' : types;
  }
  let apiReply = 'all';
  if (entry.allowedApi !== undefined) {
    apiReply = entry.allowedApi;
    perms.allowedApi = new Set(splitList(entry.allowedApi));
  }
  l.allowLog = entry.allowedLog ?? true;
  l.permissions = perms;
  l.authed = true;
  return {
    reply: '+OK accepted',
    extra: [
      ['Allowed-Events', eventsReply],
      ['Allowed-API', apiReply],
      ['Allowed-LOG', l.allowLog ? 'true' : 'false'],
    ],
  };
}

// ---------------------------------------------------------------------------------- filters

function filter(l: CommandListener, rest: string): CommandOutcome {
  let name = rest.replace(/^ +/, '');
  let value: string | undefined;
  const sp = name.indexOf(' ');
  if (sp >= 0) {
    value = name.slice(sp + 1);
    name = name.slice(0, sp);
  }
  if (name.toLowerCase() === 'delete' && value !== undefined) {
    let delName = value;
    let delValue: string | undefined;
    const sp2 = delName.indexOf(' ');
    if (sp2 >= 0) {
      delValue = delName.slice(sp2 + 1);
      delName = delName.slice(0, sp2);
    }
    l.filters.delete(delName, delValue);
    return { reply: `+OK filter deleted. [${delName}][${delValue ?? ''}]` };
  }
  if (value !== undefined) {
    if (name.toLowerCase() === 'add') {
      name = value;
      value = undefined;
      const sp3 = name.indexOf(' ');
      if (sp3 >= 0) {
        value = name.slice(sp3 + 1);
        name = name.slice(0, sp3);
      }
    }
    // A filter with no value is not stored; C's printf shows the missing value as (null).
    if (value !== undefined && value !== '') l.filters.add(name, value);
    return { reply: `+OK filter added. [${name}]=[${value ?? '(null)'}]` };
  }
  return { reply: '-ERR invalid syntax' };
}

// ---------------------------------------------------------------------------------- session commands

function connect(l: CommandListener): CommandOutcome {
  const ch = l.session;
  const core = l.core;
  l.connected = true;
  const h = core.events.create('CHANNEL_DATA', SITES.channelData);
  if (ch) {
    // The caller profile under the prefix Channel-*, then the channel's own data and every variable.
    profileData(ch.profile, 'Channel', ch.times, h);
    ch.basicData(h);
    ch.variableData(h);
  }
  const bytes = ServerFrames.connectReply(
    { names: h.names, values: h.values },
    { socketMode: l.async ? 'async' : 'static', control: l.full ? 'full' : 'single-channel' },
  );
  return { bytes, after: () => l.connectedNow() };
}

function myevents(l: CommandListener, cmd: string): CommandOutcome {
  if (l.myevents) return { reply: '-ERR aready enabled.' };
  // The format check below reads the command line, which FreeSWITCH has already cut at the
  // space after the uuid on an inbound connection: `myevents <uuid> json` stays plain.
  let formatSource = cmd;
  if (!l.session) {
    let uuid = cmd.slice(9);
    let fmt: string | undefined;
    const sp = uuid.indexOf(' ');
    if (sp >= 0) {
      fmt = uuid.slice(sp + 1);
      uuid = uuid.slice(0, sp);
    }
    formatSource = `myevents ${uuid}`;
    const ch = l.core.channel(uuid);
    if (!ch || ch.destroyed) {
      if (fmt !== undefined) return { reply: '-ERR invalid uuid' };
    } else {
      l.async = true;
      l.bindSession(ch);
    }
  }
  // The events of PROTOCOL.md §2.3.
  for (const n of MYEVENTS_SET) l.subscription.types.add(n);
  l.myevents = true;
  l.eventsOn = true;
  if (formatSource.includes('xml') || formatSource.includes('XML')) l.subscription.format = 'xml';
  if (formatSource.includes('json') || formatSource.includes('JSON')) l.subscription.format = 'json';
  l.reroute();
  return { reply: '+OK Events Enabled' };
}

function divertEvents(l: CommandListener, rest: string): CommandOutcome {
  if (!l.session) return { reply: '-ERR not controlling a session.' };
  const v = rest.replace(/^ +/, '');
  if (v === '') return { reply: '-ERR missing value.' };
  if (v.toLowerCase() === 'on') {
    l.session.divertTo = l;
    return { reply: '+OK events diverted' };
  }
  if (l.session.divertTo === l) l.session.divertTo = undefined;
  return { reply: '+OK events not diverted' };
}

async function sendmsg(l: CommandListener, cmd: string, command: ClientCommand): Promise<CommandOutcome> {
  let uuid: string | undefined = cmd.slice(7).replace(/^ +/, '');
  if (uuid === '') uuid = command.headers.get('session-id') ?? undefined;
  if (uuid !== undefined && uuid === '') uuid = undefined;
  if (uuid !== undefined && l.session && uuid === l.session.uuid) uuid = undefined;
  const async = l.async || switchTrue(command.headers.get('async'));
  const message = {
    command: command.headers.get('call-command') ?? '',
    headers: [['Command', cmd] as [string, string], ...command.headers.entries()],
    body: command.body.length > 0 ? command.body.toString('utf8') : undefined,
  };
  if (uuid === undefined && l.session) {
    if (async) l.session.queueMessage(message);
    // A synchronous (static) outbound socket runs the application inline: +OK once it has finished.
    else await l.session.processMessage(message, false);
    return { reply: '+OK' };
  }
  const target = uuid !== undefined ? l.core.channel(uuid) : undefined;
  if (target && !target.destroyed) {
    target.queueMessage(message);
    return { reply: '+OK' };
  }
  return { reply: `-ERR invalid session id [${uuid ?? ''}]` };
}

function sendevent(l: CommandListener, cmd: string, command: ClientCommand): CommandOutcome {
  const core = l.core;
  const eventUuid = core.newUuid();
  const h = new HeaderBuilder();
  h.add('Command', cmd);
  for (const [n, v] of command.headers) h.add(n, v);
  h.add('Event-UUID', eventUuid);
  const ename = cmd.slice(9).replace(/^[ \t]+/, '');
  let type = 'CLONE';
  let subclass: string | undefined;
  const known = ename === '' ? undefined : lookupEventName(ename);
  if (known && known !== 'ALL') {
    type = known;
    const sc = h.get('Event-Subclass');
    if (type === 'CUSTOM' && sc !== undefined) {
      subclass = sc;
      // FreeSWITCH 1.10.12 moves Event-Subclass to the top (capture 09).
      h.delete('Event-Subclass').unshift('Event-Subclass', sc);
    }
  }
  const body = command.body.length > 0 ? command.body : undefined;
  const target = core.channel(h.get('unique-id'));
  if (target && !target.destroyed) {
    // Queued to that session instead of fired: a diverting socket gets it, else the channel
    // carries it out as a message (a call-command header acts as in sendmsg).
    const event = new FiredEvent(toEslEvent(h, body), { name: type, subclass });
    if (target.divertTo && !target.divertTo.closed) target.divertTo.deliverDiverted(event);
    else target.queueMessage({ command: h.get('call-command') ?? '', headers: h.pairs(), body: body?.toString('utf8') });
    return { reply: `+OK ${eventUuid}` };
  }
  core.events.stamp(h, type, SITES.sendevent);
  core.dispatch(new FiredEvent(toEslEvent(h, body), { name: type, subclass }));
  return { reply: `+OK ${eventUuid}` };
}

// ---------------------------------------------------------------------------------- api, bgapi, log

const SNEAKY = ['bgapi', 'sched_api', 'eval', 'expand', 'xml_wrap'];

/** auth_api_command: the command, and the command nested in bgapi/eval/expand/..., must be allowed. */
function apiAllowed(allowed: ReadonlySet<string>, cmd: string, arg: string | undefined): boolean {
  let check = cmd;
  let rest = arg;
  for (;;) {
    if (!allowed.has(check)) return false;
    if (!SNEAKY.includes(check.toLowerCase()) || rest === undefined) return true;
    const sp = rest.indexOf(' ');
    check = sp < 0 ? rest : rest.slice(0, sp);
    rest = sp < 0 ? undefined : rest.slice(sp + 1);
  }
}

function splitCommand(s: string): [string, string | undefined] {
  const sp = s.indexOf(' ');
  return sp < 0 ? [s, undefined] : [s.slice(0, sp), s.slice(sp + 1)];
}

async function api(l: CommandListener, rest: string, command: ClientCommand): Promise<CommandOutcome> {
  const allowed = l.permissions?.allowedApi;
  if (allowed) {
    const [c, a] = splitCommand(rest);
    if (!apiAllowed(allowed, c, a)) return { reply: '-ERR permission denied' };
  }
  const consoleExecute = switchTrue(command.headers.get('console_execute'));
  const [cmd, arg] = consoleExecute ? splitCommand(rest.trim()) : splitCommand(rest);
  const reply = await l.core.apis.execute(cmd, arg ?? '', { sessionUuid: l.session?.uuid });
  // FreeSWITCH never sends an empty api/response body.
  return { bytes: ServerFrames.apiResponse(reply === '' ? '-ERR no reply\n' : reply) };
}

function bgapi(l: CommandListener, rest: string, command: ClientCommand): CommandOutcome {
  const [cmd, arg] = splitCommand(rest);
  const allowed = l.permissions?.allowedApi;
  if (allowed && !apiAllowed(allowed, cmd, arg)) return { reply: '-ERR permission denied' };
  const given = command.headers.get('job-uuid');
  // Copied into a 256-byte buffer: a caller's Job-UUID is kept up to 255 characters.
  const jobUuid = given !== undefined ? given.slice(0, 255) : l.core.newUuid();
  const core = l.core;
  const job = { uuid: jobUuid, command: cmd, arg, ownerUuid: l.session?.uuid, runner: 'mod_event_socket' } as const;
  return {
    reply: `+OK Job-UUID: ${jobUuid}`,
    extra: [['Job-UUID', jobUuid]],
    after: () => core.apis.background(job),
  };
}

function log(l: CommandListener, rest: string): CommandOutcome {
  if (!l.allowLog) return { reply: '-ERR permission denied' };
  let level = rest.replace(/^ +/, '');
  const sp = level.indexOf(' ');
  if (sp >= 0) level = level.slice(0, sp);
  const n = level === '' ? 7 : parseLogLevel(level);
  if (n === undefined) return { reply: '-ERR invalid log level' };
  l.logLevel = n;
  l.logOn = true;
  l.reroute();
  return { reply: `+OK log level ${level} [${n}]` };
}

// ---------------------------------------------------------------------------------- event subscriptions

function event(l: CommandListener, cmd: string): CommandOutcome {
  const sp = cmd.indexOf(' ', 5);
  const tokens = sp < 0 ? [] : cmd.slice(sp + 1).split(' ');
  // The format changes even when the rest of the command is refused.
  const keys = l.subscription.subscribe(tokens, permitsOf(l.permissions));
  if (keys === 'denied') return { reply: '-ERR permission denied' };
  if (keys === 0) return { reply: '-ERR no keywords supplied' };
  l.eventsOn = true;
  l.reroute();
  return { reply: `+OK event listener enabled ${l.format}` };
}

/**
 * What a userauth connection with esl-allowed-events may subscribe to (undefined: anything).
 * With the param, even `all`, a CUSTOM subclass must be listed after CUSTOM: FreeSWITCH
 * checks subclasses against the listed ones whenever the list exists (allowed_event_hash).
 */
function permitsOf(perms: UserPermissions | undefined): SubscriptionPermits | undefined {
  const types = perms?.allowedEventTypes;
  if (!perms || types === undefined) return undefined;
  return { type: (name) => types === 'all' || types.has(name), subclass: (name) => perms.allowedSubclasses.has(name) };
}

function nixevent(l: CommandListener, cmd: string): CommandOutcome {
  const sp = cmd.indexOf(' ', 8);
  const tokens = sp < 0 ? [] : cmd.slice(sp + 1).split(' ');
  const keys = l.subscription.unsubscribe(tokens);
  if (keys === 0) return { reply: '-ERR no keywords supplied' };
  l.eventsOn = true;
  l.reroute();
  return { reply: '+OK events nixed' };
}
