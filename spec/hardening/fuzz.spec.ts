/**
 * Fuzzing with mutated captured frames (issue 12): every frame FreeSWITCH 1.10.12 wrote in the
 * captures (spec/fixtures/fs-1.10.12), mutated (bytes flipped, inserted, deleted, repeated,
 * cut; Content-Length and Content-Type rewritten; bodies swapped for deeply nested JSON),
 * goes through the FrameParser in random chunks, through EslEvent (every getter and
 * serializer), and through a Connection fed by a raw server in the test.
 *
 * Asserted, for every input:
 * - no untyped error: whatever the parser, EslEvent or the Connection throws or emits is an
 *   EslError (the Connection's go to errors$ or to the command that failed), and nothing is
 *   thrown where it cannot be caught (an uncaught exception or an unhandled rejection fails
 *   the test);
 * - no crash or hang: every case ends (the Connection ones within a guard);
 * - bounded memory: after every chunk the parser holds at most twice its header limit plus its
 *   body limit (FrameParser.reservedBytes), and over the whole run the process's memory
 *   (V8 heap plus ArrayBuffers, after full collections) grows by less than 32 MB.
 *
 * The seed is fixed, so a run is reproducible; a failure prints the mutated bytes.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, EslError, EslEvent, type Frame, FrameParser } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { fixtureNames, loadFixture } from '../helpers/fixtures';
import { hostileServer, type HostileServer } from './hostile-server';
import { readAll } from './read-all';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SEED = 0x12_2026;
const LIMITS = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 256 * 1024 };

/** Every server frame of every capture, as bytes (the auth/request greeting included). */
const corpus: Buffer[] = (() => {
  const out: Buffer[] = [];
  for (const name of fixtureNames()) {
    const fx = loadFixture(name);
    for (const f of fx.frames) out.push(fx.s2c.subarray(f.offset, f.offset + f.length));
  }
  return out;
})();

/** Bytes worth inserting: framing characters, numbers, encodings, JSON and XML openers. */
const TOKENS = [
  '\0', '\n', '\r', '\n\n', '\r\n\r\n', ':', ': ', ' ', '%', '%0', '%GG', '%C3', '%00', '[', ']', '{', '}', '"', '\\', '<', '>', '&#x',
  '<!', 'ARRAY::', '|:', '0', '-1', '99999999999999999', '4294967297', 'Content-Length: ', 'Content-Type: text/event-json\n',
  'Event-Name: ', '_body', 'é', '\u00ff', '\ud800',
].map((t) => Buffer.from(t, 'utf8'));

const CONTENT_TYPES = ['text/event-plain', 'text/event-json', 'text/event-xml', 'api/response', 'command/reply', 'log/data', 'text/disconnect-notice', 'auth/request'];

type Edit =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; token: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number }
  | { kind: 'cut'; at: number }
  | { kind: 'content-type'; type: number }
  | { kind: 'content-length'; value: string }
  | { kind: 'nested-json'; member: number; depth: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.nat(TOKENS.length - 1) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('content-type' as const), type: fc.nat(CONTENT_TYPES.length - 1) }),
  fc.record({
    kind: fc.constant('content-length' as const),
    value: fc.oneof(fc.nat(300_000).map(String), fc.constantFrom('-5', 'abc', '', '1e3', ' 12', '99999999999999999', '4294967297')),
  }),
  fc.record({ kind: fc.constant('nested-json' as const), member: fc.nat(4), depth: fc.integer({ min: 1, max: 20_000 }) }),
);

const MEMBERS = ['Event-Name', 'Unique-ID', 'Job-UUID', '_body', 'X-Other'];

function splitFrame(frame: Buffer): { head: string; body: Buffer } {
  const end = frame.indexOf('\n\n');
  if (end < 0) return { head: frame.toString('latin1'), body: Buffer.alloc(0) };
  return { head: frame.toString('latin1', 0, end + 1), body: frame.subarray(end + 2) };
}

function setHeader(head: string, name: string, value: string): string {
  const re = new RegExp(`^${name}:[^\\n]*$`, 'mi');
  return re.test(head) ? head.replace(re, `${name}: ${value}`) : `${head}${name}: ${value}\n`;
}

