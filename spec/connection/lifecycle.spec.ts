/**
 * Opening, closing and reconnecting at awkward moments, against a scripted server that writes
 * the frames below byte for byte: close() during authentication, a password that cannot go on
 * the wire, a drop while subscriptions are being restored after a reconnect.
 */
import net from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ConnectionState, EslArgumentError, EslDisconnectedError } from 'rxesl';

const AUTH_REQUEST = 'Content-Type: auth/request\n\n';
const reply = (text: string): string => `Content-Type: command/reply\nReply-Text: ${text}\n\n`;
const apiResponse = (body: string): string => `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;

/** What FreeSWITCH answers to the few commands these tests send. */
function answer(line: string, socket: net.Socket): void {
  if (line.startsWith('auth ')) socket.write(reply('+OK accepted'));
  else if (line.startsWith('event ')) socket.write(reply('+OK event listener enabled plain'));
  else if (line === 'api status') socket.write(apiResponse('UP 0 years, 0 days\n'));
  else if (line === 'exit') socket.end(reply('+OK bye'));
}

interface ScriptedServer {
  port: number;
  /** The command lines read, one list per connection, in order. */
  commands: string[][];
  sockets: net.Socket[];
  close(): Promise<void>;
}

/**
 * A server that greets each connection (unless `greet` is false) and hands every command line
 * it reads to `onCommand`, with the connection's number (1 for the first).
 */
async function scriptedServer(onCommand: (line: string, socket: net.Socket, n: number) => void, greet = true): Promise<ScriptedServer> {
  const commands: string[][] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    const n = sockets.push(socket);
    const mine: string[] = [];
    commands.push(mine);
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('data', (text: string) => {
      buffered += text;
      // These commands have no body: each is a block ending in a blank line.
      for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
        const line = buffered.slice(0, end).split('\n')[0]!;
        buffered = buffered.slice(end + 2);
        mine.push(line);
        onCommand(line, socket, n);
      }
    });
    if (greet) socket.write(AUTH_REQUEST);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let server: ScriptedServer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  await conn?.close();
  conn = undefined;
  await server?.close();
  server = undefined;
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await sleep(5);
};
/** The outcome of a promise, or 'still pending' after `ms`. */
const settledWithin = (p: Promise<unknown>, ms: number): Promise<unknown> =>
  Promise.race([p.then((v) => v, (e: unknown) => e), sleep(ms).then(() => 'still pending')]);

describe('close() during authentication', () => {
  for (const when of ['before auth/request', 'after auth was sent'] as const) {
    it(`${when}: open() fails at once with EslDisconnectedError, not at the auth timeout`, async () => {
      // No reply to auth ever comes (and, in the first case, no auth/request either).
      server = await scriptedServer(() => {}, when === 'after auth was sent');
      conn = Connection.create({ port: server.port, timeout: 0 });
      const opened = conn.open();
      if (when === 'after auth was sent') await until(() => server!.commands[0]?.[0] === 'auth ClueCon');
      else await firstValueFrom(conn.state$.pipe(filter((s) => s === 'authenticating')));
      await conn.close();
      const err = await settledWithin(opened, 500);
      expect(err).toBeInstanceOf(EslDisconnectedError);
      expect((err as Error).message).toBe('connection closed during authentication');
      expect(conn.state).toBe('closed');
    });
  }
});

describe('a password or user that cannot go on the wire', () => {
  for (const [what, options] of [
    ['password', { password: 'Clue\nCon' }],
    ['user', { user: '1000@default\r\napi status', password: 'x' }],
  ] as const) {
    it(`a ${what} with a line break fails open() with EslArgumentError, and nothing is written`, async () => {
      server = await scriptedServer(answer);
      // Before the auth/request frame arrived, the encoding threw inside the read path:
      // an uncaught exception, and open() waited for its timeout.
      const err = await settledWithin(Connection.connect({ port: server.port, timeout: 2000, ...options }), 1000);
      expect(err).toBeInstanceOf(EslArgumentError);
      expect(server.commands.flat()).toEqual([]);
    });
  }
});

describe('a drop while restoring after a reconnect', () => {
  it('is retried by the same reconnect loop: reconnecting, then ready once, with a socket, and commands work', async () => {
    // Connection 2 hangs up on the `event` command that restores the subscription.
    server = await scriptedServer((line, socket, n) => {
      if (n === 2 && line.startsWith('event ')) socket.destroy();
      else answer(line, socket);
    });
    conn = await Connection.connect({ port: server.port, reconnect: { initialDelay: 20, jitter: 0 } });
    await firstValueFrom(conn.events('plain', 'CHANNEL_CREATE'));
    const states: string[] = [];
    conn.state$.subscribe((s: ConnectionState) => states.push(conn?.socket ? s : `${s} (no socket)`));
    const errors: string[] = [];
    conn.errors$.subscribe((e) => errors.push(e.message));

    server.sockets[0]!.destroy();
    await firstValueFrom(conn.state$.pipe(filter((s) => s === 'reconnecting')));
    await firstValueFrom(conn.state$.pipe(filter((s) => s === 'ready')));
    expect((await firstValueFrom(conn.api('status'))).body).toBe('UP 0 years, 0 days\n');
    await sleep(200); // time for a second reconnect loop, if one had started

    expect(states).toEqual(['ready', 'reconnecting (no socket)', 'ready']);
    expect(server.commands).toEqual([
      ['auth ClueCon', 'event plain CHANNEL_CREATE'],
      ['auth ClueCon', 'event plain CHANNEL_CREATE'],
      ['auth ClueCon', 'event plain CHANNEL_CREATE', 'api status'],
    ]);
    expect(errors).toContain('connection lost before it was ready');
  });
});

describe('a command that was never written says so, and one written whose reply never came says that', () => {
  /** The error a command fails with, its message and whether it was sent. */
  const failure = async (p: Promise<unknown>): Promise<{ message: string; sent: boolean | undefined }> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EslDisconnectedError);
    return { message: (err as Error).message, sent: (err as EslDisconnectedError).sent };
  };

  it('issued once close() has begun (exit written): "connection closing ... not sent", and it is never written', async () => {
    // Before, it was written after exit (which FreeSWITCH reads last) and failed as a command
    // whose reply never came.
    server = await scriptedServer(answer);
    conn = await Connection.connect({ port: server.port });
    const closing = conn.close();
    const late = failure(firstValueFrom(conn.api('status')));
    expect(await late).toEqual({ message: 'connection closing: "api status" not sent', sent: false });
    await closing;
    expect(server.commands).toEqual([['auth ClueCon', 'exit']]);
  });

  it('issued after close(): "connection closed ... not sent"', async () => {
    server = await scriptedServer(answer);
    conn = await Connection.connect({ port: server.port });
    await conn.close();
    expect(await failure(firstValueFrom(conn.api('status')))).toEqual({ message: 'connection closed: "api status" not sent', sent: false });
  });

  it('held before the connection was ready, then close(): not sent either', async () => {
    server = await scriptedServer(() => {}, false);
    conn = Connection.create({ port: server.port, timeout: 0 });
    const opened = conn.open().catch(() => undefined);
    const held = failure(firstValueFrom(conn.api('status')));
    await conn.close();
    await opened;
    expect(await held).toEqual({ message: 'connection closed: "api status" not sent', sent: false });
    expect(server.commands.flat()).toEqual([]);
  });

  it('issued while reconnecting with whileReconnecting "fail": "reconnecting ... not sent"', async () => {
    server = await scriptedServer((line, socket, n) => (n === 1 ? answer(line, socket) : undefined), true);
    conn = await Connection.connect({ port: server.port, reconnect: { initialDelay: 60_000 }, whileReconnecting: 'fail' });
    server.sockets[0]!.destroy();
    await firstValueFrom(conn.state$.pipe(filter((s) => s === 'reconnecting')));
    expect(await failure(firstValueFrom(conn.api('status')))).toEqual({ message: 'reconnecting: "api status" not sent', sent: false });
  });

  it('written, and the socket goes before the reply: "connection lost before the reply", sent', async () => {
    // No answer to the api: the server drops the connection instead.
    server = await scriptedServer((line, socket) => (line === 'api status' ? socket.destroy() : answer(line, socket)));
    conn = await Connection.connect({ port: server.port });
    expect(await failure(firstValueFrom(conn.api('status')))).toEqual({ message: 'connection lost before the reply to "api status"', sent: true });
  });
});
