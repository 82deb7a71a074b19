/**
 * Drops the second copy of an event, by (Core-UUID, Event-Sequence). With JetStream every
 * gateway of a switch publishes every event (the stream keeps one), so a core subscriber gets
 * one copy per gateway: this keeps the first. FreeSWITCH numbers every event of a core in
 * order, so a window of the latest sequence numbers seen is enough: a number further back
 * than the window is taken as a copy (one gateway lagging the other by that many events).
 */
export class Deduper {
  readonly #window: number;
  readonly #cores = new Map<string, { max: number; bits: Uint32Array }>();

  /** `window`: how many sequence numbers back a copy is recognised (a power of two). */
  constructor(window = 4096) {
    this.#window = 1 << Math.ceil(Math.log2(Math.max(32, window)));
  }

  /** True the first time a (core, sequence) is seen; events without them always pass. */
  fresh(core: string | undefined, sequence: string | undefined): boolean {
    if (!core || !sequence) return true;
    const seq = Number(sequence);
    if (!Number.isSafeInteger(seq) || seq < 0) return true;
    const w = this.#window;
    let c = this.#cores.get(core);
    if (c === undefined) {
      // A switch restarted gets a new Core-UUID: forget the old ones beyond a few.
      if (this.#cores.size >= 16) this.#cores.delete(this.#cores.keys().next().value!);
      c = { max: seq, bits: new Uint32Array(w >> 5) };
      this.#cores.set(core, c);
      this.#set(c.bits, seq);
      return true;
    }
    if (seq > c.max) {
      if (seq - c.max >= w) c.bits.fill(0);
      else for (let s = c.max + 1; s < seq; s++) this.#clear(c.bits, s);
      c.max = seq;
      this.#set(c.bits, seq);
      return true;
    }
    if (c.max - seq >= w) return false;
    const i = seq & (w - 1);
    const seen = (c.bits[i >> 5]! & (1 << (i & 31))) !== 0;
    if (!seen) this.#set(c.bits, seq);
    return !seen;
  }

  #set(bits: Uint32Array, seq: number): void {
    const i = seq & (this.#window - 1);
    bits[i >> 5] = bits[i >> 5]! | (1 << (i & 31));
  }

  #clear(bits: Uint32Array, seq: number): void {
    const i = seq & (this.#window - 1);
    bits[i >> 5] = bits[i >> 5]! & ~(1 << (i & 31));
  }
}
