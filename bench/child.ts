/**
 * One (library, scenario, repetition): a fresh process started by bench/run.ts with
 * --expose-gc. Loads one adapter, runs the scenario against the bench server, measures time
 * and memory, checks what came back, and reports one ChildResult over IPC.
 *
 * The clock starts just before the first command of the timed section (the subscription, the
 * first api/bgapi, or the `start` of the outbound dialling) and stops at the last event or
 * reply; connecting and authenticating are not timed.
 */
import net from 'node:net';
import { loadAdapter } from './adapters/index.js';
import type { ChildConfig, ChildResult, FromChild, MemoryReport, RunStatus, SoakReport, SoakSample, ToChild } from './core/ipc.js';
import { Tally } from './core/tally.js';
import { formatOf, type Adapter, type EventSink, type OutboundCall, type StreamContext } from './core/types.js';
import {
  CALL_PREFIX,
  OUTBOUND_SET_ROUNDS,
  PASSWORD,
  PROBE_EVERY,
  PROBE_HEADER,
  PROBE_VALUE,
  apiArgs,
  bgapiArgs,
} from './core/workload.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const MB = 1024 * 1024;
const now = (): number => performance.now();
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function send(msg: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(msg, null, 2));
      resolve();
      return;
    }
    process.send(msg, undefined, {}, () => resolve());
  });
}

let reported = false;
async function report(result: ChildResult): Promise<never> {
  if (!reported) {
    reported = true;
    await send({ type: 'result', result });
  }
  process.exit(0);
}

function base(status: RunStatus, reason?: string): ChildResult {
  return {
    lib: config.lib,
    scenario: config.scenario,
    rep: config.rep,
    status,
    ...(reason !== undefined ? { reason } : {}),
    rate: 0,
    unit: config.scenario === 'outbound' ? 'calls/s' : formatOf(config.scenario) ? 'events/s' : 'ops/s',
    elapsedMs: 0,
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
  return String(err).slice(0, 500);
}

process.on('uncaughtException', (err) => void report({ ...base('crash', `uncaught ${describe(err)}`), memory: memory() }));
process.on('unhandledRejection', (err) => void report({ ...base('crash', `unhandled rejection ${describe(err)}`), memory: memory() }));

// ------------------------------------------------------------------ memory

let baselineRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const h = process.memoryUsage().heapUsed;
  if (h > peakHeap) peakHeap = h;
}, 50);
sampler.unref();

function memory(): MemoryReport {
  const h = process.memoryUsage().heapUsed;
  if (h > peakHeap) peakHeap = h;
  gc();
  return {
    baselineRssMB: baselineRss / MB,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    peakHeapMB: peakHeap / MB,
    endHeapMB: process.memoryUsage().heapUsed / MB,
  };
}

// ------------------------------------------------------------------ watchdog

/**
 * Ends a run when it is complete, when nothing has progressed for `idleMs` (after the first
 * item), when nothing at all came within `firstMs`, or when the budget is spent.
 */
function watch(progress: () => number, firstMs: number, idleMs: number): { done: Promise<string>; finish: (why?: string) => void; lastChange: () => number } {
  let finish!: (why?: string) => void;
  const done = new Promise<string>((resolve) => {
    finish = (why = 'complete') => resolve(why);
  });
  const t0 = now();
  let last = progress();
  let lastAt = t0;
  const timer = setInterval(() => {
    const p = progress();
    const t = now();
    if (p !== last) {
      last = p;
      lastAt = t;
    }
    if (t - t0 > config.budgetMs) finish('budget');
    else if (p === 0 && t - t0 > firstMs) finish('nothing arrived');
    else if (p > 0 && t - lastAt > idleMs) finish('idle');
  }, 50);
  void done.then(() => clearInterval(timer));
  return { done, finish, lastChange: () => lastAt };
}

// ------------------------------------------------------------------ scenarios

