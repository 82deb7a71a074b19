import { describe, it } from 'vitest';
import { forChannel, forJob, header, ofCustom, ofEvent } from 'rxesl';
import { scheduler } from '../helpers';
import { A, B, ev } from './events';

const events = {
  c: ev('CHANNEL_CREATE', { 'Unique-ID': A }),
  a: ev('CHANNEL_ANSWER', { 'Unique-ID': A }),
  b: ev('CHANNEL_ANSWER', { 'Unique-ID': B }),
  h: ev('CHANNEL_HANGUP_COMPLETE', { 'Unique-ID': A, 'Hangup-Cause': 'NORMAL_CLEARING' }),
  r: ev('CUSTOM', { 'Event-Subclass': 'sofia::register', 'from-user': '1000' }),
  u: ev('CUSTOM', { 'Event-Subclass': 'sofia::unregister', 'from-user': '1000' }),
  j: ev('BACKGROUND_JOB', { 'Job-UUID': 'job-1' }),
  k: ev('BACKGROUND_JOB', { 'Job-UUID': 'job-2' }),
};

describe('ofEvent', () => {
  it('keeps the named events', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot(' -c-a-b-r-h-j-|', events);
      const subs = '    ^------------!';
      const answers = ' ---a-b-------|';
      const bookends = '-c-------h---|';
      expectObservable(src.pipe(ofEvent('CHANNEL_ANSWER'))).toBe(answers, events);
      expectObservable(src.pipe(ofEvent('CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'))).toBe(bookends, events);
      expectSubscriptions(src.subscriptions).toBe([subs, subs]);
    });
  });
});

describe('ofCustom', () => {
  it('keeps CUSTOM events of one subclass', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot(' -r-u-a-r-|', events);
      const subs = '    ^--------!';
      const expected = '-r-----r-|';
      expectObservable(src.pipe(ofCustom('sofia::register'))).toBe(expected, events);
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
  });
});

describe('forChannel', () => {
  it("keeps one channel's events", () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot('-c-a-b-h-j-|', events);
      const subs = '   ^----------!';
      const ofA = '    -c-a---h---|';
      const ofB = '    -----b-----|';
      expectObservable(src.pipe(forChannel(A))).toBe(ofA, events);
      expectObservable(src.pipe(forChannel(B))).toBe(ofB, events);
      expectSubscriptions(src.subscriptions).toBe([subs, subs]);
    });
  });
});

describe('forJob', () => {
  it("keeps one job's BACKGROUND_JOB", () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot(' -j-a-k-|', events);
      const subs = '    ^------!';
      const expected = '-----k-|';
      expectObservable(src.pipe(forJob('job-2'))).toBe(expected, events);
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
  });
});

describe('header', () => {
  it('maps events to one header, skipping events without it', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot('-c-h-r-|', events);
      const subs = '   ^------!';
      const causes = ' ---x---|';
      const users = '  -----x-|';
      expectObservable(src.pipe(header('Hangup-Cause'))).toBe(causes, { x: 'NORMAL_CLEARING' });
      expectObservable(src.pipe(header('from-user'))).toBe(users, { x: '1000' });
      expectSubscriptions(src.subscriptions).toBe([subs, subs]);
    });
  });
});
