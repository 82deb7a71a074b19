/**
 * An outbound IVR as an RxJS pipeline: answer, play a greeting, collect a digit, branch
 * (1: bridge to sales, 2: transfer to support, anything else: goodbye), hang up.
 *
 *   npx tsx examples/outbound-ivr.ts --demo      # a FakeSwitch calls it (digits chosen at random)
 *   IVR_PORT=8084 npx tsx examples/outbound-ivr.ts   # for a real switch whose dialplan has
 *       <action application="socket" data="127.0.0.1:8084 async full"/>
 */
import { type Observable, catchError, concatMap, map, mergeMap, of } from 'rxjs';
import { Channel, type Connection, EslDisconnectedError, EslHangupError, Server } from 'rxesl';
import { FakeSwitch } from 'rxesl/testing';
import { explain, runWhenMain } from './support.js';

export interface IvrOptions {
  /** Where 1 goes. */
  sales: string;
  /** Where 2 goes (a transfer target: extension, dialplan, context). */
  support: string;
}

export type IvrOutcome = 'sales' | 'support' | 'no choice' | 'caller hung up';

/** The IVR for one call; emits how it ended. */
export function ivr(call: Connection, options: IvrOptions = { sales: 'user/1001', support: '2000 XML default' }): Observable<IvrOutcome> {
  // Channel#execute emits the application's completion (CHANNEL_EXECUTE_COMPLETE) and fails
  // with EslHangupError if the caller hangs up first.
  const channel = Channel.fromConnection(call);
  const run = (app: string, arg?: string) => channel.execute(app, arg);
  return run('answer').pipe(
    concatMap(() => run('playback', 'ivr/ivr-welcome_to_freeswitch.wav')),
    concatMap(() => run('play_and_get_digits', '1 1 3 5000 # ivr/ivr-please_choose.wav ivr/ivr-that_was_an_invalid_entry.wav choice [12]')),
    map((done) => done.event.getHeader('variable_choice')),
    concatMap((choice): Observable<IvrOutcome> => {
      // After a transfer the call runs the new extension: it is not ours to hang up (the async
      // socket stays attached to the channel until the call ends).
      if (choice === '2') return run('transfer', options.support).pipe(map(() => 'support' as const));
      const outcome: IvrOutcome = choice === '1' ? 'sales' : 'no choice';
      const last$ = choice === '1' ? run('bridge', options.sales) : run('playback', 'voicemail/vm-goodbye.wav');
      return last$.pipe(
        // Hanging up at the end is best effort: the caller may be gone already.
        concatMap(() => call.hangup().pipe(map(() => outcome), catchError(() => of(outcome)))),
        // A bridge lasts until one side hangs up: the caller hanging up during it (how a sales
        // call usually ends) or during the goodbye still took that branch.
        catchError((err: unknown) => (err instanceof EslHangupError ? of(outcome) : Promise.reject(err))),
      );
    }),
    // The caller hanging up (or the socket closing with the call) ends the flow; anything else is a bug.
    catchError((err: unknown) =>
      err instanceof EslHangupError || err instanceof EslDisconnectedError ? of('caller hung up' as const) : Promise.reject(err),
    ),
  );
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const server = await Server.listen({ host: '127.0.0.1', port: demo ? 0 : Number(process.env.IVR_PORT ?? 8084) });
  console.log(`IVR listening on 127.0.0.1:${server.port}`);
  server.connections$
    .pipe(mergeMap((call) => ivr(call).pipe(map((outcome) => `${call.channelData?.getHeader('Caller-Caller-ID-Number')}: ${outcome}`))))
    .subscribe({ next: (line) => console.log(line), error: (err: unknown) => console.error(explain(err)) });
  if (!demo) return;
  const fake = await FakeSwitch.start({ media: { playbackMs: 300 }, ringMs: 200 });
  const calls = Array.from({ length: 5 }, (_, i) =>
    fake.call({ socket: `127.0.0.1:${server.port} async full`, callerIdNumber: String(1000 + i), dtmf: ['1', '2', '9'][i % 3], hangupAfterMs: 6000 }),
  );
  await Promise.all(calls.map((c) => c.whenDestroyed));
  await server.close();
  await fake.stop();
}

runWhenMain(import.meta, main);
