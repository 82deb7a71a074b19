/**
 * The call-centre queue's logic on a virtual clock: agents' statuses debounced, the longest
 * waiting caller matched with the longest idle agent, and one caller's commands from music to
 * bridge.
 */
import { describe, expect, it } from 'vitest';
import { Channel, EslEvent } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { MUSIC, type Assignment, type QueueEvent, agentStatuses, assign, serveCaller } from '../../examples/call-centre-queue';
import { scheduler } from '../helpers';

const status = (agent: string, s: string) =>
  new EslEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'callcenter::info', 'CC-Action': 'agent-status-change', 'CC-Agent': agent, 'CC-Agent-Status': s });

describe('call-centre queue (marbles)', () => {
  it('agent statuses count once they have held for the debounce time, per agent, and only when they change', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const events = hot('a-b-a-b------x-----y-----', {
        a: status('1002', 'Available'),
        b: status('1002', 'On Break'),
        x: status('1001', 'Available'),
        y: status('1001', 'Available (On Demand)'),
      });
      const subs = '    ^------------------------';
      // 1002 flaps until 6 and settles (On Break) at 6 + 5; 1001 is Available at 13 + 5, and still is at 19 + 5
      const statuses = '-----------o------v------';
      expectObservable(agentStatuses(events, 5)).toBe(statuses, {
        o: { agent: '1002', available: false },
        v: { agent: '1001', available: true },
      });
      expectSubscriptions(events.subscriptions).toBe(subs);
    });
  });

  it('the longest-waiting caller gets the agent idle the longest; a freed agent takes the next caller', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const e: Record<string, QueueEvent> = {
        c: { kind: 'caller', caller: 'c1' },
        d: { kind: 'caller', caller: 'c2' },
        f: { kind: 'caller', caller: 'c3' },
        x: { kind: 'gone', caller: 'c2' },
        A: { kind: 'agent', agent: 'a1', available: true },
        B: { kind: 'agent', agent: 'a2', available: true },
        r: { kind: 'released', agent: 'a1', noAnswer: false },
      };
      const events = hot('c-d-f-x-B-A---r---', e);
      const subs = '      ^-----------------';
      // c2 gave up before any agent came: c1 gets a2 (idle first), c3 gets a1; a1 free again waits
      const made = '      --------p-q-------';
      const a = (caller: string, agent: string): Assignment => ({ caller, agent });
      expectObservable(assign(events)).toBe(made, { p: a('c1', 'a2'), q: a('c3', 'a1') });
      expectSubscriptions(events.subscriptions).toBe(subs);
    });
  });

  it('an agent who does not answer is not offered calls until a new status; the caller goes back to the head', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const e: Record<string, QueueEvent> = {
        A: { kind: 'agent', agent: 'a1', available: true },
        c: { kind: 'caller', caller: 'c1' },
        d: { kind: 'caller', caller: 'c2' },
        n: { kind: 'released', agent: 'a1', noAnswer: true },
        h: { kind: 'caller', caller: 'c1', front: true },
        B: { kind: 'agent', agent: 'a2', available: true },
        S: { kind: 'agent', agent: 'a1', available: true },
      };
      const events = hot('A-c-d-n-h---B-S-', e);
      const subs = '      ^---------------';
      const made = '      --p---------q-r-';
      expectObservable(assign(events)).toBe(made, {
        p: { caller: 'c1', agent: 'a1' },
        q: { caller: 'c1', agent: 'a2' },
        r: { caller: 'c2', agent: 'a1' },
      });
      expectSubscriptions(events.subscriptions).toBe(subs);
    });
  });

  it('one caller: answer, music, uuid_break when an agent is assigned, bridge, hang up', () => {
    const told: QueueEvent[] = [];
    let uuid = '';
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const vc = new VirtualConnection({
        channel: { 'Caller-Caller-ID-Number': '2001' },
        applications: { answer: 1, playback: 100, bridge: { duration: 20, bridge: { answerAfter: 5 } } },
      });
      uuid = vc.uuid;
      const assignments = hot('----a-----', { a: { caller: vc.uuid, agent: '1001' } });
      // looked at once answered (at 1), until the first assignment that names it
      const assignmentSubs = ' -^--!';
      // answer, then music at 1; at 4 the break ends it and the bridge starts (20 ms), the hangup at 24
      const commands = '       am--(bsg)---------------h';
      const outcome = '        ------------------------(l|)';
      const line = serveCaller(Channel.fromConnection(vc.connection), assignments, (e) => told.push(e));
      expectObservable(line).toBe(outcome, { l: '2001: talked to 1001' });
      expectSubscriptions(assignments.subscriptions).toBe(assignmentSubs);
      expectObservable(vc.commands$).toBe(commands, {
        a: 'execute answer',
        m: `execute playback ${MUSIC}`,
        b: `api uuid_break ${vc.uuid}`,
        s: 'execute set continue_on_fail=true',
        g: 'execute bridge user/1001',
        h: 'hangup',
      });
    });
    expect(told).toEqual([
      { kind: 'caller', caller: uuid, front: false },
      { kind: 'released', agent: '1001', noAnswer: false },
    ]);
  });

  it('a caller hanging up while waiting leaves the queue', () => {
    const told: QueueEvent[] = [];
    scheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const vc = new VirtualConnection({ channel: { 'Caller-Caller-ID-Number': '2002' }, applications: { answer: 1, playback: 100 } });
      const hangup = cold('                -------x');
      const assignments = hot<Assignment>('-');
      // looked at once answered (at 1); no agent came, and the caller stops waiting when it hangs up
      const assignmentSubs = '             -^-----!';
      const outcome = '                    -------(l|)';
      hangup.subscribe(() => vc.hangup('NORMAL_CLEARING'));
      const line = serveCaller(Channel.fromConnection(vc.connection), assignments, (e) => told.push(e));
      expectObservable(line).toBe(outcome, { l: '2002: hung up while waiting' });
      expectSubscriptions(assignments.subscriptions).toBe(assignmentSubs);
    });
    expect(told.map((e) => e.kind)).toEqual(['caller', 'gone']);
  });
});
