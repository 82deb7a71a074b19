/**
 * The console loads the emulator (lib/testing) for `--demo` only. Each run is a real `rxesl`
 * process (tsx, as `npm start` runs it) with a preloaded script that writes, when the process
 * exits, every module it loaded: tsx loads lib/*.ts through require, so they are all in
 * require.cache. The --demo run is the control: it must list lib/testing, or the listing itself
 * would prove nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeSwitch } from 'rxesl/testing';
import { CliProcess, killAll } from './cli-process';

const TESTING = `${sep}lib${sep}testing${sep}`;

let dir: string;
let preload: string;
let fake: FakeSwitch | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxesl-lazy-demo-'));
  preload = join(dir, 'list-modules.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.RXESL_MODULE_LIST, Object.keys(require.cache).join('\\n')));\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await killAll();
  await fake?.stop();
  fake = undefined;
});

/** Runs `rxesl <args>` to its end; returns its output and the files of lib/ it loaded. */
async function run(args: readonly string[], name: string): Promise<{ code: number | null; stdout: string; stderr: string; lib: string[] }> {
  const list = join(dir, `${name}.txt`);
  const p = new CliProcess(args, { NODE_OPTIONS: `--require ${preload}`, RXESL_MODULE_LIST: list });
  p.end();
  const { code } = await p.exited;
  const lib = readFileSync(list, 'utf8')
    .split('\n')
    .filter((f) => f.includes(`${sep}lib${sep}`) && !f.includes(`${sep}node_modules${sep}`));
  return { code, stdout: p.stdout, stderr: p.stderr, lib };
}

describe('the console loads the emulator only for --demo', () => {
  it('a plain launch runs its command without loading lib/testing', async () => {
    fake = await FakeSwitch.start();
    const r = await run(['-x', 'status', '--port', String(fake.port)], 'plain');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is ready');
    expect(r.lib.some((f) => f.endsWith(`${sep}cli${sep}run.ts`))).toBe(true);
    expect(r.lib.filter((f) => f.includes(TESTING))).toEqual([]);
  });

  it('--demo loads it (the control)', async () => {
    const r = await run(['--demo', '-x', 'status', '--port', '0'], 'demo');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is ready');
    expect(r.lib.some((f) => f.endsWith(`${sep}testing${sep}fake-switch${sep}fake-switch.ts`))).toBe(true);
  });
});
