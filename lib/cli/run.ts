/**
 * `rxesl`: what the command line asks for, run with the given streams. main.ts calls this with
 * the process's; tests can call it with their own. It never throws and never exits: it
 * resolves with the exit code.
 */
import readline from 'node:readline';
import { firstValueFrom } from 'rxjs';
import { Connection, type ConnectionOptions } from '../connection/connection.js';
import type { ConsoleCommand } from './commands.js';
import { parseLine } from './commands.js';
import { type ConsoleInput, type ConsoleOutput, ConsoleSession } from './console.js';
import type { DemoSwitch } from './demo.js';
import { type ErrorContext, describeError } from './describe-error.js';
import { FunctionKeys } from './function-keys.js';
import { historyPath } from './history.js';
import { type CliOptions, parseCommandLine, usage } from './options.js';
import { palette, wantsColour } from './palette.js';
import { FS_CLI_RETRY, connectRetrying } from './retry.js';
import { onQuitKeys, runTop } from './top.js';

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stdin: ConsoleInput;
  stdout: ConsoleOutput;
  stderr: ConsoleOutput;
  version: string;
  /** Calls the handler on SIGINT or SIGTERM; returns what stops that. */
  onSignal?: (handler: () => void) => () => void;
}

/** Reconnect quickly at first, then every few seconds, for ever: a console waits for its switch. */
const RECONNECT = { initialDelay: 250, maxDelay: 5000 };

