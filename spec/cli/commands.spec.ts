/**
 * Lines typed at the prompt: what they mean (pure), and what running them against FakeSwitch
 * prints and sends.
 */
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import type { FakeSwitch } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';
import { type CommandContext, SLASH_COMMANDS, helpText, parseLine, runCommand } from '../../lib/cli/commands';
import { palette } from '../../lib/cli/palette';

describe('parseLine', () => {
  it('runs a plain line as an api command, whole', () => {
    expect(parseLine('  show channels like 1000  ')).toEqual({ kind: 'api', command: 'show channels like 1000' });
    expect(parseLine('')).toEqual({ kind: 'empty' });
    expect(parseLine('   ')).toEqual({ kind: 'empty' });
  });

  it('leaves on /exit, /quit, /bye and ...', () => {
    for (const l of ['/exit', '/quit', '/bye', '...', '/EXIT']) expect(parseLine(l)).toEqual({ kind: 'exit' });
  });

  it('reads /event with or without a format', () => {
    expect(parseLine('/event plain ALL')).toEqual({ kind: 'event', format: 'plain', names: ['ALL'] });
    expect(parseLine('/event json CHANNEL_ANSWER  CUSTOM sofia::register')).toEqual({
      kind: 'event',
      format: 'json',
      names: ['CHANNEL_ANSWER', 'CUSTOM', 'sofia::register'],
    });
    expect(parseLine('/event DTMF')).toEqual({ kind: 'event', format: undefined, names: ['DTMF'] });
    expect(parseLine('/event')).toEqual({ kind: 'event', format: undefined, names: [] });
    expect(parseLine('/event xml')).toEqual({ kind: 'invalid', message: '/event xml needs event names, e.g. /event xml ALL' });
  });

  it('reads /filter, keeping spaces in the value as FreeSWITCH does', () => {
    expect(parseLine('/filter Caller-Caller-ID-Name John  Smith')).toEqual({ kind: 'filter', header: 'Caller-Caller-ID-Name', value: 'John  Smith' });
    expect(parseLine('/filter delete Unique-ID')).toEqual({ kind: 'filter-delete', header: 'Unique-ID', value: undefined });
    expect(parseLine('/filter delete Event-Name CHANNEL_ANSWER')).toEqual({ kind: 'filter-delete', header: 'Event-Name', value: 'CHANNEL_ANSWER' });
    expect(parseLine('/filter')).toEqual({ kind: 'filters' });
    expect(parseLine('/filter Unique-ID').kind).toBe('invalid');
    expect(parseLine('/filter delete').kind).toBe('invalid');
  });

  it('reads the other console commands', () => {
    expect(parseLine('/nixevent HEARTBEAT RE_SCHEDULE')).toEqual({ kind: 'nixevent', names: ['HEARTBEAT', 'RE_SCHEDULE'] });
    expect(parseLine('/nixevent').kind).toBe('invalid');
    expect(parseLine('/noevents')).toEqual({ kind: 'noevents' });
    expect(parseLine('/log info')).toEqual({ kind: 'log', level: 'info' });
    expect(parseLine('/log')).toEqual({ kind: 'log', level: undefined });
    expect(parseLine('/log info debug').kind).toBe('invalid');
    expect(parseLine('/nolog')).toEqual({ kind: 'nolog' });
    expect(parseLine('/view full')).toEqual({ kind: 'view', mode: 'full' });
    expect(parseLine('/view wide').kind).toBe('invalid');
    expect(parseLine('/bgapi originate user/1000 &park')).toEqual({ kind: 'bgapi', command: 'originate user/1000 &park' });
    expect(parseLine('/bgapi').kind).toBe('invalid');
    expect(parseLine('/top')).toEqual({ kind: 'top' });
    expect(parseLine('/help')).toEqual({ kind: 'help' });
    expect(parseLine('/frobnicate')).toEqual({ kind: 'invalid', message: 'unknown command /frobnicate (/help lists them)' });
  });

  it('/help lists every console command', () => {
    const text = helpText(palette(false));
    for (const c of SLASH_COMMANDS) expect(text).toContain(c.name);
  });
});

