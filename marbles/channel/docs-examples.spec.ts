/**
 * The examples of docs/testing.md, as written there (each must pass).
 */
import net from 'node:net';
import { type Observable, catchError, concatMap, firstValueFrom, lastValueFrom, map, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, Connection, EslHangupError, Server } from 'rxesl';
import { CommandReader, FakeSwitch, ServerFrames, VirtualConnection, marbleScheduler } from 'rxesl/testing';

// One per test: a TestScheduler's clock does not go back to 0 between runs.
const scheduler = () => marbleScheduler();

function ivr(conn: Connection): Observable<string> {
  const call = Channel.fromConnection(conn);
  return call.answer().pipe(
    concatMap(() => call.playAndGetDigits({ file: 'ivr/menu.wav', max: 1, regex: '[12]' })),
    concatMap(({ digits }) => (digits === '1' ? call.transfer('sales') : call.hangup())),
    map(() => 'done'),
  );
}

// 9 hangs up, any other key plays its file
function menu(conn: Connection) {
  const call = Channel.fromConnection(conn);
  return call.dtmf$.pipe(concatMap((key) => (key === '9' ? call.hangup() : call.playback(`${key}.wav`))));
}

describe('docs/testing.md', () => {
  it('1 goes to sales', () => {
    scheduler().run(({ expectObservable }) => {
      const vc = new VirtualConnection({
        applications: { answer: 1, play_and_get_digits: { duration: 6, digits: '1' }, transfer: 1 },
      });
      expectObservable(ivr(vc.connection)).toBe('--------(d|)', { d: 'done' });
      expectObservable(vc.commands$).toBe('am-----t', {
        a: 'execute answer',
        m: 'execute play_and_get_digits 1 1 3 5000 # ivr/menu.wav silence_stream://250 rxesl_digits [12] 5000',
        t: 'execute transfer sales',
      });
    });
  });

  it('a failure, drawn as "When a marble test fails" shows it', () => {
    // The caller presses 2: the flow hangs up where the test expected the transfer.
    const run = () =>
      scheduler().run(({ expectObservable }) => {
        const vc = new VirtualConnection({
          applications: { answer: 1, play_and_get_digits: { duration: 6, digits: '2' }, transfer: 1 },
        });
        expectObservable(vc.commands$).toBe('am-----t', {
          a: 'execute answer',
          m: 'execute play_and_get_digits 1 1 3 5000 # ivr/menu.wav silence_stream://250 rxesl_digits [12] 5000',
          t: 'execute transfer sales',
        });
        ivr(vc.connection).subscribe({ error: () => {} });
      });
    expect(run).toThrow(
      [
        'the notifications differ from the marbles expected:',
        '',
        'expected  am-----t',
        'actual    am-----b',
        '',
        'a  "execute answer"',
        'm  "execute play_and_get_digits 1 1 3 5000 # ivr/menu.wav silence_stream://250 rxesl_digits [12] 5000"',
        't  "execute transfer sales"   (expected only)',
        'b  "hangup"   (actual only)',
      ].join('\n'),
    );
  });

  it('events in, commands out', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const vc = new VirtualConnection();
      const key = (d: string) => vc.channelEvent('DTMF', { 'DTMF-Digit': d });
      const keys = hot('                 --1---9--', { 1: key('1'), 9: key('9') });
      keys.subscribe((e) => vc.send(e));
      menu(vc.connection).subscribe();
      expectObservable(vc.commands$).toBe('--p---h', { p: 'execute playback 1.wav', h: 'hangup' });
    });
  });

  it('a hangup in the middle of the greeting ends the flow', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { playback: 50 } });
      cold('-----x').subscribe(() => vc.hangup('NORMAL_CLEARING'));
      const call = Channel.fromConnection(vc.connection);
      const outcome = call.playback('welcome.wav').pipe(
        map(() => 'played'),
        catchError((err: EslHangupError) => of(`${err.name} ${err.hangupCause}`)),
      );
      expectObservable(outcome).toBe('-----(h|)', { h: 'EslHangupError NORMAL_CLEARING' });
    });
  });
});

