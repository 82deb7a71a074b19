/**
 * npx tsx bench/nats/run.ts [options]: rxesl/nats against a Connection reading the same switches
 * directly, on this machine, in one run. Not a test: nothing here is asserted.
 *
 *   --events N      events per switch in the throughput runs (default 100000)
 *   --quick         small counts (a smoke run)
 *   --only a,b      scenarios: events, jetstream, latency, api, kill
 *   --cpu-prof      V8 profiles of the gateways and readers in bench/out/prof-nats/
 *   --results PATH  where the markdown goes (default bench/nats/RESULTS.md; --quick: bench/out/nats-quick.md)
 *
 * Every part runs in a process of its own: nats-server, each switch (source.ts: events of
 * FakeSwitch's traffic generator, replayed as fast as the socket takes them), each gateway
 * (gateway-child.ts), each reader (worker-child.ts: a cluster client over NATS, or Connections
 * straight to the switches). Rates are events received by every reader, from the moment the
 * switches are told to stream to the last event at the last reader.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { FakeSwitch } from '../../lib/testing/index.js';
import { Gateway } from '../../lib/nats/index.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '../../examples/cluster-dialer.js';
import type { FromGateway, ToGateway } from './gateway-child.js';
import type { FromSource, ToSource } from './source.js';
import type { FromWorker, Via, WorkerJob } from './worker-child.js';

const HERE = __dirname;
const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};
const quick = argv.includes('--quick');
const EVENTS = Number(flag('events') ?? (quick ? 5000 : 100_000));
const ONLY = (flag('only') ?? 'events,jetstream,latency,api,kill').split(',');
/** --cpu-prof: a V8 profile of every gateway and reader process in bench/out/prof-nats/. */
const PROFILE = argv.includes('--cpu-prof') ? join(HERE, '..', 'out', 'prof-nats') : undefined;
const RESULTS = flag('results') ?? (quick ? join(HERE, '..', 'out', 'nats-quick.md') : join(HERE, 'RESULTS.md'));

// ------------------------------------------------------------------ processes

/** Every process started here, killed when this one ends however it ends. */
const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));

class Child<In, Out extends { type: string }> {
  readonly proc: ChildProcess;
  readonly messages: Out[] = [];
  #waiters: Array<() => void> = [];

