/**
 * The state of a switch in one look: its version, uptime and sessions (`status`), and the
 * channels and calls up now. Four api commands sent at once on one connection: rxesl
 * pipelines them and matches each reply to its command.
 *
 *   npx tsx examples/status.ts --demo    # against a FakeSwitch started here, with a few calls
 *   npx tsx examples/status.ts           # against ESL_HOST:ESL_PORT (`npm start`'s demo, or FreeSWITCH)
 */
import { firstValueFrom, forkJoin, map } from 'rxjs';
import { Connection } from 'rxesl';
import { runWhenMain, switchFor } from './support.js';

export interface SwitchStatus {
  /** `FreeSWITCH Version 1.10.12-release...`. */
  version: string;
  /** `UP 0 years, 0 days, 2 hours, ...` */
  uptime: string;
  /** Sessions since startup, and the peak. */
  sessionsSinceStartup: number;
  peakSessions: number;
  /** Channels up now (`show channels count`) and calls (`show calls count`: bridged legs count once). */
  channels: number;
  calls: number;
}

/** `\n3 total.\n` -> 3. */
function total(body: string): number {
  return Number(/(\d+) total\./.exec(body)?.[1] ?? NaN);
}

/** Asks the switch; the four commands go out together and the replies come back in order. */
export function switchStatus(conn: Connection): Promise<SwitchStatus> {
  return firstValueFrom(
    forkJoin({
      version: conn.api('version'),
      status: conn.api('status'),
      channels: conn.api('show', 'channels count'),
      calls: conn.api('show', 'calls count'),
    }).pipe(
      map(({ version, status, channels, calls }) => {
        // status: "UP ...\n...\nN session(s) since startup\nN session(s) - peak P, last 5min ...\n"
        const lines = status.text.split('\n');
        return {
          version: version.text,
          uptime: lines[0] ?? '',
          sessionsSinceStartup: Number(/(\d+) session\(s\) since startup/.exec(status.body)?.[1] ?? NaN),
          peakSessions: Number(/peak (\d+)/.exec(status.body)?.[1] ?? NaN),
          channels: total(channels.body),
          calls: total(calls.body),
        };
      }),
    ),
  );
}

export function formatStatus(s: SwitchStatus): string {
  return [
    s.version,
    s.uptime,
    `${s.channels} channel(s), ${s.calls} call(s) up now; ${s.sessionsSinceStartup} session(s) since startup, peak ${s.peakSessions}`,
  ].join('\n');
}

async function main(): Promise<void> {
  // With --demo: a FakeSwitch with three parked callers, so that there is something to count.
  const { options, stop } = await switchFor(process.argv, async (fake) => {
    for (const cid of ['1001', '1002', '1003']) fake.call({ destination: 'park', callerIdNumber: cid });
    // `show channels` reads FreeSWITCH's core database, written about 200 ms after a channel
    // is created (FakeSwitch does the same): let the three callers be listed before counting.
    await new Promise((resolve) => setTimeout(resolve, 250));
  });
  const conn = await Connection.connect(options);
  try {
    console.log(formatStatus(await switchStatus(conn)));
  } finally {
    await conn.close();
    await stop();
  }
}

runWhenMain(import.meta, main);
