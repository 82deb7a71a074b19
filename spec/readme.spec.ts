/**
 * The README's code, run: each test is a snippet of README.md (same code, against FakeSwitch),
 * so that what the README shows works.
 */
import { EMPTY, catchError, concatMap, debounceTime, firstValueFrom, last, lastValueFrom, map, mergeMap, take, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Channel, Connection, EslArgumentError, EslCommandError, EslDisconnectedError, EslEvent, EslHangupError, type EventName, Server, type Transport, collectDigits, describeError, dtmf, eventName, forChannel, jobResult, parseFrames, socketTransport, untilHangup } from 'rxesl';
import { FakeSwitch, ManualClock, VirtualConnection } from 'rxesl/testing';
import esl from 'rxesl/modesl';
import { ivr } from '../examples/outbound-ivr';
import { startFakeSwitch } from './helpers/fake-switch';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('README', () => {
  it('Connection: connect, api status, close', async () => {
    const fake = await startFakeSwitch({ password: 'ClueCon' });
    const conn = await Connection.connect({ host: '127.0.0.1', port: fake.port, password: 'ClueCon' });
    const status = await firstValueFrom(conn.api('status'));
    expect(status.body).toMatch(/^UP /);
    await conn.close();
  });

  it('an event feed, filtered and debounced', async () => {
    const fake = await startFakeSwitch();
    const conn = await Connection.connect({ port: fake.port });
    cleanup.push(() => conn.close());
    await firstValueFrom(conn.events('plain', ['CHANNEL_CALLSTATE']));
    await firstValueFrom(conn.filter('Caller-Context', 'default'));
    const lines = firstValueFrom(
      conn.eventsNamed('CHANNEL_CALLSTATE').pipe(
        map((e) => `${e.getHeader('Caller-Caller-ID-Number')}: ${e.getHeader('Channel-Call-State')}`),
        debounceTime(250),
        take(1),
      ),
    );
    fake.call({ destination: 'park', callerIdNumber: '1001', hangupAfterMs: 50 });
    expect(await lines).toBe('1001: HANGUP');
  });

  it('a bgapi originate followed on its job stream', async () => {
    const fake = await startFakeSwitch();
    const conn = await Connection.connect({ port: fake.port });
    cleanup.push(() => conn.close());
    const queued: string[] = [];
    const job = await lastValueFrom(
      conn.bgapi('originate', 'user/1000 &park').pipe(
        tap((step) => step.kind === 'reply' && queued.push(step.jobUuid!)),
        jobResult(), // the BackgroundJob alone: no union to narrow
      ),
    );
    expect(queued).toHaveLength(1);
    expect(job.text).toMatch(/^\+OK /);
    const failed = await lastValueFrom(conn.bgapi('originate', 'error/NO_ANSWER &park').pipe(jobResult())).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(EslCommandError);
    expect((failed as EslCommandError).replyText).toBe('-ERR NO_ANSWER\n');
  });

  it('event names are checked: a misspelt one throws before anything is sent, a declared one goes with strict: false', async () => {
    const fake = await startFakeSwitch();
    const conn = await Connection.connect({ port: fake.port });
    cleanup.push(() => conn.close());
    const fromConfig = ['CHANNEL_ANSWER', 'CHANNEL_ANSWR'] as EventName[]; // read from a file: the compiler cannot check them
    expect(() => conn.events('plain', fromConfig)).toThrow(EslArgumentError);
    expect(() => conn.events('plain', fromConfig)).toThrow(/^FreeSWITCH would ignore "CHANNEL_ANSWR": not an event name it knows/);
    await firstValueFrom(conn.events('plain', ['CHANNEL_ANSWER', eventName('NEWER_EVENT')], { strict: false })); // sent as given
    expect(fake.received.at(-1)?.line).toBe('event plain CHANNEL_ANSWER NEWER_EVENT');
  });

  it("every option left out: fs_cli's 127.0.0.1:8021, within 10 s, with ClueCon", async () => {
    // The connector is told where rxesl would connect, and connects to the test's switch instead.
    const fake = await startFakeSwitch({ password: 'ClueCon' });
    let asked: unknown[] = [];
    const connector = async (host: string, port: number, timeoutMs: number): Promise<Transport> => {
      asked = [host, port, timeoutMs];
      const socket = net.connect(fake.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      return socketTransport(socket);
    };
    const conn = await Connection.connect({ connector });
    cleanup.push(() => conn.close());
    expect(asked).toEqual(['127.0.0.1', 8021, 10_000]);
    expect(fake.received.map((c) => c.line)).toEqual(['auth ClueCon']);
  });

  it('closeReason: undefined when we closed it, the error when FreeSWITCH did', async () => {
    const fake = await startFakeSwitch();
    const ours = await Connection.connect({ port: fake.port });
    const theirs = await Connection.connect({ port: fake.port });
    const lines: string[] = [];
    for (const conn of [ours, theirs]) conn.closed.then(() => lines.push(conn.closeReason ? `lost: ${describeError(conn.closeReason)}` : 'closed by us'));
    await ours.close();
    await fake.stop();
    await theirs.closed;
    expect(lines).toEqual(['closed by us', 'lost: disconnected: FreeSWITCH closed the connection']);
    expect(theirs.closeReason).toBeInstanceOf(EslDisconnectedError);
  });

  it('Server.listen({ port: 0 }): server.port is the port the system picked', async () => {
    const server = await Server.listen({ port: 0 });
    cleanup.push(() => server.close());
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toMatchObject({ address: '127.0.0.1', port: server.port });
  });

  it('reconnect options', async () => {
    const fake = await startFakeSwitch();
    const conn = await Connection.connect({ port: fake.port, reconnect: { initialDelay: 100, maxDelay: 10_000 }, whileReconnecting: 'wait' });
    cleanup.push(() => conn.close());
    expect(conn.state).toBe('ready');
  });

  it('Server: answer, play, hang up each call', async () => {
    const fake = await startFakeSwitch({ media: { playbackMs: 20 } });
    const server = await Server.listen({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close());
    const done: string[] = [];
    server.connections$.subscribe(async (call) => {
      done.push(`call from ${call.channelData?.getHeader('Caller-Caller-ID-Number')}`);
      await lastValueFrom(call.execute('answer'));
      await lastValueFrom(call.execute('playback', 'ivr/ivr-welcome.wav'));
      await lastValueFrom(call.hangup());
    });
    const c = fake.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: '1001' });
    expect(await c.whenDown).toBe('NORMAL_CLEARING');
    expect(done).toEqual(['call from 1001']);
  });

  it('operators: a PIN from the DTMF of one channel', async () => {
    const fake = await startFakeSwitch();
    const conn = await Connection.connect({ port: fake.port });
    cleanup.push(() => conn.close());
    await firstValueFrom(conn.events('plain', ['DTMF', 'CHANNEL_HANGUP']));
    const uuid = await fake.originate('loopback/answer_park/default', '&park');
    const pin$ = conn.events$.pipe(forChannel(uuid), untilHangup(uuid), dtmf(), collectDigits({ min: 4, max: 4, terminators: '#', timeout: 5000 }));
    const pin = firstValueFrom(pin$);
    fake.dtmf(uuid, '1234');
    expect(await pin).toBe('1234');
  });

  for (const [agent, answers] of [
    ['user/1001', true],
    ['user/1002', false],
  ] as const) {
    it(`Channel: answer, a menu, a bridge; the call ends by itself (${answers ? 'bridged, then the agent hangs up' : 'the agent is busy'})`, async () => {
      const fs = await startFakeSwitch({ media: { playbackMs: 20 }, ringMs: 10 });
      // the agent answers, and hangs up a moment later; or is busy
      fs.endpoint('user/1001', { hangupAfterMs: 20 });
      fs.endpoint('user/1002', { failCause: 'USER_BUSY' });
      const names = new Map<string | undefined, string | undefined>();
      cleanup.push(fs.onEvent((e) => e.name === 'CHANNEL_CREATE' && names.set(e.getHeader('Unique-ID'), e.getHeader('Channel-Name'))));
      const server = await Server.listen({ port: 0 });
      cleanup.push(() => server.close());
      const results = firstValueFrom(
        server.connections$.pipe(
          mergeMap((conn) => {
            const call = Channel.fromConnection(conn);
            return call.answer().pipe(
              concatMap(() => call.playAndGetDigits({ file: 'ivr/menu.wav', max: 1, regex: '[12]' })),
              concatMap(({ digits }) => call.bridge(digits === '1' ? 'user/1001' : 'user/1002', { continueOnFail: true, hangupAfterBridge: true })),
              last(), // { kind: 'result', bridged, otherLeg, disposition, hangupCause }
              // Bridged: FreeSWITCH hung the caller up when the agent left. Not bridged: hang up here.
              concatMap((result) => call.hangup().pipe(map(() => result))),
              catchError((err) => (err instanceof EslHangupError ? EMPTY : throwError(() => err))),
            );
          }),
          take(1),
        ),
      );
      const caller = fs.call({ socket: `127.0.0.1:${server.port} async full`, dtmf: answers ? '1' : '2' });
      const r = await results;
      // The caller is down without the test hanging it up: the program has nothing left to wait for.
      expect(await caller.whenDown).toBe('NORMAL_CLEARING');
      if (answers) {
        expect(r).toMatchObject({ kind: 'result', bridged: true, disposition: 'SUCCESS', hangupCause: 'NORMAL_CLEARING' });
        expect(names.get(r.kind === 'result' ? r.otherLeg : '')).toBe(`sofia/internal/${agent.slice(5)}@127.0.0.1`);
      } else {
        expect(r).toMatchObject({ kind: 'result', bridged: false, disposition: 'USER_BUSY' });
      }
    });
  }

  it('a marble test of a call flow on a VirtualConnection', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { answer: 1, playback: 50 } });
      cold('-----x').subscribe(() => vc.hangup('NORMAL_CLEARING')); // the caller hangs up at 5 ms
      expectObservable(ivr(vc.connection)).toBe('-----(h|)', { h: 'caller hung up' });
      expectObservable(vc.commands$).toBe('ap', { a: 'execute answer', p: 'execute playback ivr/ivr-welcome_to_freeswitch.wav' });
    });
  });

  it('FakeSwitch: an outbound app, a call with digits, a custom api', async () => {
    const clock = new ManualClock();
    const fs = await FakeSwitch.start({ password: 'ClueCon', clock });
    cleanup.push(() => fs.stop());
    const server = await Server.listen({ port: 0 });
    cleanup.push(() => server.close());
    server.connections$.subscribe((conn) => {
      void lastValueFrom(conn.execute('answer')).then(() => lastValueFrom(conn.execute('playback', 'ivr/welcome.wav'))).then(() => lastValueFrom(conn.hangup()));
    });
    fs.extension({ destination: '5000', socket: `127.0.0.1:${server.port} async full` });
    const call = fs.call({ destination: '5000', callerIdNumber: '1001', dtmf: '42#' });
    // As written in the README: one tick; it waits for the outbound handshake and for each of
    // the application's answers before moving time.
    await clock.tick(10_000);
    expect(await call.whenDown).toBe('NORMAL_CLEARING');
    fs.api('mycmd', (args) => `+OK ${args}\n`);
    const conn = await Connection.connect({ port: fs.port });
    cleanup.push(() => conn.close());
    expect((await firstValueFrom(conn.api('mycmd', 'hello'))).body).toBe('+OK hello\n');
  });

  it('modesl: the one-line migration', async () => {
    const fake = await startFakeSwitch();
    const status = await new Promise<string>((resolve) => {
      const conn = new esl.Connection('127.0.0.1', fake.port, 'ClueCon', () => {
        conn.api('status', (res) => {
          resolve(res.getBody());
          conn.disconnect();
        });
      });
    });
    expect(status).toMatch(/^UP /);
  });

  it('the protocol layer: captured bytes to an EslEvent', () => {
    const wire = Buffer.from(
      'Content-Length: 102\nContent-Type: text/event-plain\n\n' +
        'Event-Name: CUSTOM\nEvent-Subclass: myapp%3A%3Aping\nX-Caller: Zo%C3%AB%20%2B1\nContent-Length: 6\n\nhello\n',
    );
    const [frame] = parseFrames(wire);
    const event = EslEvent.fromFrame(frame!);
    expect([event.name, event.subclass, event.getHeader('X-Caller'), event.getBody()]).toEqual(['CUSTOM', 'myapp::ping', 'Zoë +1', 'hello\n']);
  });
});
