/**
 * FakeSwitch's mod_conference (installConference): the conference application, the
 * `conference` API command's replies, and the conference::maintenance events with
 * mod_conference's header order.
 */
import { filter, firstValueFrom, lastValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection, type EslEvent } from 'rxesl';
import { installConference } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

async function setup(options: Parameters<typeof installConference>[1] = {}) {
  const fake = await startFakeSwitch({ heartbeatIntervalMs: 0, media: { playbackMs: 30 } });
  const conferences = installConference(fake, options);
  const conn = closeAfterTest(await Connection.connect({ host: fake.host, port: fake.port, password: fake.password }));
  await lastValueFrom(conn.events('plain', ['CUSTOM', 'conference::maintenance']));
  const actions$ = conn.customEvents('conference::maintenance');
  const api = async (args: string) => (await lastValueFrom(conn.api('conference', args, { failOnError: false }))).body;
  return { fake, conn, conferences, actions$, api };
}

const action = (e: EslEvent) => `${e.getHeader('Action')}${e.getHeader('Member-ID') ? ` ${e.getHeader('Member-ID')}` : ''}`;

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('FakeSwitch conference (mod_conference)', () => {
  it('members join: conference-create, add-member with mod_conference headers in order, channel variables', async () => {
    const { fake, conferences, actions$ } = await setup();
    const events = firstValueFrom(actions$.pipe(take(3), toArray()));
    const a = fake.call({ actions: ['conference 3000'], callerIdNumber: '1001', callerIdName: 'Ann' });
    await waitFor(() => conferences.get('3000')?.members.length === 1);
    const b = fake.call({ actions: ['conference 3000@default+flags{mute|moderator}'], callerIdNumber: '1002' });
    const all = await events;
    expect(all.map(action)).toEqual(['conference-create', 'add-member 1', 'add-member 2']);
    const [create, addA, addB] = all as [EslEvent, EslEvent, EslEvent];

    const names = addB.headerList().names;
    const after = names.slice(names.indexOf('Event-Subclass') + 1);
    expect(after.slice(0, 7)).toEqual(['Conference-Name', 'Conference-Domain', 'Conference-Size', 'Conference-Ghosts', 'Conference-Profile-Name', 'Conference-Unique-ID', 'Floor']);
    expect(after.slice(-13)).toEqual(['Video', 'Hear', 'See', 'Speak', 'Talking', 'Mute-Detect', 'Hold', 'Member-ID', 'Member-Type', 'Member-Ghost', 'Energy-Level', 'Current-Energy', 'Action']);
    expect(after).toContain('Unique-ID');
    expect(addB.getHeader('Unique-ID')).toBe(b.uuid);
    expect(addB.getHeader('Conference-Size')).toBe('2');
    expect(addB.getHeader('Speak')).toBe('false');
    expect(addB.getHeader('Member-Type')).toBe('moderator');
    expect(addA.getHeader('Speak')).toBe('true');
    expect(create.getHeader('Conference-Unique-ID')).toBe(addA.getHeader('Conference-Unique-ID'));
    expect(create.getHeader('Unique-ID')).toBeUndefined();

    const varsB = fake.channel(b.uuid)!.variables;
    expect(varsB).toMatchObject({ conference_name: '3000', conference_member_id: '2', conference_moderator: 'true' });
    expect(fake.channel(a.uuid)!.answered).toBe(true);
    a.hangup();
    b.hangup();
  });

  it('list, count, mute/unmute/kick by id, all, last, non_moderator, with their reply texts and events', async () => {
    const { fake, conferences, actions$, api } = await setup();
    expect(await api('list')).toBe('+OK No active conferences.\n');
    const a = fake.call({ actions: ['conference 3000'], callerIdNumber: '1001', callerIdName: 'Ann' });
    await waitFor(() => conferences.get('3000')?.members.length === 1);
    const b = fake.call({ actions: ['conference 3000+flags{moderator}'], callerIdNumber: '1002' });
    await waitFor(() => conferences.get('3000')?.members.length === 2);

    const ipv4 = fake.channel(a.uuid)!.name.split('@')[1];
    expect(await api('3000 list')).toBe(
      `2;sofia/internal/1002@${ipv4};${b.uuid};;1002;hear|speak|moderator;0;0;100\n` + `1;sofia/internal/1001@${ipv4};${a.uuid};Ann;1001;hear|speak;0;0;100\n`,
    );
    expect(await api('3000 list count')).toBe('2');
    expect(await api('count')).toBe('1');
    expect(await api('list')).toMatch(/^\+OK Conference 3000 \(2 members rate: 8000 flags: running\|answered\|dynamic\|exit_sound\|enter_sound\|json_status\)\n2;/);

    const seen = firstValueFrom(actions$.pipe(map(action), take(4), toArray()));
    expect(await api('3000 mute 1')).toBe('+OK mute 1\n');
    expect(await api('3000 unmute 1')).toBe('+OK unmute 1\n');
    expect(await api('3000 mute non_moderator')).toBe('Skipping moderator (member id 2).\n+OK mute 1\n');
    expect(await api('3000 tmute last')).toBe('+OK mute 2\n');
    expect(await seen).toEqual(['mute-member 1', 'unmute-member 1', 'mute-member 1', 'mute-member 2']);
    expect(conferences.get('3000')!.members.map((m) => m.canSpeak)).toEqual([false, false]);

    expect(await api('3000 mute 99')).toBe('-ERR Non-Existant ID 99\n');
    expect(await api('3000 mute')).toBe('mute <[member_id|all]|last|non_moderator> [<quiet>]');
    expect(await api('3000 frobnicate')).toBe("-ERR Conference command 'frobnicate' not found.\n");
    expect(await api('4000 list')).toBe('-ERR Conference 4000 not found\n');
    expect(await api('3000')).toBe("Conference command, not specified.\nTry 'help'\n");

    // kick: kick-member, then del-member when the member leaves; its dialplan goes on (here: nothing more, so it hangs up)
    const leaving = firstValueFrom(actions$.pipe(map(action), take(2), toArray()));
    expect(await api('3000 kick 1')).toBe('+OK kicked 1\n');
    expect(await leaving).toEqual(['kick-member 1', 'del-member 1']);
    expect(await a.whenDown).toBe('NORMAL_CLEARING');
    expect(await api('3000 list count')).toBe('1');

    // the last one out: del-member then conference-destroy
    const end = firstValueFrom(actions$.pipe(map(action), take(2), toArray()));
    b.hangup();
    expect(await end).toEqual(['del-member 2', 'conference-destroy']);
    expect(conferences.list()).toEqual([]);
  });

  it('play: +OK, play-file, then play-file-done after the file; say needs a TTS engine', async () => {
    const { fake, conferences, actions$, api } = await setup();
    const a = fake.call({ actions: ['conference 3000'] });
    await waitFor(() => conferences.get('3000')?.members.length === 1);
    const played = firstValueFrom(actions$.pipe(filter((e) => (e.getHeader('Action') ?? '').startsWith('play-file')), take(2), toArray()));
    expect(await api('3000 play conference/conf-welcome.wav')).toBe('+OK (play) Playing file conference/conf-welcome.wav\n');
    const [start, done] = await played;
    expect(start!.getHeader('File')).toBe('conference/conf-welcome.wav');
    expect(start!.getHeader('Async')).toBe('false');
    expect(done!.getHeader('Action')).toBe('play-file-done');
    expect(done!.getHeader('milliseconds')).toBe('30');
    expect(done!.getHeader('samples')).toBe('240');
    expect(await api('3000 say hello')).toBe('-ERR (say) Error!\nsay <text>');
    a.hangup();
  });

  it('say, with a TTS engine configured: speak-text', async () => {
    const { fake, conferences, actions$, api } = await setup({ ttsEngine: 'flite', ttsVoice: 'kal' });
    const a = fake.call({ actions: ['conference 3000'] });
    await waitFor(() => conferences.get('3000')?.members.length === 1);
    const spoken = firstValueFrom(actions$.pipe(filter((e) => e.getHeader('Action') === 'speak-text')));
    expect(await api('3000 say two people are here')).toBe('+OK (say) OK\n');
    expect((await spoken).getHeader('Text')).toBe('two people are here');
    a.hangup();
  });

  it('a member hanging up leaves: del-member before its CHANNEL_EXECUTE_COMPLETE and CHANNEL_HANGUP_COMPLETE', async () => {
    const { fake, conn, conferences } = await setup();
    await lastValueFrom(conn.events('plain', ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE']));
    // The member's add-member event must have reached the connection before the watch starts.
    const added = firstValueFrom(conn.events$.pipe(filter((e) => e.getHeader('Action') === 'add-member')));
    const a = fake.call({ actions: ['conference 3000'] });
    await added;
    expect(conferences.get('3000')?.members).toHaveLength(1);
    const order = firstValueFrom(
      conn.events$.pipe(
        filter((e) => e.getHeader('Unique-ID') === a.uuid || e.getHeader('Action') === 'conference-destroy'),
        map((e) => (e.name === 'CUSTOM' ? e.getHeader('Action') : e.name)),
        take(5),
        toArray(),
      ),
    );
    a.hangup('NORMAL_CLEARING');
    expect(await order).toEqual(['CHANNEL_HANGUP', 'del-member', 'conference-destroy', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE']);
  });
});
