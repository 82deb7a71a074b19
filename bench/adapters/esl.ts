/**
 * esl 11.2.1 (shimaore/esl): FreeSwitchClient / FreeSwitchServer with promise-returning
 * commands. Used as its README shows: `new FreeSwitchClient({host, port, password})`, the
 * `connect` event, `call.event_json('ALL')`, one handler per event name, `call.api()`,
 * `call.bgapi()`; `new FreeSwitchServer()` (all_events and my_events on, the defaults) with
 * the `connection` event.
 */
import { FreeSwitchClient, FreeSwitchServer, type FreeSwitchResponse } from 'esl';
import type { Adapter, EventSink, OutboundCall } from '../core/types.js';
import { EVENT_NAMES_CYCLE } from '../core/workload.js';

interface EventData {
  headers: Record<string, string | undefined>;
  body: Record<string, string | undefined>;
}

const silent = { debug: () => undefined, info: () => undefined, error: () => undefined };
/** esl rejects a command whose reply does not come in time; the bench has its own budget. */
const TIMEOUT = 600_000;

const adapter: Adapter = {
  name: 'esl',
  packageName: 'esl',
  kind: 'peer',
  exact: false,
  unsupported: {
    'events-xml': 'esl handles text/event-json and text/event-plain only (an XML event is an unhandled content type)',
  },
  notes: [
    'esl: plain values are NOT percent-decoded (handed back raw); JSON values are.',
    'esl: api and bgapi are queued, one command on the wire at a time (each waits for the previous reply).',
    'esl: events are emitted by name only (no catch-all); the adapter listens to the streamed names. Plain events are subscribed with `call.send("event plain ALL")` (the library parses them).',
    'esl: outbound execute is `call.command(app, arg)`, which waits for CHANNEL_EXECUTE_COMPLETE like modesl\'s execute.',
  ],
  connect(options) {
    return new Promise((resolve, reject) => {
      const client = new FreeSwitchClient({ host: options.host, port: options.port, password: options.password, logger: silent });
      client.on('error', (err) => reject(err instanceof Error ? err : new Error(String(err))));
      client.on('connect', (call: FreeSwitchResponse) => {
        resolve({
          async subscribe(format, sink: EventSink) {
            const handler = (ev: EventData): void => sink(ev.body['Event-Name'], ev.body['Unique-ID'], ev);
            const on = call.on.bind(call) as unknown as (name: string, h: (ev: EventData) => void) => void;
            for (const name of EVENT_NAMES_CYCLE) on(name, handler);
            if (format === 'json') await call.event_json('ALL');
            else await call.send(`event ${format} ALL`, {}, TIMEOUT);
          },
          header: (ev, name) => (ev as EventData).body[name],
          api: async (command, args) => (await call.api(`${command} ${args}`, TIMEOUT)).body,
          bgapi: async (command, args) => {
            const res = (await call.bgapi(`${command} ${args}`, TIMEOUT)) as unknown as EventData;
            return res.body._body ?? '';
          },
          async close() {
            client.end();
          },
        });
      });
      client.connect();
    });
  },
  async listen(options, onCall) {
    const server = new FreeSwitchServer({ logger: silent });
    server.on('connection', (call: FreeSwitchResponse, data: { uuid?: string }) => {
      const c: OutboundCall = {
        uuid: data.uuid,
        linger: () => call.linger(),
        execute: (app, arg) => call.command(app, arg, TIMEOUT),
        api: async (command, args) => (await call.api(`${command} ${args}`, TIMEOUT)).body,
        exit: () => call.exit(),
      };
      onCall(c);
    });
    await server.listen({ host: options.host, port: options.port });
    return { close: () => server.close() };
  },
};
export default adapter;
