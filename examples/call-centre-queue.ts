/**
 * A call-centre queue. Callers reach it through the dialplan's socket application (a Server)
 * and hear music while they wait. Agents' statuses arrive as mod_callcenter's events (CUSTOM
 * callcenter::info, CC-Action agent-status-change) on an inbound connection, debounced per
 * agent so that one flapping between Available and On Break counts only once it settles. The
 * longest-waiting caller is bridged to the agent available the longest; an agent who does not
 * answer is skipped until a new status says otherwise.
 *
 *   npx tsx examples/call-centre-queue.ts --demo   # FakeSwitch with three callers and two agents
 *   QUEUE_PORT=8085 npx tsx examples/call-centre-queue.ts   # ESL_HOST/ESL_PORT/ESL_PASSWORD for the
 *       agent feed; dialplan: <action application="socket" data="127.0.0.1:8085 async full"/>
 */
import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  Subject,
  asyncScheduler,
  catchError,
  concat,
  concatMap,
  debounceTime,
  defer,
  distinctUntilChanged,
  filter,
  groupBy,
  ignoreElements,
  last,
  lastValueFrom,
  map,
  merge,
  mergeMap,
  of,
  repeat,
  scan,
  share,
  take,
  takeWhile,
} from 'rxjs';
import { Channel, Connection, EslHangupError, type EslEvent, Server } from 'rxesl';
import type { FakeCall, FakeSwitch } from 'rxesl/testing';
import { explain, runWhenMain, switchFor } from './support.js';

/** Music on hold: a stream that never ends on FreeSWITCH (broken with uuid_break). */
export const MUSIC = 'local_stream://moh';

export interface AgentStatus {
  agent: string;
  available: boolean;
}

/**
 * Agents' statuses from mod_callcenter's agent-status-change events, debounced per agent: a
 * status counts once it has held for `settleMs`, and only when it changes.
 */
export function agentStatuses(events$: Observable<EslEvent>, settleMs = 500, scheduler: SchedulerLike = asyncScheduler): Observable<AgentStatus> {
  return events$.pipe(
    filter((e) => e.getHeader('CC-Action') === 'agent-status-change' && e.getHeader('CC-Agent') !== undefined),
    map((e) => ({ agent: e.getHeader('CC-Agent')!, available: (e.getHeader('CC-Agent-Status') ?? '').startsWith('Available') })),
    groupBy((s) => s.agent),
    mergeMap((one) =>
      one.pipe(
        debounceTime(settleMs, scheduler),
        distinctUntilChanged((a, b) => a.available === b.available),
      ),
    ),
  );
}

/** What the queue hears about: callers joining and leaving, agents' statuses, agents freed by a call. */
export type QueueEvent =
  | { kind: 'caller'; caller: string; front?: boolean }
  | { kind: 'gone'; caller: string }
  | ({ kind: 'agent' } & AgentStatus)
  | { kind: 'released'; agent: string; noAnswer: boolean };

export interface Assignment {
  caller: string;
  agent: string;
}

export interface QueueState {
  /** Callers waiting, longest first. */
  waiting: readonly string[];
  /** Agents available and free, longest first. */
  idle: readonly string[];
  /** Agents whose last status is Available (free or not). */
  available: ReadonlySet<string>;
  /** Agents on a call. */
  busy: ReadonlySet<string>;
}

export const EMPTY_QUEUE: QueueState = { waiting: [], idle: [], available: new Set(), busy: new Set() };

/** The queue's rules: a state and an event give the next state and the calls to connect. */
export function queueStep(state: QueueState, e: QueueEvent): { state: QueueState; assignments: Assignment[] } {
  let waiting = [...state.waiting];
  let idle = [...state.idle];
  const available = new Set(state.available);
  const busy = new Set(state.busy);
  switch (e.kind) {
    case 'caller':
      if (!waiting.includes(e.caller)) waiting = e.front ? [e.caller, ...waiting] : [...waiting, e.caller];
      break;
    case 'gone':
      waiting = waiting.filter((c) => c !== e.caller);
      break;
    case 'agent':
      if (e.available) {
        available.add(e.agent);
        if (!busy.has(e.agent) && !idle.includes(e.agent)) idle.push(e.agent);
      } else {
        available.delete(e.agent);
        idle = idle.filter((a) => a !== e.agent);
      }
      break;
    case 'released':
      busy.delete(e.agent);
      // An agent who did not answer waits for a new status before being offered calls again.
      if (e.noAnswer) available.delete(e.agent);
      else if (available.has(e.agent) && !idle.includes(e.agent)) idle.push(e.agent);
      break;
  }
  const assignments: Assignment[] = [];
  while (waiting.length > 0 && idle.length > 0) {
    const caller = waiting.shift()!;
    const agent = idle.shift()!;
    busy.add(agent);
    assignments.push({ caller, agent });
  }
  return { state: { waiting, idle, available, busy }, assignments };
}

/** The assignments a stream of queue events makes. */
export function assign(events$: Observable<QueueEvent>): Observable<Assignment> {
  return events$.pipe(
    scan((acc, e) => queueStep(acc.state, e), { state: EMPTY_QUEUE, assignments: [] as Assignment[] }),
    concatMap((step) => step.assignments),
  );
}

/**
 * One caller: answer, join the queue, music until an agent is assigned (then uuid_break),
 * bridge to the agent; back to the head of the queue if the agent does not answer; hang up
 * after the call. Emits one line about how it went.
 */
