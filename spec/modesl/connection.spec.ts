/**
 * esl.Connection, inbound, against a scripted FreeSWITCH (helpers/scripted-switch.ts): the
 * behaviours of modesl's README and of its own tests, the names it emits, the order of
 * callbacks and events, and the faults of modesl that are fixed.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EslArgumentError, EslConnectError, EslDisconnectedError, EslHangupError, EslProtocolError, EslEvent } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { Connection, Event, type FrameHeadersObject } from 'rxesl/modesl';
import { callback, next, record, until } from './helpers/record';
import { backgroundJob, closeAll, eventFrame, scriptedSwitch, type ScriptedSwitch, type ScriptOptions } from './helpers/scripted-switch';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sw: ScriptedSwitch | undefined;
const conns: Connection[] = [];
afterEach(async () => {
  await closeAll(conns, sw);
  sw = undefined;
});

/** A connection to a scripted switch, ready (authenticated and subscribed as modesl does). */
async function connect(options: ScriptOptions = {}): Promise<{ conn: Connection; log: string[] }> {
  sw = await scriptedSwitch(options);
  const log: string[] = [];
  const conn = new Connection('127.0.0.1', sw.port, options.password ?? 'ClueCon');
  conns.push(conn);
  record(conn, log);
  await next(conn, 'esl::ready');
  // The subscription modesl sends after auth has been answered.
  await until(() => log.filter((n) => n === 'esl::event::command::reply').length >= 2);
  return { conn, log };
}

function lines(): string[] {
  return sw!.peers[0]!.commands.map((c) => c.line);
}

