/**
 * A fax: a long-running application and its completion. `execute txfax` returns at once
 * (sendmsg's +OK); the result comes minutes later in the CHANNEL_EXECUTE_COMPLETE whose
 * Application-UUID is this execute's, carrying the fax_* variables spandsp set. rxesl matches
 * that event for you. A call dropped during the fax still completes the application, with
 * fax_success 0 (code 49); a channel that is already gone fails the execute (EslCommandError).
 *
 *   npx tsx examples/fax.ts --demo                          # FakeSwitch simulates the fax (3 s, 2 pages)
 *   FAX_DIAL=user/1000 npx tsx examples/fax.ts /tmp/fax.tif   # ESL_HOST:ESL_PORT: calls FAX_DIAL and sends the file
 */
import { type Observable, filter, firstValueFrom, last, map } from 'rxjs';
import { type ApplicationResult, Connection } from 'rxesl';
import { runWhenMain, switchFor } from './support.js';

export interface FaxResult {
  /** fax_success: 1 when the document went through. */
  success: boolean;
  /** fax_result_code (0: OK) and fax_result_text. */
  code: number;
  text: string;
  /** fax_document_transferred_pages. */
  pages: number;
  /** fax_remote_station_id. */
  remoteStation: string | undefined;
}

function faxResult(done: ApplicationResult): FaxResult {
  const v = (name: string): string | undefined => done.event.getHeader(`variable_${name}`);
  return {
    success: v('fax_success') === '1',
    code: Number(v('fax_result_code') ?? NaN),
    text: v('fax_result_text') ?? '',
    pages: Number(v('fax_document_transferred_pages') ?? 0),
    remoteStation: v('fax_remote_station_id'),
  };
}

/**
 * Runs txfax (send) or rxfax (receive) on a channel and emits the result when the application
 * completes. The channel must be answered (FreeSWITCH's fax applications need media).
 *
 * Connection#execute, not Channel#execute: a Channel action fails at the channel's first
 * hangup event (CHANNEL_HANGUP, on a connection subscribed to it), and a dropped fax's result
 * comes after that, in the completion.
 */
export function fax(conn: Connection, uuid: string, direction: 'send' | 'receive', file: string): Observable<FaxResult> {
  return conn.execute(direction === 'send' ? 'txfax' : 'rxfax', file, { uuid }).pipe(
    filter((step): step is ApplicationResult => step.kind === 'complete'),
    last(),
    map(faxResult),
  );
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const file = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '/tmp/fax.tif';
  // The demo's far end answers after half a second; the fax takes 3 s and sends 2 pages.
  const { options, stop } = await switchFor(process.argv, (fake) => fake.endpoint('user/fax', { answerAfterMs: 500 }), {
    media: { faxMs: 3000, faxPages: 2 },
  });
  const conn = await Connection.connect(options);
  try {
    // Place the call and wait for the answer (api originate returns then), then send the fax on it.
    const dial = demo ? 'user/fax' : (process.env.FAX_DIAL ?? 'user/1000');
    const answered = await firstValueFrom(conn.api('originate', `${dial} &park`));
    const uuid = answered.text.replace(/^\+OK\s*/, '');
    console.log(`call ${uuid} answered; sending ${file} ...`);
    const result = await firstValueFrom(fax(conn, uuid, 'send', file));
    console.log(result.success ? `sent ${result.pages} page(s) to ${result.remoteStation ?? 'the far end'}` : `failed: ${result.code} ${result.text}`);
    await firstValueFrom(conn.api('uuid_kill', uuid)).catch(() => undefined);
  } finally {
    await conn.close();
    await stop();
  }
}

runWhenMain(import.meta, main);
