/**
 * The console end to end: `node --import tsx lib/cli/main.ts` spawned with piped stdin against a
 * FakeSwitch started here. The prompt, api output, the event and log display, -x exit codes,
 * the wrong-password message, reconnection, /top, `rxesl top`, and the demo.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeSwitch, FakeSwitchOptions } from 'rxesl/testing';
import { startFakeSwitch } from '../helpers/fake-switch';
import { CliProcess, closedPort, killAll, runToEnd } from './cli-process';

let fake: FakeSwitch | undefined;
afterEach(async () => {
  await killAll();
});

async function start(options: FakeSwitchOptions = {}): Promise<FakeSwitch> {
  fake = await startFakeSwitch(options);
  return fake;
}

/** A console at the prompt of `fake`. */
async function prompt(extra: string[] = []): Promise<CliProcess> {
  const p = new CliProcess(['--port', String(fake!.port), ...extra]);
  await p.waitFor('rxesl@fakeswitch> ');
  return p;
}

describe('rxesl -x', () => {
  it('prints the output of an api command and exits 0', async () => {
    await start();
    const r = await runToEnd(['-x', 'version', '--port', String(fake!.port)]);
    expect(r.stdout).toBe('FreeSWITCH Version 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 1 when the command fails, its -ERR printed', async () => {
    await start();
    const r = await runToEnd(['-x', 'uuid_kill 00000000-0000-0000-0000-000000000000', '--port', String(fake!.port)]);
    expect(r.stdout).toBe('-ERR No such channel!\n');
    expect(r.code).toBe(1);
  });

  it('runs several commands in order; 1 when one of them failed', async () => {
    await start();
    const r = await runToEnd(['-x', 'version short', '-x', 'nosuchcmd', '-x', 'switchname', '--port', String(fake!.port)]);
    expect(r.stdout).toBe('1.10.12\n-ERR nosuchcmd Command not found!\nfakeswitch\n');
    expect(r.code).toBe(1);
  });

  it('takes the switch and the password from ESL_* variables', async () => {
    await start({ password: 'from-env' });
    const r = await runToEnd(['-x', 'switchname'], { ESL_HOST: '127.0.0.1', ESL_PORT: String(fake!.port), ESL_PASSWORD: 'from-env' });
    expect([r.code, r.stdout]).toEqual([0, 'fakeswitch\n']);
  });

  it("says a wrong password in one line with the server's reply, and exits 1", async () => {
    await start({ password: 'right' });
    const r = await runToEnd(['-x', 'status', '--port', String(fake!.port), '--password', 'wrong']);
    expect(r.stderr).toBe(`rxesl: authentication failed: 127.0.0.1:${fake!.port} refused the password: -ERR invalid (check --password or ESL_PASSWORD)\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });

  it('the same at the prompt: no prompt, one line, exit 1', async () => {
    await start({ password: 'right' });
    const r = await runToEnd(['--port', String(fake!.port), '-p', 'wrong']);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('refused the password: -ERR invalid')]);
    expect(r.code).toBe(1);
  });

  it('says nothing listens, in one line, and exits 1', async () => {
    const port = await closedPort();
    const r = await runToEnd(['-x', 'status', '--port', String(port)]);
    expect(r.stderr).toBe(`rxesl: cannot connect to 127.0.0.1:${port}: connection refused (is FreeSWITCH running, with mod_event_socket on that port?)\n`);
    expect(r.code).toBe(1);
  });
});

describe('rxesl -r', () => {
  it('waits for the switch to come up, a retry a second, each said on stderr, then runs', async () => {
    const port = await closedPort();
    const p = new CliProcess(['-r', '-x', 'switchname', '--port', String(port)]);
    await p.waitFor(`rxesl: cannot connect to 127.0.0.1:${port}: connection refused (is FreeSWITCH running, with mod_event_socket on that port?); retry 1 of 120 in 1 s\n`, { stream: 'stderr' });
    await start({ port });
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout).toBe('fakeswitch\n');
  });

  it('does not retry a refused password: it would be refused again', async () => {
    await start({ password: 'right' });
    const r = await runToEnd(['-r', '-x', 'status', '--port', String(fake!.port), '--password', 'wrong']);
    expect(r.stderr).toBe(`rxesl: authentication failed: 127.0.0.1:${fake!.port} refused the password: -ERR invalid (check --password or ESL_PASSWORD)\n`);
    expect(r.code).toBe(1);
  });

  it('stops waiting on SIGTERM, with 1', async () => {
    const port = await closedPort();
    const p = new CliProcess(['-r', '--port', String(port)]);
    await p.waitFor('retry 1 of 120', { stream: 'stderr' });
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(p.stderr).toMatch(/\nrxesl: gave up waiting for the switch\n$/);
  });
});

describe('rxesl options', () => {
  it('--help prints the usage, --version the version, both with 0', async () => {
    const help = await runToEnd(['--help']);
    expect(help.stdout).toMatch(/^Usage: rxesl/);
    expect(help.code).toBe(0);
    const version = await runToEnd(['--version']);
    expect(version.stdout).toMatch(/^rxesl \d+\.\d+\.\d+/);
    expect(version.code).toBe(0);
  });

  it('an unknown option is one line and exit 1', async () => {
    const r = await runToEnd(['--frobnicate']);
    expect(r.stderr).toBe('rxesl: unknown option --frobnicate\nrxesl --help lists the options.\n');
    expect(r.code).toBe(1);
  });
});

describe('the prompt', () => {
  it('shows the prompt, runs api commands, and leaves on /exit with 0', async () => {
    await start();
    const p = await prompt();
    expect(p.stdout).toContain(`connected to 127.0.0.1:${fake!.port}`);
    p.line('status');
    await p.waitFor('is ready');
    expect(p.stdout).toContain('rxesl@fakeswitch> status\nUP 0 years');
    p.line('nosuchcmd');
    await p.waitFor('-ERR nosuchcmd Command not found!');
    p.line('/exit');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.count('rxesl@fakeswitch> ')).toBe(3);
  });

  it('shows the events subscribed, one line each', async () => {
    await start();
    const p = await prompt();
    p.line('/event plain CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE');
    await p.waitFor('+OK event listener enabled plain');
    const uuid = await fake!.originate('user/1000', '&park');
    await p.waitFor(new RegExp(`\\d\\d:\\d\\d:\\d\\d\\.\\d{3} CHANNEL_ANSWER +${uuid} sofia/internal/1000@127\\.0\\.0\\.1`));
    fake!.hangup(uuid, 'USER_BUSY');
    await p.waitFor(new RegExp(`CHANNEL_HANGUP_COMPLETE +${uuid} sofia/internal/1000@127\\.0\\.0\\.1 +USER_BUSY`));
    p.line('/exit');
    expect((await p.exited).code).toBe(0);
  });

  it('subscribes to --events at start, and shows --log lines', async () => {
    await start();
    const p = new CliProcess(['--port', String(fake!.port), '--events', 'CHANNEL_CREATE', '--log', 'info']);
    await p.waitFor('rxesl@fakeswitch> ');
    expect(p.stdout).toContain('+OK event listener enabled plain');
    expect(p.stdout).toContain('+OK log level info [6]');
    const uuid = await fake!.originate('user/1000', '&park');
    await p.waitFor(new RegExp(`CHANNEL_CREATE +${uuid}`));
    await p.waitFor('EXECUTE [depth=0] sofia/internal/1000@127.0.0.1 park()');
  });

  it('says when the connection drops and when it is back, and works after', async () => {
    await start();
    const p = await prompt();
    await fake!.restart();
    await p.waitFor(`connection to 127.0.0.1:${fake!.port} lost; reconnecting ...`);
    await p.waitFor(`reconnected to 127.0.0.1:${fake!.port}`);
    p.line('switchname');
    await p.waitFor(/rxesl@fakeswitch> switchname\nfakeswitch\n/);
  });

  it('keeps its subscriptions across a reconnect', async () => {
    await start();
    const p = await prompt(['--events', 'CHANNEL_ANSWER']);
    await fake!.restart();
    await p.waitFor('reconnected to');
    const uuid = await fake!.originate('user/1000', '&park');
    await p.waitFor(new RegExp(`CHANNEL_ANSWER +${uuid}`));
  });

  it('/bgapi prints the job once: its result, not also the BACKGROUND_JOB in the feed', async () => {
    await start();
    // Once without BACKGROUND_JOB subscribed (rxesl subscribes it for the job), once with it
    // subscribed, as the demo's feed is: either way one Job line and no event line for that job.
    const p = await prompt();
    for (const round of [1, 2]) {
      if (round === 2) {
        p.line('/event plain BACKGROUND_JOB');
        await p.waitFor('+OK event listener enabled plain');
      }
      p.line('/bgapi version short');
      await expect.poll(() => p.count('+OK Job-UUID: ')).toBe(round);
      const jobUuid = [...p.stdout.matchAll(/\+OK Job-UUID: ([0-9a-f-]{36})\n/g)].at(-1)![1]!;
      await p.waitFor(`Job ${jobUuid} version short:\n1.10.12\n`);
      // The feed prints an event before the job's waiter sees it: a second copy would be out by now.
      p.line('switchname');
      await expect.poll(() => p.count('switchname\nfakeswitch\n')).toBe(round);
      expect(p.count(jobUuid)).toBe(2);
      expect(p.stdout).not.toMatch(new RegExp(`BACKGROUND_JOB +${jobUuid}`));
    }
    p.line('/exit');
    expect((await p.exited).code).toBe(0);
  });

  it('ends with 0 at the end of its input, after running what was typed', async () => {
    await start();
    const p = new CliProcess(['--port', String(fake!.port)]);
    p.line('version short');
    p.end();
    expect((await p.exited).code).toBe(0);
    expect(p.stdout).toContain('rxesl@fakeswitch> version short\n1.10.12\n');
  });

  it('ends cleanly on SIGTERM', async () => {
    await start();
    const p = await prompt();
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    // It said goodbye to the switch (exit), it did not just vanish.
    await expect.poll(() => fake!.received.some((c) => c.line === 'exit')).toBe(true);
  });

  it('/top prints the live view until q, then gives the prompt back', async () => {
    await start();
    const call = fake!.call({ destination: 'park', callerIdNumber: '4242' });
    const p = await prompt();
    p.line('/top');
    await p.waitFor(new RegExp(`rxesl top  127\\.0\\.0\\.1:${fake!.port}  \\d\\d:\\d\\d:\\d\\d  1 channel  `));
    await p.waitFor(new RegExp(`${call.uuid} sofia/internal/4242@127\\.0\\.0\\.1 .* 4242 -> park`));
    // A second frame a second later: it refreshes.
    await p.waitFor(/(rxesl top .*[\s\S]*){2}/);
    p.line('q');
    p.line('version short');
    await p.waitFor(/rxesl@fakeswitch> version short\n1\.10\.12\n/);
    p.line('/exit');
    expect((await p.exited).code).toBe(0);
  });
});

describe('rxesl top', () => {
  it('shows the channels and events per second until q', async () => {
    await start();
    const call = fake!.call({ destination: 'park', callerIdNumber: '5151' });
    const p = new CliProcess(['top', '--port', String(fake!.port)]);
    await p.waitFor(new RegExp(`${call.uuid} .* 5151 -> park`));
    fake!.dtmf(call.uuid, '1');
    await p.waitFor(/\d+\.\d +\d+ +DTMF/);
    p.line('q');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });
});

describe('rxesl --demo', () => {
  it('shows call events from the built-in switch within a few seconds, and leaves cleanly', async () => {
    const p = new CliProcess(['--demo', '--port', '0', '--rate', '5']);
    await p.waitFor(/demo: FakeSwitch, rxesl's FreeSWITCH emulator, on 127\.0\.0\.1:\d+/);
    // The calls start once the console has subscribed: the first call is shown from its start.
    await p.waitFor(/CHANNEL_CREATE +[0-9a-f-]{36} sofia\/internal\/55501000@127\.0\.0\.1 +55501000 -> 5000/, { timeout: 5000 });
    await p.waitFor(/PLAYBACK_START +[0-9a-f-]{36} .* ivr\/ivr-welcome_to_freeswitch\.wav/, { timeout: 5000 });
    p.line('show channels count');
    await p.waitFor(/\n\d+ total\.\n/);
    p.line('/exit');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('listens on a port other tools can use (-x from another process)', async () => {
    const demo = new CliProcess(['--demo', '--port', '0']);
    const banner = await demo.waitFor(/ESL_PORT=(\d+) npx rxesl -x status/);
    const port = /ESL_PORT=(\d+)/.exec(banner)![1]!;
    const r = await runToEnd(['-x', 'show calls count'], { ESL_PORT: port });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\n\d+ total\.\n$/);
  });
});
