import { describe, it } from 'vitest';
import { EslTimeoutError, collectDigits, dtmf } from 'rxesl';
import { scheduler } from '../helpers';
import { A, ev } from './events';

const key = (d: string) => ev('DTMF', { 'Unique-ID': A, 'DTMF-Digit': d, 'DTMF-Duration': '2000' });

describe('dtmf', () => {
  it('turns DTMF events into digits and ignores the rest', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const src = hot('  -1-x-2-t-|', { 1: key('1'), 2: key('2'), t: key('#'), x: ev('CHANNEL_ANSWER', { 'Unique-ID': A }) });
      expectObservable(src.pipe(dtmf())).toBe('-1---2-t-|', { 1: '1', 2: '2', t: '#' });
    });
  });
});

describe('collectDigits', () => {
  it('completes at max digits', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const keys = hot('  -1-2-3-4-5-|');
      expectObservable(keys.pipe(collectDigits({ max: 3, timeout: 100 }))).toBe('-----(x|)', { x: '123' });
    });
  });

  it('completes on a terminator, which is not part of the answer', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const keys = hot('  -4-2-t-9-|', { 4: '4', 2: '2', t: '#', 9: '9' });
      expectObservable(keys.pipe(collectDigits({ max: 10, terminators: '#', timeout: 100 }))).toBe('-----(x|)', { x: '42' });
    });
  });

  it('ignores a terminator before min digits and goes on', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const keys = hot('  -t-1-2-t-|', { t: '#', 1: '1', 2: '2' });
      expectObservable(keys.pipe(collectDigits({ min: 2, max: 4, timeout: 100 }))).toBe('-------(x|)', { x: '12' });
    });
  });

  it('completes when the caller stops typing (inter-digit timeout) with enough digits', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const keys = hot('  -1-2------------|');
      // last digit at 3, inter-digit timeout 5: answer at 8
      expectObservable(keys.pipe(collectDigits({ min: 1, max: 4, timeout: 20, interDigitTimeout: 5 }))).toBe('--------(x|)', { x: '12' });
    });
  });

  it('fails with EslTimeoutError when nothing (or too little) comes in time', () => {
    scheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('--------------|').pipe(collectDigits({ timeout: 10 }))).toBe('----------#', undefined, new EslTimeoutError('no answer: 0 of at least 1 digits after 10 ms', 10));
      expectObservable(hot('-1------------|').pipe(collectDigits({ min: 3, timeout: 10, interDigitTimeout: 4 }))).toBe('-----#', undefined, new EslTimeoutError('no answer: 1 of at least 3 digits after 4 ms', 4));
    });
  });

  it('with min 0, a timeout without digits is the empty answer, not an error', () => {
    scheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('--------------|').pipe(collectDigits({ min: 0, max: 4, timeout: 10 }))).toBe('----------(x|)', { x: '' });
    });
  });

  it('unsubscribes from the digits when done', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const keys = hot('  -1-2-3-|');
      expectObservable(keys.pipe(collectDigits({ max: 2, timeout: 100 }))).toBe('---(x|)', { x: '12' });
      expectSubscriptions(keys.subscriptions).toBe('^--!');
    });
  });
});
