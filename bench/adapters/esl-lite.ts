/**
 * esl-lite 3.2.0 (shimaore/esl-lite): an inbound-only client with JSON events and bgapi.
 * Used as its README shows: `new FreeSwitchClient({host, port, password, logger})` (it needs a
 * pino-style logger), `client.on('ALL', ...)` (which sends `event json ALL`), and
 * `client.bgapi(cmd, timeout)`. It has no api and no outbound server.
 */
import { FreeSwitchClient } from 'esl-lite';
import type { Adapter, EventSink } from '../core/types.js';

interface LiteEvent {
  body: { eventName?: string; uniqueID?: string; response?: unknown; data: Record<string, unknown> };
}

const noop = (): void => undefined;
interface SilentLogger {
  child(): SilentLogger;
  trace(): void;
  debug(): void;
  info(): void;
  warn(): void;
  error(): void;
  fatal(): void;
}
const silent: SilentLogger = { child: () => silent, trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
const TIMEOUT = 600_000;

/** esl-lite only subscribes in JSON; send() is protected, reachable from a subclass (as its docs say). */
class Client extends FreeSwitchClient {
  command(line: string): Promise<unknown> {
    return this.send(line, {}, undefined, TIMEOUT);
  }
}

const NO_API = 'esl-lite has no api (bgapi only)';

const adapter: Adapter = {
  name: 'esl-lite',
  packageName: 'esl-lite',
  kind: 'peer',
  exact: false,
  unsupported: {
    'events-xml': 'esl-lite handles text/event-json and text/event-plain only (an XML event ends its connection)',
    'api-seq': NO_API,
    'api-concurrent': NO_API,
    outbound: 'esl-lite has no outbound server',
  },
  notes: [
    'esl-lite: subscribes in JSON only; the plain scenario forces `event plain ALL` through send() from a subclass. Plain values are NOT decoded.',
    'esl-lite: one command on the wire at a time (each waits for the previous reply), bgapi included.',
    'esl-lite: its parser looks for "\\n\\n" in the newest chunk only, so a blank line split across two reads mis-frames an event (read as one without Content-Type, or one event\'s name with the next one\'s Unique-ID); it then aborts the socket and reconnects, losing what was in flight. On reconnection it re-subscribes in JSON only, so a plain stream never resumes.',
  ],
  async connect(options) {
    const client = new Client({ host: options.host, port: options.port, password: options.password, logger: silent });
    // Any command resolves once authenticated (esl-lite queues it behind auth).
    const r = await client.command('event json BACKGROUND_JOB');
    if (r instanceof Error) throw r;
    return {
      async subscribe(format, sink: EventSink) {
        client.on('ALL', (ev: LiteEvent) => sink(ev.body.eventName, ev.body.uniqueID, ev));
        if (format !== 'json') {
          const res = await client.command(`event ${format} ALL`);
          if (res instanceof Error) throw res;
        }
      },
      header: (ev, name) => {
        const v = (ev as LiteEvent).body.data[name];
        return v === undefined ? undefined : String(v);
      },
      bgapi: async (command, args) => {
        const res = await client.bgapi(`${command} ${args}`, TIMEOUT);
        if (res instanceof Error) throw res;
        const out = (res as unknown as LiteEvent).body.response;
        return typeof out === 'string' ? out : String(out);
      },
      async close() {
        client.end();
      },
    };
  },
};
export default adapter;
