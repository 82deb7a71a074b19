/**
 * A scripted FreeSWITCH for the modesl facade's unit tests: a TCP server that greets inbound
 * clients with auth/request and answers each command with the reply FreeSWITCH 1.10.12 gives
 * (the common ones), or with what a test's own `answer` returns. Tests push any other frame
 * (events, notices, garbage) with `peer.send` and close or reset the socket at will.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { CommandReader, ServerFrames, type ClientCommand } from 'rxesl/testing';
import type { Connection } from 'rxesl/modesl';

export interface Peer {
  socket: net.Socket;
  commands: ClientCommand[];
  /** Resolves with the nth command (1-based) once it has arrived. */
  command(n: number): Promise<ClientCommand>;
  send(...frames: Buffer[]): void;
  /** FreeSWITCH's goodbye: the disconnect notice, then the socket closes. */
  hangUp(): void;
  /** A reset (RST), as when the peer dies. */
  reset(): void;
}

export interface ScriptedSwitch {
  port: number;
  peers: Peer[];
  /** Resolves with the nth connection (1-based). */
  peer(n?: number): Promise<Peer>;
  close(): Promise<void>;
}

/** What to write back for a command; undefined: the default reply below. */
export type Answer = (cmd: ClientCommand, peer: Peer) => Buffer[] | undefined;

export interface ScriptOptions {
  password?: string;
  /** Send auth/request on connect (inbound). Default true. */
  greet?: boolean;
  answer?: Answer;
  /** Write the BACKGROUND_JOB right after a bgapi reply (body `+OK <command>\n`). Default true. */
  completeJobs?: boolean;
}

export function backgroundJob(jobUuid: string, command: string, body: string, format: 'plain' | 'json' = 'json'): Buffer {
  const headers: Record<string, string> = {
    'Event-Name': 'BACKGROUND_JOB',
    'Core-UUID': 'core-0001',
    'Job-UUID': jobUuid,
    'Job-Command': command.split(' ')[0]!,
  };
  return eventFrame(headers, body, format);
}

export function eventFrame(headers: Record<string, string>, body?: string, format: 'plain' | 'json' = 'json'): Buffer {
  if (format === 'json') {
    const obj: Record<string, string> = { ...headers };
    if (body !== undefined) {
      obj['Content-Length'] = String(Buffer.byteLength(body));
      obj._body = body;
    }
    return ServerFrames.event('json', JSON.stringify(obj));
  }
  let text = '';
  for (const [n, v] of Object.entries(headers)) text += `${n}: ${encodeURIComponent(v)}\n`;
  text += body === undefined ? '\n' : `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  return ServerFrames.event('plain', text);
}

function defaultAnswer(cmd: ClientCommand, peer: Peer, options: ScriptOptions): Buffer[] {
  const line = cmd.line;
  if (line.startsWith('auth ')) {
    if (line.slice(5) === (options.password ?? 'ClueCon')) return [ServerFrames.commandReply('+OK accepted')];
    setImmediate(() => peer.hangUp());
    return [ServerFrames.commandReply('-ERR invalid')];
  }
  if (line === 'connect') {
    return [ServerFrames.connectReply({ names: ['Event-Name', 'Core-UUID', 'Unique-ID', 'Channel-Name'], values: ['CHANNEL_DATA', 'core-0001', 'chan-0001', 'sofia/internal/1000@192.0.2.1'] }, { socketMode: 'async', control: 'full' })];
  }
  const format = /^event (plain|json|xml)/.exec(line);
  if (format) return [ServerFrames.commandReply(`+OK event listener enabled ${format[1]}`)];
  if (line.startsWith('api ')) return [ServerFrames.apiResponse(`+OK ${line.slice(4)}\n`)];
  if (line.startsWith('bgapi ')) {
    const id = cmd.headers.get('Job-UUID') ?? randomUUID();
    const out = [ServerFrames.commandReply(`+OK Job-UUID: ${id}`, [['Job-UUID', id]])];
    if (options.completeJobs !== false) out.push(backgroundJob(id, line.slice(6), `+OK ${line.slice(6)}\n`));
    return out;
  }
  const filter = /^filter (?!delete)(\S+) (.+)$/.exec(line);
  if (filter) return [ServerFrames.commandReply(`+OK filter added. [${filter[1]}]=[${filter[2]}]`)];
  const del = /^filter delete (\S+) ?(.*)$/.exec(line);
  if (del) return [ServerFrames.commandReply(`+OK filter deleted. [${del[1]}][${del[2]}]`)];
  if (line.startsWith('sendmsg')) return [ServerFrames.commandReply('+OK')];
  if (line.startsWith('sendevent')) return [ServerFrames.commandReply(`+OK ${randomUUID()}`)];
  if (line.startsWith('myevents')) return [ServerFrames.commandReply('+OK Events Enabled')];
  if (line === 'exit') {
    setImmediate(() => peer.hangUp());
    return [ServerFrames.commandReply('+OK bye')];
  }
  return [ServerFrames.commandReply('-ERR command not found')];
}

export async function scriptedSwitch(options: ScriptOptions = {}): Promise<ScriptedSwitch> {
  const peers: Peer[] = [];
  const peerWaiters: Array<[number, (p: Peer) => void]> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const commands: ClientCommand[] = [];
    const waiters: Array<[number, (c: ClientCommand) => void]> = [];
    const peer: Peer = {
      socket,
      commands,
      command: (n) => (commands.length >= n ? Promise.resolve(commands[n - 1]!) : new Promise((r) => waiters.push([n, r]))),
      send: (...frames) => {
        for (const f of frames) if (!socket.destroyed) socket.write(f);
      },
      hangUp: () => {
        if (socket.destroyed) return;
        socket.write(ServerFrames.disconnectNotice());
        socket.end();
      },
      reset: () => socket.resetAndDestroy(),
    };
    peers.push(peer);
    for (const [n, w] of peerWaiters) if (n === peers.length) w(peer);
    const reader = new CommandReader();
    socket.on('data', (chunk) => {
      reader.push(chunk, (cmd) => {
        commands.push(cmd);
        for (const [n, w] of waiters) if (n === commands.length) w(cmd);
        const out = options.answer?.(cmd, peer) ?? defaultAnswer(cmd, peer, options);
        peer.send(...out);
      });
    });
    if (options.greet !== false) socket.write(ServerFrames.authRequest());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    peers,
    peer: (n = 1) => (peers.length >= n ? Promise.resolve(peers[n - 1]!) : new Promise((r) => peerWaiters.push([n, r]))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A spec's teardown: the modesl connections it opened (their listeners removed and 'error'
 * muted, so that the reset of closing is not reported), then the scripted switch.
 */
export async function closeAll(conns: Connection[], sw: ScriptedSwitch | undefined): Promise<void> {
  for (const c of conns.splice(0)) {
    c.removeAllListeners();
    c.on('error', () => {});
    c.rx.destroy();
  }
  await sw?.close();
}
