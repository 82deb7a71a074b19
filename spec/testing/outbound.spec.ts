/**
 * Outbound mode: calls whose dialplan runs `socket host:port [async] [full]` make FakeSwitch
 * connect out to the test's server; the test then drives the call as an outbound ESL app.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Commands, EslEvent, type Frame } from 'rxesl';
import { DISCONNECT_GOODBYE } from '../../lib/protocol/content-type';
import { type FakeSwitch, ManualClock } from 'rxesl/testing';
import { OutboundServer, RawClient } from './helpers/raw-client';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

let fake: FakeSwitch;
let clock: ManualClock;
let app: OutboundServer;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  // Registered first, closed last: the switch stops, then the test's server closes.
  app = closeAfterTest(await OutboundServer.start());
  fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, media: { playbackMs: 3000, durations: { 'ivr/welcome.wav': 2500 } } });
});

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A call to the test's outbound server, connected. */
async function outboundCall(flags = 'async full', extra: { actions?: string[]; callerIdName?: string } = {}) {
  const call = fake.call({
    destination: '5000',
    callerIdNumber: '1001',
    callerIdName: extra.callerIdName ?? 'Zoë Smith',
    actions: [`socket 127.0.0.1:${app.port} ${flags}`, ...(extra.actions ?? [])],
  });
  const conn = await app.accept();
  return { call, conn };
}

/**
 * Sends connect (and, pipelined with it as outbound apps do, myevents and linger when asked)
 * and reads the replies. The channel parks right after connect, so a client that waits for
 * the connect reply before subscribing may miss CHANNEL_PARK, as with FreeSWITCH.
 */
async function connect(conn: RawClient, then: string[] = []): Promise<{ frame: Frame; info: EslEvent; replies: string[] }> {
  conn.write(Buffer.concat([Commands.connect().bytes, ...then.map((c) => Buffer.from(`${c}\n\n`))]));
  const frame = await conn.next();
  const replies: string[] = [];
  for (let i = 0; i < then.length; i++) replies.push((await conn.reply()).headers.get('Reply-Text') ?? '');
  return { frame, info: EslEvent.fromFrame(frame), replies };
}

/** An event as the tests below list them: its name, with the application or the hangup cause it reports. */
function label(e: EslEvent): string {
  if (e.name === 'CHANNEL_EXECUTE_COMPLETE') return `${e.name} ${e.getHeader('Application')}`;
  if (e.name === 'CHANNEL_HANGUP') return `${e.name} ${e.getHeader('Hangup-Cause')}`;
  return e.name ?? '';
}

/** Reads events until one of that name (and application) arrives. */
async function until(conn: RawClient, name: string, app?: string): Promise<EslEvent> {
  return conn.event((e) => e.name === name && (app === undefined || e.getHeader('Application') === app));
}

