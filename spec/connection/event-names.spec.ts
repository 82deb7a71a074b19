/**
 * Event names, typed and checked. The types refuse a name FreeSWITCH does not know
 * (`eventsNamed('CHANNEL_ANSWR')` does not compile; `npm run typecheck` checks the
 * @ts-expect-error lines below); `eventName()` declares one they do not know. At run time,
 * events() and nixevent() refuse what FreeSWITCH would pass over without a word: its `event`
 * command skips a name switch_name_event does not know, reads every token after CUSTOM as a
 * subclass, and replies +OK all the same when one name counted (mod_event_socket.c,
 * parse_command), so a typo meant an event that never came, and nothing said why.
 */
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection, EslArgumentError, Server, eventName, ofEvent } from 'rxesl';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('eventName()', () => {
  it('a known name in any case comes back as FreeSWITCH writes it; another is kept as given', () => {
    expect(eventName('channel_answer')).toBe('CHANNEL_ANSWER');
    expect(eventName('CHANNEL_ANSWER')).toBe('CHANNEL_ANSWER');
    expect(eventName('NEWER_THAN_1_10_12')).toBe('NEWER_THAN_1_10_12');
    expect(eventName('mysubclass')).toBe('mysubclass');
  });

  it('what cannot be one name on the wire throws EslArgumentError', () => {
    for (const bad of ['', 'CHANNEL_ANSWER CHANNEL_HANGUP', 'CHANNEL_ANSWER\napi status', 'a\tb']) {
      expect(() => eventName(bad), JSON.stringify(bad)).toThrow(EslArgumentError);
    }
  });
});

describe('the types', () => {
  it('refuse a misspelt name, and take a known one, a subclass with :: after CUSTOM, or a declared one', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    // Each line is a type error; the calls that would send are not made.
    const misspelt = (): void => {
      // @ts-expect-error CHANNEL_ANSWR is no event name
      conn.eventsNamed('CHANNEL_ANSWR');
      // @ts-expect-error neither in an operator
      ofEvent('CHANNEL_ANSWR');
      // @ts-expect-error nor in events()
      conn.events('plain', ['CHANNEL_ANSWR']);
      // @ts-expect-error nor as the one name
      conn.events('plain', 'CHANNEL_ANSWR');
      // @ts-expect-error nor in nixevent()
      conn.nixevent(['CHANNEL_ANSWR']);
      // @ts-expect-error a subclass without :: must be declared
      conn.events('plain', ['CUSTOM', 'mysubclass']);
    };
    expect(misspelt).toBeInstanceOf(Function);
    conn.eventsNamed('CHANNEL_ANSWER', eventName('NEWER_THAN_1_10_12')).subscribe();
    await firstValueFrom(conn.events('plain', ['CHANNEL_ANSWER', 'CUSTOM', 'sofia::register', eventName('mysubclass')]));
    expect(conn.subscription.toTokens()).toEqual(['CHANNEL_ANSWER', 'CUSTOM', 'sofia::register', 'mysubclass']);
  });
});

describe('events() and nixevent() refuse what FreeSWITCH would pass over', () => {
  it('a name FreeSWITCH does not know: EslArgumentError before anything is written', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const before = fake.received.length;
    const names = ['CHANNEL_ANSWER', 'CHANNEL_ANSWR'] as Parameters<Connection['events']>[1];
    expect(() => conn.events('plain', names)).toThrow(
      new EslArgumentError(
        'names',
        ['CHANNEL_ANSWR'],
        'FreeSWITCH would ignore "CHANNEL_ANSWR": not an event name it knows (a CUSTOM subclass goes after CUSTOM; a name newer than FreeSWITCH 1.10.12 needs { strict: false })',
      ),
    );
    // A subclass before CUSTOM is an unknown name too; and nixevent is checked the same way.
    expect(() => conn.events('plain', ['sofia::register'])).toThrow(/FreeSWITCH would ignore "sofia::register"/);
    expect(() => conn.nixevent(eventName('NEWER_THAN_1_10_12'))).toThrow(/FreeSWITCH would ignore "NEWER_THAN_1_10_12"/);
    expect(fake.received.length).toBe(before);
  });

  it('an event name after CUSTOM, where FreeSWITCH reads it as a subclass: EslArgumentError', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    expect(() => conn.events('plain', ['CUSTOM', 'sofia::register', 'CHANNEL_HANGUP'])).toThrow(
      new EslArgumentError('names', ['CHANNEL_HANGUP'], '"CHANNEL_HANGUP" after CUSTOM would be read as a subclass, not as an event name: put event names before CUSTOM'),
    );
  });

  it('{ strict: false } sends the names as given: FreeSWITCH skips what it does not know and says +OK', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const reply = await firstValueFrom(conn.events('plain', ['CHANNEL_ANSWER', eventName('NEWER_THAN_1_10_12')], { strict: false }));
    expect(reply.replyText).toBe('+OK event listener enabled plain');
    expect(fake.received.at(-1)?.line).toBe('event plain CHANNEL_ANSWER NEWER_THAN_1_10_12');
    expect(conn.subscription.toTokens()).toEqual(['CHANNEL_ANSWER']);
  });

  it("a Server's events option is checked the same way: a misspelt one fails the call's handshake, on errors$", async () => {
    const fake = await startFakeSwitch();
    const server = closeAfterTest(await Server.listen({ port: 0, events: [eventName('CHANNEL_CALLSTAT')] }));
    const failed = firstValueFrom(server.errors$);
    server.connections$.subscribe();
    fake.call({ socket: `127.0.0.1:${server.port} async full` });
    expect(await failed).toBeInstanceOf(EslArgumentError);
  });
});
