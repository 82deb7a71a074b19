/**
 * Text from the wire on a terminal: what it may not carry, and how many columns it takes.
 *
 * Header values are chosen by whoever placed the call (a caller ID name comes from a SIP
 * INVITE): an ESC in one would be a terminal command, a newline would break a one-line display,
 * and a CJK name takes two columns a character. Every cell the console lines up goes through
 * here.
 */

/** C0 controls but tab and newline, DEL, and C1 controls (U+0080-U+009F, read as CSI and friends by some terminals). */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `s` without control characters: each becomes `?`; tabs and newlines stay. */
export function safeText(s: string): string {
  return s.replace(CONTROLS, '?');
}

/** `s` on one line: control characters as `?`, tabs and line breaks as spaces. */
export function safeLine(s: string): string {
  return safeText(s).replace(/[\t\n]/g, ' ');
}

/** Columns a code point takes: 0 for combining marks and zero-width ones, 2 for wide (East Asian, emoji), else 1. */
function charColumns(cp: number): number {
  if (cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0x2060 || cp === 0xfeff) return 0;
  if (cp >= 0xfe00 && cp <= 0xfe0f) return 0;
  if (cp >= 0x0300 && cp <= 0x036f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return /\p{M}/u.test(String.fromCodePoint(cp)) ? 0 : 1;
}

/** Columns `s` takes on a terminal (no control characters in it: see safeText). */
export function columns(s: string): number {
  let n = 0;
  for (const ch of s) n += charColumns(ch.codePointAt(0)!);
  return n;
}

/** `s` in exactly `width` columns: padded with spaces, or cut with `…`. */
export function fitColumns(s: string, width: number): string {
  if (width <= 0) return '';
  const used = columns(s);
  if (used <= width) return s + ' '.repeat(width - used);
  let out = '';
  let n = 0;
  for (const ch of s) {
    const w = charColumns(ch.codePointAt(0)!);
    // Leave one column for the ellipsis.
    if (n + w > width - 1) break;
    out += ch;
    n += w;
  }
  return `${out}…${' '.repeat(width - 1 - n)}`;
}

/** `s` cut to at most `width` columns (with `…` when cut), not padded. */
export function clipColumns(s: string, width: number): string {
  return columns(s) <= width ? s : fitColumns(s, width).trimEnd();
}
