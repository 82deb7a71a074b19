/**
 * Simulated calls: originate, fake.call, the dialplan, the applications, DTMF, bridging,
 * transfer, hold, and the channel events they produce (watched through an inbound
 * `event plain ALL` connection, as a monitoring client would).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { EslEvent } from 'rxesl';
import { type FakeSwitch, ManualClock } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';
import { RawClient } from './helpers/raw-client';

let fake: FakeSwitch;
let clock: ManualClock;
let mon: RawClient;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, media: { playbackMs: 2000, faxMs: 30_000, faxPages: 3 } });
  mon = closeAfterTest(await RawClient.authed(fake.port));
  await mon.text('event plain ALL');
});

/** Events of one channel, by name, until (and including) the one that matches `stop`. */
async function eventsOf(uuid: string, stop: (e: EslEvent) => boolean): Promise<EslEvent[]> {
  const out: EslEvent[] = [];
  for (;;) {
    const e = await mon.event((x) => x.getHeader('Unique-ID') === uuid);
    out.push(e);
    if (stop(e)) return out;
  }
}

const named = (n: string, app?: string) => (e: EslEvent) => e.name === n && (app === undefined || e.getHeader('Application') === app);

describe('fake.call and the dialplan', () => {
  it('an inbound call: CREATE, RINGING, ROUTING, EXECUTE, the extension\'s applications, then hangup when they run out', async () => {
    fake.extension({ destination: '1000', actions: ['answer', 'playback ivr/hello.wav', 'set done=yes'] });
    const call = fake.call({ destination: '1000', callerIdNumber: '2000', callerIdName: 'Alice' });
    const first = await eventsOf(call.uuid, named('CHANNEL_EXECUTE', 'playback'));
    expect(first.map((e) => e.name)).toEqual([
      'CODEC',
      'CODEC',
      'CHANNEL_STATE',
      'CHANNEL_CREATE',
      'CHANNEL_CALLSTATE',
      'CHANNEL_STATE',
      'CHANNEL_STATE',
      'CHANNEL_EXECUTE',
      'CHANNEL_ANSWER',
      'CHANNEL_CALLSTATE',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_EXECUTE',
    ]);
    const create = first[3]!;
    expect(create.getHeader('Caller-Caller-ID-Number')).toBe('2000');
    expect(create.getHeader('Caller-Caller-ID-Name')).toBe('Alice');
    expect(create.getHeader('Caller-Destination-Number')).toBe('1000');
    expect(create.getHeader('Channel-Name')).toBe('sofia/internal/2000@127.0.0.1');
    expect(create.getHeader('variable_direction')).toBe('inbound');
    await clock.tick(2000);
    const rest = await eventsOf(call.uuid, named('CHANNEL_DESTROY'));
    expect(rest.map((e) => e.name)).toEqual([
      'PLAYBACK_START',
      'PLAYBACK_STOP',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_HANGUP',
      'CHANNEL_STATE',
      'CHANNEL_CALLSTATE',
      'CHANNEL_STATE',
      'CHANNEL_HANGUP_COMPLETE',
      'CHANNEL_DESTROY',
    ]);
    const complete = rest.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE')!;
    expect(complete.getHeader('variable_done')).toBe('yes');
    expect(complete.getHeader('variable_billsec')).toBe('2');
    expect(complete.getHeader('variable_last_app')).toBe('set');
    expect(complete.getHeader('variable_hangup_cause_q850')).toBe('16');
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
  });

  it('with the catch-all asked for, a destination nobody matched answers and parks; extensions can be RegExps or handlers', async () => {
    fake.dialplan.catchAll = true;
    fake.extension({ destination: /^9(\d+)$/, handler: (dest) => [`set dialed=${dest.slice(1)}`, 'hangup USER_BUSY'] });
    const parked = fake.call({ destination: 'whatever' });
    await eventsOf(parked.uuid, named('CHANNEL_PARK'));
    expect(fake.channel(parked.uuid)).toMatchObject({ answered: true, application: 'park' });
    const busy = fake.call({ destination: '9123' });
    expect(await busy.whenDown).toBe('USER_BUSY');
  });

  it('no route: a destination no extension matches hangs up with NO_ROUTE_DESTINATION (the catch-all is off unless asked for)', async () => {
    // switch_core_standard_on_routing: no extension found, "No Route, Aborting", the channel
    // hangs up with NO_ROUTE_DESTINATION.
    expect(fake.dialplan.catchAll).toBe(false);
    expect(await fake.call({ destination: 'nowhere' }).whenDown).toBe('NO_ROUTE_DESTINATION');
    const withOption = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, catchAll: true });
    expect(withOption.dialplan.catchAll).toBe(true);
  });

  it('originate to a loopback extension that does not exist fails -ERR NO_ROUTE_DESTINATION', async () => {
    // Observed on FreeSWITCH 1.10.12: `originate loopback/nosuch/default &park` answers
    // -ERR NO_ROUTE_DESTINATION (the b-leg finds no route and the a-leg follows it).
    const conn = closeAfterTest(await RawClient.authed(fake.port));
    expect(await conn.text('api originate loopback/nosuch/default &park')).toBe('-ERR NO_ROUTE_DESTINATION\n');
    await expect(fake.originate('loopback/nosuch/default')).rejects.toThrow('NO_ROUTE_DESTINATION');
  });

  it('an unknown application hangs up with DESTINATION_OUT_OF_ORDER', async () => {
    expect(await fake.call({ actions: ['no_such_app'] }).whenDown).toBe('DESTINATION_OUT_OF_ORDER');
  });

  it('the caller presses digits when first asked, and hangs up after a while', async () => {
    const call = fake.call({
      actions: ['answer', 'play_and_get_digits 1 4 1 3000 # ivr/pin.wav silence pin', 'park'],
      dtmf: '1234',
      hangupAfterMs: 60_000,
    });
    const done = await eventsOf(call.uuid, named('CHANNEL_EXECUTE_COMPLETE', 'play_and_get_digits'));
    expect(done.at(-1)!.getHeader('variable_pin')).toBe('1234');
    expect(done.filter((e) => e.name === 'DTMF').map((e) => e.getHeader('DTMF-Digit'))).toEqual(['1', '2', '3', '4']);
    await clock.tick(60_000);
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
  });

  it('users add applications', async () => {
    fake.app('greet', async (ctx) => {
      ctx.channel.setVar('greeted', ctx.args);
      await ctx.wait(1000);
      return 'GREETED';
    });
    const call = fake.call({ actions: ['greet hello', 'park'] });
    await eventsOf(call.uuid, named('CHANNEL_EXECUTE', 'greet'));
    await clock.tick(1000);
    const [done] = (await eventsOf(call.uuid, named('CHANNEL_EXECUTE_COMPLETE', 'greet'))).slice(-1);
    expect(done!.getHeader('Application-Response')).toBe('GREETED');
    expect(done!.getHeader('variable_greeted')).toBe('hello');
  });
});

