import { Channel } from 'rxesl';
import { VirtualConnection, type VirtualConnectionOptions } from 'rxesl/testing';

/** A VirtualConnection and the Channel of its call (an outbound connection's own channel). */
export function call(options: VirtualConnectionOptions = {}): { vc: VirtualConnection; ch: Channel } {
  const vc = new VirtualConnection(options);
  return { vc, ch: Channel.fromConnection(vc.connection) };
}

/** What a Channel's connection still holds: router waiters and views. */
export function held(ch: Channel): { waiters: number; views: number } {
  return ch.connection.routerStats;
}

export const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
