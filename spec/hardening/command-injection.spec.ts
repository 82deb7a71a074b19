/**
 * The encoder is the one place a user's string becomes command bytes. Whatever it accepts,
 * FreeSWITCH 1.10.12 must read as exactly the command the caller meant; whatever it cannot
 * write so, it refuses with EslArgumentError before a byte exists. CommandReader reads bytes
 * as FreeSWITCH's read_packet and parse_command do (mod_event_socket.c), so each test shows
 * what FreeSWITCH would have run.
 */
import { describe, expect, it } from 'vitest';
import { Commands, EslArgumentError, EslEvent, MAX_COMMAND_BLOCK_BYTES, type EncodedCommand } from 'rxesl';
import { CommandReader, type ClientCommand } from 'rxesl/testing';
import { encodeCommand } from '../../lib/protocol/commands';

function serverReads(bytes: Buffer): ClientCommand[] {
  const out: ClientCommand[] = [];
  new CommandReader({ maxBodyBytes: 64 * 1024 * 1024 }).push(bytes, (c) => out.push(c));
  return out;
}

function refused(make: () => unknown): EslArgumentError {
  try {
    make();
  } catch (err) {
    expect(err).toBeInstanceOf(EslArgumentError);
    return err as EslArgumentError;
  }
  throw new Error('accepted');
}

const ev = (headers: Array<[string, string]>, body?: string): EslEvent => new EslEvent(headers, body);

describe('NUL is refused wherever a string reaches the wire (FreeSWITCH reads a block as a C string)', () => {
  const nul = 'x\0y';
  it.each<[string, () => EncodedCommand]>([
    ['command line', () => encodeCommand(`api echo ${nul}`)],
    ['header name', () => encodeCommand('sendmsg', [[nul, 'v']])],
    ['header value', () => encodeCommand('sendmsg', [['call-command', nul]])],
    ['password (auth)', () => Commands.auth(`Clue${nul}`)],
    ['user (userauth)', () => Commands.userauth(`1000${nul}@default`, 'pw')],
    ['password (userauth)', () => Commands.userauth('1000@default', `pw${nul}`)],
    ['api command', () => Commands.api(`echo${nul}`)],
    ['api arguments', () => Commands.api('echo', nul)],
    ['bgapi command', () => Commands.bgapi(`echo${nul}`)],
    ['bgapi arguments', () => Commands.bgapi('echo', nul)],
    ['Job-UUID', () => Commands.bgapi('echo', 'hi', nul)],
    ['event name', () => Commands.event('plain', ['CUSTOM', nul])],
    ['nixevent name', () => Commands.nixevent([nul])],
    ['filter header', () => Commands.filter(nul, 'v')],
    ['filter value', () => Commands.filter('Unique-ID', nul)],
    ['filter delete value', () => Commands.filterDelete('Unique-ID', nul)],
    ['log level', () => Commands.log(nul)],
    ['myevents uuid', () => Commands.myevents(nul)],
    ['getvar name', () => Commands.getvar(nul)],
    ['sendevent name', () => Commands.sendevent(ev([['Event-Name', nul]]))],
    ['sendevent subclass', () => Commands.sendevent(ev([['Event-Name', 'CUSTOM'], ['Event-Subclass', nul]], 'api echo INJECTED\n\n'))],
    ['sendevent header name', () => Commands.sendevent(ev([['Event-Name', 'CUSTOM'], [nul, 'v']]))],
    ['sendmsg uuid', () => Commands.sendmsg(nul, { 'call-command': 'hangup' })],
    ['execute application', () => Commands.execute(nul)],
    ['execute argument', () => Commands.execute('playback', `/tmp/${nul}.wav`)],
    ['execute argument (long, for the body)', () => Commands.execute('set', `${'v'.repeat(5000)}${nul}`)],
    ['execute uuid', () => Commands.execute('answer', undefined, { uuid: nul })],
    ['execute eventUuid', () => Commands.execute('answer', undefined, { eventUuid: nul })],
    ['execute eventUuidName', () => Commands.execute('answer', undefined, { eventUuidName: nul })],
    ['hangup cause', () => Commands.hangup(nul)],
    ['unicast flags', () => Commands.unicast({ flags: nul })],
    ['nomedia uuid', () => Commands.nomedia(nul)],
    ['xferext argument', () => Commands.xferext([['playback', nul]])],
  ])('%s', (_what, make) => {
    expect(refused(make).message).toMatch(/NUL/);
  });

  it('the confirmed injection: without the guard, FreeSWITCH runs the body of a sendevent as a command', () => {
    const body = 'api echo INJECTED\n\n';
    const raw = Buffer.from(`sendevent CUSTOM\nEvent-Subclass: x\0y\nContent-Length: ${body.length}\n\n${body}`);
    expect(serverReads(raw).map((c) => c.line)).toEqual(['sendevent CUSTOM', 'api echo INJECTED']);
    refused(() => encodeCommand('sendevent CUSTOM', [['Event-Subclass', 'x\0y']], body));
  });

  it('a body may hold NUL: it is framed by Content-Length (FreeSWITCH keeps it up to the NUL)', () => {
    const c = Commands.sendmsg('u1', { 'call-command': 'execute', 'execute-app-name': 'set', 'content-type': 'text/plain' }, 'a=1\0b');
    expect(serverReads(c.bytes).map((r) => [r.line, r.body.toString()])).toEqual([['sendmsg u1', 'a=1']]);
  });
});

