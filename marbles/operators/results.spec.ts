/**
 * jobResult() and applicationResult(): a bgapi's or an execute's outcome alone, over a
 * scripted FreeSWITCH (what it sends is below, frame by frame). FreeSWITCH answers bgapi with
 * `+OK Job-UUID: ...`, then fires BACKGROUND_JOB with the output as its body; an execute with
 * `+OK`, then CHANNEL_EXECUTE_COMPLETE with the same Application-UUID (mod_event_socket.c,
 * api_exec and parse_command; switch_core_session.c, switch_core_session_exec).
 */
import { type Observable, map, mergeMap } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { type ApplicationResult, type BackgroundJob, EslCommandError, applicationResult, jobResult } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { scheduler, scriptedConnection, wire } from '../helpers';

const subscribed = wire.reply('+OK event listener enabled plain');
const job = (uuid: string, output: string): Buffer =>
  ServerFrames.event('plain', `Event-Name: BACKGROUND_JOB\nJob-UUID: ${uuid}\nJob-Command: status\nContent-Length: ${Buffer.byteLength(output)}\n\n${output}`);
const completion = (app: string): Buffer => wire.event('CHANNEL_EXECUTE_COMPLETE', `Unique-ID: u1\nApplication: ${app}\nApplication-Response: FILE%20PLAYED\nApplication-UUID: app-1\n`);

describe('jobResult', () => {
  it("emits the BackgroundJob alone, when it comes, and completes", () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('  --a-r---j', { a: subscribed, r: wire.reply('+OK Job-UUID: j1'), j: job('j1', '+OK UP 3 s\n') });
      const bgapi = cold('  -x|');
      const result = '      --------(j|)';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(bgapi.pipe(mergeMap(() => conn.bgapi('status', undefined, { jobUuid: 'j1' }).pipe(jobResult())), map((j) => `${j.kind} ${j.text}`))).toBe(result, { j: 'job +OK UP 3 s' });
    });
  });

  it('a bgapi refused (failOnError: false: the refusal is a value) fails with its EslCommandError: there is no job', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('  --a-r', { a: subscribed, r: wire.reply('-ERR permission denied') });
      const bgapi = cold('  -x|');
      const result = '      ----#';
      const { conn } = scriptedConnection(ts, server);
      expectObservable(bgapi.pipe(mergeMap(() => conn.bgapi('status', undefined, { failOnError: false }).pipe(jobResult())))).toBe(
        result,
        undefined,
        new EslCommandError('bgapi status', '-ERR permission denied'),
      );
    });
  });

  it('a job whose output is an error: emitted with ok false when failOnError is false, as bgapi emits it', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('  --a-r-j', { a: subscribed, r: wire.reply('+OK Job-UUID: j1'), j: job('j1', '-ERR NO_ANSWER\n') });
      const bgapi = cold('  -x|');
      const result = '      ------(j|)';
      const { conn } = scriptedConnection(ts, server);
      const ok = map((j: BackgroundJob) => `${j.ok} ${j.text}`);
      expectObservable(bgapi.pipe(mergeMap(() => conn.bgapi('originate', 'user/1000 &park', { jobUuid: 'j1', failOnError: false }).pipe(jobResult())), ok)).toBe(result, {
        j: 'false -ERR NO_ANSWER',
      });
    });
  });
});

describe('applicationResult', () => {
  it("emits the ApplicationResult alone (the application's CHANNEL_EXECUTE_COMPLETE) and completes", () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      // rxesl subscribes CHANNEL_EXECUTE_COMPLETE, then CHANNEL_HANGUP_COMPLETE, before the first inbound execute
      const server = hot('  --a-a-r-c', { a: subscribed, r: wire.reply('+OK'), c: completion('playback') });
      const execute = cold('-x|');
      const result = '      --------(c|)';
      const { conn } = scriptedConnection(ts, server);
      const done = conn.execute('playback', 'a.wav', { uuid: 'u1', eventUuid: 'app-1' }).pipe(applicationResult());
      expectObservable(execute.pipe(mergeMap(() => done), map((r) => `${r.application} ${r.response}`))).toBe(result, { c: 'playback FILE PLAYED' });
    });
  });

  it('an execute refused (failOnError: false) fails with its EslCommandError: the application never ran', () => {
    const ts = scheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const server = hot('  --a-a-r', { a: subscribed, r: wire.reply('-ERR invalid session id [u1]') });
      const execute = cold('-x|');
      const result = '      ------#';
      const { conn } = scriptedConnection(ts, server);
      const done = conn.execute('playback', 'a.wav', { uuid: 'u1', failOnError: false }).pipe(applicationResult());
      expectObservable(execute.pipe(mergeMap(() => done))).toBe(result, undefined, new EslCommandError('sendmsg u1', '-ERR invalid session id [u1]'));
    });
  });
});

describe('the types: no union to narrow', () => {
  it('bgapi().pipe(jobResult()) is an Observable of BackgroundJob, execute().pipe(applicationResult()) of ApplicationResult', () => {
    const ts = scheduler();
    ts.run(({ hot }) => {
      const { conn } = scriptedConnection(ts, hot(''));
      // Built, not subscribed: nothing is sent.
      expectTypeOf(conn.bgapi('status').pipe(jobResult())).toEqualTypeOf<Observable<BackgroundJob>>();
      expectTypeOf(conn.execute('answer').pipe(applicationResult())).toEqualTypeOf<Observable<ApplicationResult>>();
    });
  });
});
