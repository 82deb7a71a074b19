/**
 * Our own marble helpers: scheduler() compares after normalise() and, when a comparison fails,
 * says so with the diagrams (rxesl/testing's rendering), not RxJS's frame arrays.
 */
import { describe, expect, it } from 'vitest';
import { EslDisconnectedError, EslEvent, EslHangupError } from 'rxesl';
import { MarbleMismatchError } from 'rxesl/testing';
import { scheduler } from './helpers';

describe('scheduler()', () => {
  it('fails with expected and actual drawn as marbles, the values under them', () => {
    const answer = new EslEvent({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': 'u1' });
    let err: unknown;
    try {
      scheduler().run(({ cold, expectObservable }) => {
        const events = cold('-a--h-|', { a: answer, h: new EslEvent({ 'Event-Name': 'CHANNEL_HANGUP', 'Unique-ID': 'u1' }) });
        expectObservable(events).toBe('-a--h|', { a: answer, h: new EslEvent({ 'Event-Name': 'CHANNEL_HANGUP', 'Unique-ID': 'u2' }) });
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MarbleMismatchError);
    expect((err as Error).message).toBe(
      [
        'the notifications differ from the marbles expected:',
        '',
        'expected  -a--h|',
        'actual    -a--b-|',
        '',
        'a  EslEvent { "Event-Name": "CHANNEL_ANSWER", "Unique-ID": "u1" }',
        'h  EslEvent { "Event-Name": "CHANNEL_HANGUP", "Unique-ID": "u2" }   (expected only)',
        'b  EslEvent { "Event-Name": "CHANNEL_HANGUP", "Unique-ID": "u1" }   (actual only)',
      ].join('\n'),
    );
    // No `actual`/`expected` on the error: a test runner would print the raw frames as a diff.
    expect(err).not.toHaveProperty('actual');
    expect(err).not.toHaveProperty('expected');
  });

  it('compares errors by class and code, with or without their message (errorMessages: false)', () => {
    scheduler({ errorMessages: false }).run(({ cold, expectObservable }) => {
      expectObservable(cold('--#', undefined, new EslHangupError('u1', 'NORMAL_CLEARING'))).toBe('--#', undefined, new EslHangupError('u1', 'USER_BUSY'));
    });
    expect(() =>
      scheduler({ errorMessages: false }).run(({ cold, expectObservable }) => {
        expectObservable(cold('--#', undefined, new EslDisconnectedError('connection closed'))).toBe('--#', undefined, new EslHangupError('u1', 'USER_BUSY'));
      }),
    ).toThrow(
      [
        'expected  --#',
        'actual    --#',
        '',
        '#  EslHangupError: channel u1 hung up (USER_BUSY) { uuid: "u1", hangupCause: "USER_BUSY" }   (expected only)',
        '#  EslDisconnectedError: connection closed   (actual only)',
      ].join('\n'),
    );
  });

  it('draws failed subscriptions too', () => {
    expect(() =>
      scheduler().run(({ cold, expectSubscriptions }) => {
        const source = cold('--a--|');
        source.subscribe();
        expectSubscriptions(source.subscriptions).toBe('^---!');
      }),
    ).toThrow('expected  ^---!    subscribed at 0, unsubscribed at 4\nactual    ^----!   subscribed at 0, unsubscribed at 5');
  });
});
