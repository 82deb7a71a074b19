/**
 * A live feed of call states, filtered on the switch and debounced per call: one line when a
 * call settles in a state (RINGING, ACTIVE, HELD...), not one per event, and only for the
 * calls of one dialplan context.
 *
 *   npx tsx examples/event-feed.ts --demo             # a FakeSwitch with calls in two contexts
 *   EVENT_CONTEXT=public npx tsx examples/event-feed.ts   # ESL_HOST:ESL_PORT; Ctrl-C to stop
 */
import { type Observable, concat, debounceTime, filter, groupBy, ignoreElements, map, merge, mergeMap } from 'rxjs';
import { Connection, type EslEvent } from 'rxesl';
import { explain, runWhenMain, switchFor } from './support.js';

export interface FeedOptions {
  /** Only calls in this dialplan context (FreeSWITCH filters them: they never reach us). Default `default`. */
  context?: string;
  /** A call must stay this long in a state to be reported, ms. Default 250. */
  quietMs?: number;
}

export interface CallState {
  uuid: string;
  caller: string;
  destination: string;
  /** Channel-Call-State: RINGING, EARLY, ACTIVE, HELD, HANGUP... */
  state: string;
}

function toCallState(e: EslEvent): CallState {
  return {
    uuid: e.getHeader('Unique-ID') ?? '',
    caller: e.getHeader('Caller-Caller-ID-Number') ?? '',
    destination: e.getHeader('Caller-Destination-Number') ?? '',
    state: e.getHeader('Channel-Call-State') ?? '',
  };
}

/**
 * The call states of one context. Subscribing asks FreeSWITCH for CHANNEL_CALLSTATE events
 * and adds the filter; the feed itself is subscribed first, so nothing that follows is missed.
 */
export function callStates(conn: Connection, options: FeedOptions = {}): Observable<CallState> {
  const quietMs = options.quietMs ?? 250;
  const ask$ = concat(conn.events('plain', ['CHANNEL_CALLSTATE']), conn.filter('Caller-Context', options.context ?? 'default')).pipe(ignoreElements());
  const feed$ = conn.eventsNamed('CHANNEL_CALLSTATE').pipe(
    // One group per call, closed when the call hangs up (no group outlives its call)...
    groupBy((e) => e.getHeader('Unique-ID') ?? '', {
      duration: (call) => call.pipe(filter((e) => e.getHeader('Channel-Call-State') === 'HANGUP')),
    }),
    // ...and in each, the last state once the call has kept it for quietMs (HANGUP at once: the group ends).
    mergeMap((call) => call.pipe(debounceTime(quietMs))),
    map(toCallState),
  );
  return merge(feed$, ask$);
}

function time(): string {
  return new Date().toTimeString().slice(0, 8);
}

async function main(): Promise<void> {
  // With --demo: calls in the `default` context (shown) and in `public` (filtered out by the switch).
  const { options, stop } = await switchFor(process.argv, (fake) => {
    fake.extension({ context: 'public', destination: /.*/, actions: ['answer', 'playback ivr/ivr-welcome.wav', 'hangup'] });
    // Half a second for the feed to subscribe, then a call a second in each context.
    setTimeout(() => {
      fake.traffic({ callsPerSecond: 1, destination: 'answer_park', hangupAfterMs: 3000, maxCalls: 5 });
      fake.traffic({ callsPerSecond: 1, destination: '9999', context: 'public', callerIdNumber: (n) => `99${n}`, maxCalls: 5 });
    }, 500);
  });
  const demo = process.argv.includes('--demo');
  const conn = await Connection.connect(options);
  const feed = callStates(conn, { context: process.env.EVENT_CONTEXT ?? 'default' }).subscribe({
    next: (c) => console.log(`${time()} ${c.caller} -> ${c.destination}  ${c.state.padEnd(8)} ${c.uuid}`),
    error: (err: unknown) => console.error(explain(err)),
  });
  const end = async (): Promise<void> => {
    feed.unsubscribe();
    await conn.close();
    await stop();
  };
  if (demo) setTimeout(() => void end(), 10_000);
  else process.once('SIGINT', () => void end());
}

runWhenMain(import.meta, main);
