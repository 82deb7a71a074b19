/**
 * The inbound side: greeting, auth and userauth, every command's reply text, subscriptions,
 * filters, formats, logs and sendevent, on the wire.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Commands, EslEvent } from 'rxesl';
import { DISCONNECT_GOODBYE } from '../../lib/protocol/content-type';
import { type FakeSwitch, ManualClock, ServerFrames } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';
import { RawClient } from './helpers/raw-client';

let fake: FakeSwitch;
let clock: ManualClock;

async function client(password = 'ClueCon'): Promise<RawClient> {
  return closeAfterTest(await RawClient.authed(fake.port, password));
}

async function raw(): Promise<RawClient> {
  return closeAfterTest(await RawClient.connect(fake.port));
}

/** A connection that sent `userauth <credentials>`, and its reply's headers after Content-Type. */
async function userauth(credentials: string): Promise<{ c: RawClient; headers: Array<[string, string]> }> {
  const c = await raw();
  await c.next();
  c.write(`userauth ${credentials}\n\n`);
  const r = await c.next();
  return { c, headers: [...r.headers].slice(1) };
}

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  fake = await startFakeSwitch({
    password: 'ClueCon',
    clock,
    heartbeatIntervalMs: 0,
    users: {
      'esltest@127.0.0.1': { password: 'EslSecret', allowedApi: 'status,version,eval', allowedEvents: 'HEARTBEAT,BACKGROUND_JOB,CUSTOM', allowedLog: false },
      'admin@example.com': { password: 'pw' },
      'all@127.0.0.1': { password: 'pw', allowedApi: 'all', allowedEvents: 'all' },
    },
  });
});

