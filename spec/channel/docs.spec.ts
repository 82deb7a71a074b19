/**
 * The code of docs/channel.md, as written there, against FakeSwitch (or a VirtualConnection
 * where timing matters): each snippet does what the page says.
 */
import { EMPTY, catchError, concatMap, exhaustMap, filter, firstValueFrom, lastValueFrom, map, of, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type BridgeResult, Channel, Connection, EslHangupError, Server } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('docs/channel.md', () => {
  for (const [pin, outcome] of [
    ['1234', 'transferred'],
    ['0000', 'CALL_REJECTED'],
  ] as const) {
    it(`the first example: answer, welcome, a PIN, then ${outcome === 'transferred' ? 'a transfer' : 'a hangup'} (PIN ${pin})`, async () => {
      const fake = await startFakeSwitch({ media: { playbackMs: 10 } });
      fake.extension({ destination: '5000', actions: ['answer', ['hangup', 'NORMAL_CLEARING']] });
      const server = closeAfterTest(await Server.listen({ port: 0 }));
      const errors: string[] = [];
      server.connections$.subscribe((conn) => {
        const call = Channel.fromConnection(conn);
        call.answer().pipe(
          concatMap(() => call.playback('ivr/ivr-welcome.wav')),
          concatMap(() => call.playAndGetDigits({ file: 'ivr/ivr-enter_pin.wav', min: 4, max: 4 })),
          concatMap(({ digits }) => (digits === '1234' ? call.transfer('5000') : call.hangup('CALL_REJECTED'))),
        ).subscribe({ error: (err) => errors.push(err.name) }); // EslHangupError if the caller hangs up
      });
      const caller = fake.call({ socket: `127.0.0.1:${server.port} async full`, dtmf: pin });
      // Transferred, extension 5000 answers and hangs up.
      expect(await caller.whenDown).toBe(outcome === 'transferred' ? 'NORMAL_CLEARING' : 'CALL_REJECTED');
      expect(errors).toEqual([]);
    });
  }

  it('Channel.of(conn, event): the channel a CHANNEL_PARK is about, its state from that event', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    await firstValueFrom(conn.events('plain', ['CHANNEL_PARK']));
    const parked = firstValueFrom(conn.eventsNamed('CHANNEL_PARK').pipe(map((e) => Channel.of(conn, e))));
    const call = fake.call({ destination: 'park', callerIdNumber: '1001' });
    const ch = await parked;
    expect(ch.uuid).toBe(call.uuid);
    expect(ch.snapshot).toMatchObject({ callerIdNumber: '1001', lastEvent: 'CHANNEL_PARK' });
  });

  it('Channel.of(conn, uuid) of a call already answered: the first state is the uuid_dump', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const placed = fake.call({ callerIdNumber: '1001', actions: ['answer', ['set', 'queue=sales'], 'park'] });
    await expect.poll(() => fake.channel(placed.uuid)?.variables.queue).toBe('sales');
    const uuid = placed.uuid;

    const call = Channel.of(conn, uuid); // a call already answered, found by `show channels`
    const { answered, callerIdNumber, variables } = await firstValueFrom(call.state$);

    expect({ answered, callerIdNumber, queue: variables.queue }).toEqual({ answered: true, callerIdNumber: '1001', queue: 'sales' });
    call.release();
  });

  it('a hangup as a value: catchError turns EslHangupError into "caller left (<cause>)"', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { playback: 50 } });
      cold('-----x').subscribe(() => vc.hangup('NORMAL_CLEARING'));
      const flow$ = Channel.fromConnection(vc.connection).playback('ivr/ivr-welcome.wav').pipe(map(() => 'played'));
      const handled = flow$.pipe(catchError((err) => (err instanceof EslHangupError ? of(`caller left (${err.hangupCause})`) : Promise.reject(err))));
      expectObservable(handled).toBe('-----(c|)', { c: 'caller left (NORMAL_CLEARING)' });
    });
  });

  for (const agent of ['answers', 'is busy'] as const) {
    it(`Bridge: ringing, the result, a message when it failed, and the call is over either way (the agent ${agent})`, async () => {
      const fake = await startFakeSwitch({ media: { playbackMs: 10 }, ringMs: 10 });
      fake.endpoint('user/1001', agent === 'answers' ? { hangupAfterMs: 20 } : { failCause: 'USER_BUSY' });
      const server = closeAfterTest(await Server.listen({ port: 0 }));
      const next = firstValueFrom(server.connections$);
      const caller = fake.call({ socket: `127.0.0.1:${server.port} async full` });
      const call = Channel.fromConnection(await next);
      const log: string[] = [];
      const sent = fake.onEvent((e) => e.name === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === call.uuid && log.push(`${e.getHeader('Application')} ${e.getHeader('Application-Data')}`));

      const outcome = await lastValueFrom(
        call.bridge('user/1001', { continueOnFail: true, hangupAfterBridge: true }).pipe(
          tap((step) => step.kind === 'ringing' && log.push('ringing...')),
          filter((step): step is BridgeResult => step.kind === 'result'),
        ),
      );
      if (!outcome.bridged) await lastValueFrom(call.playback(`ivr/${outcome.disposition}.wav`));
      await lastValueFrom(call.hangup()); // the call is over either way (at once, sending nothing, if it is down already)

      sent();
      expect(await caller.whenDown).toBe('NORMAL_CLEARING');
      expect(outcome).toMatchObject(agent === 'answers' ? { bridged: true, disposition: 'SUCCESS' } : { bridged: false, disposition: 'USER_BUSY' });
      expect(log).toEqual([
        'set continue_on_fail=true',
        'set hangup_after_bridge=true',
        'bridge user/1001',
        'ringing...',
        // hangup() is a sendmsg hangup, not an application: no CHANNEL_EXECUTE for it.
        ...(agent === 'answers' ? [] : ['playback ivr/USER_BUSY.wav']),
      ]);
    });
  }

  it('feature codes: *1 from the caller while bridged puts the agent on hold', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { bridge: { duration: 100, bridge: { answerAfter: 2 } }, hold: 1 } });
      const call = Channel.fromConnection(vc.connection);
      const key = (d: string) => vc.channelEvent('DTMF', { 'DTMF-Digit': d });
      cold('----ab').subscribe((d) => vc.send(key(d === 'a' ? '*' : '1')));
      call.bridge('user/1001').pipe(catchError(() => EMPTY)).subscribe();
      // *1 from the caller while bridged: put the agent on hold
      call.featureCodes('*').pipe(filter((code) => code === '*1'), exhaustMap(() => call.hold())).subscribe();
      expectObservable(vc.commands$).toBe('b----h', { b: 'execute bridge user/1001', h: 'execute hold' });
    });
  });
});
