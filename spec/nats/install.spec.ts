/**
 * The NATS tests' globalSetup finds nats-server, installs it as root when it is missing, and
 * otherwise stops the run with one line saying how to install it (never a silent skip).
 */
import { describe, expect, it } from 'vitest';
import { INSTALL_HINT, type InstallDeps, ensureNatsServer } from './helpers/install';

function deps(over: Partial<InstallDeps> & { files?: Set<string> } = {}): InstallDeps & { runs: string[]; files: Set<string> } {
  const files = over.files ?? new Set<string>();
  const runs: string[] = [];
  return {
    path: '/usr/bin:/bin',
    isRoot: false,
    executable: (f) => files.has(f),
    run: (file, args) => void runs.push([file, ...args].join(' ')),
    log: () => undefined,
    ...over,
    runs,
    files,
  };
}

describe('ensureNatsServer', () => {
  it('finds it on PATH, or where Debian puts it (/usr/sbin)', () => {
    expect(ensureNatsServer(deps({ files: new Set(['/bin/nats-server']) }))).toBe('/bin/nats-server');
    const d = deps({ files: new Set(['/usr/sbin/nats-server']) });
    expect(ensureNatsServer(d)).toBe('/usr/sbin/nats-server');
    expect(d.runs).toEqual([]);
  });

  it('as root, installs it with apt-get (update, then install -y)', () => {
    const d = deps({ isRoot: true });
    d.run = (file, args) => {
      d.runs.push([file, ...args].join(' '));
      if (args[0] === 'install') d.files.add('/usr/sbin/nats-server');
    };
    expect(ensureNatsServer(d)).toBe('/usr/sbin/nats-server');
    expect(d.runs).toEqual(['apt-get update', 'apt-get install -y nats-server']);
  });

  it('not root: fails with one line saying how to install it', () => {
    const d = deps();
    expect(() => ensureNatsServer(d)).toThrow(INSTALL_HINT);
    expect(INSTALL_HINT).not.toContain('\n');
    expect(INSTALL_HINT).toMatch(/apt-get install -y nats-server/);
    expect(d.runs).toEqual([]);
  });

  it('root but apt-get fails: one line, with apt-get\'s last word', () => {
    const d = deps({
      isRoot: true,
      run: () => {
        throw Object.assign(new Error('Command failed'), { stderr: Buffer.from('Reading package lists...\nE: Unable to locate package nats-server\n') });
      },
    });
    let message = '';
    try {
      ensureNatsServer(d);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(`${INSTALL_HINT} (apt-get failed: E: Unable to locate package nats-server)`);
  });

  it('root, apt-get says it worked, yet no binary: one line', () => {
    expect(() => ensureNatsServer(deps({ isRoot: true }))).toThrow(`${INSTALL_HINT} (apt-get installed no nats-server binary)`);
  });
});
