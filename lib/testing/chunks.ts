/**
 * Ways to cut a byte stream into chunks, for tests of anything that reads the Event Socket:
 * a parser must give the same frames however the bytes arrive.
 */

/** Splits bytes into chunks of the given sizes, cycling through them (e.g. [1] for byte by byte). */
export function rechunk(bytes: Uint8Array, sizes: number | readonly number[]): Buffer[] {
  const list = typeof sizes === 'number' ? [sizes] : sizes;
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError('rechunk: sizes must be positive integers');
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  let pos = 0;
  let k = 0;
  while (pos < buf.length) {
    const n = list[k++ % list.length]!;
    out.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

/** The two chunks made by cutting at `at` (either may be empty only if `at` is 0 or the length). */
export function splitAt(bytes: Uint8Array, at: number): [Buffer, Buffer] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [buf.subarray(0, at), buf.subarray(at)];
}

/** A deterministic pseudo-random chunking (sizes 1..maxSize) from a seed, so failures can be replayed. */
export function randomChunks(bytes: Uint8Array, seed: number, maxSize = 97): Buffer[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let s = seed >>> 0 || 1;
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const n = 1 + (s % maxSize);
    out.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}
