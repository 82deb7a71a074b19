/**
 * The outbound Server against FakeSwitch dialling out: a thousand concurrent calls, linger,
 * and peers that misbehave.
 */
import net from 'node:net';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ApplicationResult, type Connection, EslDisconnectedError, Server } from 'rxesl';
import type { FakeSwitch } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

let fake: FakeSwitch | undefined;
let server: Server | undefined;

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('1,000 concurrent outbound calls', () => {
  it('each answered, played to, asked for digits (injected DTMF) and hung up; every event reaches its own connection', async () => {
    fake = await startFakeSwitch({ media: { playbackMs: 20 }, maxSessions: 5000, heartbeatIntervalMs: 0 });
    server = closeAfterTest(await Server.listen({ port: 0 }));
    const n = 1000;
    const results = new Map<string, string>();
    const foreign: string[] = [];
    const failures: unknown[] = [];
    server.connections$.subscribe((conn: Connection) => {
      const uuid = conn.uuid!;
      conn.events$.subscribe((e) => {
        const id = e.getHeader('Unique-ID');
        if (id !== uuid) foreign.push(`${uuid} got ${e.name} of ${id}`);
      });
      void (async () => {
        await lastValueFrom(conn.execute('answer'));
        await lastValueFrom(conn.execute('playback', 'ivr/welcome.wav'));
        const done = await lastValueFrom(conn.execute('play_and_get_digits', '1 4 1 3000 # ivr/menu.wav ivr/invalid.wav choice \\d+'));
        results.set(uuid, (done as ApplicationResult).event.getHeader('variable_choice') ?? '');
        await lastValueFrom(conn.hangup());
      })().catch((err: unknown) => failures.push(err));
    });
    const calls = Array.from({ length: n }, (_, i) =>
      fake!.call({ socket: `127.0.0.1:${server!.port} async full`, dtmf: `${1000 + i}#`, callerIdNumber: String(2000 + i) }),
    );
    await Promise.all(calls.map((c) => c.whenDestroyed));
    expect(failures).toEqual([]);
    expect(foreign).toEqual([]);
    expect(results.size).toBe(n);
    calls.forEach((c, i) => expect(results.get(c.uuid)).toBe(String(1000 + i)));
    await waitFor(() => server!.connectionCount === 0 && fake!.connectionCount === 0);
    expect(fake.channels()).toEqual([]);
  }, 120_000);
});

describe('linger', () => {
  it('without linger the connection closes at the hangup; with linger 1 the notice comes first, events keep flowing, then the close', async () => {
    fake = await startFakeSwitch({ heartbeatIntervalMs: 0 });
    for (const linger of [false, 1] as const) {
      server = closeAfterTest(await Server.listen({ port: 0, linger }));
      const got = firstValueFrom(server.connections$);
      const call = fake.call({ socket: `127.0.0.1:${server.port} async full` });
      const conn = await got;
      const notices: string[] = [];
      conn.notices$.subscribe((n) => notices.push(n.getHeader('Content-Disposition') ?? ''));
      const names: string[] = [];
      conn.events$.subscribe((e) => names.push(e.name!));
      const states: string[] = [];
      conn.state$.subscribe((s) => states.push(s));
      call.hangup('NORMAL_CLEARING');
      await conn.closed;
      if (linger === false) {
        expect(notices).toEqual(['disconnect']);
        expect(states).toEqual(['ready', 'closed']);
      } else {
        expect(notices).toEqual(['linger', 'disconnect']);
        expect(states).toEqual(['ready', 'lingering', 'closed']);
        expect(names).toContain('CHANNEL_HANGUP_COMPLETE');
      }
      await server.close();
      server = undefined;
    }
  });

  it('linger forever: the socket stays open after the hangup until we exit', async () => {
    fake = await startFakeSwitch({ heartbeatIntervalMs: 0 });
    server = closeAfterTest(await Server.listen({ port: 0, linger: true }));
    const got = firstValueFrom(server.connections$);
    const call = fake.call({ socket: `127.0.0.1:${server.port} async full` });
    const conn = await got;
    expect(fake.received.map((c) => c.line)).toEqual(['connect', 'myevents', 'linger']);
    const lingering = firstValueFrom(conn.state$.pipe(filter((s) => s === 'lingering')));
    call.hangup();
    await lingering;
    await new Promise((r) => setTimeout(r, 200));
    expect(conn.state).toBe('lingering');
    // commands still work while lingering
    expect((await firstValueFrom(conn.api('status'))).ok).toBe(true);
    expect((await firstValueFrom(conn.exit())).replyText).toBe('+OK bye');
    await conn.closed;
  });

  it('resume lets the dialplan continue after the socket session', async () => {
    fake = await startFakeSwitch({ heartbeatIntervalMs: 0 });
    server = closeAfterTest(await Server.listen({ port: 0 }));
    const got = firstValueFrom(server.connections$);
    fake.call({ socket: `127.0.0.1:${server.port} async full` });
    const conn = await got;
    expect((await firstValueFrom(conn.resume())).replyText).toBe('+OK');
    await firstValueFrom(conn.exit());
    await conn.closed;
  });
});

