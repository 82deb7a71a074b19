import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EslEvent, type EventFormat, FrameParser, type Frame } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';

/** Header names FreeSWITCH could write; XML needs them to be XML names. */
const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/).filter((n) => !['content-length', '_body'].includes(n.toLowerCase()));
/** A pool, so names repeat as FreeSWITCH's do. */
const names = fc.array(headerName, { minLength: 1, maxLength: 6 });

function valueFor(format: EventFormat) {
  return fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
    .filter(
      (v) =>
        // FreeSWITCH stores no empty value, and ARRAY:: values are arrays.
        !v.startsWith('ARRAY::') &&
        // The lossy corner of FreeSWITCH's encoder (documented): %XX is not re-encoded.
        (format === 'json' || !/%[0-9A-F]{2}/.test(v)) &&
        // XML text cannot hold NUL.
        (format !== 'xml' || !v.includes('\0')),
    );
}

function bodyFor(format: EventFormat) {
  const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 });
  const withLines = fc.array(text, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('\n\n'));
  const body = fc.oneof(text, withLines).filter(
    (b) =>
      format !== 'xml' ||
      // XML 1.0 cannot carry these raw, and "<!" switches FreeSWITCH's escaping off (PROTOCOL.md §1.6).
      (!/[\0-\x08\x0b\x0c\x0e-\x1f]/.test(b) && !b.includes('<!')),
  );
  return fc.option(body, { nil: undefined });
}

function eventFor(format: EventFormat) {
  return fc
    .tuple(names, fc.array(fc.tuple(fc.nat(), valueFor(format)), { minLength: 1, maxLength: 12 }), bodyFor(format))
    .map(([pool, picks, body]) => {
      const headers: Array<[string, string]> = [['Event-Name', 'CUSTOM'], ...picks.map(([i, v]): [string, string] => [pool[i % pool.length]!, v])];
      return { headers, body };
    });
}

describe('parse(serialize(e)) equals e', () => {
  for (const format of ['plain', 'json', 'xml'] as const) {
    it(`${format}: headers in order with repeats, non-ASCII and % in values, blank lines in bodies`, () => {
      fc.assert(
        fc.property(eventFor(format), ({ headers, body }) => {
          const e = new EslEvent(headers, body);
          const back = EslEvent.parse(format, e.toBytes(format));
          expect(back.headerList()).toEqual(e.headerList());
          expect(back.getBody()).toBe(body);
          // and through a frame, as it comes off the socket
          const frames: Frame[] = [];
          new FrameParser().push(ServerFrames.event(format, e.toBytes(format)), (f) => frames.push(f));
          expect(EslEvent.fromFrame(frames[0]!).headerList()).toEqual(e.headerList());
        }),
        { numRuns: 300 },
      );
    });
  }

  it('the three formats read back to the same event', () => {
    fc.assert(
      fc.property(eventFor('xml'), ({ headers, body }) => {
        fc.pre(headers.every(([, v]) => !/%[0-9A-F]{2}/.test(v)));
        const e = new EslEvent(headers, body);
        const [p, j, x] = (['plain', 'json', 'xml'] as const).map((f) => EslEvent.parse(f, e.toBytes(f)));
        expect(j!.headerList()).toEqual(p!.headerList());
        expect(x!.headerList()).toEqual(p!.headerList());
        expect([j!.getBody(), x!.getBody()]).toEqual([p!.getBody(), p!.getBody()]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('any chunking of any frame stream gives the same frames', () => {
  const frameBytes = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }).map((t) => ServerFrames.commandReply(`+OK ${t.replace(/[\r\n]/g, ' ')}`)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).map((b) => ServerFrames.apiResponse(b)),
    eventFor('plain').map(({ headers, body }) => ServerFrames.event('plain', new EslEvent(headers, body).toBytes('plain'))),
    eventFor('json').map(({ headers, body }) => ServerFrames.event('json', new EslEvent(headers, body).toBytes('json'))),
  );

  it('splits at arbitrary points', () => {
    fc.assert(
      fc.property(fc.array(frameBytes, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), (list, sizes) => {
        const all = Buffer.concat(list);
        const whole: Frame[] = [];
        new FrameParser().push(all, (f) => whole.push(f));
        expect(whole).toHaveLength(list.length);
        const parts: Frame[] = [];
        const p = new FrameParser();
        let pos = 0;
        let k = 0;
        while (pos < all.length) {
          const n = sizes[k++ % sizes.length]!;
          p.push(all.subarray(pos, pos + n), (f) => parts.push(f));
          pos += n;
        }
        p.end();
        expect(parts.map((f) => f.toBytes().toString('latin1'))).toEqual(whole.map((f) => f.toBytes().toString('latin1')));
      }),
      { numRuns: 300 },
    );
  });
});
