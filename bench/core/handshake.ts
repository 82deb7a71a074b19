/**
 * The untimed part of the limit readers: connect, wait for auth/request, authenticate. After
 * it the socket has no 'data' listener and is paused, ready for a reader of its own.
 */
import net from 'node:net';
import { FrameParser, type Frame } from '../../lib/index.js';
import type { ConnectOptions } from './types.js';

export async function authenticatedSocket(options: ConnectOptions): Promise<net.Socket> {
  const socket = net.connect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    const parser = new FrameParser();
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      parser.push(chunk, (f: Frame) => {
        if (f.contentType === 'auth/request') {
          socket.write(`auth ${options.password}\n\n`);
        } else if (f.contentType === 'command/reply') {
          socket.off('data', onData);
          socket.off('error', fail);
          socket.pause();
          if (f.headers.get('Reply-Text')?.startsWith('+OK')) resolve();
          else fail(new Error(`auth refused: ${f.headers.get('Reply-Text')}`));
        }
      });
    };
    socket.on('data', onData);
    socket.on('error', fail);
  });
  return socket;
}

/** The reply to `event <format> ALL`, which the stream follows. */
export function subscriptionReply(format: string): string {
  return `Content-Type: command/reply\nReply-Text: +OK event listener enabled ${format}\n\n`;
}
