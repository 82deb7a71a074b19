/**
 * An SMS (a SIP MESSAGE) sent through the Event Socket: `sendevent` of a CUSTOM
 * `SMS::SEND_MESSAGE` event. mod_sms takes that event and hands it to the chat interface
 * named by `dest_proto` (mod_sofia for `sip`), which sends a SIP MESSAGE to `to`, through the
 * `sip_profile` given. The message is the event's body.
 *
 *   npx tsx examples/sms.ts --demo                          # FakeSwitch fires the event back: shown
 *   npx tsx examples/sms.ts 1000@example.com 1001@example.com "Hello" internal   # ESL_HOST:ESL_PORT
 */
import { filter, firstValueFrom, map, take, timeout } from 'rxjs';
import { Connection, EslEvent } from 'rxesl';
import { runWhenMain, switchFor } from './support.js';

export interface Sms {
  /** The sender, `user@domain`. */
  from: string;
  /** The recipient, `user@domain` (a registered user, or a number the profile can route). */
  to: string;
  /** The text. */
  body: string;
  /** The sofia profile to send through (`internal`, `external`). */
  profile?: string;
  /** The body's MIME type. Default text/plain. */
  type?: string;
}

/** The event mod_sms and mod_sofia expect: proto, from/from_full, to, sip_profile, type, and the text as body. */
export function smsEvent(sms: Sms): EslEvent {
  const event = new EslEvent('CUSTOM', 'SMS::SEND_MESSAGE');
  event.addHeader('proto', 'sip');
  event.addHeader('dest_proto', 'sip');
  event.addHeader('from', sms.from);
  event.addHeader('from_full', `sip:${sms.from}`);
  event.addHeader('to', sms.to);
  if (sms.profile) event.addHeader('sip_profile', sms.profile);
  event.addHeader('subject', 'SMS');
  event.addHeader('type', sms.type ?? 'text/plain');
  // As FreeSWITCH's own examples of this event write them.
  event.addHeader('hint', 'rxesl');
  event.addHeader('replying', 'false');
  event.addBody(sms.body);
  return event;
}

/** Sends it; resolves with the Event-UUID FreeSWITCH gave the event (its reply is `+OK <uuid>`). */
export async function sendSms(conn: Connection, sms: Sms): Promise<string> {
  const reply = await firstValueFrom(conn.sendEvent(smsEvent(sms)));
  return reply.replyText.replace(/^\+OK\s*/, '');
}

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const [from = '1000@example.com', to = '1001@example.com', body = 'Hello from rxesl', profile = 'internal'] = process.argv
    .slice(2)
    .filter((a) => !a.startsWith('--'));
  const { options, stop } = await switchFor(process.argv);
  const conn = await Connection.connect(options);
  try {
    // On the demo switch nothing delivers it, but the switch fires the event: watch for it.
    const seen = demo
      ? firstValueFrom(
          conn.customEvents('SMS::SEND_MESSAGE').pipe(
            filter((e) => e.getHeader('hint') === 'rxesl'),
            map((e) => `fired: ${e.getHeader('from')} -> ${e.getHeader('to')} via ${e.getHeader('sip_profile')}: "${e.getBody()}"`),
            take(1),
            timeout(5000),
          ),
        )
      : undefined;
    if (demo) await firstValueFrom(conn.events('plain', ['CUSTOM', 'SMS::SEND_MESSAGE']));
    const eventUuid = await sendSms(conn, { from, to, body, profile });
    console.log(`sent ${from} -> ${to}: Event-UUID ${eventUuid}`);
    if (seen) console.log(await seen);
  } finally {
    await conn.close();
    await stop();
  }
}

runWhenMain(import.meta, main);
