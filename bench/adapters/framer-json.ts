/**
 * Limit for JSON events: the minimal framer (framer.ts) plus JSON.parse of every body, then
 * Event-Name and Unique-ID read from the parsed object. What a JSON client cannot avoid.
 */
import { authenticatedSocket } from '../core/handshake.js';
import type { Adapter } from '../core/types.js';
import { LFLF, contentLength } from './framer.js';

const NOT_A_CLIENT = 'limit reader: it only reads the event stream';
const JSON_ONLY = 'the JSON limit (framing + JSON.parse) applies to JSON events only';

type Obj = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

const adapter: Adapter = {
  name: 'framer-json',
  kind: 'limit',
  exact: true,
  unsupported: {
    'events-plain': JSON_ONLY,
    'events-xml': JSON_ONLY,
    'api-seq': NOT_A_CLIENT,
    'api-concurrent': NOT_A_CLIENT,
    'bgapi-concurrent': NOT_A_CLIENT,
    outbound: NOT_A_CLIENT,
    soak: JSON_ONLY,
  },
  notes: ['framer-json: the framer plus JSON.parse of each body and two property reads.'],
  async connect(options) {
    const socket = await authenticatedSocket(options);
    return {
      subscribe(format, sink) {
        let carry: Buffer | null = null;
        let body: Buffer | null = null;
        let filled = 0;
        const deliver = (text: string): void => {
          const o = JSON.parse(text) as Obj;
          sink(str(o['Event-Name']), str(o['Unique-ID']), o);
        };
        socket.on('data', (chunk: Buffer) => {
          let buf = chunk;
          let pos = 0;
          if (body !== null) {
            const n = Math.min(body.length - filled, buf.length);
            buf.copy(body, filled, 0, n);
            filled += n;
            pos = n;
            if (filled === body.length) {
              const b = body;
              body = null;
              deliver(b.toString('utf8'));
            }
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
                deliver(buf.toString('utf8', pos, pos + cl));
                pos += cl;
              } else {
                body = Buffer.allocUnsafe(cl);
                filled = buf.copy(body, 0, pos, len);
                pos = len;
              }
            }
          }
        });
        socket.resume();
        socket.write(`event ${format} ALL\n\n`);
      },
      header: (event, name) => str((event as Obj)[name]),
      async close() {
        socket.destroy();
      },
    };
  },
};
export default adapter;
