/** Messages between bench/run.ts, the bench server process and the client child processes. */
import type { TallyReport } from './tally.js';
import type { EventFormat, Scenario } from './types.js';

// ------------------------------------------------------------------ server

export interface ServerSetup {
  type: 'setup';
  id: number;
  scenario: Scenario;
  /** Format and count of the events to stream once a client subscribes (0: none). */
  format: EventFormat;
  events: number;
}

export interface ServerDial {
  type: 'dial';
  id: number;
  port: number;
  calls: number;
  /** Most sockets that may wait for their `connect` at once (keeps the accept queue short). */
  pendingLimit: number;
}

export type ToServer = ServerSetup | ServerDial | { type: 'finish'; id: number } | { type: 'quit' };

export interface ServerRunStats {
  connections: number;
  commands: number;
  apiReplies: number;
  bgapiJobs: number;
  eventsStreamed: number;
  bytesStreamed: number;
  /** First stream write to the last stream write's callback. */
  streamMs: number;
  /** CPU the server used over that interval: near streamMs would mean the server is the bottleneck. */
  streamCpuMs: number;
  /** Subscriptions that started or resumed the stream (more than 1: the client reconnected). */
  streamStarts?: number;
  /** CPU the server process used between setup and finish. */
  cpuMs: number;
  wallMs: number;
  errors: string[];
}

export interface DialStats {
  dialed: number;
  connected: number;
  /** `connect` received and answered with CHANNEL_DATA. */
  handshakes: number;
  /** Commands answered after `connect` (library extras such as filters and event subscriptions included). */
  commands: number;
  /** Calls that ended with `exit` -> +OK bye -> disconnect notice -> close. */
  exited: number;
  /** uuid_getvar replies that returned the value set on that call. */
  getvarHits: number;
  errors: string[];
}

export type FromServer =
  | { type: 'listening'; port: number }
  | { type: 'ready'; id: number; expectedBytes: number }
  | { type: 'dial-done'; id: number; stats: DialStats }
  | { type: 'finished'; id: number; stats: ServerRunStats }
  | { type: 'fatal'; message: string };

// ------------------------------------------------------------------ client child

export interface ChildConfig {
  lib: string;
  scenario: Scenario;
  rep: number;
  host: string;
  /** The bench server's inbound port. */
  port: number;
  events: number;
  ops: number;
  calls: number;
  /** api/bgapi concurrency (0: all at once). */
  concurrency: number;
  /** Time after which a run stops waiting and reports what it got (partial). */
  budgetMs: number;
  /** An event run that has seen no new event for this long is over (the library lost the rest). */
  idleMs: number;
  expectedBytes: number;
  /** Soak: interval of the forced-GC heap samples. */
  soakSampleMs: number;
}

export interface MemoryReport {
  /** RSS after loading the library, before connecting (MB). */
  baselineRssMB: number;
  /** Peak RSS of the process (getrusage maxrss, MB). */
  peakRssMB: number;
  /** Highest sampled heapUsed (MB). */
  peakHeapMB: number;
  /** heapUsed after a forced GC at the end (MB). */
  endHeapMB: number;
}

export interface SoakSample {
  ms: number;
  events: number;
  heapMB: number;
}

export interface SoakReport {
  samples: SoakSample[];
  /** Heap growth per 100k events over the measured window (after the first 20% of events), KB. */
  slopeKBPer100k: number;
  /** Heap after GC at the end minus heap after GC at the start of the window (MB). */
  growthMB: number;
  flat: boolean;
}

export type RunStatus = 'ok' | 'partial' | 'failed' | 'crash' | 'timeout' | 'n/a';

export interface ChildResult {
  lib: string;
  scenario: Scenario;
  rep: number;
  status: RunStatus;
  /** Why a run is partial, failed, crashed or n/a. */
  reason?: string;
  /** Events (event scenarios), operations (api/bgapi) or commands (outbound) per second. */
  rate: number;
  unit: 'events/s' | 'ops/s' | 'calls/s';
  elapsedMs: number;
  /** CPU the client process used over the timed section (ms): near elapsedMs means CPU-bound. */
  cpuMs?: number;
  /** Event scenarios. */
  tally?: TallyReport;
  /** Share of probed events whose PROBE_HEADER came back decoded. */
  decoded?: { probes: number; ok: number; sample?: string };
  /** api/bgapi: operations completed and replies that matched their command. */
  ops?: { expected: number; completed: number; matched: number; failed: number; firstError?: string };
  /** Outbound. */
  outbound?: { calls: number; ready: number; completed: number; commands: number; matched: number; failed: number; firstError?: string };
  /** Bytes received (raw reader) for the throughput in MB/s. */
  bytes?: number;
  memory?: MemoryReport;
  soak?: SoakReport;
}

export type FromChild = { type: 'listening'; port: number } | { type: 'result'; result: ChildResult };
export type ToChild = { type: 'start' };