export function serveCaller(ch: Channel, assignments$: Observable<Assignment>, tell: (e: QueueEvent) => void): Observable<string> {
  const who = ch.snapshot.callerIdNumber ?? ch.uuid;
  let agent: string | undefined;
  const waitForAgent = (front: boolean): Observable<string> =>
    defer(() => {
      agent = undefined;
      const mine$ = assignments$.pipe(
        filter((a) => a.caller === ch.uuid),
        take(1),
        map((a) => (agent = a.agent)),
        share(),
      );
      // Music, over and over, until an agent is assigned; then break the file playing.
      const music$ = ch.playback(MUSIC).pipe(
        repeat(),
        takeWhile(() => agent === undefined),
        ignoreElements(),
      );
      const assigned$ = mine$.pipe(concatMap((a) => ch.breakMedia().pipe(map(() => a))));
      const waiting$ = merge(music$, assigned$.pipe(ignoreElements()));
      // Subscribed before telling the queue, so that an assignment made at once is not missed.
      const result$ = concat(waiting$, defer(() => of(agent!)));
      return merge(result$, defer(() => (tell({ kind: 'caller', caller: ch.uuid, front }), EMPTY)));
    });
  const attempt = (front: boolean): Observable<string> =>
    waitForAgent(front).pipe(
      concatMap((a) =>
        ch.bridge(`user/${a}`, { continueOnFail: true }).pipe(
          last(),
          concatMap((r) => {
            agent = undefined;
            if (r.kind !== 'result' || !r.bridged) {
              tell({ kind: 'released', agent: a, noAnswer: true });
              return attempt(true);
            }
            tell({ kind: 'released', agent: a, noAnswer: false });
            return ch.hangup().pipe(map(() => `${who}: talked to ${a}`));
          }),
        ),
      ),
    );
  return ch.answer().pipe(
    concatMap(() => attempt(false)),
    catchError((err: unknown) => {
      if (!(err instanceof EslHangupError)) throw err;
      if (agent !== undefined) tell({ kind: 'released', agent, noAnswer: false });
      else tell({ kind: 'gone', caller: ch.uuid });
      return of(agent === undefined ? `${who}: hung up while waiting` : `${who}: hung up with ${agent}`);
    }),
  );
}

/** The whole queue: callers from the Server, agents from their status events. Emits a line per caller. */
export function callCentre(calls$: Observable<Connection>, agentEvents$: Observable<EslEvent>, options: { settleMs?: number; scheduler?: SchedulerLike } = {}): Observable<string> {
  return defer(() => {
    const queue = new Subject<QueueEvent>();
    const agents$ = agentStatuses(agentEvents$, options.settleMs, options.scheduler).pipe(map((s): QueueEvent => ({ kind: 'agent', ...s })));
    const assignments$ = assign(merge(queue, agents$)).pipe(share());
    const callers$ = calls$.pipe(mergeMap((conn) => serveCaller(Channel.fromConnection(conn), assignments$, (e) => queue.next(e))));
    // The assignments stream runs as long as the queue does, callers or not.
    return merge(assignments$.pipe(ignoreElements()), callers$);
  });
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  let fake: FakeSwitch | undefined;
  // On the demo switch the music lasts as long as on FreeSWITCH: until uuid_break.
  const { options, stop } = await switchFor(
    process.argv,
    (f) => {
      fake = f;
    },
    { media: { durations: { [MUSIC]: 3_600_000 } } },
  );
  const feed = await Connection.connect(options);
  await lastValueFrom(feed.events('plain', ['CUSTOM', 'callcenter::info']));
  const server = await Server.listen({ host: '127.0.0.1', port: demo ? 0 : Number(process.env.QUEUE_PORT ?? 8085) });
  console.log(`queue listening on 127.0.0.1:${server.port}`);
  let printed = 0;
  let allPrinted: () => void = () => {};
  const demoCallers = ['2001', '2002', '2003'];
  const linesDone = new Promise<void>((resolve) => (allPrinted = resolve));
  const lines = callCentre(server.connections$, feed.customEvents('callcenter::info'), { settleMs: 300 }).subscribe({
    next: (line) => {
      console.log(line);
      if (++printed === demoCallers.length) allPrinted();
    },
    error: (err: unknown) => console.error(explain(err)),
  });
  if (!fake) return;
  const f = fake;
  const status = (agent: string, s: string) =>
    f.fire({ name: 'CUSTOM', subclass: 'callcenter::info', headers: { 'CC-Agent': agent, 'CC-Action': 'agent-status-change', 'CC-Agent-Status': s } });
  for (const agent of ['1001', '1002']) f.endpoint(`user/${agent}`, { answerAfterMs: 300, hangupAfterMs: 1500 });
  status('1001', 'Available');
  // 1002 flaps, and settles on Available
  ['On Break', 'Available', 'On Break', 'Available'].forEach((s, i) => setTimeout(() => status('1002', s), 50 * i));
  const calls: FakeCall[] = [];
  for (const [i, cid] of demoCallers.entries()) {
    await new Promise((r) => setTimeout(r, i === 0 ? 0 : 200));
    calls.push(f.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: cid }));
  }
  // Each caller's line comes after its channel is gone on the switch (the hang-up's reply is
  // read after that): wait for both before closing.
  await Promise.all([...calls.map((c) => c.whenDestroyed), linesDone]);
  lines.unsubscribe();
  await server.close();
  await feed.close();
  await stop();
}

runWhenMain(import.meta, main);
