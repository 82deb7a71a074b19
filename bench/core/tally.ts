/**
 * Counts and checks the events a library delivers: every Unique-ID must be one of ours (all 36
 * characters checked), with exactly the Event-Name that goes with it, seen exactly once; the
 * sum of the per-event checksum terms of the well-formed events must equal the sum the workload
 * predicts for the ones seen. Events whose name or id is wrong are counted apart (`bad`), with
 * samples. The same code runs for every library; in the CPU profile of rxesl's plain events
 * (bench/RESULTS.md, "what bounds rxesl") its `seqOf` is 4% of the samples.
 */
import { eventHash, nameOf, seqOf } from './workload.js';

export interface TallyReport {
  expected: number;
  /** Events handed to the sink (duplicates included). */
  counted: number;
  /** Distinct Unique-IDs seen. */
  distinct: number;
  duplicates: number;
  lost: number;
  /** Events whose Unique-ID is not one of ours, or whose Event-Name does not match it. */
  bad: number;
  /** Events that arrived with a lower sequence number than one already seen. */
  outOfOrder: number;
  /** null for the limit readers that count without reading (raw, framer). */
  checksum: { got: number; expected: number; ok: boolean } | null;
  /** Events counted without being read (limit readers). */
  unverified: number;
  /** The first few bad events: Event-Name and Unique-ID as delivered. */
  badSamples: string[];
}

export class Tally {
  readonly expected: number;
  private readonly seen: Uint8Array;
  count = 0;
  distinct = 0;
  duplicates = 0;
  bad = 0;
  outOfOrder = 0;
  unverified = 0;
  readonly badSamples: string[] = [];
  private last = -1;
  private sum = 0;

  constructor(expected: number) {
    this.expected = expected;
    this.seen = new Uint8Array(expected);
  }

  record(name: string | undefined, uid: string | undefined): void {
    this.count++;
    if (name === undefined || name === null || uid === undefined || uid === null) {
      this.fault(name, uid);
      return;
    }
    const seq = seqOf(uid);
    if (seq < 0 || seq >= this.expected || name !== nameOf(seq)) {
      this.fault(name, uid);
      return;
    }
    const s = this.seen[seq]!;
    if (s === 0) this.distinct++;
    else this.duplicates++;
    if (s < 255) this.seen[seq] = s + 1;
    if (seq < this.last) this.outOfOrder++;
    this.last = seq;
    this.sum = (this.sum + eventHash(seq)) >>> 0;
  }

  private fault(name: unknown, uid: unknown): void {
    this.bad++;
    if (this.badSamples.length < 3) this.badSamples.push(`${JSON.stringify(name)} ${JSON.stringify(uid)}`.slice(0, 200));
  }

  /** Limit readers: n events counted without being read. */
  countUnverified(n: number): void {
    this.count += n;
    this.distinct += n;
    this.unverified += n;
  }

  /** Recomputes, after the timed section, the checksum the seen events should add up to. */
  report(): TallyReport {
    let checksum: TallyReport['checksum'] = null;
    if (this.unverified === 0) {
      let expected = 0;
      for (let seq = 0; seq < this.expected; seq++) {
        const c = this.seen[seq]!;
        if (c !== 0) expected = (expected + c * eventHash(seq)) % 4294967296;
      }
      checksum = { got: this.sum, expected, ok: this.sum === expected };
    }
    return {
      expected: this.expected,
      counted: this.count,
      distinct: this.distinct,
      duplicates: this.duplicates,
      lost: Math.max(0, this.expected - this.distinct),
      bad: this.bad,
      outOfOrder: this.outOfOrder,
      checksum,
      unverified: this.unverified,
      badSamples: [...this.badSamples],
    };
  }
}