describe('the connect reply', () => {
  it('is CHANNEL_DATA as one header block: encoded values, no Content-Length, Content-Type near the end', async () => {
    const { call, conn } = await outboundCall();
    await turn();
    // FreeSWITCH sends nothing until the client speaks.
    expect(conn.frames).toHaveLength(0);
    const { frame, info } = await connect(conn);
    const names = frame.headers.keys();
    expect(names[0]).toBe('Event-Name');
    expect(names.slice(-4)).toEqual(['Content-Type', 'Reply-Text', 'Socket-Mode', 'Control']);
    expect(frame.headers.has('Content-Length')).toBe(false);
    expect(frame.headers.get('Reply-Text')).toBe('%2BOK%0A');
    expect(frame.headers.get('Socket-Mode')).toBe('async');
    expect(frame.headers.get('Control')).toBe('full');
    expect(frame.headers.get('Channel-Name')).toBe('sofia/internal/1001%40127.0.0.1');
    expect(frame.headers.get('Caller-Caller-ID-Name')).toBe('Zo%C3%AB%20Smith');
    expect(info.getHeader('Event-Name')).toBe('CHANNEL_DATA');
    expect(info.getHeader('Unique-ID')).toBe(call.uuid);
    expect(info.getHeader('Reply-Text')).toBe('+OK\n');
    expect(info.getHeader('Caller-Caller-ID-Name')).toBe('Zoë Smith');
    expect(info.getHeader('Channel-Destination-Number')).toBe('5000');
    expect(info.getHeader('variable_current_application')).toBe('socket');
    expect(info.getHeader('variable_socket_host')).toBe('127.0.0.1');
  });

  it('says static and single-channel without async and full', async () => {
    const { conn } = await outboundCall('');
    const { frame } = await connect(conn);
    expect(frame.headers.get('Socket-Mode')).toBe('static');
    expect(frame.headers.get('Control')).toBe('single-channel');
  });

  it('the first command gets no reply unless it is connect (or api)', async () => {
    const { conn } = await outboundCall();
    conn.write('myevents\n\n');
    conn.write(Commands.api('echo', 'hi'));
    expect((await conn.next()).bodyText).toBe('hi');
    const { info } = await connect(conn);
    expect(info.name).toBe('CHANNEL_DATA');
  });

  it('without full, only the session commands work', async () => {
    const { conn } = await outboundCall('async');
    await connect(conn);
    for (const cmd of ['api status', 'bgapi status', 'event plain ALL', 'linger', 'log 7', 'sendevent CUSTOM']) {
      expect(await conn.text(cmd), cmd).toBe('-ERR command not found');
    }
    expect(await conn.text('myevents')).toBe('+OK Events Enabled');
    expect(await conn.text('getvar channel_name')).toBe('sofia/internal/1001@127.0.0.1');
    expect(await conn.text('filter Event-Name CHANNEL_ANSWER')).toBe('+OK filter added. [Event-Name]=[CHANNEL_ANSWER]');
    expect(await conn.text(Commands.execute('answer'))).toBe('+OK');
  });
});

