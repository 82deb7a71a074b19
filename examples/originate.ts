/**
 * Calls placed with `bgapi originate`, each followed on its job stream: the reply comes at once
 * with the Job-UUID ("queued"), the BACKGROUND_JOB when the call is answered or has failed.
 * Several calls are placed at once; none waits for another.
 *
 *   npx tsx examples/originate.ts --demo                        # FakeSwitch: one answers, one is busy, one never answers
 *   npx tsx examples/originate.ts user/1000 sofia/gateway/gw/5551234   # ESL_HOST:ESL_PORT
 */
import { type Observable, firstValueFrom, from, lastValueFrom, map, mergeMap, tap } from 'rxjs';
import { Connection } from 'rxesl';
import { runWhenMain, switchFor } from './support.js';

export type OriginateStep =
  /** FreeSWITCH took the job: the call is being placed. */
  | { kind: 'queued'; dial: string; jobUuid: string }
  /** The call was answered: its uuid (`+OK <uuid>`). */
  | { kind: 'answered'; dial: string; jobUuid: string; uuid: string }
  /** It failed: the hangup cause (`-ERR USER_BUSY`). */
  | { kind: 'failed'; dial: string; jobUuid: string; cause: string };

/** One call: `bgapi originate <dial> <exten>`, as the steps of its job. */
export function originate(conn: Connection, dial: string, exten = '&park'): Observable<OriginateStep> {
  // failOnError: false, so a failed call is a step to report rather than an error that ends the stream.
  return conn.bgapi('originate', `${dial} ${exten}`, { failOnError: false }).pipe(
    map((step): OriginateStep => {
      if (step.kind === 'reply') return { kind: 'queued', dial, jobUuid: step.jobUuid ?? '' };
      const text = step.text.trim();
      return text.startsWith('+OK ')
        ? { kind: 'answered', dial, jobUuid: step.jobUuid, uuid: text.slice(4) }
        : { kind: 'failed', dial, jobUuid: step.jobUuid, cause: text.replace(/^-ERR\s*/, '') };
    }),
  );
}

/** Every call at once; the steps of all of them, as they happen. */
export function originateAll(conn: Connection, dials: readonly string[], exten = '&park'): Observable<OriginateStep> {
  return from(dials).pipe(mergeMap((dial) => originate(conn, dial, exten)));
}

function describe(s: OriginateStep): string {
  const job = s.jobUuid.slice(0, 8);
  if (s.kind === 'queued') return `job ${job}  ${s.dial}: queued`;
  if (s.kind === 'answered') return `job ${job}  ${s.dial}: answered, channel ${s.uuid}`;
  return `job ${job}  ${s.dial}: failed, ${s.cause}`;
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const { options, stop } = await switchFor(process.argv, (fake) => {
    fake.endpoint('user/1001', { answerAfterMs: 1000 });
    fake.endpoint('user/1002', { answerAfterMs: 500, failCause: 'USER_BUSY' });
    fake.endpoint('user/1003', { noAnswer: true });
  });
  const dials = demo ? ['user/1001', 'user/1002', '{originate_timeout=3}user/1003'] : process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (dials.length === 0) throw new Error('usage: originate.ts <dial string>... (or --demo)');
  const conn = await Connection.connect(options);
  try {
    await lastValueFrom(originateAll(conn, dials).pipe(tap((s) => console.log(describe(s)))));
    // The answered calls are parked: hang them up before leaving.
    if (demo) await firstValueFrom(conn.api('hupall', 'NORMAL_CLEARING'));
  } finally {
    await conn.close();
    await stop();
  }
}

runWhenMain(import.meta, main);
