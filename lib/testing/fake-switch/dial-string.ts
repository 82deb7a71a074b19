/**
 * Dial strings, as originate and bridge take them (switch_ivr_originate's parsing):
 * `{a=1,b=2}leg1,leg2|leg3`, where `{...}` (or `<...>`) holds variables for every leg,
 * `[...]` before a leg its own, `,` rings legs together and `|` tries them in turn.
 */

/** A parsed leg of a dial string. */
export interface DialLeg {
  vars: Array<[string, string]>;
  target: string;
}

/** A parsed dial string: `{global vars}leg1,leg2|leg3` (`,` rings together, `|` tries in turn). */
export interface DialString {
  vars: Array<[string, string]>;
  groups: DialLeg[][];
}

/** Splits `a=1,b='x,y'` on commas outside quotes (`^^<c>` first chooses another separator). */
function splitVars(input: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let s = input;
  let sep = ',';
  if (s.startsWith('^^') && s.length > 2) {
    sep = s[2]!;
    s = s.slice(3);
  }
  let cur = '';
  let quote = '';
  const flush = (): void => {
    const eq = cur.indexOf('=');
    if (eq > 0) out.push([cur.slice(0, eq).trim(), cur.slice(eq + 1)]);
    cur = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === sep) {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

function takeBlock(s: string, open: string, close: string): [string, string] | undefined {
  if (!s.startsWith(open)) return undefined;
  const end = s.indexOf(close);
  if (end < 0) return undefined;
  return [s.slice(1, end), s.slice(end + 1)];
}

/** Parses an originate/bridge dial string. */
export function parseDialString(input: string): DialString {
  let s = input.trim();
  let vars: Array<[string, string]> = [];
  const g = takeBlock(s, '{', '}') ?? takeBlock(s, '<', '>');
  if (g) {
    vars = splitVars(g[0]);
    s = g[1];
  }
  const groups: DialLeg[][] = [];
  for (const seq of splitOutside(s, '|')) {
    const legs: DialLeg[] = [];
    for (const raw of splitOutside(seq, ',')) {
      let t = raw.trim();
      let legVars: Array<[string, string]> = [];
      const l = takeBlock(t, '[', ']');
      if (l) {
        legVars = splitVars(l[0]);
        t = l[1].trim();
      }
      if (t !== '') legs.push({ vars: legVars, target: t });
    }
    if (legs.length > 0) groups.push(legs);
  }
  return { vars, groups };
}

function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}
