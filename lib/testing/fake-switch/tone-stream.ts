/**
 * How long a `tone_stream://` plays, worked out as mod_tone_stream and libteletone generate it:
 * the script is run once into a buffer, which the file handle then reads at the channel's
 * rate (8000 Hz for the emulator's L16/8000 channels), `loops` times over. A leaf module.
 *
 * The script is a list of items separated by `;`:
 * - settings `X=value`: `r` (rate), `d` (default tone ms), `w` (default silence ms after a
 *   tone), `c` (channels, interleaved in the buffer), `l` (repeat the next tone), `L` (repeat
 *   the whole script; the first one counts); volume and decay settings take no time;
 * - tones: `%(on,off,freq[,freq...])`, or a DTMF character (0-9, A-D, * and #) with the
 *   default lengths or its own `(on,off)`. A `%(...)` without a frequency, or a `(...)` that is
 *   not exactly `on,off`, is a syntax error: the rest of that pass is dropped. A tone whose
 *   first frequency is 0, or a character with no tone, adds nothing.
 * `;loops=N` at the end (any case) replays the buffer: N < 0 for ever, N <= 1 once.
 */

/** The DTMF characters libteletone's session knows a tone for. */
const DTMF_TONES = new Set('123A456B789C*0#D');

/** The rate a file handle reads the buffer at. */
const HANDLE_RATE = 8000;

/** C's atoi: leading whitespace, an optional sign, digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[2]!.slice(0, 12));
  return m[1] === '-' ? -n : n;
}

/** atof's leading number (0 when there is none). */
function atof(s: string): number {
  const n = Number.parseFloat(s);
  return Number.isFinite(n) ? n : 0;
}

/** Samples one pass of the script writes into the buffer, or `forever` for `l=-1`. */
function scriptSamples(script: string): number | 'forever' {
  let rate = HANDLE_RATE;
  let channels = 1;
  let duration = 2000;
  let wait = 500;
  let loops = 0;
  let passes = 1;
  let looping = false;
  let total = 0;
  for (let pass = 0; pass < passes; pass++) {
    items: for (const item of script.split(';')) {
      const text = item.replace(/^[ \r\n]+/, '');
      if (text === '') continue;
      if (text[1] === '=') {
        const value = text.slice(2);
        if (text[0] === 'r') rate = atoi(value);
        else if (text[0] === 'c') channels = atoi(value);
        else if (text[0] === 'd') duration = atoi(value) * Math.trunc(rate / 1000);
        else if (text[0] === 'w') wait = atoi(value) * Math.trunc(rate / 1000);
        else if (text[0] === 'l') loops = atoi(value);
        else if (text[0] === 'L' && !looping && atoi(value) > 0) {
          passes = atoi(value);
          looping = true;
        }
        continue;
      }
      let cur = 0;
      while (cur < text.length) {
        const c = text[cur]!;
        if (c === ' ' || c === '\r' || c === '\n') {
          cur++;
          continue;
        }
        let on = duration;
        let off = wait;
        let firstFreq: number | undefined;
        let next = cur + 1;
        if (text[cur + 1] === '(') {
          const close = text.indexOf(')', cur + 2);
          const inner = text.slice(cur + 2, close < 0 ? undefined : close);
          const fields = inner.split(',');
          if (fields.length >= 1) on = atoi(fields[0]!) * Math.trunc(rate / 1000);
          if (fields.length >= 2) off = atoi(fields[1]!) * Math.trunc(rate / 1000);
          if (fields.length > 2) firstFreq = atof(fields[2]!);
          // A syntax error drops the rest of this pass (libteletone jumps past its item loop).
          if (!(fields.length > 2 && c === '%') && (fields.length !== 2 || c === '%')) break items;
          next = close < 0 ? text.length : close + 1;
        }
        const freq = firstFreq !== undefined && c === '%' ? firstFreq : DTMF_TONES.has(c) ? 1 : 0;
        if (freq !== 0) {
          if (loops < 0) return 'forever';
          // The tone is written `l` times (at least once), then `l` is spent.
          total += Math.max(1, loops) * (on + off) * channels;
          loops = 0;
        }
        cur = next;
      }
    }
  }
  return total;
}

/**
 * The length in ms of a `tone_stream://` file (`spec` without the scheme), `forever` when it
 * never ends, or undefined for `path=<file>` (a script read from a file the emulator cannot see).
 */
export function toneStreamDuration(spec: string): number | 'forever' | undefined {
  let script = spec;
  let plays = 1;
  const at = script.toLowerCase().indexOf(';loops=');
  if (at >= 0) {
    const rest = script.slice(at + 7);
    script = script.slice(0, at);
    if (rest !== '') {
      const n = atoi(rest);
      if (n < 0) return 'forever';
      plays = Math.max(1, n);
    }
  }
  if (script.toLowerCase().startsWith('path=')) return undefined;
  const samples = scriptSamples(script);
  if (samples === 'forever') return 'forever';
  return Math.floor((samples * plays * 1000) / HANDLE_RATE);
}
