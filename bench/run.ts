/**
 * npm run bench [-- options]: rxesl against the peer ESL libraries and the wire limits.
 *
 *   --quick             small counts, 1 repetition, a few seconds per library; exits non-zero
 *                       if an adapter crashes, hangs or miscounts (the smoke test)
 *   --only a,b          scenarios (events-plain, events-json, events-xml, api-seq,
 *                       api-concurrent, bgapi-concurrent, outbound, soak)
 *   --libs a,b          libraries (see bench/adapters/index.ts)
 *   --reps N            repetitions, interleaved (default 3)
 *   --events N          events per event scenario (default 200000)
 *   --ops N             api / bgapi operations (default 20000)
 *   --calls N           outbound calls (default 1000)
 *   --soak N            events in the memory soak (default 1000000)
 *   --concurrency N     api/bgapi in flight in the concurrent scenarios (default: all)
 *   --budget S          seconds after which an api/bgapi/outbound run reports what it got (default 20)
 *   --cpu-prof          write a V8 CPU profile of every client run to bench/out/prof/
 *   --server-prof       write a V8 CPU profile of the bench server to bench/out/prof/
 *   --results PATH      where to write the markdown (default bench/RESULTS.md for a full run,
 *                       bench/out/RESULTS-quick.md or bench/out/RESULTS-partial.md otherwise)
 *   --render JSON       no run: rewrite the markdown from saved raw results (bench/out/*.json)
 *
 * Every (library, scenario, repetition) runs in a fresh child process (bench/child.ts); the
 * fake switch (bench/server.ts) runs in another process for the whole session.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { ADAPTERS, loadAdapter } from './adapters/index.js';
import type { ChildConfig, ChildResult, DialStats, FromChild, FromServer, ServerRunStats, ToServer } from './core/ipc.js';
import { machine, type Machine } from './core/machine.js';
import { render, type AdapterInfo, type RunRecord } from './core/report.js';
import { SCENARIOS, formatOf, type Adapter, type Scenario } from './core/types.js';

const BENCH = __dirname;
const OUT = join(BENCH, 'out');
const HOST = '127.0.0.1';
const PEERS = ['modesl', 'drachtio-modesl', 'esl', 'esl-lite'];

// ------------------------------------------------------------------ options

export interface Options {
  quick: boolean;
  scenarios: Scenario[];
  libs: string[];
  reps: number;
  events: number;
  ops: number;
  calls: number;
  soak: number;
  concurrency: number;
  budgetS: number;
  cpuProf: boolean;
  serverProf: boolean;
  results: string;
  filtered: boolean;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
  const num = (name: string, dflt: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, not ${v}`);
    return n;
  };
  const known = new Set(['quick', 'only', 'libs', 'reps', 'events', 'ops', 'calls', 'soak', 'concurrency', 'budget', 'cpu-prof', 'server-prof', 'results', 'render', 'help']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a.slice(2))) throw new Error(`unknown option ${a} (see the top of bench/run.ts)`);
  if (argv.includes('--help')) {
    console.log('npm run bench -- [--quick] [--only scenarios] [--libs libs] [--reps N] [--events N] [--ops N] [--calls N] [--soak N] [--concurrency N] [--budget S] [--cpu-prof] [--server-prof] [--results PATH] [--render JSON]');
    process.exit(0);
  }
  const quick = argv.includes('--quick');
  const only = get('only');
  const libs = get('libs');
  const scenarios = only ? (only.split(',').map((s) => s.trim()) as Scenario[]) : [...SCENARIOS];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (known: ${SCENARIOS.join(', ')})`);
  const libList = libs ? libs.split(',').map((s) => s.trim()) : Object.keys(ADAPTERS);
  for (const l of libList) if (!ADAPTERS[l]) throw new Error(`unknown library ${l} (known: ${Object.keys(ADAPTERS).join(', ')})`);
  const filtered = only !== undefined || libs !== undefined;
  const dfltResults = quick ? join(OUT, 'RESULTS-quick.md') : filtered ? join(OUT, 'RESULTS-partial.md') : join(BENCH, 'RESULTS.md');
  return {
    quick,
    scenarios,
    libs: libList,
    reps: Math.max(1, Math.floor(num('reps', quick ? 1 : 3))),
    events: Math.floor(num('events', quick ? 2000 : 200_000)),
    ops: Math.floor(num('ops', quick ? 50 : 20_000)),
    calls: Math.floor(num('calls', quick ? 20 : 1000)),
    soak: Math.floor(num('soak', quick ? 20_000 : 1_000_000)),
    concurrency: Math.floor(num('concurrency', 0)),
    budgetS: num('budget', quick ? 10 : 20),
    cpuProf: argv.includes('--cpu-prof'),
    serverProf: argv.includes('--server-prof'),
    results: get('results') ?? dfltResults,
    filtered,
  };
}

function budgetMs(o: Options, scenario: Scenario): number {
  if (scenario === 'soak') return o.quick ? 60_000 : 900_000;
  if (formatOf(scenario)) return o.quick ? 30_000 : 180_000;
  if (scenario === 'outbound') return Math.max(o.budgetS * 1000, o.quick ? 15_000 : 60_000);
  return o.budgetS * 1000;
}

// ------------------------------------------------------------------ entry points

interface Entries {
  child: string;
  server: string;
  execArgv: string[];
  how: string;
}

/**
 * The children run plain JavaScript: bench/child.ts and bench/server.ts (with rxesl's lib/) are
 * bundled once with the esbuild that tsx ships, peers and every other package left external
 * (loaded from node_modules as users load them). Running them under the tsx loader instead
 * would add ~30 MB to every child's RSS. Falls back to tsx if esbuild cannot be loaded.
 */
