/**
 * How the console shows what FreeSWITCH sends: an event on one line (time, name, uuid and the
 * few headers that matter for that event), or whole; a log line coloured by its level as
 * fs_cli colours it.
 */
import type { LogLine } from '../connection/replies.js';
import type { EventFormat } from '../protocol/content-type.js';
import type { EslEvent } from '../protocol/event.js';
import type { Palette } from './palette.js';
import { safeLine } from './terminal-text.js';

/** HH:MM:SS.mmm, local time. */
export function clockTime(at: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}.${p(at.getMilliseconds(), 3)}`;
}

/** A FreeSWITCH time in microseconds since the epoch (Event-Date-Timestamp, *-Time) in ms; undefined when absent or 0. */
export function microsToMs(value: string | undefined): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n / 1000 : undefined;
}

/** When the event happened: Event-Date-Timestamp, else now. */
function eventTime(e: EslEvent, now: () => number = Date.now): Date {
  const ms = microsToMs(e.getHeader('Event-Date-Timestamp'));
  return new Date(ms !== undefined ? Math.floor(ms) : now());
}

/** The name shown for an event: CUSTOM events are shown by their subclass. */
export function displayName(e: EslEvent): string {
  const name = e.name ?? e.getHeader('Content-Type') ?? '?';
  return name === 'CUSTOM' && e.subclass ? `CUSTOM ${e.subclass}` : name;
}

function firstLine(s: string | undefined): string {
  if (!s) return '';
  const t = s.trim();
  const nl = t.indexOf('\n');
  return nl < 0 ? t : `${t.slice(0, nl)} …`;
}

/** The part of the line that says what this event is about. */
export function eventDetail(e: EslEvent): string {
  const h = (n: string): string | undefined => e.getHeader(n);
  const parts: string[] = [];
  const add = (...xs: Array<string | undefined>): void => {
    for (const x of xs) if (x !== undefined && x !== '') parts.push(x);
  };
  const channel = h('Channel-Name');
  switch (e.name) {
    case 'CHANNEL_CREATE': {
      const cid = h('Caller-Caller-ID-Number');
      const dest = h('Caller-Destination-Number');
      add(channel, cid !== undefined || dest !== undefined ? `${cid ?? '?'} -> ${dest ?? '?'}` : undefined, h('Call-Direction'));
      break;
    }
    case 'CHANNEL_STATE':
      add(channel, h('Channel-State'));
      break;
    case 'CHANNEL_CALLSTATE':
      add(channel, `${h('Original-Channel-Call-State') ?? '?'} -> ${h('Channel-Call-State') ?? '?'}`);
      break;
    case 'CHANNEL_ANSWER':
    case 'CHANNEL_PROGRESS':
    case 'CHANNEL_PROGRESS_MEDIA':
    case 'CHANNEL_PARK':
    case 'CHANNEL_UNPARK':
    case 'CHANNEL_DESTROY':
      add(channel);
      break;
    case 'CHANNEL_HANGUP':
    case 'CHANNEL_HANGUP_COMPLETE':
      add(channel, h('Hangup-Cause'));
      break;
    case 'CHANNEL_EXECUTE':
      add(channel, `${h('Application') ?? '?'}(${h('Application-Data') ?? ''})`);
      break;
    case 'CHANNEL_EXECUTE_COMPLETE': {
      const response = h('Application-Response');
      add(channel, `${h('Application') ?? '?'}(${h('Application-Data') ?? ''})`, response && response !== '_none_' ? `= ${response}` : undefined);
      break;
    }
    case 'CHANNEL_BRIDGE':
    case 'CHANNEL_UNBRIDGE':
      add(channel, `<-> ${h('Other-Leg-Unique-ID') ?? h('Bridge-B-Unique-ID') ?? '?'}`);
      break;
    case 'DTMF':
      add(channel, `digit ${h('DTMF-Digit') ?? '?'}`);
      break;
    case 'PLAYBACK_START':
    case 'PLAYBACK_STOP':
    case 'RECORD_START':
    case 'RECORD_STOP':
      add(channel, h('Playback-File-Path') ?? h('Record-File-Path'), h('Playback-Status'));
      break;
    case 'BACKGROUND_JOB':
      add(`${h('Job-Command') ?? ''}${h('Job-Command-Arg') ? ` ${h('Job-Command-Arg')}` : ''}:`, firstLine(e.getBody()));
      break;
    case 'API':
      add(h('API-Command'), h('API-Command-Argument'));
      break;
    case 'HEARTBEAT':
      add(h('Up-Time'), h('Session-Count') !== undefined ? `${h('Session-Count')} sessions` : undefined, h('Idle-CPU') !== undefined ? `idle ${h('Idle-CPU')}%` : undefined);
      break;
    case 'MESSAGE':
      add(`${h('from') ?? '?'} -> ${h('to') ?? '?'}:`, firstLine(e.getBody()));
      break;
    case 'CUSTOM':
      if (/^SMS::/i.test(e.subclass ?? '')) add(`${h('from') ?? '?'} -> ${h('to') ?? '?'}:`, firstLine(e.getBody()));
      else add(channel);
      break;
    default:
      add(channel);
  }
  return parts.join('  ');
}

/** The colour of an event's name: green when a call starts, red when it ends... */
function nameColour(name: string, p: Palette): (s: string) => string {
  if (name === 'CHANNEL_CREATE' || name === 'CHANNEL_ANSWER' || name === 'CHANNEL_BRIDGE') return p.green;
  if (name.startsWith('CHANNEL_HANGUP') || name === 'CHANNEL_DESTROY' || name === 'CHANNEL_UNBRIDGE') return p.red;
  if (name === 'DTMF' || name.startsWith('PLAYBACK') || name.startsWith('RECORD')) return p.cyan;
  if (name === 'BACKGROUND_JOB' || name === 'API') return p.magenta;
  if (name.startsWith('CUSTOM') || name === 'MESSAGE') return p.yellow;
  if (name === 'HEARTBEAT' || name === 'RE_SCHEDULE') return p.dim;
  return p.blue;
}

/** The uuid an event is about: its channel, else its job. */
export function eventUuid(e: EslEvent): string | undefined {
  return e.getHeader('Unique-ID') ?? e.getHeader('Job-UUID');
}

/** `12:00:01.234 CHANNEL_ANSWER           <uuid> sofia/internal/1000@127.0.0.1` */
export function formatEventLine(e: EslEvent, p: Palette, now: () => number = Date.now): string {
  // Header values are the caller's to choose: on one line, and never a terminal command.
  const name = safeLine(displayName(e));
  const time = p.dim(clockTime(eventTime(e, now)));
  const uuid = safeLine(eventUuid(e) ?? '');
  const detail = safeLine(eventDetail(e));
  return `${time} ${nameColour(name, p)(name.padEnd(24))} ${uuid.padEnd(36)}${detail ? ` ${detail}` : ''}`.trimEnd();
}

/**
 * The whole event. Plain events as `Name: value` lines with the values decoded (what a person
 * wants to read); json and xml as FreeSWITCH writes them.
 */
export function formatEventFull(e: EslEvent, format: EventFormat, p: Palette): string {
  const title = p.bold(`[${displayName(e)}]`);
  if (format === 'json' || format === 'xml') return `${title}\n${e.serialize(format).trimEnd()}\n`;
  const lines: string[] = [title];
  for (const [name, value] of e.headers) lines.push(`${p.cyan(name)}: ${Array.isArray(value) ? value.join(' | ') : value}`);
  const body = e.getBody();
  if (body) lines.push('', body.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** fs_cli's colours by level: console default, alert/crit/err red, warning magenta, notice cyan, info green, debug yellow. */
function logColour(level: number, p: Palette): (s: string) => string {
  switch (level) {
    case 1:
    case 2:
    case 3:
      return p.red;
    case 4:
      return p.magenta;
    case 5:
      return p.cyan;
    case 6:
      return p.green;
    case 7:
      return p.yellow;
    default:
      return (s) => s;
  }
}

/** A log/data line, coloured by its level (each line of a multi-line body). */
export function formatLogLine(line: Pick<LogLine, 'level' | 'text'>, p: Palette): string {
  const colour = logColour(line.level, p);
  return line.text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => colour(l))
    .join('\n');
}