describe('esl.Connection (inbound)', () => {
  it('has modesl’s methods and defaults, and the socket at once', async () => {
    sw = await scriptedSwitch();
    const conn = new Connection('127.0.0.1', sw.port, 'ClueCon');
    conns.push(conn);
    expect(conn.socket).toBeInstanceOf(net.Socket);
    expect(conn.connected()).toBe(false);
    for (const m of [
      'socketDescriptor', 'connected', 'getInfo', 'send', 'sendRecv', 'api', 'bgapi', 'sendEvent', 'recvEvent', 'recvEventTimed',
      'filter', 'filterDelete', 'events', 'execute', 'executeAsync', 'setAsyncExecute', 'setEventLock', 'disconnect',
      'auth', 'subscribe', 'show', 'originate', 'message',
    ] as const) {
      expect(typeof conn[m]).toBe('function');
    }
    expect([conn.execAsync, conn.execLock, conn.authed, conn.channelData]).toEqual([false, false, false, null]);
    await next(conn, 'esl::ready');
    expect(conn.authed).toBe(true);
    expect(conn.connected()).toBe(true);
    expect(conn.socketDescriptor()).toBeNull();
    expect(conn.getInfo()).toBeNull();
  });

  it('connects, authenticates, subscribes BACKGROUND_JOB and CHANNEL_EXECUTE_COMPLETE in json, and calls the ready callback', async () => {
    sw = await scriptedSwitch();
    const log: string[] = [];
    let self: unknown;
    const ready = new Promise<void>((resolve) => {
      const conn: Connection = new Connection('127.0.0.1', sw!.port, 'ClueCon', function (this: Connection) {
        self = this;
        log.push('ready callback');
        resolve();
      });
      conns.push(conn);
      record(conn, log);
    });
    await ready;
    expect(self).toBe(conns[0]);
    await until(() => log.length >= 7);
    expect(log).toEqual([
      'esl::connect',
      'esl::event::auth::request',
      'esl::event::auth::success',
      'ready callback',
      'esl::ready',
      'esl::event::command::reply',
      'esl::event::command::reply',
    ]);
    expect(lines()).toEqual(['auth ClueCon', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE']);
  });

  it('drachtio-modesl’s (host, port, password, localAddress, cb) form connects from that address', async () => {
    sw = await scriptedSwitch();
    const conn = await callback<[]>((cb) => conns.push(new Connection('127.0.0.1', sw!.port, 'ClueCon', '127.0.0.1', cb))).then(() => conns[0]!);
    expect(conn.socket!.localAddress).toBe('127.0.0.1');
  });

  it('refuses arguments that are neither (host, port, password) nor (socket)', () => {
    expect(() => new (Connection as unknown as new (...a: unknown[]) => Connection)(42)).toThrow(/Bad arguments/);
  });

  it('a wrong password: auth::fail with the reply, never esl::ready, esl::end when FreeSWITCH closes; no error', async () => {
    sw = await scriptedSwitch({ password: 'right' });
    const conn = new Connection('127.0.0.1', sw.port, 'wrong');
    conns.push(conn);
    const log = record(conn);
    const errors: unknown[] = [];
    conn.on('error', (e: unknown) => errors.push(e));
    const [fail] = await next<[Event]>(conn, 'esl::event::auth::fail');
    expect(fail.getHeader('Modesl-Reply-ERR')).toBe('invalid');
    await next(conn, 'esl::end');
    expect(conn.authed).toBe(false);
    expect(log).not.toContain('esl::ready');
    expect(errors).toEqual([]);
  });

  it('send() writes the command and its args as header lines, and keeps later replies in step', async () => {
    const { conn } = await connect();
    conn.send('send me', { header1: 'val1', header2: 'val2' });
    conn.send('send me');
    const [reply] = await callback<[Event]>((cb) => conn.sendRecv('myevents', cb));
    expect(reply.getHeader('Reply-Text')).toBe('+OK Events Enabled');
    const peer = sw!.peers[0]!;
    expect(peer.commands[2]!.line).toBe('send me');
    expect(peer.commands[2]!.headers.toObject()).toEqual({ header1: 'val1', header2: 'val2' });
    expect(peer.commands[3]!.headers.size).toBe(0);
  });

  it('send() takes the several lines modesl allowed, but not text that FreeSWITCH would read as two commands: that is an error, nothing is written', async () => {
    const { conn } = await connect();
    const [reply] = await callback<[Event]>((cb) => conn.sendRecv('sendevent CUSTOM\nEvent-Subclass: a::b\nContent-Length: 2\n\nhi', cb));
    expect(reply.getHeader('Modesl-Reply-OK')).toMatch(UUID);
    const cmd = sw!.peers[0]!.commands[2]!;
    expect([cmd.line, cmd.headers.get('Event-Subclass'), cmd.body.toString()]).toEqual(['sendevent CUSTOM', 'a::b', 'hi']);
    const errors: Error[] = [];
    conn.on('error', (e: Error) => errors.push(e));
    conn.send('api status\n\napi version');
    conn.send('api status', { 'X-Evil': 'a\n\nexit' });
    conn.send('sendevent CUSTOM\nX-A: 1', { 'X-Evil': 'a\nEvent-Name: HEARTBEAT' });
    expect(errors).toEqual([]);
    await callback((cb) => conn.api('version', cb));
    expect(errors.map((e) => [e.name, /2 commands|CR or LF/.test(e.message)])).toEqual([
      ['EslArgumentError', true],
      ['EslArgumentError', true],
      ['EslArgumentError', true],
    ]);
    expect(lines().slice(3)).toEqual(['api version']);
  });

  it('cmdCallbackQueue and apiCallbackQueue list the callbacks of your commands still waiting for their reply, in order', async () => {
    let answer = false;
    const held: Buffer[][] = [];
    const { conn } = await connect({
      answer: (cmd) => {
        if (answer || cmd.line.startsWith('auth') || cmd.line.startsWith('event')) return undefined;
        held.push(cmd.line.startsWith('api') ? [ServerFrames.apiResponse(`+OK ${cmd.line.slice(4)}\n`)] : [ServerFrames.commandReply('+OK')]);
        return [];
      },
    });
    // The connection's own commands (auth, connect, its subscription) are not listed.
    expect([conn.cmdCallbackQueue, conn.apiCallbackQueue]).toEqual([[], []]);
    const one = (): void => {};
    const two = (): void => {};
    conn.sendRecv('noevents', one);
    conn.api('status', two);
    conn.sendRecv('nolog');
    conn.bgapi('status');
    conn.send('linger');
    expect(conn.cmdCallbackQueue).toEqual([one, undefined, undefined]);
    expect(conn.apiCallbackQueue).toEqual([two]);
    conn.cmdCallbackQueue.pop();
    expect(conn.cmdCallbackQueue).toHaveLength(3);
    await sw!.peers[0]!.command(7);
    answer = true;
    // FreeSWITCH's replies, in order (the bgapi's BACKGROUND_JOB aside).
    for (const frames of held) sw!.peers[0]!.send(...frames);
    await callback((cb) => conn.api('version', cb));
    expect([conn.cmdCallbackQueue, conn.apiCallbackQueue]).toEqual([[], []]);
  });

  it('sendRecv calls back with (reply, headers, body) on the connection, before the listeners of command::reply', async () => {
    const { conn, log } = await connect();
    let self: unknown;
    const got = await callback<[Event, FrameHeadersObject, string | undefined]>((cb) =>
      conn.sendRecv('myevents', function (this: Connection, ...args) {
        self = this;
        log.push('callback');
        cb(...args);
      }),
    );
    await until(() => log.at(-1) === 'esl::event::command::reply');
    expect(self).toBe(conn);
    expect(got[0].getHeader('Modesl-Reply-OK')).toBe('Events Enabled');
    expect(got[1]).toEqual({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK Events Enabled' });
    expect(got[2]).toBeUndefined();
    expect(log.slice(-2)).toEqual(['callback', 'esl::event::command::reply']);
  });

  it('api calls back with the api/response; arguments as a string or an array; output byte-exact', async () => {
    const { conn, log } = await connect({
      answer: (cmd) => (cmd.line.startsWith('api echo') ? [ServerFrames.apiResponse(`${cmd.line.slice(9)} ☎\n`)] : undefined),
    });
    const [status] = await callback<[Event]>((cb) => conn.api('status', cb));
    expect(status.getBody()).toBe('+OK status\n');
    const [echo] = await callback<[Event, FrameHeadersObject, string | undefined]>((cb) => conn.api('echo', ['héllo', '100%'], cb));
    expect(echo.getBody()).toBe('héllo 100% ☎\n');
    expect(echo.getHeader('Content-Length')).toBe(Buffer.byteLength('héllo 100% ☎\n'));
    await until(() => log.filter((n) => n === 'esl::event::api::response').length === 2);
    expect(lines().slice(2)).toEqual(['api status', 'api echo héllo 100%']);
  });

  it('sendRecv("api ...") gets its api/response (modesl queued it for a command/reply and went out of step)', async () => {
    const { conn } = await connect();
    const [status] = await callback<[Event]>((cb) => conn.sendRecv('api status', cb));
    expect(status.getBody()).toBe('+OK status\n');
    const [reply] = await callback<[Event]>((cb) => conn.sendRecv('myevents', cb));
    expect(reply.getHeader('Reply-Text')).toBe('+OK Events Enabled');
  });

  it('bgapi sends a new Job-UUID and calls back with the BACKGROUND_JOB, before esl::event::BACKGROUND_JOB::<id>', async () => {
    const { conn, log } = await connect();
    let returned: string | undefined;
    const [job] = await callback<[Event]>((cb) => {
      returned = conn.bgapi('status', (e) => {
        log.push('callback');
        cb(e);
      });
    });
    const id = sw!.peers[0]!.commands[2]!.headers.get('Job-UUID')!;
    expect(id).toMatch(UUID);
    expect(returned).toBe(id);
    expect(job.getHeader('Job-UUID')).toBe(id);
    expect(job.getBody()).toBe('+OK status\n');
    await until(() => log.at(-1) === `esl::event::BACKGROUND_JOB::${id}`);
    expect(log.slice(-3)).toEqual(['esl::event::command::reply', 'callback', `esl::event::BACKGROUND_JOB::${id}`]);
  });

  it('bgapi honours the jobid given, with args as a string or an array, and returns the Job-UUID', async () => {
    const { conn } = await connect();
    const [job] = await callback<[Event]>((cb) => expect(conn.bgapi('originate', ['user/1000', '&park'], 'my-own-job-id', cb)).toBe('my-own-job-id'));
    expect(job.getHeader('Job-UUID')).toBe('my-own-job-id');
    const cmd = sw!.peers[0]!.commands[2]!;
    expect([cmd.line, cmd.headers.get('Job-UUID')]).toEqual(['bgapi originate user/1000 &park', 'my-own-job-id']);
  });

  it('bgapi registers no EventEmitter2 listener per call: 2,000 concurrent jobs, the same listeners before, during and after', async () => {
    const { conn } = await connect({ completeJobs: false });
    const before = { names: conn.eventNames().length, count: conn.listenerCount('**') };
    const peer = sw!.peers[0]!;
    let done = 0;
    const all = new Promise<void>((resolve) => {
      for (let i = 0; i < 2000; i++) conn.bgapi('status', `${i}`, () => ++done === 2000 && resolve());
    });
    await peer.command(2 + 2000);
    expect({ names: conn.eventNames().length, count: conn.listenerCount('**') }).toEqual(before);
    expect(conn.rx.routerStats.views).toBe(2000);
    peer.send(...peer.commands.slice(2).map((c) => backgroundJob(c.headers.get('Job-UUID')!, c.line.slice(6), '+OK\n')));
    await all;
    expect({ names: conn.eventNames().length, count: conn.listenerCount('**') }).toEqual(before);
    expect(conn.rx.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('bgapi after filter(): filter Job-UUID, then bgapi, then filter delete, then the callback (modesl’s sequence)', async () => {
    const { conn, log } = await connect();
    await callback((cb) => conn.filter('Event-Name', 'CHANNEL_ANSWER', cb));
    expect(conn.usingFilters).toBe(true);
    const [job] = await callback<[Event]>((cb) =>
      conn.bgapi('status', '', 'job-1', (e) => {
        log.push('callback');
        cb(e);
      }),
    );
    expect(job.getHeader('Job-UUID')).toBe('job-1');
    expect(lines().slice(2)).toEqual(['filter Event-Name CHANNEL_ANSWER', 'filter Job-UUID job-1', 'bgapi status', 'filter delete Job-UUID job-1']);
    expect(log.slice(-3)).toEqual(['esl::event::BACKGROUND_JOB::job-1', 'callback', 'esl::event::command::reply']);
  });

  it('bgapi after filter() without a callback: filter Job-UUID, then filter delete, then bgapi (modesl’s order)', async () => {
    const { conn, log } = await connect();
    await callback((cb) => conn.filter('Event-Name', 'CHANNEL_ANSWER', cb));
    const replies = log.length;
    expect(conn.bgapi('status', '', 'job-2')).toBe('job-2');
    await until(() => log.filter((n, i) => i >= replies && n === 'esl::event::command::reply').length === 3);
    expect(lines().slice(2)).toEqual(['filter Event-Name CHANNEL_ANSWER', 'filter Job-UUID job-2', 'filter delete Job-UUID job-2', 'bgapi status']);
    expect(sw!.peers[0]!.commands.at(-1)!.headers.get('Job-UUID')).toBe('job-2');
  });

  it('a refused bgapi calls back with the -ERR reply, its text as the body (modesl’s callback never came)', async () => {
    const { conn } = await connect({ answer: (cmd) => (cmd.line.startsWith('bgapi') ? [ServerFrames.commandReply('-ERR command not found')] : undefined) });
    const [job] = await callback<[Event]>((cb) => conn.bgapi('status', '', 'job-2', cb));
    expect(job.getBody()).toBe('-ERR command not found\n');
    expect(job.getHeader('Modesl-Reply-ERR')).toBe('command not found');
    expect(job.getHeader('Job-UUID')).toBe('job-2');
    expect(job.error?.name).toBe('EslCommandError');
  });

  it('execute sends sendmsg with call-command execute and an Event-UUID, returns it, and calls back with the matching completion only', async () => {
    const { conn } = await connect();
    const uuid = 'f6a2ae66-2a0d-4ede-87ae-1da2ef25ada5';
    const peer = sw!.peers[0]!;
    const got = callback<[Event]>((cb) => {
      const eventUuid = conn.execute('playback', '/tmp/foo.wav', uuid, cb);
      expect(eventUuid).toMatch(UUID);
    });
    const cmd = await peer.command(3);
    expect(cmd.line).toBe(`sendmsg ${uuid}`);
    expect(cmd.headers.toObject()).toMatchObject({ 'call-command': 'execute', 'execute-app-name': 'playback', 'execute-app-arg': '/tmp/foo.wav' });
    const appUuid = cmd.headers.get('event-uuid')!;
    const complete = (app: string, id: string) =>
      eventFrame({ 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': uuid, Application: app, 'Application-Response': '_none_', 'Application-UUID': id });
    peer.send(complete('sleep', 'fee64ea1-c11d-4a1b-9715-b755fed7a557'), complete('playback', appUuid));
    const [evt] = await got;
    expect(evt.getHeader('Application')).toBe('playback');
    expect(evt.getHeader('Application-UUID')).toBe(appUuid);
    expect(conn.rx.routerStats.views).toBe(0);
  });

  it('execute writes the bytes modesl wrote, execute-app-arg included when the argument is empty', async () => {
    const modesl = createRequire(import.meta.url)('modesl') as { Connection: typeof Connection };
    /** The sendmsg blocks a connection of `lib` writes for a few executes, Event-UUIDs masked. */
    async function written(lib: { Connection: typeof Connection }): Promise<string> {
      const local = await scriptedSwitch();
      try {
        const conn = new lib.Connection('127.0.0.1', local.port, 'ClueCon');
        conn.on('error', () => {});
        await next(conn, 'esl::ready');
        const peer = await local.peer(1);
        await peer.command(2);
        const bytes: Buffer[] = [];
        peer.socket.on('data', (b: Buffer) => bytes.push(b));
        conn.execute('hangup', '', 'u-1');
        conn.setEventLock(true);
        conn.executeAsync('playback', '/tmp/foo.wav', 'u-2');
        conn.execute('park', 'u-3', () => {});
        await peer.command(5);
        conn.disconnect();
        return Buffer.concat(bytes).toString().replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g, '<uuid>');
      } finally {
        await local.close();
      }
    }
    const theirs = await written(modesl);
    expect(theirs).toContain('sendmsg u-1\nexecute-app-name: hangup\nexecute-app-arg: \ncall-command: execute\nEvent-UUID: <uuid>\n\n');
    expect(await written({ Connection })).toBe(theirs);
  });

  it('execute on two sessions: each callback gets its own completion', async () => {
    const { conn } = await connect();
    const peer = sw!.peers[0]!;
    const a = callback<[Event]>((cb) => conn.execute('hangup', '', 'uuid-a', cb));
    const b = callback<[Event]>((cb) => conn.execute('hangup', '', 'uuid-b', cb));
    const [ca, cb] = [await peer.command(3), await peer.command(4)];
    peer.send(
      eventFrame({ 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': 'uuid-b', Application: 'hangup', 'Application-UUID': cb.headers.get('event-uuid')! }),
      eventFrame({ 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': 'uuid-a', Application: 'hangup', 'Application-UUID': ca.headers.get('event-uuid')! }),
    );
    expect((await a)[0].getHeader('Unique-ID')).toBe('uuid-a');
    expect((await b)[0].getHeader('Unique-ID')).toBe('uuid-b');
  });

  it('executeAsync adds async: true once; setAsyncExecute and setEventLock add async / event-lock to later executes', async () => {
    const { conn } = await connect();
    const peer = sw!.peers[0]!;
    conn.executeAsync('answer', '', 'u-1');
    conn.execute('answer', '', 'u-1');
    conn.setAsyncExecute(true);
    conn.setEventLock(true);
    conn.execute('answer', '', 'u-1');
    await peer.command(5);
    const flags = peer.commands.slice(2).map((c) => [c.headers.get('async') ?? '-', c.headers.get('event-lock') ?? '-']);
    expect(flags).toEqual([
      ['true', '-'],
      ['-', '-'],
      ['true', 'true'],
    ]);
    expect(conn.execAsync).toBe(true);
  });

  it('execute without a uuid on an inbound connection is refused by FreeSWITCH: the callback gets the -ERR reply', async () => {
    const { conn } = await connect({
      answer: (cmd) => (cmd.line.startsWith('sendmsg') ? [ServerFrames.commandReply(`-ERR invalid session id [${cmd.line.slice(8)}]`)] : undefined),
    });
    const [evt] = await callback<[Event]>((cb) => conn.execute('answer', cb));
    expect(evt.getHeader('Reply-Text')).toMatch(/^-ERR invalid session id/);
    expect(evt.getBody()).toMatch(/^-ERR invalid session id/);
  });

  it('execute on a channel that hangs up first: the callback gets the CHANNEL_HANGUP_COMPLETE, with an EslHangupError', async () => {
    const { conn } = await connect();
    const peer = sw!.peers[0]!;
    const got = callback<[Event]>((cb) => conn.execute('playback', 'x.wav', 'gone', cb));
    await peer.command(3);
    peer.send(eventFrame({ 'Event-Name': 'CHANNEL_HANGUP_COMPLETE', 'Unique-ID': 'gone', 'Hangup-Cause': 'NORMAL_CLEARING' }));
    const [evt] = await got;
    expect(evt.getType()).toBe('CHANNEL_HANGUP_COMPLETE');
    expect(evt.error).toBeInstanceOf(EslHangupError);
    expect((evt.error as EslHangupError).hangupCause).toBe('NORMAL_CLEARING');
  });

  it('events(): the type defaults to plain, modesl’s events are added (before CUSTOM), all stays all', async () => {
    const { conn } = await connect();
    conn.events('bogus', 'CHANNEL_ANSWER');
    conn.events('json', ['CHANNEL_ANSWER', 'CUSTOM', 'sofia::register']);
    conn.events('xml', 'ALL');
    await callback((cb) => conn.subscribe(['CHANNEL_HANGUP'], cb));
    expect(lines().slice(2)).toEqual([
      'event plain CHANNEL_ANSWER BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
      'event json CHANNEL_ANSWER BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE CUSTOM sofia::register',
      'event xml all',
      'event json CHANNEL_HANGUP BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
    ]);
    expect(conn.listeningEvents).toEqual(['CHANNEL_HANGUP', 'BACKGROUND_JOB', 'CHANNEL_EXECUTE_COMPLETE']);
  });

  it('filter and filterDelete', async () => {
    const { conn } = await connect();
    const [added] = await callback<[Event]>((cb) => conn.filter('Unique-ID', 'abc', cb));
    const [deleted] = await callback<[Event]>((cb) => conn.filterDelete('Unique-ID', cb));
    await callback((cb) => conn.filterDelete('Unique-ID', 'abc', cb));
    expect(added.getHeader('Reply-Text')).toBe('+OK filter added. [Unique-ID]=[abc]');
    expect(deleted.getHeader('Modesl-Reply-OK')).toBe('filter deleted. [Unique-ID][]');
    expect(lines().slice(2)).toEqual(['filter Unique-ID abc', 'filter delete Unique-ID', 'filter delete Unique-ID abc']);
  });

  it('sendEvent and message: sendevent with the headers and a byte-exact body', async () => {
    const { conn } = await connect();
    const e = new Event('CUSTOM', 'my::event');
    e.addHeader('X-Text', 'héllo 100%');
    e.addBody('☎ body');
    const [reply] = await callback<[Event]>((cb) => conn.sendEvent(e, cb));
    expect(reply.getHeader('Modesl-Reply-OK')).toMatch(UUID);
    await callback((cb) => conn.message({ to: '1000@example.com', from: '1001@example.com', profile: 'internal', subject: 'hi', body: 'héllo', deliveryConfirmation: true }, cb));
    const [sent, sms] = sw!.peers[0]!.commands.slice(2);
    expect(sent!.line).toBe('sendevent CUSTOM');
    expect(sent!.headers.toObject()).toEqual({ 'Event-Subclass': 'my::event', 'X-Text': 'héllo 100%', 'Content-Length': String(Buffer.byteLength('☎ body')) });
    expect(sent!.body.toString()).toBe('☎ body');
    expect(sms!.line).toBe('sendevent custom');
    expect(sms!.headers.toObject()).toMatchObject({
      'Event-Subclass': 'SMS::SEND_MESSAGE',
      proto: 'sip',
      dest_proto: 'sip',
      from: 'sip:1001@example.com',
      to: '1000@example.com',
      sip_profile: 'internal',
      subject: 'hi',
      blocking: 'true',
      'Content-Type': 'text/plain',
      'Content-Length': '6',
    });
    expect(sms!.body.toString()).toBe('héllo');
  });

  it('recvEvent gives the next frame of any kind', async () => {
    const { conn } = await connect();
    const got = callback<[Event]>((cb) => conn.recvEvent(cb));
    sw!.peers[0]!.send(eventFrame({ 'Event-Name': 'HEARTBEAT', 'Core-UUID': 'core-1' }));
    expect((await got)[0].getType()).toBe('HEARTBEAT');
  });

  it('recvEventTimed calls back once with nothing when the time runs out (modesl called again on the next event)', async () => {
    const { conn } = await connect();
    const calls: Array<Event | undefined> = [];
    conn.recvEventTimed(20, (e) => calls.push(e));
    await until(() => calls.length === 1);
    expect(calls).toEqual([undefined]);
    sw!.peers[0]!.send(eventFrame({ 'Event-Name': 'HEARTBEAT', 'Core-UUID': 'core-1' }));
    await next(conn, 'esl::event::HEARTBEAT::core-1');
    expect(calls).toEqual([undefined]);
    const [evt] = await callback<[Event?]>((cb) => {
      conn.recvEventTimed(5000, cb);
      sw!.peers[0]!.send(eventFrame({ 'Event-Name': 'HEARTBEAT', 'Core-UUID': 'core-1' }));
    });
    expect(evt?.getType()).toBe('HEARTBEAT');
  });

  it('show parses json, xml and delim output', async () => {
    const outputs: Record<string, string> = {
      json: '{"row_count":1,"rows":[{"uuid":"u-1","name":"sofia/internal/1000"}]}',
      xml: '<result row_count="2">\n  <row row_id="1">\n    <uuid>u-1</uuid>\n    <name></name>\n  </row>\n  <row row_id="2">\n    <uuid>u-2</uuid>\n    <name>b</name>\n  </row>\n</result>\n',
      'delim |': 'uuid|name\nu-1|a\nu-2|b\n\n2 total.\n',
    };
    const { conn } = await connect({
      answer: (cmd) => {
        if (!cmd.line.startsWith('bgapi show')) return undefined;
        const id = cmd.headers.get('Job-UUID')!;
        const format = / as (.+)$/.exec(cmd.line)![1]!;
        return [ServerFrames.commandReply(`+OK Job-UUID: ${id}`, [['Job-UUID', id]]), backgroundJob(id, 'show', outputs[format] ?? '-ERR bad format\n')];
      },
    });
    const [e1, json] = await callback<[Error | null, unknown]>((cb) => conn.show('channels', cb));
    expect(e1).toBeNull();
    expect(json).toEqual({ row_count: 1, rows: [{ uuid: 'u-1', name: 'sofia/internal/1000' }] });
    const [, xml] = await callback<[Error | null, unknown]>((cb) => conn.show('channels', 'xml', cb));
    expect(xml).toEqual({ rowCount: 2, rows: [{ uuid: 'u-1', name: '' }, { uuid: 'u-2', name: 'b' }] });
    const [, delim, raw] = await callback<[Error | null, unknown, string | undefined]>((cb) => conn.show('channels', 'delim |', cb));
    expect(delim).toEqual({ rowCount: 2, rows: [{ uuid: 'u-1', name: 'a' }, { uuid: 'u-2', name: 'b' }] });
    expect(raw).toBe(outputs['delim |']);
    const [err] = await callback<[Error | null]>((cb) => conn.show('channels', 'bogus', cb));
    expect(err?.message).toMatch(/-ERR bad format/);
    expect(lines().slice(2)).toEqual(['bgapi show channels as json', 'bgapi show channels as xml', 'bgapi show channels as delim |', 'bgapi show channels as bogus']);
  });

  it('originate: bgapi originate sofia/<profile>/<number>@<gateway> &<app>, or api when sync', async () => {
    const { conn } = await connect();
    const [job] = await callback<[Event]>((cb) => conn.originate({ profile: 'external', number: '1000', gateway: 'gw1', app: 'park' }, cb));
    expect(job.getType()).toBe('BACKGROUND_JOB');
    const [res] = await callback<[Event]>((cb) => conn.originate({ profile: 'external', number: '1000', gateway: 'gw1', sync: true }, cb));
    expect(res.getHeader('Content-Type')).toBe('api/response');
    expect(lines().slice(2)).toEqual(['bgapi originate sofia/external/1000@gw1 &park', 'api originate sofia/external/1000@gw1']);
  });

  it('disconnect: exit, its reply, the disconnect notice, then esl::end; connected() is false at once', async () => {
    const { conn, log } = await connect();
    const at = log.length;
    conn.disconnect();
    expect(conn.connected()).toBe(false);
    await next(conn, 'esl::end');
    expect(log.slice(at)).toEqual(['esl::event::command::reply', 'esl::event::disconnect::notice', 'esl::end']);
    expect(lines().at(-1)).toBe('exit');
  });

  it('callbacks still waiting when the connection closes get a SERVER_DISCONNECTED event (modesl #58, #84), then esl::end; no error', async () => {
    const { conn, log } = await connect({ answer: (cmd) => (cmd.line.startsWith('api') || cmd.line.startsWith('bgapi') || cmd.line.startsWith('sendmsg') ? [] : undefined) });
    const errors: unknown[] = [];
    conn.on('error', (e: unknown) => errors.push(e));
    const api = callback<[Event, FrameHeadersObject, string | undefined]>((cb) =>
      conn.api('status', (...a) => {
        log.push('api callback');
        cb(...a);
      }),
    );
    const job = callback<[Event]>((cb) => conn.bgapi('status', '', 'job-9', cb));
    const exec = callback<[Event]>((cb) => conn.execute('park', '', 'u-9', cb));
    await sw!.peers[0]!.command(5);
    sw!.peers[0]!.hangUp();
    const [a, headers, body] = await api;
    expect(a.getType()).toBe('SERVER_DISCONNECTED');
    expect(a.getHeader('Content-Type')).toBe('api/response');
    expect(a.error).toBeInstanceOf(EslDisconnectedError);
    expect(body).toMatch(/^-ERR /);
    expect(headers['Content-Type']).toBe('api/response');
    const [j] = await job;
    expect([j.getType(), j.getHeader('Job-UUID'), j.getBody().startsWith('-ERR ')]).toEqual(['SERVER_DISCONNECTED', 'job-9', true]);
    const [x] = await exec;
    expect([x.getType(), x.getHeader('Unique-ID'), x.getHeader('Modesl-Reply-ERR') !== null]).toEqual(['SERVER_DISCONNECTED', 'u-9', true]);
    await until(() => log.includes('esl::end'));
    expect(log.slice(log.indexOf('api callback'))).toEqual(['api callback', 'esl::end']);
    expect(errors).toEqual([]);
  });

  it('a command on a closed connection (after disconnect(), or once it ended): nothing written, no callback, as in modesl; error on a later tick', async () => {
    const { conn } = await connect();
    const written = sw!.peers[0]!.commands.length;
    conn.disconnect();
    const errors: Error[] = [];
    conn.on('error', (e: Error) => errors.push(e));
    const called: string[] = [];
    const calls = [
      () => conn.api('status', () => called.push('api')),
      () => conn.bgapi('status', () => called.push('bgapi')),
      () => conn.execute('park', '', 'u-1', () => called.push('execute')),
      () => conn.sendRecv('noevents', () => called.push('sendRecv')),
      () => conn.filter('Unique-ID', 'u-1', () => called.push('filter')),
      () => conn.events('json', 'HEARTBEAT', () => called.push('events')),
      () => conn.sendEvent(new Event('CUSTOM', 'a::b'), () => called.push('sendEvent')),
      () => conn.send('noevents'),
    ];
    for (const call of calls) call();
    expect(errors).toEqual([]);
    await next(conn, 'esl::end');
    conn.api('status', () => called.push('api after the end'));
    await until(() => errors.length === calls.length + 1);
    await new Promise((r) => setImmediate(r));
    expect(called).toEqual([]);
    expect(errors.every((e) => e instanceof EslDisconnectedError && /was not sent/.test(e.message))).toBe(true);
    expect(sw!.peers[0]!.commands.slice(written).map((c) => c.line)).toEqual(['exit']);
  });

  it('the IVR retry loop on a closed connection: the callback is not called, so the loop ends (no stack overflow, no spin)', async () => {
    const { conn } = await connect();
    conn.on('error', () => {});
    let attempts = 0;
    // The usual modesl menu: retry until a digit comes. It used to recurse inside execute()
    // until RangeError: Maximum call stack size exceeded, taking the server down.
    function menu(): void {
      attempts++;
      conn.execute('play_and_get_digits', '1 1 3 5000 # ivr/menu.wav silence_stream://250 digit \\d', 'u-1', (e: Event) => {
        if (!e.getHeader('variable_digit')) menu();
      });
    }
    conn.disconnect();
    expect(() => menu()).not.toThrow();
    await next(conn, 'esl::end');
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(attempts).toBe(1);
  });

  it('the retry loop on a connection that closes while it waits: one failure callback, then the retry is not sent and the loop ends', async () => {
    const { conn } = await connect({ answer: (cmd) => (cmd.line.startsWith('sendmsg') ? [ServerFrames.commandReply('+OK')] : undefined) });
    conn.on('error', () => {});
    const failures: Event[] = [];
    let attempts = 0;
    function menu(): void {
      attempts++;
      conn.execute('play_and_get_digits', '1 1 3 5000 #', 'u-1', (e: Event) => {
        failures.push(e);
        if (!e.getHeader('variable_digit')) menu();
      });
    }
    menu();
    await sw!.peers[0]!.command(3);
    sw!.peers[0]!.hangUp();
    await next(conn, 'esl::end');
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect([attempts, failures.length, failures[0]!.getType()]).toEqual([2, 1, 'SERVER_DISCONNECTED']);
  });

  it('no callback runs inside the method that took it: a refused command calls back on a later tick, once', async () => {
    const { conn } = await connect();
    const order: string[] = [];
    conn.api('status', 'a\nexit', (e: Event) => order.push(`api ${e.error?.name}`));
    conn.bgapi('status', 'a\r\nexit', (e: Event) => order.push(`bgapi ${e.error?.name}`));
    conn.sendRecv('api status', { 'X-Evil': 'a\n\nexit' }, (e: Event) => order.push(`sendRecv ${e.error?.name}`));
    conn.filter('Unique-ID', 'a\nb', (e: Event) => order.push(`filter ${e.error?.name}`));
    order.push('returned');
    await until(() => order.length === 5);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['returned', 'api EslArgumentError', 'bgapi EslArgumentError', 'sendRecv EslArgumentError', 'filter EslArgumentError']);
    expect(lines()).toEqual(['auth ClueCon', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE']);
  });

  it('disconnect() settles the waiting callbacks after it returns (code after it runs first), then esl::end', async () => {
    sw = await scriptedSwitch();
    const conn = new Connection('127.0.0.1', sw.port, 'ClueCon');
    conns.push(conn);
    const log = record(conn);
    await next(conn, 'esl::connect');
    // Not ready yet: the api waits in rxesl, and closing fails it at once, inside rxesl's close().
    conn.api('status', (e: Event) => log.push(`api callback ${e.getType()}`));
    expect(() => conn.disconnect()).not.toThrow();
    log.push('after disconnect()');
    await conn.closed;
    expect(log.slice(log.indexOf('after disconnect()'))).toEqual(['after disconnect()', 'api callback SERVER_DISCONNECTED', 'esl::end']);
  });

  it('a reset: error (ECONNRESET), the waiting callbacks are called, and no esl::end (as modesl)', async () => {
    const { conn, log } = await connect({ answer: (cmd) => (cmd.line.startsWith('api') ? [] : undefined) });
    const errors: Array<NodeJS.ErrnoException> = [];
    conn.on('error', (e: NodeJS.ErrnoException) => errors.push(e));
    const api = callback<[Event]>((cb) => conn.api('status', cb));
    await sw!.peers[0]!.command(3);
    sw!.peers[0]!.reset();
    expect((await api)[0].getType()).toBe('SERVER_DISCONNECTED');
    await conn.closed;
    expect(errors.map((e) => e.code)).toEqual(['ECONNRESET']);
    expect(log).not.toContain('esl::end');
    expect(conn.connected()).toBe(false);
  });

  it('closed by a listener in the middle of a chunk: what was read is still emitted, esl::end last, once', async () => {
    const { conn, log } = await connect();
    conn.on('esl::event::CUSTOM::**', () => conn.rx.destroy());
    const at = log.length;
    sw!.peers[0]!.send(Buffer.concat([eventFrame({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'x::y', 'Core-UUID': 'core-0001' }), ServerFrames.commandReply('+OK stray')]));
    await next(conn, 'esl::end');
    await new Promise((r) => setTimeout(r, 10));
    expect(log.slice(at)).toEqual(['esl::event::CUSTOM::core-0001', 'esl::event::command::reply', 'esl::end']);
  });

  it('a refused connection: error (ECONNREFUSED), no esl::connect or esl::end (as modesl); commands issued meanwhile call back', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const conn = new Connection('127.0.0.1', port, 'ClueCon');
    conns.push(conn);
    const log = record(conn);
    const res = callback<[Event]>((cb) => conn.api('status', cb));
    const [err] = await next<[NodeJS.ErrnoException]>(conn, 'error');
    expect(err.code).toBe('ECONNREFUSED');
    expect((await res)[0].error).toBeInstanceOf(EslDisconnectedError);
    await conn.closed;
    expect(conn.rx.closeReason).toBeInstanceOf(EslConnectError);
    expect(log).toEqual(['error']);
  });

  it('a password that cannot go on the wire is refused before anything connects (EslArgumentError)', () => {
    for (const password of ['ClueCon\n', 'Clue\r\nCon']) {
      expect(() => new Connection('127.0.0.1', 1, password)).toThrow(EslArgumentError);
    }
  });

  it('commands issued before the connection is ready wait for it, behind modesl’s subscription (modesl wrote them before auth)', async () => {
    sw = await scriptedSwitch();
    const conn = new Connection('127.0.0.1', sw.port, 'ClueCon');
    conns.push(conn);
    const [res] = await callback<[Event]>((cb) => conn.api('status', cb));
    expect(res.getBody()).toBe('+OK status\n');
    expect(lines()).toEqual(['auth ClueCon', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE', 'api status']);
  });

  it('turns TCP_NODELAY on (modesl left it off: about 40 ms per sequential api)', async () => {
    const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    try {
      const { conn } = await connect();
      expect(spy.mock.contexts).toContain(conn.socket);
      expect(spy.mock.calls.every(([on]) => on === undefined || on === true)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('a stray % in a reply is kept (modesl’s parser threw URIError and the process died)', async () => {
    const { conn } = await connect({ answer: (cmd) => (cmd.line.startsWith('filter') ? [ServerFrames.commandReply('+OK filter added. [X-Test]=[100%]')] : undefined) });
    const [reply] = await callback<[Event]>((cb) => conn.filter('X-Test', '100%', cb));
    expect(reply.getHeader('Modesl-Reply-OK')).toBe('filter added. [X-Test]=[100%]');
  });

  it('emits events as esl::event::<NAME>::<uuid>: the Job-UUID, else the Unique-ID, else the Core-UUID', async () => {
    const { conn, log } = await connect();
    const at = log.length;
    sw!.peers[0]!.send(
      eventFrame({ 'Event-Name': 'CHANNEL_ANSWER', 'Core-UUID': 'core-1', 'Unique-ID': 'chan-1' }),
      eventFrame({ 'Event-Name': 'BACKGROUND_JOB', 'Core-UUID': 'core-1', 'Unique-ID': 'chan-1', 'Job-UUID': 'job-1' }, 'x'),
      eventFrame({ 'Event-Name': 'HEARTBEAT', 'Core-UUID': 'core-1' }, undefined, 'plain'),
      eventFrame({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register' }),
    );
    await until(() => log.length === at + 4);
    expect(log.slice(at)).toEqual([
      'esl::event::CHANNEL_ANSWER::chan-1',
      'esl::event::BACKGROUND_JOB::job-1',
      'esl::event::HEARTBEAT::core-1',
      'esl::event::CUSTOM',
    ]);
  });

  it('log/data as esl::event::logdata, notices as esl::event::disconnect::notice, others as esl::event::raw::<type>', async () => {
    const { conn, log } = await connect();
    const at = log.length;
    const [logged] = await callback<[Event]>((cb) => {
      conn.once('esl::event::logdata', cb);
      sw!.peers[0]!.send(
        ServerFrames.logData({ level: 6, file: 'switch_channel.c', func: 'f', line: 1, text: 'answered ☎\n' }),
        ServerFrames.lingerNotice({ controlledSessionUuid: 'u-1', channelName: 'sofia/x', lingerTime: -1 }),
        Buffer.from('Content-Type: text/mystery\n\n'),
      );
    });
    expect(logged.getBody()).toBe('answered ☎\n');
    expect(logged.getHeader('Log-Level')).toBe('6');
    await until(() => log.length === at + 3);
    expect(log.slice(at)).toEqual(['esl::event::logdata', 'esl::event::disconnect::notice', 'esl::event::raw::text/mystery']);
  });

  it('a reply nobody waits for is emitted like any other, not as an error', async () => {
    const { conn, log } = await connect();
    const errors: unknown[] = [];
    conn.on('error', (e: unknown) => errors.push(e));
    const at = log.length;
    sw!.peers[0]!.send(ServerFrames.commandReply('+OK out of the blue'));
    await until(() => log.length === at + 1);
    expect(log.slice(at)).toEqual(['esl::event::command::reply']);
    expect(errors).toEqual([]);
  });

  it('bytes that cannot be read on: the connection ends with error (the EslProtocolError), not esl::end', async () => {
    const { conn, log } = await connect();
    const got = next<[unknown]>(conn, 'error');
    sw!.peers[0]!.send(Buffer.from('Content-Type: api/response\nContent-Length: nope\n\n'));
    expect((await got)[0]).toBeInstanceOf(EslProtocolError);
    await conn.closed;
    expect(log).not.toContain('esl::end');
    expect(conn.connected()).toBe(false);
  });

  it('a frame cut off by the close ends the connection (esl::end); without an error listener nothing is thrown', async () => {
    sw = await scriptedSwitch();
    const conn = new Connection('127.0.0.1', sw.port, 'ClueCon');
    conns.push(conn);
    await next(conn, 'esl::ready');
    const ended = next(conn, 'esl::end');
    sw.peers[0]!.send(Buffer.from('Content-Type: api/response\nContent-Length: 100\n\nonly part of it'));
    sw.peers[0]!.socket.end();
    await ended;
    const reason = conn.rx.closeReason as EslDisconnectedError;
    expect((reason.cause as EslProtocolError).code).toBe('TRUNCATED');
  });

  it('a JSON event that does not parse is emitted as error (as modesl did); the connection goes on', async () => {
    const { conn, log } = await connect();
    const got = next<[unknown]>(conn, 'error');
    sw!.peers[0]!.send(ServerFrames.event('json', '{ herp: derp }'));
    expect((await got)[0]).toBeInstanceOf(EslProtocolError);
    const [res] = await callback<[Event]>((cb) => conn.api('status', cb));
    expect(res.getBody()).toBe('+OK status\n');
    expect(log).not.toContain('esl::end');
  });

  it('exposes the reactive API: rx is the rxesl Connection, events$ carries the same events', async () => {
    const { conn } = await connect();
    const seen: EslEvent[] = [];
    conn.events$.subscribe((e) => seen.push(e));
    const emitted = next<[Event]>(conn, 'esl::event::HEARTBEAT::core-1');
    sw!.peers[0]!.send(eventFrame({ 'Event-Name': 'HEARTBEAT', 'Core-UUID': 'core-1' }));
    const [evt] = await emitted;
    expect(seen).toHaveLength(1);
    expect(evt.toEslEvent()).toBe(seen[0]);
    expect(conn.rx.state).toBe('ready');
    const [{ body }] = await Promise.all([
      new Promise<{ body: string }>((resolve) => conn.rx.api('status').subscribe(resolve)),
      callback((cb) => conn.api('version', cb)),
    ]);
    expect(body).toBe('+OK status\n');
  });
});

describe('how a connection ends: the signals of modesl 1.2.1 for each kind of close', () => {
  /** modesl itself (the devDependency). */
  const modesl = createRequire(import.meta.url)('modesl') as { Connection: typeof Connection };
  const SIGNALS = ['esl::ready', 'esl::event::auth::fail', 'error', 'esl::end'];

  /** What a connection of `lib` emits of SIGNALS from its creation until its socket has closed (and a little after). */
  async function ending(lib: { Connection: typeof Connection }, kind: string): Promise<string[]> {
    const local = await scriptedSwitch({ password: 'right' });
    let port = local.port;
    if (kind === 'refused connect') {
      await local.close();
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      port = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
    }
    const log: string[] = [];
    const conn = new lib.Connection('127.0.0.1', port, kind === 'wrong password' ? 'wrong' : 'right');
    const socket = conn.socket!;
    const closed = new Promise((r) => socket.once('close', r));
    for (const name of SIGNALS) conn.on(name, (e?: NodeJS.ErrnoException) => log.push(name === 'error' ? `error ${e?.code ?? e?.name}` : name));
    try {
      if (kind !== 'refused connect' && kind !== 'wrong password') {
        await until(() => log.includes('esl::ready'));
        const peer = await local.peer(1);
        if (kind === 'reset') peer.reset();
        if (kind === 'FreeSWITCH closes') peer.hangUp();
        if (kind === 'disconnect()') conn.disconnect();
      }
      await closed;
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      return log;
    } finally {
      conn.removeAllListeners();
      conn.on('error', () => {});
      await local.close().catch(() => {});
    }
  }

  const expected: Record<string, string[]> = {
    'refused connect': ['error ECONNREFUSED'],
    reset: ['esl::ready', 'error ECONNRESET'],
    'FreeSWITCH closes': ['esl::ready', 'esl::end'],
    'disconnect()': ['esl::ready', 'esl::end'],
    'wrong password': ['esl::event::auth::fail', 'esl::end'],
  };
  for (const [kind, signals] of Object.entries(expected)) {
    it(`${kind}: ${signals.join(', ')}`, async () => {
      expect(await ending(modesl, kind)).toEqual(signals);
      expect(await ending({ Connection }, kind)).toEqual(signals);
    });
  }
});