describe('greeting and authentication', () => {
  it('greets with exactly auth/request and accepts the password', async () => {
    const c = await raw();
    const hello = await c.next();
    expect(hello.toBytes().equals(ServerFrames.authRequest())).toBe(true);
    c.write(Commands.auth('ClueCon'));
    expect((await c.next()).toBytes().toString()).toBe('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
  });

  it('refuses a wrong password: -ERR invalid, the disconnect notice, then close', async () => {
    const c = await raw();
    await c.next();
    c.write('auth WrongPassword\n\n');
    expect((await c.next()).headers.get('Reply-Text')).toBe('-ERR invalid');
    const notice = await c.next();
    expect(notice.contentType).toBe('text/disconnect-notice');
    expect(notice.bodyText).toBe(DISCONNECT_GOODBYE);
    await c.whenClosed();
    expect(c.frames).toHaveLength(3);
  });

  it('compares the password byte for byte (a trailing space counts)', async () => {
    const c = await raw();
    await c.next();
    c.write('auth ClueCon \n\n');
    expect((await c.next()).headers.get('Reply-Text')).toBe('-ERR invalid');
  });

  it('accepts auth with a body, as FreeSWITCH\'s own unit test sends it', async () => {
    const c = await raw();
    await c.next();
    c.write('auth ClueCon\nContent-Length: 5\n\n12345');
    expect((await c.next()).headers.get('Reply-Text')).toBe('+OK accepted');
  });

  it('answers any other command before auth with -ERR command not found and stays open', async () => {
    const c = await raw();
    await c.next();
    expect(await c.text('api status')).toBe('-ERR command not found');
    expect(await c.text('event plain ALL')).toBe('-ERR command not found');
    expect(await c.text('auth ClueCon')).toBe('+OK accepted');
    expect(await c.text('api echo hi')).toBe('hi');
  });

  it('says +OK bye to exit before auth, then the notice and close', async () => {
    const c = await raw();
    await c.next();
    expect(await c.text('exit')).toBe('+OK bye');
    expect((await c.next()).contentType).toBe('text/disconnect-notice');
    await c.whenClosed();
  });

  it('userauth: the multi-header reply with the directory user\'s permissions', async () => {
    const c = await raw();
    await c.next();
    c.write('userauth esltest@127.0.0.1:EslSecret\n\n');
    const r = await c.next();
    expect(r.toBytes().toString()).toBe(
      'Content-Type: command/reply\nReply-Text: +OK accepted\nAllowed-Events: HEARTBEAT,BACKGROUND_JOB,CUSTOM\nAllowed-API: status,version,eval\nAllowed-LOG: false\n\n',
    );
    expect(await c.text('api status')).toMatch(/^UP 0 years/);
    const denied = await c.send('api show channels');
    expect(denied.contentType).toBe('command/reply');
    expect(denied.headers.get('Reply-Text')).toBe('-ERR permission denied');
    expect(await c.text('api eval status')).toBe('status');
    expect(await c.text('api eval show')).toBe('-ERR permission denied');
    expect(await c.text('bgapi eval show')).toBe('-ERR permission denied');
    expect(await c.text('event plain BACKGROUND_JOB')).toBe('+OK event listener enabled plain');
    expect(await c.text('event plain CHANNEL_CREATE')).toBe('-ERR permission denied');
    expect(await c.text('event plain ALL')).toBe('-ERR permission denied');
    expect(await c.text('log 7')).toBe('-ERR permission denied');
  });

  it('userauth: CUSTOM subclasses outside esl-allowed-events are refused, what came before the refused name stays', async () => {
    const strict = await startFakeSwitch({
      clock,
      heartbeatIntervalMs: 0,
      users: { 'sub@127.0.0.1': { password: 'pw', allowedEvents: 'CHANNEL_ANSWER CUSTOM allowed::one' } },
    });
    const c = closeAfterTest(await RawClient.connect(strict.port));
    await c.next();
    expect(await c.text('userauth sub@127.0.0.1:pw')).toBe('+OK accepted');
    expect(await c.text('event json CUSTOM allowed::one other::two')).toBe('-ERR permission denied');
    // The format changed, and CUSTOM allowed::one was taken before the refusal.
    expect(strict.connections[0]!.format).toBe('json');
    expect(await c.text('event CHANNEL_HANGUP')).toBe('-ERR permission denied');
    expect(await c.text('event CHANNEL_ANSWER')).toBe('+OK event listener enabled json');
    strict.fire({ name: 'CUSTOM', subclass: 'other::two' });
    strict.fire({ name: 'CUSTOM', subclass: 'allowed::one' });
    const e = await c.event();
    expect(e.subclass).toBe('allowed::one');
  });

  it('userauth with esl-allowed-api=all and esl-allowed-events=all: `all` is one more api name, but every event type', async () => {
    // mod_event_socket: esl-allowed-api fills a table of command names, each checked as it is
    // (auth_api_command), so `all` allows a command named "all" and nothing else; observed on
    // FreeSWITCH 1.10.12 as -ERR permission denied for every api and bgapi. esl-allowed-events
    // takes ALL as every event type (LFLAG_ALL_EVENTS_AUTHED); CUSTOM subclasses are still
    // checked against the ones listed after CUSTOM, none here.
    const { c, headers } = await userauth('all@127.0.0.1:pw');
    expect(headers).toEqual([
      ['Reply-Text', '+OK accepted'],
      ['Allowed-Events', 'all'],
      ['Allowed-API', 'all'],
      ['Allowed-LOG', 'true'],
    ]);
    for (const command of ['api status', 'api version', 'bgapi status', 'api eval status']) {
      const denied = await c.send(command);
      expect([denied.contentType, denied.headers.get('Reply-Text')]).toEqual(['command/reply', '-ERR permission denied']);
    }
    expect(await c.text('api all')).toBe('-ERR all Command not found!\n');
    expect(await c.text('event plain CUSTOM my::sub')).toBe('-ERR permission denied');
    expect(await c.text('event plain ALL')).toBe('+OK event listener enabled plain');
    fake.fire({ name: 'CUSTOM', subclass: 'my::sub' });
    fake.fire({ name: 'HEARTBEAT' });
    expect((await c.event()).subclass).toBe('my::sub');
    expect((await c.event()).name).toBe('HEARTBEAT');
  });

  it('userauth without esl-allowed-* params allows everything (and <user>:<password>@<domain> parses too)', async () => {
    const { headers } = await userauth('admin:pw@example.com');
    expect(headers).toEqual([
      ['Reply-Text', '+OK accepted'],
      ['Allowed-Events', 'all'],
      ['Allowed-API', 'all'],
      ['Allowed-LOG', 'true'],
    ]);
  });

  it('userauth with a wrong password or an unknown user: -ERR invalid and close', async () => {
    for (const line of ['userauth esltest@127.0.0.1:wrong', 'userauth nobody@127.0.0.1:x', 'userauth justaname']) {
      const c = await raw();
      await c.next();
      expect(await c.text(line)).toBe('-ERR invalid');
      await c.whenClosed();
    }
  });

  it('an ACL refusal sends text/rude-rejection then the disconnect notice, and closes', async () => {
    const strict = await startFakeSwitch({ acl: () => false, clock, heartbeatIntervalMs: 0 });
    const c = await RawClient.connect(strict.port);
    await c.whenClosed();
    expect(Buffer.concat(c.chunks).toString()).toBe(
      'Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n' +
        'Content-Type: text/disconnect-notice\nContent-Length: 67\n\n' +
        DISCONNECT_GOODBYE,
    );
  });

  it('a client that ends its side of the socket still gets the disconnect notice, after the replies to what it sent', async () => {
    // listener_run: read_packet meets the end of the stream, the loop ends, and the listener
    // writes "Disconnected, goodbye." before closing; commands read before the end run first.
    const c = await client();
    c.write('api echo first\n\napi echo second\n\n');
    c.end();
    await c.whenClosed();
    expect(c.frames.map((f) => f.contentType)).toEqual(['auth/request', 'command/reply', 'api/response', 'api/response', 'text/disconnect-notice']);
    expect(c.frames.slice(2, 4).map((f) => f.bodyText)).toEqual(['first', 'second']);
    expect(c.frames[4]!.bodyText).toBe(DISCONNECT_GOODBYE);
  });

  it('closes a connection that sends nothing for 25 s (clock time), with the notice', async () => {
    const c = await raw();
    await c.next();
    clock.advance(24_999);
    await new Promise((r) => setImmediate(r));
    expect(c.closed).toBe(false);
    clock.advance(1);
    expect((await c.next()).contentType).toBe('text/disconnect-notice');
    await c.whenClosed();
  });
});

describe('reply texts (FINDINGS §8)', () => {
  it('answers every command with FreeSWITCH\'s exact text, misspellings included', async () => {
    const c = await client();
    const table: Array<[string, string]> = [
      ['linger', '-ERR not controlling a session'],
      ['nolinger', '-ERR not controlling a session'],
      ['divert_events on', '-ERR not controlling a session.'],
      ['getvar channel_name', '-ERR command not found'],
      ['resume', '-ERR command not found'],
      ['connect', '-ERR command not found'],
      ['nosuchcommand', '-ERR command not found'],
      ['api', '-ERR command not found'],
      ['event plain', '-ERR no keywords supplied'],
      ['event plain CHANNEL_CREATE CHANNEL_ANSWER', '+OK event listener enabled plain'],
      ['events json CHANNEL_PARK', '+OK event listener enabled json'],
      ['event xml', '-ERR no keywords supplied'],
      ['event plain BOGUS_NAME', '-ERR no keywords supplied'],
      ['event plain all', '+OK event listener enabled plain'],
      ['filter Event-Name CHANNEL_CREATE', '+OK filter added. [Event-Name]=[CHANNEL_CREATE]'],
      ['filter add Event-Name BACKGROUND_JOB', '+OK filter added. [Event-Name]=[BACKGROUND_JOB]'],
      ['filter Event-Name', '-ERR invalid syntax'],
      ['filter Unique-ID has a space in it', '+OK filter added. [Unique-ID]=[has a space in it]'],
      ['filter delete Event-Name CHANNEL_CREATE', '+OK filter deleted. [Event-Name][CHANNEL_CREATE]'],
      ['filter delete Unique-ID', '+OK filter deleted. [Unique-ID][]'],
      ['filter delete', '-ERR invalid syntax'],
      ['filter delete all', '+OK filter deleted. [all][]'],
      ['nixevent CHANNEL_ANSWER', '+OK events nixed'],
      ['nixevent', '-ERR no keywords supplied'],
      ['noevents', '+OK no longer listening for events'],
      ['noevents', '-ERR not listening for events'],
      ['myevents 00000000-0000-0000-0000-000000000000 plain', '-ERR invalid uuid'],
      ['log 7', '+OK log level 7 [7]'],
      ['log', '+OK log level  [7]'],
      ['log bogus', '-ERR invalid log level'],
      ['log error', '-ERR invalid log level'],
      ['log info', '+OK log level info [6]'],
      ['log WARNING', '+OK log level WARNING [4]'],
      ['nolog', '+OK no longer logging'],
      ['nolog', '-ERR not loging'],
      ['sendmsg', '-ERR invalid session id []'],
      ['sendmsg 00000000-0000-0000-0000-000000000000', '-ERR invalid session id [00000000-0000-0000-0000-000000000000]'],
      ['bgapi status', '+OK Job-UUID: '],
    ];
    for (const [cmd, expected] of table) {
      const got = await c.text(cmd);
      if (expected.endsWith(': ')) expect(got.startsWith(expected), cmd).toBe(true);
      else expect(got, cmd).toBe(expected);
    }
  });

  it('sendevent answers +OK <Event-UUID>', async () => {
    const c = await client();
    expect(await c.text('sendevent CUSTOM\nEvent-Subclass: a::b\n\n')).toMatch(/^\+OK [0-9a-f-]{36}$/);
  });

  it('matches commands by prefix and ignores case, as strncasecmp does', async () => {
    const c = await client();
    expect(await c.text('EVENT PLAIN HEARTBEAT')).toBe('+OK event listener enabled plain');
    expect(await c.text('Api echo x')).toBe('x');
    expect(await c.text('exitnow')).toBe('+OK bye');
  });

  it('a command naming unload and mod_event_socket becomes a harmless bgapi', async () => {
    const c = await client();
    const r = await c.send('api unload mod_event_socket');
    expect(r.contentType).toBe('api/response');
    expect(r.bodyText).toMatch(/^\+OK Job-UUID: /);
  });
});

describe('event subscriptions, formats and filters', () => {
  it('event is additive; nixevent removes; noevents stops and drops what is queued', async () => {
    const c = await client();
    await c.text('event plain CUSTOM one::a');
    await c.text('event plain CUSTOM two::b');
    fake.fire({ name: 'CUSTOM', subclass: 'one::a' });
    fake.fire({ name: 'CUSTOM', subclass: 'three::c' });
    fake.fire({ name: 'CUSTOM', subclass: 'two::b' });
    expect((await c.event()).subclass).toBe('one::a');
    expect((await c.event()).subclass).toBe('two::b');
    await c.text('nixevent CUSTOM one::a');
    fake.fire({ name: 'CUSTOM', subclass: 'one::a' });
    fake.fire({ name: 'CUSTOM', subclass: 'two::b' });
    expect((await c.event()).subclass).toBe('two::b');
    await c.text('noevents');
    fake.fire({ name: 'CUSTOM', subclass: 'two::b' });
    expect(await c.text('api echo done')).toBe('done');
    expect(c.unread).toHaveLength(0);
  });

  it('ALL takes every event and every CUSTOM subclass; nixevent expands ALL first', async () => {
    const c = await client();
    await c.text('event plain ALL');
    fake.fire({ name: 'CUSTOM', subclass: 'any::thing' });
    fake.fire({ name: 'HEARTBEAT' });
    expect((await c.event()).subclass).toBe('any::thing');
    expect((await c.event()).name).toBe('HEARTBEAT');
    await c.text('nixevent HEARTBEAT');
    fake.fire({ name: 'HEARTBEAT' });
    fake.fire({ name: 'RE_SCHEDULE' });
    expect((await c.event()).name).toBe('RE_SCHEDULE');
  });

  it('`event plain CUSTOM` alone delivers only CUSTOM events without a subclass', async () => {
    const c = await client();
    await c.text('event plain CUSTOM');
    fake.fire({ name: 'CUSTOM', subclass: 'some::thing' });
    fake.fire({ name: 'CUSTOM', headers: { X: '1' } });
    const e = await c.event();
    expect(e.subclass).toBeUndefined();
    expect(e.getHeader('X')).toBe('1');
  });

  it('writes events exactly as the protocol layer serializes them, in plain, json and xml', async () => {
    for (const format of ['plain', 'json', 'xml'] as const) {
      const c = await client();
      await c.text(`event ${format} CUSTOM t::x`);
      fake.fire({ name: 'CUSTOM', subclass: 't::x', headers: { 'X-Value': 'héllo 100% a+b <x>' }, body: 'caf\u00e9 <ok>\n' });
      const f = await c.next();
      expect(f.contentType).toBe(`text/event-${format}`);
      const e = EslEvent.fromFrame(f);
      // Content-Length first, then Content-Type, and a payload the protocol layer writes byte for byte.
      expect([...f.headers.keys()]).toEqual(['Content-Length', 'Content-Type']);
      expect(f.body.equals(e.toBytes(format))).toBe(true);
      expect(e.getHeader('X-Value')).toBe('héllo 100% a+b <x>');
      expect(e.getBody()).toBe('café <ok>\n');
      expect(e.headers.keys().slice(0, 13)).toEqual([
        'Event-Name',
        'Core-UUID',
        'FreeSWITCH-Hostname',
        'FreeSWITCH-Switchname',
        'FreeSWITCH-IPv4',
        'FreeSWITCH-IPv6',
        'Event-Date-Local',
        'Event-Date-GMT',
        'Event-Date-Timestamp',
        'Event-Calling-File',
        'Event-Calling-Function',
        'Event-Calling-Line-Number',
        'Event-Sequence',
      ]);
      expect(e.getHeader('Event-Date-GMT')).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
      expect(e.getHeader('Event-Date-Timestamp')).toBe(String(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000));
    }
  });

  it('holds events back while a command runs, then writes them after its reply, in the format then in force', async () => {
    const c = await client();
    await c.text('event plain CUSTOM f::x');
    c.write('api msleep 100\n\n');
    await fake.nextCommand('api msleep');
    fake.fire({ name: 'CUSTOM', subclass: 'f::x' });
    c.write('event json CUSTOM f::x\n\n');
    await new Promise((r) => setImmediate(r));
    expect(c.unread).toHaveLength(0);
    clock.advance(100);
    expect((await c.next()).contentType).toBe('api/response');
    expect((await c.next()).contentType).toBe('text/event-plain');
    expect((await c.next()).headers.get('Reply-Text')).toBe('+OK event listener enabled json');
    fake.fire({ name: 'CUSTOM', subclass: 'f::x' });
    expect((await c.next()).contentType).toBe('text/event-json');
  });

  it('filters: positive ones are OR-ed, a negative one vetoes, only-negative filters pass nothing', async () => {
    const c = await client();
    await c.text('event plain CUSTOM f::x');
    const send = (v: string): void => fake.fire({ name: 'CUSTOM', subclass: 'f::x', headers: { V: v, W: 'w' } });
    await c.text('filter V one');
    await c.text('filter V two');
    send('one');
    send('three');
    send('TWO');
    expect((await c.event()).getHeader('V')).toBe('one');
    expect((await c.event()).getHeader('V')).toBe('TWO');
    await c.text('filter W -w');
    send('one');
    await c.text('filter delete W');
    send('two');
    expect((await c.event()).getHeader('V')).toBe('two');
    await c.text('filter delete all');
    await c.text('filter V -one');
    send('two');
    send('one');
    await c.text('filter delete all');
    send('last');
    expect((await c.event()).getHeader('V')).toBe('last');
  });

  it('filters: /regex/ values, and a header the event lacks is skipped', async () => {
    const c = await client();
    await c.text('event plain CUSTOM f::x');
    await c.text('filter Missing-Header anything');
    await c.text('filter V /^ab+c$/');
    fake.fire({ name: 'CUSTOM', subclass: 'f::x', headers: { V: 'abbbc' } });
    fake.fire({ name: 'CUSTOM', subclass: 'f::x', headers: { V: 'xabc' } });
    fake.fire({ name: 'CUSTOM', subclass: 'f::x', headers: { V: 'abc' } });
    expect((await c.event()).getHeader('V')).toBe('abbbc');
    expect((await c.event()).getHeader('V')).toBe('abc');
  });

  it('logs: log/data frames at or below the level, Content-Length second', async () => {
    const c = await client();
    await c.text('log info');
    fake.log(7, 'too chatty');
    fake.log(6, 'an info line', { file: 'mod_test.c', func: 'test_fn', line: 42, uuid: 'abc' });
    fake.log(1, 'alert!', { channel: 1 });
    const f = await c.next();
    expect([...f.headers.keys()]).toEqual(['Content-Type', 'Content-Length', 'Log-Level', 'Text-Channel', 'Log-File', 'Log-Func', 'Log-Line', 'User-Data']);
    expect(f.headers.get('Log-Level')).toBe('6');
    expect(f.headers.get('Text-Channel')).toBe('3');
    expect(f.headers.get('User-Data')).toBe('abc');
    expect(f.bodyText).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \d+\.\d\d% \[INFO\] mod_test\.c:42 an info line\n$/);
    const clean = await c.next();
    expect(clean.bodyText).toBe('alert!\n');
    expect(clean.headers.get('User-Data')).toBe('');
    expect(await c.text('nolog')).toBe('+OK no longer logging');
  });
});

