/**
 * Limit: what Node can read from a loopback socket. Counts the bytes of the stream and nothing
 * else (no framing, no decoding); done when every byte the server wrote has arrived.
 */
import { authenticatedSocket, subscriptionReply } from '../core/handshake.js';
import type { Adapter } from '../core/types.js';

const NOT_A_CLIENT = 'limit reader: it only reads the event stream';

const adapter: Adapter = {
  name: 'raw',
  kind: 'limit',
  exact: true,
  unsupported: {
    'api-seq': NOT_A_CLIENT,
    'api-concurrent': NOT_A_CLIENT,
    'bgapi-concurrent': NOT_A_CLIENT,
    outbound: NOT_A_CLIENT,
    soak: 'limit reader: keeps no state',
  },
  notes: ['raw: counts bytes until the expected total (the wire limit: socket reads and nothing else).'],
  async connect(options) {
    const socket = await authenticatedSocket(options);
    return {
      subscribe(format, _sink, ctx) {
        const target = Buffer.byteLength(subscriptionReply(format)) + ctx.expectedBytes;
        let bytes = 0;
        socket.on('data', (chunk: Buffer) => {
          const before = bytes;
          bytes += chunk.length;
          if (before < target && bytes >= target) ctx.countUnverified(ctx.expectedEvents);
        });
        socket.resume();
        socket.write(`event ${format} ALL\n\n`);
      },
      header: () => undefined,
      async close() {
        socket.destroy();
      },
    };
  },
};
export default adapter;
