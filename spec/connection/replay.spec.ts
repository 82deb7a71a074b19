/**
 * The Connection against the real bytes of FreeSWITCH 1.10.12: a replay server plays the
 * server side of each capture (spec/helpers/replay-server.ts).
 */
import { firstValueFrom, lastValueFrom, toArray, take, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiResponse, BackgroundJob, CommandReply, Connection, EslAuthError, EslCommandError, type ConnectionState } from 'rxesl';
import { loadFixture } from '../helpers/fixtures';
import { replayServer, type ReplayServer } from '../helpers/replay-server';

let server: ReplayServer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  await conn?.close();
  conn = undefined;
  await server?.close();
  server = undefined;
});

const bodies = (fixture: string, type: string) => loadFixture(fixture).frames.filter((f) => f.contentType === type);

for (const chunkSize of [undefined, 1]) {
  const how = chunkSize ? 'byte by byte' : 'in the captured chunks';

  describe(`against the captures, ${how}`, () => {
    it('01: auth, api status / version / an unknown command / show api, then close with exit', async () => {
      server = await replayServer('01-auth-api-basic', { chunkSize });
      const states: ConnectionState[] = [];
      conn = await Connection.connect({ port: server.port, password: 'ClueCon' });
      conn.state$.subscribe((s) => states.push(s));
      expect(conn.state).toBe('ready');
      const api = bodies('01-auth-api-basic', 'api/response');
      const status = await firstValueFrom(conn.api('status'));
      expect(status).toBeInstanceOf(ApiResponse);
      expect(status.body).toBe(api[0]!.bodyText);
      expect((await firstValueFrom(conn.api('version'))).text).toMatch(/^FreeSWITCH Version 1\.10\.12/);
      const err = await firstValueFrom(conn.api('nosuchcmd')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EslCommandError);
      expect((err as EslCommandError).replyText).toBe('-ERR nosuchcmd Command not found!\n');
      const showApi = await firstValueFrom(conn.api('show', 'api'));
      expect(showApi.body.length).toBe(api[3]!.bodyLength);
      await conn.close();
      expect(states).toEqual(['ready', 'closed']);
      expect(server.received[0]!.map((c) => c.line)).toEqual(['auth ClueCon', 'api status', 'api version', 'api nosuchcmd', 'api show api', 'exit']);
    });

    it('02: a wrong password is an EslAuthError with the reply text', async () => {
      server = await replayServer('02-auth-wrong-password', { chunkSize });
      const err = await Connection.connect({ port: server.port, password: 'WrongPassword' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EslAuthError);
      expect((err as EslAuthError).reason).toBe('invalid');
      expect((err as EslAuthError).replyText).toBe('-ERR invalid');
    });

    it('05: bgapi emits the reply with its Job-UUID, then the BACKGROUND_JOB, in plain and in json', async () => {
      for (const format of ['plain', 'json'] as const) {
        const name = `05-bgapi-jobuuid-${format}`;
        server = await replayServer(name, { chunkSize });
        const replies = bodies(name, 'command/reply').filter((f) => f.headers['Job-UUID']);
        const jobs = loadFixture(name).frames.filter((f) => f.event);
        conn = await Connection.connect({ port: server.port, eventFormat: format });
        await firstValueFrom(conn.events(format, 'BACKGROUND_JOB'));
        const first = await lastValueFrom(conn.bgapi('status', undefined, { jobUuid: replies[0]!.headers['Job-UUID'] as string }).pipe(toArray()));
        expect(first[0]).toBeInstanceOf(CommandReply);
        expect((first[0] as CommandReply).jobUuid).toBe(replies[0]!.headers['Job-UUID']);
        expect(first[1]).toBeInstanceOf(BackgroundJob);
        expect((first[1] as BackgroundJob).body).toBe(jobs[0]!.event!.body);
        const second = await lastValueFrom(conn.bgapi('version', undefined, { jobUuid: replies[1]!.headers['Job-UUID'] as string }));
        expect((second as BackgroundJob).text).toMatch(/^FreeSWITCH Version/);
        const failed = await lastValueFrom(conn.bgapi('nosuchcmd', 'some args', { jobUuid: replies[2]!.headers['Job-UUID'] as string })).catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(EslCommandError);
        expect((failed as EslCommandError).replyText).toBe('-ERR nosuchcmd Command not found!\n');
        const long = replies[3]!.headers['Job-UUID'] as string;
        expect(long).toBe('caller-chosen-job-id-longer-than-36-characters-0001');
        const utf8 = (await lastValueFrom(conn.bgapi('eval', 'x', { jobUuid: long }))) as BackgroundJob;
        expect(utf8.body).toBe(jobs[3]!.event!.body);
        await conn.close();
        await server.close();
      }
      server = undefined;
      conn = undefined;
    });

    it('13: userauth, its Allowed-* headers, and a forbidden api refused by a command/reply', async () => {
      server = await replayServer('13-userauth', { chunkSize });
      conn = await Connection.connect({ port: server.port, user: 'esltest@127.0.0.1', password: 'EslSecret' });
      expect(conn.authReply?.getHeader('Allowed-API')).toBe('status,version,eval');
      expect((await firstValueFrom(conn.api('status'))).ok).toBe(true);
      const denied = await firstValueFrom(conn.api('show', 'channels')).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(EslCommandError);
      expect((denied as EslCommandError).replyText).toBe('-ERR permission denied');
      expect(server.received[0]![0]!.line).toBe('userauth esltest@127.0.0.1:EslSecret');
    });

    it('08: log 7 sends log/data lines to logs$, and log lines never disturb the replies', async () => {
      server = await replayServer('08-log-data', { chunkSize });
      conn = await Connection.connect({ port: server.port });
      const lines: string[] = [];
      conn.logs$.subscribe((l) => lines.push(`${l.levelName}:${l.text}`));
      expect((await firstValueFrom(conn.log(7))).replyText).toBe('+OK log level 7 [7]');
      expect(conn.logLevel).toBe('7');
      expect((await firstValueFrom(conn.api('status'))).body).toMatch(/^UP /);
      const originate = await firstValueFrom(conn.api('originate', 'loopback/hangup/default &park', { failOnError: false }));
      expect(originate.ok).toBe(false);
      expect((await firstValueFrom(conn.api('version'))).text).toMatch(/^FreeSWITCH Version/);
      expect(lines.length).toBeGreaterThan(10);
      expect(lines.some((l) => l.startsWith('debug:'))).toBe(true);
    });

    it('06: event plain ALL delivers every event of the call, each parsed once and shared', async () => {
      server = await replayServer('06-events-all-call-plain', { chunkSize });
      const expected = loadFixture('06-events-all-call-plain').frames.filter((f) => f.event).map((f) => f.event!.headers['Event-Name']);
      conn = await Connection.connect({ port: server.port });
      const a: unknown[] = [];
      const b: unknown[] = [];
      conn.events$.subscribe((e) => a.push(e));
      conn.events$.subscribe((e) => b.push(e));
      const names = conn.events$.pipe(take(expected.length), toArray(), timeout(5000));
      const got = firstValueFrom(names);
      await firstValueFrom(conn.events('plain', 'ALL'));
      const origUuid = loadFixture('06-events-all-call-plain').frames.find((f) => f.headers['Job-UUID'])!.headers['Job-UUID'] as string;
      const job = (await lastValueFrom(conn.bgapi('originate', '{origination_uuid=x}loopback/answer_park/default &park', { jobUuid: origUuid }))) as BackgroundJob;
      expect(job.body).toMatch(/^\+OK /);
      await firstValueFrom(conn.api('uuid_kill', 'x'));
      expect((await got).map((e) => (e as { name: string }).name)).toEqual(expected);
      expect(a.length).toBe(b.length);
      expect(a.every((e, i) => e === b[i])).toBe(true);
    });
  });
}