export async function runCli(io: CliIo): Promise<number> {
  if (io.argv[0] === 'gateway') return (await import('./gateway.js')).runGateway(io, io.argv.slice(1));
  const parsed = parseCommandLine(io.argv, io.env);
  if (!parsed.ok) {
    io.stderr.write(`rxesl: ${parsed.error}\nrxesl --help lists the options.\n`);
    return 1;
  }
  const { action, options } = parsed;
  if (action === 'help') {
    io.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (action === 'version') {
    io.stdout.write(`rxesl ${io.version}\n`);
    return 0;
  }
  const err = palette(wantsColour(io.stderr, options.color));
  let target: ErrorContext = { host: options.host, port: options.port, user: options.user };
  let demo: DemoSwitch | undefined;
  try {
    if (options.demo) {
      // The emulator (all of rxesl/testing) is loaded for --demo only: a console connecting to
      // a real FreeSWITCH never loads it.
      const { startDemo } = await import('./demo.js');
      demo = await startDemo({ host: '127.0.0.1', port: options.port, password: options.password, rate: options.rate });
      target = { host: demo.host, port: demo.port, user: undefined };
    }
    const connection: ConnectionOptions = {
      host: target.host,
      port: target.port,
      password: options.password,
      user: demo ? undefined : options.user,
      apiTimeout: options.timeout,
    };
    const first = (extra: Partial<ConnectionOptions> = {}): Promise<Connection> =>
      firstConnection(io, options, target, () => Connection.connect({ ...connection, ...extra }));
    if (action === 'execute') {
      demo?.startTraffic();
      return await execute(io, options, await first());
    }
    if (action === 'top') return await top(io, options, await first(), target, demo);
    return await interactive(io, options, connection, await first({ reconnect: RECONNECT, whileReconnecting: 'fail' }), target, demo);
  } catch (e) {
    io.stderr.write(`${err.red(`rxesl: ${describeError(e, target)}`)}\n`);
    return 1;
  } finally {
    await demo?.stop();
  }
}

/**
 * The first connection: one attempt, or with -r one a second until the switch is up (fs_cli's
 * -r: 120 retries), each failure said on stderr. A signal stops the wait.
 */
async function firstConnection(io: CliIo, options: CliOptions, target: ErrorContext, open: () => Promise<Connection>): Promise<Connection> {
  if (!options.retry) return open();
  const err = palette(wantsColour(io.stderr, options.color));
  const plan = FS_CLI_RETRY;
  let giveUp = (): void => {};
  const cancelled = new Promise<void>((resolve) => (giveUp = resolve));
  const offSignal = io.onSignal?.(giveUp);
  try {
    return await connectRetrying(open, {
      plan,
      cancelled,
      onRetry: (e, retry) => io.stderr.write(`${err.yellow(`rxesl: ${describeError(e, target)}; retry ${retry} of ${plan.retries} in ${plan.delayMs / 1000} s`)}\n`),
    });
  } finally {
    offSignal?.();
  }
}

/** `-x`: each command's output on stdout; 1 when one failed (-ERR, -USAGE) or could not run. */
async function execute(io: CliIo, options: CliOptions, conn: Connection): Promise<number> {
  let code = 0;
  try {
    for (const command of options.execute) {
      const res = await firstValueFrom(conn.api(command, undefined, { failOnError: false, timeout: options.timeout }));
      io.stdout.write(res.body.endsWith('\n') ? res.body : `${res.body}\n`);
      if (!res.ok) code = 1;
    }
  } finally {
    await conn.close();
  }
  return code;
}

/** `rxesl top`: the live view until q, Ctrl-C or a signal. */
async function top(io: CliIo, options: CliOptions, conn: Connection, target: ErrorContext, demo: DemoSwitch | undefined): Promise<number> {
  demo?.startTraffic();
  const tty = io.stdin.isTTY === true && io.stdout.isTTY === true;
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const offSignal = io.onSignal?.(stop);
  let release = (): void => {};
  if (tty) {
    const offKeys = onQuitKeys(io.stdin, stop);
    release = () => {
      offKeys();
      io.stdin.pause();
    };
  } else {
    // Piped: a line `q` quits; the end of input does not (`rxesl top < /dev/null` runs on).
    const rl = readline.createInterface({ input: io.stdin, terminal: false });
    rl.on('line', (line) => line.trim().toLowerCase() === 'q' && stop());
    release = () => rl.close();
  }
  try {
    await runTop({
      conn,
      palette: palette(wantsColour(io.stdout, options.color)),
      title: `rxesl top  ${target.host}:${target.port}`,
      quit: stopped,
      screen: {
        tty,
        write: (s) => io.stdout.write(s),
        size: () => ({ columns: io.stdout.columns ?? 160, rows: io.stdout.rows ?? 40 }),
      },
    });
  } finally {
    release();
    offSignal?.();
    await conn.close();
  }
  const reason = conn.closeReason;
  if (reason) {
    io.stderr.write(`${palette(wantsColour(io.stderr, options.color)).red(`rxesl: ${describeError(reason, target)}`)}\n`);
    return 1;
  }
  return 0;
}

/** The prompt, reconnecting after a drop. */
async function interactive(
  io: CliIo,
  options: CliOptions,
  connection: ConnectionOptions,
  conn: Connection,
  target: ErrorContext,
  demo: DemoSwitch | undefined,
): Promise<number> {
  const p = palette(wantsColour(io.stdout, options.color));
  const where = `${target.host}:${target.port}`;
  const banner: string[] = [];
  if (demo) {
    const moved = demo.movedFrom !== undefined ? ` (${demo.movedFrom} was taken)` : '';
    banner.push(
      p.bold(`rxesl ${io.version} demo: FakeSwitch, rxesl's FreeSWITCH emulator, on ${where}${moved}, password ${options.password}`),
      `${options.rate} calls/s into an IVR (${demo.ivr}): answer, greeting, menu, then an agent (1), goodbye (2) or retries (nothing).`,
      `Other terminals can use it too: ${demo.port === 8021 ? '' : `ESL_PORT=${demo.port} `}npx rxesl -x status`,
      'Try: show channels   /top   /log info   /event plain ALL   /noevents   /help   /exit',
    );
  } else {
    banner.push(p.bold(`rxesl ${io.version} connected to ${where}`), 'api commands as typed (Tab completes them), /help for the console commands, /exit to leave.');
  }
  const startup: ConsoleCommand[] = [];
  const events = options.events ?? demo?.events;
  if (events) startup.push(parseLine(`/event ${events}`));
  if (options.log) startup.push(parseLine(`/log ${options.log}`));
  const session = new ConsoleSession({
    conn,
    input: io.stdin,
    output: io.stdout,
    palette: p,
    target,
    apiTimeout: options.timeout,
    openTop: () => Connection.connect(connection),
    historyFile: historyPath(options.history),
    banner,
    startup,
    onReady: () => demo?.startTraffic(),
    functionKeys: FunctionKeys.fromEnv(io.env),
  });
  const offSignal = io.onSignal?.(() => session.stop(0));
  try {
    return await session.run();
  } finally {
    offSignal?.();
    await conn.close();
  }
}
