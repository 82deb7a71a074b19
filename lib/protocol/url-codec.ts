/**
 * FreeSWITCH's percent-encoding, exactly (switch_url_encode_opt with double_encode = false,
 * and switch_url_decode). PROTOCOL.md §1.4, FINDINGS §1.
 *
 * Encoding: a byte becomes %XX (uppercase hex) if it is below 0x20, above 0x7E, or one of
 * CR LF space # % & + : ; < = > ? @ [ \ ] ^ ` { | } ". A '%' already followed by two characters
 * of 0-9A-F (uppercase only) is copied as it is, which makes that one case lossy.
 *
 * Decoding: '%' followed by two hex digits (either case) becomes that byte; any other '%' stays;
 * '+' is never a space. The bytes are then read as UTF-8 with replacement, so decoding never
 * throws (modesl's decodeURIComponent throws URIError on a stray '%').
 */

const HEX = '0123456789ABCDEF';

/** UNSAFE[b] === 1 when FreeSWITCH encodes byte b. */
const UNSAFE = new Uint8Array(256);
for (let b = 0; b < 256; b++) UNSAFE[b] = b < 0x20 || b > 0x7e ? 1 : 0;
for (const ch of '\r\n #%&+:;<=>?@[\\]^`{|}"') UNSAFE[ch.charCodeAt(0)] = 1;

/** Value of an uppercase-only hex digit, or -1 (the pass-through test of the encoder). */
function upperHex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Value of a hex digit of either case, or -1 (the decoder). */
function anyHex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** True when the string needs no encoding at all (the common case: no work, no copy). */
function isSafeAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e || UNSAFE[c] === 1) return false;
  }
  return true;
}

/** Encodes a header value as FreeSWITCH writes it in plain events, XML events and the connect reply. */
export function urlEncode(value: string): string {
  if (isSafeAscii(value)) return value;
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 37 /* % */ && n - i > 2 && upperHex(bytes[i + 1]!) >= 0 && upperHex(bytes[i + 2]!) >= 0) {
      out += '%';
      continue;
    }
    if (UNSAFE[b] === 1) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * The decoder's reusable buffer. It grows for the values it meets up to SCRATCH_KEEP_BYTES; a
 * longer value (a hostile server can send one of up to maxBodyBytes) gets a buffer of its own
 * that is dropped after use, so one huge value is not held for the life of the process.
 */
const SCRATCH_KEEP_BYTES = 64 * 1024;
let scratch = Buffer.allocUnsafe(1024);

/** Decodes bytes buf[start, end) (percent-decoding, then UTF-8 with replacement). */
export function urlDecodeBytes(buf: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 37 || c > 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return buf.toString('latin1', start, end);
  const n = end - start;
  if (scratch.length < n && n <= SCRATCH_KEEP_BYTES) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_KEEP_BYTES, Math.max(n, scratch.length * 2)));
  const out = n <= scratch.length ? scratch : Buffer.allocUnsafe(n);
  let o = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 37 && end - i > 2) {
      const hi = anyHex(buf[i + 1]!);
      const lo = hi < 0 ? -1 : anyHex(buf[i + 2]!);
      if (lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = c;
  }
  return out.toString('utf8', 0, o);
}

/** Decodes a value that is already a string (outer headers of the connect reply). */
export function urlDecode(value: string): string {
  if (value.indexOf('%') < 0) return value;
  const bytes = Buffer.from(value, 'utf8');
  return urlDecodeBytes(bytes, 0, bytes.length);
}
