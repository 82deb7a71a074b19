/**
 * The FIFO that matches replies to commands (PROTOCOL.md §3.1). FreeSWITCH answers every
 * command in the order it was sent, with exactly one command/reply or api/response frame;
 * everything else on the socket is unsolicited. So the oldest pending command owns the next
 * reply, always. A command whose caller gave up (unsubscribed, timed out) keeps its place:
 * its reply is still consumed in its turn, and dropped, so the queue never gets out of step.
 *
 * No I/O here: the Connection writes the bytes and feeds the replies in. A queued command is
 * one small object: ten thousand in flight must stay cheap.
 */
import { type Subscriber, type Subscription, asyncScheduler } from 'rxjs';
import { EslDisconnectedError, EslError, EslTimeoutError } from '../errors.js';
import type { Frame } from '../protocol/frame.js';

/** The timers a connection's commands run on (a real clock, or a TestScheduler's virtual one). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Timers on RxJS's asyncScheduler: real time in production, virtual time inside
 * TestScheduler.run(), so marble tests drive command timeouts and reconnect delays.
 */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => asyncScheduler.schedule(fn, ms),
  clearTimeout: (h) => (h as Subscription).unsubscribe(),
};

/** Where a command's outcome goes: its reply frame, or the error that means none will come. */
export interface ReplyTarget {
  reply(frame: Frame): void;
  fail(err: Error): void;
}

export interface QueueHooks {
  /** Called when the command is queued, as it is written: it now owns a place in the FIFO. */
  written?: (() => void) | undefined;
  /**
   * Called with the reply whether or not the caller still waits (before the target): what the
   * command changed on the server (a subscription, a filter) is known even when nobody listens.
   */
  replied?: ((frame: Frame) => void) | undefined;
  /** Called when the reply will never come (the connection went): undo what was assumed. */
  lost?: (() => void) | undefined;
}

/**
 * A command written and waiting for its reply, and what to do with the reply (subclasses say).
 * It is also its own teardown: `unsubscribe()` means the caller stopped waiting.
 */
export abstract class QueuedCommand implements ReplyTarget {
  /** The caller no longer waits (answered, failed, timed out or unsubscribed); the reply is still consumed. */
  settled = false;
  timer: unknown = undefined;
  queue: CommandQueue | undefined = undefined;

  constructor(
    /** For messages: the command line, password masked. */
    readonly label: string,
    /** Milliseconds FreeSWITCH may take once this command is at the head of the queue; undefined: no limit. */
    readonly timeoutMs: number | undefined,
    readonly hooks: QueueHooks | undefined,
  ) {}

  abstract reply(frame: Frame): void;
  abstract fail(err: Error): void;

  unsubscribe(): void {
    this.queue?.abandon(this);
  }
}

/**
 * A queued command whose reply, turned into a value (or an Error) by `convert`, goes to one
 * subscriber, which it then completes: the commands of a Connection. The reply flows from the
 * queue to this entry to the subscriber, with nothing in between.
 */
export class SubscriberCommand<T> extends QueuedCommand {
  constructor(
    label: string,
    timeoutMs: number | undefined,
    hooks: QueueHooks | undefined,
    private readonly subscriber: Subscriber<T>,
    private readonly convert: (frame: Frame) => T | Error,
  ) {
    super(label, timeoutMs, hooks);
  }

  reply(frame: Frame): void {
    let value: T | Error;
    try {
      value = this.convert(frame);
    } catch (err) {
      value = err instanceof Error ? err : new EslError(String(err));
    }
    if (value instanceof Error) {
      this.subscriber.error(value);
      return;
    }
    this.subscriber.next(value);
    this.subscriber.complete();
  }

  fail(err: Error): void {
    this.subscriber.error(err);
  }
}

