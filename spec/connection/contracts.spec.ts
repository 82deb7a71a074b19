/**
 * Promises the Connection makes to the code built on it: the order of frames$ and events$ (the
 * modesl facade pairs each event with its frame by it), that every event delivered has a name,
 * what EslCommandError.reply holds, and the one rule that says a command/reply succeeded. Over a scripted byte pipe: what
 * "FreeSWITCH" sends is written out below, byte for byte.
 */
import { Subject, firstValueFrom, lastValueFrom } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CommandReply, Connection, EslCommandError, EslEvent, EslProtocolError, type Transport, forChannel, forJob, ofCustom, ofEvent, untilHangup } from 'rxesl';
import { ServerFrames } from 'rxesl/testing';
import { replySucceeded } from '../../lib/connection/replies';

/** A ready inbound Connection whose "FreeSWITCH" answers each command line with `answer(line)`. */
function scripted(answer: (line: string) => Buffer[] = () => []): { conn: Connection; send: (bytes: Buffer) => void } {
  const chunks = new Subject<Uint8Array>();
  const transport: Transport = {
    chunks$: chunks,
    write: (data) => {
      const line = (typeof data === 'string' ? data : Buffer.from(data).toString('utf8')).split('\n')[0]!;
      // FreeSWITCH answers after it has read the command: not inside the write.
      queueMicrotask(() => {
        for (const bytes of answer(line)) chunks.next(bytes);
      });
      return true;
    },
    destroy: () => chunks.complete(),
  };
  return { conn: Connection.attach(transport, { mode: 'inbound', ready: true }), send: (bytes) => chunks.next(bytes) };
}

const event = (name: string, uuid: string): Buffer => ServerFrames.event('plain', `Event-Name: ${name}\nUnique-ID: ${uuid}\n\n`);

describe('frames$ before events$', () => {
  it('an event frame is on frames$ before its EslEvent is on events$ and on the keyed views, frame after frame', () => {
    const { conn, send } = scripted();
    const seen: string[] = [];
    // Subscribed in the opposite order: the order seen is the connection's, not the subscribers'.
    conn.channelEvents('u1').subscribe((e) => seen.push(`channel ${e.name}`));
    conn.eventsNamed('CHANNEL_ANSWER', 'CHANNEL_HANGUP').subscribe((e) => seen.push(`named ${e.name}`));
    conn.events$.subscribe((e) => seen.push(`event ${e.name}`));
    conn.frames$.subscribe((f) => seen.push(`frame ${EslEvent.fromFrame(f).name}`));
    send(Buffer.concat([event('CHANNEL_ANSWER', 'u1'), event('CHANNEL_HANGUP', 'u1')]));
    expect(seen).toEqual([
      'frame CHANNEL_ANSWER',
      'event CHANNEL_ANSWER',
      'named CHANNEL_ANSWER',
      'channel CHANNEL_ANSWER',
      'frame CHANNEL_HANGUP',
      'event CHANNEL_HANGUP',
      'named CHANNEL_HANGUP',
      'channel CHANNEL_HANGUP',
    ]);
  });

  it('the EslEvent on events$ is the one parsed from the frame just seen on frames$', () => {
    const { conn, send } = scripted();
    const pairs: Array<[string | undefined, string | undefined]> = [];
    let frameUuid: string | undefined;
    conn.frames$.subscribe((f) => (frameUuid = EslEvent.fromFrame(f).getHeader('Unique-ID')));
    conn.events$.subscribe((e) => pairs.push([frameUuid, e.getHeader('Unique-ID')]));
    send(Buffer.concat([event('CHANNEL_CREATE', 'a'), event('CHANNEL_CREATE', 'b'), event('CHANNEL_CREATE', 'c')]));
    expect(pairs).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
  });
});

