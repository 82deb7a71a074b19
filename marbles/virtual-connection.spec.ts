/**
 * VirtualConnection: call-flow code tested on a virtual clock, by the commands it sends in
 * answer to the events it receives.
 */
import { concatMap, defer, filter, last, lastValueFrom, map, takeUntil } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Connection, EslHangupError, dtmf } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { scheduler } from './helpers';

/** A tiny IVR: answer, greet, then play the menu until a key comes, then act on it. */
function ivr(conn: Connection) {
  return defer(() => conn.execute('answer')).pipe(
    last(),
    concatMap(() => conn.execute('playback', 'ivr/welcome.wav').pipe(last())),
    concatMap(() =>
      conn.events$.pipe(
        dtmf(),
        filter((d) => d === '1' || d === '2'),
        map((d) => (d === '1' ? 'sales' : 'support')),
      ),
    ),
    concatMap((queue) => conn.execute('transfer', `${queue} XML default`).pipe(last())),
  );
}

describe('VirtualConnection', () => {
  it('records the commands an IVR sends, in virtual time', () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { playback: 10 } });
      const keys = hot('-----------------3--1--', { 3: vc.channelEvent('DTMF', { 'DTMF-Digit': '3' }), 1: vc.channelEvent('DTMF', { 'DTMF-Digit': '1' }) });
      // answer and playback at once (answer takes no time here), the transfer when '1' comes at 20
      const commands = '(ap)----------------t';
      keys.subscribe((e) => vc.send(e));
      ivr(vc.connection).subscribe();
      expectObservable(vc.commands$).toBe(commands, {
        a: 'execute answer',
        p: 'execute playback ivr/welcome.wav',
        t: 'execute transfer sales XML default',
      });
    });
  });

  it('a hangup in the middle of a playback fails the flow with EslHangupError', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, cold }) => {
      const vc = new VirtualConnection({ applications: { playback: 50 } });
      const hangup = cold('-----x');
      const flow = '       -----#';
      hangup.subscribe(() => vc.hangup('USER_BUSY'));
      expectObservable(ivr(vc.connection)).toBe(flow, undefined, new EslHangupError(vc.uuid, 'USER_BUSY', `channel ${vc.uuid} hung up before playback completed (USER_BUSY)`));
    });
  });

  it('scripts application results: play_and_get_digits sets its variable', async () => {
    const vc = new VirtualConnection({
      applications: { play_and_get_digits: (arg) => ({ duration: 0, variables: { [arg.split(' ')[7]!]: '1234' } }) },
    });
    const done = await lastValueFrom(vc.connection.execute('play_and_get_digits', '1 4 3 5000 # menu.wav invalid.wav pin \\d+'));
    expect(done.kind).toBe('complete');
    expect(done.kind === 'complete' && done.event.getHeader('variable_pin')).toBe('1234');
    expect(vc.commands.map((c) => c.summary)).toEqual(['connect', 'myevents', 'execute play_and_get_digits 1 4 3 5000 # menu.wav invalid.wav pin \\d+']);
  });

  it('answers api and bgapi from a table', async () => {
    const vc = new VirtualConnection({ api: { status: 'UP 0 years\n', originate: (args) => `+OK ${args.split(' ')[0]}\n` } });
    expect((await lastValueFrom(vc.connection.api('status'))).body).toBe('UP 0 years\n');
    const job = await lastValueFrom(vc.connection.bgapi('originate', 'user/1000 &park'));
    expect(job.kind === 'job' && job.body).toBe('+OK user/1000\n');
  });

  it('takeUntil the hangup ends a flow cleanly', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { playback: 50 } });
      const hangup = cold('---x');
      const digits = '     ---|';
      hangup.subscribe(() => vc.hangup());
      const hungUp = vc.connection.eventsNamed('CHANNEL_HANGUP');
      expectObservable(vc.connection.events$.pipe(dtmf(), takeUntil(hungUp))).toBe(digits);
    });
  });

  it('fires what FreeSWITCH fires for answer, hold and unhold, before the completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { answer: 2, hold: 5 } });
      const names = vc.connection.events$.pipe(map((e) => e.name));
      const start = cold('-x');
      // answer at 1 (2 ms), hold at 3 (5 ms)
      const events = '    -x-(ace)(hf)';
      start
        .pipe(
          concatMap(() => vc.connection.execute('answer').pipe(last())),
          concatMap(() => vc.connection.execute('hold')),
        )
        .subscribe();
      expectObservable(names).toBe(events, {
        x: 'CHANNEL_EXECUTE',
        a: 'CHANNEL_ANSWER',
        c: 'CHANNEL_EXECUTE_COMPLETE',
        e: 'CHANNEL_EXECUTE',
        h: 'CHANNEL_HOLD',
        f: 'CHANNEL_EXECUTE_COMPLETE',
      });
    });
  });

  it('scripted events fire at their time; digits become DTMF events and the variable', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({
        applications: {
          play_and_get_digits: { duration: 6, digits: '12', events: [{ after: 1, name: 'PLAYBACK_START' }, { after: 3, name: 'PLAYBACK_STOP' }] },
        },
      });
      const seen = vc.connection.events$.pipe(map((e) => (e.name === 'DTMF' ? e.getHeader('DTMF-Digit') : e.name === 'CHANNEL_EXECUTE_COMPLETE' ? `done ${e.getHeader('variable_pin')} ${e.getHeader('variable_read_result')}` : e.name)));
      const start = cold('-x');
      const events = '    -xs-p--(12d)';
      start.subscribe(() => vc.connection.execute('play_and_get_digits', '1 4 1 5000 # menu.wav bad.wav pin \\d+').subscribe());
      expectObservable(seen).toBe(events, { x: 'CHANNEL_EXECUTE', s: 'PLAYBACK_START', p: 'PLAYBACK_STOP', 1: '1', 2: '2', d: 'done 12 success' });
    });
  });

  it('set, unset and getvar keep the variables; the hangup application hangs up', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection();
      const c = vc.connection;
      const flow = defer(() => c.execute('set', 'a=1')).pipe(
        last(),
        concatMap(() => c.getvar('a')),
        concatMap((a) => c.execute('unset', 'a').pipe(last(), concatMap(() => c.getvar('a')), map((b) => `${a} ${b}`))),
      );
      const hangup = cold('-----x');
      const variables = '  (v|)';
      const hangups = '    -----(hc)';
      expectObservable(flow).toBe(variables, { v: '1 undefined' });
      const hung = c.eventsNamed('CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE').pipe(map((e) => `${e.name} ${e.getHeader('Hangup-Cause')}`));
      hangup.subscribe(() => c.execute('hangup', 'USER_BUSY').subscribe());
      expectObservable(hung).toBe(hangups, { h: 'CHANNEL_HANGUP USER_BUSY', c: 'CHANNEL_HANGUP_COMPLETE USER_BUSY' });
    });
  });

  it('a scripted bridge: ringing, CHANNEL_BRIDGE with the other leg, CHANNEL_UNBRIDGE and the disposition at its end', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ applications: { bridge: { duration: 9, bridge: { ringAfter: 2, answerAfter: 4, otherLeg: 'b-leg' } } } });
      const seen = vc.connection.events$.pipe(
        map((e) => (e.name === 'CHANNEL_EXECUTE_COMPLETE' ? `done ${e.getHeader('variable_originate_disposition')}` : `${e.name} ${e.getHeader('Other-Leg-Unique-ID') ?? ''}`.trim())),
      );
      const start = cold('-x');
      const events = '    -x-r-b----(ud)';
      start.subscribe(() => vc.connection.execute('bridge', 'user/1001').subscribe());
      expectObservable(seen).toBe(events, {
        x: 'CHANNEL_EXECUTE',
        r: 'CHANNEL_PROGRESS',
        b: 'CHANNEL_BRIDGE b-leg',
        u: 'CHANNEL_UNBRIDGE b-leg',
        d: 'done SUCCESS',
      });
    });
  });
});
