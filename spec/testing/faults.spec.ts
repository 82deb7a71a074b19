/**
 * Fault injection and the end of the switch: split frames, slow replies, a connection cut
 * inside a frame, malformed frames, unread sockets, slow consumers, restart, stop.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Commands, FrameParser, type Frame } from 'rxesl';
import { FakeSwitch, ManualClock } from 'rxesl/testing';
import { startFakeSwitch } from '../helpers/fake-switch';
import { RawClient } from './helpers/raw-client';

let fake: FakeSwitch;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
});

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** 'settled' once `p` settles, or 'pending' after `ms` of real time. */
const settlesWithin = (p: Promise<unknown>, ms: number): Promise<string> =>
  Promise.race([p.then(() => 'settled'), new Promise<string>((r) => setTimeout(() => r('pending'), ms).unref())]);

describe('chunked writes', () => {
  it('writes every frame in pieces of the chosen sizes, one socket write each', async () => {
    fake.setFaults({ chunkSizes: [1] });
    const c = await RawClient.connect(fake.port);
    const hello = await c.next();
    expect(hello.contentType).toBe('auth/request');
    // One write per byte on a NODELAY socket, a turn of the event loop apart.
    expect(fake.connections[0]!.writes).toBe('Content-Type: auth/request\n\n'.length);
    expect(Buffer.concat(c.chunks).toString()).toBe('Content-Type: auth/request\n\n');
    fake.setFaults({ chunkSizes: [3, 5] });
    c.write('auth ClueCon\n\n');
    expect((await c.next()).headers.get('Reply-Text')).toBe('+OK accepted');
    expect(await c.text('api echo split me please')).toBe('split me please');
    c.close();
  });

  it('a connection can have its own chunking', async () => {
    const c = await RawClient.authed(fake.port);
    const conn = fake.connections[0]!;
    conn.setFaults({ chunkSizes: [2] });
    const before = c.chunks.length;
    expect(await c.text('api echo abc')).toBe('abc');
    expect(c.chunks.length - before).toBeGreaterThan(10);
    c.close();
  });
});

describe('slow replies', () => {
  it('holds each reply for replyDelayMs of clock time, events waiting behind it', async () => {
    const c = await RawClient.authed(fake.port);
    await c.text('event plain CUSTOM x::y');
    fake.setFaults({ replyDelayMs: 500 });
    c.write('api echo slow\n\n');
    await fake.nextCommand('api echo');
    fake.fire({ name: 'CUSTOM', subclass: 'x::y' });
    await clock.tick(499);
    expect(c.unread).toHaveLength(0);
    await clock.tick(1);
    expect((await c.next()).bodyText).toBe('slow');
    expect((await c.next()).contentType).toBe('text/event-plain');
    c.close();
  });
});

describe('a connection cut inside a frame', () => {
  it('writes part of the next frame and closes', async () => {
    const c = await RawClient.authed(fake.port);
    fake.dropMidFrame(10);
    c.write('api echo 0123456789\n\n');
    await c.whenClosed();
    const tail = Buffer.concat(c.chunks).toString();
    expect(tail.endsWith('Content-Type: command/reply\nReply-Text: +OK accepted\n\nContent-Ty')).toBe(true);
    expect(c.frames.at(-1)!.headers.get('Reply-Text')).toBe('+OK accepted');
    expect(fake.connectionCount).toBe(0);
  });
});

describe('malformed frames', () => {
  it('writes the bytes a client parser must refuse', async () => {
    for (const kind of ['bad-content-length', 'negative-content-length', 'header-without-colon'] as const) {
      const c = await RawClient.authed(fake.port);
      fake.connections.at(-1)!.sendMalformedFrame(kind);
      for (let i = 0; i < 20 && !c.parseError; i++) await turn();
      expect(c.parseError?.name, kind).toBe('EslProtocolError');
      c.close();
    }
  });

  it('truncated-body writes a frame shorter than its Content-Length, then closes', async () => {
    const c = await RawClient.authed(fake.port);
    fake.sendMalformedFrame('truncated-body');
    await c.whenClosed();
    const parser = new FrameParser();
    const frames: Frame[] = [];
    parser.push(Buffer.concat(c.chunks), (f) => frames.push(f));
    expect(frames.map((f) => f.contentType)).toEqual(['auth/request', 'command/reply']);
    // The 25 bytes of body that came of the 100 announced.
    expect(parser.bufferedBytes).toBe(Buffer.byteLength('+OK only part of the body'));
    let code: string | undefined;
    try {
      parser.end();
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).toBe('TRUNCATED');
  });
});

