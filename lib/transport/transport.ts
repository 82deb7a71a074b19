/**
 * A transport is a byte pipe to FreeSWITCH: the chunks it reads, and a way to write. The
 * Connection knows nothing else about sockets, so it can run over a TCP socket or, in marble
 * tests, over a scripted stream on a virtual clock.
 */
import type net from 'node:net';
import type { Observable } from 'rxjs';

export interface Transport {
  /** Chunks as read. Completes when the peer closes; errors when the link fails. */
  readonly chunks$: Observable<Uint8Array>;
  /** Writes bytes (a string is written as UTF-8); false when the link can no longer be written. */
  write(data: Uint8Array | string): boolean;
  /** Closes at once. */
  destroy(): void;
  /** The socket, when there is one. */
  readonly socket?: net.Socket;
}
