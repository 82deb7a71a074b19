import { describe, expect, it } from 'vitest';
import { parseFrames } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { DISCONNECT_GOODBYE } from '../../lib/protocol/content-type';
import { fixtureNames, loadFixture } from '../helpers/fixtures';

/** Every frame of every capture, as exact bytes. */
function capturedFrames() {
  const out: Array<{ where: string; bytes: Buffer; frame: ReturnType<typeof parseFrames>[number] }> = [];
  for (const name of fixtureNames()) {
    const fx = loadFixture(name);
    for (const f of fx.frames) {
      const bytes = fx.s2c.subarray(f.offset, f.offset + f.length);
      out.push({ where: `${name}@${f.offset}`, bytes, frame: parseFrames(bytes)[0]! });
    }
  }
  return out;
}

describe('ServerFrames writes what FreeSWITCH 1.10.12 wrote, byte for byte', () => {
  const all = capturedFrames();
  const h = (f: (typeof all)[number], n: string): string => f.frame.headers.get(n)!;

  it('auth/request', () => {
    for (const f of all.filter((x) => x.frame.contentType === 'auth/request')) expect(ServerFrames.authRequest().equals(f.bytes)).toBe(true);
  });

  it('every command/reply, with its extra headers (bgapi Job-UUID, userauth Allowed-*)', () => {
    const replies = all.filter((x) => x.frame.contentType === 'command/reply');
    expect(replies.length).toBeGreaterThan(50);
    for (const f of replies) {
      const extra = [...f.frame.headers].filter(([n]) => n !== 'Content-Type' && n !== 'Reply-Text');
      expect(ServerFrames.commandReply(h(f, 'Reply-Text'), extra).toString('latin1'), f.where).toBe(f.bytes.toString('latin1'));
    }
  });

  it('every api/response', () => {
    for (const f of all.filter((x) => x.frame.contentType === 'api/response')) {
      expect(ServerFrames.apiResponse(f.frame.body).equals(f.bytes), f.where).toBe(true);
    }
  });

  it('every event frame: Content-Length first', () => {
    for (const f of all.filter((x) => x.frame.contentType?.startsWith('text/event-'))) {
      const format = f.frame.contentType!.slice('text/event-'.length) as 'plain' | 'json' | 'xml';
      expect(ServerFrames.event(format, f.frame.body).equals(f.bytes), f.where).toBe(true);
    }
  });

  it('every log/data line: Content-Length second, User-Data possibly empty', () => {
    const logs = all.filter((x) => x.frame.contentType === 'log/data');
    expect(logs.length).toBe(97);
    for (const f of logs) {
      const bytes = ServerFrames.logData({
        level: Number(h(f, 'Log-Level')),
        textChannel: Number(h(f, 'Text-Channel')),
        file: h(f, 'Log-File'),
        func: h(f, 'Log-Func'),
        line: Number(h(f, 'Log-Line')),
        userData: h(f, 'User-Data'),
        text: f.frame.bodyText,
      });
      expect(bytes.equals(f.bytes), f.where).toBe(true);
    }
  });

  it('every disconnect notice: plain, session-bound, and the linger notice', () => {
    const notices = all.filter((x) => x.frame.contentType === 'text/disconnect-notice');
    let linger = 0;
    let session = 0;
    for (const f of notices) {
      const uuid = f.frame.headers.get('Controlled-Session-UUID');
      let bytes: Buffer;
      if (f.frame.headers.get('Content-Disposition') === 'linger') {
        linger++;
        bytes = ServerFrames.lingerNotice({ controlledSessionUuid: uuid!, channelName: h(f, 'Channel-Name'), lingerTime: Number(h(f, 'Linger-Time')) });
      } else {
        if (uuid) session++;
        expect(f.frame.bodyText).toBe(DISCONNECT_GOODBYE);
        bytes = ServerFrames.disconnectNotice(uuid ? { controlledSessionUuid: uuid } : {});
      }
      expect(bytes.toString('latin1'), f.where).toBe(f.bytes.toString('latin1'));
    }
    expect(linger).toBeGreaterThan(0);
    expect(session).toBeGreaterThan(0);
  });

  it('the rude rejection of PROTOCOL.md §1.9', () => {
    expect(Buffer.concat([ServerFrames.rudeRejection(), ServerFrames.disconnectNotice()]).toString()).toBe(
      'Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\nContent-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
    );
  });
});