// ---------------------------------------------------------------------- Testing operators and pure logic

interface Queue {
  waiting: readonly string[]; // callers, longest waiting first
}
type Happening = { kind: 'joined'; uuid: string } | { kind: 'left'; uuid: string };

// The rule: a caller who joins hears music; the one who waited longest is announced.
export function queueStep(q: Queue, h: Happening): { queue: Queue; commands: string[] } {
  if (h.kind === 'left') return { queue: { waiting: q.waiting.filter((u) => u !== h.uuid) }, commands: [] };
  const waiting = [...q.waiting, h.uuid];
  return { queue: { waiting }, commands: [`uuid_broadcast ${h.uuid} local_stream://moh aleg`, `uuid_setvar ${waiting[0]} queue_position 1`] };
}

describe('docs/testing.md: pure logic as a table', () => {
  it.each([
    [{ waiting: [] }, { kind: 'joined', uuid: 'a' }, ['a'], ['uuid_broadcast a local_stream://moh aleg', 'uuid_setvar a queue_position 1']],
    [{ waiting: ['a'] }, { kind: 'joined', uuid: 'b' }, ['a', 'b'], ['uuid_broadcast b local_stream://moh aleg', 'uuid_setvar a queue_position 1']],
    [{ waiting: ['a', 'b'] }, { kind: 'left', uuid: 'a' }, ['b'], []],
  ] as const)('%o, %o', (queue, happening, waiting, commands) => {
    expect(queueStep(queue as Queue, happening as Happening)).toEqual({ queue: { waiting }, commands });
  });
});

// ---------------------------------------------------------------------- A fake switch of your own

describe('docs/testing.md: a fake switch of your own', () => {
  it('ServerFrames and CommandReader: a switch that answers every api with the same body', async () => {
    // A switch that accepts any password and answers every api with the same body.
    const server = net.createServer((socket) => {
      const reader = new CommandReader();
      socket.write(ServerFrames.authRequest());
      socket.on('data', (chunk) =>
        reader.push(chunk, (cmd) => {
          if (cmd.line.startsWith('auth ')) socket.write(ServerFrames.commandReply('+OK accepted'));
          else if (cmd.line.startsWith('api ')) socket.write(ServerFrames.apiResponse('+OK from a switch of my own\n'));
          else if (cmd.line === 'exit') socket.end(ServerFrames.commandReply('+OK bye'));
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const conn = await Connection.connect({ port: (server.address() as net.AddressInfo).port });

    expect((await firstValueFrom(conn.api('status'))).body).toBe('+OK from a switch of my own\n');
    await conn.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

// ---------------------------------------------------------------------- From marbles to FakeSwitch

describe('docs/testing.md: from marbles to FakeSwitch', () => {
  it('the IVR sends a caller who presses 1 to sales', async () => {
    const fake = await FakeSwitch.start();
    const server = await Server.listen({ port: 0 }); // a free port: server.port
    fake.extension({ destination: 'sales', actions: ['answer', 'park'] });
    server.connections$.subscribe((conn) => ivr(conn).subscribe());

    const call = fake.call({ socket: `127.0.0.1:${server.port} async full`, dtmf: '1' });
    await expect.poll(() => fake.channel(call.uuid)?.destination).toBe('sales');

    call.hangup();
    await server.close();
    await fake.stop();
  });

  it('an inbound connection follows a call it originated', async () => {
    const fake = await FakeSwitch.start();
    const conn = await Connection.connect({ port: fake.port });
    const uuid = await fake.originate('user/1000', '&park');
    const call = Channel.of(conn, uuid);
    await lastValueFrom(call.subscribeEvents());
    expect((await firstValueFrom(call.state$)).answered).toBe(true);

    await lastValueFrom(call.hangup('NORMAL_CLEARING'));
    await conn.close();
    await fake.stop();
  });
});