function applyEdit(frame: Buffer, e: Edit, fixLength: boolean): Buffer {
  const at = frame.length === 0 ? 0 : e.kind === 'flip' || e.kind === 'insert' || e.kind === 'delete' || e.kind === 'repeat' || e.kind === 'cut' ? e.at % (frame.length + 1) : 0;
  switch (e.kind) {
    case 'flip': {
      if (frame.length === 0) return frame;
      const out = Buffer.from(frame);
      out[at % frame.length]! ^= e.mask;
      return out;
    }
    case 'insert':
      return Buffer.concat([frame.subarray(0, at), TOKENS[e.token]!, frame.subarray(at)]);
    case 'delete':
      return Buffer.concat([frame.subarray(0, at), frame.subarray(at + e.length)]);
    case 'repeat':
      return Buffer.concat([frame.subarray(0, at + e.length), frame.subarray(at)]);
    case 'cut':
      return frame.subarray(0, at);
    case 'content-type': {
      const { head, body } = splitFrame(frame);
      return Buffer.concat([Buffer.from(`${setHeader(head, 'Content-Type', CONTENT_TYPES[e.type]!)}\n`, 'latin1'), body]);
    }
    case 'content-length': {
      const { head, body } = splitFrame(frame);
      return Buffer.concat([Buffer.from(`${setHeader(head, 'Content-Length', e.value)}\n`, 'latin1'), body]);
    }
    case 'nested-json': {
      const member = MEMBERS[e.member]!;
      const body = Buffer.from(`{"Event-Name":"CUSTOM",${JSON.stringify(member)}:${'['.repeat(e.depth)}"x"${']'.repeat(e.depth)}}`);
      const { head } = splitFrame(frame);
      let h = setHeader(head, 'Content-Type', 'text/event-json');
      if (fixLength) h = setHeader(h, 'Content-Length', String(body.length));
      return Buffer.concat([Buffer.from(`${h}\n`, 'latin1'), body]);
    }
  }
}

/** A mutated stream: some captured frames, each edited, the Content-Length fixed up or not. */
const mutatedStream = fc
  .array(
    fc.record({
      frame: fc.nat(corpus.length - 1),
      edits: fc.array(edit, { maxLength: 4 }),
      fixLength: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) =>
    Buffer.concat(
      parts.map(({ frame, edits, fixLength }) => {
        let bytes = corpus[frame]!;
        for (const e of edits) bytes = applyEdit(bytes, e, fixLength);
        if (fixLength && edits.length > 0) {
          const { head, body } = splitFrame(bytes);
          if (/^Content-Length:/im.test(head)) bytes = Buffer.concat([Buffer.from(`${setHeader(head, 'Content-Length', String(body.length))}\n`, 'latin1'), body]);
        }
        return bytes;
      }),
    ),
  )
  // A failing case prints as text, not as an array of byte values.
  .map((bytes) => Object.defineProperty(bytes, fc.toStringMethod, { value: () => show(bytes) }));

const chunkSizes = fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 8 });

function show(bytes: Buffer): string {
  const text = JSON.stringify(bytes.toString('latin1'));
  return text.length > 600 ? `${text.slice(0, 600)}... (${bytes.length} bytes)` : text;
}

function mustBeTyped(err: unknown, where: string, bytes: Buffer): void {
  if (!(err instanceof EslError)) {
    throw new Error(`${where} threw an untyped ${(err as Error)?.name ?? typeof err}: ${(err as Error)?.message}\ninput: ${show(bytes)}`, { cause: err });
  }
}

let memoryBefore = 0;
const memory = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
beforeAll(() => {
  memoryBefore = memory();
});
afterAll(() => {
  // Bounded memory over the whole run: what the cases made is gone.
  expect(memory() - memoryBefore).toBeLessThan(32 * 1024 * 1024);
});