describe('driving a call', () => {
  it('answer, playback, play_and_get_digits with injected DTMF, hangup; CHANNEL_EXECUTE_COMPLETE carries Application-UUID', async () => {
    const { call, conn } = await outboundCall();
    const { replies } = await connect(conn, ['myevents', 'linger', 'event plain PLAYBACK_START PLAYBACK_STOP']);
    expect(replies).toEqual(['+OK Events Enabled', '+OK will linger', '+OK event listener enabled plain']);
    const park = await until(conn, 'CHANNEL_PARK');
    expect(park.getHeader('Unique-ID')).toBe(call.uuid);

    expect(await conn.text(Commands.execute('answer', undefined, { eventLock: true, eventUuid: 'app-1' }))).toBe('+OK');
    const answered = await until(conn, 'CHANNEL_EXECUTE_COMPLETE', 'answer');
    expect(answered.getHeader('Application-UUID')).toBe('app-1');
    expect(answered.getHeader('Answer-State')).toBe('answered');

    expect(await conn.text(Commands.execute('playback', 'ivr/welcome.wav', { eventLock: true, eventUuid: 'app-2' }))).toBe('+OK');
    const start = await until(conn, 'PLAYBACK_START');
    expect(start.getHeader('Playback-File-Path')).toBe('ivr/welcome.wav');
    await clock.tick(2499);
    expect(conn.unread.some((f) => f.bodyText.includes('PLAYBACK_STOP'))).toBe(false);
    await clock.tick(1);
    expect((await until(conn, 'PLAYBACK_STOP')).getHeader('Playback-Status')).toBe('done');
    const played = await until(conn, 'CHANNEL_EXECUTE_COMPLETE', 'playback');
    expect(played.getHeader('Application-UUID')).toBe('app-2');
    expect(played.getHeader('Application-Response')).toBe('FILE PLAYED');
    expect(played.getHeader('variable_playback_ms')).toBe('2500');

    const pagd = '1 4 3 5000 # ivr/enter-pin.wav ivr/invalid.wav pin \\d+';
    expect(await conn.text(Commands.execute('play_and_get_digits', pagd, { eventLock: true, eventUuid: 'app-3' }))).toBe('+OK');
    await until(conn, 'CHANNEL_EXECUTE', 'play_and_get_digits');
    expect(fake.dtmf(call.uuid, '42#')).toBe(true);
    const dtmf = await until(conn, 'DTMF');
    expect(dtmf.getHeader('DTMF-Digit')).toBe('4');
    const got = await until(conn, 'CHANNEL_EXECUTE_COMPLETE', 'play_and_get_digits');
    expect(got.getHeader('Application-UUID')).toBe('app-3');
    expect(got.getHeader('variable_pin')).toBe('42');
    expect(got.getHeader('variable_read_result')).toBe('success');
    expect(got.getHeader('variable_read_terminator_used')).toBe('#');

    expect(await conn.text(Commands.hangup('NORMAL_CLEARING'))).toBe('+OK');
    await until(conn, 'CHANNEL_HANGUP');
    const notice = await conn.next();
    expect(notice.headers.get('Content-Disposition')).toBe('linger');
    expect(notice.headers.get('Linger-Time')).toBe('-1');
    const complete = await until(conn, 'CHANNEL_HANGUP_COMPLETE');
    expect(complete.headers.getAll('Hangup-Cause')).toEqual(['NORMAL_CLEARING', 'NORMAL_CLEARING']);
    // Lingering forever: the socket stays until the client says exit.
    await clock.tick(60_000);
    expect(conn.closed).toBe(false);
    expect(await conn.text('exit')).toBe('+OK bye');
    const bye = await conn.next();
    expect(bye.headers.get('Controlled-Session-UUID')).toBe(call.uuid);
    expect(bye.headers.get('Content-Disposition')).toBe('disconnect');
    expect(bye.bodyText).toBe(DISCONNECT_GOODBYE);
    await conn.whenClosed();
    await call.whenDestroyed;
  });

  it('play_and_get_digits retries on a timeout and reports failure when nothing comes', async () => {
    const { call, conn } = await outboundCall();
    await connect(conn);
    await conn.text('myevents');
    await conn.text(Commands.execute('play_and_get_digits', '2 2 2 3000 # silence_stream://500 silence_stream://100 code', { eventUuid: 'p' }));
    await until(conn, 'CHANNEL_EXECUTE', 'play_and_get_digits');
    // Each try: the prompt, the 3 s wait, then the invalid file (switch_play_and_get_digits
    // plays it after the last failed try too).
    await clock.tick(500 + 3000 + 100 + 500 + 3000 + 99);
    expect(fake.channel(call.uuid)?.application).toBe('play_and_get_digits');
    await clock.tick(1);
    const done = await until(conn, 'CHANNEL_EXECUTE_COMPLETE', 'play_and_get_digits');
    // switch_ivr_read: fewer digits than the minimum is a failure, even when the time ran out.
    expect(done.getHeader('variable_read_result')).toBe('failure');
    expect(done.getHeader('variable_code')).toBeUndefined();
    call.hangup();
  });

  it('without linger: events up to CHANNEL_HANGUP_COMPLETE, then the disconnect notice and close', async () => {
    const { call, conn } = await outboundCall();
    await connect(conn, ['myevents']);
    await until(conn, 'CHANNEL_PARK');
    call.hangup('USER_BUSY');
    const { skipped, frame } = await conn.until((f) => f.contentType === 'text/disconnect-notice');
    const names = skipped.map((f) => EslEvent.fromFrame(f).name);
    expect(names[0]).toBe('CHANNEL_HANGUP');
    expect(names.at(-1)).toBe('CHANNEL_HANGUP_COMPLETE');
    expect(names).not.toContain('CHANNEL_DESTROY');
    expect(frame.headers.get('Content-Disposition')).toBe('disconnect');
    await conn.whenClosed();
    await call.whenDestroyed;
  });

  it('linger 2: the linger notice after the leg\'s last events, the disconnect 2 s (clock) later', async () => {
    // Observed on FreeSWITCH 1.10.12: a hangup from elsewhere (here the caller) reaches the
    // client as CHANNEL_HANGUP, CHANNEL_UNPARK, CHANNEL_EXECUTE_COMPLETE socket, the
    // CHANNEL_STATEs (CS_HANGUP, CS_REPORTING: the two of capture 07), CHANNEL_HANGUP_COMPLETE,
    // then the linger notice, then (after the linger time) the disconnect notice and the close.
    const { call, conn } = await outboundCall();
    const { replies } = await connect(conn, ['myevents', 'linger 2']);
    expect(replies[1]).toBe('+OK will linger 2 seconds');
    await until(conn, 'CHANNEL_PARK');
    call.hangup();
    const { frame: notice, skipped } = await conn.until((f) => f.contentType === 'text/disconnect-notice');
    expect(skipped.map((f) => label(EslEvent.fromFrame(f)))).toEqual([
      'CHANNEL_HANGUP NORMAL_CLEARING',
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE socket',
      'CHANNEL_STATE',
      'CHANNEL_STATE',
      'CHANNEL_HANGUP_COMPLETE',
    ]);
    expect([...notice.headers]).toEqual([
      ['Content-Type', 'text/disconnect-notice'],
      ['Controlled-Session-UUID', call.uuid],
      ['Content-Disposition', 'linger'],
      ['Channel-Name', 'sofia/internal/1001@127.0.0.1'],
      ['Linger-Time', '2'],
      ['Content-Length', '0'],
    ]);
    expect(await conn.text('getvar hangup_cause')).toBe('NORMAL_CLEARING');
    await clock.tick(1999);
    expect(conn.closed).toBe(false);
    await clock.tick(1);
    expect((await conn.next()).headers.get('Content-Disposition')).toBe('disconnect');
    await conn.whenClosed();
  });

  it('nolinger after linger: the socket closes after the hangup', async () => {
    const { call, conn } = await outboundCall();
    await connect(conn);
    await conn.text('linger 30');
    expect(await conn.text('nolinger')).toBe('+OK will not linger');
    await turn();
    call.hangup();
    await conn.whenClosed();
    expect(conn.frames.at(-1)!.headers.get('Content-Disposition')).toBe('disconnect');
  });

  it('resume: when the client leaves, the dialplan goes on after the socket application', async () => {
    const { call, conn } = await outboundCall('async full', { actions: ['hangup CALL_REJECTED'] });
    await connect(conn);
    expect(await conn.text('resume')).toBe('+OK');
    expect(await conn.text('exit')).toBe('+OK bye');
    expect(await call.whenDown).toBe('CALL_REJECTED');
  });

  it('without resume the extension goes on too: socket_function leaves the channel in CS_EXECUTE', async () => {
    // mod_event_socket.c: listener_run clears CF_CONTROLLED as it ends, which ends the park;
    // socket_function then returns, and switch_core_standard_on_execute runs the next action.
    const { call, conn } = await outboundCall('async full', { actions: ['hangup CALL_REJECTED'] });
    await connect(conn);
    await conn.text('exit');
    await conn.whenClosed();
    expect(await call.whenDown).toBe('CALL_REJECTED');
  });

  it('PRIVATE_COMMAND: none for a message the park takes before there is media (execute answer), one after each later one', async () => {
    // switch_ivr_park: without media its loop takes a queued message straight to
    // switch_ivr_parse_event and destroys it, firing nothing; once media is up, messages go
    // through switch_ivr_parse_next_event, which fires PRIVATE_COMMAND after each. FreeSWITCH
    // 1.10.12 was seen sending it after the playback, not after `execute answer`.
    const { call, conn } = await outboundCall();
    await connect(conn, ['myevents', 'event plain PRIVATE_COMMAND']);
    await until(conn, 'CHANNEL_PARK');
    await conn.text(Commands.execute('answer', undefined, { eventUuid: 'answer' }));
    await conn.text(Commands.execute('playback', 'silence_stream://100', { eventUuid: 'play' }));
    await clock.tick(100);
    const seen: string[] = [];
    while (!seen.includes('PRIVATE_COMMAND playback')) {
      const e = await conn.event((x) => x.name === 'CHANNEL_EXECUTE_COMPLETE' || x.name === 'PRIVATE_COMMAND');
      seen.push(`${e.name} ${e.getHeader('Application') ?? e.getHeader('execute-app-name')}`);
    }
    expect(seen).toEqual(['CHANNEL_EXECUTE_COMPLETE answer', 'CHANNEL_EXECUTE_COMPLETE playback', 'PRIVATE_COMMAND playback']);
    call.hangup();
  });

  it('static mode runs sendmsg inline: +OK comes when the application has finished', async () => {
    const { conn } = await outboundCall('full');
    await connect(conn);
    await conn.text('event plain CHANNEL_EXECUTE_COMPLETE');
    conn.write(Commands.execute('playback', 'silence_stream://4000'));
    await turn();
    await turn();
    expect(conn.unread).toHaveLength(0);
    await clock.tick(4000);
    expect((await conn.next()).headers.get('Reply-Text')).toBe('+OK');
    expect((await conn.event()).getHeader('Application')).toBe('playback');
  });

  it('without event-lock a second queued application runs inside the first; with it, after', async () => {
    for (const lock of [false, true]) {
      const { call, conn } = await outboundCall();
      await connect(conn, ['myevents']);
      await until(conn, 'CHANNEL_PARK');
      await conn.text(Commands.execute('playback', 'silence_stream://1000', { eventLock: lock, eventUuid: 'first' }));
      await until(conn, 'CHANNEL_EXECUTE', 'playback');
      await conn.text(Commands.execute('playback', 'silence_stream://1000', { eventLock: lock, eventUuid: 'second' }));
      await clock.tick(2000);
      const order: string[] = ['start first'];
      while (order.length < 4) {
        const e = await conn.event((x) => x.name === 'CHANNEL_EXECUTE' || x.name === 'CHANNEL_EXECUTE_COMPLETE');
        if (e.getHeader('Application') === 'playback') order.push(`${e.name === 'CHANNEL_EXECUTE' ? 'start' : 'end'} ${e.getHeader('Application-UUID')}`);
      }
      expect(order).toEqual(lock ? ['start first', 'end first', 'start second', 'end second'] : ['start first', 'start second', 'end second', 'end first']);
      call.hangup();
      await conn.whenClosed();
    }
  });

  it('loops: runs an application n times (each run long enough)', async () => {
    const { call, conn } = await outboundCall();
    await connect(conn);
    await conn.text('myevents');
    await conn.text(Commands.execute('playback', 'silence_stream://600', { loops: 3, eventLock: true }));
    for (let i = 0; i < 3; i++) {
      await until(conn, 'CHANNEL_EXECUTE', 'playback');
      await clock.tick(600);
      await until(conn, 'CHANNEL_EXECUTE_COMPLETE', 'playback');
    }
    call.hangup();
  });

  it('sendmsg to another uuid queues there; an unknown uuid is refused', async () => {
    const other = fake.call({ destination: 'park' });
    const { conn } = await outboundCall();
    await connect(conn);
    expect(await conn.text(Commands.hangup('USER_BUSY', other.uuid))).toBe('+OK');
    expect(await other.whenDown).toBe('USER_BUSY');
    expect(await conn.text(Commands.hangup(undefined, '11111111-1111-1111-1111-111111111111'))).toBe(
      '-ERR invalid session id [11111111-1111-1111-1111-111111111111]',
    );
  });

  it('an unreachable socket target lets the dialplan continue', async () => {
    const closed = await OutboundServer.start();
    const port = closed.port;
    await closed.close();
    const call = fake.call({ actions: [`socket 127.0.0.1:${port} async full`, 'hangup NO_ROUTE_DESTINATION'] });
    expect(await call.whenDown).toBe('NO_ROUTE_DESTINATION');
  });
});

