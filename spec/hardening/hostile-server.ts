/**
 * A hostile FreeSWITCH written in the test: it accepts the password, answers `api echo <x>`
 * with x, and `event ...` with +OK, and lets the test write any bytes it likes to the client.
 */
import net from 'node:net';
import { CommandReader, ServerFrames } from 'rxesl/testing';

export interface HostileServer {
  readonly port: number;
  /** The socket of the latest client. */
  socket(): net.Socket;
  /** Waits for a client to have connected and authenticated. */
  authenticated(): Promise<net.Socket>;
  close(): Promise<void>;
}

export async function hostileServer(): Promise<HostileServer> {
  const sockets: net.Socket[] = [];
  let authed: ((s: net.Socket) => void) | undefined;
  let authedSocket: net.Socket | undefined;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    const reader = new CommandReader();
    socket.write(ServerFrames.authRequest());
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, (cmd) => {
          if (cmd.line.startsWith('auth ')) {
            socket.write(ServerFrames.commandReply('+OK accepted'));
            authedSocket = socket;
            authed?.(socket);
          } else if (cmd.line.startsWith('api echo ')) socket.write(ServerFrames.apiResponse(cmd.line.slice(9)));
          else if (cmd.line.startsWith('event ')) socket.write(ServerFrames.commandReply('+OK event listener enabled plain'));
          else if (cmd.line === 'exit') {
            socket.write(ServerFrames.commandReply('+OK bye'));
            socket.end();
          } else socket.write(ServerFrames.commandReply('-ERR command not found'));
        });
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    socket: () => sockets[sockets.length - 1]!,
    authenticated: () => (authedSocket ? Promise.resolve(authedSocket) : new Promise((resolve) => (authed = resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
