/**
 * FakeSwitch reads commands the way FreeSWITCH 1.10.12 does (mod_event_socket.c, read_packet
 * and parse_command), so that a test of an injection shows its real effect. Every test here
 * writes raw bytes to a FakeSwitch socket, bypassing rxesl's encoder, and reads the frames back.
 *
 * What read_packet does, in short: it reads the block one byte at a time into a zeroed buffer
 * until it sees LF, any CRs, LF, or until the block reaches 10,485,760 bytes (max_len), then it
 * treats the buffer as a C string. Everything after a NUL is therefore invisible, including a
 * later Content-Length, and the body bytes it would have read stay on the socket, where they
 * are read as the next command. A block cut at max_len is handled as it is, and the bytes after
 * the cut start the next command. Both were confirmed on a real FreeSWITCH 1.10.12.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Frame, FrameParser } from 'rxesl';
import { FakeSwitch, CommandReader, type ClientCommand } from 'rxesl/testing';

/** The length at which read_packet stops reading a block (its max_len). */
const MAX_LEN = 10_485_760;

let fake: FakeSwitch | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  socket = undefined;
  await fake?.stop();
  fake = undefined;
});

/** A raw client: writes bytes as they are and collects the frames FakeSwitch writes back. */
async function rawClient(): Promise<{ write(bytes: string | Buffer): void; frames(n: number): Promise<Frame[]> }> {
  fake = await FakeSwitch.start();
  const s = connect(fake.port, '127.0.0.1');
  socket = s;
  const parser = new FrameParser({ maxBodyBytes: 64 * 1024 * 1024 });
  const got: Frame[] = [];
  let wake: (() => void) | undefined;
  s.on('data', (chunk: Buffer) => {
    parser.push(chunk, (f) => got.push(f));
    wake?.();
  });
  const frames = async (n: number): Promise<Frame[]> => {
    while (got.length < n) await new Promise<void>((resolve) => (wake = resolve));
    return got.splice(0, n);
  };
  await frames(1); // auth/request
  s.write('auth ClueCon\n\n');
  expect((await frames(1))[0]!.headers.get('Reply-Text')).toBe('+OK accepted');
  return { write: (bytes) => s.write(bytes), frames };
}

function read(bytes: Buffer): ClientCommand[] {
  const out: ClientCommand[] = [];
  new CommandReader().push(bytes, (c) => out.push(c));
  return out;
}

describe('a NUL ends the command block as a C string', () => {
  it('api echo a\\0b answers a', async () => {
    const sw = await rawClient();
    sw.write('api echo a\0b\n\n');
    const [reply] = await sw.frames(1);
    expect(reply!.contentType).toBe('api/response');
    expect(reply!.bodyText).toBe('a');
  });

  it('a NUL in a header hides the Content-Length after it: the body is read as the next command', async () => {
    // The injection confirmed on FreeSWITCH: sendevent CUSTOM, Event-Subclass: x\0y, and a body
    // that is a command of its own.
    const sw = await rawClient();
    const body = 'api echo INJECTED\n\n';
    sw.write(`sendevent CUSTOM\nEvent-Subclass: x\0y\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
    const [sent, injected] = await sw.frames(2);
    expect(sent!.headers.get('Reply-Text')).toMatch(/^\+OK /);
    expect(injected!.contentType).toBe('api/response');
    expect(injected!.bodyText).toBe('INJECTED');
    const commands = fake!.received.map((c) => c.line);
    expect(commands.slice(-2)).toEqual(['sendevent CUSTOM', 'api echo INJECTED']);
  });

  it('the reader: the header before the NUL is kept, what follows the NUL in the block is not', () => {
    const [c, next] = read(Buffer.from('sendevent CUSTOM\nEvent-Subclass: x\0y\nContent-Length: 4\n\nnext\n\n'));
    expect(c!.line).toBe('sendevent CUSTOM');
    expect(c!.headers.toObject()).toEqual({ 'Event-Subclass': 'x' });
    expect(c!.body.length).toBe(0);
    expect(next!.line).toBe('next');
  });

  it('a body is kept up to its first NUL (FreeSWITCH stores it as a C string), and all of it is consumed', () => {
    const [c, next] = read(Buffer.from('sendevent CUSTOM\nContent-Length: 5\n\nab\0cdapi status\n\n'));
    expect(c!.body.toString()).toBe('ab');
    expect(next!.line).toBe('api status');
  });
});

describe('a command block is cut at 10,485,760 bytes', () => {
  it('api echo <a × (max_len - 9)>api echo OVERFLOW: a 10,485,751-byte reply, then OVERFLOW', async () => {
    const sw = await rawClient();
    const head = 'api echo ';
    sw.write(`${head}${'a'.repeat(MAX_LEN - head.length)}api echo OVERFLOW\n\n`);
    const [echo, overflow] = await sw.frames(2);
    expect(echo!.contentType).toBe('api/response');
    expect(echo!.body.length).toBe(10_485_751);
    expect(echo!.body.every((b) => b === 97)).toBe(true);
    expect(overflow!.bodyText).toBe('OVERFLOW');
  }, 60_000);

  it('the reader cuts at exactly max_len whatever the chunking, and a block that ends at max_len is whole', () => {
    const long = Buffer.from(`api echo ${'b'.repeat(MAX_LEN)}api status\n\n`);
    const whole = read(long);
    expect(whole.map((c) => c.line.length)).toEqual([MAX_LEN, 'bbbbbbbbbapi status'.length]);
    const exact = Buffer.from(`api echo ${'c'.repeat(MAX_LEN - 11)}\n\nnext\n\n`);
    expect(read(exact).map((c) => c.line.slice(-3))).toEqual(['ccc', 'ext']);
    const pieces: ClientCommand[] = [];
    const reader = new CommandReader();
    for (let i = 0; i < long.length; i += 1_000_003) reader.push(long.subarray(i, i + 1_000_003), (c) => pieces.push(c));
    expect(pieces.map((c) => c.line)).toEqual(whole.map((c) => c.line));
  });
});

describe('lines are split as parse_command splits them', () => {
  it('the first CR anywhere ends the first line before an earlier LF does (strip_cr looks for CR first)', () => {
    // FreeSWITCH's strip_cr cuts at the first CR, else the first LF: a CR further down merges lines.
    const [c] = read(Buffer.from('api echo hi\nX-Header: y\r\n\r\n'));
    expect(c!.line).toBe('api echo hi\nX-Header: y');
    expect(c!.headers.size).toBe(0);
  });

  it('the whole block is kept as FreeSWITCH keeps its Command header, up to the NUL', () => {
    const [c] = read(Buffer.from('sendmsg\ncall-command: execute\nexecute-app-arg: unload mod_event_socket\0\n\n'));
    expect(c!.block).toBe('sendmsg\ncall-command: execute\nexecute-app-arg: unload mod_event_socket');
  });

  it('FakeSwitch rewrites any command whose block names unload and mod_event_socket, header values included', async () => {
    const sw = await rawClient();
    sw.write('sendmsg\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /sounds/unload-mod_event_socket.wav\n\n');
    const [reply] = await sw.frames(1);
    // parse_command's "cheat": the command becomes `api bgapi unload mod_event_socket`.
    expect(reply!.contentType).toBe('api/response');
    expect(reply!.bodyText).toMatch(/^\+OK Job-UUID: /);
  });
});