async function events(adapter: Adapter): Promise<ChildResult> {
  const format = formatOf(config.scenario)!;
  const soak = config.scenario === 'soak';
  const n = config.events;
  const session = await adapter.connect!({ host: config.host, port: config.port, password: PASSWORD });
  await session.prepare?.(config.scenario);
  const tally = new Tally(n);
  let probes = 0;
  let probesOk = 0;
  let probeSample: string | undefined;
  let t1 = 0;
  const w = watch(() => tally.count, Math.min(config.budgetMs, 30_000), config.idleMs);
  const complete = (): void => {
    if (t1 === 0 && tally.distinct >= n) {
      t1 = now();
      w.finish();
    }
  };
  const sink: EventSink = (name, uid, event) => {
    tally.record(name, uid);
    if ((tally.count & (PROBE_EVERY - 1)) === 1) {
      const v = session.header(event, PROBE_HEADER);
      probes++;
      if (v === PROBE_VALUE) probesOk++;
      else probeSample ??= String(v);
    }
    if (tally.distinct >= n) complete();
  };
  const ctx: StreamContext = {
    expectedEvents: n,
    expectedBytes: config.expectedBytes,
    countUnverified(k) {
      tally.countUnverified(k);
      complete();
    },
  };

  const samples: SoakSample[] = [];
  let soakTimer: NodeJS.Timeout | undefined;
  const t0 = now();
  if (soak) {
    gc();
    samples.push({ ms: 0, events: 0, heapMB: process.memoryUsage().heapUsed / MB });
    soakTimer = setInterval(() => {
      gc();
      samples.push({ ms: now() - t0, events: tally.count, heapMB: process.memoryUsage().heapUsed / MB });
    }, config.soakSampleMs);
  }
  const cpu0 = process.cpuUsage();
  await session.subscribe(format, sink, ctx);
  const why = await w.done;
  const cpuMs = cpuSince(cpu0);
  const end = t1 || w.lastChange();
  if (soakTimer) clearInterval(soakTimer);
  const elapsedMs = end - t0;
  const mem = memory();
  if (soak) samples.push({ ms: elapsedMs, events: tally.count, heapMB: mem.endHeapMB });
  const t = tally.report();
  let status: RunStatus = 'ok';
  let reason: string | undefined;
  const corrupt = `${t.bad} events delivered with a wrong Event-Name or Unique-ID (${t.badSamples.join(', ')})`;
  if (t.checksum && !t.checksum.ok) {
    status = 'failed';
    reason = 'checksum mismatch';
  } else if (t.bad > 0 && (adapter.exact || t.bad * 100 > t.counted)) {
    // Wrong values on more than 1% of the events: the adapter reads the wrong thing.
    status = 'failed';
    reason = corrupt;
  } else if (t.bad > 0) {
    // A few wrong events among right ones: the library mangled them (a fault of the library).
    status = 'partial';
    reason = `${corrupt}${t.lost > 0 ? `; ${t.lost} lost` : ''}`;
  } else if (t.lost > 0) {
    status = 'partial';
    reason = why === 'budget' ? `time budget (${config.budgetMs / 1000} s) spent` : why === 'idle' ? `no new event for ${config.idleMs / 1000} s: ${t.lost} lost` : why;
  }
  const result: ChildResult = {
    ...base(status, reason),
    rate: elapsedMs > 0 ? t.distinct / (elapsedMs / 1000) : 0,
    elapsedMs,
    cpuMs,
    tally: t,
    decoded: { probes, ok: probesOk, ...(probeSample !== undefined ? { sample: probeSample } : {}) },
    bytes: config.expectedBytes,
    memory: mem,
  };
  if (soak) result.soak = soakReport(samples, n);
  await closeQuietly(() => session.close());
  return result;
}

/** Least-squares heap slope over the samples after the first 20% of the events. */
function soakReport(samples: SoakSample[], n: number): SoakReport {
  const window = samples.filter((s) => s.events >= n * 0.2);
  const pts = window.length >= 2 ? window : samples;
  const mx = pts.reduce((a, s) => a + s.events, 0) / pts.length;
  const my = pts.reduce((a, s) => a + s.heapMB, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const s of pts) {
    num += (s.events - mx) * (s.heapMB - my);
    den += (s.events - mx) ** 2;
  }
  const slopeMBPerEvent = den > 0 ? num / den : 0;
  const growthMB = pts.length >= 2 ? pts[pts.length - 1]!.heapMB - pts[0]!.heapMB : 0;
  const slopeKBPer100k = slopeMBPerEvent * 100_000 * 1024;
  // Flat: less than 1 MB over the whole window, and a slope under 100 KB per 100k events.
  return { samples, slopeKBPer100k, growthMB, flat: growthMB < 1 && slopeKBPer100k < 100 };
}

