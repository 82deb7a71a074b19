/**
 * Log lines as mod_event_socket's socket_logger hands them out: every connection that sent
 * `log <level>` gets each line at or below its level, as a log/data frame whose body is the
 * formatted line (switch_log.c): `YYYY-MM-DD hh:mm:ss.uuuuuu NN.NN% [LEVEL] file:line text`,
 * or only the text on the LOG_CLEAN text channel.
 */
import { LOG_LEVEL_NAMES, parseLogLevel } from './constants.js';

/** Text-Channel values: 0 LOG, 1 LOG_CLEAN, 3 SESSION. */
export type TextChannel = 0 | 1 | 3;

/** Where a log line comes from (the Log-* headers of log/data). */
export interface LogOrigin {
  file?: string;
  func?: string;
  line?: number;
  /** The session's uuid: User-Data, empty for lines outside a session. */
  uuid?: string;
  /** Text-Channel (default 3, SESSION, when there is a uuid; else 0). */
  channel?: TextChannel;
}

/** One log line the emulator writes, ready for log/data (rxesl's LogLine is one read). */
export interface FakeLogLine {
  level: number;
  textChannel: TextChannel;
  file: string;
  func: string;
  line: number;
  userData: string;
  /** The body: the formatted line, ending in LF. */
  text: string;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `2026-11-26 19:13:42.613713`: local time with microseconds. */
function logTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(Math.floor((ms % 1000) * 1000), 6)}`
  );
}

/** Formats one line as switch_log_vprintf does. */
export function switchLogLine(level: number, message: string, origin: LogOrigin, nowMs: number, idleCpu: number): FakeLogLine {
  const file = origin.file ?? 'switch_core.c';
  const func = origin.func ?? 'switch_log_printf';
  const line = origin.line ?? 1;
  const textChannel: TextChannel = origin.channel ?? (origin.uuid ? 3 : 0);
  const msg = message.endsWith('\n') ? message : `${message}\n`;
  const levelName = LOG_LEVEL_NAMES[level] ?? 'DEBUG';
  const text =
    textChannel === 1 ? msg : `${logTimestamp(nowMs)} ${idleCpu.toFixed(2)}% [${levelName}] ${file}:${line} ${msg}`;
  return { level, textChannel, file, func, line, userData: origin.uuid ?? '', text };
}

/**
 * The argument of the `log` application and API (log_function in mod_dptools and in
 * mod_commands): with a space, the first word is the level and the rest the message (a level
 * switch_log_str2level does not know logs at DEBUG, its word dropped all the same); without
 * one, the whole text at DEBUG.
 */
export function parseLogArgs(args: string): { level: number; text: string } {
  const sp = args.indexOf(' ');
  if (sp < 0) return { level: 7, text: args };
  return { level: parseLogLevel(args.slice(0, sp)) ?? 7, text: args.slice(sp + 1) };
}
