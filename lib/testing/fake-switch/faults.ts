/**
 * Fault injection for reliability tests: frames written in chosen pieces, slow replies, a
 * connection cut inside a frame, malformed frames, a socket FakeSwitch stops reading.
 */
import type { Socket } from 'node:net';

/** Faults a connection (or every connection, via FakeSwitch.setFaults) runs with. */
export interface FaultOptions {
  /**
   * Write every frame cut into pieces of these sizes, counted from the start of each frame
   * and cycled (`[1]` is byte by byte; `[7, Infinity]` cuts every frame once, after its 7th
   * byte), one socket write per piece with a turn of the event loop between them, so that
   * the client receives them in separate reads.
   */
  chunkSizes?: number | readonly number[];
  /**
   * Hold each command's reply for this many ms of clock time. The connection sends nothing
   * else meanwhile (events wait behind the reply), as when FreeSWITCH runs a slow command.
   */
  replyDelayMs?: number;
  /** Stop reading the client's socket: its commands go unanswered and its writes back up. */
  stopReading?: boolean;
}

/** The kinds of malformed frame `sendMalformedFrame` can write. */
export type MalformedFrameKind =
  /** `Content-Length: abc`. */
  | 'bad-content-length'
  /** `Content-Length: -5`. */
  | 'negative-content-length'
  /** A header line without a colon. */
  | 'header-without-colon'
  /** A Content-Length larger than the body that follows, then the socket is closed. */
  | 'truncated-body';

/** The bytes of a malformed frame. */
export function malformedFrame(kind: MalformedFrameKind): Buffer {
  switch (kind) {
    case 'bad-content-length':
      return Buffer.from('Content-Type: api/response\nContent-Length: abc\n\n+OK\n');
    case 'negative-content-length':
      return Buffer.from('Content-Type: api/response\nContent-Length: -5\n\n');
    case 'header-without-colon':
      return Buffer.from('Content-Type: command/reply\nthis line has no colon\n\n');
    case 'truncated-body':
      return Buffer.from('Content-Type: api/response\nContent-Length: 100\n\n+OK only part of the body');
  }
}

function sizesOf(c: number | readonly number[] | undefined): readonly number[] | undefined {
  if (c === undefined) return undefined;
  const list = typeof c === 'number' ? [c] : c;
  const ok = list.filter((n) => (Number.isInteger(n) && n > 0) || n === Number.POSITIVE_INFINITY);
  return ok.length > 0 ? ok : undefined;
}

/**
 * Writes frames to a socket: directly, or (with chunkSizes) piece by piece on successive
 * turns of the event loop, keeping order. It can cut the connection inside the next frame.
 */
export class FrameWriter {
  readonly #socket: Socket;
  readonly #faults: () => FaultOptions;
  #queue: Buffer[] = [];
  #pumping = false;
  #cut: { at: number | undefined } | undefined;
  #ended = false;
  /** Socket writes made so far (a frame written in pieces counts one per piece). */
  writes = 0;
  /** Called once the socket was cut inside a frame. */
  onCut: (() => void) | undefined;

  constructor(socket: Socket, faults: () => FaultOptions) {
    this.#socket = socket;
    this.#faults = faults;
  }

  /** Bytes queued here and not yet handed to the socket. */
  get queuedBytes(): number {
    let n = 0;
    for (const b of this.#queue) n += b.length;
    return n;
  }

  /** Arms a cut: the next frame is written up to `at` bytes (default: half of it), then the connection is closed. */
  cutNextFrame(at?: number): void {
    this.#cut = { at };
  }

  /** Writes one frame. */
  write(frame: Buffer): void {
    if (this.#ended || this.#socket.destroyed) return;
    let bytes = frame;
    let cutting = false;
    if (this.#cut) {
      const at = this.#cut.at ?? Math.floor(frame.length / 2);
      bytes = frame.subarray(0, Math.max(1, Math.min(frame.length - 1, at)));
      cutting = true;
      this.#cut = undefined;
    }
    const sizes = sizesOf(this.#faults().chunkSizes);
    if (!sizes && !this.#pumping) {
      this.writes++;
      this.#socket.write(bytes);
    } else {
      const list = sizes ?? [bytes.length];
      let pos = 0;
      for (let k = 0; pos < bytes.length; k++) {
        const n = list[k % list.length]!;
        this.#queue.push(bytes.subarray(pos, Math.min(bytes.length, pos + n)));
        pos += n;
      }
      this.#pump();
    }
    if (cutting) {
      this.#ended = true;
      this.#endAfterQueue(() => this.onCut?.());
    }
  }

  /** Writes bytes as they are (malformed frames, raw tests), through the same queue. */
  writeRaw(bytes: Buffer): void {
    if (this.#ended || this.#socket.destroyed) return;
    if (!this.#pumping) {
      this.writes++;
      this.#socket.write(bytes);
    } else {
      this.#queue.push(bytes);
      this.#pump();
    }
  }

  /** Ends the socket once everything queued is written. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endAfterQueue();
  }

  #endAfterQueue(then?: () => void): void {
    const finish = (): void => {
      if (!this.#socket.destroyed) {
        // FreeSWITCH closes the socket outright: once what is written has left, the socket
        // is destroyed without waiting for the peer's FIN (a peer that does not read would
        // otherwise keep it half-open for ever).
        this.#socket.once('finish', () => this.#socket.destroy());
        this.#socket.end();
      }
      then?.();
    };
    if (!this.#pumping && this.#queue.length === 0) finish();
    else this.#afterDrain = finish;
  }

  #afterDrain: (() => void) | undefined;

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    const step = (): void => {
      if (this.#socket.destroyed) {
        this.#queue.length = 0;
        this.#pumping = false;
        return;
      }
      const next = this.#queue.shift();
      if (next === undefined) {
        this.#pumping = false;
        const after = this.#afterDrain;
        this.#afterDrain = undefined;
        after?.();
        return;
      }
      this.writes++;
      this.#socket.write(next);
      setImmediate(step);
    };
    step();
  }
}
