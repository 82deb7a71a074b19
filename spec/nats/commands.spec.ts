/**
 * Commands over NATS keep the ESL semantics: the same replies as a local Connection, the same
 * error classes, and never a hang.
 */
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiResponse, BackgroundJob, CommandReply, Connection, EslArgumentError, EslCommandError, EslDisconnectedError, EslEvent, EslTimeoutError } from 'rxesl';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  await world.close();
});

describe('commands over NATS', () => {
  it('api gives the ApiResponse a local Connection gives', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const remote = await firstValueFrom(cluster.switch('fs1').api('echo', 'hello world'));
    const local = await Connection.connect({ port: fs.port });
    const direct = await firstValueFrom(local.api('echo', 'hello world'));
    await local.close();
    expect(remote).toBeInstanceOf(ApiResponse);
    expect(remote.command).toBe(direct.command);
    expect(remote.body).toBe(direct.body);
    expect(remote.event.headers.toObject()).toEqual(direct.event.headers.toObject());
    const status = await firstValueFrom(cluster.switch('fs1').api('status'));
    expect(status.text).toMatch(/^UP /);
  });

  it('bgapi is a job stream: the command/reply with its Job-UUID, then the BackgroundJob', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const steps = await lastValueFrom(cluster.switch('fs1').bgapi('echo', 'from afar', { jobUuid: 'job-0001' }).pipe(toArray()));
    expect(steps.map((s) => s.kind)).toEqual(['reply', 'job']);
    const [reply, job] = steps as [CommandReply, BackgroundJob];
    expect(reply).toBeInstanceOf(CommandReply);
    expect(reply.replyText).toBe('+OK Job-UUID: job-0001');
    expect(reply.jobUuid).toBe('job-0001');
    expect(job).toBeInstanceOf(BackgroundJob);
    expect(job.jobUuid).toBe('job-0001');
    expect(job.text).toBe('from afar');
    expect(job.event.name).toBe('BACKGROUND_JOB');
  });

  it('-ERR is an EslCommandError carrying the reply, as locally; failOnError: false gives the reply', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const sw = cluster.switch('fs1');
    const err = await firstValueFrom(sw.api('nosuchcommand', 'x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslCommandError);
    expect(err).toMatchObject({ name: 'EslCommandError', command: 'api nosuchcommand x', replyText: '-ERR nosuchcommand Command not found!\n' });
    // The reply, as locally: its EslEvent.
    expect((err as EslCommandError).reply).toBeInstanceOf(EslEvent);
    expect((err as EslCommandError).reply?.getBody()).toBe('-ERR nosuchcommand Command not found!\n');
    const r = await firstValueFrom(sw.api('nosuchcommand', undefined, { failOnError: false }));
    expect(r.ok).toBe(false);
    const jobErr = await lastValueFrom(sw.bgapi('nosuchcommand')).catch((e: unknown) => e);
    expect(jobErr).toBeInstanceOf(EslCommandError);
    expect((jobErr as EslCommandError).reply?.name).toBe('BACKGROUND_JOB');
  });

  it('an argument that cannot go on the wire is refused before anything is sent, as locally', async () => {
    const cluster = await world.cluster();
    expect(() => cluster.switch('fs1').api('status\nexit')).toThrow(EslArgumentError);
  });

  it('a timeout at the switch is an EslTimeoutError with the command and the timeout', async () => {
    const fs = await world.fakeSwitch();
    fs.api('hang', () => new Promise<string>(() => undefined));
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const err = await firstValueFrom(cluster.switch('fs1').api('hang', undefined, { timeout: 200 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslTimeoutError);
    expect(err).toMatchObject({ command: 'api hang', timeoutMs: 200 });
  });

  it('a switch that is down: EslDisconnectedError at once', async () => {
    const fs = await world.fakeSwitch();
    await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    await fs.stop();
    await nodesUp(cluster, []);
    const err = await firstValueFrom(cluster.switch('fs1').api('status')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslDisconnectedError);
    expect((err as EslDisconnectedError).command).toBe('api status');
  });

  it('no gateway: EslDisconnectedError at once', async () => {
    const cluster = await world.cluster();
    const err = await firstValueFrom(cluster.switch('nowhere').api('status')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslDisconnectedError);
    expect((err as Error).message).toMatch(/no gateway serves nowhere/);
  });

  it('a gateway closing while a command runs: EslDisconnectedError', async () => {
    const fs = await world.fakeSwitch();
    fs.api('hang', () => new Promise<string>(() => undefined));
    const gw = await world.gateway('fs1', fs);
    const cluster = await world.cluster();
    await nodesUp(cluster, ['fs1']);
    const pending = firstValueFrom(cluster.switch('fs1').api('hang')).catch((e: unknown) => e);
    await fs.nextCommand('api hang');
    await gw.close();
    const err = await pending;
    expect(err).toBeInstanceOf(EslDisconnectedError);
    expect((err as Error).message).toMatch(/gateway of fs1 closed/);
  });

  it('a gateway that dies after taking a command (no word any more): EslDisconnectedError after three silent beats', async () => {
    const cluster = await world.cluster({ commandBeatMs: 100 });
    // A "gateway" that takes requests and never answers: a process killed right after.
    const nc = await world.client();
    const taken: string[] = [];
    nc.subscribe('esl.fs9.cmd', { callback: (_e, msg) => void taken.push(msg.reply ?? '') });
    await nc.flush();
    const err = await firstValueFrom(cluster.switch('fs9').api('status')).catch((e: unknown) => e);
    expect(taken).toHaveLength(1);
    expect(err).toBeInstanceOf(EslDisconnectedError);
    expect((err as Error).message).toMatch(/no word from the gateway of fs9 .*"api status" is lost/);
  });

  it('a remote switch has the rest of a Connection too: state, close, what a shared gateway refuses', async () => {
    const fs = await world.fakeSwitch();
    const cluster = await world.cluster();
    const sw = cluster.switch('fs1');
    const states: string[] = [];
    sw.state$.subscribe((s) => states.push(s));
    expect(sw.state).toBe('connecting');
    const gw = await world.gateway('fs1', fs);
    await expect.poll(() => sw.state).toBe('ready');
    expect(sw.subscription.all).toBe(true);
    expect([sw.mode, sw.uuid, sw.channelData, sw.hasMyEvents, sw.filters, sw.logLevel]).toEqual(['inbound', undefined, undefined, false, [], undefined]);
    for (const refused of [sw.nixevent('HEARTBEAT'), sw.noevents(), sw.filter('Unique-ID', 'x'), sw.filterDelete('all'), sw.myevents(), sw.log('debug'), sw.nolog()]) {
      const err = await firstValueFrom(refused).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EslCommandError);
      expect((err as EslCommandError).replyText).toMatch(/^-ERR not through a gateway/);
    }
    await gw.close();
    await expect.poll(() => sw.state).toBe('reconnecting');
    fs.api('hang', () => new Promise<string>(() => undefined));
    await world.gateway('fs1', fs);
    await expect.poll(() => sw.state).toBe('ready');
    // A job that never ends (bgapi does not hold the gateway's socket as api would).
    const pending = lastValueFrom(sw.bgapi('hang')).catch((e: unknown) => e);
    const logs = lastValueFrom(sw.logs$.pipe(toArray()));
    const notices = lastValueFrom(sw.notices$.pipe(toArray()));
    await fs.nextCommand(/^bgapi hang/);
    await sw.close();
    expect(await pending).toBeInstanceOf(EslDisconnectedError);
    expect(await logs).toEqual([]);
    expect(await notices).toEqual([]);
    expect(states).toEqual(['connecting', 'ready', 'reconnecting', 'ready', 'closed']);
    await expect(firstValueFrom(sw.api('status'))).rejects.toBeInstanceOf(EslDisconnectedError);
    // A new handle for the same switch works.
    expect((await firstValueFrom(cluster.switch('fs1').api('status'))).text).toMatch(/^UP /);
  });
});
