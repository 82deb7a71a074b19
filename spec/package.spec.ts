/**
 * The built package works both ways, `require` and `import`, through its exports map, with
 * type declarations. Builds dist/ first so that what is checked is what the source says now.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

describe('the built package', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  }, 120_000);

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; engines: { node: string } };

  it('declares rxesl, rxesl/modesl and rxesl/testing in its exports map, for Node >= 20', () => {
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './modesl', './nats', './testing']));
    expect(pkg.engines.node).toBe('>=20');
  });

  for (const sub of ['', '/modesl', '/nats', '/testing']) {
    const spec = `rxesl${sub}`;
    it(`require('${spec}') and import('${spec}') give the same names`, () => {
      const cjs = node(['-e', `console.log(Object.keys(require('${spec}')).filter(k => k !== 'default').sort().join(','))`]);
      const esm = node(['--input-type=module', '-e', `const m = await import('${spec}'); console.log(Object.keys(m).filter(k => k !== 'default').sort().join(','))`]);
      expect(cjs.length).toBeGreaterThan(0);
      expect(esm).toBe(cjs);
    });
  }

  it('parses captured bytes through require and through import', () => {
    const script = (load: string) =>
      `${load}; const wire = Buffer.from('Content-Length: 36\\nContent-Type: text/event-plain\\n\\nEvent-Name: HEARTBEAT\\nUp-Time: 1%20s\\n\\n');` +
      `const [f] = m.parseFrames(wire); console.log(m.EslEvent.fromFrame(f).getHeader('Up-Time'))`;
    expect(node(['-e', script("const m = require('rxesl')")])).toBe('1 s');
    expect(node(['--input-type=module', '-e', script("const m = await import('rxesl')")])).toBe('1 s');
  });

  it("rxesl/modesl is modesl's module object both ways: require('rxesl/modesl').Connection and import esl from 'rxesl/modesl'", () => {
    // A Parser (an EventEmitter2) reading a reply: the classes work, not only exist.
    const script = (load: string) =>
      `${load}; const names = ['Connection','Event','Server','Parser','setLogLevel'].map(k => typeof esl[k]).join(',');` +
      `const socket = new (require('node:events').EventEmitter)(); new esl.Parser(socket).on('esl::event', (e) => console.log(names, e.getHeader('Modesl-Reply-OK')));` +
      `socket.emit('data', Buffer.from('Content-Type: command/reply\\nReply-Text: +OK accepted\\n\\n'))`;
    const expected = 'function,function,function,function,function accepted';
    expect(node(['-e', script("const esl = require('rxesl/modesl')")])).toBe(expected);
    expect(node(['--input-type=module', '-e', script("import esl from 'rxesl/modesl'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url)")])).toBe(expected);
  });

  it('ships type declarations for both builds', () => {
    for (const dir of ['cjs', 'esm']) {
      expect(existsSync(join(root, 'dist', dir, 'index.d.ts'))).toBe(true);
      expect(existsSync(join(root, 'dist', dir, 'testing', 'index.d.ts'))).toBe(true);
      expect(existsSync(join(root, 'dist', dir, 'modesl', 'index.d.ts'))).toBe(true);
    }
  });
});
