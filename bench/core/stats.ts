/** Aggregation of the repetitions of one (library, scenario). */
import type { ChildResult, RunStatus } from './ipc.js';

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Cell {
  lib: string;
  scenario: string;
  runs: ChildResult[];
  /** Runs that produced a rate (ok or partial). */
  measured: ChildResult[];
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in %. */
  spreadPct: number;
  peakRssMB: number;
  peakHeapMB: number;
  status: RunStatus;
  reason?: string;
}

/** The worst status of the runs decides the cell's (a crash in one repetition shows). */
const SEVERITY: RunStatus[] = ['ok', 'partial', 'failed', 'timeout', 'crash', 'n/a'];

export function cell(lib: string, scenario: string, runs: ChildResult[]): Cell {
  const measured = runs.filter((r) => (r.status === 'ok' || r.status === 'partial') && r.rate > 0);
  const rates = measured.map((r) => r.rate);
  const m = median(rates);
  let status: RunStatus = runs.length === 0 ? 'n/a' : 'ok';
  let reason: string | undefined;
  for (const r of runs) {
    if (SEVERITY.indexOf(r.status) > SEVERITY.indexOf(status) || (r.status === status && !reason && r.reason)) {
      status = r.status;
      reason = r.reason;
    }
  }
  if (runs.length > 0 && runs.every((r) => r.status === 'n/a')) {
    status = 'n/a';
    reason = runs[0]!.reason;
  }
  const mem = measured.length > 0 ? measured : runs.filter((r) => r.memory);
  return {
    lib,
    scenario,
    runs,
    measured,
    median: m,
    min: rates.length ? Math.min(...rates) : NaN,
    max: rates.length ? Math.max(...rates) : NaN,
    spreadPct: rates.length > 1 && m > 0 ? ((Math.max(...rates) - Math.min(...rates)) / m) * 100 : 0,
    peakRssMB: median(mem.map((r) => r.memory?.peakRssMB ?? NaN).filter((x) => !Number.isNaN(x))),
    peakHeapMB: median(mem.map((r) => r.memory?.peakHeapMB ?? NaN).filter((x) => !Number.isNaN(x))),
    status,
    ...(reason !== undefined ? { reason } : {}),
  };
}
