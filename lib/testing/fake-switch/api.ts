/**
 * The API registry (switch_api_execute). `api` and `bgapi` look commands up here; users add
 * their own with `fake.api(name, handler)`. As FreeSWITCH does, every execution fires an API
 * event (created before the command runs, so it holds the lower Event-Sequence, and fired
 * after it returns) with API-Command and API-Command-Argument.
 */
import { SITES } from './events.js';
import type { SwitchCore } from './core.js';
import type { FakeSwitch } from './fake-switch.js';

/** What an API handler is given besides its arguments. */
export interface ApiContext {
  /** The command name, as called. */
  readonly command: string;
  /** The emulator, to look at or change its channels. */
  readonly fake: FakeSwitch;
  /** The uuid of the session the calling connection controls (outbound, or after myevents), if any. */
  readonly sessionUuid: string | undefined;
  /** True when run by `bgapi`. */
  readonly background: boolean;
}

/**
 * An API command. It returns the body of the api/response (or of BACKGROUND_JOB). Throwing,
 * or returning a rejected promise, is FreeSWITCH's non-success status: the reply becomes
 * `-ERR <command> Command not found!\n`, whatever was printed.
 */
export type ApiHandler = (args: string, context: ApiContext) => string | Buffer | Promise<string | Buffer>;

/** An API command's entry in `show api`. */
export interface ApiDescription {
  description?: string;
  syntax?: string;
  /** The module shown by `show api` (ikey). Default `mod_fakeswitch`. */
  module?: string;
}

interface Entry extends Required<ApiDescription> {
  name: string;
  handler: ApiHandler;
}

/** The result of running an API command. */
export interface ApiOutcome {
  /** False for an unknown command or a handler that failed. */
  ok: boolean;
  output: string;
}

export class ApiRegistry {
  #entries = new Map<string, Entry>();

  /** Registers (or replaces) a command. Names are matched ignoring case, as FreeSWITCH's hash. */
  register(name: string, handler: ApiHandler, description: ApiDescription = {}): void {
    this.#entries.set(name.toLowerCase(), {
      name,
      handler,
      description: description.description ?? name,
      syntax: description.syntax ?? '',
      module: description.module ?? 'mod_fakeswitch',
    });
  }

  unregister(name: string): boolean {
    return this.#entries.delete(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.#entries.has(name.toLowerCase());
  }

  /** Every command, sorted by name (as `show api` lists them). */
  list(): Array<{ name: string; description: string; syntax: string; module: string }> {
    return [...this.#entries.values()]
      .map(({ name, description, syntax, module }) => ({ name, description, syntax, module }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * switch_api_execute: strips the command and arguments, runs the handler, and fires the API
   * event around it. Never throws.
   */
  async execute(
    core: SwitchCore,
    command: string,
    args: string,
    context: { fake: FakeSwitch; sessionUuid?: string; background?: boolean },
  ): Promise<ApiOutcome> {
    const cmd = command.trim();
    const arg = args.trim();
    // The API event exists (and has its sequence number) before the command runs.
    const event = core.wants('API', undefined) ? core.events.create('API', SITES.api).add('API-Command', cmd).add('API-Command-Argument', arg) : undefined;
    if (!event) core.events.skip();
    let outcome: ApiOutcome;
    const entry = this.#entries.get(cmd.toLowerCase());
    if (!entry) {
      outcome = { ok: false, output: 'INVALID COMMAND!\n' };
    } else {
      try {
        const out = await entry.handler(arg, {
          command: cmd,
          fake: context.fake,
          sessionUuid: context.sessionUuid,
          background: context.background ?? false,
        });
        outcome = { ok: true, output: typeof out === 'string' ? out : Buffer.isBuffer(out) ? out.toString('utf8') : String(out ?? '') };
      } catch (err) {
        core.reportError(err);
        outcome = { ok: false, output: 'COMMAND RETURNED ERROR!\n' };
      }
    }
    if (event) core.fire(event);
    return outcome;
  }
}