describe('peers that misbehave', () => {
  it('FreeSWITCH hanging up mid-command fails that connection\'s pending commands and no other', async () => {
    fake = await startFakeSwitch({ heartbeatIntervalMs: 0, media: { playbackMs: 60_000 } });
    server = closeAfterTest(await Server.listen({ port: 0 }));
    const conns = firstValueFrom(server.connections$.pipe(take(2), toArray()));
    const a = fake.call({ socket: `127.0.0.1:${server.port} async full` });
    fake.call({ socket: `127.0.0.1:${server.port} async full` });
    const [c1, c2] = await conns;
    const [ca, cb] = c1!.uuid === a.uuid ? [c1!, c2!] : [c2!, c1!];
    // A playback the hangup interrupts completes: FreeSWITCH fires CHANNEL_EXECUTE_COMPLETE when
    // the application returns, then (no linger) the disconnect notice, and closes.
    const playing = lastValueFrom(ca.execute('playback', 'long.wav'));
    await firstValueFrom(ca.eventsNamed('CHANNEL_EXECUTE'));
    a.hangup('USER_BUSY');
    expect(((await playing) as ApplicationResult).kind).toBe('complete');
    await ca.closed;
    // A command waiting for its reply when the socket goes fails at once.
    const d = fake.call({ socket: `127.0.0.1:${server.port} async full` });
    const cd = await firstValueFrom(server.connections$.pipe(filter((c) => c.uuid === d.uuid)));
    const fakeConn = fake.connections.find((c) => c.sessionUuid === d.uuid)!;
    fakeConn.setFaults({ replyDelayMs: 60_000 });
    const pending = firstValueFrom(cd.api('status')).catch((e: unknown) => e);
    await waitFor(() => fakeConn.commands.some((c) => c.line === 'api status'));
    fakeConn.destroy();
    expect(await pending).toBeInstanceOf(EslDisconnectedError);
    await cd.closed;
    expect(cb.state).toBe('ready');
    expect((await firstValueFrom(cb.api('status'))).ok).toBe(true);
  });

  it('a peer that connects and closes mid-frame, and one that never reads, do not hold the server', async () => {
    server = closeAfterTest(await Server.listen({ port: 0, handshakeTimeout: 300 }));
    const errors: Error[] = [];
    server.errors$.subscribe((e) => errors.push(e));
    // closes in the middle of a connect reply
    const half = net.connect(server.port, '127.0.0.1');
    half.on('error', () => {});
    half.on('data', () => {
      half.end('Event-Name: CHANNEL_DATA\nUnique-ID: x\nContent-Ty');
    });
    // never reads, never answers
    const mute = net.connect(server.port, '127.0.0.1');
    mute.on('error', () => {});
    mute.pause();
    await waitFor(() => errors.length >= 2, 5000);
    expect(errors.map((e) => e.name).sort()).toEqual(['EslDisconnectedError', 'EslTimeoutError']);
    expect(errors.find((e) => e.name === 'EslTimeoutError')!.message).toMatch(/^outbound peer 127\.0\.0\.1:\d+ did not complete the handshake within 300 ms$/);
    expect(server.connectionCount).toBe(0);
    half.destroy();
    mute.destroy();
  });
});
