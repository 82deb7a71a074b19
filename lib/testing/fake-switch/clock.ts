/**
 * Time for FakeSwitch. Every timer the emulator uses (ring times, playback durations, linger,
 * HEARTBEAT, the 25 s auth timeout, traffic) goes through a Clock, so a test with a
 * ManualClock decides when simulated time passes and runs instantly.
 */

/** One turn of the event loop: promise chains settle and pending socket I/O is handled. */
function turn(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

/** Turns in a row with no I/O reported (and no outside work open) after which tick() moves time. */
const QUIET_TURNS = 5;

/** Real time tick() waits at most, each time, for outside work to end (a client that never speaks). */
const OUTSIDE_WORK_LIMIT_MS = 2000;

/** A timer created by a Clock. */
export interface TimerHandle {
  /** Cancels the timer; harmless when it already ran. */
  cancel(): void;
}

/** The source of time and timers FakeSwitch runs on. */
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /**
   * Runs `fn` after `ms` milliseconds of this clock's time. A delay of 0 (or less) still runs
   * asynchronously, never inside the call.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /**
   * Optional. FakeSwitch calls it when work that runs outside the clock starts, work that
   * simulated time must not run past (an outbound connection, from its TCP connect until the
   * client's first command); the function returned ends it. A ManualClock's tick() waits.
   */
  busy?(): () => void;
  /** Optional. FakeSwitch calls it for each socket read or write: a ManualClock's tick() moves time only once they stop. */
  activity?(): void;
}