describe('originate variables on the loopback b-leg', () => {
  it('{var=...} and [var=...] of the dial string reach the b-leg: its events and the connect reply', async () => {
    // Observed on FreeSWITCH 1.10.12, and mod_loopback's channel_on_init says why: the
    // originate's variables are kept on the a-leg and set on the b-leg when it is created.
    const fs = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, outboundSocket: `127.0.0.1:${app.port} async full` });
    const mon = closeAfterTest(await RawClient.authed(fs.port));
    await mon.text('event plain CHANNEL_CREATE');
    void fs.originate('{campaign=spring sale,origination_caller_id_number=5551234}[leg_note=first]loopback/outbound/default', '&park').catch(() => undefined);
    const conn = await app.accept();
    const { info } = await connect(conn);
    expect(info.getHeader('Channel-Name')).toBe('loopback/outbound-b');
    expect(info.getHeader('variable_campaign')).toBe('spring sale');
    expect(info.getHeader('variable_leg_note')).toBe('first');
    expect(info.getHeader('variable_origination_caller_id_number')).toBe('5551234');
    const bCreate = await mon.event((e) => e.getHeader('Channel-Name') === 'loopback/outbound-b');
    expect(bCreate.getHeader('variable_campaign')).toBe('spring sale');
    expect(bCreate.getHeader('variable_leg_note')).toBe('first');
    conn.close();
  });
});