describe('a peer that does not read, and one FakeSwitch does not read', () => {
  it('stops reading a client: its commands wait; reading again answers them', async () => {
    const c = await RawClient.authed(fake.port);
    fake.connections[0]!.setReading(false);
    c.write('api echo later\n\n');
    for (let i = 0; i < 10; i++) await turn();
    expect(c.unread).toHaveLength(0);
    fake.connections[0]!.setReading(true);
    expect((await c.next()).bodyText).toBe('later');
    c.close();
  });

  it('kills a client too slow to read its events, as FreeSWITCH does after 500 lost events', async () => {
    const small = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, eventQueueLimit: 50, sendBufferLimit: 64 * 1024 });
    const c = await RawClient.authed(small.port);
    await c.text('event plain CUSTOM flood::x');
    c.socket.pause();
    const conn = small.connections[0]!;
    const body = 'x'.repeat(2000);
    for (let i = 0; i < 5000 && !conn.closed; i++) {
      small.fire({ name: 'CUSTOM', subclass: 'flood::x', body });
      if (i % 100 === 0) await turn();
    }
    expect(conn.closed).toBe(true);
    c.socket.resume();
    await c.whenClosed();
    const last = c.frames.at(-1)!;
    expect(last.contentType).toBe('text/disconnect-notice');
    expect(last.bodyText).toBe('killed listener because of lost events\n');
  });
});

