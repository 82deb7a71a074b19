/**
 * Channel needs nothing of a connection but EslConnection: here it runs over a connection that
 * shows the interface's members and throws on anything else (the class's own methods and
 * getters: send, socket, routerStats...), the way an implementation over another transport
 * would look to it. The members are listed once, checked against the interface by the compiler.
 */
import { concatMap, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, type EslConnection } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { scheduler } from '../helpers';

const MEMBERS = [
  'state',
  'state$',
  'closed',
  'closeReason',
  'close',
  'mode',
  'uuid',
  'channelData',
  'events$',
  'eventsNamed',
  'customEvents',
  'channelEvents',
  'jobEvents',
  'logs$',
  'notices$',
  'events',
  'nixevent',
  'noevents',
  'filter',
  'filterDelete',
  'myevents',
  'log',
  'nolog',
  'subscription',
  'filters',
  'hasMyEvents',
  'logLevel',
  'api',
  'bgapi',
  'execute',
  'executeAsync',
  'sendMsg',
  'hangup',
  'getvar',
] as const satisfies ReadonlyArray<keyof EslConnection>;
// Every member of the interface is in the list (the compiler says which is missing).
const complete: Exclude<keyof EslConnection, (typeof MEMBERS)[number]> extends never ? true : never = true;

/** `conn` seen through EslConnection alone; `touched` records every member read. */
function interfaceOnly(conn: EslConnection): { conn: EslConnection; touched: Set<string> } {
  const allowed = new Set<PropertyKey>(MEMBERS);
  const touched = new Set<string>();
  const view = new Proxy(conn, {
    get(target, key) {
      if (!allowed.has(key)) throw new Error(`Channel used ${String(key)}, which EslConnection does not have`);
      touched.add(String(key));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { conn: view, touched };
}

describe('Channel over EslConnection alone', () => {
  it('follows, acts, reads a variable, bridges and hangs up without touching anything else', () => {
    expect(complete).toBe(true);
    let touched!: Set<string>;
    let vc!: VirtualConnection;
    scheduler().run(({ expectObservable }) => {
      vc = new VirtualConnection({
        channel: { variable_lang: 'en' },
        applications: {
          answer: 1,
          playback: 5,
          bridge: { duration: 4, bridge: { otherLeg: 'bbbbbbbb-0000-4000-8000-00000000000b', ringAfter: 1, answerAfter: 2 } },
        },
      });
      const view = interfaceOnly(vc.connection);
      touched = view.touched;
      const ch = Channel.fromConnection(view.conn);
      const flow = ch.subscribeEvents().pipe(
        toArray(),
        concatMap(() => ch.answer()),
        concatMap(() => ch.getVar('lang')),
        concatMap((lang) => ch.playback(`${lang}/welcome.wav`)),
        concatMap(() => ch.bridge('user/1001')),
        map((p) => p.kind),
        toArray(),
        concatMap((kinds) => ch.hangup().pipe(map((h) => `${kinds.join(' ')}, then ${h.cause}`))),
      );
      expectObservable(flow).toBe('10ms (d|)', { d: 'ringing bridged result, then NORMAL_CLEARING' });
    });
    expect(vc.commands.slice(2).map((c) => `${c.time} ${c.summary}`)).toEqual([
      '0 event plain CHANNEL_CALLSTATE CHANNEL_HOLD CHANNEL_UNHOLD',
      '0 execute answer',
      '1 getvar lang',
      '1 execute playback en/welcome.wav',
      '6 execute bridge user/1001',
      '10 hangup',
    ]);
    expect([...touched].sort()).toEqual(['channelData', 'channelEvents', 'events', 'eventsNamed', 'execute', 'getvar', 'hangup', 'hasMyEvents', 'mode', 'subscription', 'uuid']);
  });
});
