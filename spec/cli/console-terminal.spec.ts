/**
 * The console on a terminal: runCli in this process with streams that say they are a TTY, keys
 * typed as a terminal sends them. Tab completion, the history file, events printed above what
 * is being typed, /top on the alternate screen, Ctrl-C.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeSwitch } from 'rxesl/testing';
import { runCli } from '../../lib/cli/run';
import { startFakeSwitch } from '../helpers/fake-switch';

class FakeTerminal {
  readonly input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      this.isRaw = mode;
      return this;
    },
  });
  readonly output: PassThrough & { isTTY: true; columns: number; rows: number };
  readonly errors = Object.assign(new PassThrough(), { isTTY: false });
  screen = '';

  constructor(size: { columns: number; rows: number } = { columns: 140, rows: 30 }) {
    this.output = Object.assign(new PassThrough(), { isTTY: true as const, ...size });
    this.output.setEncoding('utf8').on('data', (d: string) => (this.screen += d));
    this.errors.resume();
  }

  /** What was written, without colours and cursor moves. */
  get text(): string {
    return this.screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  }

  type(keys: string): void {
    this.input.write(keys);
  }

  async waitFor(test: (screen: string) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (test(this.screen)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${what} on the terminal:\n${JSON.stringify(this.screen.slice(-2000))}`);
  }

  waitForText(s: string): Promise<void> {
    return this.waitFor(() => this.text.includes(s), JSON.stringify(s));
  }
}

let fake: FakeSwitch | undefined;
let dir: string;
/** Consoles started by a test; a test that failed half way leaves them running. */
const running: Array<{ term: FakeTerminal; done: Promise<number> }> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxesl-console-'));
});
afterEach(async () => {
  // Ctrl-D ends any console still at its prompt (and its connection) before the switch goes;
  // one stuck elsewhere (a failed test in /top) is not waited for longer than 2 s.
  for (const { term, done } of running.splice(0)) {
    term.input.end();
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
  }
  rmSync(dir, { recursive: true, force: true });
});

function console_(term: FakeTerminal, args: string[] = [], env: Record<string, string> = {}): Promise<number> {
  const done = runCli({
    argv: ['--port', String(fake!.port), '--history', join(dir, 'history'), ...args],
    env,
    stdin: term.input,
    stdout: term.output,
    stderr: term.errors,
    version: 'test',
  });
  running.push({ term, done });
  return done;
}

describe('the console on a terminal', () => {
  it('completes api commands and their words with Tab, and leaves on Ctrl-C with 0', async () => {
    fake = await startFakeSwitch();
    const term = new FakeTerminal();
    const done = console_(term);
    await term.waitForText('rxesl@fakeswitch> ');
    // The switch's own list is asked for in the background: wait until it is there.
    await expect.poll(() => fake!.received.some((c) => c.line === 'api show api as json')).toBe(true);
    term.type('versi\t');
    await term.waitForText('rxesl@fakeswitch> version');
    // A Tab completes only as the last key of what arrives at once (readline takes the rest for a paste).
    term.type(' sh\t');
    // The switch's reply to `show api as json` (which knows `version [short]`) may still be on its
    // way when that Tab is read: another Tab asks the completer again until it is in.
    await expect
      .poll(() => {
        if (term.text.includes('rxesl@fakeswitch> version short')) return true;
        term.type('\t');
        return false;
      }, { interval: 200, timeout: 10_000 })
      .toBe(true);
    term.type('\r');
    await term.waitForText('version short\r\n1.10.12');
    term.type('\x03');
    expect(await done).toBe(0);
    expect(term.input.isRaw).toBe(false);
  });

  it('keeps the history in its file, and Up brings it back', async () => {
    fake = await startFakeSwitch();
    writeFileSync(join(dir, 'history'), 'status\nswitchname\n');
    const term = new FakeTerminal();
    const done = console_(term);
    await term.waitForText('rxesl@fakeswitch> ');
    term.type('\x1b[A\r'); // Up: the newest line of the file
    await term.waitForText('switchname\r\nfakeswitch');
    term.type('version short\r');
    await term.waitForText('1.10.12');
    term.type('/exit\r');
    expect(await done).toBe(0);
    expect(readFileSync(join(dir, 'history'), 'utf8')).toBe('status\nswitchname\nversion short\n/exit\n');
  });

  it('prints events above the prompt and draws what was being typed again', async () => {
    // The count at once: this is about the terminal, not about the core database's ~200 ms.
    fake = await startFakeSwitch({ coreDbDelayMs: 0 });
    const term = new FakeTerminal();
    const done = console_(term, ['--events', 'CHANNEL_ANSWER']);
    await term.waitForText('rxesl@fakeswitch> ');
    term.type('show cha');
    await term.waitForText('rxesl@fakeswitch> show cha');
    const uuid = await fake.originate('user/1000', '&park');
    await term.waitFor((s) => s.includes(uuid), 'the event');
    // The event's line, then the prompt with the half-typed command under it.
    await term.waitFor((s) => /CHANNEL_ANSWER.*\r?\n.*rxesl@fakeswitch> .*show cha/.test(s.slice(s.indexOf(uuid) - 60)), 'the prompt drawn again');
    term.type('nnels count\r');
    await term.waitForText('1 total.');
    term.type('\x03');
    expect(await done).toBe(0);
  });

  it('/top takes the alternate screen until q, then the prompt works again', async () => {
    fake = await startFakeSwitch();
    const call = fake.call({ destination: 'park', callerIdNumber: '7777' });
    const term = new FakeTerminal();
    const done = console_(term);
    await term.waitForText('rxesl@fakeswitch> ');
    term.type('/top\r');
    await term.waitFor((s) => s.includes('\x1b[?1049h'), 'the alternate screen');
    await term.waitForText(call.uuid);
    expect(term.input.isRaw).toBe(true);
    term.type('q');
    await term.waitFor((s) => s.includes('\x1b[?1049l'), 'the normal screen back');
    term.type('version short\r');
    await term.waitFor((s) => s.lastIndexOf('1.10.12') > s.lastIndexOf('\x1b[?1049l'), 'a command run after /top');
    term.type('\x03');
    expect(await done).toBe(0);
  });

  it('/top fits an 80-column terminal, its count agreeing with its rows', async () => {
    fake = await startFakeSwitch();
    const calls = ['山田太郎 (営業部 第二課)', 'A caller whose name goes on and on', 'Short'].map((callerIdName, i) =>
      fake!.call({ destination: 'park', callerIdNumber: `+4930123456789${i}`, callerIdName, channelName: `sofia/external-gateway-long-profile/+4930123456789${i}@carrier.example.com` }),
    );
    const term = new FakeTerminal({ columns: 80, rows: 24 });
    const done = console_(term);
    await term.waitForText('rxesl@fakeswitch> ');
    term.type('/top\r');
    await term.waitForText('3 channels');
    fake.hangup(calls[1]!.uuid);
    // A channel that hung up stays on the screen (in red) for two seconds: the title counts it apart.
    const frames = (): string[] => {
      const start = term.screen.indexOf('\x1b[?1049h');
      const end = term.screen.indexOf('\x1b[?25h\x1b[?1049l', start);
      return term.screen.slice(start, end < 0 ? undefined : end).split('\x1b[H').filter((f) => f.endsWith('\x1b[J'));
    };
    await term.waitFor(() => frames().some((f) => f.includes('2 channels, 1 hung up')), 'a frame with the hung-up channel');
    term.type('q');
    await term.waitFor((s) => s.includes('\x1b[?1049l'), 'the normal screen back');
    term.type('\x03');
    expect(await done).toBe(0);

    for (const frame of frames()) {
      const lines = frame.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      // A CJK character takes two columns.
      for (const l of lines) expect([...l].reduce((n, ch) => n + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0), l).toBeLessThanOrEqual(80);
      const count = /(\d+) channels?(?:, (\d+) hung up)?/.exec(lines[0]!)!;
      // An empty frame (drawn before the switch's core database lists the calls) says "no channels": no row.
      const rows = lines.slice(3, lines.indexOf('', 3)).filter((l) => l !== 'no channels');
      expect(rows.length).toBe(Number(count[1]) + Number(count[2] ?? 0));
      expect(rows.filter((r) => / HANGUP /.test(r)).length).toBe(Number(count[2] ?? 0));
    }
    const hungUp = frames().find((f) => f.includes('1 hung up'))!.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n');
    expect(hungUp.find((l) => l.startsWith(calls[1]!.uuid.slice(0, 8)))).toMatch(/ HANGUP +A caller whose … +\d:\d\d$/);
  });

  it("runs fs_cli's commands on F1-F12, and what was being typed stays", async () => {
    fake = await startFakeSwitch();
    const term = new FakeTerminal();
    const done = console_(term);
    await term.waitForText('rxesl@fakeswitch> ');
    term.type('show cha');
    await term.waitForText('rxesl@fakeswitch> show cha');
    // F2 as xterm sends it (SS3 Q): status, shown after the prompt as if typed.
    term.type('\x1bOQ');
    await term.waitForText('rxesl@fakeswitch> status\nUP 0 years');
    // F12 and F7 as xterm sends them (CSI 24 ~, CSI 18 ~): version, then /log console.
    term.type('\x1b[24~');
    await term.waitForText('rxesl@fakeswitch> version\nFreeSWITCH Version 1.10.12');
    term.type('\x1b[18~');
    await term.waitForText('rxesl@fakeswitch> /log console\n+OK log level console [0]');
    // The half-typed line was kept: finishing it runs `show channels count`.
    term.type('nnels count\r');
    await term.waitForText('0 total.');
    expect(fake.received.map((c) => c.line).filter((l) => /^(api (status|version|show)|log)/.test(l))).toEqual([
      'api show api as json',
      'api status',
      'api version',
      'log console',
      'api show channels count',
    ]);
    term.type('/help\r');
    await term.waitForText('F12  version');
    expect(term.text).toContain('F7   /log console');
    term.type('\x03');
    expect(await done).toBe(0);
  });

  it('rebinds, unbinds and toggles function keys from the environment, as fs_cli.conf does', async () => {
    fake = await startFakeSwitch();
    const term = new FakeTerminal();
    const done = console_(term, [], { RXESL_KEY_F5: 'switchname', RXESL_KEY_F9: '', RXESL_KEY_F8: '/event plain CHANNEL_ANSWER', RXESL_KEY_TOGGLE_F8: '/noevents' });
    await term.waitForText('rxesl@fakeswitch> ');
    term.type('\x1b[15~'); // F5
    await term.waitForText('rxesl@fakeswitch> switchname\nfakeswitch');
    term.type('\x1b[20~'); // F9
    await term.waitForText('F9 is not bound (RXESL_KEY_F9 binds it)');
    term.type('\x1b[19~'); // F8: its command, then its toggle, then its command again
    await term.waitForText('+OK event listener enabled plain');
    term.type('\x1b[19~');
    await term.waitForText('rxesl@fakeswitch> /noevents');
    term.type('\x1b[19~');
    await expect.poll(() => fake!.received.filter((c) => /^(event|noevents)/.test(c.line)).map((c) => c.line)).toEqual([
      'event plain CHANNEL_ANSWER',
      'noevents',
      'event plain CHANNEL_ANSWER',
    ]);
    term.type('\x03');
    expect(await done).toBe(0);
  });

  it('colours on a terminal; none with --no-color', async () => {
    fake = await startFakeSwitch();
    const coloured = new FakeTerminal();
    let done = console_(coloured, ['--events', 'CHANNEL_CREATE']);
    await coloured.waitForText('rxesl@fakeswitch> ');
    await fake.originate('user/1000', '&park');
    await coloured.waitFor((s) => s.includes('\x1b[32mCHANNEL_CREATE'), 'a green CHANNEL_CREATE');
    coloured.type('\x03');
    await done;

    const plain = new FakeTerminal();
    done = console_(plain, ['--events', 'CHANNEL_CREATE', '--no-color']);
    await plain.waitForText('rxesl@fakeswitch> ');
    await fake.originate('user/1000', '&park');
    await plain.waitForText('CHANNEL_CREATE');
    expect(plain.screen).not.toMatch(/\x1b\[[0-9;]*m/);
    plain.type('\x03');
    await done;
  });
});
