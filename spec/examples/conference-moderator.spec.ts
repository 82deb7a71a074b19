import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import { type FakeConferences, installConference } from 'rxesl/testing';
import { moderate } from '../../examples/conference-moderator';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const speaking = (conferences: FakeConferences) =>
  Object.fromEntries((conferences.get('3000')?.members ?? []).map((m) => [m.callerIdNumber, m.canSpeak]));

describe('examples/conference-moderator.ts against FakeSwitch', () => {
  it('mutes joiners, gives the floor on 1, takes it back on 0, a moderator kicks the last speaker with 9, and counts heads', async () => {
    const fake = await startFakeSwitch({ heartbeatIntervalMs: 0 });
    const conferences = installConference(fake);
    const conn = closeAfterTest(await Connection.connect({ host: fake.host, port: fake.port, password: fake.password }));
    await lastValueFrom(conn.events('plain', ['DTMF', 'CUSTOM', 'conference::maintenance']));
    const sent: string[] = [];
    const sub = moderate(conn, { settleMs: 250 }).subscribe((c) => sent.push(c));

    const ann = fake.call({ actions: ['conference 3000'], callerIdNumber: '1001' });
    await waitFor(() => speaking(conferences)['1001'] === false);
    const bob = fake.call({ actions: ['conference 3000'], callerIdNumber: '1002' });
    const mod = fake.call({ actions: ['conference 3000+flags{moderator}'], callerIdNumber: '1000' });
    await waitFor(() => sent.some((c) => c.startsWith('play')));
    expect(speaking(conferences)).toEqual({ '1000': true, '1002': false, '1001': false });
    expect(sent.filter((c) => c.startsWith('play'))).toEqual(['play file_string://digits/3.wav!conference/conf-members_in_conference.wav']);

    ann.dtmf('1');
    await waitFor(() => speaking(conferences)['1001'] === true);
    bob.dtmf('1');
    await waitFor(() => speaking(conferences)['1002'] === true);
    mod.dtmf('9');
    // Bob, the last to get the floor, is removed; his dialplan has nothing more, so he is hung up
    expect(await bob.whenDown).toBe('NORMAL_CLEARING');
    await waitFor(() => sent.filter((c) => c.startsWith('play')).length === 2);
    ann.dtmf('0');
    await waitFor(() => speaking(conferences)['1001'] === false);

    expect(sent).toEqual([
      'mute 1',
      'mute 2',
      'play file_string://digits/3.wav!conference/conf-members_in_conference.wav',
      'unmute 1',
      'unmute 2',
      'kick 2',
      'play file_string://digits/2.wav!conference/conf-members_in_conference.wav',
      'mute 1',
    ]);
    const destroyed = firstValueFrom(conn.customEvents('conference::maintenance').pipe(filter((e) => e.getHeader('Action') === 'conference-destroy')));
    ann.hangup();
    mod.hangup();
    await destroyed;
    sub.unsubscribe();
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('the members it follows are released when they leave', async () => {
    const fake = await startFakeSwitch({ heartbeatIntervalMs: 0 });
    const conferences = installConference(fake);
    const conn = closeAfterTest(await Connection.connect({ host: fake.host, port: fake.port, password: fake.password }));
    await lastValueFrom(conn.events('plain', ['DTMF', 'CUSTOM', 'conference::maintenance']));
    const sub = moderate(conn, { settleMs: 50 }).subscribe();
    const calls = ['1001', '1002', '1003'].map((cid) => fake.call({ actions: ['conference 3000'], callerIdNumber: cid }));
    await waitFor(() => conferences.get('3000')?.members.length === 3);
    const left = firstValueFrom(conn.customEvents('conference::maintenance').pipe(filter((e) => e.getHeader('Action') === 'del-member'), take(3), toArray()));
    for (const c of calls) c.hangup();
    await left;
    await Promise.all(calls.map((c) => c.whenDestroyed));
    // only the moderator's maintenance feed remains (one shared view), nothing per member
    expect(conn.routerStats).toEqual({ waiters: 0, views: 1 });
    sub.unsubscribe();
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('runs on its own with --demo (npx tsx examples/conference-moderator.ts --demo) and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'examples', 'conference-moderator.ts'), '--demo'], { cwd: join(__dirname, '..', '..') });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(kill);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^conference 3000 mute 1\nconference 3000 mute 2\nconference 3000 play file_string:\/\/digits\/3\.wav!conference\/conf-members_in_conference\.wav\n(.*\n)*conference 3000 kick 2\n/);
  });
});