describe('the client leaving an async outbound socket', () => {
  // Observed on FreeSWITCH 1.10.12: when the client sends `exit` or just closes, the leg gets
  // CHANNEL_UNPARK, CHANNEL_EXECUTE_COMPLETE (Application socket), then CHANNEL_HANGUP with
  // NORMAL_CLEARING; the other loopback leg follows and no channel is left half a second
  // later. The source says why: the park ends with the connection (listener_run clears
  // CF_CONTROLLED), socket_function returns, and an extension with nothing after `socket`
  // hangs up ("has executed the last dialplan instruction").
  async function loopbackToOutbound(): Promise<{ fs: FakeSwitch; mon: RawClient; conn: RawClient; a: string }> {
    const fs = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, outboundSocket: `127.0.0.1:${app.port} async full` });
    const mon = closeAfterTest(await RawClient.authed(fs.port));
    await mon.text('event plain ALL');
    const a = fs.originate('loopback/outbound/default', '&park');
    const conn = await app.accept();
    await connect(conn, ['myevents']);
    await until(conn, 'CHANNEL_PARK');
    // The originate waits for the b-leg's answer, which the outbound application gives.
    expect(await conn.text(Commands.execute('answer', undefined, { eventLock: true }))).toBe('+OK');
    return { fs, mon, conn, a: await a };
  }

  /** The names of one channel's events from `mon` up to CHANNEL_DESTROY. */
  async function eventsUntilDestroyed(mon: RawClient, uuid: string): Promise<string[]> {
    const names: string[] = [];
    for (;;) {
      const e = await mon.event((x) => x.getHeader('Unique-ID') === uuid);
      names.push(label(e));
      if (e.name === 'CHANNEL_DESTROY') return names;
    }
  }

  for (const how of ['exit', 'a plain close'] as const) {
    it(`${how}: CHANNEL_UNPARK, CHANNEL_EXECUTE_COMPLETE socket, CHANNEL_HANGUP NORMAL_CLEARING; the a-leg follows; no channel left`, async () => {
      const { fs, mon, conn, a } = await loopbackToOutbound();
      const b = fs.channels().find((c) => c.uuid !== a)!.uuid;
      // Everything up to the a-leg's park (the answer included) has been seen: what follows is the leaving.
      await mon.event((e) => e.name === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === a);
      for (let i = 0; i < 5; i++) await turn();
      for (let n = mon.unread.length; n > 0; n--) await mon.next();
      if (how === 'exit') expect(await conn.text('exit')).toBe('+OK bye');
      else conn.close();
      const bEvents = await eventsUntilDestroyed(mon, b);
      expect(bEvents.slice(0, 3)).toEqual(['CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE socket', 'CHANNEL_HANGUP NORMAL_CLEARING']);
      expect(bEvents).toContain('CHANNEL_HANGUP_COMPLETE');
      await mon.event((e) => e.name === 'CHANNEL_DESTROY' && e.getHeader('Unique-ID') === a);
      expect(fs.channels()).toEqual([]);
    });
  }

  it('a client that half-closes still gets the disconnect notice before the close, and the channel goes on without it', async () => {
    // Observed on FreeSWITCH 1.10.12: an outbound client that ends its side of the socket
    // receives text/disconnect-notice ("Disconnected, goodbye.") before FreeSWITCH closes.
    const { call, conn } = await outboundCall();
    await connect(conn, ['myevents']);
    await until(conn, 'CHANNEL_PARK');
    conn.end();
    const { frame } = await conn.until((f) => f.contentType === 'text/disconnect-notice');
    expect([...frame.headers]).toEqual([
      ['Content-Type', 'text/disconnect-notice'],
      ['Controlled-Session-UUID', call.uuid],
      ['Content-Disposition', 'disconnect'],
      ['Content-Length', String(Buffer.byteLength(DISCONNECT_GOODBYE))],
    ]);
    expect(frame.bodyText).toBe(DISCONNECT_GOODBYE);
    await conn.whenClosed();
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
  });

  it('with resume the dialplan continues after the socket application', async () => {
    const mon = closeAfterTest(await RawClient.authed(fake.port));
    await mon.text('event plain CHANNEL_PARK CHANNEL_UNPARK CHANNEL_EXECUTE_COMPLETE');
    const { call, conn } = await outboundCall('async full', { actions: ['set after_socket=yes', 'park'] });
    await connect(conn, ['myevents', 'resume']);
    await until(conn, 'CHANNEL_PARK');
    conn.close();
    const seen: string[] = [];
    while (seen.length < 5) {
      const e = await mon.event((x) => x.getHeader('Unique-ID') === call.uuid);
      seen.push(label(e));
    }
    expect(seen).toEqual(['CHANNEL_PARK', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE socket', 'CHANNEL_EXECUTE_COMPLETE set', 'CHANNEL_PARK']);
    expect(fake.channel(call.uuid)).toMatchObject({ application: 'park', hangupCause: undefined });
    expect(fake.channel(call.uuid)?.variables).toMatchObject({ after_socket: 'yes', socket_resume: 'true' });
    call.hangup();
  });
});

