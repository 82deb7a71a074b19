/**
 * Routes each event once to whoever asked for it. A view on one channel, one job or one event
 * name is a Map lookup per event, not one filter per subscriber per event: with a thousand
 * channels followed at once, an event still costs one lookup. Waiters for a bgapi result or an
 * execute completion are entries in Maps too (never EventEmitter listeners).
 */
import { Observable, Subject, type Subscriber } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';
import type { ReceivedEvent } from './esl-connection.js';

type Views = Map<string, Set<Subscriber<ReceivedEvent>>>;

function deliver(views: Views, key: string | undefined, ev: ReceivedEvent): void {
  if (key === undefined) return;
  const set = views.get(key);
  if (set === undefined) return;
  if (set.size === 1) {
    for (const s of set) s.next(ev);
    return;
  }
  // A snapshot: a subscriber added while delivering does not receive this event.
  for (const s of [...set]) s.next(ev);
}

function view(views: Views, key: string, closed: () => boolean): Observable<ReceivedEvent> {
  return new Observable<ReceivedEvent>((subscriber) => {
    // A view of a connection that is gone completes at once instead of waiting forever.
    if (closed()) {
      subscriber.complete();
      return undefined;
    }
    let set = views.get(key);
    if (set === undefined) {
      set = new Set();
      views.set(key, set);
    }
    set.add(subscriber);
    return () => {
      const s = views.get(key);
      if (s === undefined) return;
      s.delete(subscriber);
      if (s.size === 0) views.delete(key);
    };
  });
}

function completeAll(views: Views): void {
  const all = [...views.values()].flatMap((s) => [...s]);
  views.clear();
  for (const s of all) s.complete();
}

export type EventWaiter = (ev: ReceivedEvent) => void;

export class EventRouter {
  /** Every event, parsed once, for every subscriber. */
  readonly events = new Subject<ReceivedEvent>();
  private readonly byName: Views = new Map();
  private readonly bySubclass: Views = new Map();
  private readonly byChannel: Views = new Map();
  private readonly byJob: Views = new Map();
  /** bgapi results waiting, by Job-UUID. */
  private readonly jobs = new Map<string, EventWaiter>();
  /** execute completions waiting, by Application-UUID. */
  private readonly apps = new Map<string, EventWaiter>();
  /** Waiters for the end of a channel (CHANNEL_HANGUP_COMPLETE), by Unique-ID. */
  private readonly hangups = new Map<string, Set<EventWaiter>>();
  /** complete() was called: a new view completes at once. */
  private closed = false;
  private readonly isClosed = (): boolean => this.closed;

  /**
   * Routes an event, and returns true; or, for an event without an Event-Name (malformed:
   * FreeSWITCH names every event it fires), routes it nowhere and returns false. So whatever
   * this router delivers has a name: a ReceivedEvent.
   */
  dispatch(event: EslEvent): boolean {
    const name = event.name;
    if (name === undefined) return false;
    const ev = event as ReceivedEvent;
    this.events.next(ev);
    if (this.byName.size > 0) deliver(this.byName, name, ev);
    if (name === 'BACKGROUND_JOB' && this.jobs.size > 0) {
      const id = ev.getHeader('Job-UUID');
      const w = id === undefined ? undefined : this.jobs.get(id);
      if (w) {
        this.jobs.delete(id!);
        w(ev);
      }
    } else if (name === 'CHANNEL_EXECUTE_COMPLETE' && this.apps.size > 0) {
      const id = ev.getHeader('Application-UUID');
      const w = id === undefined ? undefined : this.apps.get(id);
      if (w) {
        this.apps.delete(id!);
        w(ev);
      }
    } else if (name === 'CHANNEL_HANGUP_COMPLETE' && this.hangups.size > 0) {
      const id = ev.getHeader('Unique-ID');
      const set = id === undefined ? undefined : this.hangups.get(id);
      if (set) {
        this.hangups.delete(id!);
        for (const w of set) w(ev);
      }
    } else if (name === 'CUSTOM' && this.bySubclass.size > 0) {
      deliver(this.bySubclass, ev.subclass, ev);
    }
    if (this.byChannel.size > 0) deliver(this.byChannel, ev.getHeader('Unique-ID'), ev);
    if (this.byJob.size > 0) deliver(this.byJob, ev.getHeader('Job-UUID'), ev);
    return true;
  }

  /** Events of these names (Event-Name, exact). */
  named(names: readonly string[]): Observable<ReceivedEvent> {
    if (names.length === 1) return view(this.byName, names[0]!, this.isClosed);
    return new Observable<ReceivedEvent>((subscriber) => {
      // Each per-name view completes the subscriber when the connection goes (the first wins).
      const subs = names.map((n) => view(this.byName, n, this.isClosed).subscribe(subscriber));
      return () => subs.forEach((s) => s.unsubscribe());
    });
  }

  /** CUSTOM events of that subclass. */
  custom(subclass: string): Observable<ReceivedEvent> {
    return view(this.bySubclass, subclass, this.isClosed);
  }

  /** Events whose Unique-ID is that channel. */
  channel(uuid: string): Observable<ReceivedEvent> {
    return view(this.byChannel, uuid, this.isClosed);
  }

  /** Events whose Job-UUID is that job. */
  job(jobUuid: string): Observable<ReceivedEvent> {
    return view(this.byJob, jobUuid, this.isClosed);
  }


  /** @internal One-shot waiter for a BACKGROUND_JOB. Returns a remover. */
  waitJob(jobUuid: string, w: EventWaiter): () => void {
    this.jobs.set(jobUuid, w);
    return () => {
      if (this.jobs.get(jobUuid) === w) this.jobs.delete(jobUuid);
    };
  }

  /** @internal One-shot waiter for a CHANNEL_EXECUTE_COMPLETE. */
  waitApplication(appUuid: string, w: EventWaiter): () => void {
    this.apps.set(appUuid, w);
    return () => {
      if (this.apps.get(appUuid) === w) this.apps.delete(appUuid);
    };
  }

  /** @internal One-shot waiter for a channel's CHANNEL_HANGUP_COMPLETE. */
  waitHangup(uuid: string, w: EventWaiter): () => void {
    let set = this.hangups.get(uuid);
    if (!set) {
      set = new Set();
      this.hangups.set(uuid, set);
    }
    set.add(w);
    return () => {
      const s = this.hangups.get(uuid);
      if (!s) return;
      s.delete(w);
      if (s.size === 0) this.hangups.delete(uuid);
    };
  }

  /** How many internal waiters are registered (for tests: nothing may be left behind). */
  get waiters(): number {
    let n = this.jobs.size + this.apps.size;
    for (const s of this.hangups.values()) n += s.size;
    return n;
  }

  /** How many view subscribers are registered. */
  get views(): number {
    let n = 0;
    for (const m of [this.byName, this.bySubclass, this.byChannel, this.byJob]) for (const s of m.values()) n += s.size;
    return n;
  }

  /** The connection is gone for good: every view completes. */
  complete(): void {
    this.closed = true;
    this.jobs.clear();
    this.apps.clear();
    this.hangups.clear();
    for (const m of [this.byName, this.bySubclass, this.byChannel, this.byJob]) completeAll(m);
    this.events.complete();
  }
}