describe('originate', () => {
  it('honours {origination_uuid=...,var=...} and origination_caller_id_*', async () => {
    const uuid = 'bbbbbbbb-0000-4000-8000-000000000002';
    expect(
      await mon.text(`api originate {origination_uuid=${uuid},origination_caller_id_number=5551234,my_var='a b'}loopback/answer_park/default &park`),
    ).toBe(`+OK ${uuid}\n`);
    const create = await mon.event((e) => e.name === 'CHANNEL_CREATE' && e.getHeader('Unique-ID') === uuid);
    expect(create.getHeader('variable_my_var')).toBe('a b');
    expect(create.getHeader('variable_origination_uuid')).toBe(uuid);
    expect(create.getHeader('Caller-Caller-ID-Number')).toBe('5551234');
    expect(fake.channels().map((c) => c.name).sort()).toEqual(['loopback/answer_park-a', 'loopback/answer_park-b']);
  });

  it('{^^:...} chooses another variable separator; [per-leg] variables apply to their leg', async () => {
    const uuid = await fake.originate("{^^:list=a,b,c:origination_caller_id_name=Bob}[leg_var=1]user/1005", '&park');
    const v = fake.channel(uuid)!.variables;
    expect(v.list).toBe('a,b,c');
    expect(v.leg_var).toBe('1');
    expect(fake.channel(uuid)!.callerIdName).toBe('Bob');
  });

  it('a generic endpoint rings, then answers after ringMs; a timeout gives NO_ANSWER', async () => {
    fake.endpoint('user/1001', { answerAfterMs: 4000 });
    fake.endpoint('user/1002', { noAnswer: true });
    let settled = false;
    const p = fake.originate('user/1001', '&park').finally(() => (settled = true));
    const events = await mon.until((f) => f.bodyText.includes('Event-Name: CHANNEL_PROGRESS'));
    expect(events.frame.bodyText).toContain('Channel-Call-State: DOWN');
    await clock.tick(3999);
    expect(settled).toBe(false);
    await clock.tick(1);
    const uuid = await p;
    expect(fake.channel(uuid)).toMatchObject({ name: 'sofia/internal/1001@127.0.0.1', answered: true });
    const never = fake.originate('{originate_timeout=10}user/1002', '&park').then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await clock.tick(10_000);
    expect(await never).toBe('NO_ANSWER');
  });

  it('`exten` goes through the dialplan; `a|b` tries b when a fails', async () => {
    fake.extension({ destination: 'conference', actions: ['answer', 'set routed=1', 'park'] });
    fake.endpoint('user/busy', { failCause: 'USER_BUSY' });
    const uuid = await fake.originate('user/busy|loopback/answer_park/default', 'conference');
    await mon.event((e) => e.name === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === uuid);
    expect(fake.channel(uuid)?.variables.routed).toBe('1');
  });
});

