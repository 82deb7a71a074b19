/**
 * A Channel's streams on a virtual clock: state$, dtmf$, hangup$, events$ and feature codes on
 * a bridged leg.
 */
import { concatMap, distinctUntilChanged, map, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, type ChannelSnapshot, EslEvent, featureCodes } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { scheduler } from '../helpers';
import { B, call, held } from './helpers';

const view = (s: ChannelSnapshot): string =>
  [s.answered ? 'answered' : 'new', s.held ? 'held' : '', s.bridgedTo ? `bridged` : '', s.hangupCause ?? ''].filter((x) => x !== '').join(' ');

describe('Channel streams', () => {
  it('state$ starts from the connect reply, folds every event, and completes when the channel ends', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { answer: 1, bridge: { duration: 10, bridge: { answerAfter: 4, otherLeg: B } } } });
      ch.answer()
        .pipe(concatMap(() => ch.bridge('user/1001')))
        .subscribe({ error: () => {} });
      const hangup = cold('----------------x');
      // new at 0, answered at 1, bridged at 5 (1 + 4), unbridged at 11 (1 + 10), hung up at 16
      const states = '     na---b-----a----(h|)';
      hangup.subscribe(() => vc.hangup('NORMAL_CLEARING'));
      expectObservable(ch.state$.pipe(map(view), distinctUntilChanged())).toBe(states, {
        n: 'new',
        a: 'answered',
        b: 'answered bridged',
        h: 'answered NORMAL_CLEARING',
      });
    });
  });

  it('state$ replays the latest snapshot to a late subscriber', () => {
    scheduler().run(({ expectObservable }) => {
      const { ch } = call({ applications: { answer: 2 } });
      const late = '-----a';
      ch.answer().subscribe();
      expectObservable(timer(5).pipe(concatMap(() => ch.state$), map(view))).toBe(late, { a: 'answered' });
    });
  });

  it('dtmf$: the keys the caller presses', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const vc = new VirtualConnection();
      const key = (d: string) => vc.channelEvent('DTMF', { 'DTMF-Digit': d });
      const keys = hot('--1--2---p--', { 1: key('1'), 2: key('2'), p: key('#') });
      const digits = '  --1--2---p--';
      keys.subscribe((e) => vc.send(e));
      const ch = Channel.fromConnection(vc.connection);
      expectObservable(ch.dtmf$).toBe(digits, { 1: '1', 2: '2', p: '#' });
    });
  });

  it('hangup$: the cause once, then completes; replayed after the fact', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call();
      const hangup = cold('---x');
      const cause = '      ---(c|)';
      const replayed = '   ------(c|)';
      hangup.subscribe(() => vc.hangup('USER_BUSY'));
      expectObservable(ch.hangup$.pipe(map((h) => h.cause))).toBe(cause, { c: 'USER_BUSY' });
      expectObservable(timer(6).pipe(concatMap(() => ch.hangup$), map((h) => h.cause))).toBe(replayed, { c: 'USER_BUSY' });
    });
  });

  it('events$: this channel only, up to its CHANNEL_HANGUP_COMPLETE', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const vc = new VirtualConnection();
      const mine = (name: string) => vc.channelEvent(name);
      const other = new EslEvent({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': B });
      const src = hot('  -a-o-h-c-x-', { a: mine('CHANNEL_ANSWER'), o: other, h: mine('CHANNEL_HANGUP'), c: mine('CHANNEL_HANGUP_COMPLETE'), x: mine('CHANNEL_DESTROY') });
      const mine$ = '    -a---h-(c|)';
      src.subscribe((e) => vc.send(e));
      const ch = Channel.fromConnection(vc.connection);
      expectObservable(ch.events$.pipe(map((e) => e.name))).toBe(mine$, { a: 'CHANNEL_ANSWER', h: 'CHANNEL_HANGUP', c: 'CHANNEL_HANGUP_COMPLETE' });
    });
  });

  it('featureCodes: # and a key within the window, only while bridged', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { bridge: { duration: 30, bridge: { answerAfter: 5, otherLeg: B } } } });
      const key = (d: string) => vc.channelEvent('DTMF', { 'DTMF-Digit': d });
      const keys = { p: key('#'), 1: key('1'), 2: key('2'), 9: key('9') };
      // before the bridge (5) the #1 does not count; after the bridge ends (30) neither does #9
      const pressed = hot('-p1------p2--p-----------------p9-', keys);
      const codes = '      ----------c-----------------------';
      pressed.subscribe((e) => vc.send(e));
      const ch = Channel.fromConnection(vc.connection);
      ch.bridge('user/1001').subscribe();
      expectObservable(ch.featureCodes('#')).toBe(codes, { c: '#2' });
    });
  });

  it('release(): the streams complete and the channel is followed no more', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const { ch } = call();
      const release = cold('--x');
      const ended = '       --|';
      release.subscribe(() => ch.release());
      expectObservable(ch.events$).toBe(ended);
      expectObservable(ch.hangup$).toBe(ended);
      timer(3).subscribe(() => expect(held(ch)).toEqual({ waiters: 0, views: 0 }));
    });
  });
});

describe('a Channel on a connection that is gone', () => {
  it('ends at once: its streams complete and it holds no view', () => {
    const vc = new VirtualConnection();
    const conn = vc.connection;
    // One made while the connection is closing (its state is closed, its views not completed yet), one after.
    let closing: Channel | undefined;
    conn.state$.subscribe((state) => {
      if (state === 'closed') closing = new Channel(conn, B);
    });
    conn.destroy();
    const after = Channel.of(conn, B);
    for (const ch of [closing!, after]) {
      expect(ch.ended).toBe(true);
      const seen: string[] = [];
      ch.events$.subscribe({ complete: () => seen.push('events$') });
      ch.state$.subscribe({ next: (s) => seen.push(s.uuid), complete: () => seen.push('state$') });
      ch.hangup$.subscribe({ complete: () => seen.push('hangup$') });
      expect(seen).toEqual(['events$', B, 'state$', 'hangup$']);
    }
    expect(conn.routerStats).toEqual({ waiters: 0, views: 0 });
  });
});

describe('featureCodes (operator)', () => {
  it('the prefix and one more key, in time', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-p-1--5-p--2-pp-|', { p: '#', 1: '1', 2: '2', 5: '5' });
      const subs = '    ^---------------!';
      const codes = '   ---a-------b--c-|';
      expectObservable(keys.pipe(featureCodes('#', { timeout: 5 }))).toBe(codes, { a: '#1', b: '#2', c: '##' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('a code not finished in time is dropped', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-*------1-*-2-|', { '*': '*', 1: '1', 2: '2' });
      const subs = '    ^-------------!';
      const codes = '   ------------a-|';
      expectObservable(keys.pipe(featureCodes('*', { timeout: 4 }))).toBe(codes, { a: '*2' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('a longer prefix and longer codes', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-*-1-*-*-4-2-|');
      const subs = '    ^------------!';
      const codes = '   -----------a-|';
      expectObservable(keys.pipe(featureCodes('**', { digits: 2, timeout: 100 }))).toBe(codes, { a: '**42' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });
});
