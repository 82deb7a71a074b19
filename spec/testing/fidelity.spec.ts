/**
 * Proof of fidelity: the client side of every public capture is replayed against FakeSwitch
 * and what comes back is compared with what FreeSWITCH 1.10.12 sent (see helpers/replay.ts
 * for what is compared and what is normalised). docs/fake-switch.md has the same table.
 */
import { describe, expect, it } from 'vitest';
import { EslEvent, parseFrames } from 'rxesl';
import { loadFixture } from '../helpers/fixtures';
import { compare, replay } from './helpers/replay';

/**
 * Each public capture and the expected outcome: `exact` when even the interleaving of the
 * channel legs is the same, `per-leg` when each leg's frames (and the rest) match but the
 * legs interleave differently, as they do between two runs of FreeSWITCH.
 */
const TABLE: Array<[capture: string, outcome: 'exact' | 'per-leg']> = [
  ['01-auth-api-basic', 'exact'],
  ['02-auth-wrong-password', 'exact'],
  ['04-api-utf8-echo', 'exact'],
  ['05-bgapi-jobuuid-json', 'exact'],
  ['05-bgapi-jobuuid-plain', 'exact'],
  ['06-events-all-call-json', 'per-leg'],
  ['06-events-all-call-plain', 'exact'],
  ['07-filter-nixevent-noevents', 'exact'],
  ['07-myevents-divert-linger', 'exact'],
  ['08-log-data', 'per-leg'],
  ['09-sendevent-custom-plain', 'exact'],
  ['13-userauth', 'exact'],
  ['13-userauth-bad-password', 'exact'],
];

describe('FakeSwitch replays every public FreeSWITCH 1.10.12 capture', () => {
  for (const [name, outcome] of TABLE) {
    it(`${name}: ${outcome === 'exact' ? 'the same frames in the same order' : 'the same frames, leg by leg'}`, async () => {
      const r = await replay(name);
      expect(r.actualFrames, r.difference).toBe(r.expectedFrames);
      expect(r.matches, r.difference).toBe(true);
      if (outcome === 'exact') expect(r.sameOrder).toBe(true);
    });
  }
});

describe('the comparison itself', () => {
  const fx = loadFixture('06-events-all-call-plain');
  const frames = parseFrames(fx.s2c);

  it('finds a capture equal to itself', () => {
    expect(compare(frames, frames)).toMatchObject({ matches: true, sameOrder: true });
  });

  it('finds a missing frame', () => {
    const r = compare(frames, [...frames.slice(0, 20), ...frames.slice(21)]);
    expect(r.matches).toBe(false);
    expect(r.difference).toContain('stream');
  });

  it('finds a header out of order inside an event', () => {
    const other = parseFrames(loadFixture('06-events-all-call-plain').s2c);
    const i = other.findIndex((f) => f.contentType === 'text/event-plain');
    const body = other[i]!.bodyText.split('\n');
    [body[1], body[2]] = [body[2]!, body[1]!];
    const text = body.join('\n');
    const swapped = parseFrames(Buffer.from(`Content-Length: ${Buffer.byteLength(text)}\nContent-Type: text/event-plain\n\n${text}`))[0]!;
    const r = compare(frames, [...other.slice(0, i), swapped, ...other.slice(i + 1)]);
    expect(r.matches).toBe(false);
  });

  it('finds a different reply text', () => {
    const fx01 = parseFrames(loadFixture('01-auth-api-basic').s2c);
    const changed = parseFrames(Buffer.from(fx01.map((f) => f.toBytes().toString('latin1')).join('').replace('+OK bye', '+OK ciao'), 'latin1'));
    expect(compare(fx01, changed).matches).toBe(false);
  });

  it('tolerates only the interleaving of legs', () => {
    const leg = (k: number): string | undefined =>
      frames[k]!.contentType?.startsWith('text/event-') ? EslEvent.fromFrame(frames[k]!).getHeader('Unique-ID') : undefined;
    // Two neighbouring frames of two different legs.
    const k = frames.findIndex((_, i) => i + 1 < frames.length && leg(i) !== undefined && leg(i + 1) !== undefined && leg(i) !== leg(i + 1));
    expect(k).toBeGreaterThan(0);
    const swapped = [...frames];
    [swapped[k], swapped[k + 1]] = [swapped[k + 1]!, swapped[k]!];
    expect(compare(frames, swapped)).toMatchObject({ matches: true, sameOrder: false });
  });
});
