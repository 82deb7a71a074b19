/**
 * A hand-driven FreeSWITCH in outbound mode: it connects to a server, sends nothing until it
 * reads `connect`, answers with a CHANNEL_DATA connect reply, and answers every later command
 * with the reply text FreeSWITCH 1.10.12 gives. Tests script the rest (events, notices, close).
 */
import net from 'node:net';
import { CommandReader, ServerFrames, type ClientCommand } from 'rxesl/testing';

export interface Dialer {
  socket: net.Socket;
  commands: ClientCommand[];
  /** Resolves with the nth command (1-based) once it has arrived. */
  command(n: number): Promise<ClientCommand>;
  send(bytes: Buffer): void;
  close(): void;
}

export function channelData(uuid: string): { names: string[]; values: string[] } {
  return {
    names: ['Event-Name', 'Core-UUID', 'Channel-State', 'Channel-Name', 'Unique-ID', 'Call-Direction', 'Caller-Caller-ID-Number', 'variable_sip_from_user'],
    values: ['CHANNEL_DATA', 'core-1', 'CS_EXECUTE', 'sofia/internal/1000@192.0.2.1', uuid, 'inbound', '1000', '1000'],
  };
}

const REPLIES: Array<[RegExp, string]> = [
  [/^myevents/, '+OK Events Enabled'],
  [/^linger (\d+)$/, '+OK will linger $1 seconds'],
  [/^linger$/, '+OK will linger'],
  [/^nolinger$/, '+OK will not linger'],
  [/^event (plain|json|xml)/, '+OK event listener enabled $1'],
  [/^sendmsg/, '+OK'],
  [/^resume$/, '+OK'],
  [/^exit$/, '+OK bye'],
];

export function dial(port: number, uuid: string, options: { answerConnect?: boolean; answerOthers?: boolean } = {}): Promise<Dialer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const commands: ClientCommand[] = [];
    const waiters: Array<[number, (c: ClientCommand) => void]> = [];
    const reader = new CommandReader();
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      reader.push(chunk, (cmd) => {
        commands.push(cmd);
        for (const [n, w] of waiters) if (n === commands.length) w(cmd);
        if (cmd.line === 'connect') {
          if (options.answerConnect !== false) {
            socket.write(ServerFrames.connectReply(channelData(uuid), { socketMode: 'async', control: 'full' }));
          }
          return;
        }
        if (options.answerOthers === false) return;
        if (cmd.line.startsWith('api ')) {
          socket.write(ServerFrames.apiResponse(`+OK ${cmd.line.slice(4)}\n`));
          return;
        }
        const hit = REPLIES.find(([re]) => re.test(cmd.line));
        socket.write(ServerFrames.commandReply(hit ? cmd.line.replace(hit[0], hit[1]) : '-ERR command not found'));
        if (cmd.line === 'exit') {
          socket.write(ServerFrames.disconnectNotice({ controlledSessionUuid: uuid }));
          socket.end();
        }
      });
    });
    socket.once('connect', () =>
      resolve({
        socket,
        commands,
        command: (n) =>
          commands.length >= n ? Promise.resolve(commands[n - 1]!) : new Promise((r) => waiters.push([n, r])),
        send: (bytes) => socket.write(bytes),
        close: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}