describe('a header block longer than FreeSWITCH reads (10,485,760 bytes) is refused', () => {
  it('the limit is read_packet’s max_len', () => {
    expect(MAX_COMMAND_BLOCK_BYTES).toBe(10_485_760);
  });

  it('api echo <a × 10 MiB>: refused; without the guard FreeSWITCH would run the tail as a second command', () => {
    const arg = `${'a'.repeat(MAX_COMMAND_BLOCK_BYTES - 'api echo '.length)}api echo OVERFLOW`;
    expect(serverReads(Buffer.from(`api echo ${arg}\n\n`)).map((c) => c.line.slice(-8))).toEqual(['aaaaaaaa', 'OVERFLOW']);
    const err = refused(() => Commands.api('echo', arg));
    expect(err.argument).toBe('command');
    expect(err.message).toContain('10485760');
  });

  it('counts bytes, not characters, and includes the header lines and the blank line that ends the block', () => {
    // 'api echo ' + 'a' + é × n + '\n\n', each é two bytes: exactly the limit.
    const fits = `a${'é'.repeat((MAX_COMMAND_BLOCK_BYTES - 'api echo a\n\n'.length) / 2)}`;
    expect(Commands.api('echo', fits).bytes.length).toBe(MAX_COMMAND_BLOCK_BYTES);
    refused(() => Commands.api('echo', `${fits}a`));
    const value = 'v'.repeat(MAX_COMMAND_BLOCK_BYTES - 'sendmsg\nX: \n\n'.length);
    expect(serverReads(Commands.sendmsg(undefined, { X: value }).bytes)).toHaveLength(1);
    refused(() => Commands.sendmsg(undefined, { X: `${value}v` }));
  });

  it('a body may be longer: it is read by Content-Length', () => {
    const arg = 'x'.repeat(MAX_COMMAND_BLOCK_BYTES + 10);
    const reads = serverReads(Commands.execute('set', arg).bytes);
    expect(reads.map((r) => r.body.length)).toEqual([arg.length]);
  });
});

describe('headers that frame the block are the encoder’s alone', () => {
  it('a Content-Length header is refused with or without a body, in any case', () => {
    // Without the guard, FreeSWITCH swallows the first 9 bytes of the next command as a body,
    // runs its tail `s` as a command (one reply too many), and every later reply is off by one.
    expect(serverReads(Buffer.from('sendmsg u1\nContent-Length: 9\n\napi status\n\napi version\n\n')).map((c) => c.line)).toEqual([
      'sendmsg u1',
      's',
      'api version',
    ]);
    refused(() => Commands.sendmsg('u1', { 'Content-Length': '9' }));
    refused(() => Commands.sendmsg('u1', { 'content-length': '9' }, 'body'));
    refused(() => encodeCommand('sendmsg u1', [['CONTENT-LENGTH', '0']]));
  });

  it('sendevent drops the event’s own Content-Length and Event-Name: the encoder writes both', () => {
    const e = ev([['Event-Name', 'CUSTOM'], ['Event-Subclass', 'a::b'], ['Content-Length', '99']], 'hi');
    expect(Commands.sendevent(e).bytes.toString()).toBe('sendevent CUSTOM\nEvent-Subclass: a::b\nContent-Length: 2\n\nhi');
  });
});

