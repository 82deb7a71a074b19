/** The machine, the software and the versions a result belongs to. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './root.js';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGB: number;
  os: string;
  node: string;
  v8: string;
  loadAvgStart: number[];
  loadAvgEnd?: number[];
  rxesl: string;
  versions: Record<string, string>;
}

const ROOT = repoRoot();

export function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '?';
  } catch {
    return 'not installed';
  }
}

function rxeslVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += ' + uncommitted lib/ changes';
  } catch {
    commit = 'unknown commit';
  }
  return `${pkg.version} (${commit})`;
}

export function machine(packages: string[]): Machine {
  const cpus = os.cpus();
  const versions: Record<string, string> = {};
  for (const p of packages) versions[p] = packageVersion(p);
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAvgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    rxesl: rxeslVersion(),
    versions,
  };
}
