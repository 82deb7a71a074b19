/**
 * The API registry (switch_api_execute). `api` and `bgapi` look commands up here; users add
 * their own with `fake.api(name, handler)`. As FreeSWITCH does, every execution fires an API
 * event (created before the command runs, so it holds the lower Event-Sequence, and fired
 * after it returns) with API-Command and API-Command-Argument.
 */
import type { SwitchBus } from './bus.js';
import { SITES, type EventSite } from './events.js';

/** How a command was called (FakeSwitch adds itself as `fake` for the handlers users register). */
export interface ApiCall {
  /** The command name, as called. */
  readonly command: string;
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
export type ApiFunction = (args: string, call: ApiCall) => string | Buffer | Promise<string | Buffer>;

/** An API command's entry in `show api`. */
export interface ApiDescription {
  description?: string;
  syntax?: string;
  /** The module shown by `show api` (ikey). Default `mod_fakeswitch`. */
  module?: string;
}

interface Entry extends Required<ApiDescription> {
  name: string;
  handler: ApiFunction;
}

/** What switch_api_execute leaves: the command's status and what was printed on its stream. */
export interface ApiOutcome {
  /** False for an unknown command or a handler that failed. */
  ok: boolean;
  /** What was printed: the handler's output, `INVALID COMMAND!` or `COMMAND RETURNED ERROR!`. */
  output: string;
}

/** How a caller runs a command. */
export interface ApiRun {
  sessionUuid?: string;
  background?: boolean;
}

/** A bgapi job: who asked for what, and who runs it. */
export interface BgapiJob {
  /** Job-UUID. */
  readonly uuid: string;
  readonly command: string;
  /** Job-Command-Arg (absent when there were no arguments). */
  readonly arg: string | undefined;
  /** Job-Owner-UUID: the session of the connection that asked (mod_event_socket's jobs only). */
  readonly ownerUuid?: string;
  /**
   * mod_event_socket's api_exec (the `bgapi` command) or mod_commands' bgapi_exec
   * (`api bgapi ...`): they create the event in different places and word a failure apart.
   */
  readonly runner: 'mod_event_socket' | 'mod_commands';
}

const BGAPI_EXEC: EventSite = { file: 'mod_commands.c', func: 'bgapi_exec', line: 5396 };

export class ApiRegistry {
  readonly #bus: SwitchBus;
  #entries = new Map<string, Entry>();

  /** `bus`: where the API and BACKGROUND_JOB events are fired. */
  constructor(bus: SwitchBus) {
    this.#bus = bus;
  }

  /** Registers (or replaces) a command. Names are matched ignoring case, as FreeSWITCH's hash. */
  register(name: string, handler: ApiFunction, description: ApiDescription = {}): void {
    this.#entries.set(name.toLowerCase(), {
      name,
      handler,
      description: description.description ?? name,
      syntax: description.syntax ?? '',
      module: description.module ?? 'mod_fakeswitch',
    });
  }

  /** Every command, sorted by name (as `show api` lists them). */
  list(): Array<{ name: string; description: string; syntax: string; module: string }> {
    return [...this.#entries.values()]
      .map(({ name, description, syntax, module }) => ({ name, description, syntax, module }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * switch_api_execute: strips the command and arguments, runs the handler, and fires the API
   * event around it. An unknown command prints `INVALID COMMAND!`, a failing one
   * `COMMAND RETURNED ERROR!` (what a nested caller such as `expand` passes on). Never throws.
   */
  async run(command: string, args: string, context: ApiRun = {}): Promise<ApiOutcome> {
    const bus = this.#bus;
    const cmd = command.trim();
    const arg = args.trim();
    // The API event exists (and has its sequence number) before the command runs.
    const event = bus.wants('API', undefined) ? bus.events.create('API', SITES.api).add('API-Command', cmd).add('API-Command-Argument', arg) : undefined;
    if (!event) bus.events.skip();
    let outcome: ApiOutcome;
    const entry = this.#entries.get(cmd.toLowerCase());
    if (!entry) {
      outcome = { ok: false, output: 'INVALID COMMAND!\n' };
    } else {
      try {
        const out = await entry.handler(arg, {
          command: cmd,
          sessionUuid: context.sessionUuid,
          background: context.background ?? false,
        });
        outcome = { ok: true, output: typeof out === 'string' ? out : Buffer.isBuffer(out) ? out.toString('utf8') : String(out ?? '') };
      } catch (err) {
        bus.reportError(err);
        outcome = { ok: false, output: 'COMMAND RETURNED ERROR!\n' };
      }
    }
    if (event) bus.fire(event);
    return outcome;
  }

  /**
   * What mod_event_socket's api_exec makes of a command, for `api` and `bgapi`: its output,
   * or `-ERR <command> Command not found!\n` whenever it did not succeed, whatever it printed.
   */
  async execute(command: string, args: string, context: ApiRun = {}): Promise<string> {
    const { ok, output } = await this.run(command, args, context);
    return ok ? output : notFound(command);
  }

  /**
   * Runs a bgapi job in its own thread (a later turn) and fires BACKGROUND_JOB with the command's
   * output as the body: Job-UUID, Job-Owner-UUID, Job-Command, Job-Command-Arg.
   */
  background(job: BgapiJob): void {
    const bus = this.#bus;
    bus.defer(() => {
      void this.run(job.command, job.arg ?? '', { sessionUuid: job.ownerUuid, background: true }).then(({ ok, output }) => {
        const eventSocket = job.runner === 'mod_event_socket';
        const body = ok ? output : eventSocket ? notFound(job.command) : `${job.command}: Command not found!\n`;
        const h = bus.events
          .create('BACKGROUND_JOB', eventSocket ? SITES.backgroundJob : BGAPI_EXEC)
          .add('Job-UUID', job.uuid)
          .add('Job-Owner-UUID', job.ownerUuid)
          .add('Job-Command', job.command)
          .add('Job-Command-Arg', job.arg);
        bus.fire(h, body);
      });
    });
  }
}

function notFound(command: string): string {
  return `-ERR ${command} Command not found!\n`;
}

