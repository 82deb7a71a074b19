/**
 * rxesl as its README shows it: Connection.connect, events$ plus events(format, ['ALL']),
 * api / bgapi as Observables (firstValueFrom / lastValueFrom), Server.listen with
 * connections$ and execute completing on CHANNEL_EXECUTE_COMPLETE.
 */
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { type ApiResponse, type BackgroundJob, Connection, type EslEvent, Server } from '../../lib/index.js';
import type { Adapter, OutboundCall } from '../core/types.js';

const adapter: Adapter = {
  name: 'rxesl',
  kind: 'rxesl',
  exact: true,
  unsupported: {},
  notes: [
    'rxesl: Connection.connect (TCP_NODELAY); conn.events$ (parsed once, shared) + conn.events(format, ["ALL"]); event.name / getHeader (plain values decoded lazily); conn.api / conn.bgapi pipelined through one FIFO; Server.listen + connections$ (connect and myevents pipelined).',
  ],
  async connect({ host, port, password }) {
    const conn = await Connection.connect({ host, port, password });
    return {
      async subscribe(format, sink) {
        // events$ is hot: subscribe before asking for events.
        conn.events$.subscribe((ev) => sink(ev.name, ev.getHeader('Unique-ID'), ev));
        await firstValueFrom(conn.events(format, ['ALL']));
      },
      header: (ev, name) => (ev as EslEvent).getHeader(name),
      api: (command, args) => firstValueFrom(conn.api(command, args)).then((r: ApiResponse) => r.body),
      // bgapi emits the command reply, then the BACKGROUND_JOB: the result is the last value.
      bgapi: (command, args) => lastValueFrom(conn.bgapi(command, args)).then((r) => (r as BackgroundJob).body),
      close: () => conn.close(),
    };
  },
  async listen({ host, port }, onCall) {
    const server = await Server.listen({ host, port });
    server.connections$.subscribe((conn) => {
      const call: OutboundCall = {
        uuid: conn.uuid,
        linger: () => firstValueFrom(conn.linger()),
        execute: (app, arg) => lastValueFrom(conn.execute(app, arg)),
        api: (command, args) => firstValueFrom(conn.api(command, args)).then((r) => r.body),
        exit: () => firstValueFrom(conn.exit()),
      };
      onCall(call);
    });
    return { close: () => server.close() };
  },
};

export default adapter;
