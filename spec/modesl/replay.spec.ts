/**
 * rxesl/modesl against the real bytes of FreeSWITCH 1.10.12 (spec/fixtures, replayed by
 * spec/helpers/replay-server.ts), whole and byte by byte. The captures whose second command
 * is an `event` subscription line up with the one modesl sends after auth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, Event } from 'rxesl/modesl';
import { loadFixture } from '../helpers/fixtures';
import { replayServer, type ReplayServer } from '../helpers/replay-server';
import { callback, next, record } from './helpers/record';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The Job-UUIDs FreeSWITCH gave in the capture, in order (passed back as jobid so that the replayed jobs match). */
function jobIds(fixture: string): string[] {
  return loadFixture(fixture)
    .frames.filter((f) => f.contentType === 'command/reply' && f.headers['Job-UUID'])
    .map((f) => f.headers['Job-UUID'] as string);
}

async function open(fixture: string, chunkSize: number | undefined): Promise<{ conn: Connection; log: string[] }> {
  server = await replayServer(fixture, { chunkSize });
  const conn = new Connection('127.0.0.1', server.port, 'ClueCon');
  const log = record(conn);
  await next(conn, 'esl::ready');
  return { conn, log };
}

for (const chunkSize of [undefined, 1]) {
  const how = chunkSize ? 'byte by byte' : 'in the captured chunks';

  describe(`rxesl/modesl on the captures, ${how}`, () => {
    for (const format of ['json', 'plain'] as const) {
      it(`05-bgapi-jobuuid-${format}: bgapi callbacks get their BACKGROUND_JOB, bodies byte-exact`, async () => {
        const name = `05-bgapi-jobuuid-${format}`;
        const ids = jobIds(name);
        const { conn, log } = await open(name, chunkSize);
        const [status] = await callback<[Event]>((cb) => conn.bgapi('status', '', ids[0], cb));
        const [version] = await callback<[Event]>((cb) => conn.bgapi('version', '', ids[1], cb));
        const [unknown] = await callback<[Event]>((cb) => conn.bgapi('nosuchcmd', 'some args', ids[2], cb));
        const [utf8] = await callback<[Event]>((cb) => conn.bgapi('eval', 'héllo ☎ 100% + a&b <x> 😀', ids[3], cb));
        expect(status.getBody()).toMatch(/^UP 0 years/);
        expect(version.getBody()).toMatch(/^FreeSWITCH Version 1\.10\.12/);
        expect(unknown.getBody()).toBe('-ERR nosuchcmd Command not found!\n');
        expect(utf8.getBody()).toBe('héllo ☎ 100% + a&b <x> 😀');
        expect(utf8.getHeader('Content-Length')).toBe(Buffer.byteLength('héllo ☎ 100% + a&b <x> 😀'));
        expect(utf8.getHeader('Job-UUID')).toBe('caller-chosen-job-id-longer-than-36-characters-0001');
        expect(log.filter((n) => n.startsWith('esl::event::BACKGROUND_JOB::'))).toEqual(ids.map((id) => `esl::event::BACKGROUND_JOB::${id}`));
        const ended = next(conn, 'esl::end');
        conn.disconnect();
        await ended;
        expect(server!.received[0]!.map((c) => c.line)).toEqual([
          'auth ClueCon',
          'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
          'bgapi status',
          'bgapi version',
          'bgapi nosuchcmd some args',
          'bgapi eval héllo ☎ 100% + a&b <x> 😀',
          'exit',
        ]);
      });
    }

    it('04-api-utf8-echo: api output with multi-byte text and stray % signs, raw; the BACKGROUND_JOB’s Job-Command-Arg decoded', async () => {
      const ids = jobIds('04-api-utf8-echo');
      const { conn } = await open('04-api-utf8-echo', chunkSize);
      const text = 'héllo ☎ 100% + a&b <x> 😀';
      const [echo] = await callback<[Event]>((cb) => conn.api('echo', text, cb));
      const [evalr] = await callback<[Event]>((cb) => conn.api('eval', text, cb));
      const [job] = await callback<[Event]>((cb) => conn.bgapi('echo', text, ids[0], cb));
      const [percent] = await callback<[Event]>((cb) => conn.api('echo', '50%41 %2B %zz 100%', cb));
      const [job2] = await callback<[Event]>((cb) => conn.bgapi('echo', '50%41 %2B %zz 100%', ids[1], cb));
      expect([echo.getBody(), evalr.getBody(), job.getBody()]).toEqual([text, text, text]);
      expect(echo.getHeader('Content-Length')).toBe(30);
      expect(percent.getBody()).toBe('50%41 %2B %zz 100%');
      expect(job2.getBody()).toBe('50%41 %2B %zz 100%');
      // FreeSWITCH does not re-encode a %XX that is already valid: it reads back decoded.
      expect(job2.getHeader('Job-Command-Arg')).toBe('50A + %zz 100%');
      conn.disconnect();
      await next(conn, 'esl::end');
    });

    it('09-sendevent-custom-plain: sendEvent’s reply, then the CUSTOM event with its multi-line body', async () => {
      const { conn } = await open('09-sendevent-custom-plain', chunkSize);
      const fx = loadFixture('09-sendevent-custom-plain').frames.find((f) => f.event)!;
      const got = next<[Event]>(conn, 'esl::event::CUSTOM::**');
      const e = new Event('CUSTOM', 'capture::test');
      e.addBody('x');
      const [reply] = await callback<[Event]>((cb) => conn.sendEvent(e, cb));
      expect(reply.getHeader('Modesl-Reply-OK')).toBe('21fae058-ef78-432d-a79d-a4b82496893a');
      const [evt] = await got;
      expect(evt.getBody()).toBe(fx.event!.body);
      expect(evt.getHeader('X-Utf8')).toBe('héllo ☎ 😀 ü');
      expect(evt.getHeader('Event-Subclass')).toBe('capture::test');
      conn.disconnect();
      await next(conn, 'esl::end');
    });
  });
}
