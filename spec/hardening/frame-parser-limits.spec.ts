/**
 * The frame parser's limits (issue 12, items 7 and 12): every option is validated with a typed
 * error; an announced Content-Length reserves nothing by itself (the body grows as its bytes
 * arrive, doubling, so copying stays linear); the limits can start small and be raised once
 * the peer is authenticated.
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, EslArgumentError, EslProtocolError, type Frame, FrameParser, HANDSHAKE_MAX_BODY_BYTES, MAX_PARSER_LIMIT_BYTES } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('options are validated, with EslArgumentError', () => {
  it.each<[string, object]>([
    ['maxBodyBytes above 4 GiB', { maxBodyBytes: 5 * GiB }],
    ['maxBodyBytes above the longest string', { maxBodyBytes: MAX_PARSER_LIMIT_BYTES + 1 }],
    ['maxBodyBytes negative', { maxBodyBytes: -1 }],
    ['maxBodyBytes fractional', { maxBodyBytes: 1.5 }],
    ['maxBodyBytes NaN', { maxBodyBytes: Number.NaN }],
    ['maxBodyBytes a string', { maxBodyBytes: '1024' }],
    ['maxHeaderBytes 0', { maxHeaderBytes: 0 }],
    ['maxHeaderBytes above 4 GiB', { maxHeaderBytes: 5 * GiB }],
    ['maxHeaderBytes null', { maxHeaderBytes: null }],
  ])('%s', (_what, options) => {
    expect(() => new FrameParser(options as never)).toThrow(EslArgumentError);
  });

  it('a body announced above 4 GiB with a 4 GiB limit used to throw an untyped RangeError; now the limit itself is refused', () => {
    expect(() => new FrameParser({ maxBodyBytes: 4 * GiB + 1 })).toThrow(EslArgumentError);
    // The largest accepted limit still refuses such a body with the protocol error.
    const p = new FrameParser({ maxBodyBytes: Number.POSITIVE_INFINITY });
    expect(p.limits.maxBodyBytes).toBe(MAX_PARSER_LIMIT_BYTES);
    expect(() => p.push(Buffer.from(`Content-Type: api/response\nContent-Length: ${5 * GiB}\n\n`), () => {})).toThrow(
      expect.objectContaining({ name: 'EslProtocolError', code: 'BODY_TOO_LARGE' }),
    );
  });

  it('the largest limit is the longest string this Node can make', () => {
    expect(MAX_PARSER_LIMIT_BYTES).toBe(constants.MAX_STRING_LENGTH);
  });

  it('setLimits with an invalid value throws and changes nothing', () => {
    const p = new FrameParser();
    expect(() => p.setLimits({ maxHeaderBytes: 1024, maxBodyBytes: -5 })).toThrow(EslArgumentError);
    expect(p.limits).toEqual({ maxHeaderBytes: 8 * MiB, maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
  });
});

describe('an announced body reserves nothing by itself', () => {
  const announce = (n: number): Buffer => Buffer.from(`Content-Type: api/response\nContent-Length: ${n}\n\nfirst bytes`);

  it('eight peers announcing 120 MiB each, having sent a few bytes, hold kilobytes, not 960 MB', () => {
    const before = process.memoryUsage().arrayBuffers;
    const parsers = Array.from({ length: 8 }, () => new FrameParser());
    for (const p of parsers) p.push(announce(120 * MiB), () => {});
    const reserved = parsers.reduce((n, p) => n + p.reservedBytes, 0);
    expect(reserved).toBeLessThanOrEqual(8 * 64 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * MiB);
  });

  it('grows by doubling as the bytes arrive (a handful of copies), and the frame body is exactly the announced size', () => {
    const size = 20 * MiB + 3;
    const p = new FrameParser();
    const frames: Frame[] = [];
    const sizes = new Set<number>();
    p.push(announce(size), (f) => frames.push(f));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 'first bytes'.length;
    while (sent < size) {
      const n = Math.min(chunk.length, size - sent);
      p.push(chunk.subarray(0, n), (f) => frames.push(f));
      sent += n;
      if (frames.length === 0) {
        sizes.add(p.reservedBytes);
        // Never more than twice what has arrived (plus the first 64 KiB).
        expect(p.reservedBytes).toBeLessThanOrEqual(Math.max(2 * p.bufferedBytes, 64 * 1024));
      }
    }
    // 64 KiB doubling to 20 MiB: nine sizes, then the last one clamped to the body's length.
    expect(sizes.size).toBeLessThanOrEqual(10);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.body.length).toBe(size);
    expect(frames[0]!.body.buffer.byteLength).toBe(size);
    expect(frames[0]!.body.subarray(0, 11).toString()).toBe('first bytes');
    expect(p.reservedBytes).toBe(0);
  });

  it('a body split at every byte boundary of a small stream reads the same', () => {
    const wire = Buffer.concat([ServerFrames.apiResponse('x'.repeat(70_000)), ServerFrames.apiResponse('+OK')]);
    for (const cut of [1, 17, 65_536, 69_999, 70_050]) {
      const p = new FrameParser();
      const out: string[] = [];
      p.push(wire.subarray(0, cut), (f) => out.push(f.bodyText));
      p.push(wire.subarray(cut), (f) => out.push(f.bodyText));
      expect(out.map((t) => t.length)).toEqual([70_000, 3]);
    }
  });
});

describe('small limits until authenticated, then raised', () => {
  it('before: a body over the handshake limit is refused; after setLimits, the same frame is read', () => {
    const big = ServerFrames.apiResponse('y'.repeat(HANDSHAKE_MAX_BODY_BYTES + 1));
    const early = new FrameParser({ maxBodyBytes: HANDSHAKE_MAX_BODY_BYTES });
    expect(() => early.push(big, () => {})).toThrow(expect.objectContaining({ code: 'BODY_TOO_LARGE' }));

    const p = new FrameParser({ maxBodyBytes: HANDSHAKE_MAX_BODY_BYTES });
    const frames: Frame[] = [];
    p.push(Buffer.from('Content-Type: auth/request\n\nContent-Type: command/reply\nReply-Text: +OK accepted\n\n'), (f) => frames.push(f));
    p.setLimits({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
    p.push(big, (f) => frames.push(f));
    expect(frames.map((f) => f.contentType)).toEqual(['auth/request', 'command/reply', 'api/response']);
  });

  it('docs/security.md: start small, raise after authentication', () => {
    const parser = new FrameParser({ maxBodyBytes: HANDSHAKE_MAX_BODY_BYTES });
    const frames: Frame[] = [];
    parser.push(ServerFrames.authRequest(), (f) => frames.push(f));
    parser.push(ServerFrames.commandReply('+OK accepted'), (f) => frames.push(f));
    parser.setLimits({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
    parser.push(ServerFrames.apiResponse('z'.repeat(MiB)), (f) => frames.push(f));
    expect(frames.map((f) => f.body.length)).toEqual([0, 0, MiB]);
  });

  it('a header block in progress is held to a lowered header limit', () => {
    const p = new FrameParser();
    p.push(Buffer.from(`Content-Type: command/reply\nX: ${'h'.repeat(2000)}`), () => {});
    p.setLimits({ maxHeaderBytes: 1024 });
    expect(() => p.push(Buffer.from('more'), () => {})).toThrow(EslProtocolError);
  });
});
