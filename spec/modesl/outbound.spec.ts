/**
 * esl.Connection in outbound mode and esl.Server, with a hand-driven FreeSWITCH that dials
 * in (spec/helpers/dialer.ts): connect first, CHANNEL_DATA, modesl's subscription, the
 * replies in step, and the server's connection::open / ready / close.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerFrames } from 'rxesl/testing';
import esl, { Connection, type Event, Server } from 'rxesl/modesl';
import { type Dialer, dial } from '../helpers/dialer';
import { callback, next, record, until } from './helpers/record';

const CHAN = '40117b0a-186e-11dd-bbcd-7b74b6b4d31e';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A net.Server whose next connection is handed to a modesl Connection. */
async function outbound(): Promise<{ conn: Promise<Connection>; dialer: Dialer; log: string[] }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const log: string[] = [];
  const conn = new Promise<Connection>((resolve) =>
    server.once('connection', (socket) => {
      const c = new Connection(socket);
      // A reset from the dialer's close is emitted as 'error', as modesl did: without a listener it would throw.
      c.on('error', () => {});
      record(c, log);
      cleanup.push(() => c.rx.destroy());
      resolve(c);
    }),
  );
  const dialer = await dial((server.address() as net.AddressInfo).port, CHAN);
  cleanup.push(() => new Promise((r) => server.close(r)), () => dialer.close());
  return { conn, dialer, log };
}

