/**
 * The contract between the benchmark harness and the libraries it measures.
 *
 * An adapter is one small file in bench/adapters/ that drives one library the way its README
 * tells users to. The harness (bench/child.ts) owns the workload, the clock, the counting and
 * the checks; the adapter only connects, subscribes, sends, and hands back what the library
 * delivered, read through the library's own accessors.
 */

export type EventFormat = 'plain' | 'json' | 'xml';

export const SCENARIOS = [
  'events-plain',
  'events-json',
  'events-xml',
  'api-seq',
  'api-concurrent',
  'bgapi-concurrent',
  'outbound',
  'soak',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The wire format a streaming scenario uses. */
export function formatOf(scenario: Scenario): EventFormat | undefined {
  switch (scenario) {
    case 'events-plain':
    case 'soak':
      return 'plain';
    case 'events-json':
      return 'json';
    case 'events-xml':
      return 'xml';
    default:
      return undefined;
  }
}

export interface ConnectOptions {
  host: string;
  port: number;
  password: string;
}

/**
 * Called by the adapter once for every event the library delivers, with Event-Name and
 * Unique-ID exactly as the library's accessors return them, and the library's own event
 * object (which the harness passes back to `InboundSession.header` for the decoding probe).
 */
export type EventSink = (name: string | undefined, uniqueId: string | undefined, event: unknown) => void;

/** What the harness tells a subscriber about the stream it is about to receive. */
export interface StreamContext {
  readonly expectedEvents: number;
  /** Bytes of the event frames the server will write (not counting the subscription reply). */
  readonly expectedBytes: number;
  /**
   * For the limit readers only (raw, framer), which do not decode events: count `n` events as
   * delivered without a name or id. Their checksum column shows n/a.
   */
  countUnverified(n: number): void;
}

/** An authenticated inbound connection (the library is the client, the bench server the switch). */
export interface InboundSession {
  /**
   * Optional set-up that is not part of the timed section (for example a library that needs
   * an explicit `event json BACKGROUND_JOB` before bgapi can complete).
   */
  prepare?(scenario: Scenario): Promise<void>;
  /**
   * Subscribes to ALL events in `format` (the bench server starts streaming when it sees an
   * `event <format> ... ALL` command in the scenario's format) and calls `sink` for every event.
   * May resolve as soon as the command is written.
   */
  subscribe(format: EventFormat, sink: EventSink, context: StreamContext): Promise<void> | void;
  /** Reads one header of an event given to the sink, through the library (the decoding probe). */
  header(event: unknown, name: string): string | undefined;
  /** `api <command> <args>`: resolves with the body of the api/response. */
  api?(command: string, args: string): Promise<string>;
  /** `bgapi <command> <args>`: resolves with the body of the matching BACKGROUND_JOB. */
  bgapi?(command: string, args: string): Promise<string>;
  close(): Promise<void>;
}

/** One outbound call: FreeSWITCH (the bench server) dialled the library's server and `connect` was answered. */
export interface OutboundCall {
  /** Unique-ID of the channel, from the CHANNEL_DATA of the connect reply, read through the library. */
  readonly uuid: string | undefined;
  /** `linger`; resolves with the reply. */
  linger(): Promise<unknown>;
  /** `sendmsg` execute of a dialplan application; resolves when the library considers it done. */
  execute(app: string, arg: string): Promise<unknown>;
  /** `api <command> <args>` on the call's socket: resolves with the body. */
  api(command: string, args: string): Promise<string>;
  /** `exit`: resolves with the reply (+OK bye); the switch then sends the disconnect notice and closes. */
  exit(): Promise<unknown>;
}

export interface OutboundServer {
  close(): Promise<void>;
}

export type AdapterKind = 'rxesl' | 'peer' | 'limit';

export interface Adapter {
  /** The name used on the command line and in the tables (`--libs modesl,rxesl`). */
  readonly name: string;
  /** npm package whose version goes in the report (undefined for the limits; rxesl reads its own). */
  readonly packageName?: string;
  readonly kind: AdapterKind;
  /**
   * Scenarios the library cannot do, each with the reason shown as "n/a" in the tables. The
   * harness never starts those runs.
   */
  readonly unsupported: Partial<Record<Scenario, string>>;
  /** How the library is driven, and what it does or does not decode; printed under the tables. */
  readonly notes?: readonly string[];
  /**
   * True when every event must arrive exactly once with the right values: the smoke run fails
   * on any loss or duplicate (rxesl and the limits). Peers' losses are reported as their faults.
   */
  readonly exact: boolean;
  /** Inbound: connect and authenticate; resolve when commands can be sent. */
  connect?(options: ConnectOptions): Promise<InboundSession>;
  /** Outbound: listen on host:port and hand every call to `onCall` once its `connect` was answered. */
  listen?(options: { host: string; port: number }, onCall: (call: OutboundCall) => void): Promise<OutboundServer>;
}
