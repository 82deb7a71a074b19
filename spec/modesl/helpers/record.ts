/**
 * Small helpers for the modesl facade's tests: what a connection emits, in order, and
 * promises for the next emit of a name.
 */
import type { EventEmitter2 } from 'eventemitter2';

/**
 * Every name emitted, in order, seen from a `**` listener: it runs after the listeners of
 * the exact name, as a user's catch-all listener does (modesl called a command's callback
 * from the first listener of the exact name, so a callback shows up before its frame here).
 */
export function record(emitter: EventEmitter2, into: string[] = []): string[] {
  emitter.on('**', function (this: { event: string | string[] }) {
    into.push(Array.isArray(this.event) ? this.event.join('::') : String(this.event));
  });
  return into;
}

/** The arguments of the next emit of that name. */
export function next<T extends unknown[] = unknown[]>(emitter: EventEmitter2, name: string): Promise<T> {
  return new Promise((resolve) => emitter.once(name, (...args: unknown[]) => resolve(args as T)));
}

/** Resolves when a callback-style call calls back, with its arguments. */
export function callback<T extends unknown[] = unknown[]>(start: (cb: (...args: T) => void) => void): Promise<T> {
  return new Promise((resolve) => start((...args) => resolve(args)));
}

/** Waits until the predicate holds (polling), or fails after `ms`. */
export async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
