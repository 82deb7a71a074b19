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
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('--------a-b-c', { a: wire.api('one\n'), b: wire.api('two\n'), c: wire.api('three\n') });
      const serverSubs = '^------------';
      const one = cold('  -x|');
      const two = cold('  --x|');
      const three = cold('---x|');
      const first = '     --------(a|)';
      const second = '    ----------(b|)';
      const third = '     ------------(c|)';
      const { conn, written } = scriptedConnection(ts, server);
      const body = map((r: { body: string }) => r.body);
      expectObservable(one.pipe(mergeMap(() => conn.api('echo', 'one')), body)).toBe(first, { a: 'one\n' });
      expectObservable(two.pipe(mergeMap(() => conn.api('echo', 'two')), body)).toBe(second, { b: 'two\n' });
      expectObservable(three.pipe(mergeMap(() => conn.api('echo', 'three')), body)).toBe(third, { c: 'three\n' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
      ts.schedule(() => expect(written).toEqual([
        { time: 1, line: 'api echo one' },
        { time: 2, line: 'api echo two' },
        { time: 3, line: 'api echo three' },
      ]), 4);
    });
  });

  it('events between replies go to events$ and never to a command', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('  ---e-a-e-b-e', { e: wire.event('HEARTBEAT'), a: wire.reply('+OK filter added. [A]=[1]'), b: wire.reply('+OK events nixed') });
      const serverSubs = '  ^-----------';
      const heartbeats = '  ---h---h---h';
      const command = cold('-x|');
      const filtered = '    -----(a|)';
      const nixed = '       ---------(b|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(conn.events$.pipe(map((e) => e.name))).toBe(heartbeats, { h: 'HEARTBEAT' });
      expectObservable(command.pipe(mergeMap(() => conn.filter('A', '1')), map((r) => r.replyText))).toBe(filtered, { a: '+OK filter added. [A]=[1]' });
      expectObservable(command.pipe(mergeMap(() => conn.nixevent('CHANNEL_ANSWER')), map((r) => r.replyText))).toBe(nixed, { b: '+OK events nixed' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('a command unsubscribed before its reply still owns that reply: it is consumed and dropped', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('------a-b', { a: wire.api('for the first\n'), b: wire.api('for the second\n') });
      const serverSubs = '^--------';
      const one = cold('  -x|');
      const two = cold('  --x|');
      const dropped = '   ---|';
      const second = '    --------(b|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(one.pipe(mergeMap(() => conn.api('first')), takeUntil(timer(3)), map((r) => r.body))).toBe(dropped);
      expectObservable(two.pipe(mergeMap(() => conn.api('second')), map((r) => r.body))).toBe(second, { b: 'for the second\n' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it("a timed-out command fails with EslTimeoutError; its late reply is consumed in its turn; the next command's clock starts then", () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('  ------------a-b', { a: wire.api('late\n'), b: wire.api('mine\n') });
      const serverSubs = '  ^--------------';
      const command = cold('-x|');
      const timedOut = '    ------#';
      const next = '        --------------(b|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(command.pipe(mergeMap(() => conn.api('slow', undefined, { timeout: 5 })))).toBe(timedOut, undefined, new EslTimeoutError('no reply to "api slow" within 5 ms', 5, 'api slow'));
      expectObservable(command.pipe(mergeMap(() => conn.api('next', undefined, { timeout: 20 })), map((r) => r.body))).toBe(next, { b: 'mine\n' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('three timed commands against a silent server time out one after another, each 5 ms after the one before', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot<Uint8Array>('-');
      const serverSubs = '            ^';
      const command = cold('          -x|');
      const a = '                     ------#';
      const b = '                     -----------#';
      const c = '                     ----------------#';
      const { conn, written } = scriptedConnection(ts, server);
      const timedOut = (name: string) => new EslTimeoutError(`no reply to "api ${name}" within 5 ms`, 5, `api ${name}`);
      expectObservable(command.pipe(mergeMap(() => conn.api('a', undefined, { timeout: 5 })))).toBe(a, undefined, timedOut('a'));
      expectObservable(command.pipe(mergeMap(() => conn.api('b', undefined, { timeout: 5 })))).toBe(b, undefined, timedOut('b'));
      expectObservable(command.pipe(mergeMap(() => conn.api('c', undefined, { timeout: 5 })))).toBe(c, undefined, timedOut('c'));
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
      ts.schedule(() => expect(written.map((w) => w.line)).toEqual(['api a', 'api b', 'api c']), 2);
    });
  });

  it('a -ERR reply fails only its own command, and the queue stays in step', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('  ----a-b', { a: wire.reply('-ERR invalid syntax'), b: wire.reply('+OK filter added. [B]=[2]') });
      const serverSubs = '  ^------';
      const command = cold('-x|');
      const refused = '     ----#';
      const added = '       ------(t|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(command.pipe(mergeMap(() => conn.filter('A', 'x')))).toBe(refused, undefined, new EslCommandError('filter A x', '-ERR invalid syntax'));
      expectObservable(command.pipe(mergeMap(() => conn.filter('B', '2')), map((r) => r.ok))).toBe(added, { t: true });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('with failOnError: false a -ERR reply is emitted, not thrown', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('  ----a', { a: wire.api('-ERR nosuchcmd Command not found!\n') });
      const serverSubs = '  ^----';
      const command = cold('-x|');
      const reply = '       ----(f|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(command.pipe(mergeMap(() => conn.api('nosuchcmd', undefined, { failOnError: false })), map((r) => r.ok))).toBe(reply, { f: false });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('when the connection drops every pending command fails at once with EslDisconnectedError', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('  ----a---|', { a: wire.api('one\n') });
      const serverSubs = '  ^-------!';
      const command = cold('-x|');
      const one = '         ----(a|)';
      const lost = '        --------#';
      const states = '      r-------(c|)';
      const { conn } = scriptedConnection(ts, server);
      const lostBefore = (name: string) => new EslDisconnectedError(`connection lost before the reply to "api ${name}"`, `api ${name}`);
      expectObservable(command.pipe(mergeMap(() => conn.api('one')), map((r) => r.body))).toBe(one, { a: 'one\n' });
      expectObservable(command.pipe(mergeMap(() => conn.api('two')))).toBe(lost, undefined, lostBefore('two'));
      expectObservable(command.pipe(mergeMap(() => conn.api('three')))).toBe(lost, undefined, lostBefore('three'));
      expectObservable(conn.state$).toBe(states, { r: 'ready', c: 'closed' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('a view of a closed connection completes at once, and open views complete at the close', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot<Uint8Array>('----|');
      const serverSubs = '            ^---!';
      const closed = '                ----|';
      // subscribed at 6, after the close: the view completes at once (the outer completes at 7)
      const late = cold('             ------x|');
      const lateView = '              ------d|';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(conn.channelEvents('x')).toBe(closed);
      expectObservable(conn.eventsNamed('CHANNEL_ANSWER', 'CHANNEL_HANGUP')).toBe(closed);
      expectObservable(late.pipe(mergeMap(() => conn.jobEvents('j').pipe(map(() => 'e'), endWith('done'))))).toBe(lateView, { d: 'done' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('a bgapi or execute whose reply came fails at once when the connection goes before its result', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('    --a-r-e---|', { a: wire.reply('+OK event listener enabled plain'), r: wire.reply('+OK Job-UUID: j1'), e: wire.reply('+OK') });
      const serverSubs = '    ^---------!';
      // subscribed to everything first, so neither asks for its result event itself
      const subscribe = cold('-x|');
      const subscribed = '    --(r|)';
      const bgapi = cold('    ---x|');
      const job = '           ----r-----#';
      const execute = cold('  -----x|');
      const application = '   ------r---#';
      const { conn } = scriptedConnection(ts, server);
      const kinds = map((s: { kind: string }) => s.kind);
      expectObservable(subscribe.pipe(mergeMap(() => conn.events('plain', 'ALL')), kinds)).toBe(subscribed, { r: 'reply' });
      expectObservable(bgapi.pipe(mergeMap(() => conn.bgapi('status', undefined, { jobUuid: 'j1' })), kinds)).toBe(
        job,
        { r: 'reply' },
        new EslDisconnectedError('connection lost before the result of "bgapi status"', 'bgapi status'),
      );
      expectObservable(execute.pipe(mergeMap(() => conn.execute('playback', 'a.wav', { uuid: 'u1', eventUuid: 'app-1' })), kinds)).toBe(
        application,
        { r: 'reply' },
        new EslDisconnectedError('connection lost before the result of "sendmsg u1"', 'sendmsg u1'),
      );
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });

  it('a bgapi refused with -ERR (failOnError: false) emits the reply and completes: no result will come', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('    --a-r', { a: wire.reply('+OK event listener enabled plain'), r: wire.reply('-ERR permission denied') });
      const serverSubs = '    ^----';
      const subscribe = cold('-x|');
      const subscribed = '    --(r|)';
      const bgapi = cold('    ---x|');
      const refused = '       ----(r|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(subscribe.pipe(mergeMap(() => conn.events('plain', 'ALL')), map((r) => r.kind))).toBe(subscribed, { r: 'reply' });
      expectObservable(bgapi.pipe(mergeMap(() => conn.bgapi('status', undefined, { failOnError: false })), map((r) => (r.kind === 'reply' ? r.replyText : r.kind)))).toBe(refused, { r: '-ERR permission denied' });
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
      ts.schedule(() => expect(conn.routerStats.waiters).toBe(0), 5);
    });
  });

  it('a command on a closed connection fails at once', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot<Uint8Array>('--|');
      const serverSubs = '            ^-!';
      const command = cold('          ----x|');
      const refused = '               ----#';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(command.pipe(mergeMap(() => conn.api('status')))).toBe(refused, undefined, new EslDisconnectedError('connection closed: "api status" not sent', 'api status'));
      expectSubscriptions(server.subscriptions).toBe(serverSubs);
    });
  });
});
