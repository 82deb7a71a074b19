/**
 * The Connection against FakeSwitch: every command, concurrency, chunking, faults, restarts,
 * and a clean teardown.
 */
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ApplicationResult,
  BackgroundJob,
  CommandReply,
  Connection,
  type ConnectionState,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslEvent,
  EslProtocolError,
} from 'rxesl';
import { type FakeSwitch, type FakeSwitchOptions, ManualClock } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

let fake: FakeSwitch | undefined;

async function start(options: FakeSwitchOptions = {}): Promise<FakeSwitch> {
  fake = await startFakeSwitch(options);
  return fake;
}

async function connect(options: Parameters<typeof Connection.connect>[0] = {}): Promise<Connection> {
  return closeAfterTest(await Connection.connect({ port: fake!.port, ...options }));
}

const text = async (o: ReturnType<Connection['filter']>): Promise<string> => (await firstValueFrom(o)).replyText;
const textOrError = async (o: ReturnType<Connection['filter']>): Promise<string> => {
  try {
    return (await firstValueFrom(o)).replyText;
  } catch (err) {
    return (err as EslCommandError).replyText;
  }
};

describe('every command, and its reply texts', () => {
  it('subscriptions, filters, log, session-only commands without a session', async () => {
    await start();
    const conn = await connect();
    expect(await text(conn.events('plain', ['CHANNEL_CREATE', 'CHANNEL_ANSWER']))).toBe('+OK event listener enabled plain');
    expect(await textOrError(conn.events('json', []))).toBe('-ERR no keywords supplied');
    expect(conn.subscription.format).toBe('json');
    expect(await text(conn.nixevent('CHANNEL_ANSWER'))).toBe('+OK events nixed');
    expect([...conn.subscription.types]).toEqual(['CHANNEL_CREATE']);
    expect(await text(conn.filter('Event-Name', 'CHANNEL_CREATE'))).toBe('+OK filter added. [Event-Name]=[CHANNEL_CREATE]');
    expect(await text(conn.filterDelete('Event-Name', 'CHANNEL_CREATE'))).toBe('+OK filter deleted. [Event-Name][CHANNEL_CREATE]');
    expect(await text(conn.filterDelete('all'))).toBe('+OK filter deleted. [all][]');
    expect(await text(conn.noevents())).toBe('+OK no longer listening for events');
    expect(await textOrError(conn.noevents())).toBe('-ERR not listening for events');
    expect(await text(conn.log('info'))).toBe('+OK log level info [6]');
    expect(await text(conn.nolog())).toBe('+OK no longer logging');
    expect(await textOrError(conn.nolog())).toBe('-ERR not loging');
    expect(await textOrError(conn.linger())).toBe('-ERR not controlling a session');
    expect(await textOrError(conn.nolinger())).toBe('-ERR not controlling a session');
    expect(await textOrError(conn.divertEvents(true))).toBe('-ERR not controlling a session.');
    const bad = await firstValueFrom(conn.send('nosuchcommand'));
    expect(bad.getHeader('Reply-Text')).toBe('-ERR command not found');
    expect(conn.filters).toEqual([]);
  });

  it('api, sendevent, sendmsg, execute, hangup, getvar, myevents, linger on a channel, exit', async () => {
    const clock = new ManualClock();
    await start({ clock, media: { playbackMs: 3000 } });
    const conn = await connect();
    // echo writes its arguments back without a newline (04-api-utf8-echo)
    expect((await firstValueFrom(conn.api('echo', 'héllo ☎ 100% + a&b'))).body).toBe('héllo ☎ 100% + a&b');
    const err = await firstValueFrom(conn.api('nosuchcmd')).catch((e: unknown) => e);
    expect((err as EslCommandError).replyText).toBe('-ERR nosuchcmd Command not found!\n');

    // sendevent reaches subscribers with the client's headers
    await firstValueFrom(conn.events('plain', ['CUSTOM', 'myapp::ping']));
    const seen = firstValueFrom(conn.customEvents('myapp::ping'));
    const ev = new EslEvent('CUSTOM', 'myapp::ping');
    ev.addHeader('X-Caller', 'Zoë +1');
    ev.addBody('line 1\n\nline 3');
    const sent = await firstValueFrom(conn.sendEvent(ev));
    expect(sent.replyText).toMatch(/^\+OK [0-9a-f-]{36}$/);
    const got = await seen;
    expect(got.getHeader('X-Caller')).toBe('Zoë +1');
    expect(got.getBody()).toBe('line 1\n\nline 3');

    // a call to work on
    const uuid = await fake!.originate('loopback/answer_park/default', '&park');
    expect((await firstValueFrom(conn.api('uuid_getvar', `${uuid} channel_name`))).text).toMatch(/loopback/);
    const steps: string[] = [];
    const playback = lastValueFrom(
      conn.execute('playback', 'ivr/welcome.wav', { uuid, eventLock: true }).pipe(
        filter((s) => {
          steps.push(s.kind);
          return true;
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toEqual(['reply']);
    clock.advance(3000);
    const done = await playback;
    expect(done).toBeInstanceOf(ApplicationResult);
    expect((done as ApplicationResult).application).toBe('playback');
    expect(steps).toEqual(['reply', 'complete']);
    expect(conn.routerStats.waiters).toBe(0);

    expect(await text(conn.sendMsg(uuid, { 'call-command': 'execute', 'execute-app-name': 'set', 'execute-app-arg': 'x=1' }))).toBe('+OK');
    expect(await text(conn.hangup('USER_BUSY', uuid))).toBe('+OK');
    expect(await text(conn.exit())).toBe('+OK bye');
    await conn.closed;
    expect(conn.state).toBe('closed');
  });

  it('myevents binds an inbound connection to one channel: getvar, linger, and the close when it hangs up', async () => {
    await start();
    const conn = await connect();
    const uuid = await fake!.originate('loopback/answer_park/default', '&park');
    expect(await text(conn.myevents(uuid))).toBe('+OK Events Enabled');
    expect(await textOrError(conn.myevents(uuid))).toBe('-ERR aready enabled.');
    expect(await firstValueFrom(conn.getvar('channel_name'))).toMatch(/^loopback\//);
    expect(await firstValueFrom(conn.getvar('no_such_variable'))).toBeUndefined();
    expect(await text(conn.linger(1))).toBe('+OK will linger 1 seconds');
    const notices = conn.notices$.pipe(take(2), toArray());
    const all = firstValueFrom(notices);
    fake!.hangup(uuid);
    const [linger, bye] = await all;
    expect(linger!.getHeader('Content-Disposition')).toBe('linger');
    expect(bye!.getHeader('Content-Disposition')).toBe('disconnect');
    await conn.closed;
  });
});

describe('concurrency', () => {
  it('10,000 concurrent api commands, each matched to its own reply', async () => {
    await start();
    const conn = await connect();
    const n = 10_000;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => firstValueFrom(conn.api('echo', `reply ${i}`))));
    for (let i = 0; i < n; i++) if (replies[i]!.body !== `reply ${i}`) throw new Error(`reply ${i} was ${replies[i]!.body}`);
    expect(conn.pendingCommands).toBe(0);
  });

  it('bgapi with and without a caller Job-UUID, 1,000 at once, and events interleaved with replies', async () => {
    await start();
    const conn = await connect();
    await firstValueFrom(conn.events('plain', 'ALL'));
    let events = 0;
    conn.events$.subscribe(() => events++);
    const jobs = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        lastValueFrom(conn.bgapi('echo', `job ${i}`, i % 2 === 0 ? { jobUuid: `caller-job-${i}` } : {}).pipe(toArray())),
      ),
    );
    for (let i = 0; i < jobs.length; i++) {
      const [reply, job] = jobs[i]! as [CommandReply, BackgroundJob];
      expect(reply.kind).toBe('reply');
      if (i % 2 === 0) expect(reply.jobUuid).toBe(`caller-job-${i}`);
      expect(job.jobUuid).toBe(reply.jobUuid);
      expect(job.body).toBe(`job ${i}`);
    }
    // every api fires an API event and every bgapi a BACKGROUND_JOB: they came between the replies
    expect(events).toBeGreaterThanOrEqual(1000);
    expect(conn.routerStats.waiters).toBe(0);
  });

  it('subscribes BACKGROUND_JOB by itself before the first bgapi', async () => {
    await start();
    const conn = await connect();
    const job = await lastValueFrom(conn.bgapi('status'));
    expect(job.kind).toBe('job');
    expect(fake!.received.map((c) => c.line)).toEqual(['auth ClueCon', 'event plain BACKGROUND_JOB', expect.stringMatching(/^bgapi status/)]);
  });

  it('does not ask again for BACKGROUND_JOB while the caller\'s own subscription is on its way', async () => {
    await start();
    const conn = await connect();
    const sub = firstValueFrom(conn.events('json', ['BACKGROUND_JOB', 'CHANNEL_CREATE']));
    const jobs = await Promise.all([lastValueFrom(conn.bgapi('status')), lastValueFrom(conn.bgapi('version'))]);
    await sub;
    expect(jobs.map((j) => j.kind)).toEqual(['job', 'job']);
    expect(fake!.received.filter((c) => c.line.startsWith('event')).map((c) => c.line)).toEqual(['event json BACKGROUND_JOB CHANNEL_CREATE']);
  });

  it('keeps track of a subscription whose caller stopped listening before the reply', async () => {
    await start();
    const conn = await connect();
    conn.events('plain', ['CHANNEL_ANSWER']).subscribe().unsubscribe();
    conn.filter('X-A', '1').subscribe().unsubscribe();
    await firstValueFrom(conn.api('status'));
    expect([...conn.subscription.types]).toEqual(['CHANNEL_ANSWER']);
    expect(conn.filters).toEqual([{ header: 'X-A', value: '1' }]);
  });

  it("with filters active, a bgapi lets its own job through and removes that filter afterwards", async () => {
    await start();
    const conn = await connect();
    await firstValueFrom(conn.filter('Event-Name', 'CHANNEL_CREATE'));
    const job = (await lastValueFrom(conn.bgapi('version'))) as BackgroundJob;
    expect(job.text).toMatch(/^FreeSWITCH Version 1\.10\.12/);
    await firstValueFrom(conn.api('status'));
    const lines = fake!.received.map((c) => c.line);
    expect(lines).toContain(`filter Job-UUID ${job.jobUuid}`);
    expect(lines).toContain(`filter delete Job-UUID ${job.jobUuid}`);
  });
});

describe('the wire, chunked and broken', () => {
  for (const sizes of [[1], [1, 2, 3, 5, 7, 11, 13], [64]]) {
    it(`a whole session with every frame cut into ${JSON.stringify(sizes)}-byte pieces`, async () => {
      await start({ faults: { chunkSizes: sizes } });
      const conn = await connect();
      await firstValueFrom(conn.events('plain', 'ALL'));
      const created = firstValueFrom(conn.eventsNamed('CHANNEL_ANSWER'));
      const uuid = await fake!.originate('loopback/answer_park/default', '&park');
      // The loopback's a-leg (the one originate hands back) answers first.
      expect((await created).getHeader('Unique-ID')).toBe(uuid);
      expect((await firstValueFrom(conn.api('echo', 'héllo ☎'))).body).toBe('héllo ☎');
      const job = (await lastValueFrom(conn.bgapi('uuid_getvar', `${uuid} channel_name`))) as BackgroundJob;
      expect(job.body).toMatch(/^loopback\//);
    });
  }

  it('a wrong password is an EslAuthError with the reply text', async () => {
    await start({ password: 'secret' });
    const err = await Connection.connect({ port: fake!.port, password: 'wrong' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslAuthError);
    expect((err as EslAuthError).replyText).toBe('-ERR invalid');
  });

  it('userauth with a directory user', async () => {
    await start({ users: { 'esltest@127.0.0.1': { password: 'EslSecret', allowedApi: 'status,version', allowedEvents: 'BACKGROUND_JOB', allowedLog: false } } });
    const conn = await connect({ user: 'esltest@127.0.0.1', password: 'EslSecret' });
    expect(conn.authReply?.getHeader('Allowed-API')).toBe('status,version');
    const denied = await firstValueFrom(conn.api('show', 'channels')).catch((e: unknown) => e);
    expect((denied as EslCommandError).replyText).toBe('-ERR permission denied');
  });

  it('a rude rejection is an EslAuthError (access denied)', async () => {
    await start({ acl: () => false });
    const err = await Connection.connect({ port: fake!.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslAuthError);
    expect((err as EslAuthError).reason).toBe('rejected');
  });

  it('a refused connection is an EslConnectError', async () => {
    await start();
    const port = fake!.port;
    await fake!.stop();
    fake = undefined;
    const err = await Connection.connect({ port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslConnectError);
    expect((err as EslConnectError).code).toBe('ECONNREFUSED');
  });

  it('the server closing mid-frame fails the pending commands and closes the connection', async () => {
    await start();
    const conn = await connect();
    const states: ConnectionState[] = [];
    conn.state$.subscribe((s) => states.push(s));
    const errors: Error[] = [];
    conn.errors$.subscribe((e) => errors.push(e));
    // the next frame (the reply to api status) is cut in the middle, then the socket closes
    fake!.dropMidFrame();
    const pending = firstValueFrom(conn.api('status')).catch((e: unknown) => e);
    const second = firstValueFrom(conn.api('version')).catch((e: unknown) => e);
    expect(await pending).toBeInstanceOf(EslDisconnectedError);
    expect(await second).toBeInstanceOf(EslDisconnectedError);
    expect(errors.some((e) => e instanceof EslProtocolError && e.code === 'TRUNCATED')).toBe(true);
    await conn.closed;
    expect(states).toEqual(['ready', 'closed']);
  });

  it('a malformed frame is an EslProtocolError on errors$, and the connection ends', async () => {
    await start();
    const conn = await connect();
    const reported = firstValueFrom(conn.errors$);
    fake!.sendMalformedFrame('negative-content-length');
    expect(await reported).toBeInstanceOf(EslProtocolError);
    await conn.closed;
    expect(conn.closeReason).toBeInstanceOf(EslDisconnectedError);
  });
});

describe('reconnect', () => {
  it('after a restart: reconnects, restores subscriptions, filters and the log level first, loses no event after ready', async () => {
    await start();
    const conn = await connect({ reconnect: { initialDelay: 20, maxDelay: 200 } });
    await firstValueFrom(conn.events('json', ['CUSTOM', 'test::ping']));
    await firstValueFrom(conn.filter('X-Keep', 'yes'));
    await firstValueFrom(conn.log('warning'));
    const states: ConnectionState[] = [];
    conn.state$.subscribe((s) => states.push(s));
    const received: string[] = [];
    conn.events$.subscribe((e) => received.push(e.getHeader('X-N') ?? ''));

    const restarted = fake!.restart({ downtimeMs: 100 });
    await firstValueFrom(conn.state$.pipe(filter((s) => s === 'reconnecting')));
    const during = firstValueFrom(conn.api('version')); // issued while reconnecting: it waits
    await restarted;
    await firstValueFrom(conn.state$.pipe(filter((s) => s === 'ready')));
    const version = await during;
    expect(version.body).toMatch(/^FreeSWITCH Version/);
    expect(states).toEqual(['ready', 'reconnecting', 'ready']);
    const after = fake!.connections.at(-1)!.commands.map((c) => c.line);
    expect(after.slice(0, 4)).toEqual(['auth ClueCon', 'event json CUSTOM test::ping', 'filter X-Keep yes', 'log warning']);
    expect(after[4]).toBe('api version');

    for (let i = 0; i < 50; i++) fake!.fire({ name: 'CUSTOM', subclass: 'test::ping', headers: { 'X-Keep': 'yes', 'X-N': String(i) } });
    await firstValueFrom(conn.events$.pipe(filter((e) => e.getHeader('X-N') === '49')));
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('commands in flight at the drop fail; none is re-sent', async () => {
    await start();
    const conn = await connect({ reconnect: { initialDelay: 20 } });
    fake!.setFaults({ replyDelayMs: 60_000 });
    const seen = fake!.nextCommand(/^api status/);
    const inflight = firstValueFrom(conn.api('status')).catch((e: unknown) => e);
    await seen;
    fake!.clearFaults();
    await fake!.restart({ downtimeMs: 50 });
    expect(await inflight).toBeInstanceOf(EslDisconnectedError);
    await firstValueFrom(conn.state$.pipe(filter((s) => s === 'ready')));
    await firstValueFrom(conn.api('version'));
    expect(fake!.connections.at(-1)!.commands.map((c) => c.line)).toEqual(['auth ClueCon', 'api version']);
  });

  it("whileReconnecting: 'fail' fails a command at once", async () => {
    await start();
    const conn = await connect({ reconnect: { initialDelay: 5000 }, whileReconnecting: 'fail' });
    const dropped = firstValueFrom(conn.state$.pipe(filter((s) => s === 'reconnecting')));
    fake!.connections[0]!.destroy();
    await dropped;
    expect(await firstValueFrom(conn.api('status')).catch((e: unknown) => e)).toBeInstanceOf(EslDisconnectedError);
  });
});

describe('teardown', () => {
  it('close() leaves no socket, timer, listener or waiter behind', async () => {
    await start();
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const conn = await Connection.connect({ port: fake!.port, commandTimeout: 30_000 });
    await firstValueFrom(conn.events('plain', 'ALL'));
    conn.eventsNamed('CHANNEL_CREATE').subscribe();
    conn.channelEvents('x').subscribe();
    const job = lastValueFrom(conn.bgapi('status'));
    await job;
    const pending = firstValueFrom(conn.execute('playback', 'x.wav', { uuid: 'no-such-uuid' })).catch(() => undefined);
    await pending;
    await conn.close();
    expect(conn.state).toBe('closed');
    expect(conn.socket).toBeNull();
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
    expect(conn.pendingCommands).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    expect(after.filter((r) => r === 'TCPSocketWrap').length).toBeLessThanOrEqual(before.filter((r) => r === 'TCPSocketWrap').length);
    expect(after.filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before.filter((r) => r === 'Timeout').length);
  });
});
