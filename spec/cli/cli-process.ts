/**
 * The console as a child process with piped stdin (`node --import tsx lib/cli/main.ts`), for
 * the end-to-end tests: write lines, wait for output, get the exit code. Every process started
 * here is killed by `killAll()` (call it in afterEach).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const running = new Set<CliProcess>();

/** The environment of the tests, without what would tell the console where to connect or how to print. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(ESL_|RXESL_|NO_COLOR$|FORCE_COLOR$)/.test(k)) env[k] = v;
  return { ...env, RXESL_HISTORY: '', ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(args: readonly string[], env: Record<string, string> = {}, script = join(root, 'lib', 'cli', 'main.ts')) {
    const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
    this.child = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: root,
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Types a line. */
  line(text: string): void {
    this.child.stdin!.write(`${text}\n`);
  }

  /** Ends stdin (Ctrl-D). */
  end(): void {
    this.child.stdin!.end();
  }

  /** Waits until stdout (or stderr) matches; fails with what was printed so far. */
  async waitFor(pattern: string | RegExp, { timeout = 15_000, stream = 'stdout' as 'stdout' | 'stderr' } = {}): Promise<string> {
    const deadline = Date.now() + timeout;
    const test = (s: string): boolean => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
    while (Date.now() < deadline) {
      const text = stream === 'stdout' ? this.stdout : this.stderr;
      if (test(text)) return text;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const text = stream === 'stdout' ? this.stdout : this.stderr;
    if (test(text)) return text;
    throw new Error(`no ${String(pattern)} on ${stream} within ${timeout} ms\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`);
  }

  /** Occurrences of a string on stdout. */
  count(text: string): number {
    return this.stdout.split(text).length - 1;
  }
}

/** Runs the console to its end (stdin closed at once) and returns what it printed. */
export async function runToEnd(args: readonly string[], env: Record<string, string> = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const p = new CliProcess(args, env);
  p.end();
  const exit = await p.exited;
  return { ...exit, stdout: p.stdout, stderr: p.stderr };
}

/** Kills whatever is still running. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const p of left) p.child.kill('SIGKILL');
  await Promise.all(left.map((p) => p.exited));
}

/** A port nothing listens on: one the system just gave and took back. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