describe('runCommand against FakeSwitch', () => {
  let fake: FakeSwitch | undefined;
  let conn: Connection | undefined;

  async function setup(): Promise<{ ctx: CommandContext; out: string[]; run: (line: string) => Promise<string> }> {
    fake = await startFakeSwitch();
    conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const out: string[] = [];
    const ctx: CommandContext = { conn, print: (t) => out.push(t), palette: palette(false), apiTimeout: 0, view: { mode: 'line' }, jobs: new Set() };
    const run = async (line: string): Promise<string> => {
      out.length = 0;
      const outcome = await runCommand(parseLine(line), ctx);
      expect(outcome).toBe('continue');
      return out.join('\n');
    };
    return { ctx, out, run };
  }

  it('prints an api body, a -ERR included', async () => {
    const { run } = await setup();
    expect(await run('version short')).toBe('1.10.12');
    expect(await run('nosuchthing arg')).toBe('-ERR nosuchthing Command not found!');
  });

  it('subscribes, filters and logs, printing the reply texts', async () => {
    const { run } = await setup();
    expect(await run('/event')).toBe('no events subscribed (try /event plain ALL)');
    expect(await run('/event json CHANNEL_ANSWER DTMF')).toBe('+OK event listener enabled json');
    expect(await run('/event')).toBe('events (json): CHANNEL_ANSWER DTMF');
    expect(await run('/nixevent DTMF')).toBe('+OK events nixed');
    expect(await run('/filter Caller-Context default')).toBe('+OK filter added. [Caller-Context]=[default]');
    expect(await run('/filter')).toBe('filter Caller-Context default');
    expect(await run('/filter delete Caller-Context')).toBe('+OK filter deleted. [Caller-Context][]');
    expect(await run('/filter')).toBe('no filters');
    expect(await run('/noevents')).toBe('+OK no longer listening for events');
    expect(await run('/log')).toBe('not logging (try /log info)');
    expect(await run('/log info')).toBe('+OK log level info [6]');
    expect(await run('/log')).toBe('log level info');
    expect(await run('/log loud')).toBe('-ERR invalid log level');
    expect(await run('/nolog')).toBe('+OK no longer logging');
    // What the console asked for is on the wire, as typed.
    const sent = fake!.received.map((c) => c.line);
    expect(sent).toEqual(
      expect.arrayContaining(['event json CHANNEL_ANSWER DTMF', 'nixevent DTMF', 'filter Caller-Context default', 'noevents', 'log info', 'nolog']),
    );
  });

  it('/bgapi prints the Job-UUID at once and the result when it comes', async () => {
    const { run, out } = await setup();
    // The result may come right behind the reply: only the first line is the reply.
    const printed = (await run('/bgapi version short')).split('\n')[0]!;
    expect(printed).toMatch(/^\+OK Job-UUID: [0-9a-f-]{36}$/);
    const jobUuid = printed.slice('+OK Job-UUID: '.length);
    await expect.poll(() => out.join('\n')).toContain(`Job ${jobUuid} version short:\n1.10.12`);
  });

  it('/bgapi names its job for the feed until the result is in, then forgets it', async () => {
    const { ctx, out } = await setup();
    const running = runCommand(parseLine('/bgapi version short'), ctx);
    // The Job-UUID is known before anything is written: it is the one sent.
    const [jobUuid] = [...ctx.jobs];
    expect(jobUuid).toMatch(/^[0-9a-f-]{36}$/);
    await running;
    expect(fake!.received.find((c) => c.line === 'bgapi version short')?.headers).toEqual([['Job-UUID', jobUuid]]);
    await expect.poll(() => out.join('\n')).toContain(`Job ${jobUuid} version short:`);
    expect(ctx.jobs.size).toBe(0);
  });

  it('/view switches between one line and the whole event', async () => {
    const { run, ctx } = await setup();
    expect(await run('/view full')).toBe('events shown whole');
    expect(ctx.view.mode).toBe('full');
    expect(await run('/view')).toBe('events shown whole');
    expect(await run('/view line')).toBe('events shown one per line');
  });

  it('prints a dropped connection as one line and carries on', async () => {
    const { run } = await setup();
    conn!.destroy();
    expect(await run('status')).toMatch(/^disconnected: connection closed: "api status" not sent$/);
  });

  it('says what the prompt does next for /exit and /top', async () => {
    const { ctx } = await setup();
    expect(await runCommand(parseLine('/exit'), ctx)).toBe('exit');
    expect(await runCommand(parseLine('/top'), ctx)).toBe('top');
    await expect(firstValueFrom(conn!.api('status'))).resolves.toMatchObject({ body: expect.stringMatching(/^UP 0 years, /) });
  });
});
