/**
 * rxesl/testing's marble failures: what a failing comparison says, drawn as marble diagrams
 * (expected over actual, aligned, values listed under them), for values, errors, completion,
 * groups, EslEvents and objects, subscriptions, long gaps; and that what is drawn reads back as
 * the same frames.
 */
import { concatWith, delay, map, of, throwError, timer } from 'rxjs';
import { type RunHelpers, TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { EslEvent, EslHangupError } from 'rxesl';
import { MarbleMismatchError, describeMarbleMismatch, marbleScheduler, sameValue } from 'rxesl/testing';

/** The message of the failure a marble test gives; fails if the marbles matched. */
function failure(body: (h: RunHelpers) => void, scheduler: TestScheduler = marbleScheduler()): string {
  try {
    scheduler.run(body);
  } catch (err) {
    if (err instanceof MarbleMismatchError) return err.message;
    throw err;
  }
  throw new Error('the marbles matched');
}

describe('a failing marble comparison', () => {
  it('draws expected over actual, aligned, with the values under them', () => {
    const message = failure(({ cold, expectObservable }) => {
      const commands = cold('-a---h--|', { a: 'execute answer', h: 'hangup' });
      expectObservable(commands).toBe('-a---h-|', { a: 'execute answer', h: 'hangup USER_BUSY' });
    });
    expect(message).toBe(
      [
        'the notifications differ from the marbles expected:',
        '',
        'expected  -a---h-|',
        'actual    -a---b--|',
        '',
        'a  "execute answer"',
        'h  "hangup USER_BUSY"   (expected only)',
        'b  "hangup"   (actual only)',
      ].join('\n'),
    );
  });

  it('keeps the marbles own letters for one-character values, and nothing is drawn after the end', () => {
    const message = failure(({ cold, expectObservable }) => {
      expectObservable(cold('-a|')).toBe('-a-b-c|');
    });
    expect(message.split('\n').slice(2, 4)).toEqual(['expected  -a-b-c|', 'actual    -a|']);
    expect(message).toContain('\nb  "b"   (expected only)\nc  "c"   (expected only)');
  });

  it('draws an error as #, and lists it: once when both sides have the same, else each', () => {
    const hangup = new EslHangupError('0b9ae5b8', 'NORMAL_CLEARING');
    const same = failure(({ cold, expectObservable }) => {
      expectObservable(cold('-a--#', { a: 1 }, hangup)).toBe('-a-#', { a: 1 }, new EslHangupError('0b9ae5b8', 'NORMAL_CLEARING'));
    });
    expect(same.split('\n').slice(2)).toEqual([
      'expected  -a-#',
      'actual    -a--#',
      '',
      'a  1',
      '#  EslHangupError: channel 0b9ae5b8 hung up (NORMAL_CLEARING) { uuid: "0b9ae5b8", hangupCause: "NORMAL_CLEARING" }',
    ]);
    const different = failure(({ cold, expectObservable }) => {
      expectObservable(cold('-#', undefined, new Error('socket closed'))).toBe('-#', undefined, hangup);
    });
    expect(different.split('\n').slice(2)).toEqual([
      'expected  -#',
      'actual    -#',
      '',
      '#  EslHangupError: channel 0b9ae5b8 hung up (NORMAL_CLEARING) { uuid: "0b9ae5b8", hangupCause: "NORMAL_CLEARING" }   (expected only)',
      '#  Error: socket closed   (actual only)',
    ]);
    const completed = failure(({ cold, expectObservable }) => {
      expectObservable(cold('--|')).toBe('--#', undefined, 'timeout');
    });
    expect(completed.split('\n').slice(2)).toEqual(['expected  --#', 'actual    --|', '', '#  "timeout"   (expected only)']);
  });

  it('draws simultaneous values as a group, and keeps what follows in line with the other side', () => {
    const message = failure(({ cold, expectObservable }) => {
      expectObservable(cold('(ab)-c|')).toBe('a----c|');
    });
    expect(message.split('\n').slice(2, 4)).toEqual(['expected  a----c|', 'actual    (ab)-c|']);
    // The group of the other side makes room on this one: c stays under c.
    const both = failure(({ cold, expectObservable }) => {
      expectObservable(cold('-(ab|)')).toBe('-(abc)|');
    });
    expect(both.split('\n').slice(2, 4)).toEqual(['expected  -(abc)|', 'actual    -(ab|)']);
  });

  it('says so, with the frames, when a group is wider than the time to what follows it', () => {
    const message = failure(({ expectObservable }) => {
      // 1 and 2 at frame 0, 3 and the end at frame 1: drawn as marbles, (ab) takes 4 frames.
      expectObservable(of(1, 2).pipe(concatWith(timer(1).pipe(map(() => 3))))).toBe('(ab)', { a: 1, b: 2 });
    });
    expect(message.split('\n').slice(2)).toEqual([
      'expected  (ab)',
      'actual    (ab)(c|)',
      '',
      'Some are drawn later than their frame (a group is wider than the time to the next); the frames:',
      'expected  (ab)@0',
      'actual    (ab)@0 (c|)@1',
      '',
      'a  1',
      'b  2',
      'c  3   (actual only)',
    ]);
  });

  it('tells EslEvents apart by their headers and body, and shows them', () => {
    const dtmf = (digit: string): EslEvent => new EslEvent({ 'Event-Name': 'DTMF', 'Unique-ID': '0b9ae5b8', 'DTMF-Digit': digit });
    // An EslEvent keeps its headers in private fields: a structural comparison sees two equal objects.
    expect(dtmf('1')).toEqual(dtmf('2'));
    expect(sameValue(dtmf('1'), dtmf('2'))).toBe(false);
    expect(sameValue(dtmf('1'), dtmf('1'))).toBe(true);
    const message = failure(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b', { a: dtmf('1'), b: dtmf('2') })).toBe('-a-b', { a: dtmf('1'), b: dtmf('3') });
    });
    expect(message.split('\n').slice(2)).toEqual([
      'expected  -a-b',
      'actual    -a-c',
      '',
      'a  EslEvent { "Event-Name": "DTMF", "Unique-ID": "0b9ae5b8", "DTMF-Digit": "1" }',
      'b  EslEvent { "Event-Name": "DTMF", "Unique-ID": "0b9ae5b8", "DTMF-Digit": "3" }   (expected only)',
      'c  EslEvent { "Event-Name": "DTMF", "Unique-ID": "0b9ae5b8", "DTMF-Digit": "2" }   (actual only)',
    ]);
    const withBody = new EslEvent({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j1' }, '+OK done\n');
    expect(describeMarbleMismatch([{ frame: 0, notification: { kind: 'N', value: withBody } }], [])).toContain(
      'a  EslEvent { "Event-Name": "BACKGROUND_JOB", "Job-UUID": "j1" } body "+OK done\\n"   (actual only)',
    );
  });

  it('shows objects on one line: nested, typed, with Maps, Sets, bytes and dates', () => {
    class Assignment {
      constructor(
        readonly agent: string,
        readonly calls: string[],
      ) {}
    }
    const message = failure(({ cold, expectObservable }) => {
      const values = {
        a: new Assignment('1001', ['c1']),
        m: new Map([['room', new Set(['alice', 'bob'])]]),
        w: Buffer.from('api status\n\n'),
        d: new Date(Date.UTC(2024, 7, 2)),
      };
      expectObservable(cold('amwd', values)).toBe('amwd', { ...values, a: new Assignment('1001', ['c2']) });
    });
    expect(message.split('\n').slice(5)).toEqual([
      'a  Assignment { agent: "1001", calls: ["c2"] }   (expected only)',
      'm  Map { "room" => Set { "alice", "bob" } }',
      'w  Buffer "api status\\n\\n"',
      'd  Date 2024-08-02T00:00:00.000Z',
      'b  Assignment { agent: "1001", calls: ["c1"] }   (actual only)',
    ]);
  });

  it('draws an inner Observable (a value that is one) as marbles too', () => {
    const message = failure(({ cold, expectObservable }) => {
      expectObservable(cold('-x|', { x: cold('a-b|', { a: 1, b: 2 }) })).toBe('-x|', { x: cold('a-b-#', { a: 1, b: 3 }) });
    });
    expect(message.split('\n').slice(2)).toEqual([
      'expected  -x|',
      'actual    -a|',
      '',
      'x  Observable "a-b-#" { a: 1, b: 3, #: "error" }   (expected only)',
      'a  Observable "a-b|" { a: 1, b: 2 }   (actual only)',
    ]);
  });

  it('writes a long quiet stretch as time progression, on both lines', () => {
    const message = failure(({ cold, expectObservable }) => {
      expectObservable(cold('a 30s b|')).toBe('a 29999ms b|');
    });
    // b at 30000 expected, at 30001 actual: the same column is the same frame on both lines.
    expect(message.split('\n').slice(2, 4)).toEqual(['expected  a 29999ms b|', 'actual    a 29999ms -b|']);
    // A line that ended stays blank under the other's time progression.
    const ended = failure(({ cold, expectObservable }) => {
      expectObservable(cold('a|')).toBe('a 100ms b|');
    });
    expect(ended.split('\n').slice(2, 4)).toEqual(['expected  a- 99ms b|', 'actual    a|']);
  });

  it('draws what reads back as the same frames', () => {
    const cases = [
      ['-a-(bc)--d 100ms e-|', { a: 1, b: 2, c: 3, d: 4, e: 5 }],
      ['(ab|)', { a: 'x', b: 'y' }],
      ['--a 25ms (bc) 1s #', { a: 1, b: 2, c: 3 }],
    ] as const;
    for (const [marbles, values] of cases) {
      const scheduler = marbleScheduler();
      scheduler.run(() => {
        const parsed = TestScheduler.parseMarbles(marbles, values, 'boom', false, true);
        // Compared with nothing, the drawing is the expected line; read it back.
        const drawn = describeMarbleMismatch([], parsed).split('\n')[2]!.slice('expected  '.length);
        const keys = Object.fromEntries(describeMarbleMismatch([], parsed).split('\n').filter((l) => /^[a-z] {2}/.test(l)).map((l) => [l[0], JSON.parse(l.slice(3).replace(/ {3}\(expected only\)$/, ''))]));
        expect(TestScheduler.parseMarbles(drawn, keys, 'boom', false, true)).toEqual(parsed);
      });
    }
  });

  it('draws subscriptions, one line each, with their frames', () => {
    const message = failure(({ cold, expectSubscriptions }) => {
      const source = cold('-a-b-|');
      source.subscribe().unsubscribe();
      source.subscribe();
      expectSubscriptions(source.subscriptions).toBe(['^--!', '^-----!']);
    });
    expect(message).toBe(
      [
        'the subscriptions differ from the marbles expected:',
        '',
        'expected  ^--!      subscribed at 0, unsubscribed at 3',
        '          ^-----!   subscribed at 0, unsubscribed at 6',
        'actual    (^!)      subscribed at 0, unsubscribed at 0',
        '          ^----!    subscribed at 0, unsubscribed at 5',
      ].join('\n'),
    );
    const never = failure(({ hot, expectSubscriptions }) => {
      const source = hot('--a--');
      source.subscribe();
      expectSubscriptions(source.subscriptions).toBe('--^--!');
    });
    expect(never.split('\n').slice(2)).toEqual(['expected  --^--!   subscribed at 2, unsubscribed at 5', 'actual    ^        subscribed at 0, never unsubscribed']);
  });

  it('draws outside run() too, a character for ten frames', () => {
    const scheduler = marbleScheduler();
    scheduler.expectObservable(scheduler.createColdObservable('-a--b|')).toBe('-a--c|');
    expect(() => scheduler.flush()).toThrow(/^the notifications differ from the marbles expected:\n\nexpected {2}-a--c\|\nactual {4}-a--b\|\n/);
    // A frame between two characters: one character a frame, said.
    const odd = marbleScheduler();
    odd.expectObservable(of('x').pipe(delay(15, odd))).toBe('-x');
    expect(() => odd.flush()).toThrow(/expected {2}-{10}x\nactual {4}-{15}\(x\|\)\n\none character is one frame here/);
  });

  it('compares values with the equality it is given', () => {
    const loose = marbleScheduler({ equals: (a, b) => String(a) === String(b) });
    loose.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: 1 })).toBe('-a|', { a: '1' });
    });
    expect(() =>
      marbleScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', { a: 1 })).toBe('-a|', { a: '1' });
      }),
    ).toThrow(MarbleMismatchError);
    // A failure from an operator still shows what came out before it.
    const message = failure(({ expectObservable }) => {
      expectObservable(of(1).pipe(concatWith(throwError(() => new EslHangupError('u', 'USER_BUSY'))))).toBe('a|', { a: 1 });
    });
    expect(message.split('\n').slice(2, 7)).toEqual([
      'expected  a---|',
      'actual    (a#)',
      '',
      'Some are drawn later than their frame (a group is wider than the time to the next); the frames:',
      'expected  a@0 |@1',
    ]);
  });
});
