/**
 * esl.Event: modesl's Event API (lib/esl/Event.js of modesl 1.2.1) over rxesl's EslEvent.
 * Hand-built events behave as modesl's; events read from the wire stay lazily decoded
 * EslEvents until modesl's data model is asked for.
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EslEvent, parseFrames } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import esl, { Event } from 'rxesl/modesl';

/** modesl 1.2.1 itself (the devDependency), to compare with. */
const modesl = createRequire(import.meta.url)('modesl') as typeof esl;

const SMS: Record<string, string> = {
  'Event-Name': 'CUSTOM',
  'Core-UUID': '8b192020-7368-4498-9b11-cbe10f48a784',
  'Event-Subclass': 'SMS::SEND_MESSAGE',
  to: 'internal/"weird&character\'s<andstuff>"@example.com',
  subject: 'None',
  hint: 'the hint',
};

function wire(bytes: Buffer): Event {
  const [frame] = parseFrames(bytes);
  return Event.fromEslEvent(EslEvent.fromFrame(frame!));
}

describe('esl.Event, built by hand', () => {
  it('new Event(): no headers, type "", subclass null, body ""', () => {
    const e = new Event();
    expect(e.type).toBe('');
    expect(e.getType()).toBe('');
    expect(e.subclass).toBeNull();
    expect(e.headers).toEqual([]);
    expect(e.getHeader('Event-Name')).toBeNull();
    expect(e.getBody()).toBe('');
    expect(e.hPtr).toBeNull();
  });

  it('new Event(type[, subclass]) adds Event-Name as given (not looked up) and Event-Subclass', () => {
    const e = new Event('custom', 'SMS::SEND_MESSAGE');
    expect(e.type).toBe('custom');
    expect(e.subclass).toBe('SMS::SEND_MESSAGE');
    expect(e.headers).toEqual([
      { name: 'Event-Name', value: 'custom' },
      { name: 'Event-Subclass', value: 'SMS::SEND_MESSAGE' },
    ]);
    const plain = new Event('HEARTBEAT');
    expect(plain.subclass).toBeUndefined();
    expect(plain.headers.map((h) => h.name)).toEqual(['Event-Name']);
  });

  it('new Event(headers[, body]): the headers in order, the body from the argument, else _body, else ""', () => {
    const e = new Event({ ...SMS, _body: 'from _body' });
    expect(e.type).toBe('CUSTOM');
    expect(e.subclass).toBe('SMS::SEND_MESSAGE');
    expect(e.headers.map((h) => h.name)).toEqual(Object.keys(SMS));
    expect(e.getBody()).toBe('from _body');
    expect(e.getHeader('_body')).toBeNull();
    expect(new Event({ ...SMS, _body: 'skipped' }, 'given').getBody()).toBe('given');
    expect(new Event({ 'Reply-Text': '+OK' }).getType()).toBeUndefined();
  });

  it('keeps values as they were set, numbers included (modesl did not stringify)', () => {
    const e = new Event({ 'Event-Name': 'CUSTOM', 'Log-Level': 0, 'Event-Date-Timestamp': 1348597357036551 });
    expect(e.getHeader('Log-Level') as unknown).toBe(0);
    expect(e.getHeader('Event-Date-Timestamp') as unknown).toBe(1348597357036551);
  });

  it('getHeader: null when missing; the exact-case name first, then any case', () => {
    const e = new Event({ 'X-Test': 'exact', 'x-test': 'lower' });
    expect(e.getHeader('X-Test')).toBe('exact');
    expect(e.getHeader('x-test')).toBe('lower');
    expect(e.getHeader('X-TEST')).toBe('exact');
    expect(e.getHeader('Missing')).toBeNull();
  });

  it('addHeader replaces the first header of that name in place (modesl), else appends; returns the value', () => {
    const e = new Event(SMS);
    expect(e.addHeader('subject', 'Some')).toBe('Some');
    expect(e.getHeader('subject')).toBe('Some');
    expect(e.headers.findIndex((h) => h.name === 'subject')).toBe(Object.keys(SMS).indexOf('subject'));
    e.addHeader('MyHeader', 'value');
    expect(e.headers.at(-1)).toEqual({ name: 'MyHeader', value: 'value' });
    expect(e.headers.filter((h) => h.name === 'subject')).toHaveLength(1);
  });

  it('addBody appends (modesl; libesl replaces) and returns the new body', () => {
    const e = new Event(SMS, 'Hello');
    expect(e.addBody(', world')).toBe('Hello, world');
    expect(e.getBody()).toBe('Hello, world');
    e.body = 'reset';
    expect(e.getBody()).toBe('reset');
  });

  it('delHeader removes the first header of that exact name and returns it, null when there is none', () => {
    const e = new Event(SMS);
    expect(e.delHeader('subject')).toEqual([{ name: 'subject', value: 'None' }]);
    expect(e.getHeader('subject')).toBeNull();
    expect(e.delHeader('subject')).toBeNull();
  });

  it('firstHeader/nextHeader walk the names with hPtr; null before firstHeader and past the end', () => {
    const e = new Event(SMS);
    expect(e.nextHeader()).toBeNull();
    expect(e.firstHeader()).toBe('Event-Name');
    expect(e.hPtr).toBe(0);
    const names = ['Event-Name'];
    for (let n = e.nextHeader(); n !== null; n = e.nextHeader()) names.push(n);
    expect(names).toEqual(Object.keys(SMS));
    expect(e.hPtr).toBeNull();
    expect(e.nextHeader()).toBeNull();
    expect(new Event().firstHeader()).toBeNull();
  });

  it('setPriority sets the priority header; Event.PRIORITY has LOW, NORMAL, HIGH', () => {
    const e = new Event(SMS);
    e.setPriority(Event.PRIORITY.HIGH);
    expect(e.getHeader('priority')).toBe('HIGH');
    e.setPriority('LOW');
    expect(e.headers.filter((h) => h.name === 'priority')).toEqual([{ name: 'priority', value: 'LOW' }]);
    expect(Event.PRIORITY).toEqual({ LOW: 'LOW', NORMAL: 'NORMAL', HIGH: 'HIGH' });
  });

  it('serialize writes what modesl’s serialize wrote, in plain, json and xml, without adding Content-Length to the event', () => {
    const headers = { ...SMS, 'Event-Date-Timestamp': 1348597357036551 };
    for (const body of ['Hello from "weird&character’s<andstuff>" ☎\n', '']) {
      const theirs = new modesl.Event({ ...headers }, body);
      const ours = new Event({ ...headers }, body);
      for (const format of ['plain', 'json', 'xml'] as const) {
        const expected = new modesl.Event({ ...headers }, body).serialize(format);
        expect(ours.serialize(format), format).toBe(expected);
      }
      expect(ours.serialize()).toBe(theirs.serialize());
      // modesl's serialize() also stored the Content-Length it wrote in the event.
      expect(theirs.getHeader('Content-Length')).toBe(Buffer.byteLength(body));
      expect(ours.getHeader('Content-Length')).toBeNull();
    }
    expect(new Event('CUSTOM').serialize()).toBe('Event-Name: CUSTOM\nContent-Length: 0\n');
    expect((new Event('CUSTOM') as unknown as { serialize(f: string): unknown }).serialize('yaml')).toBeUndefined();
    // FreeSWITCH's own serialization stays one call away.
    const e = new Event({ 'Event-Name': 'CUSTOM', subject: 'café time' }, 'héllo\n');
    expect(e.toEslEvent().serialize()).toBe('Event-Name: CUSTOM\nsubject: caf%C3%A9%20time\nContent-Length: 7\n\nhéllo\n');
  });

  it('JSON.stringify, console.log and for...in see modesl’s five fields; spread and structuredClone take them from toJSON()', () => {
    const theirs = new modesl.Event({ ...SMS }, 'body');
    const ours = new Event({ ...SMS }, 'body');
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(inspect(ours, { depth: 4 })).toBe(inspect(theirs, { depth: 4 }));
    const keys: string[] = [];
    for (const k in ours) keys.push(k);
    expect(keys.sort()).toEqual(['body', 'hPtr', 'headers', 'subclass', 'type']);
    const plain = { headers: theirs.headers, hPtr: null, type: 'CUSTOM', subclass: 'SMS::SEND_MESSAGE', body: 'body' };
    expect(structuredClone(ours.toJSON())).toEqual(plain);
    expect({ ...ours.toJSON() }).toEqual(plain);
    // The error a failed command's event carries is not one of modesl's fields.
    ours.error = new Error('gone');
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(inspect(ours)).not.toContain('gone');
  });

  it('modesl’s private helpers _findHeaderIndex and _findHeader: exact name, null when missing', () => {
    const e = new Event({ ...SMS });
    expect(e._findHeaderIndex('subject')).toBe(4);
    expect(e._findHeader('subject')).toBe(e.headers[4]);
    expect(e._findHeaderIndex('SUBJECT')).toBeNull();
    expect(e._findHeader('nope')).toBeNull();
  });

  it('toEslEvent carries the headers and the body over to rxesl', () => {
    const e = new Event({ 'Event-Name': 'CUSTOM', 'X-Num': 3, 'X-Gone': undefined }, 'body');
    const ev = e.toEslEvent();
    expect(ev).toBeInstanceOf(EslEvent);
    expect(ev.headerList()).toEqual({ names: ['Event-Name', 'X-Num'], values: ['CUSTOM', '3'] });
    expect(ev.getBody()).toBe('body');
  });
});