  constructor(file: string) {
    const prof = PROFILE && file !== 'source.ts' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, `--cpu-prof-name=${file.replace('.ts', '')}-${Date.now()}.cpuprofile`] : [];
    this.proc = fork(join(HERE, file), [], { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    started.add(this.proc);
    this.proc.on('error', () => undefined);
    this.proc.on('message', (m: Out) => {
      this.messages.push(m);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.proc.on('exit', () => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  send(m: In): void {
    if (this.proc.connected) this.proc.send(m as object);
  }

  /** The first message of that type not yet taken (a fatal one fails). */
  async next<T extends Out['type']>(type: T, ms = 120_000): Promise<Extract<Out, { type: T }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const fatal = this.messages.find((m) => m.type === 'fatal') as { message?: string } | undefined;
      if (fatal) throw new Error(`child: ${fatal.message}`);
      const i = this.messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.messages.splice(i, 1)[0] as Extract<Out, { type: T }>;
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`child ${this.proc.pid}: no ${type}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits for it to exit on its own (a profile is written then), killing it after `ms`. */
  exited(ms = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
      this.proc.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }

  kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.proc.once('exit', () => r());
      this.proc.kill('SIGKILL');
    });
  }
}

type Source = Child<ToSource, FromSource> & { port: number };

async function startSources(n: number): Promise<{ sources: Source[]; corpus: number; bytesPerEvent: number }> {
  const sources: Source[] = [];
  let corpus = 0;
  let bytesPerEvent = 0;
  for (let i = 0; i < n; i++) {
    const c = new Child<ToSource, FromSource>('source.ts') as Source;
    const l = await c.next('listening');
    c.port = l.port;
    corpus = l.corpus;
    bytesPerEvent = l.bytesPerEvent;
    sources.push(c);
  }
  return { sources, corpus, bytesPerEvent };
}

async function startGateways(nats: string, sources: Source[], jetstream: boolean): Promise<Array<Child<ToGateway, FromGateway>>> {
  return Promise.all(
    sources.map(async (s, i) => {
      const g = new Child<ToGateway, FromGateway>('gateway-child.ts');
      // The JetStream run has a prefix and a stream of its own, removed after it: a stream on
      // esl.*.event.> would store (and cost) every event of the core runs after it.
      const js = jetstream ? { jetstream: { stream: 'ESL_BENCH', maxInFlight: 4096 }, prefix: 'jsbench' } : { jetstream: false as const };
      g.send({ type: 'start', options: { servers: nats, node: `fs${i + 1}`, esl: { port: s.port }, ...js } });
      await g.next('ready');
      return g;
    }),
  );
}

async function closeGateways(gws: Array<Child<ToGateway, FromGateway>>): Promise<Array<Extract<FromGateway, { type: 'closed' }>>> {
  return Promise.all(
    gws.map(async (g) => {
      g.send({ type: 'close' });
      const r = await g.next('closed');
      await g.exited();
      return r;
    }),
  );
}

async function dropStream(url: string, name: string): Promise<void> {
  const nc = await connect({ servers: url });
  await (await jetstreamManager(nc)).streams.delete(name);
  await nc.close();
}

// ------------------------------------------------------------------ measures

interface EventsRun {
  rate: number;
  received: number;
  expected: number;
  ms: number;
  latencyUs: number[];
}

/** `readers` processes read the switches' streams (via NATS or directly) while each switch sends `count` events. */
async function readEvents(sources: Source[], readers: number, via: Via, count: number, rate = 0, latency = false): Promise<EventsRun> {
  const workers = Array.from({ length: readers }, () => new Child<WorkerJob, FromWorker>('worker-child.ts'));
  const expected = count * sources.length;
  for (const w of workers) w.send({ type: 'events', via, expect: expected, latency, idleMs: 3000 });
  await Promise.all(workers.map((w) => w.next('ready')));
  const t0 = process.hrtime.bigint();
  for (const s of sources) s.send({ type: 'stream', count, rate });
  const results = await Promise.all(workers.map((w) => w.next('events', 600_000)));
  await Promise.all(sources.map((s) => s.next('streamed')));
  await Promise.all(workers.map((w) => w.kill()));
  const last = results.reduce((m, r) => (BigInt(r.lastAt) > m ? BigInt(r.lastAt) : m), 0n);
  const ms = Number(last - t0) / 1e6;
  const received = Math.min(...results.map((r) => r.count));
  return { rate: (received / ms) * 1000, received, expected, ms, latencyUs: results.flatMap((r) => r.latencyUs) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function apiRun(via: Via, n: number, concurrent: boolean): Promise<number> {
  const w = new Child<WorkerJob, FromWorker>('worker-child.ts');
  w.send({ type: 'api', via, n, concurrent });
  await w.next('ready');
  const r = await w.next('api');
  await w.kill();
  return (r.n / r.ms) * 1000;
}

// ------------------------------------------------------------------ report

const lines: string[] = [];
const out = (s = ''): void => {
  lines.push(s);
  console.log(s);
};
const fmt = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const pct = (a: number, b: number): string => `${Math.round((a / b) * 100)}%`;

async function main(): Promise<void> {
  const load = os.loadavg();
  out(`# rxesl/nats benchmarks`);
  out();
  out(`${new Date().toISOString()} · Node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · load average at start ${load.map((l) => l.toFixed(2)).join(' ')}${quick ? ' · QUICK (smoke counts)' : ''}`);
  out();
  const nats = await startNatsServer();
  const { sources, corpus, bytesPerEvent } = await startSources(4);
  out(`Switch stream: ${corpus} events of FakeSwitch traffic (answer, playback, hangup), ${bytesPerEvent} bytes each on average (plain), replayed with a sequence number of their own.`);
  out();
  try {
    if (ONLY.includes('events')) {
      out(`## Events/s: switches -> gateways -> core NATS -> workers, against Connections reading the switches directly`);
      out();
      out(`${fmt(EVENTS)} events per switch; every reader gets every event.`);
      out();
      out('| switches | readers | direct (Connection) | over NATS | NATS / direct | lost over NATS |');
      out('|---|---|---|---|---|---|');
      for (const s of [1, 4]) {
        for (const r of [1, 3]) {
          const src = sources.slice(0, s);
          const direct = await readEvents(src, r, { direct: src.map((x) => x.port) }, EVENTS);
          const gws = await startGateways(nats.url, src, false);
          const viaNats = await readEvents(src, r, { nats: nats.url, jetstream: false }, EVENTS);
          await closeGateways(gws);
          out(`| ${s} | ${r} | ${fmt(direct.rate)}/s | ${fmt(viaNats.rate)}/s | ${pct(viaNats.rate, direct.rate)} | ${viaNats.expected - viaNats.received} of ${viaNats.expected} |`);
        }
      }
      out();
    }
    if (ONLY.includes('jetstream')) {
      out(`## Events/s with JetStream (file storage): gateway -> stream -> worker (ordered consumer)`);
      out();
      const src = sources.slice(0, 1);
      const n = Math.min(EVENTS, quick ? EVENTS : 50_000);
      const gws = await startGateways(nats.url, src, true);
      const js = await readEvents(src, 1, { nats: nats.url, jetstream: true }, n);
      const closed = await closeGateways(gws);
      await dropStream(nats.url, 'ESL_BENCH');
      out('| switches | readers | events | stored by the gateway | received | events/s |');
      out('|---|---|---|---|---|---|');
      out(`| 1 | 1 | ${fmt(n)} | ${fmt(closed[0]!.stored)} | ${fmt(js.received)} | ${fmt(js.rate)}/s |`);
      out();
    }
    if (ONLY.includes('latency')) {
      out(`## Latency NATS adds, switch -> worker, at 5,000 events/s (1 switch, 1 reader)`);
      out();
      const src = sources.slice(0, 1);
      const n = quick ? 5000 : 25_000;
      const direct = await readEvents(src, 1, { direct: [src[0]!.port] }, n, 5000, true);
      const gws = await startGateways(nats.url, src, false);
      const viaNats = await readEvents(src, 1, { nats: nats.url, jetstream: false }, n, 5000, true);
      await closeGateways(gws);
      const d = direct.latencyUs.sort((a, b) => a - b);
      const v = viaNats.latencyUs.sort((a, b) => a - b);
      out('| path | events | p50 | p99 | p99.9 | max |');
      out('|---|---|---|---|---|---|');
      const row = (name: string, l: number[]): void => out(`| ${name} | ${l.length} | ${(percentile(l, 50) / 1000).toFixed(3)} ms | ${(percentile(l, 99) / 1000).toFixed(3)} ms | ${(percentile(l, 99.9) / 1000).toFixed(3)} ms | ${(l[l.length - 1]! / 1000).toFixed(3)} ms |`);
      row('direct (Connection)', d);
      row('gateway + NATS + worker', v);
      out();
      out(`Added by NATS: p50 ${((percentile(v, 50) - percentile(d, 50)) / 1000).toFixed(3)} ms, p99 ${((percentile(v, 99) - percentile(d, 99)) / 1000).toFixed(3)} ms.`);
      out();
    }
    if (ONLY.includes('api')) {
      out(`## api: over NATS (worker -> gateway -> switch) against a Connection`);
      out();
      const src = sources.slice(0, 1);
      const n = quick ? 200 : 2000;
      const gws = await startGateways(nats.url, src, false);
      const rows: Array<[string, number, number]> = [];
      for (const concurrent of [false, true]) {
        const count = concurrent ? 1000 : n;
        const direct = await apiRun({ direct: [src[0]!.port] }, count, concurrent);
        const viaNats = await apiRun({ nats: nats.url, jetstream: false }, count, concurrent);
        rows.push([concurrent ? '1,000 at once' : `${n} one after the other`, direct, viaNats]);
      }
      await closeGateways(gws);
      out('| api echo | direct | over NATS | NATS / direct |');
      out('|---|---|---|---|');
      for (const [name, d, v] of rows) out(`| ${name} | ${fmt(d)} ops/s | ${fmt(v)} ops/s | ${pct(v, d)} |`);
      out();
    }
    if (ONLY.includes('kill')) await killRun(nats.url);
  } finally {
    for (const s of sources) {
      s.send({ type: 'quit' });
      await s.kill();
    }
    await nats.stop();
  }
  out(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${lines.join('\n')}\n`);
  console.log(`\nwritten to ${RESULTS}`);
}

/**
 * Zero loss across a worker kill: calls from FakeSwitch's traffic generator through a JetStream
 * gateway, shared by two workers (calls$, queue `bench`); one worker is killed (SIGKILL) a
 * third of the way through. Every call must still end at a worker.
 */
async function killRun(nats: string): Promise<void> {
  out(`## JetStream: a worker killed mid-run (calls$, 2 workers, SIGKILL)`);
  out();
  const fs = await FakeSwitch.start({ heartbeatIntervalMs: 0 });
  // A prefix and a stream of its own: the events scenarios' stream takes esl.*.event.>.
  const gw = await Gateway.start({ nats: { servers: nats }, node: 'calls', esl: { port: fs.port }, jetstream: { stream: 'ESL_CALLS' }, prefix: 'killrun' });
  const workers = [0, 1].map(() => new Child<WorkerJob, FromWorker>('worker-child.ts'));
  for (const w of workers) w.send({ type: 'calls', servers: nats, ackWaitMs: 2000, prefix: 'killrun', stream: 'ESL_CALLS' });
  await Promise.all(workers.map((w) => w.next('ready')));
  const calls = quick ? 30 : 150;
  const down = new Set<string>();
  fs.on('channel', (info: { uuid: string }, what: string) => what === 'down' && down.add(info.uuid));
  const traffic = fs.traffic({ callsPerSecond: 25, maxCalls: calls, actions: ['park'], hangupAfterMs: 1500 });
  while (traffic.started < calls / 3) await new Promise((r) => setTimeout(r, 50));
  await workers[0]!.kill();
  while (!traffic.stopped || traffic.active > 0) await new Promise((r) => setTimeout(r, 100));
  const uuids = traffic.calls.map((c) => c.uuid);
  const ended = (): Set<string> => new Set(workers.flatMap((w) => w.messages.filter((m) => m.type === 'ended').map((m) => (m as { uuid: string }).uuid)));
  const deadline = Date.now() + 60_000;
  while (uuids.some((u) => !ended().has(u)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const seen = ended();
  const redelivered = workers[1]!.messages.filter((m) => m.type === 'call' && (m as { redelivered: boolean }).redelivered).length;
  const byFirst = new Set(workers[0]!.messages.filter((m) => m.type === 'call').map((m) => (m as { uuid: string }).uuid));
  out('| calls | taken by the killed worker | handed again to the other (redelivered) | calls whose end reached a worker | lost |');
  out('|---|---|---|---|---|');
  out(`| ${uuids.length} | ${byFirst.size} | ${redelivered} | ${uuids.filter((u) => seen.has(u)).length} | ${uuids.filter((u) => !seen.has(u)).length} |`);
  out();
  await workers[1]!.kill();
  await gw.close();
  await fs.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
