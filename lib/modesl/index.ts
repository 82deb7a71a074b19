/**
 * rxesl/modesl: a drop-in replacement for the `modesl` package (englercj/node-esl 1.2.1,
 * and its fork drachtio-modesl), on rxesl's reactive core. Change the `require` line:
 *
 *     const esl = require('rxesl/modesl');        // was require('modesl')
 *     import esl from 'rxesl/modesl';             // or the named exports
 *
 * See docs/modesl.md for what differs and why.
 */
import { Connection } from './connection.js';
import { Event } from './event.js';
import { type LogSettings, doLog, eslSetLogLevel, logSettings, setLogLevel } from './logging.js';
import { Parser } from './parser.js';
import { Server } from './server.js';

export { Connection, Event, Parser, Server, setLogLevel, eslSetLogLevel, doLog as _doLog };
export type {
  AuthCallback,
  CommandArgs,
  EventCallback,
  MessageOptions,
  OriginateOptions,
  ReadyCallback,
  ReplyCallback,
  ShowCallback,
  TimedEventCallback,
} from './connection.js';
export type { EventHeader, EventHeadersInit, EventPriority, HeaderValue } from './event.js';
export type { LogSettings } from './logging.js';
export type { ReadableSocket } from './parser.js';
export type { ServerOptions, ServerReadyCallback } from './server.js';
export type { ShowResult } from './show.js';
export type { FrameHeadersObject } from './wire.js';

/** modesl's module object: the classes, setLogLevel, and its logging state (`_log`, `_level`, `_logger`). */
export interface Esl extends LogSettings {
  Connection: typeof Connection;
  Event: typeof Event;
  Server: typeof Server;
  Parser: typeof Parser;
  setLogLevel: typeof setLogLevel;
  eslSetLogLevel: typeof setLogLevel;
  _doLog: typeof doLog;
}

const esl: Esl = {
  Connection,
  Event,
  Server,
  Parser,
  setLogLevel,
  eslSetLogLevel,
  _doLog: doLog,
  get _log() {
    return logSettings._log;
  },
  set _log(value: boolean) {
    logSettings._log = value;
  },
  get _level() {
    return logSettings._level;
  },
  set _level(value: number) {
    logSettings._level = value;
  },
  get _logger() {
    return logSettings._logger;
  },
  set _logger(fn: (message: string) => void) {
    logSettings._logger = fn;
  },
};

export default esl;

// In CommonJS, modesl's module object was the place of its logging state:
// `require('modesl')._level`, `require('modesl')._logger = fn`. An ES module cannot export a
// binding that importers assign, so the state is on the default export, and, when this file
// runs as CommonJS, on `module.exports` too (not enumerable: the names stay those of the
// ES module).
if (typeof module !== 'undefined' && typeof module.exports === 'object' && module.exports !== null) {
  for (const name of ['_log', '_level', '_logger'] as const) {
    Object.defineProperty(module.exports, name, {
      get: () => logSettings[name],
      set: (value: never) => {
        logSettings[name] = value;
      },
      configurable: true,
    });
  }
}
