/**
 * Small helpers several rooms of the emulator share, each the counterpart of a FreeSWITCH
 * core function. A leaf module: it imports no other module of the emulator but the option
 * types and the tone stream's arithmetic, so that anything may import it.
 */
import type { MediaOptions } from './options.js';
import { toneStreamDuration } from './tone-stream.js';

/** switch_separate_string on spaces, keeping quoted parts ('...' and "...") and {...} / [...] blocks together. */
export function splitArgs(s: string, max = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
      continue;
    }
    if ((c === "'" || c === '"') && depth === 0) {
      quote = c;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    if ((c === '}' || c === ']') && depth > 0) depth--;
    if (c === ' ' && depth === 0 && out.length < max - 1) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** switch_core_measure_time: years, days, hours, minutes, seconds, ms, µs. */
function measure(us: number): { yr: number; day: number; hr: number; min: number; sec: number; ms: number; mms: number } {
  let t = Math.floor(us);
  const mms = t % 1000;
  t = Math.floor(t / 1000);
  const ms = t % 1000;
  t = Math.floor(t / 1000);
  const sec = t % 60;
  t = Math.floor(t / 60);
  const min = t % 60;
  t = Math.floor(t / 60);
  const hr = t % 24;
  t = Math.floor(t / 24);
  const day = t % 365;
  const yr = Math.floor(t / 365);
  return { yr, day, hr, min, sec, ms, mms };
}

const s = (n: number): string => (n === 1 ? '' : 's');

/** `0 years, 0 days, ...`: the uptime as `status` and HEARTBEAT's Up-Time write it. */
export function upTime(us: number): string {
  const d = measure(us);
  return (
    `${d.yr} year${s(d.yr)}, ${d.day} day${s(d.day)}, ${d.hr} hour${s(d.hr)}, ${d.min} minute${s(d.min)}, ` +
    `${d.sec} second${s(d.sec)}, ${d.ms} millisecond${s(d.ms)}, ${d.mms} microsecond${s(d.mms)}`
  );
}

/**
 * How long a file plays: a missing one not at all; silence_stream://N is N ms (a negative N
 * for ever, 0 or no number is a file that does not open, as mod_tone_stream refuses it);
 * configured lengths; tone_stream:// as long as its tones (tone-stream.ts); `loops=-1` for
 * ever; the default length.
 */
export function fileDuration(media: Required<MediaOptions>, file: string): number | 'forever' | 'missing' {
  if (media.missing.includes(file)) return 'missing';
  if (file.startsWith('silence_stream://')) {
    const n = Number.parseInt(file.slice(17), 10);
    if (!Number.isFinite(n) || n === 0) return 'missing';
    return n < 0 ? 'forever' : n;
  }
  const d = media.durations[file];
  if (d !== undefined) return d;
  if (file.startsWith('tone_stream://')) {
    const tones = toneStreamDuration(file.slice(14));
    if (tones !== undefined) return tones;
  }
  if (/loops=-1/.test(file)) return 'forever';
  return media.playbackMs;
}
