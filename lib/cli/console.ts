/**
 * The interactive prompt: readline with history and completion, lines run one at a time,
 * events and log lines printed above the prompt as they come, and the connection's drops and
 * reconnections said in one line each.
 *
 * On a terminal the prompt is redrawn under what is printed, and `/top` takes the screen
 * (readline is closed meanwhile and reopened with its history). Elsewhere (stdin piped) lines
 * are read as they come, each echoed after the prompt, and `/top` prints frames until a line
 * `q`.
 */
import readline from 'node:readline';
import { Subscription, firstValueFrom } from 'rxjs';
import type { ConnectionState, EslConnection } from '../connection/esl-connection.js';
import { type CommandContext, type ConsoleCommand, type ViewMode, parseLine, runCommand } from './commands.js';
import { ApiCatalog, complete, wantsUuid } from './completion.js';
import { type ErrorContext, describeError } from './describe-error.js';
import { formatEventFull, formatEventLine, formatLogLine } from './format.js';
import { FunctionKeys, functionKeyNumber } from './function-keys.js';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history.js';
import type { Palette } from './palette.js';
import { parseShowChannels } from './top-model.js';
import { onQuitKeys, runTop } from './top.js';

export interface ConsoleInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface ConsoleOutput extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface ConsoleOptions {
  conn: EslConnection;
  input: ConsoleInput;
  output: ConsoleOutput;
  palette: Palette;
  /** Where the connection goes, for messages. */
  target: ErrorContext;
  /** Time limit of an api command, ms (0: none). */
  apiTimeout: number;
  /** Opens the connection /top uses (closed when /top ends). */
  openTop: () => Promise<EslConnection>;
  /** History file; undefined for none. Only used on a terminal. */
  historyFile?: string | undefined;
  /** Printed before the first prompt. */
  banner?: readonly string[];
  /** Run before the first prompt (the --events and --log of the command line). */
  startup?: readonly ConsoleCommand[];
  /** Called once the startup commands have run (the demo starts its calls then). */
  onReady?: () => void;
  /** What F1 to F12 run at a terminal's prompt (fs_cli's keys). */
  functionKeys?: FunctionKeys;
}

/** A line to run: typed, or given by a function key (then nobody has echoed it yet). */
interface QueuedLine {
  text: string;
  fromKey: boolean;
}

/** Lines typed, waiting to be run in order; `null` once input ended. */
class LineQueue {
  #lines: QueuedLine[] = [];
  #waiters: Array<(line: QueuedLine | null) => void> = [];
  #ended = false;

  push(line: QueuedLine): void {
    const w = this.#waiters.shift();
    if (w) w(line);
    else this.#lines.push(line);
  }

  /** Puts a line back at the front (read by someone who no longer needed it). */
  unshift(line: QueuedLine): void {
    const w = this.#waiters.shift();
    if (w) w(line);
    else this.#lines.unshift(line);
  }

  end(): void {
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w(null);
  }

  /** Drops what was typed ahead (Ctrl-C). */
  clear(): void {
    this.#lines = [];
  }

