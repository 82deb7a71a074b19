/**
 * Channel on outbound connections (Server) against FakeSwitch's simulated applications: what
 * each action sends and gives back, hangups in the middle, bridges, feature codes, and that
 * nothing is left behind.
 */
import { filter, firstValueFrom, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, EslHangupError, Server, type BridgeProgress } from 'rxesl';
import type { FakeCall, FakeSwitch, FakeSwitchOptions } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

async function setup(options: FakeSwitchOptions = {}): Promise<{ fake: FakeSwitch; server: Server }> {
  const fake = await startFakeSwitch({ media: { playbackMs: 40, recordMs: 60, speechMsPerChar: 2 }, ringMs: 30, heartbeatIntervalMs: 0, ...options });
  const server = closeAfterTest(await Server.listen({ port: 0 }));
  return { fake, server };
}

/** Places a call to the server and resolves with its Channel. */
async function answerCall(f: FakeSwitch, s: Server, options: Parameters<FakeSwitch['call']>[0] = {}): Promise<{ ch: Channel; call: FakeCall }> {
  const next = firstValueFrom(s.connections$);
  const call = f.call({ socket: `127.0.0.1:${s.port} async full`, ...options });
  const conn = await next;
  return { ch: Channel.fromConnection(conn), call };
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Channel on an outbound connection (FakeSwitch)', () => {
  it('answer, playback, say, play_and_get_digits, record, set/get a variable, hang up', async () => {
    const { fake, server } = await setup();
    const { ch, call } = await answerCall(fake, server, { dtmf: '42#', callerIdNumber: '1001' });
    expect(ch.uuid).toBe(call.uuid);
    expect(ch.snapshot.callerIdNumber).toBe('1001');

    const answered = await lastValueFrom(ch.answer());
    expect(answered.application).toBe('answer');
    expect(ch.snapshot.answered).toBe(true);

    const played = await lastValueFrom(ch.playback('ivr/welcome.wav'));
    expect(played.response).toBe('FILE PLAYED');
    await lastValueFrom(ch.say('42'));

    const entered = await lastValueFrom(ch.playAndGetDigits({ file: 'ivr/menu.wav', min: 1, max: 4, timeout: 2000 }));
    expect(entered).toMatchObject({ digits: '42', result: 'success', terminator: '#' });

    const rec = await lastValueFrom(ch.record('/tmp/message.wav'));
    expect(rec.file).toBe('/tmp/message.wav');
    expect(rec.cause).toBe('success-maxtime');
    expect(rec.ms).toBeGreaterThan(0);

    await lastValueFrom(ch.setVar('language', 'fr'));
    expect(fake.channel(ch.uuid)?.variables.language).toBe('fr');
    expect(await lastValueFrom(ch.getVar('language'))).toBe('fr');
    expect(await lastValueFrom(ch.getVar('never_set'))).toBeUndefined();

    const h = await lastValueFrom(ch.hangup('USER_BUSY'));
    expect(h.cause).toBe('USER_BUSY');
    expect(await call.whenDown).toBe('USER_BUSY');
    const header = (h: ReadonlyArray<readonly [string, string]>, name: string) => h.find(([k]) => k === name)?.[1];
    const apps = fake.received.filter((c) => c.line.startsWith('sendmsg')).map((c) => header(c.headers, 'execute-app-name') ?? header(c.headers, 'call-command'));
    expect(apps).toEqual(['answer', 'playback', 'say', 'play_and_get_digits', 'record', 'set', 'hangup']);
  });

  it('the caller hanging up in the middle of a playback fails it with EslHangupError, and nothing is left', async () => {
    const { fake, server } = await setup({ media: { playbackMs: 5000 } });
    const { ch, call } = await answerCall(fake, server);
    await lastValueFrom(ch.answer());
    const playing = lastValueFrom(ch.playback('ivr/long.wav'));
    await waitFor(() => fake.channel(ch.uuid)?.application === 'playback');
    call.hangup('NORMAL_CLEARING');
    const err = await playing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslHangupError);
    expect(err).toMatchObject({ uuid: ch.uuid, hangupCause: 'NORMAL_CLEARING' });
    // the next action fails the same way, without a command
    const sent = fake.received.length;
    await expect(lastValueFrom(ch.answer())).rejects.toBeInstanceOf(EslHangupError);
    expect(fake.received.length).toBe(sent);
    expect(await firstValueFrom(ch.hangup$)).toMatchObject({ cause: 'NORMAL_CLEARING' });
    await ch.connection.closed;
    expect(ch.connection.routerStats).toEqual({ waiters: 0, views: 0 });
    expect(ch.ended).toBe(true);
  });

  it('several actions running at once all fail with EslHangupError when the caller hangs up', async () => {
    const { fake, server } = await setup({ media: { playbackMs: 5000 } });
    const { ch, call } = await answerCall(fake, server);
    const errors: unknown[] = [];
    // queued on the channel together (FreeSWITCH runs them nested): all of them end with the call
    const pending = [lastValueFrom(ch.playback('a.wav')), lastValueFrom(ch.playback('b.wav')), lastValueFrom(ch.sleep(10_000))].map((p) => p.catch((e: unknown) => errors.push(e)));
    await waitFor(() => fake.channel(ch.uuid)?.application === 'sleep');
    call.hangup('ORIGINATOR_CANCEL');
    await Promise.all(pending);
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e).toMatchObject({ name: 'EslHangupError', hangupCause: 'ORIGINATOR_CANCEL' });
  });

  it('FreeSWITCH ending the session (the notice, then close) while a playback runs: EslHangupError, not EslDisconnectedError', async () => {
    const { fake, server } = await setup({ media: { playbackMs: 5000 } });
    const { ch } = await answerCall(fake, server);
    const playing = lastValueFrom(ch.playback('a.wav')).catch((e: unknown) => e);
    await waitFor(() => fake.channel(ch.uuid)?.application === 'playback');
    fake.connections.find((c) => c.mode === 'outbound')!.close();
    const err = await playing;
    expect(err).toBeInstanceOf(EslHangupError);
    expect(err).toMatchObject({ uuid: ch.uuid, hangupCause: undefined });
    fake.hangup(ch.uuid);
  });

  it('bridge: ringing (the caller is not answered yet), bridged to the other leg, and the result when the far end hangs up', async () => {
    const { fake, server } = await setup();
    const { ch } = await answerCall(fake, server);
    const steps: BridgeProgress[] = [];
    const done = lastValueFrom(ch.bridge('user/1001').pipe(toArray()));
    const bridged = await new Promise<string>((resolve) => {
      const sub = ch.events$.pipe(filter((e) => e.name === 'CHANNEL_BRIDGE')).subscribe((e) => {
        sub.unsubscribe();
        resolve(e.getHeader('Other-Leg-Unique-ID') ?? '');
      });
    });
    expect(fake.channel(bridged)?.name).toContain('1001');
    fake.hangup(bridged, 'NORMAL_CLEARING');
    steps.push(...(await done));
    expect(steps.map((s) => s.kind)).toEqual(['ringing', 'bridged', 'result']);
    expect(steps[1]).toMatchObject({ kind: 'bridged', otherLeg: bridged });
    expect(steps[2]).toMatchObject({ kind: 'result', bridged: true, otherLeg: bridged, disposition: 'SUCCESS', hangupCause: 'NORMAL_CLEARING' });
    // the caller is still up (hangup_after_bridge is not set)
    expect(fake.channel(ch.uuid)?.state).not.toBe('CS_HANGUP');
    await lastValueFrom(ch.hangup());
  });

  it('bridge with hangupAfterBridge: FreeSWITCH hangs the caller up as the far end leaves, and the bridge ends with its result, not EslHangupError', async () => {
    const { fake, server } = await setup();
    fake.endpoint('user/1001', { answerAfterMs: 10, hangupAfterMs: 20 });
    const { ch, call } = await answerCall(fake, server);
    const seen: string[] = [];
    ch.events$.subscribe((e) => seen.push(e.name === 'CHANNEL_EXECUTE_COMPLETE' ? `${e.name} ${e.getHeader('Application')}` : e.name));
    const steps = await lastValueFrom(ch.bridge('user/1001', { hangupAfterBridge: true }).pipe(toArray()));
    expect(steps.map((s) => s.kind)).toEqual(['ringing', 'bridged', 'result']);
    expect(steps[2]).toMatchObject({ kind: 'result', bridged: true, disposition: 'SUCCESS', hangupCause: 'NORMAL_CLEARING' });
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
    // As FreeSWITCH: the caller's hangup inside the bridge application, then its completion.
    expect(seen.filter((n) => ['CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP', 'CHANNEL_EXECUTE_COMPLETE bridge'].includes(n))).toEqual([
      'CHANNEL_UNBRIDGE',
      'CHANNEL_HANGUP',
      'CHANNEL_EXECUTE_COMPLETE bridge',
    ]);
    await waitFor(() => ch.ended);
    expect(ch.connection.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('bridge that fails: with continueOnFail the result carries the cause; without, FreeSWITCH hangs the caller up', async () => {
    const { fake, server } = await setup();
    fake.endpoint('user/1002', { failCause: 'USER_BUSY', answerAfterMs: 10 });
    const first = await answerCall(fake, server);
    const result = await lastValueFrom(first.ch.bridge('user/1002', { continueOnFail: true }));
    expect(result).toMatchObject({ kind: 'result', bridged: false, disposition: 'USER_BUSY', hangupCause: 'USER_BUSY' });
    await lastValueFrom(first.ch.hangup());

    const second = await answerCall(fake, server);
    const err = await lastValueFrom(second.ch.bridge('user/1002')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslHangupError);
    expect(err).toMatchObject({ hangupCause: 'USER_BUSY' });
  });

  it('feature codes on the bridged leg: #5 while bridged, not before', async () => {
    const { fake, server } = await setup();
    const { ch } = await answerCall(fake, server);
    await lastValueFrom(ch.answer());
    const codes: string[] = [];
    const sub = ch.featureCodes('#').subscribe((c) => codes.push(c));
    fake.dtmf(ch.uuid, '#1');
    const bridging = lastValueFrom(ch.bridge('user/1001')).catch(() => undefined);
    await waitFor(() => ch.snapshot.bridgedTo !== undefined);
    fake.dtmf(ch.uuid, '#5');
    await waitFor(() => codes.length > 0);
    expect(codes).toEqual(['#5']);
    sub.unsubscribe();
    await lastValueFrom(ch.hangup());
    await bridging;
  });

  it('hold and unhold, with CHANNEL_HOLD subscribed (not in the myevents set)', async () => {
    const { fake, server } = await setup();
    const { ch } = await answerCall(fake, server);
    await lastValueFrom(ch.answer());
    const asked = await lastValueFrom(ch.subscribeEvents());
    expect(asked.command).toBe('event plain CHANNEL_CALLSTATE CHANNEL_HOLD CHANNEL_UNHOLD');
    await lastValueFrom(ch.hold());
    expect(ch.snapshot.held).toBe(true);
    expect(fake.channel(ch.uuid)?.callState).toBe('HELD');
    await lastValueFrom(ch.unhold());
    expect(ch.snapshot.held).toBe(false);
    await lastValueFrom(ch.hangup());
  });

  it('transfer: the channel runs the other extension, and the socket stays with it until it hangs up', async () => {
    const { fake, server } = await setup();
    fake.extension({ destination: '2000', actions: ['answer', 'park'] });
    const { ch } = await answerCall(fake, server);
    const apps = ch.events$.pipe(
      filter((e) => e.name === 'CHANNEL_EXECUTE'),
      map((e) => e.getHeader('Application')),
      toArray(),
    );
    const seen = lastValueFrom(apps);
    const done = await lastValueFrom(ch.transfer('2000', 'XML', 'default'));
    expect(done.applicationData).toBe('2000 XML default');
    await waitFor(() => ch.snapshot.application === 'park');
    expect(ch.snapshot.answered).toBe(true);
    fake.hangup(ch.uuid, 'NORMAL_CLEARING');
    expect(await seen).toEqual(['transfer', 'answer', 'park']);
    expect(ch.hangupInfo?.cause).toBe('NORMAL_CLEARING');
    await ch.connection.closed;
  });

  it('a completed action, or one unsubscribed early, leaves only the channel followed: no waiter, one view', async () => {
    const { fake, server } = await setup();
    const { ch } = await answerCall(fake, server);
    await lastValueFrom(ch.answer());
    await lastValueFrom(ch.playback('a.wav'));
    expect(ch.connection.routerStats).toEqual({ waiters: 0, views: 1 });
    // the bridge runs on (until the far end hangs up) but nobody listens any more
    const b = await firstValueFrom(ch.bridge('user/1001').pipe(filter((p) => p.kind === 'bridged')));
    expect(b.kind).toBe('bridged');
    expect(ch.connection.routerStats).toEqual({ waiters: 0, views: 1 });
    expect(fake.channel(ch.uuid)?.application).toBe('bridge');
    await lastValueFrom(ch.hangup());
  });
});
