/**
 * esl.Parser: modesl's streaming parser API (`new Parser(socket)`, `esl::event` with the
 * event, the outer headers and the body) on rxesl's FrameParser. Fed through a real socket
 * pair, whole, byte by byte, and doubled; with the bytes modesl got wrong.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EslProtocolError } from 'rxesl';
import { randomChunks, ServerFrames } from 'rxesl/testing';
import { type Event, type FrameHeadersObject, Parser } from 'rxesl/modesl';

interface Got {
  event: Event;
  headers: FrameHeadersObject;
  body: string | undefined;
}

/** A fake socket: what a Parser needs is 'data'. */
function feed(chunks: Buffer[]): { got: Got[]; errors: unknown[] } {
  const socket = new EventEmitter();
  const parser = new Parser(socket as unknown as net.Socket);
  const got: Got[] = [];
  const errors: unknown[] = [];
  parser.on('esl::event', (event: Event, headers: FrameHeadersObject, body: string | undefined) => got.push({ event, headers, body }));
  parser.on('error', (err: unknown) => errors.push(err));
  for (const c of chunks) socket.emit('data', c);
  return { got, errors };
}

const SMS_BODY = 'Hello from modesl! "weird&character\'s<andstuff>" ☎';
const smsJson = JSON.stringify({
  'Event-Name': 'CUSTOM',
  'Core-UUID': '8b192020-7368-4498-9b11-cbe10f48a784',
  'Event-Subclass': 'SMS::SEND_MESSAGE',
  to: 'internal/1000@example.com',
  'Content-Length': String(Buffer.byteLength(SMS_BODY)),
  _body: SMS_BODY,
});
const smsPlain =
  'Event-Name: CUSTOM\nCore-UUID: 8b192020-7368-4498-9b11-cbe10f48a784\nEvent-Subclass: SMS%3A%3ASEND_MESSAGE\nto: internal/1000%40example.com\n' +
  `Content-Length: ${Buffer.byteLength(SMS_BODY)}\n\n${SMS_BODY}`;
const smsXml =
  '<event>\n  <headers>\n    <Event-Name>CUSTOM</Event-Name>\n    <Core-UUID>8b192020-7368-4498-9b11-cbe10f48a784</Core-UUID>\n' +
  '    <Event-Subclass>SMS%3A%3ASEND_MESSAGE</Event-Subclass>\n    <to>internal/1000%40example.com</to>\n  </headers>\n' +
  `  <Content-Length>${Buffer.byteLength(SMS_BODY)}</Content-Length>\n  <body>Hello from modesl! "weird&amp;character's&lt;andstuff&gt;" &#x260E;</body>\n</event>\n`;

const streams: Record<string, Buffer> = {
  plain: ServerFrames.event('plain', smsPlain),
  json: ServerFrames.event('json', smsJson),
  xml: ServerFrames.event('xml', smsXml),
};

function expectSms(e: Event): void {
  expect(e.getType()).toBe('CUSTOM');
  expect(e.getHeader('Event-Subclass')).toBe('SMS::SEND_MESSAGE');
  expect(e.getHeader('to')).toBe('internal/1000@example.com');
  expect(e.getBody()).toBe(SMS_BODY);
  expect(e.getHeader('Content-Length')).toBe(Buffer.byteLength(SMS_BODY));
}