describe('early media', () => {
  // switch_ivr_originate starts with early_ok on: a leg with early media (CF_EARLY_MEDIA) ends
  // the wait as an answer would, unless ignore_early_media (or bridge_early_media,
  // monitor_early_media_*) turns it off. Observed on FreeSWITCH 1.10.12: `originate` to a leg
  // that only pre-answers returns +OK at once and the a-leg runs its application in the
  // EARLY call state; one that neither answers nor pre-answers blocks for originate_timeout
  // and ends -ERR NO_ANSWER.
  it('originate to a leg that only pre-answers returns +OK at once; the a-leg runs its application in EARLY', async () => {
    fake.extension({ destination: 'early', actions: ['pre_answer', 'park'] });
    const conn = closeAfterTest(await RawClient.authed(fake.port));
    const reply = await conn.text('api originate loopback/early/default &park');
    expect(reply).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const a = reply.slice(4, 40);
    const park = await mon.event((e) => e.name === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === a);
    expect(park.getHeader('Channel-Call-State')).toBe('EARLY');
    expect(park.getHeader('Answer-State')).toBe('early');
    expect(fake.channel(a)).toMatchObject({ answered: false, callState: 'EARLY' });
  });

  it('ignore_early_media=true: the originate waits for an answer, and without one ends NO_ANSWER at originate_timeout', async () => {
    fake.extension({ destination: 'early', actions: ['pre_answer', 'park'] });
    let settled = false;
    const never = fake.originate('{ignore_early_media=true,originate_timeout=5}loopback/early/default').then(
      () => 'answered',
      (err: Error) => err.message,
    ).finally(() => (settled = true));
    await clock.tick(4999);
    expect(settled).toBe(false);
    await clock.tick(1);
    expect(await never).toBe('NO_ANSWER');
  });

  it('a generic endpoint with early media: the originate succeeds on it, before the answer', async () => {
    fake.endpoint('user/1001', { earlyMedia: true, answerAfterMs: 4000 });
    const uuid = await fake.originate('user/1001');
    expect(fake.channel(uuid)).toMatchObject({ answered: false, callState: 'EARLY' });
    await clock.tick(4000);
    expect(fake.channel(uuid)).toMatchObject({ answered: true, callState: 'ACTIVE' });
  });

  it('bridge to a leg with early media bridges at once: the caller pre-answered, then answered when the leg answers', async () => {
    fake.endpoint('user/1001', { earlyMedia: true, answerAfterMs: 4000 });
    const call = fake.call({ actions: ['bridge user/1001'] });
    const upToBridge = await eventsOf(call.uuid, named('CHANNEL_BRIDGE'));
    expect(upToBridge.map((e) => e.name)).toContain('CHANNEL_PROGRESS_MEDIA');
    expect(upToBridge.map((e) => e.name)).not.toContain('CHANNEL_ANSWER');
    expect(upToBridge.at(-1)!.getHeader('Channel-Call-State')).toBe('EARLY');
    await clock.tick(4000);
    await eventsOf(call.uuid, named('CHANNEL_ANSWER'));
    expect(fake.channel(call.uuid)?.answered).toBe(true);
    call.hangup();
  });

  it('a caller with ignore_early_media set waits for the answer before bridging (the originate takes the caller\'s variable)', async () => {
    fake.endpoint('user/1001', { earlyMedia: true, answerAfterMs: 4000 });
    const call = fake.call({ actions: ['set ignore_early_media=true', 'bridge user/1001'] });
    await clock.tick(3999);
    expect(fake.channel(call.uuid)?.partnerUuid).toBeUndefined();
    await clock.tick(1);
    const upToBridge = await eventsOf(call.uuid, named('CHANNEL_BRIDGE'));
    expect(upToBridge.map((e) => e.name)).toContain('CHANNEL_ANSWER');
    call.hangup();
  });
});

describe('originate time limits', () => {
  // switch_ivr_originate: originate_timeout (and a bridging caller's call_timeout) gives up the
  // unanswered legs with NO_ANSWER; check_per_channel_timeouts hangs up a leg that has not
  // progressed (rung, early media, answered) by leg_progress_timeout with PROGRESS_TIMEOUT (a
  // forced reason, the originate's cause) and one not answered by leg_timeout with
  // ALLOTTED_TIMEOUT; progress_timeout gives up a group in which no leg progressed with
  // PROGRESS_TIMEOUT. FreeSWITCH counts whole seconds; FakeSwitch strikes at the exact time.
  /** Settles with the originate's uuid or its failure cause, and says when. */
  function attempt(dial: string): { outcome: Promise<string>; settled: () => boolean } {
    let done = false;
    const outcome = fake.originate(dial).then(
      (uuid) => `answered ${uuid.length}`,
      (err: Error) => err.message,
    ).finally(() => (done = true));
    return { outcome, settled: () => done };
  }

  it('leg_timeout: the leg is hung up with ALLOTTED_TIMEOUT, and that is the originate\'s cause', async () => {
    fake.endpoint('user/1001', { noAnswer: true });
    const { outcome, settled } = attempt('{leg_timeout=3}user/1001');
    await clock.tick(2999);
    expect(settled()).toBe(false);
    await clock.tick(1);
    expect(await outcome).toBe('ALLOTTED_TIMEOUT');
    const hangup = await mon.event((e) => e.name === 'CHANNEL_HANGUP');
    expect(hangup.getHeader('Hangup-Cause')).toBe('ALLOTTED_TIMEOUT');
  });

  it('[leg_timeout] per leg: each leg of a group its own limit', async () => {
    fake.endpoint(/^user\/10\d\d$/, { noAnswer: true });
    const { outcome } = attempt('[leg_timeout=2]user/1001,[leg_timeout=5]user/1002');
    await clock.tick(2000);
    expect(fake.channels().map((c) => c.destination)).toEqual(['1002']);
    await clock.tick(3000);
    expect(await outcome).toBe('ALLOTTED_TIMEOUT');
  });

  it('leg_progress_timeout: PROGRESS_TIMEOUT for a leg that has not rung by then; a ringing leg is left to originate_timeout', async () => {
    fake.endpoint('user/silent', { ring: false, noAnswer: true });
    fake.endpoint('user/ringing', { noAnswer: true });
    const silent = attempt('{leg_progress_timeout=2}user/silent');
    const ringing = attempt('{leg_progress_timeout=2,originate_timeout=6}user/ringing');
    await clock.tick(2000);
    expect(await silent.outcome).toBe('PROGRESS_TIMEOUT');
    expect(ringing.settled()).toBe(false);
    await clock.tick(4000);
    expect(await ringing.outcome).toBe('NO_ANSWER');
  });

  it('progress_timeout: a group where no leg progressed is given up with PROGRESS_TIMEOUT; at the time limit NO_ANSWER comes first', async () => {
    fake.endpoint(/^user\/silent/, { ring: false, noAnswer: true });
    const early = attempt('{progress_timeout=3,originate_timeout=10}user/silent1,user/silent2');
    const same = attempt('{progress_timeout=4,originate_timeout=4}user/silent3');
    await clock.tick(3000);
    expect(await early.outcome).toBe('PROGRESS_TIMEOUT');
    await clock.tick(1000);
    expect(await same.outcome).toBe('NO_ANSWER');
  });

  it('bridge takes the caller\'s call_timeout as its time limit', async () => {
    fake.endpoint('user/1001', { noAnswer: true });
    const call = fake.call({ actions: ['set call_timeout=3', 'bridge user/1001', 'set after=1', 'park'] });
    await clock.tick(3000);
    const done = await eventsOf(call.uuid, named('CHANNEL_EXECUTE_COMPLETE', 'bridge'));
    expect(done.at(-1)!.getHeader('variable_originate_disposition')).toBe('NO_ANSWER');
    call.hangup();
  });
});

