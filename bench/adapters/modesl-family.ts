/**
 * modesl and its fork drachtio-modesl share their API (ESLconnection, esl.Server); this builds
 * the adapter for either. Used as their READMEs show: `new esl.Connection(host, port, password,
 * ready)`, `conn.events(format, 'all')` with an `esl::event::**` listener (EventEmitter2
 * wildcard), `api(cmd, args, cb)`, `bgapi(cmd, args, cb)` (waits for BACKGROUND_JOB), and
 * `new esl.Server({host, port})` with `connection::ready`, `execute(app, arg, cb)` (waits for
 * CHANNEL_EXECUTE_COMPLETE) and `sendRecv`.
 */
import type * as Modesl from 'modesl';
import type { Adapter, EventSink, InboundSession, OutboundCall, Scenario } from '../core/types.js';

type Lib = typeof Modesl;
type Conn = Modesl.Connection;
type Ev = Modesl.Event;

export interface FamilyOptions {
  name: string;
  packageName: string;
  lib: Lib;
  /** drachtio-modesl subscribes to nothing on its own: the application must (README). */
  explicitSubscriptions: boolean;
  notes: string[];
}

function header(ev: Ev, name: string): string | undefined {
  return ev.getHeader(name) ?? undefined;
}

export function modeslFamily(o: FamilyOptions): Adapter {
  const { lib } = o;

  function session(conn: Conn): InboundSession {
    return {
      async prepare(scenario: Scenario) {
        if (o.explicitSubscriptions && scenario === 'bgapi-concurrent') {
          await new Promise<void>((resolve) => conn.subscribe(['BACKGROUND_JOB'], () => resolve()));
        }
      },
      subscribe(format, sink: EventSink) {
        conn.on('esl::event::**', (ev: Ev) => {
          const name = ev.getHeader('Event-Name');
          if (name === null || name === undefined) return; // replies
          sink(name, header(ev, 'Unique-ID'), ev);
        });
        conn.events(format, 'all');
      },
      header: (ev, name) => header(ev as Ev, name),
      api: (command, args) => new Promise((resolve) => conn.api(command, args, (ev) => resolve(ev.getBody()))),
      bgapi: (command, args) => new Promise((resolve) => conn.bgapi(command, args, (ev) => resolve(ev.getBody()))),
      async close() {
        conn.disconnect();
      },
    };
  }

  function call(conn: Conn): OutboundCall {
    return {
      uuid: conn.getInfo()?.getHeader('Unique-ID') ?? undefined,
      linger: () => new Promise((resolve) => conn.sendRecv('linger', resolve)),
      execute: (app, arg) => new Promise((resolve) => conn.execute(app, arg, resolve)),
      api: (command, args) => new Promise((resolve) => conn.api(command, args, (ev) => resolve(ev.getBody()))),
      exit: () => new Promise((resolve) => conn.sendRecv('exit', resolve)),
    };
  }

  return {
    name: o.name,
    packageName: o.packageName,
    kind: 'peer',
    exact: false,
    unsupported: {},
    notes: o.notes,
    connect(options) {
      return new Promise((resolve, reject) => {
        const conn = new lib.Connection(options.host, options.port, options.password, () => resolve(session(conn)));
        conn.on('error', (err: Error) => reject(err));
        conn.on('esl::event::auth::fail', () => reject(new Error('auth failed')));
      });
    },
    listen(options, onCall) {
      return new Promise((resolve) => {
        const server = new lib.Server({ host: options.host, port: options.port, myevents: false }, () =>
          resolve({ close: () => new Promise<void>((r) => server.close(() => r())) }),
        );
        server.on('connection::ready', (conn) => {
          if (o.explicitSubscriptions) conn.subscribe('CHANNEL_EXECUTE_COMPLETE', () => onCall(call(conn)));
          else onCall(call(conn));
        });
      });
    },
  };
}
