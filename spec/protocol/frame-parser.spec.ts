import { describe, expect, it } from 'vitest';
import { EslProtocolError, Frame, FrameParser, parseFrames } from 'rxesl';
import { randomChunks, rechunk } from 'rxesl/testing';
import { type FixtureFrame, fixtureNames, loadFixture, sha256 } from '../helpers/fixtures';

/** What the reference parse records for a frame, computed from ours. */
function summary(f: Frame): Omit<FixtureFrame, 'index' | 'offset' | 'length' | 'event' | 'decodedHeaders' | 'notes'> {
  const s: ReturnType<typeof summary> = {
    contentType: f.contentType ?? null,
    headers: f.headers.toObject(),
    bodyLength: f.body.length,
    bodySha256: sha256(f.body),
  };
  if (f.body.length < 4096) s.bodyText = f.bodyText;
  return s;
}

function reference(f: FixtureFrame): ReturnType<typeof summary> {
  const s: ReturnType<typeof summary> = {
    contentType: f.contentType,
    headers: { ...f.headers },
    bodyLength: f.bodyLength,
    bodySha256: f.bodySha256,
  };
  if (f.bodyText !== undefined) s.bodyText = f.bodyText;
  return s;
}

function parseChunks(chunks: Uint8Array[]): Frame[] {
  const out: Frame[] = [];
  const p = new FrameParser();
  for (const c of chunks) p.push(c, (f) => out.push(f));
  p.end();
  return out;
}

const fx = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('FrameParser on the FreeSWITCH 1.10.12 captures', () => {
  for (const name of fixtureNames()) {
    const fixture = loadFixture(name);
    const expected = fixture.frames.map(reference);

    describe(name, () => {
      it(`parses s2c.bin whole into the ${fixture.frames.length} frames of frames.json`, () => {
        expect(parseFrames(fixture.s2c).map(summary)).toEqual(expected);
      });

      it('gives the same frames in the chunks FreeSWITCH actually sent', () => {
        expect(Buffer.concat(fixture.s2cChunks).equals(fixture.s2c)).toBe(true);
        expect(parseChunks(fixture.s2cChunks).map(summary)).toEqual(expected);
      });

      it('gives the same frames byte by byte', () => {
        expect(parseChunks(rechunk(fixture.s2c, 1)).map(summary)).toEqual(expected);
      });

      it('gives the same frames for 20 random chunkings of 1-97 bytes', () => {
        for (let seed = 1; seed <= 20; seed++) {
          expect(parseChunks(randomChunks(fixture.s2c, seed)).map(summary), `seed ${seed}`).toEqual(expected);
        }
      });

      it('gives the same frames cut in two at every byte (or every byte near a frame edge for large captures)', () => {
        const s2c = fixture.s2c;
        const cuts = new Set<number>();
        if (s2c.length <= 20_000) {
          for (let i = 1; i < s2c.length; i++) cuts.add(i);
        } else {
          // Around every frame start, every "\n\n" and every body start: the places a parser gets wrong.
          for (const f of fixture.frames) {
            const headEnd = s2c.indexOf('\n\n', f.offset) + 2;
            for (const edge of [f.offset, headEnd - 1, headEnd, f.offset + f.length]) {
              for (let d = -3; d <= 3; d++) if (edge + d > 0 && edge + d < s2c.length) cuts.add(edge + d);
            }
          }
          for (let i = 1; i < s2c.length; i += 97) cuts.add(i);
        }
        for (const cut of cuts) {
          const got = parseChunks([s2c.subarray(0, cut), s2c.subarray(cut)]);
          if (got.length !== expected.length) throw new Error(`cut at ${cut}: ${got.length} frames, expected ${expected.length}`);
          for (let i = 0; i < got.length; i++) {
            const g = got[i]!;
            const e = fixture.frames[i]!;
            if (g.contentType !== (e.contentType ?? undefined) || g.body.length !== e.bodyLength) {
              throw new Error(`cut at ${cut}: frame ${i} is ${g} but the capture has ${e.contentType} with ${e.bodyLength} body bytes`);
            }
          }
          expect(sha256(Buffer.concat(got.map((f) => f.body)))).toBe(
            sha256(Buffer.concat(fixture.frames.map((f) => s2c.subarray(f.offset + f.length - f.bodyLength, f.offset + f.length)))),
          );
        }
      });

      it('hands out frames whose toBytes() is exactly what FreeSWITCH wrote', () => {
        const frames = parseFrames(fixture.s2c);
        expect(Buffer.concat(frames.map((f) => f.toBytes())).equals(fixture.s2c)).toBe(true);
      });
    });
  }
});

