/**
 * Colours as ANSI SGR sequences, on or off as a whole. They are off when the output is not a
 * terminal, with NO_COLOR, or with --no-color.
 */

export interface Palette {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  inverse(s: string): string;
}

const sgr =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;

const COLOURS: Palette = {
  enabled: true,
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  blue: sgr(34, 39),
  magenta: sgr(35, 39),
  cyan: sgr(36, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  inverse: sgr(7, 27),
};

const same = (s: string): string => s;

const PLAIN: Palette = {
  enabled: false,
  red: same,
  green: same,
  yellow: same,
  blue: same,
  magenta: same,
  cyan: same,
  bold: same,
  dim: same,
  inverse: same,
};

export function palette(enabled: boolean): Palette {
  return enabled ? COLOURS : PLAIN;
}

/** Colours on a terminal, unless turned off (the flag, or NO_COLOR, is read by the options). */
export function wantsColour(stream: { isTTY?: boolean }, allowed: boolean): boolean {
  return allowed && stream.isTTY === true;
}
