/**
 * What the Server reports on errors$ when it closes a connection FreeSWITCH opened to it: each
 * reason its own error class, with what it is about.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EslError, EslMaxConnectionsError, EslNoSubscriberError, Server } from 'rxesl';
import { dial } from '../helpers/dialer';

let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Server refusals', () => {
  it('beyond maxConnections: EslMaxConnectionsError with the limit and the peer, before any command', async () => {
    server = await Server.listen({ port: 0, maxConnections: 1 });
    server.connections$.subscribe();
    const refused = firstValueFrom(server.errors$);
    const a = await dial(server.port, 'a');
    await a.command(2);
    const b = await dial(server.port, 'b');
    const err = await refused;
    expect(err).toBeInstanceOf(EslMaxConnectionsError);
    expect(err).toBeInstanceOf(EslError);
    expect(err.name).toBe('EslMaxConnectionsError');
    const max = err as EslMaxConnectionsError;
    expect(max.maxConnections).toBe(1);
    expect(max.peer).toBe(`127.0.0.1:${b.socket.localPort}`);
    expect(b.commands).toEqual([]);
    a.close();
    b.close();
  });

  it('nobody subscribed to connections$: EslNoSubscriberError with the call, once connect was answered', async () => {
    server = await Server.listen({ port: 0 });
    const reported = firstValueFrom(server.errors$);
    const fs = await dial(server.port, 'orphan');
    const err = await reported;
    expect(err).toBeInstanceOf(EslNoSubscriberError);
    expect(err.name).toBe('EslNoSubscriberError');
    expect((err as EslNoSubscriberError).uuid).toBe('orphan');
    expect(fs.commands[0]!.line).toBe('connect');
    fs.close();
  });
});
