/**
 * Every command rxesl/modesl writes goes through rxesl's encoder, which refuses what FreeSWITCH
 * would not read as that one command (mod_event_socket.c, read_packet and parse_command): a NUL
 * (the block is read as a C string: what follows is hidden, a later Content-Length included, and
 * the body then runs as a command), a CR or LF (a line or the block ends early), a
 * Content-Length of the caller's (it frames the bytes after the block), a header block over
 * the 10,485,760 bytes FreeSWITCH reads as one command (the rest runs as another). Through
 * modesl's API: nothing is written, the callback (on a later tick) or, without one, 'error'
 * gets the EslArgumentError, and the replies stay in step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EslArgumentError } from 'rxesl';
import { Connection, Event } from 'rxesl/modesl';
import { callback, next } from './helpers/record';
import { type ScriptedSwitch, closeAll, scriptedSwitch } from './helpers/scripted-switch';

let sw: ScriptedSwitch | undefined;
const conns: Connection[] = [];
afterEach(async () => {
  await closeAll(conns, sw);
  sw = undefined;
});

async function ready(): Promise<Connection> {
  sw = await scriptedSwitch();
  const conn = new Connection('127.0.0.1', sw.port, 'ClueCon');
  conns.push(conn);
  await next(conn, 'esl::ready');
  // modesl's own subscription, written with esl::ready.
  await sw.peers[0]!.command(2);
  return conn;
}

/** A refused call: its callback's event carries the EslArgumentError (never before the call returned). */
type Refusal = (conn: Connection, cb: (e: Event) => void) => void;

/** Runs each call; asserts each is refused with an EslArgumentError matching `why`, nothing is written, and the next reply is still matched. */
async function refused(calls: Record<string, Refusal>, why: RegExp): Promise<void> {
  const conn = await ready();
  const before = sw!.peers[0]!.commands.length;
  for (const [name, call] of Object.entries(calls)) {
    let returned = false;
    const [event] = await callback<[Event]>((cb) => {
      call(conn, cb);
      returned = true;
    });
    expect(returned, name).toBe(true);
    expect(event.error, name).toBeInstanceOf(EslArgumentError);
    expect(event.error!.message, name).toMatch(why);
    expect(event.getHeader('Modesl-Reply-ERR'), name).toBe(event.error!.message.replace(/[\r\n]+/g, ' '));
  }
  const [res] = await callback<[Event]>((cb) => conn.api('version', cb));
  expect(res.getBody()).toBe('+OK version\n');
  expect(sw!.peers[0]!.commands.slice(before).map((c) => c.line)).toEqual(['api version']);
}

/** A refused call without a callback: 'error' gets the EslArgumentError, nothing is written. */
async function refusedWithoutCallback(calls: Record<string, (conn: Connection) => void>, why: RegExp): Promise<void> {
  const conn = await ready();
  const before = sw!.peers[0]!.commands.length;
  const errors: Error[] = [];
  conn.on('error', (e: Error) => errors.push(e));
  for (const call of Object.values(calls)) call(conn);
  expect(errors).toEqual([]);
  const [res] = await callback<[Event]>((cb) => conn.api('version', cb));
  expect(res.getBody()).toBe('+OK version\n');
  expect(errors.map((e) => [e.name, why.test(e.message)])).toEqual(Object.keys(calls).map(() => ['EslArgumentError', true]));
  expect(sw!.peers[0]!.commands.slice(before).map((c) => c.line)).toEqual(['api version']);
}

const TEN_MIB = 10 * 1024 * 1024;

