/**
 * examples/cluster-dialer.ts runs with one command (`--demo`): nats-server, 3 FakeSwitches and
 * their gateways, 2 workers sharing the calls; each call handled once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cleanEnv } from '../cli/cli-process';

const root = join(__dirname, '..', '..');

describe('examples/cluster-dialer.ts --demo', () => {
  it('places 6 calls over 3 switches; 2 workers share them, each call handled once', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples', 'cluster-dialer.ts'), '--demo'], { cwd: root, env: cleanEnv({ NATS_SERVER: inject('natsServer') }) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A hung example fails the test instead of hanging it.
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(kill);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const line = (n: number, node: string): string => `${n} via ${node}: answered, handed to worker-[ab], message played\\n`;
    expect(stdout).toMatch(
      new RegExp(`^switches up: fs1 \\(2 gateways\\), fs2, fs3\\n${line(2001, 'fs1')}${line(2002, 'fs2')}${line(2003, 'fs3')}${line(2004, 'fs1')}${line(2005, 'fs2')}${line(2006, 'fs3')}6 calls, each handled once: worker-a \\d, worker-b \\d\\n$`),
    );
  }, 90_000);
});
