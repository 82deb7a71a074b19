/**
 * The differential scenarios: scripts that run the same way against FakeSwitch and against a
 * real FreeSWITCH 1.10.12, each with what FreeSWITCH is known to do (`expect`), taken from the
 * captures in spec/fixtures (the same transcript, derived from the captured bytes) or from
 * behaviour observed on FreeSWITCH 1.10.12 and its source (restated in each scenario).
 *
 * A scenario waits for what it needs (an event, a reply), never for a time, so that it runs
 * against a real switch as against FakeSwitch. It ends with every channel gone.
 */
import { expect } from 'vitest';
import { Commands, EslEvent, parseFrames, type Frame } from 'rxesl';
import { loadFixture } from '../helpers/fixtures';
import { newUuid, type Conn, type ScenarioContext } from './harness';
import { transcriptOf, type RecordedConnection, type Transcript } from './transcript';

export interface Scenario {
  readonly name: string;
  /** Drives the switch through `ctx`. */
  run(ctx: ScenarioContext): Promise<void>;
  /** Checks FakeSwitch's transcript against what FreeSWITCH does. */
  expect(t: Transcript): void;
}

/** The transcript of a capture's single connection: its commands (one per client chunk) and frames. */
function captureTranscript(name: string): Transcript {
  const fx = loadFixture(name);
  const commands = fx.c2sChunks.map((c) => c.toString('utf8').split('\n')[0]!);
  const frames = [...parseFrames(fx.s2c)] as Frame[];
  const recorded: RecordedConnection = { role: 'inbound', commands, frames };
  return transcriptOf([recorded]);
}

const aLeg = (ext: string): string => `loopback/${ext}-a`;
const bLeg = (ext: string): string => `loopback/${ext}-b`;

/**
 * A loopback call to the `outbound` extension, driven by us: a monitor on every event, the
 * originate (as a bgapi), the outbound connection's first commands, the b-leg answered, and
 * the a-leg parked. Returns the connections and the a-leg's uuid.
 */
async function outboundCall(ctx: ScenarioContext, first: string[]): Promise<{ mon: Conn; c: Conn; out: Conn; a: string }> {
  const mon = await ctx.connect();
  await mon.send('event plain ALL');
  const c = await ctx.connect();
  await c.send('bgapi originate loopback/outbound/default &park');
  const out = await ctx.accept();
  out.write(...first);
  await out.event((e) => e.name === 'CHANNEL_PARK', 'the outbound leg parked');
  await out.send(execute('answer', '', { eventLock: true }));
  const job = await mon.event((e) => e.name === 'BACKGROUND_JOB', 'the originate job');
  const a = /^\+OK (\S+)/.exec(job.getBody() ?? '')?.[1] ?? '';
  await mon.event((e) => e.name === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === a, 'the a-leg parked');
  return { mon, c, out, a };
}

/** Sends `sendmsg` to execute `app` on the connection's own session (outbound) or on `uuid`. */
function execute(app: string, arg: string, options: { uuid?: string; eventLock?: boolean } = {}): string {
  return Commands.execute(app, arg, { uuid: options.uuid, eventLock: options.eventLock }).bytes.toString('utf8');
}

