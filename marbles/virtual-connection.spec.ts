/**
 * VirtualConnection: call-flow code tested on a virtual clock, by the commands it sends in
 * answer to the events it receives.
 */
import { concatMap, defer, filter, last, lastValueFrom, map, takeUntil } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Connection, EslHangupError, dtmf } from 'rxesl';
import { VirtualConnection } from '../lib/testing/virtual-connection';
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
      keys.subscribe((e) => vc.send(e));
      ivr(vc.connection).subscribe();
      // answer and playback at once (answer takes no time here), the transfer when '1' comes at 20
      expectObservable(vc.commands$).toBe('(ap)----------------t', {
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
      cold('-----x').subscribe(() => vc.hangup('USER_BUSY'));
      expectObservable(ivr(vc.connection)).toBe('-----#', undefined, new EslHangupError(vc.uuid, 'USER_BUSY', `channel ${vc.uuid} hung up before playback completed (USER_BUSY)`));
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
      cold('---x').subscribe(() => vc.hangup());
      const hungUp = vc.connection.eventsNamed('CHANNEL_HANGUP');
      expectObservable(vc.connection.events$.pipe(dtmf(), takeUntil(hungUp))).toBe('---|');
    });
  });
});
