/**
 * modesl 1.2.1 (the devDependency) and rxesl/modesl run the same scripted scenarios, each
 * against its own FakeSwitch; the sequences of emitted names, callbacks (with what they
 * received) and command lines are compared. Every line that differs is listed below with
 * the reason, one of the deliberate differences of docs/modesl.md; any other difference is
 * a bug and fails the test.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ServerFrames } from 'rxesl/testing';
import * as rxeslModesl from 'rxesl/modesl';
import type { FakeSwitchOptions } from 'rxesl/testing';
import { fixtureNames, loadFixture } from '../helpers/fixtures';
import { type Difference, type Impl, type Run, type Scenario, diff, runScenario, summary } from './helpers/compare';

const modesl = createRequire(import.meta.url)('modesl') as typeof rxeslModesl;

/** The deliberate differences (docs/modesl.md, "What differs from modesl"). */
const WHY = {
  fifo: 'one reply FIFO for command/reply and api/response: callbacks get their own reply',
  pending: 'callbacks still waiting at the close are called with a SERVER_DISCONNECTED event (modesl #58, #84)',
  listeners: 'no EventEmitter2 listener per bgapi/execute: results are found by a Map lookup (modesl #69, O(N²))',
  timed: 'recvEventTimed calls back once (modesl left its listener behind and called back again)',
  customOrder: 'events(): modesl’s events go before CUSTOM, not after it as subclasses',
  nodelay: 'TCP_NODELAY is on',
  end: 'a socket destroyed by the application ends with esl::end (modesl emitted nothing, and still said connected)',
  beforeReady: 'commands issued before esl::ready wait for it (modesl wrote them before auth)',
  uriError: 'a stray % in a header is kept (modesl threw URIError)',
  arrays: 'array headers read as ARRAY::a|:b whatever the format (modesl gave an array for JSON events only)',
  caseless: 'getHeader ignores case when no header has the exact name (as libesl)',
  bgapiSpace: 'bgapi without arguments is written without a trailing space',
  refused: 'a refused bgapi calls back with the -ERR reply (modesl never called back)',
} as const;

type Expected = Array<[only: Impl, line: string, why: keyof typeof WHY]>;

async function compare(scenario: Scenario, expected: Expected, options?: FakeSwitchOptions): Promise<void> {
  const a = await runScenario('modesl', modesl, scenario, options);
  const b = await runScenario('rxesl', rxeslModesl, scenario, options);
  const found: Difference[] = diff(a, b);
  const report = `modesl:\n  ${a.join('\n  ')}\nrxesl/modesl:\n  ${b.join('\n  ')}`;
  expect(found, report).toEqual(expected.map(([only, line]) => ({ only, line })));
  for (const [, , why] of expected) expect(WHY[why]).toBeTruthy();
}

/** A disconnect that waits for esl::end. */
async function hangUp(run: Run, conn: any): Promise<void> {
  const ended = run.next(conn, 'esl::end');
  conn.disconnect();
  await ended;
}