describe('esl.Connection (outbound)', () => {
  it('sends connect first, emits CHANNEL_DATA::<uuid>, subscribes as modesl does, then esl::ready', async () => {
    const { conn: pending, dialer, log } = await outbound();
    const conn = await pending;
    expect(conn.connected()).toBe(true);
    expect(conn.socketDescriptor()).toBe(conn.socket);
    await next(conn, 'esl::ready');
    await until(() => log.length === 4);
    // esl::ready once the subscription is written, from the connect reply's callback (before
    // the listeners of that reply): FreeSWITCH runs what is sent from then on after it.
    expect(log).toEqual([`esl::event::CHANNEL_DATA::${CHAN}`, 'esl::ready', 'esl::event::command::reply', 'esl::event::command::reply']);
    expect(dialer.commands.map((c) => c.line)).toEqual(['connect', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE']);
    const info = conn.getInfo()!;
    expect(info.getHeader('Unique-ID')).toBe(CHAN);
    expect(info.getHeader('Channel-Name')).toBe('sofia/internal/1000@192.0.2.1');
    expect(info.getType()).toBe('CHANNEL_DATA');
  });

  it('the ready callback runs once connect is answered; replies after it reach the right callbacks', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const results = new Promise<string[]>((resolve) =>
      server.once('connection', (socket) => {
        const conn: Connection = new Connection(socket, () => {
          conn.on('error', () => {});
          const out: string[] = [];
          conn.api('status', (res) => out.push(res.getBody()));
          conn.sendRecv('linger', (res) => out.push(res.getHeader('Reply-Text')!));
          conn.api('version', (res) => {
            out.push(res.getBody());
            resolve(out);
          });
        });
        cleanup.push(() => conn.rx.destroy());
      }),
    );
    const dialer = await dial((server.address() as net.AddressInfo).port, CHAN);
    cleanup.push(() => dialer.close());
    // drachtio-modesl sends connect without a callback: every later reply there is one off.
    expect(await results).toEqual(['+OK status\n', '+OK will linger', '+OK version\n']);
  });

  it('execute runs on the connection’s channel by default, on the uuid given otherwise', async () => {
    const { conn: pending, dialer } = await outbound();
    const conn = await pending;
    await next(conn, 'esl::ready');
    const own = callback<[Event]>((cb) => conn.execute('playback', 'a.wav', cb));
    conn.execute('playback', 'b.wav', 'other-uuid');
    const [mine, other] = [await dialer.command(3), await dialer.command(4)];
    expect([mine.line, other.line]).toEqual([`sendmsg ${CHAN}`, 'sendmsg other-uuid']);
    dialer.send(
      ServerFrames.event(
        'json',
        JSON.stringify({ 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': CHAN, Application: 'playback', 'Application-UUID': mine.headers.get('event-uuid') }),
      ),
    );
    expect((await own)[0].getHeader('Application')).toBe('playback');
  });

  it('the end of the call: the disconnect notice, then esl::end; a waiting execute is called back', async () => {
    const { conn: pending, dialer, log } = await outbound();
    const conn = await pending;
    await next(conn, 'esl::ready');
    const exec = callback<[Event]>((cb) => conn.execute('playback', 'long.wav', cb));
    await dialer.command(3);
    dialer.send(ServerFrames.disconnectNotice({ controlledSessionUuid: CHAN }));
    dialer.socket.end();
    expect((await exec)[0].getType()).toBe('SERVER_DISCONNECTED');
    await until(() => log.includes('esl::end'));
    expect(log.slice(-2)).toEqual(['esl::event::disconnect::notice', 'esl::end']);
    expect(conn.socket).toBeNull();
  });
});

describe('esl.Server', () => {
  async function server(opts: ConstructorParameters<typeof Server>[0] = {}): Promise<Server> {
    const s = await callback<[]>((cb) => {
      const srv = new Server({ port: 0, ...opts }, cb);
      srv.on('connection::open', (conn: Connection) => conn.on('error', () => {}));
      cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
      servers.push(srv);
    }).then(() => servers.at(-1)!);
    return s;
  }
  const servers: Server[] = [];

  it('listens (127.0.0.1 by default) and calls back; port 0 gives the port it got', async () => {
    const s = await server();
    expect(s.host).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    expect(s.port).toBe((s.server.address() as net.AddressInfo).port);
    expect(s.connections).toEqual({});
  });

  it('connection::open, then connection::ready (after connect), then connection::close, with an id', async () => {
    const s = await server();
    const log: string[] = [];
    const ids: string[] = [];
    for (const name of ['connection::open', 'connection::ready', 'connection::close']) {
      s.on(name, (conn: Connection, id: string) => {
        log.push(name);
        ids.push(id);
        expect(conn).toBeInstanceOf(Connection);
      });
    }
    const dialer = await dial(s.port, CHAN);
    cleanup.push(() => dialer.close());
    await until(() => log.length === 2);
    expect(s.getCountOfConnections()).toBe(1);
    const conn = s.connections[ids[0]!]!;
    expect(conn._id).toBe(ids[0]);
    expect(conn.getInfo()!.getHeader('Unique-ID')).toBe(CHAN);
    dialer.close();
    await until(() => log.length === 3);
    expect(log).toEqual(['connection::open', 'connection::ready', 'connection::close']);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(s.getCountOfConnections()).toBe(0);
  });

  it('with myevents, sends myevents before connection::ready', async () => {
    const s = await server({ myevents: true });
    expect(s.bindEvents).toBe(true);
    const ready = next<[Connection, string]>(s, 'connection::ready');
    const dialer = await dial(s.port, CHAN);
    cleanup.push(() => dialer.close());
    await ready;
    expect(dialer.commands.map((c) => c.line)).toEqual(['connect', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE', 'myevents']);
  });

  it('with myevents, rxesl knows it (rx.hasMyEvents) once connection::ready is emitted; the bytes are modesl’s', async () => {
    const s = await server({ myevents: true });
    const bytes: Buffer[] = [];
    const ready = new Promise<{ conn: Connection; log: string[]; mine: boolean }>((resolve) =>
      s.once('connection::open', (conn: Connection) => {
        const log = record(conn);
        expect(conn.rx.hasMyEvents).toBe(false);
        s.once('connection::ready', () => {
          log.push('connection::ready');
          resolve({ conn, log, mine: conn.rx.hasMyEvents });
        });
      }),
    );
    const dialer = await dial(s.port, CHAN);
    cleanup.push(() => dialer.close());
    dialer.socket.on('data', (chunk: Buffer) => bytes.push(chunk));
    const { conn, log, mine } = await ready;
    expect(mine).toBe(true);
    expect(conn.rx.hasMyEvents).toBe(true);
    // The callback runs before the listeners of the reply, as sendRecv's did.
    expect(log.slice(-2)).toEqual(['connection::ready', 'esl::event::command::reply']);
    await until(() => Buffer.concat(bytes).toString().endsWith('myevents\n\n'));
    expect(Buffer.concat(bytes).toString()).toBe('connect\n\nevent json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE\n\nmyevents\n\n');
  });

  // `new Server(readyCb)` alone listens on modesl's port 8022: modesl's own suite checks it
  // (spec/modesl-suite), and a second test binding that port at the same time would race it.
  it('takes a net.Server of its own (listening)', async () => {
    const own = net.createServer();
    await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
    const s = await callback<[]>((cb) => servers.push(new Server({ server: own }, cb))).then(() => servers.at(-1)!);
    s.on('connection::open', (conn: Connection) => conn.on('error', () => {}));
    cleanup.push(() => new Promise<void>((r) => own.close(() => r())));
    expect(s.server).toBe(own);
    expect(s.port).toBe((own.address() as net.AddressInfo).port);
    const opened = next(s, 'connection::open');
    const dialer = await dial(s.port, CHAN);
    cleanup.push(() => dialer.close());
    await opened;
  });

  it('connection::ready is not emitted for a call whose connection closed before it was ready (myevents never answered); connection::close is', async () => {
    const s = await server({ myevents: true });
    const log: string[] = [];
    for (const name of ['connection::open', 'connection::ready', 'connection::close']) s.on(name, () => log.push(name));
    const dialer = await dial(s.port, CHAN, { answerOthers: false });
    cleanup.push(() => dialer.close());
    await dialer.command(3);
    expect(dialer.commands[2]!.line).toBe('myevents');
    dialer.close();
    await until(() => log.includes('connection::close'));
    expect(log).toEqual(['connection::open', 'connection::close']);
  });

  it('connection::close for every close, a reset too (modesl’s came with esl::end only, and a reset left the call in connections)', async () => {
    const s = await server();
    const closed = next(s, 'connection::close');
    const ready = next<[Connection]>(s, 'connection::ready');
    const dialer = await dial(s.port, CHAN);
    cleanup.push(() => dialer.close());
    const [conn] = await ready;
    const log = record(conn);
    dialer.socket.resetAndDestroy();
    await closed;
    expect(log).toEqual(['error']);
    expect(s.getCountOfConnections()).toBe(0);
  });

  it('with no error listener, a reset or a malformed event on one call is logged through esl._logger, not thrown; the other calls carry on', async () => {
    const printed: string[] = [];
    const saved = esl._logger;
    esl._logger = (m) => printed.push(m);
    cleanup.push(() => {
      esl._logger = saved;
    });
    // No 'error' listener anywhere, as in most modesl apps: modesl threw, and the process died.
    const s = await callback<[]>((cb) => servers.push(new Server({ port: 0 }, cb))).then(() => servers.at(-1)!);
    cleanup.push(() => new Promise<void>((r) => s.close(() => r())));
    const ready: Connection[] = [];
    s.on('connection::ready', (conn: Connection) => ready.push(conn));
    const dialers = [await dial(s.port, 'call-a'), await dial(s.port, 'call-b'), await dial(s.port, 'call-c')];
    for (const d of dialers) cleanup.push(() => d.close());
    await until(() => ready.length === 3);
    const byUuid = (u: string) => ready.find((c) => c.getInfo()!.getHeader('Unique-ID') === u)!;
    dialers[0]!.socket.resetAndDestroy();
    dialers[1]!.send(ServerFrames.event('json', '{ herp: derp }'));
    await until(() => printed.length === 2);
    expect(printed.some((m) => /unhandled 'error'.*ECONNRESET/s.test(m))).toBe(true);
    expect(printed.some((m) => /unhandled 'error'.*EslProtocolError/s.test(m))).toBe(true);
    const [res] = await callback<[Event]>((cb) => byUuid('call-c').api('status', cb));
    expect(res.getBody()).toBe('+OK status\n');
    const [other] = await callback<[Event]>((cb) => byUuid('call-b').api('version', cb));
    expect(other.getBody()).toBe('+OK version\n');
  });
});

