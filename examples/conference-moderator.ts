/**
 * A conference moderator on an inbound connection. Everyone who joins conference 3000 is
 * muted; a participant presses 1 to ask to speak (unmuted) and 0 to go quiet again; a
 * moderator (joined with +flags{moderator}) presses 9 to remove the participant who last got
 * the floor. Once joins and leaves settle, the number of people is announced.
 *
 *   npx tsx examples/conference-moderator.ts --demo   # FakeSwitch with mod_conference and a few callers
 *   npx tsx examples/conference-moderator.ts          # ESL_HOST/ESL_PORT/ESL_PASSWORD; dialplan:
 *       <action application="conference" data="3000@default"/>
 */
import {
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  concatMap,
  debounceTime,
  distinctUntilChanged,
  filter,
  finalize,
  lastValueFrom,
  map,
  merge,
  mergeMap,
  scan,
  share,
  takeUntil,
} from 'rxjs';
import { Channel, Connection, type EslEvent, header } from 'rxesl';
import { type FakeSwitch, installConference } from 'rxesl/testing';
import { explain, runWhenMain, switchFor } from './support.js';

export interface ModeratorOptions {
  /** The conference to moderate. Default 3000. */
  conference?: string;
  /** Milliseconds of quiet (no join, no leave) before the head count is announced. Default 1,000. */
  settleMs?: number;
  /** For tests: the scheduler of the announcement's debounce. */
  scheduler?: SchedulerLike;
}

/** What happens in the conference, as the moderator sees it. */
export type Happening =
  | { kind: 'joined'; id: string; moderator: boolean }
  | { kind: 'left'; id: string }
  | { kind: 'key'; id: string; key: string };

interface Room {
  /** Member-ID -> moderator? */
  members: ReadonlyMap<string, boolean>;
  /** Participants allowed to speak, in the order they got the floor. */
  speakers: readonly string[];
}

/** The moderator's rules: a room and what just happened give the next room and the commands to send. */
export function moderateStep(room: Room, h: Happening): { room: Room; commands: string[] } {
  const members = new Map(room.members);
  let speakers = room.speakers.filter((id) => members.has(id));
  const commands: string[] = [];
  switch (h.kind) {
    case 'joined':
      members.set(h.id, h.moderator);
      if (!h.moderator) commands.push(`mute ${h.id}`);
      break;
    case 'left':
      members.delete(h.id);
      speakers = speakers.filter((id) => id !== h.id);
      break;
    case 'key': {
      const moderator = members.get(h.id);
      if (moderator === undefined) break;
      if (!moderator && h.key === '1' && !speakers.includes(h.id)) {
        speakers = [...speakers, h.id];
        commands.push(`unmute ${h.id}`);
      } else if (!moderator && h.key === '0' && speakers.includes(h.id)) {
        speakers = speakers.filter((id) => id !== h.id);
        commands.push(`mute ${h.id}`);
      } else if (moderator && h.key === '9' && speakers.length > 0) {
        const last = speakers[speakers.length - 1]!;
        speakers = speakers.slice(0, -1);
        commands.push(`kick ${last}`);
      }
      break;
    }
  }
  return { room: { members, speakers }, commands };
}

/**
 * Moderates one conference: emits each `conference <name> ...` command it sends. Needs the
 * connection to receive CUSTOM conference::maintenance and DTMF events.
 */
export function moderate(conn: Connection, options: ModeratorOptions = {}): Observable<string> {
  const name = options.conference ?? '3000';
  const scheduler = options.scheduler ?? asyncScheduler;
  const maintenance$ = conn.customEvents('conference::maintenance').pipe(
    filter((e) => e.getHeader('Conference-Name') === name),
    share(),
  );
  const action = (a: string) => (e: EslEvent) => e.getHeader('Action') === a;
  const joins$ = maintenance$.pipe(filter(action('add-member')));
  const leaves$ = maintenance$.pipe(filter(action('del-member')));

  // Each member's keys, from its Channel, until it leaves.
  const keys$ = joins$.pipe(
    mergeMap((join) => {
      const id = join.getHeader('Member-ID') ?? '';
      const member = Channel.of(conn, join);
      const left$ = leaves$.pipe(filter((e) => e.getHeader('Member-ID') === id));
      return member.dtmf$.pipe(
        takeUntil(left$),
        map((key): Happening => ({ kind: 'key', id, key })),
        finalize(() => member.release()),
      );
    }),
  );
  const happenings$: Observable<Happening> = merge(
    joins$.pipe(map((e): Happening => ({ kind: 'joined', id: e.getHeader('Member-ID') ?? '', moderator: e.getHeader('Member-Type') === 'moderator' }))),
    leaves$.pipe(map((e): Happening => ({ kind: 'left', id: e.getHeader('Member-ID') ?? '' }))),
    keys$,
  );
  const rules$ = happenings$.pipe(
    scan((acc, h) => moderateStep(acc.room, h), { room: { members: new Map(), speakers: [] } as Room, commands: [] as string[] }),
    concatMap((step) => step.commands),
  );
  // The head count, once joins and leaves settle: "<n> members in this conference".
  const announcements$ = merge(joins$, leaves$).pipe(
    header('Conference-Size'),
    debounceTime(options.settleMs ?? 1000, scheduler),
    distinctUntilChanged(),
    filter((n) => n !== '0'),
    map((n) => `play file_string://digits/${n}.wav!conference/conf-members_in_conference.wav`),
  );
  return merge(rules$, announcements$).pipe(
    concatMap((command) => conn.api('conference', `${name} ${command}`, { failOnError: false }).pipe(map(() => command))),
  );
}

async function main(): Promise<void> {
  let demo: FakeSwitch | undefined;
  const { options, stop } = await switchFor(process.argv, (fake) => {
    installConference(fake);
    demo = fake;
  });
  const conn = await Connection.connect(options);
  await lastValueFrom(conn.events('plain', ['DTMF', 'CUSTOM', 'conference::maintenance']));
  const done = moderate(conn, { settleMs: 500 }).subscribe({
    next: (command) => console.log(`conference 3000 ${command}`),
    error: (err: unknown) => console.error(explain(err)),
  });
  if (!demo) return;
  const fake = demo;
  const join = (cid: string, flags = '') => fake.call({ actions: [`conference 3000${flags}`], callerIdNumber: cid });
  const ann = join('1001');
  const bob = join('1002');
  const mod = join('1000', '+flags{moderator}');
  const at = (ms: number, fn: () => void) => new Promise<void>((r) => setTimeout(() => (fn(), r()), ms));
  await at(800, () => ann.dtmf('1')); // Ann asks to speak
  await at(200, () => bob.dtmf('1')); // so does Bob
  await at(200, () => mod.dtmf('9')); // the moderator removes Bob
  await at(200, () => ann.dtmf('0')); // Ann is done
  await at(900, () => [ann, mod].forEach((c) => c.hangup()));
  await Promise.all([ann.whenDestroyed, bob.whenDestroyed, mod.whenDestroyed]);
  done.unsubscribe();
  await conn.close();
  await stop();
}

runWhenMain(import.meta, main);