describe('siblings: other strings FreeSWITCH would read differently from what the caller meant', () => {
  it('a block naming mod_event_socket with unload or reload is refused: parse_command would run `api bgapi unload mod_event_socket`', () => {
    const evil = 'please unload mod_event_socket';
    // FreeSWITCH checks the whole block, header lines included, case-insensitively.
    for (const make of [
      () => Commands.api('uuid_setvar', `u1 note ${evil}`),
      () => Commands.api('echo', 'RELOAD Mod_Event_Socket'),
      () => Commands.bgapi('reload', 'mod_event_socket'),
      () => Commands.filter('Caller-Caller-ID-Name', evil),
      () => Commands.sendmsg('u1', { 'call-command': 'execute', 'execute-app-name': 'log', 'x-note': evil }),
      () => Commands.sendevent(ev([['Event-Name', 'CUSTOM'], ['Event-Subclass', 'a::b'], ['X-Note', evil]])),
      () => Commands.auth(`unload mod_event_socket`),
    ]) {
      expect(refused(make).message).toContain('mod_event_socket');
    }
  });

  it('…but the api command that means it is sent, and an application argument goes in the body, where FreeSWITCH does not look', () => {
    expect(Commands.api('unload', 'mod_event_socket').bytes.toString()).toBe('api unload mod_event_socket\n\n');
    expect(Commands.api('reload mod_event_socket').bytes.toString()).toBe('api reload mod_event_socket\n\n');
    const [read] = serverReads(Commands.execute('playback', '/sounds/unload-mod_event_socket.wav').bytes);
    expect(read!.block.toLowerCase()).not.toContain('mod_event_socket');
    expect(read!.headers.get('content-type')).toBe('text/plain');
    expect(read!.body.toString()).toBe('/sounds/unload-mod_event_socket.wav');
  });

  it('filter header names `add` and `delete` are refused: FreeSWITCH reads them as keywords', () => {
    // `filter delete Unique-ID` would delete the Unique-ID filter instead of adding one on a header "delete".
    refused(() => Commands.filter('delete', 'Unique-ID'));
    refused(() => Commands.filter('ADD', 'Unique-ID u1'));
    expect(Commands.filterDelete('all').bytes.toString()).toBe('filter delete all\n\n');
  });

  it('a myevents uuid naming xml or json is refused: FreeSWITCH switches the format on those words anywhere in the line', () => {
    refused(() => Commands.myevents('call-json-1'));
    refused(() => Commands.myevents('myXMLcall', 'plain'));
    expect(Commands.myevents('0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00', 'json').line).toBe('myevents 0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00 json');
  });

  it('a userauth user must be name@domain without a colon: the first colon starts the password', () => {
    // `userauth 1000:x@default:pw` authenticates user 1000 with password "x".
    for (const user of ['1000:x@default', '1000', '@default', '1000@', '1000@default@x', '1000 @default']) refused(() => Commands.userauth(user, 'pw'));
    expect(Commands.userauth('1000@default', 'a pass: with@ signs').bytes.toString()).toBe('userauth 1000@default:a pass: with@ signs\n\n');
    expect(Commands.auth('pass with spaces').bytes.toString()).toBe('auth pass with spaces\n\n');
  });

  it('a Job-UUID FreeSWITCH could not echo whole is refused: its 512-byte reply would be cut and lose its blank line', () => {
    // bgapi replies `~Reply-Text: +OK Job-UUID: <id>\nJob-UUID: <id>\n\n` into a 512-byte buffer.
    const longest = 'j'.repeat(235);
    expect(Commands.bgapi('status', undefined, longest).bytes.toString()).toContain(`Job-UUID: ${longest}\n`);
    refused(() => Commands.bgapi('status', undefined, `${longest}j`));
    refused(() => Commands.bgapi('status', undefined, 'a b'));
  });

  it('numbers FreeSWITCH reads with atoi must fit an int; ports must be ports', () => {
    refused(() => Commands.linger(2 ** 31));
    refused(() => Commands.linger(1.5));
    expect(Commands.linger(2 ** 31 - 1).line).toBe('linger 2147483647');
    refused(() => Commands.execute('playback', 'a.wav', { loops: 2 ** 31 }));
    expect(Commands.execute('playback', 'a.wav', { loops: -1 }).bytes.toString()).toContain('loops: -1\n');
    refused(() => Commands.unicast({ localPort: 65536 }));
    refused(() => Commands.log(8));
    refused(() => Commands.log(Number.NaN));
    expect(Commands.log(0).line).toBe('log 0');
  });

  it('an api command name may hold its arguments: `api(cmd, args)` and `api(cmd + " " + args)` are the same bytes (documented)', () => {
    expect(Commands.api('originate user/1000 &park').bytes).toEqual(Commands.api('originate', 'user/1000 &park').bytes);
  });
});
