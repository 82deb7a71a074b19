/**
 * Values read from the wire never throw an untyped error (issue 12, item 6). FreeSWITCH writes
 * every JSON event member as a string, or an array of strings for an array header
 * (switch_event_serialize_json_obj); anything nested is not an event FreeSWITCH wrote. A
 * hostile server's `{"Event-Name": [[[...]]]}` nested thousands deep made JSON.stringify throw a
 * RangeError in the event router (the process died) and in the getters.
 *
 * Decided: a JSON event with an object, or an array holding anything but strings and numbers,
 * as a member is malformed, and so is one whose Event-Name, Event-Subclass, Unique-ID,
 * Job-UUID, Core-UUID, Application-UUID or `_body` is not a string (a number is written as
 * text): EslEvent.fromFrame throws EslProtocolError('MALFORMED_EVENT'), which the Connection
 * sends to errors$. Every event that parses has flat string values, so every getter is total.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, EslError, EslEvent, EslProtocolError, Frame, FrameHeaders } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { hostileServer, type HostileServer } from './hostile-server';
import { readAll } from './read-all';

const DEPTH = 100_000;
const nested = (depth: number): string => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
const jsonFrame = (text: string): Frame =>
  new Frame(FrameHeaders.fromArrays(['Content-Length', 'Content-Type'], [String(Buffer.byteLength(text)), 'text/event-json']), Buffer.from(text));

describe('a JSON event with nested values', () => {
  for (const member of ['Event-Name', 'Unique-ID', 'Job-UUID', '_body', 'X-Deep']) {
    it(`${member} nested ${DEPTH} deep: EslProtocolError MALFORMED_EVENT, not a RangeError`, () => {
      const text = `{"Event-Name":"CUSTOM","Event-Subclass":"a::b",${JSON.stringify(member)}:${nested(DEPTH)}}`;
      expect(() => EslEvent.fromFrame(jsonFrame(text))).toThrow(expect.objectContaining({ name: 'EslProtocolError', code: 'MALFORMED_EVENT' }));
      expect(() => EslEvent.parse('json', text)).toThrow(EslProtocolError);
      expect(() => new EslEvent('json', text)).toThrow(EslProtocolError);
    });
  }

  it('an object member, or an array of arrays, is malformed too, even shallow; an array of strings is an array header', () => {
    for (const v of ['{"a":"b"}', '[["a"]]', '[{"a":"b"}]']) {
      expect(() => EslEvent.parse('json', `{"Event-Name":"CUSTOM","X":${v}}`)).toThrow(EslProtocolError);
    }
    const ok = EslEvent.parse('json', '{"Event-Name":"CUSTOM","X":["a","b"],"N":5,"T":true,"Z":null}');
    expect(ok.headers.get('X')).toEqual(['a', 'b']);
    expect([ok.getHeader('N'), ok.getHeader('T'), ok.getHeader('Z')]).toEqual(['5', 'true', undefined]);
  });

  it('an identity header or _body that is not a string is malformed (an array would route as ARRAY::...)', () => {
    for (const member of ['Event-Name', 'event-name', 'Unique-ID', 'Job-UUID', 'Core-UUID', 'Application-UUID', 'Event-Subclass', '_body']) {
      expect(() => EslEvent.parse('json', `{"Event-Name":"CUSTOM",${JSON.stringify(member)}:["a","b"]}`), member).toThrow(EslProtocolError);
      expect(() => EslEvent.parse('json', `{"Event-Name":"CUSTOM",${JSON.stringify(member)}:{}}`), member).toThrow(EslProtocolError);
    }
  });

  it('with duplicate keys (the member-by-member reader) the same rules hold', () => {
    expect(() => EslEvent.parse('json', `{"Event-Name":"CUSTOM","A":"1","A":"2","X":${nested(DEPTH)}}`)).toThrow(EslProtocolError);
    const ok = EslEvent.parse('json', '{"Event-Name":"CUSTOM","A":"1","A":"2"}');
    expect(ok.headers.getAll('A')).toEqual(['1', '2']);
  });

  it('every getter and serializer of what does parse is total', () => {
    const ev = EslEvent.parse('json', '{"Event-Name":"CUSTOM","X-Deep":["a",1],"__proto__":"p","constructor":"c","Content-Length":"2","_body":"hi"}');
    expect(() => readAll(ev)).not.toThrow();
    expect(ev.getHeader('constructor')).toBe('c');
    expect(ev.getHeader('toString')).toBeUndefined();
  });
});

describe('an event too large to serialize', () => {
  it('a 90 MB body of control bytes from the wire: serialize("json") fails with a typed error, not a RangeError', () => {
    // JSON escapes each control byte as six characters: 540 M, over V8's longest string.
    const size = 90 * 1024 * 1024;
    const payload = Buffer.alloc(size + 64, 1);
    const head = Buffer.from(`Event-Name: CUSTOM\nContent-Length: ${size}\n\n`);
    head.copy(payload);
    const frame = new Frame(FrameHeaders.fromArrays(['Content-Type'], ['text/event-plain']), payload.subarray(0, head.length + size));
    const ev = EslEvent.fromFrame(frame);
    expect(ev.bodyBytes!.length).toBe(size);
    expect(() => ev.toBytes('json')).toThrow(expect.objectContaining({ name: 'EslProtocolError', code: 'BODY_TOO_LARGE' }));
  });
});

describe('through a Connection', () => {
  let server: HostileServer | undefined;
  let conn: Connection | undefined;
  afterEach(async () => {
    await conn?.close();
    conn = undefined;
    await server?.close();
    server = undefined;
  });

  it('the malformed event goes to errors$, the next event is delivered, commands still work, nothing is thrown', async () => {
    server = await hostileServer();
    conn = await Connection.connect({ port: server.port });
    const socket = await server.authenticated();
    const errors: Error[] = [];
    conn.errors$.subscribe((e) => errors.push(e));
    const seen = firstValueFrom(conn.events$.pipe(take(1), toArray()));
    // Views by name, channel and job make the router read Event-Name, Unique-ID and Job-UUID.
    conn.eventsNamed('BACKGROUND_JOB').subscribe();
    conn.channelEvents('u1').subscribe();
    conn.jobEvents('j1').subscribe();
    for (const member of ['Event-Name', 'Unique-ID', 'Job-UUID', '_body']) {
      socket.write(ServerFrames.event('json', `{"Event-Name":"BACKGROUND_JOB",${JSON.stringify(member)}:${nested(DEPTH)}}`));
    }
    socket.write(ServerFrames.event('json', '{"Event-Name":"CUSTOM","Event-Subclass":"after::hostile","Unique-ID":"u1"}'));
    const [after] = await seen;
    expect(after!.subclass).toBe('after::hostile');
    expect((await firstValueFrom(conn.api('echo', 'still here'))).body).toBe('still here');
    expect(errors).toHaveLength(4);
    for (const e of errors) {
      expect(e).toBeInstanceOf(EslError);
      expect(e).toMatchObject({ name: 'EslProtocolError', code: 'MALFORMED_EVENT' });
    }
  });
});
