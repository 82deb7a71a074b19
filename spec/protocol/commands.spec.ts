import { describe, expect, it } from 'vitest';
import { Commands, EslArgumentError, EslEvent } from 'rxesl';
import { CommandReader, type ClientCommand } from 'rxesl/testing';
import { encodeCommand } from '../../lib/protocol/commands';

const wire = (c: { bytes: Buffer }): string => c.bytes.toString('utf8');

/** What FreeSWITCH's read_packet makes of the bytes: the proof that no command smuggles in another. */
function serverReads(bytes: Buffer): ClientCommand[] {
  const out: ClientCommand[] = [];
  new CommandReader().push(bytes, (c) => out.push(c));
  return out;
}

describe('command encoders write the bytes of PROTOCOL.md §2.4', () => {
  it.each([
    [Commands.auth('ClueCon'), 'auth ClueCon\n\n'],
    [Commands.userauth('1000@default', 'secret'), 'userauth 1000@default:secret\n\n'],
    [Commands.api('status'), 'api status\n\n'],
    [Commands.api('originate', 'user/1000 &park'), 'api originate user/1000 &park\n\n'],
    [Commands.bgapi('status'), 'bgapi status\n\n'],
    [
      Commands.bgapi('originate', 'user/1000 &park', '7f4db78a-17d7-11dd-b7a0-db4edd065621'),
      'bgapi originate user/1000 &park\nJob-UUID: 7f4db78a-17d7-11dd-b7a0-db4edd065621\n\n',
    ],
    [
      Commands.event('plain', ['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE', 'BACKGROUND_JOB', 'CUSTOM', 'sofia::register', 'sofia::unregister']),
      'event plain CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB CUSTOM sofia::register sofia::unregister\n\n',
    ],
    [Commands.event('json', 'ALL'), 'event json ALL\n\n'],
    [Commands.event('xml', []), 'event xml\n\n'],
    [Commands.nixevent(['CHANNEL_ANSWER']), 'nixevent CHANNEL_ANSWER\n\n'],
    [Commands.noevents(), 'noevents\n\n'],
    [Commands.myevents(), 'myevents\n\n'],
    [Commands.myevents('0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00', 'json'), 'myevents 0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00 json\n\n'],
    [Commands.divertEvents(true), 'divert_events on\n\n'],
    [Commands.divertEvents(false), 'divert_events off\n\n'],
    [
      Commands.filter('Unique-ID', '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00'),
      'filter Unique-ID 0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00\n\n',
    ],
    [Commands.filter('Caller-Caller-ID-Name', 'John Smith'), 'filter Caller-Caller-ID-Name John Smith\n\n'],
    [Commands.filterDelete('Event-Name', 'CHANNEL_CREATE'), 'filter delete Event-Name CHANNEL_CREATE\n\n'],
    [Commands.filterDelete('all'), 'filter delete all\n\n'],
    [Commands.log(), 'log\n\n'],
    [Commands.log('info'), 'log info\n\n'],
    [Commands.log(7), 'log 7\n\n'],
    [Commands.nolog(), 'nolog\n\n'],
    [Commands.linger(), 'linger\n\n'],
    [Commands.linger(30), 'linger 30\n\n'],
    [Commands.nolinger(), 'nolinger\n\n'],
    [Commands.resume(), 'resume\n\n'],
    [Commands.getvar('channel_name'), 'getvar channel_name\n\n'],
    [Commands.connect(), 'connect\n\n'],
    [Commands.exit(), 'exit\n\n'],
    [
      Commands.execute('playback', '/tmp/x.wav', {
        uuid: '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00',
        eventLock: true,
        eventUuid: '11111111-2222-3333-4444-555555555555',
      }),
      'sendmsg 0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /tmp/x.wav\nevent-lock: true\nevent-uuid: 11111111-2222-3333-4444-555555555555\n\n',
    ],
    [
      Commands.execute('set', 'foo=first line\nsecond line'),
      'sendmsg\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\nContent-Length: 26\n\nfoo=first line\nsecond line',
    ],
    [
      Commands.execute('playback', 'a.wav', { loops: 3, async: true, holdBleg: true, eventUuidName: 'greeting' }),
      'sendmsg\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: a.wav\nloops: 3\nasync: true\nhold-bleg: true\nevent-uuid-name: greeting\n\n',
    ],
    [Commands.hangup('USER_BUSY'), 'sendmsg\ncall-command: hangup\nhangup-cause: USER_BUSY\n\n'],
    [Commands.hangup(undefined, 'u1'), 'sendmsg u1\ncall-command: hangup\n\n'],
    [
      Commands.unicast({ uuid: 'u1', localIp: '127.0.0.1', localPort: 8025, remoteIp: '127.0.0.1', remotePort: 8026, transport: 'udp', flags: 'native' }),
      'sendmsg u1\ncall-command: unicast\nlocal-ip: 127.0.0.1\nlocal-port: 8025\nremote-ip: 127.0.0.1\nremote-port: 8026\ntransport: udp\nflags: native\n\n',
    ],
    [Commands.nomedia('u2', 'u1'), 'sendmsg u1\ncall-command: nomedia\nnomedia-uuid: u2\n\n'],
    [Commands.xferext([['answer'], ['playback', 'a.wav']]), 'sendmsg\ncall-command: xferext\napplication: answer\napplication: playback a.wav\n\n'],
  ])('%s', (command, expected) => {
    expect(wire(command)).toBe(expected);
  });

  it('counts Content-Length in bytes', () => {
    const c = encodeCommand('sendevent CUSTOM', [['Event-Subclass', 'myapp::ping'], ['X-Custom', 'a value']], 'héllo ☎');
    expect(wire(c)).toBe('sendevent CUSTOM\nEvent-Subclass: myapp::ping\nX-Custom: a value\nContent-Length: 10\n\nhéllo ☎');
  });

  it('sendevent writes the headers raw, without repeating Event-Name, and the body with its length', () => {
    const ev = new EslEvent('CUSTOM', 'capture::test');
    ev.addHeader('X-Utf8', 'héllo ☎');
    ev.addHeader('X-Array', 'ARRAY::one|:two');
    ev.addBody('line 1\n\nline 3');
    expect(wire(Commands.sendevent(ev))).toBe(
      'sendevent CUSTOM\nEvent-Subclass: capture::test\nX-Utf8: héllo ☎\nX-Array: ARRAY::one|:two\nContent-Length: 14\n\nline 1\n\nline 3',
    );
  });

  it('masks passwords in labels', () => {
    expect(Commands.auth('ClueCon').label).toBe('auth ********');
    expect(Commands.userauth('u@d', 'p').label).toBe('userauth u@d:********');
    expect(Commands.api('status').label).toBe('api status');
    expect(Commands.api('status').verb).toBe('api');
  });

  it('a long application argument goes in the body', () => {
    const arg = 'x'.repeat(5000);
    const reads = serverReads(Commands.execute('set', arg).bytes);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.headers.get('execute-app-arg')).toBeUndefined();
    expect(reads[0]!.headers.get('content-type')).toBe('text/plain');
    expect(reads[0]!.body.toString()).toBe(arg);
  });
});

