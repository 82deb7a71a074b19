/**
 * SocketWriter: the first write of a tick goes straight to the socket; the ones after it in the
 * same tick are gathered and leave as one write when the tick ends. Bytes and order are unchanged.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketWriter } from '../../lib/transport/index.js';

const opened: net.Socket[] = [];
let server: net.Server | undefined;

async function pair(): Promise<{ client: net.Socket; received: () => string }> {
  let peerData = '';
  server = net.createServer((peer) => {
    opened.push(peer);
    peer.setEncoding('utf8');
    peer.on('data', (d: string) => (peerData += d));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  opened.push(client);
  await new Promise<void>((r) => client.once('connect', () => r()));
  return { client, received: () => peerData };
}

/** What reaches socket.write, as text, in order. */
function spy(socket: net.Socket): string[] {
  const seen: string[] = [];
  const original = socket.write.bind(socket) as (data: string | Uint8Array) => boolean;
  (socket as unknown as { write: (data: string | Uint8Array) => boolean }).write = (data) => {
    seen.push(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
    return original(data);
  };
  return seen;
}

afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('SocketWriter', () => {
  it('writes a lone command at once', async () => {
    const { client, received } = await pair();
    const writes = spy(client);
    const writer = new SocketWriter(client);
    expect(writer.write('api status\n\n')).toBe(true);
    expect(writes).toEqual(['api status\n\n']);
    await expect.poll(received).toBe('api status\n\n');
  });

  it('gathers the writes that follow in the same tick into one write at the end of the tick', async () => {
    const { client, received } = await pair();
    const writes = spy(client);
    const writer = new SocketWriter(client);
    writer.write('api one\n\n');
    writer.write('api two\n\n');
    writer.write('api three\n\n');
    expect(writes).toEqual(['api one\n\n']);
    await new Promise<void>((r) => process.nextTick(r));
    expect(writes).toEqual(['api one\n\n', 'api two\n\napi three\n\n']);
    await expect.poll(received).toBe('api one\n\napi two\n\napi three\n\n');
    // A new tick starts over: its first write goes at once.
    writer.write('api four\n\n');
    expect(writes).toHaveLength(3);
    await expect.poll(received).toBe('api one\n\napi two\n\napi three\n\napi four\n\n');
  });

  it('keeps bytes in their place after the text gathered before them', async () => {
    const { client, received } = await pair();
    const writes = spy(client);
    const writer = new SocketWriter(client);
    writer.write('api one\n\n');
    writer.write('sendmsg\n');
    writer.write(Buffer.from('content-length: 2\n\nhi'));
    writer.write('api two\n\n');
    await new Promise<void>((r) => process.nextTick(r));
    expect(writes).toEqual(['api one\n\n', 'sendmsg\n', 'content-length: 2\n\nhi', 'api two\n\n']);
    await expect.poll(received).toBe('api one\n\nsendmsg\ncontent-length: 2\n\nhiapi two\n\n');
  });

  it('writes strings as UTF-8', async () => {
    const { client, received } = await pair();
    new SocketWriter(client).write('api echo ünïcode ☎\n\n');
    await expect.poll(received).toBe('api echo ünïcode ☎\n\n');
  });

  it('returns false once the socket is destroyed, and leaves it alone', async () => {
    const { client } = await pair();
    const writer = new SocketWriter(client);
    writer.write('api one\n\n');
    writer.write('api two\n\n');
    client.destroy();
    expect(writer.write('api three\n\n')).toBe(false);
    await new Promise<void>((r) => process.nextTick(r));
    expect(client.destroyed).toBe(true);
  });
});