describe('divert_events', () => {
  it('an event sent to a diverting session reaches its socket whatever the subscriptions', async () => {
    const { call, conn } = await outboundCall();
    await connect(conn, ['myevents', 'divert_events on']);
    const other = await RawClient.authed(fake.port);
    expect(await other.text(`sendevent CUSTOM\nEvent-Subclass: app::note\nUnique-ID: ${call.uuid}\nX-Note: for you\n\n`)).toMatch(/^\+OK /);
    const got = await conn.event((e) => e.getHeader('X-Note') !== undefined);
    expect(got.getHeader('X-Note')).toBe('for you');
    expect(got.getHeader('Command')).toBe('sendevent CUSTOM');
    other.close();
    call.hangup();
  });
});

describe('inbound myevents <uuid>', () => {
  it('binds an inbound connection to a channel: its events only, session commands, close on hangup', async () => {
    const { RawClient } = await import('./helpers/raw-client');
    const c = await RawClient.authed(fake.port);
    const uuid = await fake.originate('loopback/answer_park/default', '&park');
    expect(await c.text(`myevents ${uuid}`)).toBe('+OK Events Enabled');
    expect(await c.text(`myevents ${uuid}`)).toBe('-ERR aready enabled.');
    expect(await c.text('getvar channel_name')).toBe('loopback/answer_park-a');
    expect(await c.text('divert_events')).toBe('-ERR missing value.');
    expect(await c.text('divert_events on')).toBe('+OK events diverted');
    expect(await c.text('divert_events off')).toBe('+OK events not diverted');
    fake.call({ destination: 'park' });
    await c.text('api uuid_kill ' + uuid);
    const { frame, skipped } = await c.until((f) => f.contentType === 'text/disconnect-notice');
    expect(skipped.every((f) => EslEvent.fromFrame(f).getHeader('Unique-ID') === uuid)).toBe(true);
    expect(frame.headers.get('Controlled-Session-UUID')).toBe(uuid);
    await c.whenClosed();
  });

  it('a hangup by its own command is noticed on the pass right after it: the linger notice follows CHANNEL_HANGUP, later events after it', async () => {
    // Capture 07: `api uuid_kill` on the lingering connection itself; listener_run's next pass
    // (right after the api reply) sees the channel down with only CHANNEL_HANGUP queued.
    const c = closeAfterTest(await RawClient.authed(fake.port));
    const uuid = await fake.originate('loopback/answer_park/default', '&park');
    await c.text(`myevents ${uuid}`);
    expect(await c.text('linger 2')).toBe('+OK will linger 2 seconds');
    expect(await c.text(`api uuid_kill ${uuid}`)).toBe('+OK\n');
    const { frame, skipped } = await c.until((f) => f.contentType === 'text/disconnect-notice');
    expect(skipped.map((f) => label(EslEvent.fromFrame(f)))).toEqual(['CHANNEL_HANGUP NORMAL_CLEARING']);
    expect(frame.headers.get('Content-Disposition')).toBe('linger');
    await until(c, 'CHANNEL_HANGUP_COMPLETE');
    await clock.tick(2000);
    expect((await c.next()).headers.get('Content-Disposition')).toBe('disconnect');
  });
});
