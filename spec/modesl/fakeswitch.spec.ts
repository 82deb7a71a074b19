/**
 * rxesl/modesl against FakeSwitch: the README's usage, calls in inbound and outbound mode,
 * show, originate, message, logs, thousands of concurrent jobs, and faults.
 */
import net from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import esl, { Connection, type Event, Server } from 'rxesl/modesl';
import type { FakeSwitch, FakeSwitchOptions } from 'rxesl/testing';
import { startFakeSwitch } from '../helpers/fake-switch';
import { callback, next, until } from './helpers/record';

let fs: FakeSwitch | undefined;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function start(options: FakeSwitchOptions = {}): Promise<FakeSwitch> {
  fs = await startFakeSwitch({ password: 'ClueCon', heartbeatIntervalMs: 0, ...options });
  return fs;
}

/** The README's way: a ready callback. */
function connect(port: number): Promise<Connection> {
  return new Promise((resolve) => {
    const conn: Connection = new esl.Connection('127.0.0.1', port, 'ClueCon', () => resolve(conn));
    conn.on('error', () => {});
    cleanup.push(() => conn.rx.destroy());
  });
}

describe('rxesl/modesl against FakeSwitch', () => {
  it('the README: connect, api status in the ready callback; the body of api and of bgapi is the same', async () => {
    await start();
    const conn = await connect(fs!.port);
    const [status] = await callback<[Event]>((cb) => conn.api('status', cb));
    expect(status.getBody()).toMatch(/^UP \d+ years/);
    const [api] = await callback<[Event]>((cb) => conn.api('version', cb));
    const [job] = await callback<[Event]>((cb) => conn.bgapi('version', cb));
    expect(job.getType()).toBe('BACKGROUND_JOB');
    expect(job.getBody()).toBe(api.getBody());
  });

  it('a call in inbound mode: originate over bgapi, its events by name, execute, hangup', async () => {
    await start({ media: { durations: { 'welcome.wav': 20 } } });
    const conn = await connect(fs!.port);
    await callback((cb) => conn.events('plain', 'CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE', cb));
    const uuid = '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00';
    const answered = next<[Event]>(conn, `esl::event::CHANNEL_ANSWER::${uuid}`);
    const [job] = await callback<[Event]>((cb) => conn.bgapi('originate', `{origination_uuid=${uuid}}loopback/answer_park/default &park`, cb));
    expect(job.getBody()).toBe(`+OK ${uuid}\n`);
    expect((await answered)[0].getHeader('Unique-ID')).toBe(uuid);
    const [done] = await callback<[Event]>((cb) => conn.execute('playback', 'welcome.wav', uuid, cb));
    expect([done.getHeader('Application'), done.getHeader('Application-Response')]).toEqual(['playback', 'FILE PLAYED']);
    const hungUp = next<[Event]>(conn, `esl::event::CHANNEL_HANGUP_COMPLETE::${uuid}`);
    await callback((cb) => conn.api('uuid_kill', uuid, cb));
    expect((await hungUp)[0].getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
  });

  it('an execute whose channel hangs up during the application: the callback gets its completion', async () => {
    await start({ media: { durations: { 'long.wav': 600_000 } } });
    const conn = await connect(fs!.port);
    const uuid = await fs!.originate('loopback/answer_park/default', '&park');
    const result = callback<[Event]>((cb) => conn.execute('playback', 'long.wav', uuid, cb));
    await fs!.nextCommand(/^sendmsg/);
    await until(() => fs!.channel(uuid)?.application === 'playback');
    fs!.hangup(uuid, 'USER_BUSY');
    const [evt] = await result;
    expect([evt.getType(), evt.getHeader('Application'), evt.getHeader('Unique-ID')]).toEqual(['CHANNEL_EXECUTE_COMPLETE', 'playback', uuid]);
    expect(conn.rx.routerStats.views).toBe(0);
  });

  it('show channels (json): the rows FreeSWITCH lists', async () => {
    // The rows at once: this is about the parse, not about the core database's ~200 ms.
    await start({ coreDbDelayMs: 0 });
    const conn = await connect(fs!.port);
    const a = await fs!.originate('loopback/answer_park/default', '&park');
    const [err, json, raw] = await callback<[Error | null, any, string | undefined]>((cb) => conn.show('channels', cb));
    expect(err).toBeNull();
    expect(json.row_count).toBe(2);
    expect(json.rows.map((r: any) => r.uuid)).toContain(a);
    expect(JSON.parse(raw!)).toEqual(json);
  });

  it('originate (bgapi) calls sofia/<profile>/<number>@<gateway> and runs the app', async () => {
    await start();
    const conn = await connect(fs!.port);
    const [job] = await callback<[Event]>((cb) => conn.originate({ profile: 'external', number: '1000', gateway: 'gw1', app: 'park' }, cb));
    expect(job.getBody()).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const uuid = job.getBody().slice(4, 40);
    expect(fs!.channel(uuid)?.name).toBe('sofia/external/1000@gw1');
  });

  it('message: a CUSTOM SMS::SEND_MESSAGE event with its headers and body', async () => {
    await start();
    const conn = await connect(fs!.port);
    await callback((cb) => conn.subscribe('CUSTOM SMS::SEND_MESSAGE', cb));
    const got = next<[Event]>(conn, 'esl::event::CUSTOM::**');
    const [reply] = await callback<[Event]>((cb) => conn.message({ to: '1000@example.com', from: '1001@example.com', profile: 'internal', subject: 'hi', body: 'héllo ☎' }, cb));
    expect(reply.getHeader('Modesl-Reply-OK')).toMatch(/^[0-9a-f-]{36}$/);
    const [evt] = await got;
    expect([evt.getHeader('Event-Subclass'), evt.getHeader('to'), evt.getHeader('from'), evt.getBody()]).toEqual([
      'SMS::SEND_MESSAGE',
      '1000@example.com',
      'sip:1001@example.com',
      'héllo ☎',
    ]);
  });

  it('log lines: esl::event::logdata, printed by setLogLevel’s logger', async () => {
    await start();
    const conn = await connect(fs!.port);
    const printed: string[] = [];
    const saved = { log: esl._log, level: esl._level, logger: esl._logger };
    cleanup.push(() => Object.assign(esl, { _log: saved.log, _level: saved.level, _logger: saved.logger }));
    esl._logger = (m) => printed.push(m);
    esl.setLogLevel(6);
    await callback((cb) => conn.sendRecv('log 7', cb));
    const line = next<[Event]>(conn, 'esl::event::logdata');
    fs!.log(6, 'hello from the switch');
    fs!.log(7, 'too verbose');
    const [evt] = await line;
    expect(evt.getBody()).toContain('hello from the switch');
    await until(() => printed.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('hello from the switch');
  });

  it('4,000 concurrent bgapi: every callback gets its own job, and no listener is added', async () => {
    await start();
    const conn = await connect(fs!.port);
    const listeners = conn.listenerCount('**');
    const ids: string[] = [];
    const got = new Map<string, string>();
    const all = new Promise<void>((resolve) => {
      for (let i = 0; i < 4000; i++) {
        const id = `job-${i}`;
        ids.push(id);
        conn.bgapi('echo', `n${i}`, id, (job) => {
          got.set(id, job.getBody());
          if (got.size === 4000) resolve();
        });
      }
    });
    expect(conn.listenerCount('**')).toBe(listeners);
    await all;
    expect(ids.every((id, i) => got.get(id) === `n${i}`)).toBe(true);
    expect(conn.listenerCount('**')).toBe(listeners);
    expect(conn.rx.routerStats).toEqual({ waiters: 0, views: 0 });
  });

  it('outbound: a Server gets the call, answers and plays; the call ends with connection::close', async () => {
    await start({ media: { durations: { 'hello.wav': 20 } } });
    const server = await callback<[]>((cb) => servers.push(new Server({ port: 0, myevents: true }, cb))).then(() => servers.at(-1)!);
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const results: string[] = [];
    const closed = next(server, 'connection::close');
    server.on('connection::ready', (conn: Connection) => {
      conn.on('error', () => {});
      results.push(`ready ${conn.getInfo()!.getHeader('Caller-Caller-ID-Number')}`);
      conn.execute('answer', (answered) => {
        results.push(`answer ${answered.getHeader('Application-Response')}`);
        conn.execute('playback', 'hello.wav', (played) => {
          results.push(`playback ${played.getHeader('Application-Response')}`);
          conn.execute('hangup', 'NORMAL_CLEARING');
        });
      });
    });
    const call = fs!.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: '1234' });
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
    await closed;
    expect(results).toEqual(['ready 1234', 'answer _none_', 'playback FILE PLAYED']);
    expect(server.getCountOfConnections()).toBe(0);
  });

  it('faults: a frame cut in the middle ends the connection; waiting callbacks are called', async () => {
    await start();
    const conn = await connect(fs!.port);
    const ended = next(conn, 'esl::end');
    fs!.dropMidFrame();
    const [res] = await callback<[Event]>((cb) => conn.api('status', cb));
    await ended;
    expect(res.getType()).toBe('SERVER_DISCONNECTED');
    expect(conn.connected()).toBe(false);
  });

  it('faults: a malformed frame is an error', async () => {
    await start();
    const conn = await connect(fs!.port);
    const errors: unknown[] = [];
    conn.on('error', (e: unknown) => errors.push(e));
    fs!.sendMalformedFrame();
    await until(() => errors.length > 0);
    expect((errors[0] as Error).name).toBe('EslProtocolError');
  });
});

