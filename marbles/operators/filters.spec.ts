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
    scheduler().run(({ hot, expectObservable }) => {
      const src = hot('  -c-a-b-r-h-j-|', events);
      expectObservable(src.pipe(ofEvent('CHANNEL_ANSWER'))).toBe('---a-b-------|', events);
      expectObservable(src.pipe(ofEvent('CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'))).toBe('-c-------h---|', events);
    });
  });
});

describe('ofCustom', () => {
  it('keeps CUSTOM events of one subclass', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const src = hot('  -r-u-a-r-|', events);
      expectObservable(src.pipe(ofCustom('sofia::register'))).toBe('-r-----r-|', events);
    });
  });
});

describe('forChannel', () => {
  it("keeps one channel's events", () => {
    scheduler().run(({ hot, expectObservable }) => {
      const src = hot('  -c-a-b-h-j-|', events);
      expectObservable(src.pipe(forChannel(A))).toBe('-c-a---h---|', events);
      expectObservable(src.pipe(forChannel(B))).toBe('-----b-----|', events);
    });
  });
});

describe('forJob', () => {
  it("keeps one job's BACKGROUND_JOB", () => {
    scheduler().run(({ hot, expectObservable }) => {
      const src = hot('  -j-a-k-|', events);
      expectObservable(src.pipe(forJob('job-2'))).toBe('-----k-|', events);
    });
  });
});

describe('header', () => {
  it('maps events to one header, skipping events without it', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const src = hot('  -c-h-r-|', events);
      expectObservable(src.pipe(header('Hangup-Cause'))).toBe('---x---|', { x: 'NORMAL_CLEARING' });
      expectObservable(src.pipe(header('from-user'))).toBe('-----x-|', { x: '1000' });
    });
  });
});
