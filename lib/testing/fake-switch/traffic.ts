/**
 * A call generator for demos and load tests: inbound calls arriving at a steady rate on the
 * switch's clock, each running the dialplan (or given actions, or an outbound socket), with
 * the caller pressing digits when asked and hanging up after a while.
 */
import type { TimerHandle } from './clock.js';
import type { CallOptions, FakeCall } from './calls.js';

/** What to generate. */
export interface TrafficOptions extends Omit<CallOptions, 'uuid' | 'channelName' | 'destination' | 'callerIdNumber' | 'dtmf'> {
  /** Calls started per second of clock time. */
  callsPerSecond: number;
  /** Stop after this many calls. Default: no limit. */
  maxCalls?: number;
  /** Skip a start while this many generated calls are still up. Default: no limit. */
  maxConcurrent?: number;
  /** The destination of call n (0-based). Default `1000`. */
  destination?: string | ((n: number) => string);
  /** The caller id number of call n. Default `1000` + n. */
  callerIdNumber?: string | ((n: number) => string);
  /** Digits the caller of call n presses when first asked (play_and_get_digits, read). */
  dtmf?: string | ((n: number) => string);
}

/** A running generator. */
export interface TrafficHandle {
  /** Stops starting calls (calls in progress go on). */
  stop(): void;
  /** Calls started so far. */
  readonly started: number;
  /** Generated calls still up. */
  readonly active: number;
  readonly stopped: boolean;
  /** The calls started, in order. */
  readonly calls: readonly FakeCall[];
}

export function startTraffic(
  options: TrafficOptions,
  deps: { call: (o: CallOptions) => FakeCall; after: (ms: number, fn: () => void) => TimerHandle },
): TrafficHandle {
  if (!(options.callsPerSecond > 0)) throw new RangeError('traffic: callsPerSecond must be > 0');
  const interval = 1000 / options.callsPerSecond;
  const calls: FakeCall[] = [];
  let active = 0;
  let stopped = false;
  let timer: TimerHandle | undefined;
  const pick = <T>(v: T | ((n: number) => T) | undefined, n: number, fallback: T): T =>
    v === undefined ? fallback : typeof v === 'function' ? (v as (n: number) => T)(n) : v;
  const tick = (): void => {
    if (stopped) return;
    const n = calls.length;
    if (options.maxCalls !== undefined && n >= options.maxCalls) {
      stopped = true;
      return;
    }
    if (options.maxConcurrent === undefined || active < options.maxConcurrent) {
      const { callsPerSecond: _c, maxCalls: _m, maxConcurrent: _x, destination, callerIdNumber, dtmf, ...rest } = options;
      const call = deps.call({
        ...rest,
        destination: pick(destination, n, '1000'),
        callerIdNumber: pick(callerIdNumber, n, String(1000 + n)),
        dtmf: pick(dtmf, n, undefined as string | undefined),
      });
      calls.push(call);
      active++;
      void call.whenDown.then(() => {
        active--;
      });
    }
    timer = deps.after(interval, tick);
  };
  timer = deps.after(0, tick);
  return {
    stop(): void {
      stopped = true;
      timer?.cancel();
    },
    get started() {
      return calls.length;
    },
    get active() {
      return active;
    },
    get stopped() {
      return stopped;
    },
    calls,
  };
}