describe('modesl 1.2.1 and rxesl/modesl, the same scenario against FakeSwitch', () => {
  it('inbound: auth, api, bgapi (new and own Job-UUID), events, a loopback call, execute, uuid_kill, disconnect', async () => {
    await compare(
      async (run) => {
        const conn = await run.connect();
        await run.step('api status', (cb) => conn.api('status', cb));
        await run.step('api unknown', (cb) => conn.api('nosuchcmd', cb));
        await run.step('api with args', (cb) => conn.api('echo', ['héllo', '☎'], cb));
        await run.step('bgapi', (cb) => conn.bgapi('status', cb));
        await run.step('bgapi own id', (cb) => conn.bgapi('version', '', 'my-own-job-id', cb));
        await run.step('events', (cb) => conn.events('json', 'CHANNEL_ANSWER CHANNEL_PARK CHANNEL_EXECUTE CHANNEL_HANGUP_COMPLETE', cb));
        const uuid = '11111111-2222-3333-4444-555555555555';
        const parked = run.next(conn, `esl::event::CHANNEL_PARK::${uuid}`);
        await run.step('originate', (cb) => conn.bgapi('originate', `{origination_uuid=${uuid}}loopback/answer_park/default &park`, cb));
        await parked;
        const eventUuid = await new Promise((resolve) => {
          const id = conn.execute('playback', 'short.wav', uuid, (...args: unknown[]) => {
            run.cb('execute')(...args);
            resolve(id);
          });
        });
        run.note(`execute returned ${typeof eventUuid}`);
        const destroyed = run.next(conn, `esl::event::CHANNEL_HANGUP_COMPLETE::${uuid}`);
        await run.step('uuid_kill', (cb) => conn.api('uuid_kill', uuid, cb));
        await destroyed;
        run.note(`connected ${conn.connected()} socketDescriptor ${conn.socketDescriptor()} getInfo ${conn.getInfo()}`);
        await hangUp(run, conn);
        run.note(`connected ${conn.connected()}`);
      },
      [
        ['modesl', 'wire bgapi status ', 'bgapiSpace'],
        ['modesl', 'wire bgapi version ', 'bgapiSpace'],
        ['rxesl', 'wire bgapi status', 'bgapiSpace'],
        ['rxesl', 'wire bgapi version', 'bgapiSpace'],
      ],
      { media: { playbackMs: 30 } },
    );
  });

  it('filters: bgapi lets its own job through with filter Job-UUID, the callback after filter delete', async () => {
    await compare(async (run) => {
      const conn = await run.connect();
      await run.step('filter', (cb) => conn.filter('Unique-ID', '00000000-0000-0000-0000-000000000000', cb));
      await run.step('bgapi filtered', (cb) => conn.bgapi('echo', 'one', cb));
      await run.step('bgapi filtered, own id', (cb) => conn.bgapi('echo', 'two', 'job-two', cb));
      await run.step('filter delete', (cb) => conn.filterDelete('Unique-ID', cb));
      await run.step('filter delete all', (cb) => conn.filterDelete('all', cb));
      await hangUp(run, conn);
    }, []);
  });

  it('filters: bgapi without a callback writes filter, filter delete, then bgapi', async () => {
    await compare(async (run) => {
      const conn = await run.connect();
      await run.step('filter', (cb) => conn.filter('Unique-ID', '00000000-0000-0000-0000-000000000000', cb));
      conn.bgapi('echo', 'one', 'job-one');
      await run.until(() => run.wire().includes('bgapi echo one'));
      await run.sleep(20);
      await hangUp(run, conn);
    }, []);
  });

  it('the reply FIFO: sendRecv of an api, then a command, then an api', async () => {
    await compare(
      async (run) => {
        const conn = await run.connect();
        let replies = 0;
        conn.on('esl::event::api::response', () => replies++);
        conn.on('esl::event::command::reply', () => replies++);
        conn.sendRecv('api status', run.cb('sendRecv api'));
        conn.sendRecv('nolinger', run.cb('sendRecv nolinger'));
        conn.api('version', run.cb('api version'));
        await run.until(() => replies === 3);
        await run.sleep(20);
        await hangUp(run, conn);
      },
      [
        // modesl: the api/response of `sendRecv('api status')` goes to the api callback, the
        // command/reply of nolinger to sendRecv's, and the reply to exit to nolinger's.
        ['modesl', 'cb:api version - |  | UP', 'fifo'],
        ['rxesl', 'cb:sendRecv api - |  | UP', 'fifo'],
        ['modesl', 'cb:sendRecv api - | -ERR not controlling a session | ', 'fifo'],
        ['rxesl', 'cb:sendRecv nolinger - | -ERR not controlling a session | ', 'fifo'],
        ['rxesl', 'cb:api version - |  | FreeSWITCH', 'fifo'],
        ['modesl', 'cb:sendRecv nolinger - | +OK bye | ', 'fifo'],
      ],
    );
  });

  it('sendEvent and message, with a CUSTOM subscription; recvEvent', async () => {
    await compare(
      async (run) => {
        const conn = await run.connect();
        await run.step('events custom', (cb) => conn.events('json', 'CUSTOM SMS::SEND_MESSAGE my::event', cb));
        const e = new run.esl.Event('CUSTOM', 'my::event');
        e.addHeader('X-Text', 'héllo');
        e.addBody('☎ body');
        const got = run.next(conn, 'esl::event::CUSTOM::**');
        await run.step('sendEvent', (cb) => conn.sendEvent(e, cb));
        const [evt] = (await got) as [any];
        run.note(`CUSTOM ${evt.getHeader('Event-Subclass')} ${evt.getHeader('X-Text')} ${evt.getBody()}`);
        const next = run.step('recvEvent', (cb) => conn.recvEvent(cb));
        await run.step('message', (cb) => conn.message({ to: '1000@example.com', from: '1001', profile: 'internal', subject: 'hi', body: 'héllo' }, cb));
        await next;
        await run.until(() => run.trace.filter((l) => l.startsWith('emit esl::event::CUSTOM')).length === 2);
        await hangUp(run, conn);
      },
      [
        ['modesl', 'wire event json CUSTOM SMS::SEND_MESSAGE my::event BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE', 'customOrder'],
        ['rxesl', 'wire event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE CUSTOM SMS::SEND_MESSAGE my::event', 'customOrder'],
      ],
    );
  });

  it('a wrong password: auth::fail, then the end', async () => {
    await compare(async (run) => {
      const conn = new run.esl.Connection('127.0.0.1', run.fs.port, 'wrong');
      run.watch(conn);
      await run.next(conn, 'esl::end');
      run.note(`authed ${conn.authed}`);
    }, []);
  });

  it('outbound: a Server with myevents, a call that answers, plays and hangs up', async () => {
    await compare(
      async (run) => {
        const netServer = net.createServer();
        await new Promise<void>((r) => netServer.listen(0, '127.0.0.1', r));
        const server = new run.esl.Server({ server: netServer, myevents: true });
        run.watch(server, 'server ');
        await run.next(server, 'ready');
        const done = new Promise<void>((resolve) => {
          server.on('connection::ready', (conn: any) => {
            run.watch(conn, 'conn ');
            run.note(`info ${conn.getInfo().getHeader('Unique-ID')} descriptor ${conn.socketDescriptor() === conn.socket}`);
            conn.execute('answer', (...a: unknown[]) => {
              run.cb('answer')(...a);
              conn.execute('playback', 'short.wav', (...b: unknown[]) => {
                run.cb('playback')(...b);
                conn.api('uuid_kill', conn.getInfo().getHeader('Unique-ID'), run.cb('kill'));
              });
            });
          });
          server.on('connection::close', () => resolve());
        });
        run.fs.call({ socket: `127.0.0.1:${(netServer.address() as net.AddressInfo).port} async full`, uuid: '99999999-2222-3333-4444-555555555555' });
        await done;
        await new Promise<void>((r) => server.close(() => r()));
      },
      [],
      { media: { playbackMs: 30 } },
    );
  });

  it('the connection closes while a bgapi and an execute wait: modesl’s callbacks never come', async () => {
    await compare(
      async (run) => {
        const conn = await run.connect();
        const uuid = await run.fs.originate('loopback/answer_park/default', '&park');
        conn.bgapi('msleep', '60000', 'job-waiting', run.cb('bgapi'));
        conn.execute('playback', 'long.wav', uuid, run.cb('execute'));
        await run.until(() => run.wire().length === 4);
        await run.sleep(20);
        const ended = run.next(conn, 'esl::end');
        run.fs.connections[0]!.close();
        await ended;
        await run.sleep(20);
      },
      [
        ['rxesl', 'cb:execute SERVER_DISCONNECTED | -ERR connection closed before playback completed | -ERR', 'pending'],
        ['rxesl', 'cb:bgapi SERVER_DISCONNECTED | -ERR connection closed before the BACKGROUND_JOB of "bgapi msleep 60000" | -ERR', 'pending'],
      ],
      { media: { durations: { 'long.wav': 600_000 } } },
    );
  });

  it('recvEventTimed, when nothing comes in time', async () => {
    await compare(
      async (run) => {
        const conn = await run.connect();
        await run.step('timed', (cb) => conn.recvEventTimed(30, cb));
        await run.step('events', (cb) => conn.events('json', 'HEARTBEAT', cb));
        await hangUp(run, conn);
      },
      [['modesl', 'cb:timed - | +OK event listener enabled json | ', 'timed']],
    );
  });

  it('commands issued before esl::ready', async () => {
    await compare(
      async (run) => {
        const conn = new run.esl.Connection('127.0.0.1', run.fs.port, 'ClueCon');
        run.watch(conn);
        conn.api('status', run.cb('early api'));
        await run.until(() => run.trace.some((l) => l.includes('auth::')));
        await run.sleep(50);
        run.note(`authed ${conn.authed}`);
        conn.disconnect();
        await run.sleep(50);
      },
      [
        // modesl wrote `api status` before auth; FreeSWITCH refused it, and that refusal went
        // to the callback of auth: the password was taken for wrong. The api callback never came.
        ['modesl', 'emit esl::event::auth::fail', 'beforeReady'],
        ['rxesl', 'emit esl::event::auth::success', 'beforeReady'],
        ['rxesl', 'emit esl::ready', 'beforeReady'],
        ['modesl', 'note authed false', 'beforeReady'],
        ['rxesl', 'cb:early api - |  | UP', 'beforeReady'],
        ['rxesl', 'emit esl::event::api::response', 'beforeReady'],
        ['rxesl', 'note authed true', 'beforeReady'],
        ['modesl', 'wire api status', 'beforeReady'],
        ['rxesl', 'wire event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE', 'beforeReady'],
        ['rxesl', 'wire api status', 'beforeReady'],
      ],
    );
  });

  it('the socket destroyed by the application', async () => {
    await compare(
      async (run) => {
        const conn = await run.connect();
        conn.socket.destroy();
        await run.sleep(100);
        run.note(`connected ${conn.connected()}`);
      },
      [
        ['modesl', 'note connected true', 'end'],
        ['rxesl', 'emit esl::end', 'end'],
        ['rxesl', 'note connected false', 'end'],
      ],
    );
  });

  it('many bgapi at once: no listener per call', async () => {
    await compare(
      async (run) => {
        // Not watched: 200 replies and 200 jobs interleave as the TCP segments fall.
        const conn = await run.connect('ClueCon', false);
        const count = (): number => {
          let n = 0;
          const walk = (node: any): void => {
            for (const [k, v] of Object.entries(node ?? {})) {
              if (k === '_listeners') n += typeof v === 'function' ? 1 : (v as unknown[]).length;
              else if (v && typeof v === 'object') walk(v);
            }
          };
          walk(conn.listenerTree);
          return n;
        };
        const branches = (): number => Object.keys(conn.listenerTree?.esl?.event?.BACKGROUND_JOB ?? {}).filter((k) => k !== '_listeners').length;
        const before = count();
        let done = 0;
        for (let i = 0; i < 200; i++) conn.bgapi('status', () => done++);
        run.note(`listeners added while 200 jobs run: ${count() - before}`);
        await run.until(() => done === 200);
        run.note(`listeners left: ${count() - before}; branches left under BACKGROUND_JOB: ${branches()}`);
        await hangUp(run, conn);
      },
      [
        ['modesl', 'note listeners added while 200 jobs run: 200', 'listeners'],
        ['rxesl', 'note listeners added while 200 jobs run: 0', 'listeners'],
        ...Array.from({ length: 200 }, () => ['modesl', 'wire bgapi status ', 'bgapiSpace'] as const),
        ...Array.from({ length: 200 }, () => ['rxesl', 'wire bgapi status', 'bgapiSpace'] as const),
      ] as Expected,
    );
  });

  it('TCP_NODELAY', async () => {
    await compare(
      async (run) => {
        const calls: net.Socket[] = [];
        const original = net.Socket.prototype.setNoDelay;
        net.Socket.prototype.setNoDelay = function (this: net.Socket, on?: boolean) {
          if (on !== false) calls.push(this);
          return original.call(this, on);
        };
        try {
          const conn = await run.connect();
          // FakeSwitch's own sockets call it too: only the client's counts.
          run.note(`setNoDelay(true) called: ${calls.includes(conn.socket)}`);
          await hangUp(run, conn);
        } finally {
          net.Socket.prototype.setNoDelay = original;
        }
      },
      [
        ['modesl', 'note setNoDelay(true) called: false', 'nodelay'],
        ['rxesl', 'note setNoDelay(true) called: true', 'nodelay'],
      ],
    );
  });
});

