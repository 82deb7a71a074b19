/**
 * The command FIFO on a virtual clock: a scripted FreeSWITCH answers in order; commands are
 * pipelined, matched strictly first-in first-out, and never get out of step.
 */
import { endWith, map, mergeMap, takeUntil, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EslCommandError, EslDisconnectedError, EslTimeoutError } from 'rxesl';
import { scheduler, scriptedConnection, wire } from './helpers';

describe('command FIFO', () => {
  it('pipelines: three commands are written at once and each gets its own reply, in order', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('--------a-b-c', { a: wire.api('one\n'), b: wire.api('two\n'), c: wire.api('three\n') });
      const { conn, written } = scriptedConnection(ts, server);
      const body = map((r: { body: string }) => r.body);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('echo', 'one')), body)).toBe('--------(a|)', { a: 'one\n' });
      expectObservable(cold('--x|').pipe(mergeMap(() => conn.api('echo', 'two')), body)).toBe('----------(b|)', { b: 'two\n' });
      expectObservable(cold('---x|').pipe(mergeMap(() => conn.api('echo', 'three')), body)).toBe('------------(c|)', { c: 'three\n' });
      ts.schedule(() => expect(written).toEqual([
        { time: 1, line: 'api echo one' },
        { time: 2, line: 'api echo two' },
        { time: 3, line: 'api echo three' },
      ]), 4);
    });
  });

  it('events between replies go to events$ and never to a command', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('---e-a-e-b-e', { e: wire.event('HEARTBEAT'), a: wire.reply('+OK filter added. [A]=[1]'), b: wire.reply('+OK events nixed') });
      const { conn } = scriptedConnection(ts, server);
      expectObservable(conn.events$.pipe(map((e) => e.name))).toBe('---h---h---h', { h: 'HEARTBEAT' });
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.filter('A', '1')), map((r) => r.replyText))).toBe('-----(a|)', { a: '+OK filter added. [A]=[1]' });
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.nixevent('CHANNEL_ANSWER')), map((r) => r.replyText))).toBe('---------(b|)', { b: '+OK events nixed' });
    });
  });

  it('a command unsubscribed before its reply still owns that reply: it is consumed and dropped', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('------a-b', { a: wire.api('for the first\n'), b: wire.api('for the second\n') });
      const { conn } = scriptedConnection(ts, server);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('first')), takeUntil(timer(3)), map((r) => r.body))).toBe('---|');
      expectObservable(cold('--x|').pipe(mergeMap(() => conn.api('second')), map((r) => r.body))).toBe('--------(b|)', { b: 'for the second\n' });
    });
  });

  it("a timed-out command fails with EslTimeoutError; its late reply is consumed in its turn; the next command's clock starts then", () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('------------a-b', { a: wire.api('late\n'), b: wire.api('mine\n') });
      const { conn } = scriptedConnection(ts, server);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('slow', undefined, { timeout: 5 })))).toBe(
        '------#',
        undefined,
        new EslTimeoutError('no reply to "api slow" within 5 ms', 5, 'api slow'),
      );
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('next', undefined, { timeout: 20 })), map((r) => r.body))).toBe('--------------(b|)', { b: 'mine\n' });
    });
  });

  it('three timed commands against a silent server time out one after another, each 5 ms after the one before', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const { conn, written } = scriptedConnection(ts, hot<Uint8Array>('-'));
      const timedOut = (name: string) => new EslTimeoutError(`no reply to "api ${name}" within 5 ms`, 5, `api ${name}`);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('a', undefined, { timeout: 5 })))).toBe('------#', undefined, timedOut('a'));
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('b', undefined, { timeout: 5 })))).toBe('-----------#', undefined, timedOut('b'));
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('c', undefined, { timeout: 5 })))).toBe('----------------#', undefined, timedOut('c'));
      ts.schedule(() => expect(written.map((w) => w.line)).toEqual(['api a', 'api b', 'api c']), 2);
    });
  });

  it('a -ERR reply fails only its own command, and the queue stays in step', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('----a-b', { a: wire.reply('-ERR invalid syntax'), b: wire.reply('+OK filter added. [B]=[2]') });
      const { conn } = scriptedConnection(ts, server);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.filter('A', 'x')))).toBe('----#', undefined, new EslCommandError('filter A x', '-ERR invalid syntax'));
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.filter('B', '2')), map((r) => r.ok))).toBe('------(t|)', { t: true });
    });
  });

  it('with failOnError: false a -ERR reply is emitted, not thrown', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('----a', { a: wire.api('-ERR nosuchcmd Command not found!\n') });
      const { conn } = scriptedConnection(ts, server);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('nosuchcmd', undefined, { failOnError: false })), map((r) => r.ok))).toBe('----(f|)', { f: false });
    });
  });

  it('when the connection drops every pending command fails at once with EslDisconnectedError', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('----a---|', { a: wire.api('one\n') });
      const { conn } = scriptedConnection(ts, server);
      const lost = new EslDisconnectedError('connection lost before the reply to "api two"', 'api two');
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('one')), map((r) => r.body))).toBe('----(a|)', { a: 'one\n' });
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('two')))).toBe('--------#', undefined, lost);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.api('three')))).toBe(
        '--------#',
        undefined,
        new EslDisconnectedError('connection lost before the reply to "api three"', 'api three'),
      );
      expectObservable(conn.state$).toBe('r-------(c|)', { r: 'ready', c: 'closed' });
    });
  });

  it("a view of a closed connection completes at once, and open views complete at the close", () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot<Uint8Array>('----|');
      const { conn } = scriptedConnection(ts, server);
      expectObservable(conn.channelEvents('x')).toBe('----|');
      expectObservable(conn.eventsNamed('A', 'B')).toBe('----|');
      // subscribed at 6, after the close: the view completes at once (the outer completes at 7)
      expectObservable(cold('------x|').pipe(mergeMap(() => conn.jobEvents('j').pipe(map(() => 'e'), endWith('done'))))).toBe('------d|', { d: 'done' });
    });
  });

  it('a bgapi or execute whose reply came fails at once when the connection goes before its result', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('--a-r-e---|', { a: wire.reply('+OK event listener enabled plain'), r: wire.reply('+OK Job-UUID: j1'), e: wire.reply('+OK') });
      const { conn } = scriptedConnection(ts, server);
      const kinds = map((s: { kind: string }) => s.kind);
      // subscribed to everything first, so neither asks for its result event itself
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.events('plain', 'ALL')), kinds)).toBe('--(r|)', { r: 'reply' });
      expectObservable(cold('---x|').pipe(mergeMap(() => conn.bgapi('status', undefined, { jobUuid: 'j1' })), kinds)).toBe(
        '----r-----#',
        { r: 'reply' },
        new EslDisconnectedError('connection lost before the result of "bgapi status"', 'bgapi status'),
      );
      expectObservable(cold('-----x|').pipe(mergeMap(() => conn.execute('playback', 'a.wav', { uuid: 'u1', eventUuid: 'app-1' })), kinds)).toBe(
        '------r---#',
        { r: 'reply' },
        new EslDisconnectedError('connection lost before the result of "sendmsg u1"', 'sendmsg u1'),
      );
    });
  });

  it('a bgapi refused with -ERR (failOnError: false) emits the reply and completes: no result will come', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('--a-r', { a: wire.reply('+OK event listener enabled plain'), r: wire.reply('-ERR permission denied') });
      const { conn } = scriptedConnection(ts, server);
      expectObservable(cold('-x|').pipe(mergeMap(() => conn.events('plain', 'ALL')), map((r) => r.kind))).toBe('--(r|)', { r: 'reply' });
      expectObservable(cold('---x|').pipe(mergeMap(() => conn.bgapi('status', undefined, { failOnError: false })), map((r) => (r.kind === 'reply' ? r.replyText : r.kind)))).toBe('----(r|)', { r: '-ERR permission denied' });
      ts.schedule(() => expect(conn.routerStats.waiters).toBe(0), 5);
    });
  });

  it('a command on a closed connection fails at once', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot<Uint8Array>('--|');
      const { conn } = scriptedConnection(ts, server);
      expectObservable(cold('----x|').pipe(mergeMap(() => conn.api('status')))).toBe(
        '----#',
        undefined,
        new EslDisconnectedError('connection closed: cannot send "api status"', 'api status'),
      );
    });
  });
});