  next(): Promise<QueuedLine | null> {
    if (this.#lines.length > 0) return Promise.resolve(this.#lines.shift()!);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** While /top has the screen, what would have been printed waits (the last ones, up to this many). */
const HELD_LINES = 500;

export class ConsoleSession {
  readonly #o: ConsoleOptions;
  readonly #p: Palette;
  /** readline in terminal mode: a terminal on both sides. */
  readonly #terminal: boolean;
  readonly #lines = new LineQueue();
  readonly #subs = new Subscription();
  readonly #view: { mode: ViewMode } = { mode: 'line' };
  /** The /bgapi jobs waiting for their BACKGROUND_JOB (see CommandContext.jobs). */
  readonly #jobs = new Set<string>();
  #rl: readline.Interface | undefined;
  /** Stops listening for function keys (while readline is open). */
  #offKeys: (() => void) | undefined;
  readonly #keys: FunctionKeys;
  #history: string[];
  #prompt = 'rxesl> ';
  #promptShown = false;
  #pending: string[] = [];
  #flushScheduled = false;
  #holding = false;
  #held: string[] = [];
  #heldDropped = 0;
  #catalog = ApiCatalog.fallback();
  #stopped = false;
  #exitCode = 0;
  readonly #whenStopped: Promise<null>;
  #resolveStopped!: (v: null) => void;

  constructor(options: ConsoleOptions) {
    this.#o = options;
    this.#p = options.palette;
    this.#terminal = options.input.isTTY === true && options.output.isTTY === true;
    this.#history = this.#terminal ? loadHistory(options.historyFile) : [];
    this.#keys = options.functionKeys ?? FunctionKeys.fromEnv({});
    this.#whenStopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  /** Ends the session (Ctrl-C, a signal, the connection gone for good). */
  stop(code = 0): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#exitCode = code;
    this.#lines.clear();
    this.#lines.end();
    this.#resolveStopped(null);
  }

  /** Prints lines above the prompt (held while /top has the screen). */
  print(text: string): void {
    if (this.#holding) {
      this.#held.push(text);
      if (this.#held.length > HELD_LINES) {
        this.#held.shift();
        this.#heldDropped++;
      }
      return;
    }
    this.#pending.push(text);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Runs the prompt until /exit, end of input, Ctrl-C or the connection's end; resolves with the exit code. */
  async run(): Promise<number> {
    const { conn } = this.#o;
    this.#watch(conn);
    const name = await firstValueFrom(conn.api('switchname', undefined, { failOnError: false, timeout: 3000 })).then(
      (r) => (r.ok && r.text.trim() !== '' ? r.text.trim() : this.#o.target.host),
      () => this.#o.target.host,
    );
    this.#prompt = `rxesl@${name}> `;
    void this.#loadCatalog();
    for (const line of this.#o.banner ?? []) this.print(line);
    for (const cmd of this.#o.startup ?? []) await runCommand(cmd, this.#context());
    this.#o.onReady?.();
    this.#openReadline();
    try {
      while (!this.#stopped) {
        this.#showPrompt();
        const next = await Promise.race([this.#lines.next(), this.#whenStopped]);
        if (next === null || this.#stopped) break;
        // Piped input and function keys are not echoed by anyone: show what runs after the prompt.
        if (!this.#terminal || next.fromKey) this.#echo(next.text);
        this.#promptShown = false;
        const outcome = await Promise.race([runCommand(parseLine(next.text), this.#context()), this.#whenStopped]);
        if (outcome === null || outcome === 'exit') break;
        if (outcome === 'top') await this.#top();
      }
    } finally {
      this.#closeReadline();
      this.#subs.unsubscribe();
      this.#flush();
      if (this.#terminal) saveHistory(this.#o.historyFile, this.#history);
    }
    return this.#exitCode;
  }

  #context(): CommandContext {
    return {
      conn: this.#o.conn,
      print: (t) => this.print(t),
      palette: this.#p,
      apiTimeout: this.#o.apiTimeout,
      view: this.#view,
      jobs: this.#jobs,
      functionKeys: this.#terminal ? this.#keys.bindings : undefined,
    };
  }

  /** Events, log lines, notices and the connection's state, printed as they come. */
  #watch(conn: EslConnection): void {
    const p = this.#p;
    this.#subs.add(
      conn.events$.subscribe((e) => {
        // A /bgapi's own result: the command prints it (events$ sees it before the job's waiter does).
        if (e.name === 'BACKGROUND_JOB' && this.#jobs.has(e.getHeader('Job-UUID') ?? '')) return;
        this.print(this.#view.mode === 'line' ? formatEventLine(e, p) : formatEventFull(e, conn.subscription.format, p).trimEnd());
      }),
    );
    this.#subs.add(conn.logs$.subscribe((l) => this.print(formatLogLine(l, p))));
    this.#subs.add(
      conn.notices$.subscribe((n) => {
        const body = n.getBody()?.trim();
        if (n.getHeader('Content-Disposition') !== 'linger' && body) this.print(p.yellow(`FreeSWITCH: ${body.split('\n')[0]}`));
      }),
    );
    const where = `${this.#o.target.host}:${this.#o.target.port}`;
    let previous: ConnectionState = conn.state;
    this.#subs.add(
      conn.state$.subscribe((state) => {
        if (state === previous) return;
        if (state === 'reconnecting') this.print(p.yellow(`connection to ${where} lost; reconnecting ...`));
        else if (state === 'ready' && previous === 'reconnecting') this.print(p.green(`reconnected to ${where}`));
        else if (state === 'closed') {
          const reason = conn.closeReason;
          this.print(p.red(reason ? describeError(reason, this.#o.target) : `${where} closed the connection`));
          this.stop(1);
        }
        previous = state;
      }),
    );
  }

  /** The api commands for completion, from the switch (`show api as json`) when it answers. */
  async #loadCatalog(): Promise<void> {
    try {
      const res = await firstValueFrom(this.#o.conn.api('show', 'api as json', { failOnError: false, timeout: 5000 }));
      this.#catalog = ApiCatalog.fromShowApi(res.body) ?? this.#catalog;
    } catch {
      // The static list stays.
    }
  }

  #complete(line: string, callback: (err: null, result: [string[], string]) => void): void {
    if (!wantsUuid(line, this.#catalog)) {
      callback(null, complete(line, this.#catalog));
      return;
    }
    firstValueFrom(this.#o.conn.api('show', 'channels as json', { failOnError: false, timeout: 2000 }))
      .then(
        (r) => (parseShowChannels(r.body) ?? []).map((c) => c.uuid),
        () => [],
      )
      .then((uuids) => callback(null, complete(line, this.#catalog, uuids)));
  }

  #openReadline(): void {
    const { input, output } = this.#o;
    const rl = readline.createInterface({
      input,
      output,
      terminal: this.#terminal,
      prompt: this.#prompt,
      history: this.#history,
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      completer: (line: string, cb: (err: null, result: [string[], string]) => void) => this.#complete(line, cb),
    });
    rl.on('line', (line) => this.#lines.push({ text: line, fromKey: false }));
    rl.on('history', (h: string[]) => {
      this.#history = h;
    });
    // Ctrl-C at the prompt leaves, as the issue asks; Ctrl-D (end of input) too.
    rl.on('SIGINT', () => this.stop(0));
    rl.on('close', () => {
      if (this.#rl !== rl) return;
      this.#rl = undefined;
      this.#lines.end();
    });
    this.#rl = rl;
    if (this.#terminal) this.#listenForFunctionKeys(input);
  }

  /**
   * F1 to F12, as fs_cli binds them: each runs its command as if typed, and what was being
   * typed stays for after it (fs_cli redraws it too). readline ignores these keys itself.
   */
  #listenForFunctionKeys(input: ConsoleInput): void {
    const onKey = (_s: string | undefined, key: Parameters<typeof functionKeyNumber>[0]): void => {
      const n = functionKeyNumber(key);
      if (n === undefined) return;
      const command = this.#keys.press(n);
      if (command === undefined) this.print(this.#p.red(`F${n} is not bound (RXESL_KEY_F${n} binds it)`));
      else this.#lines.push({ text: command, fromKey: true });
    };
    input.on('keypress', onKey);
    this.#offKeys = () => input.off('keypress', onKey);
  }

  #closeReadline(): void {
    const rl = this.#rl;
    this.#rl = undefined;
    this.#offKeys?.();
    this.#offKeys = undefined;
    rl?.close();
  }

  /**
   * Shows `text` after the prompt as if typed. A terminal's prompt, with what is being typed
   * under it, is cleared first and drawn again after the command; a piped prompt that output
   * moved off its line is written again.
   */
  #echo(text: string): void {
    this.#flush();
    const out = this.#o.output;
    const rl = this.#rl;
    if (this.#terminal && this.#promptShown && rl) {
      readline.moveCursor(out, 0, -rl.getCursorPos().rows);
      readline.cursorTo(out, 0);
      readline.clearScreenDown(out);
      out.write(`${this.#prompt}${text}\n`);
    } else if (this.#terminal || !this.#promptShown) {
      out.write(`${this.#prompt}${text}\n`);
    } else {
      out.write(`${text}\n`);
    }
  }

  #showPrompt(): void {
    this.#flush();
    if (this.#stopped) return;
    if (!this.#terminal) {
      // Piped input may have ended (readline closed) with lines still to run: prompt anyway.
      this.#o.output.write(this.#prompt);
      this.#promptShown = true;
      return;
    }
    const rl = this.#rl;
    if (!rl) return;
    rl.setPrompt(this.#prompt);
    // What was being typed when a function key ran its command is drawn again, the cursor where it was.
    rl.prompt(true);
    this.#promptShown = true;
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const text = `${this.#pending.join('\n')}\n`;
    this.#pending = [];
    const out = this.#o.output;
    const rl = this.#rl;
    if (this.#promptShown) {
      if (this.#terminal && rl) {
        // Back to where the prompt starts (what is typed may wrap), clear, print, draw it again.
        readline.moveCursor(out, 0, -rl.getCursorPos().rows);
        readline.cursorTo(out, 0);
        readline.clearScreenDown(out);
        out.write(text);
        rl.prompt(true);
      } else {
        out.write(`\n${text}`);
        this.#promptShown = false;
      }
      return;
    }
    out.write(text);
  }

  /** /top: the live view on a connection of its own, until q (or Ctrl-C on a terminal). */
  async #top(): Promise<void> {
    const p = this.#p;
    let conn: EslConnection;
    try {
      conn = await this.#o.openTop();
    } catch (err) {
      this.print(p.red(`/top: ${describeError(err, this.#o.target)}`));
      return;
    }
    this.#flush();
    this.#holding = true;
    const { input, output } = this.#o;
    let release = (): void => {};
    let quit: Promise<unknown>;
    if (this.#terminal) {
      this.#closeReadline();
      quit = new Promise<void>((resolve) => {
        release = onQuitKeys(input, resolve);
      });
    } else {
      let done = false;
      quit = (async () => {
        for (;;) {
          const line = await this.#lines.next();
          if (line === null) return;
          // A line read after the view ended belongs to the prompt.
          if (done) {
            this.#lines.unshift(line);
            return;
          }
          if (line.text.trim().toLowerCase() === 'q') return;
        }
      })();
      release = () => {
        done = true;
      };
    }
    try {
      await runTop({
        conn,
        palette: p,
        title: `rxesl top  ${this.#o.target.host}:${this.#o.target.port}`,
        quit: Promise.race([quit, this.#whenStopped]),
        screen: {
          tty: this.#terminal,
          write: (s) => output.write(s),
          size: () => ({ columns: output.columns ?? 160, rows: output.rows ?? 40 }),
        },
      });
    } catch (err) {
      this.#held.push(p.red(`/top: ${describeError(err, this.#o.target)}`));
    } finally {
      release();
      // The prompt reads the keys again before the view's connection is closed (up to a second
      // for FreeSWITCH's goodbye): a key typed meanwhile has no one else to go to and is lost.
      if (this.#terminal && !this.#stopped) this.#openReadline();
      await conn.close();
      this.#holding = false;
      if (this.#heldDropped > 0) this.print(p.dim(`(${this.#heldDropped} earlier lines not shown during /top)`));
      for (const line of this.#held) this.print(line);
      this.#held = [];
      this.#heldDropped = 0;
    }
  }
}
