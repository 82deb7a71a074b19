/**
 * The package's `bin`: bin/rxesl.js runs the CommonJS build of the console. The build is made
 * here in a directory of its own, laid out as the installed package is (bin/, dist/cjs/,
 * package.json, node_modules), so that this test never races the package test over dist/.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSwitch } from 'rxesl/testing';
import { cleanEnv } from './cli-process';

const root = join(__dirname, '..', '..');
let pkg: string;

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'rxesl-bin-'));
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  // Type errors are the type check's business (npm test runs it); what matters here is the output.
  spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.cjs.json'), '--outDir', join(pkg, 'dist', 'cjs')], { cwd: root, stdio: 'pipe' });
  writeFileSync(join(pkg, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(root, 'bin', 'rxesl.js'), join(pkg, 'bin', 'rxesl.js'));
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
}, 120_000);

afterAll(() => {
  rmSync(pkg, { recursive: true, force: true });
});

const run = (bin: string, args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: cleanEnv() });

describe('bin/rxesl.js', () => {
  it('is the built console', () => {
    expect(existsSync(join(pkg, 'dist', 'cjs', 'cli', 'main.js'))).toBe(true);
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const r = run(join(pkg, 'bin', 'rxesl.js'), ['--version']);
    expect([r.status, r.stdout]).toEqual([0, `rxesl ${version}\n`]);
  });

  it('runs -x against a switch', async () => {
    const fake = await FakeSwitch.start();
    try {
      // spawnSync would block the switch in this process: run it asynchronously.
      const out = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [join(pkg, 'bin', 'rxesl.js'), '-x', 'switchname', '-P', String(fake.port)], {
          env: cleanEnv(),
        });
        let stdout = '';
        child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.on('exit', (status) => resolve({ status, stdout }));
      });
      expect(out).toEqual({ status: 0, stdout: 'fakeswitch\n' });
    } finally {
      await fake.stop();
    }
  });

  it('says how to build when dist/ is missing', () => {
    const bare = mkdtempSync(join(tmpdir(), 'rxesl-bare-'));
    try {
      mkdirSync(join(bare, 'bin'));
      copyFileSync(join(root, 'bin', 'rxesl.js'), join(bare, 'bin', 'rxesl.js'));
      const r = run(join(bare, 'bin', 'rxesl.js'), ['--version']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^rxesl: .*dist\/cjs\/cli\/main\.js is missing: build the package first \(npm run build\)\n$/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('starts with a shebang, for npx and npm link', () => {
    expect(readFileSync(join(root, 'bin', 'rxesl.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(execFileSync('test', ['-x', join(root, 'bin', 'rxesl.js')]).toString()).toBe('');
  });
});
