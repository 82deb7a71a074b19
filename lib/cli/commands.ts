/**
 * What a line typed at the prompt means, and running it. As in fs_cli, a plain line is an api
 * command and a line starting with `/` is a console command (`/event`, `/filter`, `/log`...).
 * Parsing is pure; running needs an EslConnection and somewhere to print.
 */
import { randomUUID } from 'node:crypto';
import { type Observable, firstValueFrom } from 'rxjs';
import type { EslConnection } from '../connection/esl-connection.js';
import type { CommandReply } from '../connection/replies.js';
import { EVENT_FORMATS, type EventFormat } from '../protocol/content-type.js';
import { type EventName, LOG_LEVELS } from '../protocol/event-names.js';
import { describeError } from './describe-error.js';
import type { FunctionKey } from './function-keys.js';
import type { Palette } from './palette.js';

export type ViewMode = 'line' | 'full';

export type ConsoleCommand =
  | { kind: 'empty' }
  | { kind: 'api'; command: string }
  | { kind: 'bgapi'; command: string }
  | { kind: 'event'; format: EventFormat | undefined; names: string[] }
  | { kind: 'nixevent'; names: string[] }
  | { kind: 'noevents' }
  | { kind: 'filter'; header: string; value: string }
  | { kind: 'filter-delete'; header: string; value: string | undefined }
  | { kind: 'filters' }
  | { kind: 'log'; level: string | undefined }
  | { kind: 'nolog' }
  | { kind: 'view'; mode: ViewMode | undefined }
  | { kind: 'top' }
  | { kind: 'help' }
  | { kind: 'exit' }
  | { kind: 'invalid'; message: string };

/** The console commands, for /help and completion. */
export const SLASH_COMMANDS: ReadonlyArray<{ name: string; args: string; help: string }> = [
  { name: '/event', args: '[plain|json|xml] <NAME ...|ALL>', help: 'subscribe to events (no arguments: what is subscribed)' },
  { name: '/nixevent', args: '<NAME ...>', help: 'unsubscribe from events' },
  { name: '/noevents', args: '', help: 'unsubscribe from every event' },
  { name: '/filter', args: '<Header> <value> | delete <Header> [<value>]', help: 'only events whose header matches (no arguments: the filters)' },
  { name: '/log', args: '<level>', help: 'log lines up to this level: console ... debug, or 0-7 (no argument: the level)' },
  { name: '/nolog', args: '', help: 'no more log lines' },
  { name: '/view', args: 'line|full', help: 'events on one line (default) or whole' },
  { name: '/bgapi', args: '<command>', help: 'run an api command in the background; its result is printed when it comes' },
  { name: '/top', args: '', help: 'live view of channels and events per second (q or Ctrl-C to come back)' },
  { name: '/help', args: '', help: 'this help' },
  { name: '/exit', args: '', help: 'leave (also /quit, /bye, ..., Ctrl-D, Ctrl-C)' },
];

/** Every word that starts a console command, aliases included. */
export const SLASH_WORDS: readonly string[] = [...SLASH_COMMANDS.map((c) => c.name), '/quit', '/bye'];

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== '');
}

