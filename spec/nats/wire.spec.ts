/**
 * The message formats between gateways and clients, without a server: every value a command
 * emits and every error it fails with comes back as the same class with the same fields.
 */
import { describe, expect, it } from 'vitest';
import {
  ApiResponse,
  ApplicationResult,
  BackgroundJob,
  CommandReply,
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslError,
  EslEvent,
  EslHangupError,
  EslProtocolError,
  EslTimeoutError,
  parseFrames,
} from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { decodeError, decodeRequest, decodeStatus, decodeValue, encodeError, encodeValue } from '../../lib/nats/wire';

const frameEvent = (bytes: Buffer): EslEvent => EslEvent.fromFrame(parseFrames(bytes)[0]!);
const roundTrip = <T>(v: T, command = 'cmd'): T => {
  const { kind, payload } = encodeValue(v as never);
  return decodeValue(kind, payload, command) as T;
};

describe('values', () => {
  it('a command/reply and an api/response come back as the frames they were', () => {
    const reply = new CommandReply(frameEvent(ServerFrames.commandReply('+OK Job-UUID: j1', [['Job-UUID', 'j1']])), 'bgapi status');
    const r = roundTrip(reply, 'bgapi status');
    expect(r).toBeInstanceOf(CommandReply);
    expect(r).toMatchObject({ replyText: '+OK Job-UUID: j1', jobUuid: 'j1', command: 'bgapi status' });
    const api = new ApiResponse(frameEvent(ServerFrames.apiResponse('UP 0 years\nbytes: \u00e9\u0000\n')), 'api status');
    const a = roundTrip(api, 'api status');
    expect(a).toBeInstanceOf(ApiResponse);
    expect(a.body).toBe(api.body);
    expect(a.event.contentType).toBe('api/response');
  });

  it('a BACKGROUND_JOB and a CHANNEL_EXECUTE_COMPLETE come back as events in their format', () => {
    const job = new BackgroundJob(frameEvent(ServerFrames.event('json', JSON.stringify({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j1', _body: '+OK done\n' }))));
    const j = roundTrip(job);
    expect(j).toBeInstanceOf(BackgroundJob);
    expect(j).toMatchObject({ jobUuid: 'j1', body: '+OK done\n' });
    expect(j.event.contentType).toBe('text/event-json');
    const done = new ApplicationResult(frameEvent(ServerFrames.event('plain', 'Event-Name: CHANNEL_EXECUTE_COMPLETE\nApplication: playback\nApplication-Response: FILE%20PLAYED\n\n')));
    const d = roundTrip(done);
    expect(d).toBeInstanceOf(ApplicationResult);
    expect(d).toMatchObject({ application: 'playback', response: 'FILE PLAYED' });
  });

  it('text and nothing (getvar) come back as they were', () => {
    expect(roundTrip('a value')).toBe('a value');
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it('a value that is not one frame is an EslProtocolError', () => {
    expect(() => decodeValue('api', Buffer.from('garbage without a blank line'), 'x')).toThrow(EslProtocolError);
    expect(() => decodeValue('api', Buffer.concat([ServerFrames.apiResponse('a'), ServerFrames.apiResponse('b')]), 'x')).toThrow(/2 frames/);
    expect(() => decodeValue('mystery', Buffer.alloc(0), 'x')).toThrow(EslProtocolError);
  });
});

describe('errors', () => {
  const back = (e: Error): Error => decodeError(encodeError(e));

  it('each rxesl error comes back as its class, with its fields and its message', () => {
    const reply = frameEvent(ServerFrames.apiResponse('-ERR no such command\n'));
    const cmd = back(new EslCommandError('api nope', '-ERR no such command\n', reply)) as EslCommandError;
    expect(cmd).toBeInstanceOf(EslCommandError);
    expect(cmd).toMatchObject({ name: 'EslCommandError', command: 'api nope', replyText: '-ERR no such command\n', message: 'api: -ERR no such command' });
    // The reply, as its EslEvent: the api/response frame it came in.
    expect(cmd.reply).toBeInstanceOf(EslEvent);
    expect(cmd.reply?.contentType).toBe('api/response');
    expect(cmd.reply?.getBody()).toBe('-ERR no such command\n');

    expect(back(new EslTimeoutError('api hang timed out', 200, 'api hang'))).toMatchObject({ name: 'EslTimeoutError', timeoutMs: 200, command: 'api hang', message: 'api hang timed out' });
    const lost = back(new EslDisconnectedError('lost', 'api status', { cause: new EslError('socket closed') })) as EslDisconnectedError;
    expect(lost).toBeInstanceOf(EslDisconnectedError);
    expect(lost.command).toBe('api status');
    expect((lost.cause as Error).message).toBe('socket closed');
    expect(back(new EslHangupError('u1', 'USER_BUSY'))).toMatchObject({ name: 'EslHangupError', uuid: 'u1', hangupCause: 'USER_BUSY', message: 'channel u1 hung up (USER_BUSY)' });
    expect(back(new EslArgumentError('command', 'a\nb', 'no newlines'))).toMatchObject({ name: 'EslArgumentError', argument: 'command', value: 'a\nb' });
    expect(back(new EslProtocolError('MALFORMED_EVENT', 'bad', { excerpt: 'xx' }))).toMatchObject({ name: 'EslProtocolError', code: 'MALFORMED_EVENT', excerpt: 'xx' });
    expect(back(new EslAuthError('invalid', 'refused', '-ERR invalid'))).toMatchObject({ name: 'EslAuthError', reason: 'invalid', replyText: '-ERR invalid' });
    expect(back(new EslConnectError('10.0.0.9', 8021, 'refused', { code: 'ECONNREFUSED' }))).toMatchObject({ name: 'EslConnectError', host: '10.0.0.9', port: 8021, code: 'ECONNREFUSED' });
    for (const [e, cls] of [
      [new EslTimeoutError('t', 1), EslTimeoutError],
      [new EslHangupError('u', undefined), EslHangupError],
      [new EslAuthError('rejected', 'r'), EslAuthError],
    ] as const) expect(back(e)).toBeInstanceOf(cls);
  });

  it('any other error is an EslError with its message; a payload that is not an error is an EslProtocolError', () => {
    const e = back(new TypeError('boom'));
    expect(e).toBeInstanceOf(EslError);
    expect(e.message).toBe('boom');
    expect(decodeError(Buffer.from('not json'))).toBeInstanceOf(EslProtocolError);
    expect(decodeError(Buffer.from('[1,2]'))).toBeInstanceOf(EslProtocolError);
  });
});

describe('requests and announcements', () => {
  it('a request is a known method with an arguments object', () => {
    expect(decodeRequest(Buffer.from('{"method":"api","args":{"command":"status"}}'))).toEqual({ method: 'api', args: { command: 'status' } });
    for (const bad of ['', 'null', '[]', '{"method":"exit","args":{}}', '{"method":"api"}', '{"method":"api","args":[]}']) {
      expect(() => decodeRequest(Buffer.from(bad))).toThrow(EslProtocolError);
    }
  });

  it('an announcement has every field of its type', () => {
    const ok = { node: 'fs1', gateway: 'g1', state: 'up', startedAt: 1, announceMs: 2000, publishing: true, format: 'plain', events: ['ALL'] };
    expect(decodeStatus(Buffer.from(JSON.stringify(ok)))).toEqual(ok);
    for (const bad of [{ ...ok, state: 'sideways' }, { ...ok, node: '' }, { ...ok, events: [1] }, { ...ok, announceMs: 0 }]) {
      expect(() => decodeStatus(Buffer.from(JSON.stringify(bad)))).toThrow(EslProtocolError);
    }
  });
});

describe('events as values', () => {
  it('an event and a reply carried as its EslEvent both come back as the frame they were', () => {
    const ev = frameEvent(ServerFrames.event('plain', 'Event-Name: HEARTBEAT\nUp-Time: 1%20s\n\n'));
    const e = decodeValue(...Object.values(encodeValue(ev)) as [string, Uint8Array], 'x') as EslEvent;
    expect(e.contentType).toBe('text/event-plain');
    expect(e.getHeader('Up-Time')).toBe('1 s');
    const reply = frameEvent(ServerFrames.apiResponse('-ERR nope\n'));
    const err = decodeError(encodeError(new EslCommandError('api nope', '-ERR nope\n', reply))) as EslCommandError;
    expect(err.reply).toBeInstanceOf(EslEvent);
    expect((err.reply as EslEvent).contentType).toBe('api/response');
    expect((err.reply as EslEvent).getBody()).toBe('-ERR nope\n');
  });
});
