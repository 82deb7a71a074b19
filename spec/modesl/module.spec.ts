/**
 * The module object: what `require('modesl')` gave (Connection, Event, Server, Parser,
 * setLogLevel / eslSetLogLevel and the logging state), as named exports and as the default.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as named from 'rxesl/modesl';
import esl, { Event } from 'rxesl/modesl';

const saved = { log: esl._log, level: esl._level, logger: esl._logger };
afterEach(() => {
  esl._log = saved.log;
  esl._level = saved.level;
  esl._logger = saved.logger;
});

describe('rxesl/modesl', () => {
  it('exports Connection, Event, Server, Parser and setLogLevel, named and on the default object', () => {
    for (const key of ['Connection', 'Event', 'Server', 'Parser', 'setLogLevel', 'eslSetLogLevel'] as const) {
      expect(typeof named[key]).toBe('function');
      expect(esl[key]).toBe(named[key]);
    }
    expect(esl.eslSetLogLevel).toBe(esl.setLogLevel);
  });

  it('setLogLevel turns logging on and sets the level; without a number it keeps the level', () => {
    esl._log = false;
    esl.setLogLevel(7);
    expect(esl._log).toBe(true);
    expect(esl._level).toBe(7);
    esl.setLogLevel();
    expect(esl._level).toBe(7);
    named.eslSetLogLevel(3);
    expect(esl._level).toBe(3);
  });

  it('prints the lines of a level at most the one set; at 7 the whole frame, then the line', () => {
    const printed: string[] = [];
    esl._logger = (m) => printed.push(m);
    const line = (level: number) => new Event({ 'Content-Type': 'log/data', 'Log-Level': String(level), _body: `level ${level}\n` });
    esl._log = false;
    esl._doLog(line(0));
    expect(printed).toEqual([]);
    esl.setLogLevel(5);
    esl._doLog(line(6));
    esl._doLog(line(5));
    esl._doLog(line(0));
    expect(printed).toEqual(['level 5\n', 'level 0\n']);
    esl.setLogLevel(7);
    const debug = line(7);
    esl._doLog(debug);
    expect(printed[2]).toBe(`${debug.serialize()}\n\nlevel 7\n`);
  });

  it("in CommonJS, require('rxesl/modesl') is modesl's module object: _log, _level, _logger (read and set) and _doLog", () => {
    const root = join(__dirname, '..', '..');
    const script = [
      "const esl = require('./lib/modesl/index.ts');",
      'const out = [];',
      'esl._logger = (m) => out.push(m);',
      'esl.setLogLevel(6);',
      "esl._doLog(new esl.Event({ 'Log-Level': '6', _body: 'six' }));",
      'esl._level = 3;',
      "esl._doLog(new esl.Event({ 'Log-Level': '6', _body: 'hidden' }));",
      'console.log(JSON.stringify([esl._log, esl._level, esl.default._level, out, esl.default._logger === esl._logger, typeof esl._doLog]));',
    ].join('\n');
    // tsx compiles the source to CommonJS, as the cjs build is.
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, 3, 3, ['six'], true, 'function']);
  });
});

