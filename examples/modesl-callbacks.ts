/**
 * modesl-style code, unchanged but for the import: callbacks, `esl::event::...` listeners and
 * `this` as the connection. rxesl/modesl runs it on rxesl's core (see docs/modesl.md).
 *
 *   npx tsx examples/modesl-callbacks.ts --demo    # against a FakeSwitch started here
 *   npx tsx examples/modesl-callbacks.ts           # against ESL_HOST:ESL_PORT
 */
import esl from 'rxesl/modesl';
import { runWhenMain, switchFor } from './support.js';

export interface Tour {
  /** The first line of `api status`. */
  status: string;
  /** The BACKGROUND_JOB body of `bgapi version`. */
  version: string;
  /** The uuid of the call placed, as its CHANNEL_ANSWER event gave it. */
  answered: string;
  /** Hangup-Cause of the same call, from its CHANNEL_HANGUP_COMPLETE. */
  hangupCause: string;
}

/**
 * The classic modesl program: connect, api, bgapi, subscribe, originate a call, see it answer,
 * hang it up, disconnect. `done` is called once, with the error or what was seen.
 */
export function tour(host: string, port: number, password: string, dial: string, done: (err: Error | null, tour?: Tour) => void): void {
  const seen: Partial<Tour> = {};
  /** The uuid of the call placed, from the originate's result. */
  let call: string | undefined;
  let finished = false;
  const finish = (err: Error | null): void => {
    if (finished) return;
    finished = true;
    conn.disconnect();
    done(err, err ? undefined : (seen as Tour));
  };

  const conn = new esl.Connection(host, port, password, function () {
    // `this` is the connection, as in modesl.
    this.api('status', (res) => {
      seen.status = res.getBody().split('\n')[0]!;

      this.bgapi('version', (job) => {
        seen.version = job.getBody().trim();

        this.subscribe(['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE'], () => {
          // bgapi: the call is placed in the background; the job's result is `+OK <uuid>` once
          // it is answered (or `-ERR <cause>`), and the events say what happens to it.
          this.bgapi('originate', `${dial} &park`, (result) => {
            const body = result.getBody().trim();
            if (!body.startsWith('+OK ')) return finish(new Error(`originate: ${body}`));
            call = body.slice(4);
            this.api('uuid_kill', [call, 'USER_BUSY'], () => undefined);
          });
        });
      });
    });
  });

  // EventEmitter2 wildcards, as in modesl: esl::event::<Event-Name>::<Unique-ID>.
  conn.on('esl::event::CHANNEL_ANSWER::*', (event) => {
    seen.answered = event.getHeader('Unique-ID') ?? '';
  });
  conn.on('esl::event::CHANNEL_HANGUP_COMPLETE::*', (event) => {
    if (call === undefined || event.getHeader('Unique-ID') !== call) return;
    seen.hangupCause = event.getHeader('Hangup-Cause') ?? '';
    finish(null);
  });
  conn.on('error', (err: Error) => finish(err));
  conn.on('esl::end', () => finish(new Error('the connection ended')));
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const { options, stop } = await switchFor(process.argv, (fake) => fake.endpoint('user/1000', { answerAfterMs: 700 }));
  const dial = demo ? 'user/1000' : (process.env.TOUR_DIAL ?? 'user/1000');
  await new Promise<void>((resolve, reject) =>
    tour(options.host, options.port, options.password, dial, (err, t) => {
      if (err) return reject(err);
      console.log(`status:   ${t!.status}`);
      console.log(`version:  ${t!.version}`);
      console.log(`answered: ${t!.answered}, then hung up: ${t!.hangupCause}`);
      resolve();
    }),
  );
  await stop();
}

runWhenMain(import.meta, main);
