import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { channelState, untilHangup } from 'rxesl';
import { blankSnapshot, foldChannelEvent } from '../../lib/operators/channel-state';
import { scheduler } from '../helpers';
import { A, B, ev } from './events';

const events = {
  c: ev('CHANNEL_CREATE', { 'Unique-ID': A, 'Channel-Name': 'sofia/internal/1000@192.0.2.1', 'Channel-State': 'CS_INIT', 'Channel-Call-State': 'DOWN', 'Caller-Caller-ID-Number': '1000', variable_lang: 'en' }),
  r: ev('CHANNEL_CALLSTATE', { 'Unique-ID': A, 'Channel-Call-State': 'RINGING' }),
  a: ev('CHANNEL_ANSWER', { 'Unique-ID': A, 'Answer-State': 'answered', 'Channel-Call-State': 'ACTIVE' }),
  x: ev('CHANNEL_EXECUTE', { 'Unique-ID': A, Application: 'playback' }),
  y: ev('CHANNEL_EXECUTE_COMPLETE', { 'Unique-ID': A, Application: 'playback', 'Application-Response': 'FILE PLAYED' }),
  b: ev('CHANNEL_ANSWER', { 'Unique-ID': B }),
  g: ev('CHANNEL_BRIDGE', { 'Unique-ID': A, 'Other-Leg-Unique-ID': B }),
  u: ev('CHANNEL_UNBRIDGE', { 'Unique-ID': A }),
  h: ev('CHANNEL_HANGUP', { 'Unique-ID': A, 'Hangup-Cause': 'NORMAL_CLEARING', 'Channel-Call-State': 'HANGUP' }),
  H: ev('CHANNEL_HANGUP_COMPLETE', { 'Unique-ID': A, 'Hangup-Cause': 'NORMAL_CLEARING' }),
};

describe('channelState', () => {
  it("folds one channel's events into snapshots and completes after its hangup", () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const view = (s: ReturnType<typeof foldChannelEvent>) => `${s.callState}/${s.answered ? 'A' : '-'}/${s.application ?? ''}/${s.bridgedTo ? 'B' : ''}/${s.hangupCause ?? ''}`;
      const src = hot('-c-r-b-a-x-g-y-u-h-H-|', events);
      const subs = '   ^------------------!';
      const states = ' -1-2---3-4-5-6-7-8-(9|)';
      expectObservable(src.pipe(channelState(A), map(view))).toBe(states, {
        1: 'DOWN/-///',
        2: 'RINGING/-///',
        3: 'ACTIVE/A///',
        4: 'ACTIVE/A/playback//',
        5: 'ACTIVE/A/playback/B/',
        6: 'ACTIVE/A//B/',
        7: 'ACTIVE/A///',
        8: 'HANGUP/A///NORMAL_CLEARING',
        9: 'HANGUP/A///NORMAL_CLEARING',
      });
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
  });

  it('keeps the variables it has seen and the caller', () => {
    let last: ReturnType<typeof foldChannelEvent> | undefined;
    scheduler().run(({ hot, expectSubscriptions }) => {
      const src = hot('-c-a-|', events);
      const subs = '   ^----!';
      src.pipe(channelState()).subscribe((s) => (last = s));
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
    expect(last?.variables).toEqual({ lang: 'en' });
    expect(last?.callerIdNumber).toBe('1000');
    expect(last?.name).toBe('sofia/internal/1000@192.0.2.1');
  });

  it('reads variable_* headers only: an array value joined with commas, a later value replacing an earlier one', () => {
    const first = ev('CHANNEL_PARK', { 'Unique-ID': A, variable_lang: 'en', variable_codecs: 'ARRAY::PCMU|:PCMA', 'Other-Header': 'ARRAY::x|:y' });
    const second = ev('CHANNEL_EXECUTE', { 'Unique-ID': A, variable_lang: 'fr', variable_empty: '', variable_plain: 'a|:b' });
    const a = foldChannelEvent(foldChannelEvent(foldChannelEvent(blankSnapshot(A), events.c), first), second);
    expect(a.variables).toEqual({ lang: 'fr', codecs: 'PCMU,PCMA', empty: '', plain: 'a|:b' });
    // An event without variables keeps the same object.
    expect(foldChannelEvent(a, events.a).variables).toBe(a.variables);
  });
});

describe('untilHangup', () => {
  it('passes events until that channel hangs up (inclusive), then completes', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot(' -c-b-a-h-H-|', events);
      const subs = '    ^------!';
      const expected = '-c-b-a-(h|)';
      expectObservable(src.pipe(untilHangup(A))).toBe(expected, events);
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
  });
});