describe('sendevent', () => {
  it('re-emits the event with the client\'s headers, Event-Subclass first, its own Content-Length kept', async () => {
    const c = await client();
    await c.text('event plain CUSTOM sms::message');
    const ev = new EslEvent('CUSTOM', 'sms::message');
    ev.addHeader('from', '1000@example.com');
    ev.addHeader('to', '1001@example.com');
    ev.addBody('hello, world');
    const reply = await c.text(Commands.sendevent(ev));
    const got = await c.event();
    expect(got.headers.keys().slice(0, 6)).toEqual(['Event-Subclass', 'Command', 'from', 'to', 'Content-Length', 'Event-UUID']);
    expect(reply).toBe(`+OK ${got.getHeader('Event-UUID')}`);
    expect(got.getHeader('Command')).toBe('sendevent CUSTOM');
    expect(got.getBody()).toBe('hello, world');
    expect(got.name).toBe('CUSTOM');
    expect(got.getHeader('Event-Calling-Function')).toBe('parse_command');
  });

  it('an unknown event name stays CLONE; MESSAGE is delivered to MESSAGE subscribers', async () => {
    const c = await client();
    await c.text('event plain CLONE MESSAGE');
    await c.text('sendevent NOT_AN_EVENT\nX: 1\n\n');
    expect((await c.event()).getHeader('Event-Name')).toBe('CLONE');
    await c.text('sendevent MESSAGE\nproto: sip\n\n');
    expect((await c.event()).name).toBe('MESSAGE');
  });
});