export const SCENARIOS: readonly Scenario[] = [
  {
    // Capture 06-events-all-call-plain, step by step: event plain ALL, a loopback call
    // answered and parked, uuid_kill.
    name: 'originate to an extension that answers and parks (capture 06)',
    async run(ctx) {
      const c = await ctx.connect();
      await c.send('event plain ALL');
      const a = newUuid();
      await c.send(`bgapi originate {origination_uuid=${a}}loopback/answer_park/default &park`);
      await c.event((e) => e.name === 'BACKGROUND_JOB', 'BACKGROUND_JOB');
      await c.event((e) => e.name === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === a, 'the a-leg parked');
      await c.send(`api uuid_kill ${a}`);
      let destroyed = 0;
      while (destroyed < 2) {
        await c.event((e) => e.name === 'CHANNEL_DESTROY', 'CHANNEL_DESTROY');
        destroyed++;
      }
      await c.send('exit');
      await c.closed();
    },
    expect(t) {
      expect(t).toEqual(captureTranscript('06-events-all-call-plain'));
    },
  },
  {
    // Capture 05-bgapi-jobuuid-plain's commands: bgapi with FreeSWITCH's Job-UUID and with the
    // caller's, an unknown command; BACKGROUND_JOB after each reply.
    name: 'bgapi (capture 05)',
    async run(ctx) {
      const c = await ctx.connect();
      await c.send('event plain BACKGROUND_JOB');
      await c.send('bgapi status');
      await c.event((e) => e.name === 'BACKGROUND_JOB', 'the status job');
      await c.send(`bgapi version\nJob-UUID: ${newUuid()}`);
      await c.event((e) => e.name === 'BACKGROUND_JOB', 'the version job');
      await c.send('bgapi nosuchcmd some args');
      await c.event((e) => e.name === 'BACKGROUND_JOB', 'the failed job');
      await c.send('bgapi eval héllo ☎ 100% + a&b <x> 😀\nJob-UUID: caller-chosen-job-id-longer-than-36-characters-0001');
      await c.event((e) => e.name === 'BACKGROUND_JOB', 'the eval job');
      await c.send('exit');
      await c.closed();
    },
    expect(t) {
      const capture = captureTranscript('05-bgapi-jobuuid-plain');
      expect(t.replies).toEqual(capture.replies);
      expect(t.jobs).toEqual(capture.jobs);
    },
  },
  {
    // Capture 07-filter-nixevent-noevents, step by step: the subscription commands and their
    // texts, what gets through the filters.
    name: 'event, nixevent, noevents, filter, filter delete, divert_events (capture 07)',
    async run(ctx) {
      const c = await ctx.connect();
      for (const cmd of ['linger', 'nolinger', 'divert_events on', 'nosuchcommand', 'event plain']) await c.send(cmd);
      await c.send('event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_PARK CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB');
      for (const cmd of ['filter Event-Name CHANNEL_CREATE', 'filter add Event-Name BACKGROUND_JOB', 'filter Event-Name']) await c.send(cmd);
      const a = newUuid();
      await c.send(`bgapi originate {origination_uuid=${a}}loopback/answer_park/default &park`);
      await c.event((e) => e.name === 'BACKGROUND_JOB', 'BACKGROUND_JOB');
      // Both legs parked while the filters still held CHANNEL_PARK back, as in the capture.
      await ctx.until(`uuid_getvar ${a} current_application`, (v) => v === 'park');
      const b = await ctx.quietApi(`uuid_getvar ${a} other_loopback_leg_uuid`);
      await ctx.until(`uuid_getvar ${b} current_application`, (v) => v === 'park');
      for (const cmd of ['filter delete Event-Name CHANNEL_CREATE', 'filter delete', 'filter delete all', 'nixevent CHANNEL_ANSWER', 'nixevent']) await c.send(cmd);
      await c.send(`api uuid_kill ${a}`);
      for (let i = 0; i < 2; i++) await c.event((e) => e.name === 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_HANGUP_COMPLETE');
      await c.send('noevents');
      await c.send('noevents');
      await c.send('exit');
      await c.closed();
      for (const uuid of [a, b]) await ctx.until(`uuid_exists ${uuid}`, (v) => v === 'false');
    },
    expect(t) {
      const capture = captureTranscript('07-filter-nixevent-noevents');
      expect(t.replies).toEqual(capture.replies);
      expect(t.channels).toEqual(capture.channels);
    },
  },
  {
    // An extension that parks without answering, one that hangs up, one that does not exist.
    // Observed on FreeSWITCH 1.10.12: a leg that neither answers nor pre-answers blocks the
    // originate until originate_timeout and ends -ERR NO_ANSWER; loopback/nosuch gives -ERR
    // NO_ROUTE_DESTINATION; capture 08: loopback/hangup gives -ERR NORMAL_CLEARING.
    name: 'originate to extensions that park, hang up, or do not exist',
    async run(ctx) {
      const mon = await ctx.connect();
      await mon.send('event plain ALL');
      const c = await ctx.connect();
      await c.send('api originate {originate_timeout=1}loopback/park/default &park');
      await c.send('api originate loopback/hangup/default &park');
      await c.send('api originate loopback/nosuch/default &park');
      await ctx.allGone(mon);
    },
    expect(t) {
      expect(t.replies.slice(-3)).toEqual([
        'api originate {originate_timeout=1}loopback/park/default &park -> -ERR NO_ANSWER\n',
        'api originate loopback/hangup/default &park -> -ERR NORMAL_CLEARING\n',
        'api originate loopback/nosuch/default &park -> -ERR NO_ROUTE_DESTINATION\n',
      ]);
      expect(t.channels[bLeg('park')]).toContain('CHANNEL_EXECUTE park()');
      expect(t.channels[aLeg('park')]).toContain('CHANNEL_HANGUP NO_ANSWER');
      expect(t.channels[bLeg('hangup')]).toContain('CHANNEL_HANGUP NORMAL_CLEARING');
      expect(t.channels[bLeg('nosuch')]).toContain('CHANNEL_HANGUP NO_ROUTE_DESTINATION');
      for (const events of Object.values(t.channels)) expect(events).toContain('CHANNEL_DESTROY');
    },
  },
  {
    // Observed on FreeSWITCH 1.10.12: a hangup from elsewhere reaches a lingering outbound
    // client as the leg's last events (HANGUP, UNPARK, EXECUTE_COMPLETE socket, STATE,
    // HANGUP_COMPLETE), then the linger notice, then after the linger time the disconnect
    // notice and the close.
    name: 'an outbound socket with linger, hung up from elsewhere',
    async run(ctx) {
      const { mon, c, out, a } = await outboundCall(ctx, ['connect', 'myevents', 'linger 1']);
      await c.send(`api uuid_kill ${a}`);
      await out.closed();
      await ctx.allGone(mon);
    },
    expect(t) {
      const wire = t.wire[0]!;
      expect(wire.slice(0, 3)).toEqual(['connect -> connect: CHANNEL_DATA', 'myevents -> +OK Events Enabled', 'linger 1 -> +OK will linger 1 seconds']);
      const hangup = wire.findIndex((w) => w.startsWith('CHANNEL_HANGUP '));
      expect(wire.slice(hangup)).toEqual([
        'CHANNEL_HANGUP NORMAL_CLEARING',
        'CHANNEL_UNPARK',
        'CHANNEL_EXECUTE_COMPLETE socket()',
        'CHANNEL_STATE',
        'CHANNEL_STATE',
        'CHANNEL_HANGUP_COMPLETE',
        'disconnect-notice linger',
        'disconnect-notice disconnect',
      ]);
    },
  },
  {
    // Observed on FreeSWITCH 1.10.12: when an async outbound client leaves without resume,
    // the leg gets CHANNEL_UNPARK, CHANNEL_EXECUTE_COMPLETE (socket), then CHANNEL_HANGUP with
    // NORMAL_CLEARING, and the other loopback leg follows.
    name: 'an outbound socket left with exit, without resume',
    async run(ctx) {
      const { mon, out } = await outboundCall(ctx, ['connect', 'myevents']);
      await out.send('exit');
      await out.closed();
      await ctx.allGone(mon);
    },
    expect(t) {
      const b = t.channels[bLeg('outbound')]!;
      const unpark = b.indexOf('CHANNEL_UNPARK');
      expect(b.slice(unpark, unpark + 3)).toEqual(['CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE socket()', 'CHANNEL_HANGUP NORMAL_CLEARING']);
      expect(t.channels[aLeg('outbound')]).toContain('CHANNEL_HANGUP NORMAL_CLEARING');
      expect(t.wire[0]!.slice(-2)).toEqual(['exit -> +OK bye', 'disconnect-notice disconnect']);
    },
  },
  {
    // mod_event_socket: resume sets socket_resume; socket_function lets the extension go on.
    // The `outbound` extension has nothing after `socket`: the leg hangs up NORMAL_CLEARING.
    name: 'an outbound socket with resume and divert_events, half-closed by its client',
    async run(ctx) {
      const { mon, out } = await outboundCall(ctx, ['connect', 'myevents', 'resume', 'divert_events on']);
      out.client.end();
      await out.closed();
      await ctx.allGone(mon);
    },
    expect(t) {
      expect(t.wire[0]!.slice(0, 4)).toEqual(['connect -> connect: CHANNEL_DATA', 'myevents -> +OK Events Enabled', 'resume -> +OK', 'divert_events on -> +OK events diverted']);
      // A client that half-closes still reads the disconnect notice (observed on 1.10.12).
      expect(t.wire[0]!.at(-1)).toBe('disconnect-notice disconnect');
      expect(t.channels[bLeg('outbound')]).toContain('CHANNEL_HANGUP NORMAL_CLEARING');
    },
  },
  {
    // switch_ivr_parse_event: with event-lock a queued application waits for the one running;
    // without, the second runs inside the first (a media loop parses the next event).
    name: 'sendmsg execute with event-lock and without (async)',
    async run(ctx) {
      const mon = await ctx.connect();
      await mon.send('event plain ALL');
      const c = await ctx.connect();
      const a = newUuid();
      await c.send(`api originate {origination_uuid=${a}}loopback/answer_park/default &park`);
      await mon.event((e) => e.name === 'CHANNEL_PARK' && e.getHeader('Unique-ID') === a, 'the a-leg parked');
      await c.send(execute('playback', 'silence_stream://300', { uuid: a, eventLock: true }));
      await c.send(execute('playback', 'silence_stream://200', { uuid: a, eventLock: true }));
      await mon.event((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application-Data') === 'silence_stream://200', 'the second locked playback');
      await c.send(execute('playback', 'silence_stream://400', { uuid: a }));
      await mon.event((e) => e.name === 'CHANNEL_EXECUTE' && e.getHeader('Application-Data') === 'silence_stream://400', 'the first unlocked playback');
      await c.send(execute('playback', 'silence_stream://100', { uuid: a }));
      await mon.event((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application-Data') === 'silence_stream://400', 'the unlocked playbacks');
      await c.send(`api uuid_kill ${a}`);
      await ctx.allGone(mon);
    },
    expect(t) {
      const plays = (t.channels[aLeg('answer_park')] ?? []).filter((e) => e.includes('playback('));
      expect(plays).toEqual([
        'CHANNEL_EXECUTE playback(silence_stream://300)',
        'CHANNEL_EXECUTE_COMPLETE playback(silence_stream://300)',
        'CHANNEL_EXECUTE playback(silence_stream://200)',
        'CHANNEL_EXECUTE_COMPLETE playback(silence_stream://200)',
        'CHANNEL_EXECUTE playback(silence_stream://400)',
        'CHANNEL_EXECUTE playback(silence_stream://100)',
        'CHANNEL_EXECUTE_COMPLETE playback(silence_stream://100)',
        'CHANNEL_EXECUTE_COMPLETE playback(silence_stream://400)',
      ]);
    },
  },
  {
    // uuid_dump (a CHANNEL_DATA event, plain and json), show channels (plain and json, read
    // from the core database once it lists the call: about 200 ms later on 1.10.12), status.
    name: 'uuid_dump, show channels (plain, json), status',
    async run(ctx) {
      const c = await ctx.connect();
      const a = newUuid();
      await c.send(`api originate {origination_uuid=${a}}loopback/answer_park/default &park`);
      await ctx.until(`uuid_getvar ${a} current_application`, (v) => v === 'park');
      await ctx.until('show channels like answer_park count', (body) => body.includes('2 total.'));
      await c.send(`api uuid_dump ${a}`);
      await c.send(`api uuid_dump ${a} json`);
      await c.send('api show channels like answer_park');
      await c.send('api show channels like answer_park as json');
      await c.send('api status');
      const b = await ctx.quietApi(`uuid_getvar ${a} other_loopback_leg_uuid`);
      await c.send(`api uuid_kill ${a}`);
      for (const uuid of [a, b]) await ctx.until(`uuid_exists ${uuid}`, (v) => v === 'false');
    },
    expect(t) {
      const [dump, dumpJson, show, showJson, status] = t.replies.slice(2, 7);
      // The header names of a channel event up to its first channel header, in the order of
      // capture 06: switch_event_create's core headers, then the channel data.
      const captured = EslEvent.fromFrame([...parseFrames(loadFixture('06-events-all-call-plain').s2c)].find((f) => f.bodyText.includes('Event-Name: CHANNEL_EXECUTE\n'))!);
      const headerNames = captured.headerList().names;
      const core = headerNames.slice(0, headerNames.indexOf('Channel-State') + 1).join(',');
      expect(dump).toContain(` -> headers ${core},`);
      expect(dump).toContain(',Unique-ID,');
      expect(dumpJson).toContain(` -> keys ${core},`);
      expect(show).toMatch(/ -> columns uuid,direction,created,created_epoch,name,state,cid_name,cid_num,.*,initial_context; 2 total\.$/);
      expect(showJson).toMatch(/ -> row_count 2, columns uuid,direction,created,created_epoch,name,state,/);
      // The status text of capture 01, its numbers aside.
      expect(status).toBe(captureTranscript('01-auth-api-basic').replies.find((r) => r.startsWith('api status -> ')));
    },
  },
];