describe('rxesl/modesl refuses what would inject a command', () => {
  it('a CR or LF in a command, an argument or a header value', async () => {
    await refused(
      {
        sendRecv: (c, cb) => c.sendRecv('api status', { 'X-Evil': 'a\n\nexit' }, cb),
        'sendRecv (several lines)': (c, cb) => c.sendRecv('sendevent CUSTOM\nX-A: 1', { 'X-Evil': 'a\r\nEvent-Name: HEARTBEAT' }, cb),
        api: (c, cb) => c.api('status', 'now\n\nexit', cb),
        bgapi: (c, cb) => c.bgapi('status', 'now\r\n\r\nexit', cb),
        filter: (c, cb) => c.filter('Unique-ID', 'u-1\n\nexit', cb),
        filterDelete: (c, cb) => c.filterDelete('Unique-ID', 'u-1\nexit', cb),
        events: (c, cb) => c.events('json', ['HEARTBEAT\n\nexit'], cb),
        sendEvent: (c, cb) => c.sendEvent(new Event({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'a::b', 'X-Evil': 'a\nEvent-Name: HEARTBEAT' }), cb),
        execute: (c, cb) => c.execute('playback', 'x', 'u-1\n\nexit', cb),
      },
      /CR or LF|2 commands/,
    );
  });

  it('a NUL anywhere before the body', async () => {
    await refused(
      {
        sendRecv: (c, cb) => c.sendRecv('sendevent CUSTOM', { 'Event-Subclass': 'x\0y' }, cb),
        api: (c, cb) => c.api('echo', 'a\0b', cb),
        bgapi: (c, cb) => c.bgapi('echo', 'a\0b', cb),
        'bgapi job uuid': (c, cb) => c.bgapi('status', '', 'job\0-1', cb),
        execute: (c, cb) => c.execute('playback', 'a\0b', 'u-1', cb),
        filter: (c, cb) => c.filter('Unique-ID', 'u\0-1', cb),
        events: (c, cb) => c.events('json', 'HEART\0BEAT', cb),
        sendEvent: (c, cb) => c.sendEvent(new Event({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'x\0y' }), cb),
      },
      /NUL/,
    );
  });

  it('the captured attack: sendevent with a NUL before its Content-Length, the body a command (FreeSWITCH ran it)', async () => {
    await refusedWithoutCallback(
      {
        'send (several lines)': (c) => c.send('sendevent CUSTOM\nEvent-Subclass: x\0y\nContent-Length: 19\n\napi echo INJECTED\n\n'),
        'send (args)': (c) => c.send('sendevent CUSTOM', { 'Event-Subclass': 'x\0y', 'X-A': '1' }),
      },
      /NUL|commands/,
    );
  });

  it('a Content-Length of the caller’s (with no body it would swallow the next command)', async () => {
    await refused(
      {
        sendRecv: (c, cb) => c.sendRecv('sendmsg u-1', { 'call-command': 'execute', 'Content-Length': '9' }, cb),
        'sendRecv (lower case)': (c, cb) => c.sendRecv('sendmsg u-1', { 'content-length': 9 }, cb),
        _doExec: (c, cb) => c._doExec('u-1', 'execute', { 'execute-app-name': 'park', 'Content-Length': '9' }, cb),
      },
      /Content-Length/,
    );
  });

  it('a command block over FreeSWITCH’s 10,485,760-byte read limit', async () => {
    const big = 'a'.repeat(TEN_MIB);
    await refused(
      {
        api: (c, cb) => c.api('echo', big, cb),
        bgapi: (c, cb) => c.bgapi('echo', big, cb),
        sendRecv: (c, cb) => c.sendRecv('api echo', { 'X-Big': big }, cb),
      },
      /10,?485,?760|limit|too (long|large)/i,
    );
  });

  it('send() without a callback: the refusal is emitted as error', async () => {
    await refusedWithoutCallback(
      {
        'CR or LF': (c) => c.send('api status', { 'X-Evil': 'a\n\nexit' }),
        NUL: (c) => c.send('api echo a\0b'),
        'Content-Length': (c) => c.send('api status', { 'Content-Length': '9' }),
      },
      /CR or LF|NUL|Content-Length/,
    );
  });

  it('an execute argument with a line break is not refused: it goes in a text/plain body, where FreeSWITCH reads it', async () => {
    const conn = await ready();
    conn.execute('playback', 'line one\nline two', 'u-1');
    const [res] = await callback<[Event]>((cb) => conn.api('version', cb));
    expect(res.getBody()).toBe('+OK version\n');
    const cmd = sw!.peers[0]!.commands.at(-2)!;
    expect([cmd.line, cmd.headers.get('execute-app-arg'), cmd.headers.get('content-type'), cmd.body.toString()]).toEqual([
      'sendmsg u-1',
      undefined,
      'text/plain',
      'line one\nline two',
    ]);
  });
});