describe('the injection guard', () => {
  const evil = 'John\n\napi hupall\n\n';
  it.each([
    ['api arguments', () => Commands.api('uuid_setvar', `u1 caller_name ${evil}`)],
    ['api command', () => Commands.api(`status\nX: y`)],
    ['bgapi arguments', () => Commands.bgapi('originate', `sofia/x/${evil}`)],
    ['Job-UUID', () => Commands.bgapi('status', undefined, 'a\nb')],
    ['filter value', () => Commands.filter('Caller-Caller-ID-Name', evil)],
    ['filter header', () => Commands.filter('A B', 'x')],
    ['password', () => Commands.auth('pw\rexit')],
    ['event name', () => Commands.event('plain', ['CHANNEL_ANSWER\napi hupall'])],
    ['uuid', () => Commands.execute('answer', undefined, { uuid: 'u1\nx' })],
    ['header value', () => encodeCommand('sendmsg', [['call-command', 'execute\nexecute-app-name: hangup']])],
    ['header name', () => encodeCommand('sendmsg', [['a:b', 'c']])],
    ['sendevent header', () => Commands.sendevent(new EslEvent([['Event-Name', 'CUSTOM'], ['X', 'a\nb']]))],
    ['command line', () => encodeCommand('api status\n\napi hupall')],
    ['empty command', () => encodeCommand('  ')],
    ['format', () => Commands.event('yaml' as 'plain', 'ALL')],
    ['linger seconds', () => Commands.linger(-1)],
  ])('%s: refused with EslArgumentError before a byte exists', (_what, make) => {
    expect(make).toThrow(EslArgumentError);
  });

  it('what is accepted is read by the server as exactly one command', () => {
    for (const c of [
      Commands.api('uuid_setvar', 'u1 caller_name John: Smith; x=1'),
      Commands.filter('Caller-Caller-ID-Name', 'a: b'),
      Commands.execute('set', 'x=1\napi hupall\n\n'),
      Commands.sendevent(Object.assign(new EslEvent('CUSTOM', 'a::b'), {})),
    ]) {
      expect(serverReads(c.bytes)).toHaveLength(1);
    }
  });

  it('the error names the argument and shows the value', () => {
    try {
      Commands.api('echo', evil);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EslArgumentError);
      expect((err as EslArgumentError).argument).toBe('api arguments');
      expect((err as EslArgumentError).value).toBe(evil);
      expect((err as Error).message).toContain('CR or LF');
    }
  });
});