/** What a line means. */
export function parseLine(input: string): ConsoleCommand {
  const line = input.trim();
  if (line === '') return { kind: 'empty' };
  // fs_cli: "..." leaves, like /exit.
  if (line === '...') return { kind: 'exit' };
  if (!line.startsWith('/')) return { kind: 'api', command: line };
  const sp = line.search(/\s/);
  const word = (sp < 0 ? line : line.slice(0, sp)).toLowerCase();
  const rest = sp < 0 ? '' : line.slice(sp).trim();
  const args = words(rest);
  switch (word) {
    case '/exit':
    case '/quit':
    case '/bye':
      return { kind: 'exit' };
    case '/help':
    case '/?':
      return { kind: 'help' };
    case '/top':
      return { kind: 'top' };
    case '/noevents':
      return { kind: 'noevents' };
    case '/nolog':
      return { kind: 'nolog' };
    case '/event': {
      const first = args[0]?.toLowerCase();
      const format = EVENT_FORMATS.find((f) => f === first);
      const names = format ? args.slice(1) : args;
      if (format && names.length === 0) return { kind: 'invalid', message: `/event ${format} needs event names, e.g. /event ${format} ALL` };
      return { kind: 'event', format, names };
    }
    case '/nixevent':
      if (args.length === 0) return { kind: 'invalid', message: '/nixevent needs event names, e.g. /nixevent HEARTBEAT' };
      return { kind: 'nixevent', names: args };
    case '/filter': {
      if (args.length === 0) return { kind: 'filters' };
      if (args[0]!.toLowerCase() === 'delete') {
        if (args.length < 2) return { kind: 'invalid', message: '/filter delete needs a header name (or all)' };
        const value = rest.replace(/^\S+\s+\S+\s*/, '');
        return { kind: 'filter-delete', header: args[1]!, value: value === '' ? undefined : value };
      }
      if (args.length < 2) return { kind: 'invalid', message: '/filter needs a header and a value, e.g. /filter Caller-Context default' };
      // The value is the rest of the line and may contain spaces, as FreeSWITCH reads it.
      return { kind: 'filter', header: args[0]!, value: rest.replace(/^\S+\s+/, '') };
    }
    case '/log':
      if (args.length > 1) return { kind: 'invalid', message: `/log takes one level (${LOG_LEVELS.join(', ')}, or 0-7)` };
      return { kind: 'log', level: args[0] };
    case '/view': {
      const mode = args[0]?.toLowerCase();
      if (mode !== undefined && mode !== 'line' && mode !== 'full') return { kind: 'invalid', message: '/view line or /view full' };
      return { kind: 'view', mode };
    }
    case '/bgapi':
      if (rest === '') return { kind: 'invalid', message: '/bgapi needs a command, e.g. /bgapi status' };
      return { kind: 'bgapi', command: rest };
    default:
      return { kind: 'invalid', message: `unknown command ${word} (/help lists them)` };
  }
}

/** The console commands' help, and the function keys' when there are keys (a terminal). */
export function helpText(p: Palette, keys?: readonly FunctionKey[]): string {
  const rows = SLASH_COMMANDS.map((c) => `  ${p.bold(`${c.name}${c.args ? ` ${c.args}` : ''}`)}\n      ${c.help}`);
  const lines = ['Type an api command as you would in fs_cli (status, show channels, originate ...); Tab completes it.', 'Console commands:', ...rows];
  if (keys) {
    lines.push('Function keys (as in fs_cli; RXESL_KEY_F<n> rebinds one):');
    for (const k of keys) {
      const what = k.command === undefined ? p.dim('(not bound)') : `${k.command}${k.toggle ? `, then ${k.toggle} (every other press)` : ''}`;
      lines.push(`  ${p.bold(`F${k.key}`.padEnd(4))} ${what}`);
    }
  }
  return lines.join('\n');
}

/** What running a command needs. */
export interface CommandContext {
  conn: EslConnection;
  /** Prints lines (a string may hold several). */
  print(text: string): void;
  palette: Palette;
  /** Time limit of an api command, ms (0: none). */
  apiTimeout: number;
  /** How events are shown; /view changes it. */
  view: { mode: ViewMode };
  /**
   * The Job-UUIDs of the /bgapi commands whose result is awaited. Their BACKGROUND_JOB is
   * printed by the command, whole: the event feed leaves it out rather than show it again.
   */
  jobs: Set<string>;
  /** The function keys' bindings, listed by /help (on a terminal: elsewhere there are no keys). */
  functionKeys?: readonly FunctionKey[] | undefined;
}

/** What the prompt does after a command. */
export type PromptAction = 'continue' | 'exit' | 'top';

function replyLine(reply: CommandReply, p: Palette): string {
  return reply.ok ? p.green(reply.replyText) : p.red(reply.replyText);
}

/**
 * Runs a command, prints what it gives and says what the prompt does next. A failure (a
 * refused command, a dropped connection) is printed as one line; it never throws.
 */