async function entries(): Promise<Entries> {
  try {
    const esbuild = await import('esbuild');
    const outdir = join(OUT, 'build');
    esbuild.buildSync({
      entryPoints: { child: join(BENCH, 'child.ts'), server: join(BENCH, 'server.ts') },
      outdir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    return { child: join(outdir, 'child.js'), server: join(outdir, 'server.js'), execArgv: [], how: 'bundled with esbuild' };
  } catch (err) {
    console.log(`(esbuild unavailable, children run under tsx: ${err instanceof Error ? err.message : String(err)})`);
    return { child: join(BENCH, 'child.ts'), server: join(BENCH, 'server.ts'), execArgv: ['--import', 'tsx'], how: 'tsx' };
  }
}

// ------------------------------------------------------------------ the bench server process

class BenchServer {
  private proc: ChildProcess | undefined;
  port = 0;
  private waiters = new Map<string, (m: FromServer) => void>();
  private nextId = 1;

  constructor(
    private readonly entry: Entries,
    private readonly profile: boolean,
  ) {}

  async start(): Promise<void> {
    const prof = this.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(OUT, 'prof')}`, '--cpu-prof-name=server.cpuprofile'] : [];
    const proc = fork(this.entry.server, [], {
      execArgv: [...this.entry.execArgv, ...prof],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc = proc;
    proc.on('message', (m: FromServer) => {
      if (m.type === 'fatal') console.error(`bench server: ${m.message}`);
      const key = m.type === 'listening' ? 'listening' : m.type === 'fatal' ? 'fatal' : `${m.type}:${m.id}`;
      const w = this.waiters.get(key);
      if (w) {
        this.waiters.delete(key);
        w(m);
      }
    });
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = undefined;
    });
    const m = await this.wait<{ type: 'listening'; port: number }>('listening', 30_000);
    this.port = m.port;
  }

  get alive(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null;
  }

  /** `keepAlive: false`: the timer does not hold the process open (a wait that may be abandoned). */
  private wait<T extends FromServer>(key: string, ms: number, keepAlive = true): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`bench server: no ${key} within ${ms} ms`));
      }, ms);
      if (!keepAlive) timer.unref();
      this.waiters.set(key, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
    });
  }

  private send(m: ToServer): void {
    this.proc?.send(m);
  }

  async setup(scenario: Scenario, events: number): Promise<{ id: number; expectedBytes: number }> {
    const id = this.nextId++;
    const p = this.wait<{ type: 'ready'; id: number; expectedBytes: number }>(`ready:${id}`, 60_000);
    this.send({ type: 'setup', id, scenario, format: formatOf(scenario) ?? 'plain', events });
    const m = await p;
    return { id, expectedBytes: m.expectedBytes };
  }

  dial(id: number, port: number, calls: number): Promise<DialStats> {
    // Abandoned if the child dies (the run waits 5 s for it then): a backstop that must not keep the process alive.
    const p = this.wait<{ type: 'dial-done'; id: number; stats: DialStats }>(`dial-done:${id}`, 3_600_000, false);
    this.send({ type: 'dial', id, port, calls, pendingLimit: 256 });
    return p.then((m) => m.stats);
  }

  async finish(id: number): Promise<ServerRunStats | undefined> {
    if (!this.alive) return undefined;
    const p = this.wait<{ type: 'finished'; id: number; stats: ServerRunStats }>(`finished:${id}`, 30_000);
    this.send({ type: 'finish', id });
    try {
      return (await p).stats;
    } catch {
      return undefined;
    }
  }

  stop(): void {
    this.send({ type: 'quit' });
  }
}

// ------------------------------------------------------------------ one run

function tail(s: string, n = 1500): string {
  return s.length > n ? `...${s.slice(-n)}` : s;
}

async function runOne(o: Options, entry: Entries, server: BenchServer, adapter: Adapter, scenario: Scenario, rep: number): Promise<RunRecord> {
  const na = adapter.unsupported[scenario];
  const skeleton: ChildResult = {
    lib: adapter.name,
    scenario,
    rep,
    status: 'n/a',
    rate: 0,
    unit: scenario === 'outbound' ? 'calls/s' : formatOf(scenario) ? 'events/s' : 'ops/s',
    elapsedMs: 0,
  };
  if (na !== undefined) return { ...skeleton, reason: na };
  if (!server.alive) await server.start();

  const events = scenario === 'soak' ? o.soak : formatOf(scenario) ? o.events : 0;
  const { id, expectedBytes } = await server.setup(scenario, events);
  const budget = budgetMs(o, scenario);
  const config: ChildConfig = {
    lib: adapter.name,
    scenario,
    rep,
    host: HOST,
    port: server.port,
    events,
    ops: o.ops,
    calls: o.calls,
    concurrency: o.concurrency,
    budgetMs: budget,
    idleMs: o.quick ? 1500 : 3000,
    expectedBytes,
    soakSampleMs: o.quick ? 100 : 250,
  };
  const execArgv = [...entry.execArgv, '--expose-gc'];
  if (o.cpuProf) {
    const dir = join(OUT, 'prof');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${adapter.name}.${scenario}.${rep}.cpuprofile`);
  }
  const child = fork(entry.child, [JSON.stringify(config)], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = tail(output + d.toString(), 8000)));
  child.stderr?.on('data', (d: Buffer) => (output = tail(output + d.toString(), 8000)));

  let dial: Promise<DialStats> | undefined;
  const result = await new Promise<ChildResult>((resolve) => {
    let settled = false;
    const done = (r: ChildResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ ...skeleton, status: 'timeout', reason: `no result within ${Math.round((budget + 30_000) / 1000)} s: hung` });
    }, budget + 30_000);
    child.on('message', (m: FromChild) => {
      if (m.type === 'listening') {
        dial = server.dial(id, m.port, o.calls);
        child.send({ type: 'start' });
      } else if (m.type === 'result') {
        done(m.result);
      }
    });
    child.on('exit', (code, signal) => {
      setTimeout(
        () => done({ ...skeleton, status: 'crash', reason: `exited (${signal ?? `code ${code}`}) without a result` }),
        50,
      );
    });
  });
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  const record: RunRecord = { ...result };
  if (dial) {
    record.dial = await Promise.race([dial, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
  }
  record.server = await server.finish(id);
  if (output.trim() && result.status !== 'ok') record.log = tail(output.trim());
  return record;
}

function fmtRate(r: ChildResult): string {
  if (r.status === 'n/a') return `n/a (${r.reason})`;
  const rate = r.rate >= 100 ? Math.round(r.rate).toLocaleString('en') : r.rate.toFixed(1);
  let what = '';
  if (r.tally) what = ` ${r.tally.distinct}/${r.tally.expected}${r.tally.duplicates ? ` dup ${r.tally.duplicates}` : ''}`;
  if (r.ops) what = ` ${r.ops.completed}/${r.ops.expected} matched ${r.ops.matched}`;
  if (r.outbound) what = ` ${r.outbound.completed}/${r.outbound.calls} calls`;
  const rss = r.memory ? ` rss ${r.memory.peakRssMB.toFixed(0)} MB` : '';
  return `${rate} ${r.unit} ${r.status}${r.reason && r.status !== 'ok' ? ` (${r.reason})` : ''}${what}${rss}`;
}

/** Whether a run shows the adapter (not the library) is broken: what the smoke run fails on. */
function smokeFailure(r: RunRecord, adapter: Adapter): string | undefined {
  if (r.status === 'n/a') return undefined;
  if (r.status === 'crash' || r.status === 'timeout') return `${r.status}: ${r.reason}`;
  if (r.status === 'failed') return `failed: ${r.reason}`;
  if (r.tally && r.tally.counted === 0) return 'no event counted';
  if (r.ops && r.ops.completed === 0) return 'no operation completed';
  if (r.outbound && r.outbound.completed === 0) return 'no outbound call completed';
  if (adapter.exact && r.status !== 'ok') return `${r.status}: ${r.reason}`;
  if (adapter.exact && r.tally && (r.tally.duplicates > 0 || r.tally.lost > 0)) return 'lost or duplicated events';
  return undefined;
}

// ------------------------------------------------------------------ main

function adapterInfo(a: Adapter): AdapterInfo {
  return { name: a.name, kind: a.kind, packageName: a.packageName, notes: [...(a.notes ?? [])], unsupported: { ...a.unsupported } };
}

/** bench/ANALYSIS.md, hand-written (what bounds each figure, from CPU profiles), appended to RESULTS.md. */
function analysis(): string | undefined {
  const path = join(BENCH, 'ANALYSIS.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** --render: the markdown again from a saved run (after a change to report.ts, or on another machine). */
async function renderSaved(path: string, resultsArg: string | undefined): Promise<void> {
  const saved = JSON.parse(readFileSync(path, 'utf8')) as {
    machine: Machine;
    options: Options;
    records: RunRecord[];
    adapters: AdapterInfo[];
    durationS?: number;
  };
  // The notes are documentation: take the current ones where the adapter still exists.
  const adapters = await Promise.all(saved.adapters.map(async (a) => (ADAPTERS[a.name] ? adapterInfo(await loadAdapter(a.name)) : a)));
  const target = resultsArg ?? saved.options.results;
  const md = render({ machine: saved.machine, options: saved.options, records: saved.records, adapters, durationS: saved.durationS ?? 0, analysis: analysis() });
  writeFileSync(target, md);
  console.log(`${relative(process.cwd(), target)} written from ${relative(process.cwd(), path)}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const ri = argv.indexOf('--render');
  if (ri >= 0) {
    const ro = argv.indexOf('--results');
    await renderSaved(argv[ri + 1] ?? join(OUT, 'latest.json'), ro >= 0 ? argv[ro + 1] : undefined);
    return;
  }
  const o = parseArgs(argv);
  mkdirSync(OUT, { recursive: true });
  const adapters: Adapter[] = [];
  for (const name of o.libs) adapters.push(await loadAdapter(name));
  const info: AdapterInfo[] = adapters.map(adapterInfo);
  const m: Machine = machine(PEERS);
  const started = Date.now();
  console.log(
    `rxesl bench${o.quick ? ' (quick)' : ''}: ${o.libs.join(', ')} x ${o.scenarios.join(', ')}; ${o.reps} rep(s), ` +
      `${o.events} events, ${o.ops} ops, ${o.calls} calls, soak ${o.soak}; ${m.cpu}, ${m.cores} cores, load ${m.loadAvgStart.join(' ')}`,
  );

  const entry = await entries();
  const server = new BenchServer(entry, o.serverProf);
  await server.start();
  const records: RunRecord[] = [];
  const failures: string[] = [];
  const timed = o.scenarios.filter((s) => s !== 'soak');
  const plan: Array<{ scenario: Scenario; rep: number; adapter: Adapter }> = [];
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const scenario of timed) {
      // Interleaved, and rotated each repetition so no library always runs first.
      const order = adapters.map((_, i) => adapters[(i + rep - 1) % adapters.length]!);
      for (const adapter of order) plan.push({ scenario, rep, adapter });
    }
  }
  if (o.scenarios.includes('soak')) for (const adapter of adapters) plan.push({ scenario: 'soak', rep: 1, adapter });

  const writeOut = (final: boolean): void => {
    const json = { machine: m, options: o, records, adapters: info, finished: final, durationS: (Date.now() - started) / 1000 };
    const stamp = m.date.replace(/[:.]/g, '-');
    writeFileSync(join(OUT, `results-${stamp}${o.quick ? '-quick' : ''}.json`), JSON.stringify(json, null, 1));
    writeFileSync(join(OUT, 'latest.json'), JSON.stringify(json, null, 1));
  };

  let k = 0;
  for (const step of plan) {
    k++;
    const label = `[${k}/${plan.length}] rep ${step.rep} ${step.scenario} ${step.adapter.name}`;
    let record: RunRecord;
    try {
      record = await runOne(o, entry, server, step.adapter, step.scenario, step.rep);
    } catch (err) {
      record = {
        lib: step.adapter.name,
        scenario: step.scenario,
        rep: step.rep,
        status: 'crash',
        reason: `harness: ${err instanceof Error ? err.message : String(err)}`,
        rate: 0,
        unit: 'events/s',
        elapsedMs: 0,
      };
    }
    records.push(record);
    if (record.status !== 'n/a' || o.quick) console.log(`${label}: ${fmtRate(record)}`);
    const bad = smokeFailure(record, step.adapter);
    if (bad) failures.push(`${step.adapter.name} ${step.scenario} rep ${step.rep}: ${bad}`);
    if (k % 10 === 0) writeOut(false);
  }
  server.stop();
  m.loadAvgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  writeOut(true);

  const md = render({ machine: m, options: o, records, adapters: info, durationS: (Date.now() - started) / 1000, analysis: o.quick ? undefined : analysis() });
  mkdirSync(join(o.results, '..'), { recursive: true });
  writeFileSync(o.results, md);
  console.log(`\n${relative(process.cwd(), o.results)} written (${((Date.now() - started) / 1000).toFixed(0)} s); raw results in ${relative(process.cwd(), OUT)}/latest.json`);

  if (failures.length > 0) {
    console.log(`\n${failures.length} run(s) failed:\n  ${failures.join('\n  ')}`);
    if (o.quick) process.exitCode = 1;
  } else if (o.quick) {
    console.log('\nsmoke: every adapter ran and counted correctly');
  }
  // Peers' own faults (losses, duplicates) are findings, not harness failures.
  const peers = new Set(adapters.filter((a) => a.kind === 'peer').map((a) => a.name));
  const faults = records.filter((r) => peers.has(r.lib) && r.tally && (r.tally.lost > 0 || r.tally.duplicates > 0 || r.tally.bad > 0));
  for (const r of faults) {
    const t = r.tally!;
    console.log(`note: ${r.lib} ${r.scenario} rep ${r.rep}: lost ${t.lost}, duplicated ${t.duplicates}, corrupt ${t.bad} (a fault of the library)`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(2);
});
