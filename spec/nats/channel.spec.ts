/**
 * A Channel-based IVR runs on a worker against a remote switch exactly as it does locally:
 * the same results, the same commands on the switch, the same channel state at the end.
 */
import { filter, firstValueFrom, lastValueFrom, take } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Channel, Connection, type EslConnection } from 'rxesl';
import type { FakeSwitch } from 'rxesl/testing';
import { World, nodesUp } from './helpers/world';

let world: World;
beforeEach(async () => {
  world = await World.start();
});
afterEach(async () => {
  await world.close();
});

const SWITCH = { media: { playbackMs: 30, speechMsPerChar: 1 } };

/** The IVR under test: greet, ask for a digit, remember it, say it back, hang up. */
async function ivr(ch: Channel<EslConnection>): Promise<Record<string, unknown>> {
  const answered = await lastValueFrom(ch.answer());
  const welcome = await lastValueFrom(ch.playback('ivr/welcome.wav'));
  const menu = await lastValueFrom(ch.playAndGetDigits({ file: 'ivr/menu.wav', min: 1, max: 1, timeout: 3000 }));
  await lastValueFrom(ch.setVar('choice', menu.digits));
  const choice = await lastValueFrom(ch.getVar('choice'));
  const said = await lastValueFrom(ch.say(menu.digits));
  const hangup = await lastValueFrom(ch.hangup('NORMAL_CLEARING'));
  return {
    answered: answered.application,
    welcome: welcome.response,
    digits: menu.digits,
    result: menu.result,
    choice,
    said: said.application,
    cause: hangup.cause,
  };
}

/** What the switch was asked to do for the call (sendmsg's application and call-command, api on its uuid), its uuid taken out. */
function commandsFor(fs: FakeSwitch, uuid: string): string[] {
  const header = (c: { headers: ReadonlyArray<readonly [string, string]> }, name: string): string | undefined => c.headers.find(([n]) => n === name)?.[1];
  return fs.received
    .filter((c) => c.line.includes(uuid))
    .map((c) => [c.line, header(c, 'call-command'), header(c, 'execute-app-name'), header(c, 'execute-app-arg')].filter((p) => p !== undefined).join(' ').replace(uuid, '<uuid>'));
}

describe('Channel over NATS', () => {
  it('a Channel-based IVR runs on a worker against a remote switch exactly as it does locally', async () => {
    // Locally: a Connection to the switch, the call found by its CHANNEL_PARK.
    const localFs = await world.fakeSwitch(SWITCH);
    const conn = await Connection.connect({ port: localFs.port });
    world.closers.push(() => conn.close());
    await lastValueFrom(conn.events('plain', ['ALL']));
    const parked = firstValueFrom(conn.eventsNamed('CHANNEL_PARK').pipe(take(1)));
    const localCall = localFs.call({ actions: ['park'], dtmf: '7#' });
     const local = await ivr(Channel.of(conn, await parked));
    expect(await localCall.whenDown).toBe('NORMAL_CLEARING');

    // Over NATS: a worker of a queue gets the call from calls$ and runs the same IVR on its Channel.
    const remoteFs = await world.fakeSwitch(SWITCH);
    await world.gateway('fs1', remoteFs);
    const worker = await world.cluster();
    await nodesUp(worker, ['fs1']);
    const handed = firstValueFrom(worker.calls$({ queue: 'ivr' }));
    await worker.flush();
    const remoteCall = remoteFs.call({ actions: ['park'], dtmf: '7#' });
    const call = await handed;
    expect(call).toMatchObject({ node: 'fs1', uuid: remoteCall.uuid, redelivered: false });
    const remote = await ivr(call.channel);
    expect(await remoteCall.whenDown).toBe('NORMAL_CLEARING');

    expect(remote).toEqual(local);
    expect(remote).toMatchObject({ answered: 'answer', welcome: 'FILE PLAYED', digits: '7', result: 'success', choice: '7', cause: 'NORMAL_CLEARING' });
    // calls$ asks first whether the call still exists (a caller may hang up before the worker follows it).
    const [check, ...rest] = commandsFor(remoteFs, remoteCall.uuid);
    expect(check).toBe('api uuid_exists <uuid>');
    expect(rest).toEqual(commandsFor(localFs, localCall.uuid));
    // The channel followed the call to its end on the worker too.
    await firstValueFrom(call.channel.state$.pipe(filter((s) => s.ended)), { defaultValue: undefined });
    expect(call.channel.ended).toBe(true);
    expect(call.channel.snapshot.hangupCause).toBe('NORMAL_CLEARING');
  });
});
