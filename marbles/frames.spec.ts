import { map, take } from 'rxjs';
import { describe, it } from 'vitest';
import { EslProtocolError, frames, type Frame } from 'rxesl';
import { scheduler as schedulerOf } from './helpers';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Frames compared by what a reader sees: content type, headers, body text. */
const view = (f: Frame) => ({ type: f.contentType, headers: f.headers.toObject(), body: f.bodyText });

/** Errors are compared by class and code, not by message. */
const scheduler = () => schedulerOf({ errorMessages: false });

const chunks = {
  // auth/request in two pieces: the split falls inside the "\n\n".
  a: b('Content-Type: auth/request\n'),
  b: b('\nContent-Type: command/reply\nReply-Text: +OK accepted\n\nContent-Length: 15\nContent-Type: text/event-plain\n\nEvent-'),
  c: b('Name: X\n\n'),
  // an api/response whose two-byte "é" is cut in half
  d: Buffer.from([...b('Content-Type: api/response\nContent-Length: 6\n\ncaf'), 0xc3]),
  e: Buffer.from([0xa9, 0x0a]),
};

const out = {
  A: { type: 'auth/request', headers: { 'Content-Type': 'auth/request' }, body: '' },
  R: { type: 'command/reply', headers: { 'Content-Type': 'command/reply', 'Reply-Text': '+OK accepted' }, body: '' },
  E: { type: 'text/event-plain', headers: { 'Content-Length': '15', 'Content-Type': 'text/event-plain' }, body: 'Event-Name: X\n\n' },
  P: { type: 'api/response', headers: { 'Content-Type': 'api/response', 'Content-Length': '6' }, body: 'café\n' },
};

describe('frames(): chunks in, frames out', () => {
  it('emits each frame when its last byte arrives, whatever the chunking', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bytes = cold('-a--b-----c---d-e-|', chunks);
      const subs = '      ^-----------------!';
      const parsed = '    ----(AR)--E-----P-|';
      expectObservable(bytes.pipe(frames(), map(view))).toBe(parsed, out);
      expectSubscriptions(bytes.subscriptions).toBe(subs);
    });
  });

  it('errors with EslProtocolError on a bad Content-Length, after the good frames', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const r = b('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
      const x = b('Content-Type: api/response\nContent-Length: -1\n\n');
      const bytes = cold('-r-x-r-|', { r, x });
      const subs = '      ^--!';
      const parsed = '    -R-#';
      expectObservable(bytes.pipe(frames(), map(view))).toBe(parsed, out, new EslProtocolError('BAD_CONTENT_LENGTH', 'x'));
      expectSubscriptions(bytes.subscriptions).toBe(subs);
    });
  });

  it('errors with TRUNCATED when the source completes in the middle of a frame', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bytes = cold('-a-|', chunks);
      const subs = '      ^--!';
      const parsed = '    ---#';
      expectObservable(bytes.pipe(frames())).toBe(parsed, undefined, new EslProtocolError('TRUNCATED', 'x'));
      expectSubscriptions(bytes.subscriptions).toBe(subs);
    });
  });

  it('completes when the source completes between frames, and passes a source error through', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bytes = cold('  -a-b-----c-|', chunks);
      const subs = '        ^----------!';
      const types = '       ---(ar)--s-|';
      // a is incomplete when the source fails: its error is the one that arrives.
      const failing = cold('-a-#', chunks, new Error('socket reset'));
      const failingSubs = ' ^--!';
      const failed = '      ---#';
      expectObservable(bytes.pipe(frames(), map((f) => f.contentType))).toBe(types, { a: 'auth/request', r: 'command/reply', s: 'text/event-plain' });
      expectObservable(failing.pipe(frames())).toBe(failed, undefined, new Error('socket reset'));
      expectSubscriptions(bytes.subscriptions).toBe(subs);
      expectSubscriptions(failing.subscriptions).toBe(failingSubs);
    });
  });

  it('stops when the consumer has what it wants (take) and unsubscribes from the bytes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bytes = cold('-a-b-c-d-e-|', chunks);
      const subs = '      ^--!';
      const types = '     ---(ar|)';
      expectObservable(bytes.pipe(frames(), take(2), map((f) => f.contentType))).toBe(types, { a: 'auth/request', r: 'command/reply' });
      expectSubscriptions(bytes.subscriptions).toBe(subs);
    });
  });
});