describe('modesl 1.2.1 and rxesl/modesl, the same bytes through Parser', () => {
  /** Feeds the frames to a Parser over a fake socket; one line per thing read from each frame (or what was thrown). */
  function parse(esl: typeof rxeslModesl, frames: Buffer[]): string[] {
    const socket = new EventEmitter();
    const parser = new esl.Parser(socket as unknown as net.Socket);
    const out: string[] = [];
    let n = 0;
    parser.on('esl::event', (e: any, headers: unknown, body: unknown) => {
      const i = n;
      out.push(`#${i} ${summary([e])}`);
      for (const name of ['Modesl-Reply-OK', 'Up-Time', 'core-uuid', 'X-Array', 'Content-Length']) out.push(`#${i} ${name}=${JSON.stringify(e.getHeader(name))}`);
      out.push(`#${i} headers=${JSON.stringify(headers)} body=${JSON.stringify(body)}`);
    });
    parser.on('error', (err: Error) => out.push(`#${n} error ${err.name}`));
    for (const f of frames) {
      try {
        socket.emit('data', f);
      } catch (err) {
        out.push(`#${n} threw ${(err as Error).name}: ${(err as Error).message}`);
      }
      n++;
    }
    return out;
  }

  it('replies, api output with multi-byte text, a stray %, header case, an array header in JSON', () => {
    const frames = [
      ServerFrames.commandReply('+OK accepted'),
      ServerFrames.apiResponse('héllo ☎ 😀\n'),
      ServerFrames.event('plain', 'Event-Name: HEARTBEAT\nCore-UUID: core-1\nUp-Time: 0%20years\n\n'),
      ServerFrames.event('json', JSON.stringify({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'a::b', 'X-Array': ['one', 'two'] })),
      ServerFrames.commandReply('+OK filter added. [X-Test]=[100%]'),
    ];
    const found = diff(parse(modesl, frames), parse(rxeslModesl, frames));
    const expected: Expected = [
      ['modesl', '#2 core-uuid=null', 'caseless'],
      ['rxesl', '#2 core-uuid="core-1"', 'caseless'],
      ['modesl', '#3 X-Array=["one","two"]', 'arrays'],
      ['rxesl', '#3 X-Array="ARRAY::one|:two"', 'arrays'],
      ['modesl', '#4 threw URIError: URI malformed', 'uriError'],
      ['rxesl', '#4 - | +OK filter added. [X-Test]=[100%] | ', 'uriError'],
      ['rxesl', '#4 Modesl-Reply-OK="filter added. [X-Test]=[100%]"', 'uriError'],
      ['rxesl', '#4 Up-Time=null', 'uriError'],
      ['rxesl', '#4 core-uuid=null', 'uriError'],
      ['rxesl', '#4 X-Array=null', 'uriError'],
      ['rxesl', '#4 Content-Length=null', 'uriError'],
      ['rxesl', '#4 headers={"Content-Type":"command/reply","Reply-Text":"+OK filter added. [X-Test]=[100%]"} body=undefined', 'uriError'],
    ];
    expect(found).toEqual(expected.map(([only, line]) => ({ only, line })));
  });

  it('every frame of the FreeSWITCH captures: the same JSON.stringify and console.log of the Event as modesl’s', () => {
    let frames = 0;
    for (const name of fixtureNames()) {
      const bytes = loadFixture(name).s2c;
      const events = (esl: typeof rxeslModesl): unknown[] => {
        const socket = new EventEmitter();
        const out: unknown[] = [];
        new esl.Parser(socket as unknown as net.Socket).on('esl::event', (e: unknown) => out.push(e));
        socket.emit('data', bytes);
        return out;
      };
      const theirs = events(modesl);
      const ours = events(rxeslModesl);
      expect(ours.length, name).toBe(theirs.length);
      ours.forEach((e, i) => {
        expect(JSON.stringify(e), `${name} #${i}`).toBe(JSON.stringify(theirs[i]));
        expect(inspect(e, { depth: 4 }), `${name} #${i}`).toBe(inspect(theirs[i], { depth: 4 }));
      });
      frames += ours.length;
    }
    expect(frames).toBeGreaterThan(300);
  });
});

