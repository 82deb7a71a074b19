/**
 * Channel on an inbound connection, for a channel named by uuid (fake.originate), against
 * FakeSwitch: the same actions and streams as on an outbound socket, sent as `sendmsg <uuid>`.
 */
import { filter, firstValueFrom, lastValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, Connection, EslCommandError, EslHangupError } from 'rxesl';
import type { FakeSwitch } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

async function setup(options: { failOnError?: boolean } = {}): Promise<{ fake: FakeSwitch; conn: Connection }> {
  const fake = await startFakeSwitch({ media: { playbackMs: 40, speechMsPerChar: 2 }, ringMs: 30, heartbeatIntervalMs: 0 });
  const conn = closeAfterTest(await Connection.connect({ host: fake.host, port: fake.port, password: fake.password, ...options }));
  return { fake, conn };
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Channel on an inbound connection (FakeSwitch)', () => {
  it('subscribeEvents asks for what is missing, once', async () => {
    const { conn } = await setup();
    const ch = Channel.of(conn, '00000000-0000-4000-8000-000000000000');
    const first = await lastValueFrom(ch.subscribeEvents());
    expect(first.command).toBe(`event plain ${Channel.EVENTS.join(' ')}`);
    expect(await lastValueFrom(ch.subscribeEvents(), { defaultValue: 'nothing sent' })).toBe('nothing sent');
    ch.release();
  });

  it('Channel.of(conn, uuid) of a live call: its first state is the uuid_dump (as json), not a blank one', async () => {
    const { fake, conn } = await setup();
    const call = fake.call({ callerIdNumber: '1001', callerIdName: 'Zoë', actions: ['answer', ['set', 'queue=sales'], 'park'] });
    await waitFor(() => fake.channel(call.uuid)?.variables.queue === 'sales');
    const ch = Channel.of(conn, call.uuid);
    const first = await firstValueFrom(ch.state$);
    expect(first).toMatchObject({ uuid: call.uuid, callerIdNumber: '1001', callerIdName: 'Zoë', answered: true, callState: 'ACTIVE', lastEvent: 'CHANNEL_DATA' });
    expect(first.variables.queue).toBe('sales');
    expect(ch.snapshot).toBe(first);
    expect(fake.received.at(-1)?.line).toBe(`api uuid_dump ${call.uuid} json`);
    ch.release();
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('a parked channel by uuid: playback, play_and_get_digits, variables, hangup', async () => {
    const { fake, conn } = await setup();
    const uuid = await fake.originate('user/1000', '&park');
    const ch = Channel.of(conn, uuid);
    await lastValueFrom(ch.subscribeEvents());
    expect((await lastValueFrom(ch.playback('ivr/welcome.wav'))).response).toBe('FILE PLAYED');

    // the caller presses 7 then # once the prompt is playing
    const prompt = firstValueFrom(ch.events$.pipe(filter((e) => e.name === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'play_and_get_digits')));
    const digits = lastValueFrom(ch.playAndGetDigits({ file: 'ivr/menu.wav', min: 1, max: 3, timeout: 2000 }));
    await prompt;
    fake.dtmf(uuid, '7#');
    expect(await digits).toMatchObject({ digits: '7', result: 'success', terminator: '#' });

    await lastValueFrom(ch.setVar('queue', 'sales'));
    expect(await lastValueFrom(ch.getVar('queue'))).toBe('sales');
    expect(await lastValueFrom(ch.getVar('nothing_here'))).toBeUndefined();

    const sendmsgs = fake.received.filter((c) => c.line.startsWith('sendmsg'));
    expect(new Set(sendmsgs.map((c) => c.line))).toEqual(new Set([`sendmsg ${uuid}`]));

    const h = await lastValueFrom(ch.hangup('CALL_REJECTED'));
    expect(h.cause).toBe('CALL_REJECTED');
    await waitFor(() => ch.ended);
    expect(ch.snapshot.hangupCause).toBe('CALL_REJECTED');
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('state$ and dtmf$ follow the channel; a hangup in the middle of a playback fails it', async () => {
    const { fake, conn } = await setup();
    await lastValueFrom(conn.events('plain', Channel.EVENTS));
    const uuid = await fake.originate('user/1000', '&park');
    const ch = Channel.of(conn, uuid);
    const keys = lastValueFrom(ch.dtmf$.pipe(toArray()));
    const answered = firstValueFrom(ch.state$.pipe(filter((s) => s.answered)));
    expect((await answered).uuid).toBe(uuid);
    fake.dtmf(uuid, '12');
    const playing = lastValueFrom(ch.playback('ivr/long.wav')).catch((e: unknown) => e);
    await waitFor(() => fake.channel(uuid)?.application === 'playback');
    fake.hangup(uuid, 'NORMAL_CLEARING');
    const err = await playing;
    expect(err).toBeInstanceOf(EslHangupError);
    expect(err).toMatchObject({ uuid, hangupCause: 'NORMAL_CLEARING' });
    expect(await keys).toEqual(['1', '2']);
    await waitFor(() => ch.ended);
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('bridge: the far end ringing is seen on its own leg (Other-Leg-Unique-ID), then bridged, then the result', async () => {
    const { fake, conn } = await setup();
    const uuid = await fake.originate('user/1000', '&park');
    const ch = Channel.of(conn, uuid);
    await lastValueFrom(ch.subscribeEvents());
    const steps = lastValueFrom(ch.bridge('user/1001').pipe(toArray()));
    const other = await firstValueFrom(
      conn.eventsNamed('CHANNEL_BRIDGE').pipe(
        filter((e) => e.getHeader('Unique-ID') === uuid),
        map((e) => e.getHeader('Other-Leg-Unique-ID') ?? ''),
        take(1),
      ),
    );
    fake.hangup(other, 'NORMAL_CLEARING');
    const all = await steps;
    expect(all.map((s) => s.kind)).toEqual(['ringing', 'bridged', 'result']);
    expect(all[0]).toMatchObject({ kind: 'ringing', leg: other, early: false });
    expect(all[2]).toMatchObject({ kind: 'result', bridged: true, otherLeg: other, disposition: 'SUCCESS', hangupCause: 'NORMAL_CLEARING' });
    await lastValueFrom(ch.hangup());
  });

  it('a refused action fails with EslCommandError on a failOnError: false connection too (it used to never settle)', async () => {
    const { conn } = await setup({ failOnError: false });
    const nobody = '00000000-0000-4000-8000-00000000dead';
    const ch = Channel.of(conn, nobody);
    const refused = { name: 'EslCommandError', replyText: `-ERR invalid session id [${nobody}]` };
    const answer = await lastValueFrom(ch.answer()).catch((e: unknown) => e);
    expect(answer).toBeInstanceOf(EslCommandError);
    expect(answer).toMatchObject(refused);
    await expect(lastValueFrom(ch.bridge('user/1001'))).rejects.toMatchObject(refused);
    await expect(lastValueFrom(ch.hangup())).rejects.toMatchObject(refused);
    await expect(lastValueFrom(ch.getVar('anything'))).rejects.toMatchObject({ name: 'EslCommandError', replyText: '-ERR No such channel!\n' });
    // The connection's own commands still hand a refusal back as a value.
    expect((await lastValueFrom(conn.hangup(undefined, nobody))).ok).toBe(false);
    ch.release();
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('getVar of a channel that is gone: EslHangupError once its hangup was seen', async () => {
    const { fake, conn } = await setup();
    const uuid = await fake.originate('user/1000', '&park');
    const ch = Channel.of(conn, uuid);
    await lastValueFrom(ch.subscribeEvents());
    fake.hangup(uuid, 'USER_BUSY');
    await firstValueFrom(ch.hangup$);
    await expect(lastValueFrom(ch.getVar('anything'))).rejects.toMatchObject({ name: 'EslHangupError', hangupCause: 'USER_BUSY' });
  });
});
