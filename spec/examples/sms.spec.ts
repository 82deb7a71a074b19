import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import { sendSms, smsEvent } from '../../examples/sms';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('examples/sms.ts', () => {
  it('builds the CUSTOM SMS::SEND_MESSAGE event mod_sms reads, the text as body', () => {
    const e = smsEvent({ from: '1000@example.com', to: '1001@example.com', body: 'Zoë: 5 € ✓', profile: 'internal' });
    expect(e.name).toBe('CUSTOM');
    expect(e.subclass).toBe('SMS::SEND_MESSAGE');
    expect(Object.fromEntries(e.headers.entries())).toMatchObject({
      proto: 'sip',
      dest_proto: 'sip',
      from: '1000@example.com',
      from_full: 'sip:1000@example.com',
      to: '1001@example.com',
      sip_profile: 'internal',
      type: 'text/plain',
    });
    expect(e.getBody()).toBe('Zoë: 5 € ✓');
  });

  it('sends it with sendevent: FreeSWITCH fires it, with its Event-UUID, headers and body intact', async () => {
    const fake = await startFakeSwitch();
    const [sender, watcher] = await Promise.all([Connection.connect({ port: fake.port }), Connection.connect({ port: fake.port })]);
    closeAfterTest(sender);
    closeAfterTest(watcher);
    await firstValueFrom(watcher.events('plain', ['CUSTOM', 'SMS::SEND_MESSAGE']));
    const fired = firstValueFrom(watcher.customEvents('SMS::SEND_MESSAGE').pipe(filter((e) => e.getHeader('to') === '1001@example.com')));

    const eventUuid = await sendSms(sender, { from: '1000@example.com', to: '1001@example.com', body: 'line one\nline two: 5 €' });

    const e = await fired;
    expect(eventUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.getHeader('Event-UUID')).toBe(eventUuid);
    expect(e.getHeader('from')).toBe('1000@example.com');
    expect(e.getHeader('dest_proto')).toBe('sip');
    // A multi-line UTF-8 text travels as the body, its length counted in bytes.
    expect(e.getBody()).toBe('line one\nline two: 5 €');
    const sent = fake.received.find((c) => c.line === 'sendevent CUSTOM');
    expect(sent).toMatchObject({
      headers: [
        ['Event-Subclass', 'SMS::SEND_MESSAGE'],
        ['proto', 'sip'],
        ['dest_proto', 'sip'],
        ['from', '1000@example.com'],
        ['from_full', 'sip:1000@example.com'],
        ['to', '1001@example.com'],
        ['subject', 'SMS'],
        ['type', 'text/plain'],
        ['hint', 'rxesl'],
        ['replying', 'false'],
        // the body's length in bytes: the € takes three
        ['Content-Length', '24'],
      ],
      body: 'line one\nline two: 5 €',
    });
  });
});
