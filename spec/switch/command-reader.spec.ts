import { describe, expect, it } from 'vitest';
import { EslProtocolError } from 'rxesl';
import { atoi } from '../../lib/switch/command-reader';
import { type ClientCommand, CommandReader, rechunk } from 'rxesl/testing';
import { fixtureNames, loadFixture } from '../helpers/fixtures';

function read(chunks: Uint8Array[]): ClientCommand[] {
  const out: ClientCommand[] = [];
  const r = new CommandReader();
  for (const c of chunks) r.push(c, (cmd) => out.push(cmd));
  return out;
}

describe('CommandReader reads what clients wrote in the captures', () => {
  for (const name of fixtureNames()) {
    const fx = loadFixture(name);
    it(`${name}: one command per client write, whole or byte by byte`, () => {
      const perWrite = fx.c2sChunks.map((c) => read([c]));
      expect(perWrite.every((cmds) => cmds.length === 1)).toBe(true);
      const lines = perWrite.map((cmds) => cmds[0]!.line);
      expect(read([fx.c2s]).map((c) => c.line)).toEqual(lines);
      expect(read(rechunk(fx.c2s, 1)).map((c) => c.line)).toEqual(lines);
      const sent = fx.meta.clientSent;
      if (sent) {
        const first = sent.split(';')[0]!.trim();
        expect(lines[0]!.startsWith(first.split(' ')[0]!)).toBe(true);
      }
    });
  }

  it('09: sendevent with its headers and a 136-byte body', () => {
    const cmds = read([loadFixture('09-sendevent-custom-plain').c2s]);
    const send = cmds.find((c) => c.line === 'sendevent CUSTOM')!;
    expect(send.headers.get('Event-Subclass')).toBe('capture::test');
    expect(send.headers.get('X-Array')).toBe('ARRAY::one|:two two|:thrée');
    expect(send.body.length).toBe(136);
    expect(send.body.toString()).toContain('\n\nthird line');
  });
});

describe('CommandReader follows read_packet', () => {
  const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

  it('ends a block at \\n\\n, \\r\\n\\r\\n or \\n\\r\\n and skips CR/LF before a command', () => {
    const cmds = read([bytes('\r\n\napi status\n\nevent plain ALL\r\n\r\nexit\n\r\n')]);
    // strip_cr cuts the line at the first CR, else the first LF: `exit\n\r\n` leaves `exit\n`.
    expect(cmds.map((c) => c.line)).toEqual(['api status', 'event plain ALL', 'exit\n']);
  });

  it('takes the first line as the command even when it has a colon, and ignores lines without one', () => {
    const [c] = read([bytes('api eval a:b\nJob-UUID:   x\nno colon here\n\n')]);
    expect(c!.line).toBe('api eval a:b');
    expect(c!.headers.toObject()).toEqual({ 'Job-UUID': 'x' });
  });

  it('reads a body of Content-Length bytes, case-insensitively named, however it is chunked', () => {
    const wire = bytes('auth ClueCon\ncontent-length: 5\n\n12345api status\n\n');
    for (const size of [1, 2, 3, 7, 100]) {
      const cmds = read(rechunk(wire, size));
      expect(cmds.map((c) => [c.line, c.body.toString()])).toEqual([
        ['auth ClueCon', '12345'],
        ['api status', ''],
      ]);
    }
  });

  it('drops the connection on a negative or over-16-MiB Content-Length', () => {
    expect(() => read([bytes('sendevent CUSTOM\nContent-Length: -1\n\n')])).toThrow(EslProtocolError);
    expect(() => read([bytes(`sendevent CUSTOM\nContent-Length: ${16 * 1024 * 1024 + 1}\n\n`)])).toThrow(
      expect.objectContaining({ code: 'BAD_CONTENT_LENGTH' }),
    );
  });

  it('atoi is C atoi', () => {
    expect([atoi('12'), atoi('  7x'), atoi('abc'), atoi('-3'), atoi('')]).toEqual([12, 7, 0, -3, 0]);
  });
});
