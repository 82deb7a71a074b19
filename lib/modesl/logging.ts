/**
 * modesl's ESL object logging (lib/esl/esl.js of modesl 1.2.1): `setLogLevel(n)` turns on the
 * printing of the log/data lines a connection receives (after `log <level>` was sent) whose
 * Log-Level is at most n. At level 7 the whole frame is printed before the line.
 */
import type { Event } from './event.js';

/** The state modesl keeps on its module object as `_log`, `_level` and `_logger`. */
export interface LogSettings {
  /** Printing is on (setLogLevel was called; modesl offers no way back). */
  _log: boolean;
  /** 0 EMERG ... 7 DEBUG: lines with a higher Log-Level are not printed. */
  _level: number;
  /** Where the lines go. Default: console.log. */
  _logger: (message: string) => void;
}

export const logSettings: LogSettings = {
  _log: false,
  _level: 0,
  _logger: (message) => console.log(message),
};

/**
 * Prints the log/data lines with a Log-Level of at most `level` (0 EMERG, 1 ALERT, 2 CRIT,
 * 3 ERROR, 4 WARNING, 5 NOTICE, 6 INFO, 7 DEBUG). Without a number, printing is turned on at
 * the current level.
 */
export function setLogLevel(level?: number): void {
  logSettings._log = true;
  if (typeof level === 'number') logSettings._level = level;
}

/** modesl's other name for setLogLevel. */
export const eslSetLogLevel = setLogLevel;

/** Called with each log/data event a connection receives (modesl's `esl._doLog`). */
export function doLog(event: Event): void {
  if (!logSettings._log || Number(event.getHeader('Log-Level')) > logSettings._level) return;
  let message = '';
  if (logSettings._level === 7) message += `${event.serialize()}\n\n`;
  message += event.getBody();
  logSettings._logger(message);
}

/**
 * An 'error' that nothing listens to. EventEmitter2 throws it, as modesl's did, and thrown from
 * a socket's handler it ends the process, with every other call on it. Here it is printed with
 * the logger (whatever the level set), and the other connections carry on.
 */
export function logUnhandledError(source: string, err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  logSettings._logger(`${source}: unhandled 'error' (add an 'error' listener to handle it): ${text}`);
}
