import { describe, it } from 'vitest';
import { EslTimeoutError, collectDigits, dtmf } from 'rxesl';
import { scheduler } from '../helpers';
import { A, ev } from './events';

const key = (d: string) => ev('DTMF', { 'Unique-ID': A, 'DTMF-Digit': d, 'DTMF-Duration': '2000' });

describe('dtmf', () => {
  it('turns DTMF events into digits and ignores the rest', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot('-1-x-2-t-|', { 1: key('1'), 2: key('2'), t: key('#'), x: ev('CHANNEL_ANSWER', { 'Unique-ID': A }) });
      const subs = '   ^--------!';
      const digits = ' -1---2-t-|';
      expectObservable(src.pipe(dtmf())).toBe(digits, { 1: '1', 2: '2', t: '#' });
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
  });
});

describe('collectDigits', () => {
  it('completes at max digits', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-1-2-3-4-5-|');
      const subs = '    ^----!';
      const answer = '  -----(x|)';
      expectObservable(keys.pipe(collectDigits({ max: 3, timeout: 100 }))).toBe(answer, { x: '123' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('completes on a terminator, which is not part of the answer', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-4-2-t-9-|', { 4: '4', 2: '2', t: '#', 9: '9' });
      const subs = '    ^----!';
      const answer = '  -----(x|)';
      expectObservable(keys.pipe(collectDigits({ max: 10, terminators: '#', timeout: 100 }))).toBe(answer, { x: '42' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('ignores a terminator before min digits and goes on', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-t-1-2-t-|', { t: '#', 1: '1', 2: '2' });
      const subs = '    ^------!';
      const answer = '  -------(x|)';
      expectObservable(keys.pipe(collectDigits({ min: 2, max: 4, timeout: 100 }))).toBe(answer, { x: '12' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('completes when the caller stops typing (inter-digit timeout) with enough digits', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // last digit at 3, inter-digit timeout 5: answer at 8
      const keys = hot('-1-2------------|');
      const subs = '    ^-------!';
      const answer = '  --------(x|)';
      expectObservable(keys.pipe(collectDigits({ min: 1, max: 4, timeout: 20, interDigitTimeout: 5 }))).toBe(answer, { x: '12' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('fails with EslTimeoutError when nothing (or too little) comes in time', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const silent = hot('--------------|');
      const silentSubs = '^---------!';
      const noAnswer = '  ----------#';
      const one = hot('   -1------------|');
      const oneSubs = '   ^----!';
      const tooFew = '    -----#';
      expectObservable(silent.pipe(collectDigits({ timeout: 10 }))).toBe(noAnswer, undefined, new EslTimeoutError('no answer: 0 of at least 1 digits after 10 ms', 10));
      expectObservable(one.pipe(collectDigits({ min: 3, timeout: 10, interDigitTimeout: 4 }))).toBe(tooFew, undefined, new EslTimeoutError('no answer: 1 of at least 3 digits after 4 ms', 4));
      expectSubscriptions(silent.subscriptions).toBe(silentSubs);
      expectSubscriptions(one.subscriptions).toBe(oneSubs);
    });
  });

  it('with min 0, a timeout without digits is the empty answer, not an error', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('--------------|');
      const subs = '    ^---------!';
      const answer = '  ----------(x|)';
      expectObservable(keys.pipe(collectDigits({ min: 0, max: 4, timeout: 10 }))).toBe(answer, { x: '' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });

  it('unsubscribes from the digits when done', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('-1-2-3-|');
      const subs = '    ^--!';
      const answer = '  ---(x|)';
      expectObservable(keys.pipe(collectDigits({ max: 2, timeout: 100 }))).toBe(answer, { x: '12' });
      expectSubscriptions(keys.subscriptions).toBe(subs);
    });
  });
});
