/**
 * What a connection asked FreeSWITCH for, kept to ask again after a reconnect (a new socket
 * starts with nothing): the event subscription, the filters, the log level; and whether
 * `myevents` is on. A command changes it when FreeSWITCH says +OK, whether or not its caller
 * still listens. A subscription command counts as asked for from the moment it is written,
 * so that rxesl does not ask on its own for what is already on its way.
 */
import type { EncodedCommand } from '../protocol/commands.js';
import { Commands } from '../protocol/commands.js';
import type { EventFormat } from '../protocol/content-type.js';
import { type EventFilter, EventSubscription, FilterList } from '../protocol/subscriptions.js';
import type { CommandReply } from './replies.js';

/**
 * What one command does to what was asked for: told when it is written, when its reply comes
 * (whatever it says), and when no reply will come (the connection went).
 */
export interface Tracker {
  written?: () => void;
  replied: (reply: CommandReply) => void;
  lost?: () => void;
}

/** How AskedFor sends the commands it sends on its own. */
export interface AskedForPort {
  /** Sends a command whose reply is tracked; resolves on +OK, rejects with EslCommandError otherwise. */
  ask(cmd: EncodedCommand, tracker: Tracker): Promise<unknown>;
  /** Sends a command whose reply matters to nobody. */
  tell(cmd: EncodedCommand): void;
}

/** A subscription command written and not answered yet: what it will change if it succeeds. */
interface PendingSubscription {
  apply(sub: EventSubscription): void;
  /** Resolves true when it succeeded, false when it failed or was lost. */
  done: Promise<boolean>;
}

const noop = (): void => {};

export class AskedFor {
  /** `event` and `nixevent` and `noevents`, as FreeSWITCH merged them. */
  readonly subscription = new EventSubscription();
  readonly filters = new FilterList();
  /** `log <level>`, until `nolog`. */
  logLevel: string | undefined;
  myevents = false;
  readonly #pending = new Set<PendingSubscription>();
  readonly #port: AskedForPort;

  /** `format`: the one rxesl subscribes with on its own, until a command sets another. */
  constructor(format: EventFormat, port: AskedForPort) {
    this.subscription.format = format;
    this.#port = port;
  }

  // ------------------------------------------------------------------ trackers

  /**
   * An `event`, `nixevent` or `noevents` command: `apply` is what it changes when accepted,
   * `onRefused` what it changes anyway (FreeSWITCH switches the format even when it then
   * refuses the names).
   */
  subscribing(apply: (sub: EventSubscription) => void, onRefused?: (sub: EventSubscription) => void): Tracker {
    let settle!: (ok: boolean) => void;
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    const pending: PendingSubscription = { apply, done };
    return {
      written: () => this.#pending.add(pending),
      replied: (reply) => {
        this.#pending.delete(pending);
        if (reply.ok) apply(this.subscription);
        else onRefused?.(this.subscription);
        settle(reply.ok);
      },
      lost: () => {
        this.#pending.delete(pending);
        settle(false);
      },
    };
  }

  /** `filter <header> <value>`. */
  filtering(header: string, value: string): Tracker {
    return { replied: (r) => r.ok && this.filters.add(header, value) };
  }

  /** `filter delete <header> [<value>]`. */
  unfiltering(header: string, value: string | undefined): Tracker {
    return { replied: (r) => r.ok && this.filters.delete(header, value) };
  }

  /** `log [<level>]`: with no level FreeSWITCH logs at debug. */
  logging(level: string | number | undefined): Tracker {
    return {
      replied: (r) => {
        if (r.ok) this.logLevel = level === undefined ? 'debug' : String(level);
      },
    };
  }

  /** `nolog`. */
  notLogging(): Tracker {
    return {
      replied: (r) => {
        if (r.ok) this.logLevel = undefined;
      },
    };
  }

  /** `myevents [<uuid>] [<format>]`: outbound, the format becomes the socket's. */
  myEvents(format: EventFormat | undefined, outbound: boolean): Tracker {
    return {
      replied: (r) => {
        if (!r.ok) return;
        this.myevents = true;
        if (format && outbound) this.subscription.format = format;
      },
    };
  }

  // ------------------------------------------------------------------ what rxesl asks for on its own

  /**
   * Makes sure an event type is subscribed, for rxesl's own needs (BACKGROUND_JOB before a
   * bgapi...). Undefined when it already is; else a promise that fails with the
   * EslCommandError if FreeSWITCH refuses.
   */
  ensureSubscribed(name: string): Promise<void> | undefined {
    if (this.subscription.covers(name)) return undefined;
    if (this.#expected().covers(name)) {
      // Asked for by a command on its way: rely on it, and ask again only if it fails.
      const waits = [...this.#pending].map((p) => p.done);
      return Promise.all(waits).then(() => (this.subscription.covers(name) ? undefined : this.ensureSubscribed(name)));
    }
    const cmd = Commands.event(this.subscription.format, [name]);
    const p = this.#port.ask(cmd, this.subscribing((sub) => sub.subscribe([name]))).then(() => undefined);
    p.catch(noop);
    return p;
  }

  /**
   * Lets the events whose `header` is `value` through the filters in force (a bgapi's
   * Job-UUID), with a filter of its own. Returns what removes that filter, or undefined when
   * no filter is in force (every event comes).
   */
  letThrough(header: string, value: string): (() => void) | undefined {
    if (this.filters.size === 0) return undefined;
    this.#port.tell(Commands.filter(header, value));
    return () => this.#port.tell(Commands.filterDelete(header, value));
  }

  /** The commands that ask a new socket for all that was asked for: subscriptions, filters, log level. */
  restoreCommands(): EncodedCommand[] {
    const cmds: EncodedCommand[] = [];
    const tokens = this.subscription.toTokens();
    if (tokens.length > 0) cmds.push(Commands.event(this.subscription.format, tokens));
    for (const f of this.filters.filters) cmds.push(Commands.filter(f.header, f.value));
    if (this.logLevel !== undefined) cmds.push(Commands.log(this.logLevel));
    return cmds;
  }

  /** A copy of the filters, in order. */
  filterList(): EventFilter[] {
    return this.filters.filters.map((f) => ({ ...f }));
  }

  /** The subscription as it will be once every pending subscription command has succeeded. */
  #expected(): EventSubscription {
    if (this.#pending.size === 0) return this.subscription;
    const probe = this.subscription.clone();
    for (const p of this.#pending) p.apply(probe);
    return probe;
  }
}