export async function runCommand(cmd: ConsoleCommand, ctx: CommandContext): Promise<PromptAction> {
  const { conn, print, palette: p } = ctx;
  const reply = async (o: Observable<CommandReply>): Promise<void> => {
    print(replyLine(await firstValueFrom(o), p));
  };
  try {
    switch (cmd.kind) {
      case 'empty':
        return 'continue';
      case 'exit':
        return 'exit';
      case 'top':
        return 'top';
      case 'help':
        print(helpText(p, ctx.functionKeys));
        return 'continue';
      case 'invalid':
        print(p.red(cmd.message));
        return 'continue';
      case 'api': {
        const res = await firstValueFrom(conn.api(cmd.command, undefined, { failOnError: false, timeout: ctx.apiTimeout }));
        const text = res.text;
        print(res.ok ? text : p.red(text));
        return 'continue';
      }
      case 'bgapi': {
        // The reply (with the Job-UUID) comes at once; the result is printed whenever it arrives.
        // The Job-UUID is ours, so that the feed knows the job's event before the reply comes.
        const jobUuid = randomUUID();
        ctx.jobs.add(jobUuid);
        return await new Promise<PromptAction>((resolve) => {
          const sub = conn.bgapi(cmd.command, undefined, { failOnError: false, jobUuid }).subscribe({
            next: (step) => {
              if (step.kind === 'reply') {
                print(replyLine(step, p));
                resolve('continue');
                // A refused bgapi (-ERR permission denied) has no job to wait for.
                if (!step.ok) queueMicrotask(() => sub.unsubscribe());
                return;
              }
              print(`${p.magenta(`Job ${step.jobUuid}`)} ${cmd.command}:\n${step.ok ? step.text : p.red(step.text)}`);
            },
            error: (err: unknown) => {
              print(p.red(`bgapi ${cmd.command}: ${describeError(err)}`));
              resolve('continue');
            },
            complete: () => resolve('continue'),
          });
          // Whatever ends it (the result, an error, a refusal), a later event of that job is the feed's again.
          sub.add(() => ctx.jobs.delete(jobUuid));
        });
      }
      case 'event': {
        if (cmd.names.length === 0) {
          const s = conn.subscription;
          const tokens = s.toTokens();
          print(tokens.length > 0 ? `events (${s.format}): ${tokens.join(' ')}` : 'no events subscribed (try /event plain ALL)');
          return 'continue';
        }
        // Typed by hand: a name FreeSWITCH would ignore is refused (EslArgumentError) and printed.
        await reply(conn.events(cmd.format ?? conn.subscription.format, cmd.names as EventName[], { failOnError: false }));
        return 'continue';
      }
      case 'nixevent':
        await reply(conn.nixevent(cmd.names as EventName[], { failOnError: false }));
        return 'continue';
      case 'noevents':
        await reply(conn.noevents({ failOnError: false }));
        return 'continue';
      case 'filter':
        await reply(conn.filter(cmd.header, cmd.value, { failOnError: false }));
        return 'continue';
      case 'filter-delete':
        await reply(conn.filterDelete(cmd.header, cmd.value, { failOnError: false }));
        return 'continue';
      case 'filters': {
        const filters = conn.filters;
        print(filters.length > 0 ? filters.map((f) => `filter ${f.header} ${f.value}`).join('\n') : 'no filters');
        return 'continue';
      }
      case 'log':
        if (cmd.level === undefined) {
          print(conn.logLevel === undefined ? 'not logging (try /log info)' : `log level ${conn.logLevel}`);
          return 'continue';
        }
        await reply(conn.log(cmd.level, { failOnError: false }));
        return 'continue';
      case 'nolog':
        await reply(conn.nolog({ failOnError: false }));
        return 'continue';
      case 'view':
        if (cmd.mode !== undefined) ctx.view.mode = cmd.mode;
        print(`events shown ${ctx.view.mode === 'line' ? 'one per line' : 'whole'}`);
        return 'continue';
    }
  } catch (err) {
    print(p.red(describeError(err)));
    return 'continue';
  }
}
