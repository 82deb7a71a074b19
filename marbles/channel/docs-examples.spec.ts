/**
 * The examples of docs/testing.md, as written there (each must pass).
 */
import { type Observable, catchError, concatMap, map, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, type Connection, EslHangupError } from 'rxesl';
import { VirtualConnection, marbleScheduler } from 'rxesl/testing';

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
