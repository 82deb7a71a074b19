/**
 * Limit: the minimal Content-Length framer. Finds each "\n\n", reads Content-Length from the
 * header block, skips the body, counts the frames that have one (the events). No header is
 * split into names and values, no body is looked at: the least any ESL client must do.
 */
import { authenticatedSocket } from '../core/handshake.js';
import type { Adapter } from '../core/types.js';

const NOT_A_CLIENT = 'limit reader: it only reads the event stream';
export const LFLF = Buffer.from('\n\n');
const CL = Buffer.from('Content-Length: ');

/** Content-Length in buf[start, end), or 0. */
export function contentLength(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(CL, start);
  if (at < 0 || at >= end) return 0;
  let n = 0;
  for (let i = at + CL.length; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}

const adapter: Adapter = {
  name: 'framer',
  kind: 'limit',
  exact: true,
  unsupported: {
    'api-seq': NOT_A_CLIENT,
    'api-concurrent': NOT_A_CLIENT,
    'bgapi-concurrent': NOT_A_CLIENT,
    outbound: NOT_A_CLIENT,
    soak: 'limit reader: keeps no state',
  },
  notes: ['framer: finds "\\n\\n", reads Content-Length, skips the body, counts frames (no header parsing, no decoding).'],
  async connect(options) {
    const socket = await authenticatedSocket(options);
    return {
      subscribe(format, _sink, ctx) {
        let carry: Buffer | null = null;
        let skip = 0;
        socket.on('data', (chunk: Buffer) => {
          let buf = chunk;
          let pos = 0;
          let frames = 0;
          if (skip > 0) {
            const n = skip < buf.length ? skip : buf.length;
            skip -= n;
            pos = n;
            if (skip === 0) frames++;
          }
          if (carry !== null && pos < buf.length) {
            buf = Buffer.concat([carry, buf.subarray(pos)]);
            pos = 0;
            carry = null;
          }
          const len = buf.length;
          while (pos < len) {
            const end = buf.indexOf(LFLF, pos);
            if (end < 0) {
              carry = Buffer.from(buf.subarray(pos));
              break;
            }
            const cl = contentLength(buf, pos, end);
            pos = end + 2;
            if (cl > 0) {
              if (len - pos >= cl) {
                pos += cl;
                frames++;
              } else {
                skip = cl - (len - pos);
                pos = len;
              }
            }
          }
          if (frames > 0) ctx.countUnverified(frames);
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