const servers: Server[] = [];

describe('docs/modesl.md', () => {
  it('going reactive, step by step: the old callbacks and the new streams on one connection', async () => {
    await start();
    const answered: string[] = [];
    const causes: string[] = [];
    const status = await new Promise<string>((resolve) => {
      // The snippet, with its console.log calls collected.
      const conn = new esl.Connection('127.0.0.1', fs!.port, 'ClueCon', async () => {
        conn.subscribe('CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE');
        conn.on('esl::event::CHANNEL_ANSWER::*', (evt: Event) => answered.push(evt.getHeader('Unique-ID')!));
        conn.events$.pipe(filter((e) => e.name === 'CHANNEL_HANGUP_COMPLETE')).subscribe((e) => causes.push(e.getHeader('Hangup-Cause')!));
        const res = await firstValueFrom(conn.rx.api('status'));
        resolve(res.text);
      });
      conn.on('error', () => {});
      cleanup.push(() => conn.rx.destroy());
    });
    expect(status).toMatch(/^UP /);
    const uuid = await fs!.originate('loopback/answer_park/default', '&park');
    await until(() => answered.includes(uuid));
    fs!.hangup(uuid, 'NORMAL_CLEARING');
    await until(() => causes.length > 0);
    expect(causes[0]).toBe('NORMAL_CLEARING');
  });
});

describe('rxesl/modesl, the socket property', () => {
  it('is a net.Socket from the start (inbound), with the local address drachtio-modesl allows', async () => {
    await start();
    const conn = new Connection('127.0.0.1', fs!.port, 'ClueCon', '127.0.0.1');
    cleanup.push(() => conn.rx.destroy());
    expect(conn.socket).toBeInstanceOf(net.Socket);
    await next(conn, 'esl::ready');
    expect(conn.socket!.localAddress).toBe('127.0.0.1');
    expect(conn.socket!.remotePort).toBe(fs!.port);
  });
});