async function ops(adapter: Adapter): Promise<ChildResult> {
  const session = await adapter.connect!({ host: config.host, port: config.port, password: PASSWORD });
  await session.prepare?.(config.scenario);
  const bg = config.scenario === 'bgapi-concurrent';
  const n = config.ops;
  const window = config.scenario === 'api-seq' ? 1 : config.concurrency > 0 ? config.concurrency : n;
  const invoke = bg ? (i: number) => session.bgapi!('echo', bgapiArgs(i)) : (i: number) => session.api!('echo', apiArgs(i));
  const expect = bg ? bgapiArgs : apiArgs;
  let launched = 0;
  let completed = 0;
  let matched = 0;
  let failed = 0;
  let firstError: string | undefined;
  let t1 = 0;
  const w = watch(() => completed + failed, Math.min(config.budgetMs, 30_000), Math.max(config.idleMs, 10_000));
  const settle = (): void => {
    if (completed + failed === n) {
      t1 = now();
      w.finish();
    } else launch();
  };
  const launch = (): void => {
    while (launched < n && launched - completed - failed < window) {
      const i = launched++;
      invoke(i).then(
        (body) => {
          completed++;
          if (body === expect(i)) matched++;
          settle();
        },
        (err: unknown) => {
          failed++;
          firstError ??= describe(err);
          settle();
        },
      );
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = now();
  launch();
  const why = await w.done;
  const cpuMs = cpuSince(cpu0);
  const end = t1 || w.lastChange();
  const elapsedMs = end - t0;
  const mem = memory();
  let status: RunStatus = 'ok';
  let reason: string | undefined;
  if (matched < completed) {
    status = 'failed';
    reason = `${completed - matched} replies did not match their command`;
  } else if (failed > 0) {
    status = 'failed';
    reason = `${failed} commands failed: ${firstError}`;
  } else if (completed < n) {
    status = 'partial';
    reason = why === 'budget' ? `time budget (${config.budgetMs / 1000} s): ${completed} of ${n} done` : `${why}: ${completed} of ${n} done`;
  }
  const result: ChildResult = {
    ...base(status, reason),
    rate: elapsedMs > 0 ? completed / (elapsedMs / 1000) : 0,
    elapsedMs,
    cpuMs,
    ops: { expected: n, completed, matched, failed, ...(firstError ? { firstError } : {}) },
    memory: mem,
  };
  await closeQuietly(() => session.close());
  return result;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, config.host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function outbound(adapter: Adapter): Promise<ChildResult> {
  const calls = config.calls;
  let ready = 0;
  let completed = 0;
  let commands = 0;
  let matched = 0;
  let failed = 0;
  let firstError: string | undefined;
  let t0 = 0;
  let t1 = 0;
  let started!: () => void;
  const start = new Promise<void>((resolve) => (started = resolve));
  let cpu0 = process.cpuUsage();
  const w = watch(() => commands + failed, 60_000, Math.max(config.idleMs, 10_000));
  const script = async (call: OutboundCall): Promise<void> => {
    const uuid = call.uuid ?? '';
    if (!uuid.startsWith(CALL_PREFIX)) throw new Error(`channel Unique-ID ${JSON.stringify(call.uuid)} is not one of the dialled calls`);
    await call.linger();
    commands++;
    for (let k = 0; k < OUTBOUND_SET_ROUNDS; k++) {
      await call.execute('set', `bench_${k}=${uuid}-${k}`);
      commands++;
      const v = await call.api('uuid_getvar', `${uuid} bench_${k}`);
      commands++;
      if (v === `${uuid}-${k}`) matched++;
    }
    await call.exit();
    commands++;
  };
  const onCall = (call: OutboundCall): void => {
    ready++;
    script(call).then(
      () => {
        completed++;
        if (completed + failed === calls) {
          t1 = now();
          w.finish();
        }
      },
      (err: unknown) => {
        failed++;
        firstError ??= describe(err);
        if (completed + failed === calls) {
          t1 = now();
          w.finish();
        }
      },
    );
  };
  const port = await freePort();
  const server = await adapter.listen!({ host: config.host, port }, onCall);
  process.on('message', (m: ToChild) => {
    if (m.type === 'start') {
      cpu0 = process.cpuUsage();
      t0 = now();
      started();
    }
  });
  await send({ type: 'listening', port });
  await start;
  const why = await w.done;
  const cpuMs = cpuSince(cpu0);
  const end = t1 || w.lastChange();
  const elapsedMs = end - t0;
  const mem = memory();
  const expectedMatches = calls * OUTBOUND_SET_ROUNDS;
  let status: RunStatus = 'ok';
  let reason: string | undefined;
  if (failed > 0) {
    status = 'failed';
    reason = `${failed} calls failed: ${firstError}`;
  } else if (completed < calls) {
    status = 'partial';
    reason = `${why}: ${completed} of ${calls} calls done`;
  } else if (matched < expectedMatches) {
    status = 'failed';
    reason = `${expectedMatches - matched} uuid_getvar replies did not match`;
  }
  const result: ChildResult = {
    ...base(status, reason),
    rate: elapsedMs > 0 ? completed / (elapsedMs / 1000) : 0,
    elapsedMs,
    cpuMs,
    outbound: { calls, ready, completed, commands, matched, failed, ...(firstError ? { firstError } : {}) },
    memory: mem,
  };
  await closeQuietly(() => server.close());
  return result;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}

async function closeQuietly(close: () => Promise<void>): Promise<void> {
  await Promise.race([close().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const adapter = await loadAdapter(config.lib);
  const why = adapter.unsupported[config.scenario];
  if (why !== undefined) await report(base('n/a', why));
  gc();
  baselineRss = process.memoryUsage().rss;
  peakHeap = process.memoryUsage().heapUsed;
  let result: ChildResult;
  switch (config.scenario) {
    case 'events-plain':
    case 'events-json':
    case 'events-xml':
    case 'soak':
      result = await events(adapter);
      break;
    case 'api-seq':
    case 'api-concurrent':
    case 'bgapi-concurrent':
      result = await ops(adapter);
      break;
    case 'outbound':
      result = await outbound(adapter);
      break;
  }
  await report(result);
}

main().catch((err: unknown) => report({ ...base('crash', describe(err)), memory: memory() }));