describe('restart', () => {
  it('drops every connection and channel, then accepts again on the same port', async () => {
    const c = await RawClient.authed(fake.port);
    fake.call({ destination: 'park' });
    const port = fake.port;
    await fake.restart();
    await c.whenClosed();
    expect(fake.channels()).toEqual([]);
    expect(fake.port).toBe(port);
    const again = await RawClient.authed(port);
    expect(await again.text('api echo back')).toBe('back');
    again.close();
  });

  it('with a downtime, refuses connections until the clock has moved on', async () => {
    const port = fake.port;
    const restarted = fake.restart({ downtimeMs: 5000 });
    await turn();
    await expect(RawClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    await clock.tick(5000);
    await restarted;
    const c = await RawClient.authed(port);
    c.close();
  });
});

describe('stop', () => {
  it('sends the shutdown notice, frees the port and every timer', async () => {
    const c = await RawClient.authed(fake.port);
    fake.call({ actions: ['answer', 'playback silence_stream://100000'] });
    const port = fake.port;
    await fake.stop();
    await c.whenClosed();
    expect(c.frames.at(-1)!.bodyText).toBe('The system is being shut down.\n');
    expect(clock.pending).toBe(0);
    await expect(RawClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    await fake.stop();
  });

  it('lets the process exit right after, with calls, connections and heartbeats running', async () => {
    const script = `
      const { FakeSwitch } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'testing', 'index.ts'))});
      const net = require('node:net');
      (async () => {
        const fs = await FakeSwitch.start({ heartbeatIntervalMs: 50 });
        fs.call({ actions: ['answer', 'playback silence_stream://60000'] });
        fs.traffic({ callsPerSecond: 50, destination: 'park' });
        const s = net.connect(fs.port, '127.0.0.1');
        await new Promise((r) => s.once('data', r));
        s.write('auth ClueCon\\n\\nevent plain ALL\\n\\n');
        await new Promise((r) => setTimeout(r, 20));
        await fs.stop();
        console.log('stopped');
      })();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (c) => {
        clearTimeout(killer);
        resolve(c);
      });
    });
    expect(out).toContain('stopped');
    expect(code).toBe(0);
  });
});

describe('encoders', () => {
  it('Commands from the protocol layer drive FakeSwitch unchanged', async () => {
    const c = await RawClient.connect(fake.port);
    await c.next();
    c.write(Commands.auth('ClueCon'));
    expect((await c.next()).headers.get('Reply-Text')).toBe('+OK accepted');
    expect((await c.send(Commands.filter('Event-Name', 'HEARTBEAT'))).headers.get('Reply-Text')).toBe('+OK filter added. [Event-Name]=[HEARTBEAT]');
    c.close();
  });
});

describe('chunk sizes count from the start of each frame', () => {
  it('[k, Infinity] cuts every frame once, after its k-th byte', async () => {
    const c = await RawClient.authed(fake.port);
    const conn = fake.connections[0]!;
    fake.setFaults({ chunkSizes: [7, Number.POSITIVE_INFINITY] });
    const before = c.chunks.length;
    const writes = conn.writes;
    c.write('api echo one\n\napi echo two\n\n');
    expect((await c.next()).bodyText).toBe('one');
    expect((await c.next()).bodyText).toBe('two');
    const got = Buffer.concat(c.chunks.slice(before)).toString();
    expect(got).toBe('Content-Type: api/response\nContent-Length: 3\n\noneContent-Type: api/response\nContent-Length: 3\n\ntwo');
    // Two writes per frame: 7 bytes, then the rest (TCP may join them again on the way).
    expect(conn.writes - writes).toBe(4);
    const ends: number[] = [];
    let at = 0;
    for (const ch of c.chunks.slice(before)) ends.push((at += ch.length));
    expect(ends.every((e) => [7, 49, 56, 98].includes(e))).toBe(true);
    c.close();
  });
});

describe('stop and restart with difficult peers', () => {
  it('stop completes even when a client never reads (its socket is destroyed once the notice is out)', async () => {
    const c = await RawClient.authed(fake.port);
    await c.text('event plain ALL');
    c.socket.pause();
    for (let i = 0; i < 200; i++) fake.fire({ name: 'CUSTOM', subclass: 'big::x', body: 'y'.repeat(10_000) });
    await fake.stop();
    expect(fake.connectionCount).toBe(0);
    c.close();
  });

  it('stop resolves when a client stopped reading with events queued (the notice can never drain)', async () => {
    const c = await RawClient.authed(fake.port);
    await c.text('event plain CUSTOM big::x');
    c.socket.pause();
    const conn = fake.connections[0]!;
    const body = 'y'.repeat(64 * 1024);
    // Until the kernel's buffers are full and the connection holds events back.
    for (let i = 0; i < 5000 && conn.queuedEvents === 0; i++) {
      fake.fire({ name: 'CUSTOM', subclass: 'big::x', body });
      if (i % 20 === 0) await turn();
    }
    expect(conn.queuedEvents).toBeGreaterThan(0);
    expect(await settlesWithin(fake.stop(), 5000)).toBe('settled');
    expect(conn.closed).toBe(true);
    expect(fake.connectionCount).toBe(0);
    c.close();
  });

  it('stop settles a restart waiting out its downtime', async () => {
    const restarted = fake.restart({ downtimeMs: 5000 });
    await turn();
    await fake.stop();
    expect(await settlesWithin(restarted, 2000)).toBe('settled');
    // The stopped switch did not come back after the downtime.
    const port = fake.port;
    await clock.tick(10_000);
    await expect(RawClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('setAcl switches the rude rejection on and off at run time', async () => {
    fake.setAcl(() => false);
    const refused = await RawClient.connect(fake.port);
    await refused.whenClosed();
    expect(refused.frames.map((f) => f.contentType)).toEqual(['text/rude-rejection', 'text/disconnect-notice']);
    fake.setAcl(undefined);
    const ok = await RawClient.authed(fake.port);
    ok.close();
  });
});
