import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { urlDecode, urlEncode } from '../../lib/protocol/url-codec';

describe('urlEncode is switch_url_encode_opt(double_encode = false)', () => {
  it.each([
    ['2024-05-01 12:00:00', '2024-05-01%2012%3A00%3A00'],
    ['::1', '%3A%3A1'],
    ['sofia/internal/1000@192.0.2.1', 'sofia/internal/1000%40192.0.2.1'],
    ['ARRAY::a b|:c+d', 'ARRAY%3A%3Aa%20b%7C%3Ac%2Bd'],
    ['héllo 100%AB %ab', 'h%C3%A9llo%20100%AB%20%25ab'],
    ["a+b=c&d <e> \"f\" 'g' :h; #i ?j @k [l] {m} |n ^o `p ~q \\r", "a%2Bb%3Dc%26d%20%3Ce%3E%20%22f%22%20'g'%20%3Ah%3B%20%23i%20%3Fj%20%40k%20%5Bl%5D%20%7Bm%7D%20%7Cn%20%5Eo%20%60p%20~q%20%5Cr"],
    ['100% sure, 50%41 is not re-encoded, %zz is', '100%25%20sure,%2050%41%20is%20not%20re-encoded,%20%25zz%20is'],
    ["!$*'(),-./_~", "!$*'(),-./_~"],
    ['\r\n\t\x7f', '%0D%0A%09%7F'],
    ['%', '%25'],
    ['%4', '%254'],
    ['%41', '%41'],
  ])('%j -> %s', (value, encoded) => {
    expect(urlEncode(value)).toBe(encoded);
  });

  it('round-trips every string that has no %XX of uppercase hex (the one lossy corner)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (s) => {
        fc.pre(!/%[0-9A-F]{2}/.test(s));
        expect(urlDecode(urlEncode(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes only ASCII without space, + or other unsafe characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(urlEncode(s)).toMatch(/^[A-Za-z0-9!$'()*,\-./_~%]*$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('decoding never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(typeof urlDecode(s)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
