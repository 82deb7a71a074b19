/**
 * rxesl's protocol layer on a bare socket: net.Socket -> FrameParser -> EslEvent.fromFrame ->
 * event.name and getHeader('Unique-ID') (lazily percent-decoded). No Connection, no RxJS: the
 * floor the full client (adapters/rxesl.ts, once lib/connection exists) is measured against.
 */
import net from 'node:net';
import { Commands, EslEvent, FrameParser, type Frame } from '../../lib/index.js';
import type { Adapter, EventSink } from '../core/types.js';

const PROTOCOL_ONLY = 'protocol layer only: no command correlation (that is the Connection, adapters/rxesl.ts)';

const adapter: Adapter = {
  name: 'rxesl-protocol',
  kind: 'rxesl',
  exact: true,
  unsupported: {
    'api-seq': PROTOCOL_ONLY,
    'api-concurrent': PROTOCOL_ONLY,
    'bgapi-concurrent': PROTOCOL_ONLY,
    outbound: PROTOCOL_ONLY,
  },
  notes: ['rxesl-protocol: socket -> FrameParser -> EslEvent.fromFrame -> name / getHeader (lazy decoding).'],
  connect(options) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: options.host, port: options.port });
      socket.setNoDelay(true);
      const parser = new FrameParser();
      const replies: Array<(f: Frame) => void> = [];
      let sink: EventSink | null = null;
      const onFrame = (f: Frame): void => {
        switch (f.contentType) {
          case 'text/event-plain':
          case 'text/event-json':
          case 'text/event-xml': {
            if (sink === null) return;
            const ev = EslEvent.fromFrame(f);
            sink(ev.name, ev.getHeader('Unique-ID'), ev);
            return;
          }
          case 'auth/request':
            replies.push((reply) => {
              if (reply.headers.get('Reply-Text')?.startsWith('+OK')) resolve(session);
              else reject(new Error(`auth refused: ${reply.headers.get('Reply-Text')}`));
            });
            socket.write(Commands.auth(options.password).bytes);
            return;
          case 'command/reply':
          case 'api/response':
            replies.shift()?.(f);
            return;
        }
      };
      socket.on('data', (chunk: Buffer) => parser.push(chunk, onFrame));
      socket.on('error', reject);
      const session = {
        subscribe(format: 'plain' | 'json' | 'xml', s: EventSink) {
          sink = s;
          replies.push(() => undefined);
          socket.write(Commands.event(format, ['ALL']).bytes);
        },
        header: (event: unknown, name: string) => (event as EslEvent).getHeader(name),
        async close() {
          socket.destroy();
        },
      };
    });
  },
};
export default adapter;
