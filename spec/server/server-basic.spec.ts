import net from 'node:net';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, EslDisconnectedError, EslTimeoutError, Server } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { dial } from '../helpers/dialer';

let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Server handshake (against a hand-driven FreeSWITCH)', () => {
  it('sends connect first, then myevents, pipelined, and hands out the connection with its channel data', async () => {
    server = await Server.listen({ port: 0 });
    const got = firstValueFrom(server.connections$);
    const fs = await dial(server.port, 'call-1');
    const conn = await got;
    expect(conn).toBeInstanceOf(Connection);
    expect(conn.uuid).toBe('call-1');
    expect(conn.channelData?.getHeader('Caller-Caller-ID-Number')).toBe('1000');
    expect(conn.channelData?.getHeader('Reply-Text')).toBe('+OK\n');
    expect(conn.state).toBe('ready');
    expect(fs.commands.map((c) => c.line)).toEqual(['connect', 'myevents']);
    expect(server.connectionCount).toBe(1);
    // Commands work as on an inbound connection; execute needs no uuid.
    const reply = await firstValueFrom(conn.execute('answer'));
    expect(reply.kind).toBe('reply');
    expect(fs.commands[2]!.line).toBe('sendmsg');
    expect(fs.commands[2]!.headers.get('execute-app-name')).toBe('answer');
    fs.close();
    await conn.closed;
    expect(server.connectionCount).toBe(0);
  });

  it('execute on an outbound connection without myevents sends no subscription of its own (it would fail without full)', async () => {
    server = await Server.listen({ port: 0, myevents: false });
    const got = firstValueFrom(server.connections$);
    const fs = await dial(server.port, 'call-nm');
    const conn = await got;
    conn.execute('answer').subscribe({ error: () => {} });
    await fs.command(2);
    expect(fs.commands.map((c) => c.line)).toEqual(['connect', 'sendmsg']);
  });

  it('applies linger and the event format before handing out', async () => {
    server = await Server.listen({ port: 0, linger: 5, eventFormat: 'json' });
    const got = firstValueFrom(server.connections$);
    const fs = await dial(server.port, 'call-2');
    await got;
    expect(fs.commands.map((c) => c.line)).toEqual(['connect', 'myevents json', 'linger 5']);
  });

  it('a peer that never answers connect is dropped after the handshake timeout', async () => {
    server = await Server.listen({ port: 0, handshakeTimeout: 200 });
    const err = firstValueFrom(server.errors$);
    const fs = await dial(server.port, 'x', { answerConnect: false });
    const closed = new Promise<void>((r) => fs.socket.once('close', () => r()));
    expect(await err).toBeInstanceOf(EslTimeoutError);
    await closed;
  });

  it('pending commands fail with EslDisconnectedError when FreeSWITCH hangs up mid-command', async () => {
    server = await Server.listen({ port: 0, myevents: false });
    const got = firstValueFrom(server.connections$);
    const fs = await dial(server.port, 'call-3', { answerOthers: false });
    const conn = await got;
    const a = firstValueFrom(conn.api('sleep', '100000')).catch((e: unknown) => e);
    const b = firstValueFrom(conn.getvar('x')).catch((e: unknown) => e);
    await fs.command(3);
    fs.send(ServerFrames.disconnectNotice({ controlledSessionUuid: 'call-3' }));
    fs.close();
    expect(await a).toBeInstanceOf(EslDisconnectedError);
    expect(await b).toBeInstanceOf(EslDisconnectedError);
    await conn.closed;
    expect(conn.state).toBe('closed');
  });

  it('refuses connections beyond maxConnections', async () => {
    server = await Server.listen({ port: 0, maxConnections: 1 });
    const conns: Connection[] = [];
    server.connections$.subscribe((c) => conns.push(c));
    const refused = firstValueFrom(server.errors$);
    const a = await dial(server.port, 'a');
    await a.command(2);
    await new Promise((r) => setTimeout(r, 20));
    const b = await dial(server.port, 'b');
    await new Promise<void>((r) => b.socket.once('close', () => r()));
    expect((await refused).message).toMatch(/max connections \(1\) reached/);
    expect(b.commands).toHaveLength(0);
    expect(conns.map((c) => c.uuid)).toEqual(['a']);
    a.close();
  });

  it('closes (and reports) a connection that arrives while nobody subscribes to connections$', async () => {
    server = await Server.listen({ port: 0 });
    const reported = firstValueFrom(server.errors$);
    const fs = await dial(server.port, 'orphan');
    expect((await reported).message).toMatch(/no subscriber/);
    await new Promise<void>((r) => fs.socket.once('close', () => r()));
    expect(fs.commands.map((c) => c.line)).toContain('exit');
  });

  it('adopts an existing net.Server', async () => {
    const raw = net.createServer();
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    server = await Server.listen({ server: raw });
    const got = firstValueFrom(server.connections$);
    await dial((raw.address() as net.AddressInfo).port, 'adopted');
    expect((await got).uuid).toBe('adopted');
    await server.close();
    server = undefined;
    await new Promise<void>((r) => raw.close(() => r()));
  });
});