/** Wall-clock time: Date.now() and the platform's setTimeout. The default. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  }
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: (() => void) | null;
}

/**
 * Simulated time for tests: time stands still until `advance()` (or `runNext()`, `runAll()`)
 * moves it. Timers that are already due (a delay of 0) run on the next turn of the event
 * loop without moving time, so "immediately" still means immediately; everything else waits
 * for the test to advance the clock.
 *
 * ```ts
 * const clock = new ManualClock();
 * const fs = await FakeSwitch.start({ clock });
 * // ... a playback of 5 s is running
 * clock.advance(5000); // it completes now
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  /** Binary min-heap on (due, seq). */
  #heap: ManualTimer[] = [];
  #live = 0;
  #flushScheduled = false;
  #running = false;
  #busy = 0;
  #activity = 0;
  #idleWaiters: Array<() => void> = [];

  /** @param start The initial time, in ms since the epoch (default: the real time now). */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Timers still waiting to run. */
  get pending(): number {
    return this.#live;
  }

  /** Outside work has begun (see Clock.busy); tick() does not move time until the returned function is called. */
  busy(): () => void {
    this.#busy++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#busy--;
      this.#activity++;
      if (this.#busy === 0) for (const w of this.#idleWaiters.splice(0)) w();
    };
  }

  /** A socket read or write (see Clock.activity). */
  activity(): void {
    this.#activity++;
  }

  /**
   * Lets the event loop turn until things have settled: no outside work open (for at most
   * OUTSIDE_WORK_LIMIT_MS of real time) and QUIET_TURNS turns in a row without I/O, so that a
   * client's answer to what FakeSwitch wrote arrives before time moves on.
   */
  async #settle(): Promise<void> {
    const deadline = Date.now() + OUTSIDE_WORK_LIMIT_MS;
    let seen = this.#activity;
    let quiet = 0;
    while (quiet < QUIET_TURNS) {
      if (this.#busy > 0 && Date.now() < deadline) {
        // Waiting on a socket: sleep until the work ends (or a moment passes), without spinning.
        let wake = (): void => undefined;
        const idle = new Promise<void>((r) => {
          wake = r;
          this.#idleWaiters.push(r);
        });
        const moment = setTimeout(wake, 5);
        await idle;
        clearTimeout(moment);
        const i = this.#idleWaiters.indexOf(wake);
        if (i >= 0) this.#idleWaiters.splice(i, 1);
        quiet = 0;
        continue;
      }
      await turn();
      if (this.#activity !== seen) {
        seen = this.#activity;
        quiet = 0;
      } else {
        quiet++;
      }
    }
  }

  /** When the next timer is due, or undefined when none is waiting. */
  get nextDue(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.due;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#push(timer);
    this.#live++;
    if (timer.due <= this.#now) this.#scheduleFlush();
    return {
      cancel: () => {
        if (timer.fn !== null) {
          timer.fn = null;
          this.#live--;
        }
      },
    };
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way, in order
   * (timers those timers create run too, if they fall due within the window).
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('ManualClock.advance: ms must be >= 0');
    this.#runUntil(this.#now + ms);
  }

  /**
   * Moves time forward by `ms` like advance(), but lets the event loop turn between timers:
   * promise continuations and socket I/O run, and the timers they start are honoured if they
   * fall due within the window. Use this one with FakeSwitch, whose applications wait on
   * promises: `await clock.tick(5000)` plays a 2 s prompt, then collects digits for 3 s.
   *
   * Before each step it waits for FakeSwitch's sockets to settle (a clock a FakeSwitch runs on
   * is told of them): an outbound connection being made and its `connect`, and every exchange
   * with the clients, so that an application's answer to an event comes before time moves on.
   */
  async tick(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError('ManualClock.tick: ms must be >= 0');
    const target = this.#now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      await this.#settle();
      const due = this.nextDue;
      if (due === undefined || due > target) break;
      // Like real timers: the ones started by this batch run on a later turn.
      this.#runUntil(Math.max(due, this.#now), Number.POSITIVE_INFINITY, this.#seq);
    }
    if (target > this.#now) this.#now = target;
    await this.#settle();
  }

  /** Moves time to the next timer and runs it (and any due at the same time). False when none is waiting. */
  runNext(): boolean {
    const due = this.nextDue;
    if (due === undefined) return false;
    this.#runUntil(Math.max(due, this.#now));
    return true;
  }

  /**
   * Runs timers until none is left, moving time as needed. Stops after `limit` timers, so a
   * timer that keeps re-arming itself (HEARTBEAT) cannot loop forever; returns how many ran.
   */
  runAll(limit = 10_000): number {
    let ran = 0;
    while (ran < limit) {
      const due = this.nextDue;
      if (due === undefined) break;
      ran += this.#runUntil(Math.max(due, this.#now), limit - ran);
    }
    return ran;
  }

  /** Runs the timers due by `target` (only those created before `beforeSeq`), in order. */
  #runUntil(target: number, limit = Number.POSITIVE_INFINITY, beforeSeq = Number.POSITIVE_INFINITY): number {
    let ran = 0;
    const wasRunning = this.#running;
    this.#running = true;
    try {
      for (;;) {
        this.#dropCancelled();
        const top = this.#heap[0];
        if (top === undefined || top.due > target || ran >= limit || top.seq >= beforeSeq) break;
        this.#pop();
        const fn = top.fn!;
        top.fn = null;
        this.#live--;
        if (top.due > this.#now) this.#now = top.due;
        ran++;
        fn();
      }
      if (target > this.#now && ran < limit && beforeSeq === Number.POSITIVE_INFINITY) this.#now = target;
    } finally {
      this.#running = wasRunning;
    }
    return ran;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#running) return;
      // One turn runs the timers due now that exist now; those they start wait for the next
      // turn, after the promise continuations, as real zero-delay timers would.
      this.#runUntil(this.#now, Number.POSITIVE_INFINITY, this.#seq);
      const next = this.nextDue;
      if (next !== undefined && next <= this.#now) this.#scheduleFlush();
    });
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.fn === null) this.#pop();
  }

  #less(a: ManualTimer, b: ManualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #push(t: ManualTimer): void {
    const h = this.#heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/**
 * The emulator's own view of a clock: every timer it starts is remembered so that stop()
 * can cancel all of them at once, whatever clock the user passed in.
 */
export class Scheduler {
  readonly #timers = new Set<TimerHandle>();
  #closed = false;

  constructor(readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` after `ms` of clock time, unless cancelled or the scheduler is closed. */
  after(ms: number, fn: () => void): TimerHandle {
    if (this.#closed) return { cancel: () => undefined };
    let inner: TimerHandle | undefined;
    const handle: TimerHandle = {
      cancel: () => {
        if (this.#timers.delete(handle)) inner?.cancel();
      },
    };
    this.#timers.add(handle);
    inner = this.clock.setTimeout(() => {
      if (!this.#timers.delete(handle)) return;
      fn();
    }, ms);
    return handle;
  }

  /** Resolves after `ms` of clock time; rejects never (a closed scheduler leaves it pending). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Cancels every timer and refuses new ones (until reopen()). */
  close(): void {
    this.#closed = true;
    for (const t of [...this.#timers]) t.cancel();
    this.#timers.clear();
  }

  /** Accepts timers again after close() (FakeSwitch.restart()). */
  reopen(): void {
    this.#closed = false;
  }

  /** Tells the clock that work outside it has begun (Clock.busy); returns the function that ends it. */
  busy(): () => void {
    return this.clock.busy?.() ?? (() => undefined);
  }

  /** Tells the clock of a socket read or write (Clock.activity). */
  activity(): void {
    this.clock.activity?.();
  }
}