describe('FrameParser on hand-made bytes', () => {
  const reply = 'Content-Type: command/reply\nReply-Text: +OK Job-UUID: 7f4db78a-17d7-11dd-b7a0-db4edd065621\nJob-UUID: 7f4db78a-17d7-11dd-b7a0-db4edd065621\n\n';
  const api = 'Content-Type: api/response\nContent-Length: 11\n\ncafé <ok>\n';
  const event = 'Content-Length: 5\nContent-Type: text/event-plain\n\nab\n\nc';

  it('splits each header line at the first colon only', () => {
    const [f] = parseFrames(fx(reply));
    expect(f!.headers.get('Reply-Text')).toBe('+OK Job-UUID: 7f4db78a-17d7-11dd-b7a0-db4edd065621');
    expect(f!.headers.get('job-uuid')).toBe('7f4db78a-17d7-11dd-b7a0-db4edd065621');
    expect(f!.contentType).toBe('command/reply');
  });

  it('reads Content-Length as bytes wherever it stands in the block', () => {
    const frames = parseFrames(fx(api + event));
    expect(frames.map((f) => f.contentType)).toEqual(['api/response', 'text/event-plain']);
    expect(frames[0]!.bodyText).toBe('café <ok>\n');
    expect(frames[0]!.body.length).toBe(11);
    expect(frames[1]!.bodyText).toBe('ab\n\nc');
  });

  it('takes a block without Content-Length as a frame without body (the outbound connect reply)', () => {
    const connect = 'Event-Name: CHANNEL_DATA\nUnique-ID: abc\nContent-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n';
    const frames = parseFrames(fx(connect + api));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.contentType).toBe('command/reply');
    expect(frames[0]!.body.length).toBe(0);
    expect(frames[0]!.headers.get('Reply-Text')).toBe('%2BOK%0A');
  });

  it('finds "\\n\\n" split across chunks, a multi-byte character split across chunks, and header/body split', () => {
    const bytes = fx(reply + api + event);
    const nn = reply.length - 1; // between the two LFs ending the reply
    const inE = bytes.indexOf('é') + 1; // inside the two bytes of é
    const bodyStart = bytes.indexOf('café');
    for (const cut of [nn, inE, bodyStart]) {
      const frames = parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(frames.map((f) => f.contentType), `cut ${cut}`).toEqual(['command/reply', 'api/response', 'text/event-plain']);
      expect(frames[1]!.bodyText).toBe('café <ok>\n');
    }
  });

  it('emits many frames from one chunk, in order', () => {
    const many = fx(Array.from({ length: 100 }, (_, i) => `Content-Type: command/reply\nReply-Text: +OK ${i}\n\n`).join(''));
    expect(parseFrames(many).map((f) => f.headers.get('Reply-Text'))).toEqual(Array.from({ length: 100 }, (_, i) => `+OK ${i}`));
  });

  it('skips stray newlines between frames and keeps an empty header value', () => {
    const frames = parseFrames(fx(`\n\r\n${api}\n\nContent-Type: log/data\nContent-Length: 2\nUser-Data: \n\nx\n`));
    expect(frames.map((f) => f.contentType)).toEqual(['api/response', 'log/data']);
    expect(frames[1]!.headers.get('User-Data')).toBe('');
  });

  it('keeps a multi-megabyte body exact when it arrives in 64 KiB chunks', () => {
    const body = Buffer.alloc(5 * 1024 * 1024 + 3);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const bytes = Buffer.concat([fx(`Content-Type: api/response\nContent-Length: ${body.length}\n\n`), body, fx(reply)]);
    const frames = parseChunks(rechunk(bytes, 65536));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.body.equals(body)).toBe(true);
  });

  it('reads near-miss event heads the general way, with the same result', () => {
    const pad = 'x'.repeat(40);
    const cases = [
      `Content-Length: 3\nContent-Type: text/event-plainish\nX-Pad: ${pad}\n\nabc`,
      `Content-Length: 3\nContent-Type: text/event-json\nX-Pad: ${pad}\n\nabc`,
      `Content-Length: 03\nContent-Type: text/event-xml\n\nabc${pad}`,
      `Content-Length: 3\nContent-Type: text/event-csv\n\nabc${pad}`,
    ];
    for (const wire of cases) {
      const [f] = parseFrames(fx(wire).subarray(0, wire.indexOf('\n\n') + 5));
      expect(f!.body.toString()).toBe('abc');
      expect(f!.headers.toObject()).toEqual(Object.fromEntries(wire.slice(0, wire.indexOf('\n\n')).split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])));
    }
    expect(() => parseFrames(fx(`Content-Length: 2000\nContent-Type: text/event-plain\n\n${pad}`), { maxBodyBytes: 1000 })).toThrow(
      expect.objectContaining({ code: 'BODY_TOO_LARGE' }),
    );
  });

  it('reads api reply heads the fast way and near misses the general way, with the same result', () => {
    const pad = 'x'.repeat(40);
    const cases = [
      `Content-Type: api/response\nContent-Length: 3\n\nabc`,
      `Content-Type: api/response\nContent-Length: 3\nX-Pad: ${pad}\n\nabc`,
      `Content-Type: api/responses\nContent-Length: 3\n\nabc${pad}`,
      `Content-Type: api/response\nContent-Length: 003\n\nabc`,
      `Content-type: api/response\nContent-Length: 3\n\nabc${pad}`,
      `Content-Type: api/response\ncontent-length: 3\n\nabc${pad}`,
    ];
    for (const wire of cases) {
      const whole = fx(wire).subarray(0, wire.indexOf('\n\n') + 5);
      const [f] = parseFrames(whole);
      expect(f!.contentType?.toLowerCase()).toMatch(/^api\/response/);
      expect(f!.body.toString()).toBe('abc');
      expect(f!.headers.toObject()).toEqual(Object.fromEntries(wire.slice(0, wire.indexOf('\n\n')).split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])));
      // Cut anywhere, the same frame.
      for (let cut = 1; cut < whole.length; cut++) {
        const out: Frame[] = [];
        const p = new FrameParser();
        p.push(whole.subarray(0, cut), (x) => out.push(x));
        p.push(whole.subarray(cut), (x) => out.push(x));
        expect(out).toHaveLength(1);
        expect(out[0]!.toBytes().equals(f!.toBytes())).toBe(true);
      }
    }
  });

  describe('bad input gives a typed EslProtocolError and stops the parser', () => {
    const cases: Array<[string, string, string]> = [
      ['negative Content-Length', 'Content-Type: api/response\nContent-Length: -5\n\nabc', 'BAD_CONTENT_LENGTH'],
      ['non-numeric Content-Length', 'Content-Type: api/response\nContent-Length: 12abc\n\nabc', 'BAD_CONTENT_LENGTH'],
      ['empty Content-Length', 'Content-Type: api/response\nContent-Length: \n\nabc', 'BAD_CONTENT_LENGTH'],
      ['absurd Content-Length', 'Content-Type: api/response\nContent-Length: 99999999999\n\nabc', 'BODY_TOO_LARGE'],
      ['conflicting Content-Length', 'Content-Length: 3\nContent-Length: 4\n\nabcd', 'BAD_CONTENT_LENGTH'],
      ['a header line without colon', 'Content-Type: api/response\ngarbage line\n\n', 'MALFORMED_HEADER'],
    ];
    for (const [what, wire, code] of cases) {
      it(what, () => {
        const p = new FrameParser();
        const out: Frame[] = [];
        let err: unknown;
        try {
          p.push(fx(reply + wire), (f) => out.push(f));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(EslProtocolError);
        expect((err as EslProtocolError).code).toBe(code);
        expect((err as EslProtocolError).offset).toBe(reply.length);
        expect((err as EslProtocolError).message).toMatch(/frame at byte \d+/);
        expect(out.map((f) => f.contentType)).toEqual(['command/reply']);
        expect(() => p.push(fx(reply), () => {})).toThrow(EslProtocolError);
      });
    }

    it('a header block over the limit, whole or growing chunk by chunk', () => {
      const big = fx(`Content-Type: command/reply\nX: ${'a'.repeat(2000)}\n\n`);
      expect(() => parseFrames(big, { maxHeaderBytes: 1024 })).toThrow(/exceeds the limit of 1024/);
      const p = new FrameParser({ maxHeaderBytes: 1024 });
      expect(() => {
        for (const c of rechunk(big, 100)) p.push(c, () => {});
      }).toThrow(expect.objectContaining({ code: 'HEADER_TOO_LARGE' }));
    });

    it('a body over the limit', () => {
      expect(() => parseFrames(fx('Content-Type: api/response\nContent-Length: 2000\n\n'), { maxBodyBytes: 1000 })).toThrow(
        expect.objectContaining({ code: 'BODY_TOO_LARGE' }),
      );
    });

    it('a stream that ends inside a header block or a body', () => {
      expect(() => parseFrames(fx(`${reply}Content-Type: api/resp`))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
      expect(() => parseFrames(fx(`${reply}Content-Type: api/response\nContent-Length: 10\n\nabc`))).toThrow(
        /stream ended inside a body \(3 of 10 bytes received\)/,
      );
    });

    it('default limits accept a 100 KB header block and a 64 MiB body', () => {
      const wide = fx(`Event-Name: CHANNEL_DATA\n${Array.from({ length: 2000 }, (_, i) => `variable_v${i}: ${'x'.repeat(40)}`).join('\n')}\nContent-Type: command/reply\n\n`);
      expect(wide.length).toBeGreaterThan(100_000);
      expect(parseFrames(wide)[0]!.headers.size).toBe(2002);
      const p = new FrameParser();
      const head = fx(`Content-Type: api/response\nContent-Length: ${64 * 1024 * 1024}\n\n`);
      expect(() => p.push(head, () => {})).not.toThrow();
      expect(p.bufferedBytes).toBe(0);
    });
  });
});