describe('fuzz: mutated captured frames', () => {
  it('FrameParser and EslEvent: only typed errors, bounded buffers', () => {
    const bound = 2 * LIMITS.maxHeaderBytes + LIMITS.maxBodyBytes;
    fc.assert(
      fc.property(mutatedStream, chunkSizes, (bytes, sizes) => {
        const parser = new FrameParser(LIMITS);
        const frames: Frame[] = [];
        let failed = false;
        for (let pos = 0, k = 0; pos < bytes.length && !failed; k++) {
          const n = sizes[k % sizes.length]!;
          try {
            parser.push(bytes.subarray(pos, pos + n), (f) => frames.push(f));
          } catch (err) {
            mustBeTyped(err, 'FrameParser.push', bytes);
            failed = true;
            // A failed parser stays failed.
            expect(() => parser.push(Buffer.from('x'), () => {})).toThrow(EslError);
          }
          if (parser.reservedBytes > bound) throw new Error(`parser holds ${parser.reservedBytes} bytes\ninput: ${show(bytes)}`);
          pos += n;
        }
        if (!failed) {
          try {
            parser.end();
          } catch (err) {
            mustBeTyped(err, 'FrameParser.end', bytes);
          }
        }
        for (const frame of frames) {
          void frame.toString();
          void frame.bodyText;
          frame.toBytes();
          let ev: EslEvent;
          try {
            ev = EslEvent.fromFrame(frame);
          } catch (err) {
            mustBeTyped(err, 'EslEvent.fromFrame', bytes);
            continue;
          }
          try {
            readAll(ev);
          } catch (err) {
            // Getters are total; only a serializer may refuse (a typed error), for what it cannot write.
            mustBeTyped(err, 'an EslEvent getter or serializer', bytes);
          }
          for (const format of ['plain', 'json', 'xml'] as const) {
            try {
              readAll(EslEvent.parse(format, frame.body));
            } catch (err) {
              mustBeTyped(err, `EslEvent.parse(${format})`, bytes);
            }
          }
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  }, 60_000);

  it('a Connection fed by a hostile server: errors go to errors$ or to the command, typed; nothing escapes', async () => {
    const server: HostileServer = await hostileServer();
    const escaped: unknown[] = [];
    const onEscape = (err: unknown): void => {
      escaped.push(err);
    };
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    try {
      await fc.assert(
        fc.asyncProperty(mutatedStream, chunkSizes, async (bytes, sizes) => {
          const conn = await Connection.connect({ port: server.port, parser: LIMITS, commandTimeout: 1000 });
          const socket = await server.authenticated();
          const errors: unknown[] = [];
          conn.errors$.subscribe((e) => errors.push(e));
          conn.events$.subscribe((ev) => {
            try {
              readAll(ev);
            } catch (err) {
              errors.push(err);
            }
          });
          // A command in flight while the bytes arrive: its outcome must be a reply or a typed error.
          const api = firstValueFrom(conn.api('echo', 'in flight', { timeout: 1000 })).then(
            () => undefined,
            (err: unknown) => err,
          );
          for (let pos = 0, k = 0; pos < bytes.length; k++) {
            const n = sizes[k % sizes.length]!;
            socket.write(bytes.subarray(pos, pos + n));
            pos += n;
          }
          // The server closes: the connection ends one way or another, within the guard.
          socket.end();
          const outcome = await api;
          if (outcome !== undefined) mustBeTyped(outcome, 'api', bytes);
          await firstValueFrom(conn.state$.pipe(timeout(5000))).catch(() => undefined);
          await conn.close();
          for (const e of errors) mustBeTyped(e, 'errors$', bytes);
          if (escaped.length > 0) throw new Error(`an error escaped: ${String(escaped[0])}\ninput: ${show(bytes)}`);
        }),
        { seed: SEED, numRuns: 40 },
      );
    } finally {
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
      await server.close();
    }
    expect(escaped).toEqual([]);
  }, 60_000);
});

it('the corpus is the captures', () => {
  expect(corpus.length).toBeGreaterThan(100);
  expect(corpus.some((f) => f.includes('text/event-json'))).toBe(true);
  expect(ServerFrames.authRequest().equals(corpus[0]!)).toBe(true);
});