describe('dial strings FreeSWITCH has no endpoint for', () => {
  // switch_core_session_outgoing_channel: a technology (the text before the first `/`, all of
  // it without one) no module provides fails the leg with CHAN_NOT_IMPLEMENTED, which
  // switch_ivr_originate reports; FreeSWITCH 1.10.12 was seen answering `foobar` and
  // `xyz/abc` that way.
  it('originate answers -ERR CHAN_NOT_IMPLEMENTED and no channel is created', async () => {
    const conn = closeAfterTest(await RawClient.authed(fake.port));
    expect(await conn.text('api originate foobar &park')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    expect(await conn.text('api originate xyz/abc &park')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    await expect(fake.originate('{origination_uuid=11111111-2222-3333-4444-555555555555}xyz/abc')).rejects.toThrow('CHAN_NOT_IMPLEMENTED');
    expect(fake.channels()).toEqual([]);
  });

  it('bridge(foobar) fails with it: originate_disposition, and the caller hung up with that cause', async () => {
    const call = fake.call({ actions: ['answer', 'bridge(foobar)', 'park'] });
    expect(await call.whenDown).toBe('CHAN_NOT_IMPLEMENTED');
    const complete = await mon.event((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === call.uuid);
    expect(complete.getHeader('variable_originate_disposition')).toBe('CHAN_NOT_IMPLEMENTED');
    expect(complete.getHeader('variable_originate_failed_cause')).toBe('CHAN_NOT_IMPLEMENTED');
  });

  it('a technology fake.endpoint() describes exists; user/ and sofia/ exist without being described', async () => {
    fake.endpoint(/^verto\.rtc\//, { answerAfterMs: 0 });
    const uuid = await fake.originate('verto.rtc/1001');
    expect(fake.channel(uuid)?.name).toBe('verto.rtc/1001');
    expect(fake.channel(await fake.originate('sofia/internal/1002@example.com'))?.answered).toBe(true);
    expect(fake.channel(await fake.originate('user/1003'))?.answered).toBe(true);
  });

  it('error/<cause>: that cause; NORMAL_CLEARING for a name FreeSWITCH does not know, DESTINATION_OUT_OF_ORDER for NONE', async () => {
    // mod_dptools' error endpoint returns switch_channel_str2cause(destination), which starts
    // from NORMAL_CLEARING; a cause of NONE becomes DESTINATION_OUT_OF_ORDER.
    await expect(fake.originate('error/user_busy')).rejects.toThrow('USER_BUSY');
    await expect(fake.originate('error/17')).rejects.toThrow('USER_BUSY');
    await expect(fake.originate('error/no_such_cause')).rejects.toThrow('NORMAL_CLEARING');
    await expect(fake.originate('error/none')).rejects.toThrow('DESTINATION_OUT_OF_ORDER');
  });
});

describe('play_and_get_digits and media lengths, as switch_ivr_play_say.c makes them', () => {
  /** Clock ms between two events, from their Event-Date-Timestamp (µs of the switch's clock). */
  const between = (a: EslEvent, b: EslEvent): number => (Number(b.getHeader('Event-Date-Timestamp')) - Number(a.getHeader('Event-Date-Timestamp'))) / 1000;

  it('a prompt that does not open ends each try at once (no digits collected, read_result unset); the invalid file plays after every try', async () => {
    // switch_ivr_read: switch_ivr_play_file fails with NOTFOUND and the read jumps to its end
    // without collecting; switch_play_and_get_digits then plays the bad-input file and counts
    // a try. Three tries with a 250 ms invalid file take 750 ms, not tries x timeout.
    const media = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, media: { missing: ['nope.wav'] } });
    const m = closeAfterTest(await RawClient.authed(media.port));
    await m.text('event plain CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE PLAYBACK_START');
    const call = media.call({ actions: ['answer', 'play_and_get_digits 1 1 3 5000 # nope.wav silence_stream://250 choice', 'park'] });
    const started = await m.event((e) => e.name === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'play_and_get_digits');
    await clock.tick(5000);
    const seen: EslEvent[] = [];
    for (;;) {
      const e = await m.event();
      seen.push(e);
      if (e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'play_and_get_digits') break;
    }
    const done = seen.at(-1)!;
    expect(between(started, done)).toBe(750);
    expect(seen.filter((e) => e.name === 'PLAYBACK_START').map((e) => e.getHeader('Playback-File-Path'))).toEqual([
      'silence_stream://250',
      'silence_stream://250',
      'silence_stream://250',
    ]);
    expect(done.getHeader('variable_read_result')).toBeUndefined();
    expect(done.getHeader('variable_choice')).toBeUndefined();
    call.hangup();
  });

  it('tone_stream:// plays as long as its tones: on + off per tone, 250 + 62.5 ms per DTMF character, loops=N times; silence_stream://0 does not open', async () => {
    // mod_tone_stream runs the script into a buffer (libteletone: defaults of 2000 and 500
    // samples at 8000 Hz for a DTMF character) and the file handle reads it `loops` times.
    const m = closeAfterTest(await RawClient.authed(fake.port));
    await m.text('event plain PLAYBACK_START PLAYBACK_STOP CHANNEL_EXECUTE_COMPLETE');
    const lengths: Array<[string, number]> = [
      ['tone_stream://%(500,500,440);loops=3', 3000],
      ['tone_stream://%(1000,4000,440,480)', 5000],
      ['tone_stream://1234', 1250],
      ['tone_stream://L=2;%(100,100,350,440)', 400],
    ];
    for (const [file, ms] of lengths) {
      const call = fake.call({ actions: ['answer', `playback ${file}`, 'park'] });
      const start = await m.event((e) => e.name === 'PLAYBACK_START');
      await clock.tick(ms);
      const stop = await m.event((e) => e.name === 'PLAYBACK_STOP');
      expect([stop.getHeader('Playback-File-Path'), stop.getHeader('Playback-Status'), between(start, stop)]).toEqual([file, 'done', ms]);
      call.hangup();
    }
    const silent = fake.call({ actions: ['answer', 'playback silence_stream://0', 'hangup'] });
    const missing = await m.event((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === silent.uuid && e.getHeader('Application') === 'playback');
    expect(missing.getHeader('Application-Response')).toBe('FILE NOT FOUND');
  });

  it('a timeout with enough digits: read_result timeout, the digits kept, no other try', async () => {
    // switch_ivr_read reports the collect's TIMEOUT as read_result=timeout; play_and_get_digits
    // takes a timeout with at least min digits as success.
    const call = fake.call({ actions: ['answer', 'play_and_get_digits 1 4 3 3000 # silence_stream://100 silence_stream://100 pin', 'park'], dtmf: '12' });
    await clock.tick(100 + 3000);
    const done = await eventsOf(call.uuid, named('CHANNEL_EXECUTE_COMPLETE', 'play_and_get_digits'));
    expect(done.at(-1)!.getHeader('variable_read_result')).toBe('timeout');
    expect(done.at(-1)!.getHeader('variable_pin')).toBe('12');
    call.hangup();
  });
});

describe('applications', () => {
  it('playback: FILE PLAYED, FILE NOT FOUND, a terminator breaks it', async () => {
    const media = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, media: { missing: ['nope.wav'], durations: { 'long.wav': 10_000 } } });
    const m = closeAfterTest(await RawClient.authed(media.port));
    await m.text('event plain CHANNEL_EXECUTE_COMPLETE PLAYBACK_STOP');
    const call = media.call({ actions: ['answer', 'playback nope.wav', 'playback long.wav', 'park'] });
    const missing = await m.event((e) => e.getHeader('Application') === 'playback');
    expect(missing.getHeader('Application-Response')).toBe('FILE NOT FOUND');
    await clock.tick(3000);
    media.dtmf(call.uuid, '*');
    const stopped = await m.event((e) => e.name === 'PLAYBACK_STOP');
    expect(stopped.getHeader('Playback-Status')).toBe('break');
    const played = await m.event((e) => e.getHeader('Application') === 'playback');
    expect(played.getHeader('Application-Response')).toBe('FILE PLAYED');
    expect(played.getHeader('variable_playback_terminator_used')).toBe('*');
    expect(played.getHeader('variable_playback_ms')).toBe('3000');
  });

  it('an application that needs media pre-answers an inbound call', async () => {
    const call = fake.call({ actions: ['playback silence_stream://100', 'park'] });
    const ev = await eventsOf(call.uuid, named('PLAYBACK_START'));
    const names = ev.map((e) => e.name);
    // FreeSWITCH pre-answers before CHANNEL_EXECUTE (switch_core_session_execute_application_get_flags).
    expect(names.slice(names.indexOf('CHANNEL_PROGRESS_MEDIA'))).toEqual(['CHANNEL_PROGRESS_MEDIA', 'CHANNEL_CALLSTATE', 'CHANNEL_EXECUTE', 'PLAYBACK_START']);
    expect(ev[names.indexOf('CHANNEL_CALLSTATE', names.indexOf('CHANNEL_PROGRESS_MEDIA'))]!.getHeader('Channel-Call-State')).toBe('EARLY');
    expect(fake.channel(call.uuid)?.callState).toBe('EARLY');
  });

  it('read, say, speak, sleep, record take their time from the clock', async () => {
    const call = fake.call({
      actions: ['answer', 'read 1 3 silence_stream://10 choice 5000 #', 'say en number pronounced 12345', 'speak flite|kal|Hello there', 'sleep 1500', 'record /tmp/msg.wav 5', 'park'],
      dtmf: '7#',
    });
    await eventsOf(call.uuid, named('CHANNEL_EXECUTE_COMPLETE', 'read'));
    expect(fake.channel(call.uuid)?.variables.choice).toBe('7');
    await clock.tick(5 * 60 + 11 * 60 + 1500);
    const rec = await eventsOf(call.uuid, named('RECORD_START'));
    expect(rec.at(-1)!.getHeader('Record-File-Path')).toBe('/tmp/msg.wav');
    await clock.tick(5000);
    const stop = await eventsOf(call.uuid, named('RECORD_STOP'));
    expect(stop.at(-1)!.getHeader('Record-Completion-Cause')).toBe('success-maxtime');
    expect(fake.channel(call.uuid)?.variables.record_seconds).toBe('5');
  });

  it('txfax / rxfax: a long-running application completing with the fax variables', async () => {
    const call = fake.call({ actions: ['answer', 'rxfax /tmp/in.tif', 'hangup'] });
    await eventsOf(call.uuid, named('CHANNEL_EXECUTE', 'rxfax'));
    await clock.tick(29_999);
    expect(fake.channel(call.uuid)?.application).toBe('rxfax');
    await clock.tick(1);
    const result = await mon.event((e) => e.subclass === 'spandsp::rxfaxresult');
    expect(result.getHeader('fax-success')).toBe('1');
    const done = await eventsOf(call.uuid, named('CHANNEL_EXECUTE_COMPLETE', 'rxfax'));
    expect(done.at(-1)!.getHeader('variable_fax_document_transferred_pages')).toBe('3');
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
  });

  it('set, export, unset; transfer to another extension', async () => {
    fake.extension({ destination: 'second', actions: ['set where=second', 'park'] });
    const call = fake.call({ actions: ['set a=1', 'export b=2', 'unset a', 'transfer second'] });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    const v = fake.channel(call.uuid)!.variables;
    expect(v.a).toBeUndefined();
    expect(v.b).toBe('2');
    expect(v.export_vars).toBe('b');
    expect(v.where).toBe('second');
    expect(fake.channel(call.uuid)?.destination).toBe('second');
  });

  it('hold and unhold: CHANNEL_HOLD, CHANNEL_UNHOLD, call state HELD then ACTIVE', async () => {
    const call = fake.call({ actions: ['answer', 'hold', 'unhold', 'park'] });
    const ev = await eventsOf(call.uuid, named('CHANNEL_PARK'));
    const names = ev.map((e) => e.name);
    expect(names).toContain('CHANNEL_HOLD');
    expect(names).toContain('CHANNEL_UNHOLD');
    const states = ev.filter((e) => e.name === 'CHANNEL_CALLSTATE').map((e) => e.getHeader('Channel-Call-State'));
    expect(states).toEqual(['RINGING', 'ACTIVE', 'HELD', 'ACTIVE']);
  });

  it('bridge: ringing then answer on the caller, CHANNEL_BRIDGE, CHANNEL_UNBRIDGE when the far end hangs up', async () => {
    fake.endpoint('user/1001', { answerAfterMs: 3000, hangupAfterMs: 10_000 });
    const call = fake.call({ actions: ['bridge user/1001', 'hangup NORMAL_CLEARING'] });
    await clock.tick(3000);
    const upToBridge = await eventsOf(call.uuid, named('CHANNEL_BRIDGE'));
    expect(upToBridge.map((e) => e.name)).toContain('CHANNEL_PROGRESS');
    const bridge = upToBridge.at(-1)!;
    const peer = bridge.getHeader('Bridge-B-Unique-ID')!;
    expect(bridge.getHeader('Bridge-A-Unique-ID')).toBe(call.uuid);
    expect(bridge.getHeader('Other-Type')).toBe('originatee');
    expect(fake.channel(call.uuid)).toMatchObject({ answered: true, partnerUuid: peer });
    await clock.tick(10_000);
    const end = await eventsOf(call.uuid, named('CHANNEL_UNBRIDGE'));
    expect(end.at(-1)!.getHeader('Bridge-B-Unique-ID')).toBe(peer);
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
  });

  it('bridge failure: the cause in originate_disposition, and the caller is hung up with it', async () => {
    fake.endpoint('user/1003', { failCause: 'USER_BUSY', answerAfterMs: 1000 });
    const call = fake.call({ actions: ['bridge user/1003', 'park'] });
    await clock.tick(1000);
    expect(await call.whenDown).toBe('USER_BUSY');
    const complete = await mon.event((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === call.uuid);
    expect(complete.getHeader('variable_originate_disposition')).toBe('USER_BUSY');
    expect(complete.getHeader('variable_DIALSTATUS')).toBe('BUSY');
  });

  it('bridge failure with continue_on_fail goes on with the dialplan; NO_ANSWER always does', async () => {
    fake.endpoint('user/1004', { failCause: 'CALL_REJECTED' });
    const call = fake.call({ actions: ['set continue_on_fail=true', 'bridge user/1004', 'set after=1', 'park'] });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    expect(fake.channel(call.uuid)?.variables.after).toBe('1');
  });

  it('when the caller hangs up during a bridge the other leg follows', async () => {
    const call = fake.call({ actions: ['bridge loopback/answer_park/default'] });
    const bridge = (await eventsOf(call.uuid, named('CHANNEL_BRIDGE'))).at(-1)!;
    const peer = bridge.getHeader('Bridge-B-Unique-ID')!;
    call.hangup('NORMAL_CLEARING');
    await mon.event((e) => e.name === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === peer);
  });

  it('a bridged caller transferred away: CHANNEL_UNBRIDGE, the orphaned b-leg hung up, and the new extension runs undisturbed', async () => {
    fake.endpoint('user/1001', { answerAfterMs: 100 });
    fake.extension({ destination: 'play', actions: ['playback prompt.wav', 'park'] });
    const call = fake.call({ actions: ['bridge user/1001'] });
    await clock.tick(100);
    const peer = (await eventsOf(call.uuid, named('CHANNEL_BRIDGE'))).at(-1)!.getHeader('Bridge-B-Unique-ID')!;
    expect(await mon.text(`api uuid_transfer ${call.uuid} play XML default`)).toBe('+OK\n');
    const unbridge = (await eventsOf(call.uuid, named('CHANNEL_UNBRIDGE'))).at(-1)!;
    expect(unbridge.getHeader('Bridge-B-Unique-ID')).toBe(peer);
    // FreeSWITCH's audio_bridge_on_exchange_media hangs up a b-leg whose partner left the bridge.
    const hangup = await mon.event((e) => e.name === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === peer);
    expect(hangup.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    await eventsOf(call.uuid, named('PLAYBACK_START'));
    expect(fake.channel(call.uuid)?.partnerUuid).toBeUndefined();
    // The ended bridge no longer listens for the b-leg: the prompt plays its full 2 s.
    await clock.tick(1999);
    expect(fake.channel(call.uuid)?.application).toBe('playback');
    await clock.tick(1);
    const stop = (await eventsOf(call.uuid, named('PLAYBACK_STOP'))).at(-1)!;
    expect(stop.getHeader('Playback-Status')).toBe('done');
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
  });

  it('hangup_after_bridge takes every switch_true value: with t the caller hangs up after the far end', async () => {
    fake.endpoint('user/1001', { answerAfterMs: 100, hangupAfterMs: 1000 });
    const call = fake.call({ actions: ['set hangup_after_bridge=t', 'bridge user/1001', 'set after=1', 'park'] });
    await clock.tick(100);
    await eventsOf(call.uuid, named('CHANNEL_BRIDGE'));
    await clock.tick(1000);
    const ev = await eventsOf(call.uuid, (e) => e.name === 'CHANNEL_HANGUP' || e.name === 'CHANNEL_PARK');
    expect(ev.at(-1)!.name).toBe('CHANNEL_HANGUP');
    expect(ev.map((e) => e.name)).toContain('CHANNEL_UNBRIDGE');
    expect(ev.at(-1)!.getHeader('variable_bridge_hangup_cause')).toBe('NORMAL_CLEARING');
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
  });

  it('failed bridges leave nothing waiting for the caller to hang up', async () => {
    fake.endpoint('user/1004', { failCause: 'CALL_REJECTED' });
    const call = fake.call({ actions: ['set continue_on_fail=true', 'bridge user/1004', 'bridge user/1004', 'bridge user/1004', 'park'] });
    // Every hangup callback registered on the caller from here on, and those still armed.
    const ch = fake.liveChannel(call.uuid)!;
    const onDown = ch.onDown.bind(ch);
    const whenDown = ch.whenDown.bind(ch);
    let registered = 0;
    let armed = 0;
    ch.onDown = (fn) => {
      registered++;
      armed++;
      const cancel = onDown(fn);
      return () => {
        armed--;
        cancel();
      };
    };
    ch.whenDown = () => {
      registered++;
      armed++;
      return whenDown();
    };
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    expect(registered).toBe(3);
    expect(armed).toBe(0);
  });

  it('DIALSTATUS after a failed bridge: CANCEL, BUSY, NOANSWER, INVALIDARGS, DONTCALL, else the cause itself', async () => {
    const causes = ['CALL_REJECTED', 'NO_USER_RESPONSE', 'DESTINATION_OUT_OF_ORDER', 'NORMAL_CIRCUIT_CONGESTION'];
    for (const cause of causes) fake.endpoint(`user/${cause.toLowerCase()}`, { failCause: cause });
    const actions = ['set continue_on_fail=true'];
    causes.forEach((cause, i) => actions.push(`bridge user/${cause.toLowerCase()}`, `set status${i}=\${DIALSTATUS}`));
    const call = fake.call({ actions: [...actions, 'park'] });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    const v = fake.channel(call.uuid)!.variables;
    expect([v.status0, v.status1, v.status2, v.status3]).toEqual(['DONTCALL', 'NO_USER_RESPONSE', 'INVALIDARGS', 'NORMAL_CIRCUIT_CONGESTION']);
  });

  it('log: the first word is the level, a name or a number; an unknown one logs at DEBUG without it', async () => {
    const lines: Array<[number, string]> = [];
    fake.onLog((l) => {
      if (l.func === 'log_function') lines.push([l.level, l.text.slice(l.text.indexOf('mod_dptools.c:1580 ') + 19)]);
    });
    const call = fake.call({ actions: ['log WARNING careful', 'log 2 critical', 'log bogus dropped word', 'log alone', 'park'] });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    expect(lines).toEqual([
      [4, 'careful\n'],
      [2, 'critical\n'],
      [7, 'dropped word\n'],
      [7, 'alone\n'],
    ]);
  });

  it('uuid_bridge joins two parked legs; one hanging up takes the other down', async () => {
    const a = fake.call({ destination: 'answer_park' });
    const b = fake.call({ destination: 'answer_park' });
    await eventsOf(b.uuid, named('CHANNEL_PARK'));
    expect(await mon.text(`api uuid_bridge ${a.uuid} ${b.uuid}`)).toBe(`+OK ${b.uuid}\n`);
    b.hangup('USER_BUSY');
    expect(await a.whenDown).toBe('NORMAL_CLEARING');
  });

  it('uuid_break ends the playback running; uuid_transfer moves a parked call', async () => {
    fake.extension({ destination: 'moved', actions: ['set moved=1', 'park'] });
    const call = fake.call({ actions: ['answer', 'playback long.wav', 'park'] });
    await eventsOf(call.uuid, named('PLAYBACK_START'));
    expect(await mon.text(`api uuid_break ${call.uuid}`)).toBe('+OK\n');
    const stop = (await eventsOf(call.uuid, named('PLAYBACK_STOP'))).at(-1)!;
    expect(stop.getHeader('Playback-Status')).toBe('break');
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    expect(await mon.text(`api uuid_transfer ${call.uuid} moved`)).toBe('+OK\n');
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    expect(fake.channel(call.uuid)?.variables.moved).toBe('1');
  });
});

describe('FakeChannel.onDown', () => {
  it('calls back on the microtask after the hangup; cancelled, never, even once queued', async () => {
    const call = fake.call({ destination: 'park' });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    const ch = fake.liveChannel(call.uuid)!;
    const seen: string[] = [];
    ch.onDown(() => seen.push('kept'));
    const cancelEarly = ch.onDown(() => seen.push('cancelled before'));
    const cancelQueued = ch.onDown(() => seen.push('cancelled after'));
    cancelEarly();
    ch.hangup('NORMAL_CLEARING');
    expect(seen).toEqual([]);
    cancelQueued();
    await Promise.resolve();
    expect(seen).toEqual(['kept']);
    ch.onDown(() => seen.push('already down'));
    await Promise.resolve();
    expect(seen).toEqual(['kept', 'already down']);
  });
});

describe('injected events and observation', () => {
  it('fire() with a channel uuid carries the channel data; onEvent sees every event', async () => {
    const seen: string[] = [];
    const off = fake.onEvent((e) => seen.push(e.name ?? ''));
    const call = fake.call({ destination: 'park' });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    fake.fire({ name: 'CUSTOM', subclass: 'my::event', channelUuid: call.uuid, headers: { Foo: 'bar' }, body: 'hi' });
    const e = await mon.event((x) => x.subclass === 'my::event');
    expect(e.getHeader('Unique-ID')).toBe(call.uuid);
    expect(e.getHeader('variable_direction')).toBe('inbound');
    expect(e.getHeader('Foo')).toBe('bar');
    expect(e.getBody()).toBe('hi');
    expect(seen).toContain('CHANNEL_PARK');
    off();
  });

  it('fire() sends an EslEvent as built, adding only the missing core headers', async () => {
    const ev = new EslEvent('CUSTOM', 'sms::message');
    ev.addHeader('to', '1001');
    fake.fire(ev);
    const got = await mon.event((x) => x.subclass === 'sms::message');
    expect(got.getHeader('to')).toBe('1001');
    expect(got.getHeader('Core-UUID')).toBe(fake.coreUuid);
    expect(got.headers.keys().slice(0, 2)).toEqual(['Event-Name', 'Core-UUID']);
    expect(got.headers.keys().slice(13)).toEqual(['Event-Subclass', 'to']);
  });

  it('lists channels and hangs one up', async () => {
    const call = fake.call({ destination: 'park' });
    await eventsOf(call.uuid, named('CHANNEL_PARK'));
    expect(fake.channels().map((c) => c.uuid)).toEqual([call.uuid]);
    expect(fake.hangup(call.uuid, 'call_rejected')).toBe(true);
    expect(await call.whenDown).toBe('CALL_REJECTED');
    await call.whenDestroyed;
    expect(fake.channels()).toEqual([]);
    expect(fake.hangup(call.uuid)).toBe(false);
  });
});
