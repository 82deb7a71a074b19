/**
 * The frames FreeSWITCH writes, byte for byte, with their header order (PROTOCOL.md §1.3,
 * FINDINGS "Outer header order"). FakeSwitch speaks through these; tests use them to build
 * wire bytes by hand.
 */
import { ContentType, DISCONNECT_GOODBYE, RUDE_REJECTION_BODY, type EventFormat } from '../protocol/content-type.js';
import type { HeaderList } from '../protocol/event-store.js';
import { urlEncode } from '../protocol/url-codec.js';

function frame(head: string, body?: string | Uint8Array): Buffer {
  if (body === undefined) return Buffer.from(`${head}\n`, 'utf8');
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.concat([Buffer.from(head.replace('{LEN}', String(b.length)) + '\n', 'utf8'), b]);
}

export const ServerFrames = {
  /** `Content-Type: auth/request\n\n`: the inbound greeting. */
  authRequest(): Buffer {
    return Buffer.from('Content-Type: auth/request\n\n', 'utf8');
  },

  /** `Content-Type: command/reply`, `Reply-Text`, then any extra headers (bgapi's Job-UUID, userauth's Allowed-*). */
  commandReply(replyText: string, extra: ReadonlyArray<readonly [string, string]> = []): Buffer {
    let head = `Content-Type: command/reply\nReply-Text: ${replyText}\n`;
    for (const [n, v] of extra) head += `${n}: ${v}\n`;
    return Buffer.from(`${head}\n`, 'utf8');
  },

  /** `Content-Type: api/response`, `Content-Length`, body (FreeSWITCH never sends an empty one: `-ERR no reply\n`). */
  apiResponse(body: string | Uint8Array): Buffer {
    return frame('Content-Type: api/response\nContent-Length: {LEN}\n', body);
  },

  /** An event frame: Content-Length FIRST, then Content-Type. */
  event(format: EventFormat, payload: string | Uint8Array): Buffer {
    return frame(`Content-Length: {LEN}\nContent-Type: text/event-${format}\n`, payload);
  },

  /** log/data, headers in FreeSWITCH's order (Content-Length second). */
  logData(line: {
    level: number;
    textChannel?: number;
    file: string;
    func: string;
    line: number;
    userData?: string;
    text: string;
  }): Buffer {
    return frame(
      `Content-Type: log/data\nContent-Length: {LEN}\nLog-Level: ${line.level}\nText-Channel: ${line.textChannel ?? 0}\n` +
        `Log-File: ${line.file}\nLog-Func: ${line.func}\nLog-Line: ${line.line}\nUser-Data: ${line.userData ?? ''}\n`,
      line.text,
    );
  },

  /**
   * text/disconnect-notice. With a controlled session it carries Controlled-Session-UUID and
   * `Content-Disposition: disconnect`. The body is the 67-byte goodbye unless given.
   */
  disconnectNotice(options: { controlledSessionUuid?: string; body?: string } = {}): Buffer {
    let head = `Content-Type: ${ContentType.DisconnectNotice}\n`;
    if (options.controlledSessionUuid) {
      head += `Controlled-Session-UUID: ${options.controlledSessionUuid}\nContent-Disposition: disconnect\n`;
    }
    return frame(`${head}Content-Length: {LEN}\n`, options.body ?? DISCONNECT_GOODBYE);
  },

  /** The linger notice: the socket stays open (Linger-Time -1 means until the client closes). */
  lingerNotice(options: { controlledSessionUuid: string; channelName: string; lingerTime: number }): Buffer {
    return Buffer.from(
      `Content-Type: ${ContentType.DisconnectNotice}\nControlled-Session-UUID: ${options.controlledSessionUuid}\n` +
        `Content-Disposition: linger\nChannel-Name: ${options.channelName}\nLinger-Time: ${options.lingerTime}\n` +
        'Content-Length: 0\n\n',
      'utf8',
    );
  },

  /** text/rude-rejection (ACL refusal), sent instead of auth/request. */
  rudeRejection(): Buffer {
    return frame(`Content-Type: ${ContentType.RudeRejection}\nContent-Length: {LEN}\n`, RUDE_REJECTION_BODY);
  },

  /**
   * The reply to `connect` on an outbound socket: the CHANNEL_DATA event's headers, every value
   * percent-encoded, then Content-Type, Reply-Text `%2BOK%0A`, Socket-Mode and Control; no
   * Content-Length, no body.
   */
  connectReply(channelData: HeaderList, options: { socketMode: 'async' | 'static'; control: 'full' | 'single-channel' }): Buffer {
    let head = '';
    const { names, values } = channelData;
    for (let i = 0; i < names.length; i++) head += `${names[i]}: ${urlEncode(values[i]!)}\n`;
    head += `Content-Type: command/reply\nReply-Text: ${urlEncode('+OK\n')}\nSocket-Mode: ${options.socketMode}\nControl: ${options.control}\n\n`;
    return Buffer.from(head, 'utf8');
  },
} as const;
