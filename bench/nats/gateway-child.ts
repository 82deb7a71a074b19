/**
 * One gateway in a process of its own, for run.ts: started over IPC, closed over IPC, reports
 * what it published.
 */
import { Gateway, type GatewayOptions } from '../../lib/nats/index.js';

export type ToGateway = { type: 'start'; options: Omit<GatewayOptions, 'nats'> & { servers: string } } | { type: 'close' };
export type FromGateway = { type: 'ready' } | { type: 'closed'; published: number; stored: number; dropped: number; errors: string[] } | { type: 'fatal'; message: string };

let gw: Gateway | undefined;
const errors: string[] = [];

process.on('message', (m: ToGateway) => {
  if (m.type === 'start') {
    const { servers, ...options } = m.options;
    Gateway.start({ ...options, nats: { servers } }).then(
      (g) => {
        gw = g;
        g.errors$.subscribe((e) => errors.length < 20 && errors.push(e.message));
        process.send!({ type: 'ready' } satisfies FromGateway);
      },
      (err: unknown) => process.send!({ type: 'fatal', message: String(err) } satisfies FromGateway),
    );
  } else if (m.type === 'close') {
    const stats = gw?.stats;
    void (gw?.close({ flushMs: 10_000 }) ?? Promise.resolve()).then(() => {
      process.send!({ type: 'closed', published: stats?.published ?? 0, stored: gw?.stats.stored ?? 0, dropped: stats?.dropped ?? 0, errors } satisfies FromGateway, () => process.disconnect());
    });
  }
});