describe('esl.Parser', () => {
  for (const [format, bytes] of Object.entries(streams)) {
    it(`parses a ${format} event given at once, byte by byte, in random pieces, and twice in a row`, () => {
      for (const chunks of [[bytes], [...bytes].map((b) => Buffer.from([b])), randomChunks(Buffer.concat([bytes, bytes]), 1, 97)]) {
        const { got, errors } = feed(chunks);
        expect(errors).toEqual([]);
        expect(got.length).toBeGreaterThan(0);
        for (const g of got) expectSms(g.event);
      }
      expect(feed([Buffer.concat([bytes, bytes])]).got).toHaveLength(2);
    });
  }

  it('hands out the outer headers (Content-Length a number) and the body as modesl did', () => {
    const { got } = feed([streams.json!, ServerFrames.apiResponse('UP 0 years\n'), ServerFrames.commandReply('+OK accepted')]);
    expect(got[0]!.headers).toEqual({ 'Content-Length': Buffer.byteLength(smsJson), 'Content-Type': 'text/event-json' });
    expect(got[0]!.body).toBe(smsJson);
    expect(got[1]!.headers).toEqual({ 'Content-Type': 'api/response', 'Content-Length': 11 });
    expect(got[1]!.body).toBe('UP 0 years\n');
    expect(got[1]!.event.getBody()).toBe('UP 0 years\n');
    expect(got[2]!.headers).toEqual({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK accepted' });
    expect(got[2]!.body).toBeUndefined();
    expect(got[2]!.event.getHeader('Modesl-Reply-OK')).toBe('accepted');
  });

  it('counts Content-Length in bytes: multi-byte text right before the next frame is not cut or merged', () => {
    const body = 'héllo ☎ 😀\n';
    const { got } = feed([Buffer.concat([ServerFrames.apiResponse(body), ServerFrames.commandReply('+OK')])]);
    expect(got.map((g) => g.event.getBody())).toEqual([body, '']);
  });

  it('a stray % in a header is kept as it is (modesl threw URIError from decodeURIComponent)', () => {
    const { got, errors } = feed([ServerFrames.commandReply('+OK filter added. [X-Test]=[100%]')]);
    expect(errors).toEqual([]);
    expect(got[0]!.event.getHeader('Reply-Text')).toBe('+OK filter added. [X-Test]=[100%]');
    expect(got[0]!.headers['Reply-Text']).toBe('+OK filter added. [X-Test]=[100%]');
  });

  it('decodes the outbound connect reply, whose headers FreeSWITCH percent-encodes', () => {
    const reply = ServerFrames.connectReply(
      { names: ['Event-Name', 'Unique-ID', 'Channel-Name'], values: ['CHANNEL_DATA', 'u-1', 'sofia/internal/1000@192.0.2.1'] },
      { socketMode: 'async', control: 'full' },
    );
    const { got } = feed([reply]);
    expect(got[0]!.event.getHeader('Channel-Name')).toBe('sofia/internal/1000@192.0.2.1');
    expect(got[0]!.headers['Channel-Name']).toBe('sofia/internal/1000@192.0.2.1');
    expect(got[0]!.event.getHeader('Reply-Text')).toBe('+OK\n');
    expect(got[0]!.event.getType()).toBe('CHANNEL_DATA');
  });

  it('a JSON event that does not parse is an error; the frames after it still come', () => {
    const { got, errors } = feed([ServerFrames.event('json', '{ herp: derp }'), ServerFrames.commandReply('+OK')]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EslProtocolError);
    expect(got.map((g) => g.event.getHeader('Reply-Text'))).toEqual(['+OK']);
  });

  it('a bad Content-Length is reported once and nothing after it is read', () => {
    const { got, errors } = feed([Buffer.from('Content-Type: api/response\nContent-Length: -5\n\n'), ServerFrames.commandReply('+OK')]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as EslProtocolError).code).toBe('BAD_CONTENT_LENGTH');
    expect(got).toEqual([]);
  });

  describe('over a TCP socket', () => {
    let server: net.Server | undefined;
    afterEach(() => server?.close());

    it('reads what the peer writes, line by line', async () => {
      let peer: net.Socket | undefined;
      server = net.createServer((s) => (peer = s));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      await new Promise((r) => client.once('connect', r));
      const parser = new Parser(client);
      expect(parser.socket).toBe(client);
      const got = new Promise<Event>((r) => parser.once('esl::event', r));
      for (const line of streams.plain!.toString('utf8').split(/(?<=\n)/)) peer!.write(line);
      expectSms(await got);
      client.destroy();
      peer!.destroy();
    });
  });
});
