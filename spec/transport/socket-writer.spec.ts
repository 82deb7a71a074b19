/**
 * SocketWriter: the first write of a tick goes straight to the socket; the ones after it in the
 * same tick are corked and leave together when the tick ends. Bytes and order are unchanged.
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

afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('SocketWriter', () => {
  it('writes a lone command at once, uncorked', async () => {
    const { client, received } = await pair();
    const writer = new SocketWriter(client);
    expect(writer.write('api status\n\n')).toBe(true);
    expect(client.writableCorked).toBe(0);
    await expect.poll(received).toBe('api status\n\n');
  });

  it('corks the writes that follow in the same tick and uncorks at the end of the tick', async () => {
    const { client, received } = await pair();
    const writer = new SocketWriter(client);
    writer.write('api one\n\n');
    expect(client.writableCorked).toBe(0);
    writer.write('api two\n\n');
    writer.write(Buffer.from('api three\n\n'));
    expect(client.writableCorked).toBe(1);
    await new Promise<void>((r) => process.nextTick(r));
    expect(client.writableCorked).toBe(0);
    await expect.poll(received).toBe('api one\n\napi two\n\napi three\n\n');
    // A new tick starts over: its first write is not corked.
    writer.write('api four\n\n');
    expect(client.writableCorked).toBe(0);
    await expect.poll(received).toBe('api one\n\napi two\n\napi three\n\napi four\n\n');
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