describe('robustness on bad input', () => {
  it('drops a client that sends a negative or huge Content-Length, with the notice', async () => {
    for (const length of ['-1', String(16 * 1024 * 1024 + 1)]) {
      const c = await client();
      c.write(`api echo x\nContent-Length: ${length}\n\n`);
      expect((await c.next()).contentType).toBe('text/disconnect-notice');
      await c.whenClosed();
    }
    // The switch goes on serving others.
    const ok = await client();
    expect(await ok.text('api echo still here')).toBe('still here');
  });

  it('survives garbage, binary bytes and clients that vanish mid-command', async () => {
    const c1 = await client();
    c1.write(Buffer.from([0, 1, 2, 255, 254, 10, 10]));
    expect((await c1.reply()).headers.get('Reply-Text')).toBe('-ERR command not found');
    expect(await c1.text('api echo after garbage')).toBe('after garbage');
    const c2 = await client();
    c2.write('api echo half a comm');
    c2.close();
    const c3 = await client();
    c3.write('sendevent CUSTOM\nContent-Length: 100\n\nonly part');
    c3.close();
    const c4 = await client();
    expect(await c4.text('api echo fine')).toBe('fine');
    expect(fake.errors).toEqual([]);
  });

  it('counts and lists open connections, with the commands each sent', async () => {
    const a = await client();
    const b = await client();
    await a.text('api echo 1');
    await b.text('api echo 2');
    expect(fake.connectionCount).toBe(2);
    const [ca, cb] = fake.connections;
    expect(ca!.commands.map((x) => x.line)).toEqual(['auth ClueCon', 'api echo 1']);
    expect(cb!.commands.map((x) => x.line)).toEqual(['auth ClueCon', 'api echo 2']);
    expect(fake.received.map((x) => x.line)).toContain('api echo 2');
    a.close();
    await ca!.whenClosed;
    expect(fake.connectionCount).toBe(1);
  });
});

describe('the 512-byte reply buffer', () => {
  it('cuts a long reply text (a filter echoing a long value) at 511 bytes', async () => {
    const c = await client();
    const value = 'v'.repeat(600);
    const text = await c.text(`filter X-Long ${value}`);
    expect(Buffer.byteLength(text)).toBe(511);
    expect(text.startsWith('+OK filter added. [X-Long]=[vvv')).toBe(true);
  });
});
