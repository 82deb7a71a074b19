/**
 * The conference moderator's logic on a virtual clock: the conference commands it sends in
 * answer to conference::maintenance and DTMF events.
 */
import { describe, expect, it } from 'vitest';
import { EslEvent } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { moderate, moderateStep } from '../../examples/conference-moderator';
import { scheduler } from '../helpers';

const ANN = 'aaaaaaaa-0000-4000-8000-00000000000a';
const BOB = 'bbbbbbbb-0000-4000-8000-00000000000b';
const MOD = 'dddddddd-0000-4000-8000-00000000000d';

function member(action: string, id: string, uuid: string, size: number, type = 'member'): EslEvent {
  return new EslEvent({
    'Event-Name': 'CUSTOM',
    'Event-Subclass': 'conference::maintenance',
    'Conference-Name': '3000',
    'Conference-Size': String(size),
    'Unique-ID': uuid,
    'Member-ID': id,
    'Member-Type': type,
    Action: action,
  });
}

const key = (uuid: string, digit: string) => new EslEvent({ 'Event-Name': 'DTMF', 'Unique-ID': uuid, 'DTMF-Digit': digit });

const api = (command: string) => `api conference 3000 ${command}`;
const heads = (n: number) => api(`play file_string://digits/${n}.wav!conference/conf-members_in_conference.wav`);

describe('conference moderator (marbles)', () => {
  it('mutes joiners, unmutes on 1, kicks the last speaker on a moderator 9, announces the head count once it settles', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const events = {
        a: member('add-member', '1', ANN, 1),
        b: member('add-member', '2', BOB, 2),
        m: member('add-member', '3', MOD, 3, 'moderator'),
        1: key(ANN, '1'),
        2: key(BOB, '1'),
        9: key(MOD, '9'),
        k: member('del-member', '2', BOB, 2),
        0: key(ANN, '0'),
        x: key(BOB, '1'),
      };
      const input = hot('a-b-m-----------1-2-9-k--0-x---', events);
      // the virtual switch sends them as they come, from the start
      const inputSubs = '^------------------------------';
      // joins settle at 4 + 5; Bob leaves at 22, settled at 27; Bob's key after leaving is not heard
      const commands = ' a-b------h------u-v-k----w-j---';
      const vc = new VirtualConnection({ events: input });
      moderate(vc.connection, { settleMs: 5 }).subscribe();
      expectSubscriptions(input.subscriptions).toBe(inputSubs);
      expectObservable(vc.commands$).toBe(commands, {
        a: api('mute 1'),
        b: api('mute 2'),
        h: heads(3),
        u: api('unmute 1'),
        v: api('unmute 2'),
        k: api('kick 2'),
        w: api('mute 1'),
        j: heads(2),
      });
    });
  });

  it('the rules alone: a moderator is never muted, and 9 with nobody speaking does nothing', () => {
    let room = { members: new Map<string, boolean>(), speakers: [] as string[] };
    const run = (h: Parameters<typeof moderateStep>[1]) => {
      const step = moderateStep(room, h);
      room = { members: new Map(step.room.members), speakers: [...step.room.speakers] };
      return step.commands;
    };
    expect(run({ kind: 'joined', id: '7', moderator: true })).toEqual([]);
    expect(run({ kind: 'key', id: '7', key: '9' })).toEqual([]);
    expect(run({ kind: 'joined', id: '8', moderator: false })).toEqual(['mute 8']);
    expect(run({ kind: 'key', id: '8', key: '1' })).toEqual(['unmute 8']);
    expect(run({ kind: 'key', id: '8', key: '1' })).toEqual([]);
    expect(run({ kind: 'left', id: '8' })).toEqual([]);
    expect(run({ kind: 'key', id: '7', key: '9' })).toEqual([]);
    expect(run({ kind: 'key', id: '99', key: '1' })).toEqual([]);
  });
});