/** A queued command that hands its outcome to a ReplyTarget. */
export class TargetCommand extends QueuedCommand {
  constructor(label: string, timeoutMs: number | undefined, hooks: QueueHooks | undefined, private readonly target: ReplyTarget) {
    super(label, timeoutMs, hooks);
  }

  reply(frame: Frame): void {
    this.target.reply(frame);
  }

  fail(err: Error): void {
    this.target.fail(err);
  }
}

export class CommandQueue {
  private entries: Array<QueuedCommand | undefined> = [];
  private head = 0;

  constructor(private readonly timers: Timers = realTimers) {}

  /** Commands written whose reply has not arrived (abandoned ones included: they still own a reply). */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Commands whose caller is still waiting. */
  get waiting(): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) if (!this.entries[i]!.settled) n++;
    return n;
  }

  /** Registers a command that is being written now. */
  push<C extends QueuedCommand>(entry: C): C {
    entry.queue = this;
    this.entries.push(entry);
    // Its clock starts now when no command before it is still waited for (one that timed out
    // still owns a reply, but nobody waits for it).
    if (this.entries.length - this.head === 1 || this.entries[this.entries.length - 2]!.settled) this.armFrom(this.head);
    entry.hooks?.written?.();
    return entry;
  }

  /**
   * The next command/reply or api/response arrived: it belongs to the oldest command.
   * Returns false when no command was waiting (a reply nobody asked for).
   */
  reply(frame: Frame): boolean {
    if (this.head >= this.entries.length) return false;
    const entry = this.entries[this.head]!;
    this.entries[this.head] = undefined;
    this.head++;
    this.compact();
    this.disarm(entry);
    this.armFrom(this.head);
    entry.hooks?.replied?.(frame);
    if (!entry.settled) {
      entry.settled = true;
      entry.reply(frame);
    }
    return true;
  }

  /** The connection is gone: every command still waiting fails at once, and the queue is emptied. */
  failAll(make: (label: string) => Error = (label) => new EslDisconnectedError(`connection closed before the reply to "${label}"`, label, { sent: true })): void {
    const list = this.entries.slice(this.head);
    this.entries = [];
    this.head = 0;
    for (const entry of list) {
      if (!entry) continue;
      this.disarm(entry);
      entry.hooks?.lost?.();
      if (!entry.settled) {
        entry.settled = true;
        entry.fail(make(entry.label));
      }
    }
  }

  /** The caller stops waiting; the reply will still be consumed in turn. */
  abandon(entry: QueuedCommand): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.timer === undefined) return;
    // Its clock was the one running: the next command whose caller waits takes it over.
    this.disarm(entry);
    this.armFrom(this.entries.indexOf(entry, this.head) + 1);
  }

  /**
   * Starts the clock of the first command from `from` whose caller still waits, unless it runs
   * already. Commands given up on are skipped; one still waited for stops the walk even without
   * a timeout of its own (a long api before a command does not count against it).
   */
  private armFrom(from: number): void {
    for (let i = Math.max(from, this.head); i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (entry.settled) continue;
      if (entry.timer === undefined) this.arm(entry);
      return;
    }
  }

  /** A command's clock starts when it reaches the head: the time FreeSWITCH spends on it, not on the ones before it. */
  private arm(entry: QueuedCommand): void {
    const ms = entry.timeoutMs;
    if (entry.settled || !ms || ms <= 0) return;
    entry.timer = this.timers.setTimeout(() => {
      entry.timer = undefined;
      if (entry.settled) return;
      entry.settled = true;
      // The late reply will still arrive in its turn, but the next command is now the one the
      // caller waits for: its clock starts here.
      this.armFrom(this.entries.indexOf(entry, this.head) + 1);
      entry.fail(new EslTimeoutError(`no reply to "${entry.label}" within ${ms} ms`, ms, entry.label));
    }, ms);
  }

  private disarm(entry: QueuedCommand): void {
    if (entry.timer !== undefined) {
      this.timers.clearTimeout(entry.timer);
      entry.timer = undefined;
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
