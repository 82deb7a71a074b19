/**
 * Finds nats-server for the NATS tests, and installs it when it is missing and we may: the
 * README's one test command (`npm ci && npm test`) must pass on a fresh Debian machine, where
 * CI runs as root. Where it cannot install, the run fails with one line saying how; never a
 * silent skip.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What ensureNatsServer needs from the machine (replaced in its own spec). */
export interface InstallDeps {
  /** The PATH to search. */
  path: string;
  /** True when we run as root (apt-get works without sudo). */
  isRoot: boolean;
  /** Whether a file exists and is executable. */
  executable: (file: string) => boolean;
  /** Runs a command to completion; throws if it fails. */
  run: (file: string, args: string[]) => void;
  /** Where progress goes (the install takes a few seconds). */
  log: (line: string) => void;
}

/** The one-line message of a run that cannot go on without nats-server. */
export const INSTALL_HINT =
  'nats-server is not installed and could not be installed: install it (Debian/Ubuntu: sudo apt-get install -y nats-server) or put it on PATH, then run the tests again';

// Debian installs it in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];

export function realDeps(): InstallDeps {
  return {
    path: process.env.PATH ?? '',
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    executable: (file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    run: (file, args) => {
      execFileSync(file, args, { stdio: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 });
    },
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

export function findNatsServer(deps: Pick<InstallDeps, 'path' | 'executable'>): string | undefined {
  const dirs = [...deps.path.split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const file = join(dir, 'nats-server');
    if (deps.executable(file)) return file;
  }
  return undefined;
}

/** The path of nats-server; installs it with apt-get when missing and root. Throws INSTALL_HINT otherwise. */
export function ensureNatsServer(deps: InstallDeps = realDeps()): string {
  const found = findNatsServer(deps);
  if (found !== undefined) return found;
  if (!deps.isRoot) throw new Error(INSTALL_HINT);
  deps.log('nats-server not found: installing it with apt-get (the NATS tests need it)');
  try {
    deps.run('apt-get', ['update']);
    deps.run('apt-get', ['install', '-y', 'nats-server']);
  } catch (err) {
    throw new Error(`${INSTALL_HINT} (apt-get failed: ${firstLine(err)})`);
  }
  const installed = findNatsServer(deps);
  if (installed === undefined) throw new Error(`${INSTALL_HINT} (apt-get installed no nats-server binary)`);
  return installed;
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  const text = (e.stderr ? String(e.stderr) : '') || e.message || String(err);
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? 'unknown error';
}