describe('every event delivered has a name', () => {
  it('an event frame without Event-Name reaches no stream: errors$ reports it (EslProtocolError MALFORMED_EVENT), and the next event is delivered', () => {
    const { conn, send } = scripted();
    const seen: string[] = [];
    conn.events$.subscribe((e) => seen.push(`event ${e.name}`));
    conn.channelEvents('u1').subscribe((e) => seen.push(`channel ${e.name}`));
    conn.errors$.subscribe((err) => seen.push(`error ${err.name} ${(err as EslProtocolError).code}`));
    // FreeSWITCH names every event it fires (switch_event_create_subclass_detailed adds Event-Name first).
    send(Buffer.concat([ServerFrames.event('plain', 'Unique-ID: u1\nX-What: nameless\n\n'), event('CHANNEL_ANSWER', 'u1')]));
    expect(seen).toEqual(['error EslProtocolError MALFORMED_EVENT', 'event CHANNEL_ANSWER', 'channel CHANNEL_ANSWER']);
  });

  it('so the type of a delivered event says name is a string; an EslEvent built by hand does not', () => {
    const { conn } = scripted();
    conn.events$.subscribe((e) => expectTypeOf(e.name).toEqualTypeOf<string>());
    conn.eventsNamed('CHANNEL_ANSWER').subscribe((e) => expectTypeOf(e.name).toEqualTypeOf<string>());
    conn.channelEvents('u1').subscribe((e) => expectTypeOf(e.name).toEqualTypeOf<string>());
    conn.customEvents('sofia::register').subscribe((e) => expectTypeOf(e.name).toEqualTypeOf<string>());
    conn.jobEvents('j1').subscribe((e) => expectTypeOf(e.name).toEqualTypeOf<string>());
    // The filtering operators keep the type of what they filter.
    conn.events$.pipe(ofEvent('CHANNEL_ANSWER'), forChannel('u1'), ofCustom('sofia::register'), forJob('j1'), untilHangup('u1')).subscribe((e) => expectTypeOf(e.name).toEqualTypeOf<string>());
    expectTypeOf(new EslEvent('CHANNEL_ANSWER').name).toEqualTypeOf<string | undefined>();
  });
});

describe('EslCommandError.reply', () => {
  it('is the refused command/reply, as an EslEvent', async () => {
    const { conn } = scripted((line) => (line.startsWith('filter') ? [ServerFrames.commandReply('-ERR invalid syntax')] : []));
    const err = await firstValueFrom(conn.filter('Unique-ID', 'x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslCommandError);
    const reply = (err as EslCommandError).reply;
    expect(reply).toBeInstanceOf(EslEvent);
    expect(reply?.getHeader('Reply-Text')).toBe('-ERR invalid syntax');
  });

  it('is the failed api/response, as an EslEvent with the output as its body', async () => {
    const { conn } = scripted(() => [ServerFrames.apiResponse('-ERR nosuchcmd Command not found!\n')]);
    const err = (await firstValueFrom(conn.api('nosuchcmd')).catch((e: unknown) => e)) as EslCommandError;
    expect(err.reply).toBeInstanceOf(EslEvent);
    expect(err.reply?.getBody()).toBe('-ERR nosuchcmd Command not found!\n');
  });

  it('is the BACKGROUND_JOB of a failed bgapi', async () => {
    const { conn, send } = scripted((line) => {
      if (line.startsWith('event')) return [ServerFrames.commandReply('+OK event listener enabled plain')];
      if (!line.startsWith('bgapi')) return [];
      const job = 'Event-Name: BACKGROUND_JOB\nJob-UUID: j1\nContent-Length: 12\n\n-ERR no way\n';
      queueMicrotask(() => send(ServerFrames.event('plain', job)));
      return [ServerFrames.commandReply('+OK Job-UUID: j1', [['Job-UUID', 'j1']])];
    });
    const err = (await lastValueFrom(conn.bgapi('nosuchcmd', undefined, { jobUuid: 'j1' })).catch((e: unknown) => e)) as EslCommandError;
    expect(err).toBeInstanceOf(EslCommandError);
    expect(err.reply?.name).toBe('BACKGROUND_JOB');
    expect(err.reply?.getBody()).toBe('-ERR no way\n');
  });
});

describe('replySucceeded: the one rule for a command/reply', () => {
  // mod_event_socket (parse_command) answers every command but getvar with "+OK ..." or "-ERR ...".
  it.each([
    ['+OK accepted', true],
    ['+OK', true],
    ['+OK Job-UUID: 7f4de4bc-17d7-11dd-b7a0-db4edd065621', true],
    ['-ERR invalid', false],
    ['-ERR command not found', false],
    ['-USAGE: <uuid>', false],
    ['', false],
    ['ok', false],
  ])('%j -> %s, and CommandReply.ok says the same', (text, ok) => {
    expect(replySucceeded(text)).toBe(ok);
    expect(new CommandReply(new EslEvent({ 'Reply-Text': text }), 'cmd').ok).toBe(ok);
  });
});
