import { describe, expect, it, vi } from 'vitest';
import { EslArgumentError, EslEvent, EslProtocolError, Frame, FrameHeaders, parseFrames } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { urlDecode, urlEncode } from '../../lib/protocol/url-codec';
import { fixtureNames, loadFixture } from '../helpers/fixtures';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Every event frame of every capture, with the reference parse. */
function fixtureEvents() {
  const out: Array<{ where: string; frame: Frame; ref: NonNullable<ReturnType<typeof loadFixture>['frames'][number]['event']>; notes?: string[] }> = [];
  for (const name of fixtureNames()) {
    const fx = loadFixture(name);
    parseFrames(fx.s2c).forEach((frame, i) => {
      const ref = fx.frames[i]!;
      if (ref.event) out.push({ where: `${name} frame ${i}`, frame, ref: ref.event, notes: ref.notes });
    });
  }
  return out;
}

/** The raw values of the header lines of a plain payload. */
function headerLines(payload: Buffer): string[] {
  const text = payload.toString('latin1');
  const end = text.indexOf('\n\n');
  return text
    .slice(0, end < 0 ? text.length : end)
    .split('\n')
    .map((l) => l.slice(l.indexOf(': ') + 2));
}

/** A value in frames.json form: a repeated name is an array. */
function pushValue(obj: Record<string, string | string[]>, name: string, value: string): void {
  const prev = obj[name];
  obj[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
}

describe('EslEvent.fromFrame on every captured event (plain and json)', () => {
  const events = fixtureEvents();
  it('covers the captures', () => {
    expect(events.length).toBeGreaterThan(100);
  });

  for (const { where, frame, ref, notes } of events) {
    it(`${where}: ${frame.contentType} ${String(ref.headers['Event-Name'])} has the reference headers and body`, () => {
      const ev = EslEvent.fromFrame(frame);
      const ours = ev.headers.toObject();
      // frames.json keeps the serializer's inner Content-Length as a header; we keep it as the body's length.
      if (ref.body !== null) pushValue(ours, 'Content-Length', ev.getHeader('Content-Length')!);
      const expected = { ...ref.headers };
      if (notes?.some((n) => n.includes('duplicate JSON keys'))) {
        // frames.json reads JSON with JSON.parse, which keeps only the last duplicate; we keep them all, in order.
        for (const name of Object.keys(ours)) if (Array.isArray(ours[name]) && !Array.isArray(expected[name])) expected[name] = ours[name]!;
        for (const name of Object.keys(ours)) {
          const v = ours[name];
          if (Array.isArray(v)) expect(v[v.length - 1]).toBe(ref.headers[name]);
        }
      }
      if (frame.contentType === 'text/event-json' && ref.body !== null) {
        // In JSON the serializer's Content-Length is a member like the others; count it once.
        const v = ours['Content-Length'];
        if (Array.isArray(v) && !Array.isArray(expected['Content-Length'])) ours['Content-Length'] = v[v.length - 1]!;
      }
      expect(ours).toEqual(expected);
      expect(ev.getBody() ?? null).toBe(ref.body);
      expect(ev.name).toBe(ref.headers['Event-Name']);
      expect(ev.getType()).toBe(ref.headers['Event-Name']);
    });
  }

  it('keeps repeated headers of JSON events in order, as plain does (CODEC, CHANNEL_HANGUP_COMPLETE)', () => {
    const json = events.filter((e) => e.frame.contentType === 'text/event-json');
    const codec = json.find((e) => e.ref.headers['Event-Name'] === 'CODEC' && e.notes)!;
    const ev = EslEvent.fromFrame(codec.frame);
    expect(ev.headers.getAll('Channel-Write-Codec-Name')).toHaveLength(2);
    const hangup = json.find((e) => e.ref.headers['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE')!;
    expect(EslEvent.fromFrame(hangup.frame).headers.getAll('Hangup-Cause')).toEqual(['NORMAL_CLEARING', 'NORMAL_CLEARING']);
    const plainHangup = events.find((e) => e.frame.contentType === 'text/event-plain' && e.ref.headers['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE')!;
    expect(EslEvent.fromFrame(plainHangup.frame).headers.getAll('Hangup-Cause')).toEqual(['NORMAL_CLEARING', 'NORMAL_CLEARING']);
  });

  it('serializes every captured event back to the exact bytes FreeSWITCH sent, but for its one lossy %XX corner', () => {
    let exact = 0;
    for (const { where, frame } of events) {
      const format = frame.contentType === 'text/event-plain' ? 'plain' : 'json';
      const out = EslEvent.fromFrame(frame).toBytes(format);
      // FreeSWITCH does not re-encode a '%' followed by two uppercase hex digits (FINDINGS §1 B),
      // so '50%41' on the wire reads as '50A' and is written back as '50A'.
      const lossy = format === 'plain' && headerLines(frame.body).some((v) => urlEncode(urlDecode(v)) !== v);
      if (lossy) {
        expect(out.equals(frame.body), where).toBe(false);
        continue;
      }
      expect(out.toString('latin1'), where).toBe(frame.body.toString('latin1'));
      exact++;
    }
    // The two: the BACKGROUND_JOB of `bgapi echo 50%41 ...` (04) and the X-Percent header of 09.
    expect(exact).toBe(events.length - 2);
  });

  it('decodes header values lazily: reading Event-Name and the uuid of a plain event decodes three values, not all', () => {
    const big = events.find((e) => e.frame.contentType === 'text/event-plain' && e.frame.body.length > 2000)!;
    const ev = EslEvent.fromFrame(big.frame);
    const spy = vi.spyOn(Buffer.prototype, 'toString');
    try {
      expect(ev.name).toBe(big.ref.headers['Event-Name']);
      expect(ev.uuid).toBe(big.ref.headers['Unique-ID']);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(3);
      spy.mockClear();
      expect(ev.headers.size).toBeGreaterThan(50);
      expect(spy.mock.calls.length).toBeGreaterThan(50);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('lazy lookups never read the body as headers', () => {
  const payload = 'Event-Name: CUSTOM\nEvent-Subclass: a::b\nContent-Length: 41\n\nfirst\nUnique-ID: evil\nEvent-Name: EVIL\n\nx';
  it('a header-like line inside the body is not a header, whatever is read first', () => {
    for (const order of [['Unique-ID', 'Event-Name'], ['Event-Name', 'Unique-ID'], ['Event-Subclass', 'Unique-ID']]) {
      const ev = EslEvent.parse('plain', payload);
      const got = order.map((n) => ev.getHeader(n));
      expect(got, order.join(',')).toEqual(order.map((n) => ({ 'Unique-ID': undefined, 'Event-Name': 'CUSTOM', 'Event-Subclass': 'a::b' })[n]));
      expect(ev.uuid).toBeUndefined();
      expect(ev.getBody()).toBe('first\nUnique-ID: evil\nEvent-Name: EVIL\n\nx');
      expect(ev.headers.keys()).toEqual(['Event-Name', 'Event-Subclass']);
      expect(ev.getHeader('Content-Length')).toBe('41');
    }
  });

  it('an event with no headers at all', () => {
    const ev = EslEvent.parse('plain', '\nbody?');
    expect(ev.getHeader('Event-Name')).toBeUndefined();
    expect(ev.headers.size).toBe(0);
  });
});

describe('the outbound connect reply and other non-event frames', () => {
  const channelData = {
    names: ['Event-Name', 'Core-UUID', 'Channel-Name', 'Unique-ID', 'Caller-Caller-ID-Name', 'variable_sip_from_display', 'variable_percent'],
    values: ['CHANNEL_DATA', '72b445a5-985c-4e33-9d94-dcdf78c415be', 'sofia/internal/1000@192.0.2.1', '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00', 'Zoë +1 (555)', 'a:b;c=d', '100%'],
  };
  const wire = ServerFrames.connectReply(channelData, { socketMode: 'async', control: 'full' });

  it('is written as one long header block: every value encoded, Content-Type near the end, no Content-Length', () => {
    const text = wire.toString('utf8');
    expect(text).toContain('Channel-Name: sofia/internal/1000%40192.0.2.1\n');
    expect(text).toContain('Caller-Caller-ID-Name: Zo%C3%AB%20%2B1%20(555)\n');
    expect(text.endsWith('Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n')).toBe(true);
    expect(text).not.toContain('Content-Length');
  });

  it('reads back as a CHANNEL_DATA event with every value decoded (Reply-Text is "+OK\\n")', () => {
    const [frame] = parseFrames(wire);
    expect(frame!.contentType).toBe('command/reply');
    const ev = EslEvent.fromFrame(frame!);
    expect(ev.name).toBe('CHANNEL_DATA');
    expect(ev.getType()).toBe('CHANNEL_DATA');
    expect(ev.uuid).toBe('0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00');
    expect(ev.getHeader('Caller-Caller-ID-Name')).toBe('Zoë +1 (555)');
    expect(ev.getHeader('variable_sip_from_display')).toBe('a:b;c=d');
    expect(ev.getHeader('variable_percent')).toBe('100%');
    expect(ev.getHeader('Reply-Text')).toBe('+OK\n');
    expect(ev.getHeader('Socket-Mode')).toBe('async');
    expect(ev.contentType).toBe('command/reply');
  });

  it('keeps other outer headers raw: a reply is SOCKET_DATA with its headers as sent', () => {
    const [frame] = parseFrames(bytes('Content-Type: command/reply\nReply-Text: +OK filter added. [X-Test]=[100%41]\n\n'));
    const ev = EslEvent.fromFrame(frame!);
    expect(ev.getType()).toBe('SOCKET_DATA');
    expect(ev.name).toBeUndefined();
    expect(ev.getHeader('Reply-Text')).toBe('+OK filter added. [X-Test]=[100%41]');
  });

  it('an api/response keeps its body and drops the framing Content-Length from the headers', () => {
    const [frame] = parseFrames(ServerFrames.apiResponse('café <ok>\n'));
    const ev = EslEvent.fromFrame(frame!);
    expect(ev.headers.toObject()).toEqual({ 'Content-Type': 'api/response' });
    expect(ev.getBody()).toBe('café <ok>\n');
    expect(ev.getHeader('Content-Length')).toBe('11');
  });
});

describe('decoding never throws and follows switch_url_decode', () => {
  const plain = (value: string): EslEvent => EslEvent.parse('plain', `Event-Name: CUSTOM\nX: ${value}\n\n`);
  it.each([
    ['a+b', 'a+b'],
    ['100%', '100%'],
    ['%zz%4', '%zz%4'],
    ['50%41', '50A'],
    ['%c3%a9', 'é'],
    ['%E9t%E9', '\uFFFDt\uFFFD'],
    ['%ED%A0%BD%ED%B1%8D', '\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['caf\xc3\xa9', 'caf\xc3\xa9'],
  ])('%s -> %s', (wire, decoded) => {
    expect(plain(wire).getHeader('X')).toBe(decoded);
  });

  it('raw UTF-8 in a plain value is read as UTF-8', () => {
    expect(EslEvent.parse('plain', Buffer.from('Event-Name: CUSTOM\nX: caf\u00e9\n\n', 'utf8')).getHeader('X')).toBe('café');
  });
});

describe('JSON events keep duplicate keys, whatever the escapes', () => {
  const cases: Array<[string, string, Record<string, string | string[]>, string[]]> = [
    ['no duplicates, escapes', '{"Event-Name":"CUSTOM","X":"a\\"b\\\\c\\u00e9\\n","Y":["1","\\u0041"]}', { 'Event-Name': 'CUSTOM', X: 'a"b\\cé\n', Y: 'ARRAY::1|:A' }, ['Event-Name', 'X', 'Y']],
    ['a duplicate with escapes in the dropped member', '{"Event-Name":"CUSTOM","X":"\\u0041\\"","X":"B"}', { 'Event-Name': 'CUSTOM', X: ['A"', 'B'] }, ['Event-Name', 'X', 'X']],
    ['a duplicate with escapes in the kept member', '{"X":"A","Event-Name":"CUSTOM","X":"\\n\\u00e9"}', { X: ['A', '\né'], 'Event-Name': 'CUSTOM' }, ['X', 'Event-Name', 'X']],
    ['an index-like key keeps its place', '{"Event-Name":"CUSTOM","7":"seven"}', { 'Event-Name': 'CUSTOM', '7': 'seven' }, ['Event-Name', '7']],
    ['sendevent: a real Content-Length and the body\'s', '{"Event-Name":"CUSTOM","Content-Length":"2","Content-Length":"2","_body":"hi"}', { 'Event-Name': 'CUSTOM', 'Content-Length': '2' }, ['Event-Name', 'Content-Length']],
  ];
  for (const [what, json, headers, order] of cases) {
    it(what, () => {
      const ev = EslEvent.parse('json', json);
      expect(ev.headers.toObject()).toEqual(headers);
      expect(ev.headerList().names).toEqual(order);
      expect(ev.getHeader('X')).toBe(Array.isArray(headers.X) ? headers.X[0] : headers.X);
    });
  }
});

describe('JSON and XML events', () => {
  it('a malformed JSON or XML body is a typed error from fromFrame, never a crash later', () => {
    const [j] = parseFrames(ServerFrames.event('json', '{"Event-Name":"CUSTOM",'));
    expect(() => EslEvent.fromFrame(j!)).toThrow(EslProtocolError);
    const [x] = parseFrames(ServerFrames.event('xml', '<nothing/>'));
    expect(() => EslEvent.fromFrame(x!)).toThrow(expect.objectContaining({ code: 'MALFORMED_EVENT' }));
  });

  it('reads the XML of PROTOCOL.md §1.9: entities, the <Content-Length> after </headers>, the indented closing tag', () => {
    const xml =
      '<event>\n  <headers>\n    <Event-Name>CUSTOM</Event-Name>\n    <Event-Subclass>myapp%3A%3Aping</Event-Subclass>\n    <Event-Sequence>4712</Event-Sequence>\n  </headers>\n  <Content-Length>11</Content-Length>\n  <body>caf&#xE9; &lt;ok&gt;\n  </body>\n</event>\n';
    expect(Buffer.byteLength(xml)).toBe(250);
    const ev = EslEvent.parse('xml', xml);
    expect(ev.subclass).toBe('myapp::ping');
    expect(ev.getBody()).toBe('café <ok>\n');
    expect(ev.headers.keys()).toEqual(['Event-Name', 'Event-Subclass', 'Event-Sequence']);
    expect(ev.serialize('xml')).toBe(xml);
  });

  it('writes the plain example of PROTOCOL.md §1.9 byte for byte', () => {
    const ev = new EslEvent([
      ['Event-Name', 'CUSTOM'],
      ['Event-Subclass', 'myapp::ping'],
      ['Event-Sequence', '4712'],
    ], 'café <ok>\n');
    const plain = ev.toBytes('plain');
    expect(plain.length).toBe(103);
    expect(plain.toString()).toBe('Event-Name: CUSTOM\nEvent-Subclass: myapp%3A%3Aping\nEvent-Sequence: 4712\nContent-Length: 11\n\ncafé <ok>\n');
  });

  it('writes the BACKGROUND_JOB of PROTOCOL.md §1.9 as 566 bytes of plain and 604 of JSON', () => {
    const ev = new EslEvent([
      ['Event-Name', 'BACKGROUND_JOB'],
      ['Core-UUID', '6f3d2c1a-0000-4000-8000-000000000001'],
      ['FreeSWITCH-Hostname', 'pbx1'],
      ['FreeSWITCH-Switchname', 'pbx1'],
      ['FreeSWITCH-IPv4', '192.0.2.10'],
      ['FreeSWITCH-IPv6', '::1'],
      ['Event-Date-Local', '2024-05-01 12:00:00'],
      ['Event-Date-GMT', 'Wed, 01 May 2024 12:00:00 GMT'],
      ['Event-Date-Timestamp', '1714564800000000'],
      ['Event-Calling-File', 'mod_event_socket.c'],
      ['Event-Calling-Function', 'api_exec'],
      ['Event-Calling-Line-Number', '1578'],
      ['Event-Sequence', '4711'],
      ['Job-UUID', '7f4db78a-17d7-11dd-b7a0-db4edd065621'],
      ['Job-Command', 'status'],
    ], 'UP 0 years\n\nsecond paragraph\n');
    expect(ev.toBytes('plain').length).toBe(566);
    expect(ev.toBytes('json').length).toBe(604);
    expect(ev.serialize('json')).toMatch(/"Job-Command":"status","Content-Length":"29","_body":"UP 0 years\\n\\nsecond paragraph\\n"}$/);
  });

  it('XML writes non-ASCII body text as character references and CR as &#xD;, as switch_xml_ampencode does', () => {
    const ev = new EslEvent([['Event-Name', 'CUSTOM']], 'héllo ☎ 😀\r\n"q" \'a\' & <b>');
    expect(ev.serialize('xml')).toContain('<body>h&#xE9;llo &#x260E; &#x1F600;&#xD;\n"q" \'a\' &amp; &lt;b&gt;</body>');
    expect(EslEvent.parse('xml', ev.serialize('xml')).getBody()).toBe('héllo ☎ 😀\r\n"q" \'a\' & <b>');
  });

  it("XML in FreeSWITCH's layout and XML any other way (comments, CDATA, attributes) read the same", () => {
    const ev = new EslEvent([['Event-Name', 'CUSTOM'], ['X-Caller', 'Zoë <1000> & co'], ['X-Caller', 'second']], 'héllo & <b>\n');
    const native = ev.serialize('xml');
    const other = native
      .replace('<headers>', '<headers>\n    <!-- written by hand -->')
      .replace('<body>h&#xE9;llo &amp; ', '<body foo="bar"><![CDATA[héllo & ]]>');
    expect(other).not.toBe(native);
    for (const xml of [native, other]) {
      const back = EslEvent.parse('xml', xml);
      expect(back.headerList()).toEqual(ev.headerList());
      expect(back.getBody()).toBe('héllo & <b>\n');
    }
  });

  it('an array header is one ARRAY:: line in plain, an array in JSON and repeated elements in XML', () => {
    const ev = new EslEvent('CUSTOM', 'x::y');
    ev.addHeader('X-Array', 'ARRAY::one|:two two|:thrée');
    expect(ev.serialize('plain')).toContain('X-Array: ARRAY%3A%3Aone%7C%3Atwo%20two%7C%3Athr%C3%A9e\n');
    expect(ev.serialize('json')).toContain('"X-Array":["one","two two","thrée"]');
    expect(ev.serialize('xml')).toContain('<X-Array>one</X-Array>\n    <X-Array>two%20two</X-Array>\n    <X-Array>thr%C3%A9e</X-Array>\n');
    expect(EslEvent.parse('json', ev.serialize('json')).headers.get('X-Array')).toEqual(['one', 'two two', 'thrée']);
    expect(EslEvent.parse('plain', ev.serialize('plain')).headers.get('X-Array')).toEqual(['one', 'two two', 'thrée']);
    // XML cannot tell an array from a repeated header; a repeated element reads as repeated headers.
    expect(EslEvent.parse('xml', ev.serialize('xml')).headers.getAll('X-Array')).toEqual(['one', 'two two', 'thrée']);
  });
});

describe('the ESLevent interface', () => {
  it('new EslEvent(type, subclass) looks the type up as libesl does', () => {
    expect(new EslEvent('channel_answer').headers.toObject()).toEqual({ 'Event-Name': 'CHANNEL_ANSWER' });
    expect(new EslEvent('SWITCH_EVENT_HEARTBEAT').name).toBe('HEARTBEAT');
    expect(new EslEvent('NO_SUCH_THING').name).toBe('MESSAGE');
    const custom = new EslEvent('MESSAGE', 'SMS::SEND_MESSAGE');
    expect(custom.getType()).toBe('CUSTOM');
    expect(custom.subclass).toBe('SMS::SEND_MESSAGE');
    expect(custom.headerList()).toEqual({ names: ['Event-Name', 'Event-Subclass'], values: ['CUSTOM', 'SMS::SEND_MESSAGE'] });
  });

  it("new EslEvent('json', text) builds from JSON", () => {
    const ev = new EslEvent('json', '{"Event-Name":"CUSTOM","Event-Subclass":"a::b","X":["1","2"],"_body":"hi"}');
    expect(ev.subclass).toBe('a::b');
    expect(ev.getHeader('X', 1)).toBe('2');
    expect(ev.getBody()).toBe('hi');
  });

  it('new EslEvent(headers, body) takes pairs, Maps and objects', () => {
    expect(new EslEvent({ 'Event-Name': 'CUSTOM', n: 5 }, 'b').toJSON()).toEqual({ headers: { 'Event-Name': 'CUSTOM', n: '5' }, body: 'b' });
    expect(new EslEvent(new Map([['A', '1']])).getHeader('a')).toBe('1');
    expect(() => new EslEvent(42 as unknown as string)).toThrow(EslArgumentError);
  });

  it('getHeader: case-insensitive, first of duplicates, array elements by index, _body', () => {
    const ev = new EslEvent([
      ['Hangup-Cause', 'FIRST'],
      ['Hangup-Cause', 'SECOND'],
      ['X-Array', 'ARRAY::a|:b'],
    ], 'the body');
    expect(ev.getHeader('hangup-cause')).toBe('FIRST');
    expect(ev.headers.getAll('Hangup-Cause')).toEqual(['FIRST', 'SECOND']);
    expect(ev.getHeader('X-Array')).toBe('ARRAY::a|:b');
    expect(ev.getHeader('X-Array', 1)).toBe('b');
    expect(ev.getHeader('X-Array', 2)).toBeUndefined();
    expect(ev.getHeader('Hangup-Cause', 0)).toBeUndefined();
    expect(ev.getHeader('_body')).toBe('the body');
    expect(ev.getHeader('nope')).toBeUndefined();
  });

  it('an exact-case match wins over an earlier match in another case (CODEC repeats names in two cases)', () => {
    const wire = 'Event-Name: CODEC\nChannel-Read-Codec-Name: L16\nchannel-read-codec-name: PCMU\n\n';
    for (const ev of [EslEvent.parse('plain', wire), EslEvent.parse('json', new EslEvent(EslEvent.parse('plain', wire).headerList().names.map((n, i) => [n, EslEvent.parse('plain', wire).headerList().values[i]!] as [string, string])).serialize('json'))]) {
      expect(ev.getHeader('Channel-Read-Codec-Name')).toBe('L16');
      expect(ev.getHeader('channel-read-codec-name')).toBe('PCMU');
      expect(ev.getHeader('CHANNEL-READ-CODEC-NAME')).toBe('L16');
    }
  });

  it('addHeader appends, deletes on an empty value, expands ARRAY:: and sets Name[n]', () => {
    const ev = new EslEvent('CUSTOM');
    ev.addHeader('X', 'a');
    ev.addHeader('X', 'b');
    expect(ev.headers.getAll('X')).toEqual(['a', 'b']);
    ev.addHeader('X', '');
    expect(ev.getHeader('X')).toBeUndefined();
    ev.addHeader('Arr', 'ARRAY::1|:2');
    expect(ev.headers.get('Arr')).toEqual(['1', '2']);
    ev.addHeader('Arr[3]', 'four');
    expect(ev.headers.get('Arr')).toEqual(['1', '2', '', 'four']);
    ev.addHeader('New[1]', 'x');
    expect(ev.headers.get('New')).toEqual(['', 'x']);
    expect(ev.addHeader('Arr[4001]', 'no')).toBe(false);
    ev.addHeader('_body', 'via header');
    expect(ev.getBody()).toBe('via header');
    expect(() => ev.addHeader('', 'x')).toThrow(EslArgumentError);
  });

  it('pushHeader and unshiftHeader build arrays; unshift really prepends (libesl appends by mistake)', () => {
    const ev = new EslEvent('CUSTOM');
    ev.pushHeader('L', 'b');
    expect(ev.getHeader('L')).toBe('b');
    ev.pushHeader('L', 'c');
    ev.unshiftHeader('L', 'a');
    expect(ev.getHeader('L')).toBe('ARRAY::a|:b|:c');
    expect(ev.headers.get('L')).toEqual(['a', 'b', 'c']);
  });

  it('delHeader removes every header of that name; addBody replaces; setPriority goes on top', () => {
    const ev = new EslEvent([['Event-Name', 'CUSTOM'], ['X', '1'], ['x', '2'], ['Y', '3']]);
    expect(ev.delHeader('X')).toBe(true);
    expect(ev.headers.keys()).toEqual(['Event-Name', 'Y']);
    ev.addBody('one');
    ev.addBody('two');
    expect(ev.getBody()).toBe('two');
    ev.setPriority(EslEvent.PRIORITY.HIGH);
    ev.setPriority('LOW');
    expect(ev.headers.keys()).toEqual(['priority', 'Event-Name', 'Y']);
    expect(ev.getHeader('priority')).toBe('LOW');
    expect(() => ev.setPriority('URGENT' as 'LOW')).toThrow(EslArgumentError);
  });

  it('firstHeader / nextHeader walk the names in order', () => {
    const ev = new EslEvent([['A', '1'], ['B', '2']]);
    expect(ev.nextHeader()).toBeUndefined();
    expect(ev.firstHeader()).toBe('A');
    expect(ev.nextHeader()).toBe('B');
    expect(ev.nextHeader()).toBeUndefined();
    expect(ev.firstHeader()).toBe('A');
  });

  it('changing a parsed event leaves the bytes it came from alone', () => {
    const [frame] = parseFrames(ServerFrames.event('plain', 'Event-Name: CUSTOM\nUnique-ID: u1\n\n'));
    const before = Buffer.from(frame!.body);
    const ev = EslEvent.fromFrame(frame!);
    ev.addHeader('Extra', 'v');
    ev.delHeader('Unique-ID');
    expect(frame!.body.equals(before)).toBe(true);
    expect(ev.serialize()).toBe('Event-Name: CUSTOM\nExtra: v\n\n');
  });

  it('uuid is Job-UUID, else Unique-ID, else Core-UUID', () => {
    expect(new EslEvent([['Core-UUID', 'c'], ['Unique-ID', 'u'], ['Job-UUID', 'j']]).uuid).toBe('j');
    expect(new EslEvent([['Core-UUID', 'c'], ['Unique-ID', 'u']]).uuid).toBe('u');
    expect(new EslEvent([['Core-UUID', 'c']]).uuid).toBe('c');
  });

  it('serialize refuses an unknown format with a typed error', () => {
    expect(() => new EslEvent('CUSTOM').serialize('yaml' as 'plain')).toThrow(EslArgumentError);
    expect(() => EslEvent.parse('yaml' as 'plain', '')).toThrow(EslArgumentError);
  });

  it('a frame built by hand works too', () => {
    const f = new Frame(new FrameHeaders([['Content-Type', 'text/disconnect-notice'], ['Content-Length', '3']]), bytes('bye'));
    const ev = EslEvent.fromFrame(f);
    expect(ev.getHeader('Content-Type')).toBe('text/disconnect-notice');
    expect(ev.getBody()).toBe('bye');
  });
});
