/**
 * The outbound IVR example's logic on a virtual clock: which commands it sends, when, for each
 * caller choice, and what happens when the caller hangs up in the middle.
 */
import { describe, it } from 'vitest';
import { type ApplicationScript, VirtualConnection } from '../../lib/testing/virtual-connection';
import { ivr } from '../../examples/outbound-ivr';
import { scheduler } from '../helpers';

const apps = (choice: string | undefined): Record<string, number | ApplicationScript> => ({
  answer: 1,
  playback: 10,
  play_and_get_digits: { duration: 5, variables: choice === undefined ? {} : { choice } },
  bridge: 30,
  transfer: 1,
});

describe('outbound IVR example', () => {
  it('1: answer, greeting, menu, bridge to sales, hang up', () => {
    scheduler().run(({ expectObservable }) => {
      const vc = new VirtualConnection({ applications: apps('1') });
      // answer at 0 (1 ms), playback at 1 (10 ms), menu at 11 (5 ms), bridge at 16 (30 ms), hangup at 46
      const commands = 'ap---------m----b-----------------------------h';
      const outcome = ' ----------------------------------------------(s|)';
      expectObservable(ivr(vc.connection)).toBe(outcome, { s: 'sales' });
      expectObservable(vc.commands$).toBe(commands, {
        a: 'execute answer',
        p: 'execute playback ivr/ivr-welcome_to_freeswitch.wav',
        m: 'execute play_and_get_digits 1 1 3 5000 # ivr/ivr-please_choose.wav ivr/ivr-that_was_an_invalid_entry.wav choice [12]',
        b: 'execute bridge user/1001',
        h: 'hangup',
      });
    });
  });

  it('2: transfer to support, and no hangup (the call has left the socket)', () => {
    scheduler().run(({ expectObservable }) => {
      const vc = new VirtualConnection({ applications: apps('2') });
      const commands = 'ap---------m----t';
      const outcome = ' -----------------(s|)';
      expectObservable(ivr(vc.connection)).toBe(outcome, { s: 'support' });
      expectObservable(vc.commands$).toBe(commands, {
        a: 'execute answer',
        p: 'execute playback ivr/ivr-welcome_to_freeswitch.wav',
        m: 'execute play_and_get_digits 1 1 3 5000 # ivr/ivr-please_choose.wav ivr/ivr-that_was_an_invalid_entry.wav choice [12]',
        t: 'execute transfer 2000 XML default',
      });
    });
  });

  it('no choice: goodbye, then hang up', () => {
    scheduler().run(({ expectObservable }) => {
      const vc = new VirtualConnection({ applications: apps(undefined) });
      const outcome = '--------------------------(n|)';
      expectObservable(ivr(vc.connection)).toBe(outcome, { n: 'no choice' });
    });
  });

  it('the caller hanging up during the greeting ends the flow without another command', () => {
    scheduler().run(({ expectObservable, cold }) => {
      const vc = new VirtualConnection({ applications: apps('1') });
      const hangup = cold('-----x');
      const commands = '   ap';
      const outcome = '    -----(h|)';
      hangup.subscribe(() => vc.hangup());
      expectObservable(ivr(vc.connection)).toBe(outcome, { h: 'caller hung up' });
      expectObservable(vc.commands$).toBe(commands, {
        a: 'execute answer',
        p: 'execute playback ivr/ivr-welcome_to_freeswitch.wav',
      });
    });
  });
});
