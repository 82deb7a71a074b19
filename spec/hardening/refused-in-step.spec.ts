/**
 * A refused command writes nothing, so the replies stay in step: the command after it gets its
 * own reply. Against FakeSwitch, which reads commands as FreeSWITCH 1.10.12 does (a NUL ends
 * the block, a block is cut at 10 MiB), so a refused command that were written anyway would
 * shift every later reply.
 */
import { defer, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, EslArgumentError, EslEvent, MAX_COMMAND_BLOCK_BYTES } from 'rxesl';
import esl, { type Event } from 'rxesl/modesl';
import { FakeSwitch } from 'rxesl/testing';

let fake: FakeSwitch | undefined;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await fake?.stop();
  fake = undefined;
});

async function connect(): Promise<Connection> {
  fake = await FakeSwitch.start({ heartbeatIntervalMs: 0 });
  const conn = await Connection.connect({ port: fake.port });
  cleanup.push(() => conn.close());
  return conn;
}

const lines = (): string[] => fake!.received.map((c) => c.line).filter((l) => !l.startsWith('auth '));

describe('a refused command between two good ones', () => {
  const refusals: Array<[string, (conn: Connection) => unknown]> = [
    ['a NUL in api arguments', (conn) => conn.api('echo', 'a\0b')],
    ['a NUL in a sendevent subclass, with a body that is a command', (conn) =>
      conn.sendEvent(new EslEvent([['Event-Name', 'CUSTOM'], ['Event-Subclass', 'x\0y']], 'api echo INJECTED\n\n'))],
    ['a Content-Length header in sendMsg, without a body', (conn) => conn.sendMsg('u1', { 'call-command': 'hangup', 'Content-Length': '9' })],
    ['a command line over 10 MiB', (conn) => conn.api('echo', `${'a'.repeat(MAX_COMMAND_BLOCK_BYTES)}api echo OVERFLOW`)],
    ['a CR in a bgapi Job-UUID', (conn) => conn.bgapi('status', undefined, { jobUuid: 'j\r' })],
  ];
  for (const [what, refuse] of refusals) {
    it(`${what}: refused with EslArgumentError, nothing written, both replies matched`, async () => {
      const conn = await connect();
      const first = firstValueFrom(conn.api('echo', 'one'));
      const refused = firstValueFrom(defer(() => refuse(conn) as ReturnType<Connection['api']>)).then(
        () => undefined,
        (err: unknown) => err,
      );
      const third = firstValueFrom(conn.api('echo', 'three'));
      expect(await refused).toBeInstanceOf(EslArgumentError);
      expect((await first).body).toBe('one');
      expect((await third).body).toBe('three');
      expect(lines()).toEqual(['api echo one', 'api echo three']);
    });
  }

  it('rxesl/modesl: the same', async () => {
    fake = await FakeSwitch.start({ heartbeatIntervalMs: 0 });
    const port = fake.port;
    const conn = await new Promise<InstanceType<typeof esl.Connection>>((resolve) => {
      const c: InstanceType<typeof esl.Connection> = new esl.Connection('127.0.0.1', port, 'ClueCon', () => resolve(c));
      c.on('error', () => {});
    });
    cleanup.push(() => conn.rx.destroy());
    const api = (args: string): Promise<Event> =>
      new Promise((resolve, reject) => {
        try {
          conn.api('echo', args, (ev: Event) => (ev.error ? reject(ev.error) : resolve(ev)));
        } catch (err) {
          reject(err);
        }
      });
    const first = api('one');
    const refused = api('a\0b').then(
      () => undefined,
      (err: unknown) => err,
    );
    const third = api('three');
    expect(await refused).toBeInstanceOf(EslArgumentError);
    expect((await first).getBody()).toBe('one');
    expect((await third).getBody()).toBe('three');
    // (modesl subscribes to its events first.)
    expect(lines().filter((l) => l.startsWith('api '))).toEqual(['api echo one', 'api echo three']);
  });
});