describe('esl.Event, read from FreeSWITCH', () => {
  const plain = ServerFrames.event(
    'plain',
    'Event-Name: CUSTOM\nCore-UUID: core-1\nEvent-Subclass: sms%3A%3Asend\nX-Stray: 100%25%20sure\nX-Raw: 50%zz\nContent-Length: 7\n\nhéllo\n',
  );

  it('reads like modesl: type, subclass, getHeader (decoded), getBody, Content-Length as a byte count', () => {
    const e = wire(plain);
    expect(e.getType()).toBe('CUSTOM');
    expect(e.subclass).toBe('sms::send');
    expect(e.getHeader('X-Stray')).toBe('100% sure');
    // A '%' that is not an escape stays: modesl's decodeURIComponent threw URIError here.
    expect(e.getHeader('X-Raw')).toBe('50%zz');
    expect(e.getBody()).toBe('héllo\n');
    expect(e.getHeader('Content-Length')).toBe(7);
    expect(e.getHeader('_body')).toBeNull();
    expect(e.getHeader('Nope')).toBeNull();
  });

  it('stays the EslEvent the connection parsed until modesl’s model is asked for', () => {
    const [frame] = parseFrames(plain);
    const ev = EslEvent.fromFrame(frame!);
    const e = Event.fromEslEvent(ev);
    e.getHeader('Event-Name');
    expect(e.toEslEvent()).toBe(ev);
    e.addHeader('X-Mine', '1');
    expect(e.toEslEvent()).not.toBe(ev);
    expect(ev.getHeader('X-Mine')).toBeUndefined();
  });

  it('headers: the event’s headers, then Content-Length (a number) as modesl’s parser left them', () => {
    const e = wire(plain);
    expect(e.headers).toEqual([
      { name: 'Event-Name', value: 'CUSTOM' },
      { name: 'Core-UUID', value: 'core-1' },
      { name: 'Event-Subclass', value: 'sms::send' },
      { name: 'X-Stray', value: '100% sure' },
      { name: 'X-Raw', value: '50%zz' },
      { name: 'Content-Length', value: 7 },
    ]);
    expect(e.headers).toBe(e.headers);
    e.headers.push({ name: 'X-Pushed', value: 'yes' });
    expect(e.getHeader('X-Pushed')).toBe('yes');
    expect(e.getType()).toBe('CUSTOM');
  });

  it('replies carry Modesl-Reply-OK / Modesl-Reply-ERR, as modesl’s parser added them', () => {
    const ok = wire(ServerFrames.commandReply('+OK accepted'));
    expect(ok.getHeader('Modesl-Reply-OK')).toBe('accepted');
    expect(ok.getHeader('Modesl-Reply-ERR')).toBeNull();
    expect(ok.getType()).toBeUndefined();
    const err = wire(ServerFrames.commandReply('-ERR invalid'));
    expect(err.getHeader('Modesl-Reply-ERR')).toBe('invalid');
    expect(err.headers.map((h) => h.name)).toEqual(['Content-Type', 'Reply-Text', 'Modesl-Reply-ERR']);
    const job = wire(ServerFrames.commandReply('+OK Job-UUID: 1234', [['Job-UUID', '1234']]));
    expect(job.getHeader('Modesl-Reply-OK')).toBe('Job-UUID: 1234');
  });

  it('an api/response: the output is the body, Content-Length its byte count', () => {
    const e = wire(ServerFrames.apiResponse('☎ UP\n'));
    expect(e.getBody()).toBe('☎ UP\n');
    expect(e.getHeader('Content-Length')).toBe(Buffer.byteLength('☎ UP\n'));
    expect(e.getHeader('Content-Type')).toBe('api/response');
  });

  it('json and xml events read the same way', () => {
    const json = wire(ServerFrames.event('json', JSON.stringify({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'a::b', 'X-A': 'ü', 'Content-Length': '2', _body: 'hi' })));
    expect([json.getType(), json.subclass, json.getHeader('X-A'), json.getBody(), json.getHeader('Content-Length')]).toEqual(['CUSTOM', 'a::b', 'ü', 'hi', 2]);
    const xml = wire(
      ServerFrames.event('xml', '<event>\n  <headers>\n    <Event-Name>HEARTBEAT</Event-Name>\n    <Up-Time>1%20s</Up-Time>\n  </headers>\n</event>\n'),
    );
    expect([xml.getType(), xml.getHeader('Up-Time'), xml.getBody()]).toEqual(['HEARTBEAT', '1 s', '']);
  });

  it('the default export is modesl’s module object', () => {
    expect(esl.Event).toBe(Event);
  });
});
