/**
 * Each example runs with one command: `npx tsx examples/<name>.ts --demo` starts its own
 * FakeSwitch, does its job, prints it and exits 0. Without a switch to talk to, it says so in
 * one line that tells what to check, and exits 1.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from '../cli/cli-process';
import { startFakeSwitch } from '../helpers/fake-switch';

const root = join(__dirname, '..', '..');

function runExample(name: string, args: string[] = ['--demo'], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples', `${name}.ts`), ...args], { cwd: root, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A hung example fails the test instead of hanging it.
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

const expected: Record<string, RegExp> = {
  status: /^FreeSWITCH Version 1\.10\.12.*\nUP .*\n3 channel\(s\), 3 call\(s\) up now; 3 session\(s\) since startup, peak 3\n$/,
  'event-feed': /^\d\d:\d\d:\d\d 1000 -> answer_park  ACTIVE /,
  originate: /user\/1002: failed, USER_BUSY\n.*user\/1001: answered, channel [0-9a-f-]{36}\n.*user\/1003: failed, NO_ANSWER\n$/,
  sms: /^sent 1000@example\.com -> 1001@example\.com: Event-UUID [0-9a-f-]{36}\nfired: 1000@example\.com -> 1001@example\.com via internal: "Hello from rxesl"\n$/,
  fax: /answered; sending \/tmp\/fax\.tif \.\.\.\nsent 2 page\(s\) to FakeSwitch\n$/,
  'modesl-callbacks': /^status: +UP .*\nversion: +FreeSWITCH Version .*\nanswered: [0-9a-f-]{36}, then hung up: USER_BUSY\n$/,
};

describe('the examples with --demo', () => {
  it('each runs on its own FakeSwitch and exits 0', async () => {
    const names = Object.keys(expected);
    const results = await Promise.all(names.map((name) => runExample(name)));
    names.forEach((name, i) => {
      const r = results[i]!;
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(r.stdout, name).toMatch(expected[name]!);
    });
  }, 90_000);
});

/** A port nothing listens on: one the system gave out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the examples without a switch, or with the wrong password', () => {
  it('say what is wrong and what to check in one line (the console\'s words, not a bare ECONNREFUSED), and exit 1', async () => {
    const port = await closedPort();
    const fake = await startFakeSwitch({ password: 'ClueCon' });
    const [refused, denied] = await Promise.all([
      runExample('status', [], { ESL_PORT: String(port) }),
      runExample('status', [], { ESL_PORT: String(fake.port), ESL_PASSWORD: 'wrong' }),
    ]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `cannot connect to 127.0.0.1:${port}: connection refused (is FreeSWITCH running, with mod_event_socket on that port?)\n`,
    });
    expect(denied).toEqual({ code: 1, stdout: '', stderr: `authentication failed: 127.0.0.1:${fake.port} refused the password: -ERR invalid (check ESL_PASSWORD)\n` });
  }, 90_000);
});
