import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection, Server } from 'rxesl';
import type { FakeCall } from 'rxesl/testing';
import { MUSIC, callCentre } from '../../examples/call-centre-queue';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

async function setup() {
  // the music never ends on its own, as local_stream://moh on FreeSWITCH
  const fake = await startFakeSwitch({ heartbeatIntervalMs: 0, media: { durations: { [MUSIC]: 600_000 } } });
  const feed = closeAfterTest(await Connection.connect({ host: fake.host, port: fake.port, password: fake.password }));
  await lastValueFrom(feed.events('plain', ['CUSTOM', 'callcenter::info']));
  const server = closeAfterTest(await Server.listen({ port: 0 }));
  const f = fake;
  const status = (agent: string, s: string) =>
    f.fire({ name: 'CUSTOM', subclass: 'callcenter::info', headers: { 'CC-Agent': agent, 'CC-Action': 'agent-status-change', 'CC-Agent-Status': s } });
  const caller = (cid: string): FakeCall => f.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: cid });
  return { fake, feed, server, status, caller };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(5);
  }
}

describe('examples/call-centre-queue.ts against FakeSwitch', () => {
  it('callers wait with music; the longest waiting goes to the agent available longest; a flapping agent counts once settled', async () => {
    const { fake, feed, server, status, caller } = await setup();
    fake.endpoint('user/1001', { answerAfterMs: 20, hangupAfterMs: 400 });
    fake.endpoint('user/1002', { answerAfterMs: 20, hangupAfterMs: 100 });
    const lines = firstValueFrom(callCentre(server.connections$, feed.customEvents('callcenter::info'), { settleMs: 60 }).pipe(take(3), toArray()));

    const first = caller('2001');
    await waitFor(() => fake.channel(first.uuid)?.application === 'playback');
    const second = caller('2002');
    await waitFor(() => fake.channel(second.uuid)?.application === 'playback');
    const third = caller('2003');
    await waitFor(() => fake.channel(third.uuid)?.application === 'playback');
    // everyone hears the music, and nobody is served before an agent is available
    await sleep(80);
    expect([first, second, third].map((c) => fake.channel(c.uuid)?.variables.current_application_data)).toEqual([MUSIC, MUSIC, MUSIC]);

    // 1002 flaps: nothing counts until its status has held for 60 ms; 1001 becomes available after that
    status('1002', 'Available');
    await sleep(10);
    status('1002', 'On Break');
    await sleep(10);
    status('1002', 'Available');
    await sleep(60);
    status('1001', 'Available');

    // the first caller gets 1002 (settled first), the second 1001, the third the first agent to finish (1002)
    const bridgedTo = (c: FakeCall) => fake.channel(c.uuid)?.variables.bridge_uuid;
    await waitFor(() => bridgedTo(first) !== undefined && bridgedTo(second) !== undefined);
    expect(fake.channel(bridgedTo(first)!)?.name).toContain('/1002@');
    expect(fake.channel(bridgedTo(second)!)?.name).toContain('/1001@');
    expect(fake.channel(third.uuid)?.application).toBe('playback');

    // (in the order the calls end: 1002's are short)
    expect(await lines).toEqual(['2001: talked to 1002', '2003: talked to 1002', '2002: talked to 1001']);
    await Promise.all([first, second, third].map((c) => c.whenDestroyed));

    // the music was stopped with uuid_break before each bridge
    const breaks = fake.received.filter((c) => c.line.startsWith('api uuid_break')).map((c) => c.line.split(' ')[2]);
    expect(breaks).toEqual([first.uuid, second.uuid, third.uuid]);
  });

  it('a caller who gives up leaves the queue; an agent who does not answer is skipped and the caller keeps its place', async () => {
    const { fake, feed, server, status, caller } = await setup();
    fake.endpoint('user/1001', { failCause: 'NO_ANSWER', answerAfterMs: 20 });
    fake.endpoint('user/1002', { answerAfterMs: 20, hangupAfterMs: 50 });
    const lines = firstValueFrom(callCentre(server.connections$, feed.customEvents('callcenter::info'), { settleMs: 30 }).pipe(take(3), toArray()));

    const quitter = caller('2001');
    const patient = caller('2002');
    const late = caller('2003');
    await waitFor(() => [quitter, patient, late].every((c) => fake.channel(c.uuid)?.application === 'playback'));
    quitter.hangup('NORMAL_CLEARING');
    await sleep(20);
    status('1001', 'Available');
    // 1001 does not answer: 2002 keeps the head of the queue and gets 1002 once it is available
    await waitFor(() => fake.received.some((c) => c.line.startsWith('sendmsg') && c.headers.some(([k, v]) => k === 'execute-app-arg' && v === 'user/1001')));
    await waitFor(() => fake.channel(patient.uuid)?.application === 'playback');
    status('1002', 'Available');
    expect(await lines).toEqual(['2001: hung up while waiting', '2002: talked to 1002', '2003: talked to 1002']);
    const dialled = fake.received
      .filter((c) => c.line.startsWith('sendmsg'))
      .flatMap((c) => c.headers.filter(([k]) => k === 'execute-app-arg').map(([, v]) => v))
      .filter((v) => v.startsWith('user/'));
    // 1001 was tried once (no answer) and never again
    expect(dialled).toEqual(['user/1001', 'user/1002', 'user/1002']);
  });

  it('runs on its own with --demo (npx tsx examples/call-centre-queue.ts --demo) and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'examples', 'call-centre-queue.ts'), '--demo'], { cwd: join(__dirname, '..', '..') });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(kill);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^queue listening on 127\.0\.0\.1:\d+\n2001: talked to 1001\n2002: talked to 1002\n2003: talked to 100[12]\n$/);
  });
});
