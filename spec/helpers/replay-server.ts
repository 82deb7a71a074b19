/**
 * A TCP server that plays the server side of a captured FreeSWITCH session: on connect it
 * writes what FreeSWITCH wrote before the client's first command, and after each command the
 * client sends it writes what FreeSWITCH wrote after the same command in the capture. The
 * bytes are the real ones; only the pacing is ours.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

import { type ClientCommand, CommandReader, rechunk } from 'rxesl/testing';
import { FIXTURES_DIR, loadFixture } from './fixtures';

export interface ReplayServer {
  port: number;
  /** Commands received, per connection. */
  received: ClientCommand[][];
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** Re-chunk every write into pieces of this many bytes (1 = byte by byte). */
  chunkSize?: number;
  /** Close the socket after the last step when the capture's server closed it. Default true. */
  closeAtEnd?: boolean;
}

export async function replayServer(fixture: string, options: ReplayOptions = {}): Promise<ReplayServer> {
  const fx = loadFixture(fixture);
  // steps[0]: before any command; steps[i]: after command i.
  const steps: Buffer[][] = [[]];
  for (const line of readFileSync(join(FIXTURES_DIR, fixture, 'transcript.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { dir: string; b64: string };
    if (rec.dir === 'c2s') steps.push([]);
    else steps[steps.length - 1]!.push(Buffer.from(rec.b64, 'base64'));
  }
  const serverClosed = (fx.meta.connections[0] as { serverClosed?: boolean } | undefined)?.serverClosed !== false;
  const received: ClientCommand[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const mine: ClientCommand[] = [];
    received.push(mine);
    const write = (chunks: Buffer[]): void => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        if (options.chunkSize) for (const piece of rechunk(c, options.chunkSize)) socket.write(piece);
        else socket.write(c);
      }
    };
    write(steps[0]!);
    const reader = new CommandReader();
    socket.on('data', (chunk) => {
      try {
        reader.push(chunk, (cmd) => {
          mine.push(cmd);
          const step = steps[mine.length];
          if (!step) return;
          write(step);
          if (mine.length === steps.length - 1 && serverClosed && options.closeAtEnd !== false) socket.end();
        });
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
