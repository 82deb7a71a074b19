/**
 * Events as FakeSwitch creates and fires them. The header set and order are FreeSWITCH's
 * (src/switch_event.c): switch_event_create() stamps the 13 core headers at creation, in this
 * order, with the Event-Sequence taken then; the creator appends its own headers after them;
 * switch_event_fire() hands the event to every listener. Serialization is the protocol
 * layer's (EslEvent.toBytes), done once per format whatever the number of listeners.
 */
import { EslEvent } from '../../protocol/event.js';
import type { EventFormat } from '../../protocol/content-type.js';
import { ServerFrames } from '../../switch/server-frames.js';

/** Where FreeSWITCH creates an event: Event-Calling-File, -Function and -Line-Number. */
export interface EventSite {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

/** The creation sites seen in the 1.10.12 captures, and in the source for the others. */
export const SITES = {
  channelState: { file: 'switch_channel.c', func: 'switch_channel_perform_set_running_state', line: 2408 },
  callState: { file: 'switch_channel.c', func: 'switch_channel_perform_set_callstate', line: 301 },
  create: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 626 },
  originate: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 632 },
  uuid: { file: 'switch_core_session.c', func: 'switch_core_session_set_uuid', line: 2051 },
  outgoing: { file: 'switch_core_session.c', func: 'switch_core_session_outgoing_channel', line: 768 },
  readCodec: { file: 'switch_core_codec.c', func: 'switch_core_session_set_read_codec', line: 279 },
  writeCodec: { file: 'switch_core_codec.c', func: 'switch_core_session_set_write_codec', line: 450 },
  execute: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2944 },
  executeComplete: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2967 },
  answer: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_answered', line: 3846 },
  progress: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_ring_ready_value', line: 3507 },
  progressMedia: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_pre_answered', line: 3562 },
  park: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1002 },
  unpark: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1213 },
  callUpdate: { file: 'switch_channel.c', func: 'switch_channel_flip_cid', line: 3277 },
  hangup: { file: 'switch_channel.c', func: 'switch_channel_perform_hangup', line: 3445 },
  hangupComplete: { file: 'switch_core_state_machine.c', func: 'switch_core_session_reporting_state', line: 943 },
  destroy: { file: 'switch_core_session.c', func: 'switch_core_session_perform_destroy', line: 1584 },
  bridge: { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1689 },
  unbridge: { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1879 },
  hold: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_hold', line: 876 },
  dtmf: { file: 'switch_channel.c', func: 'switch_channel_dequeue_dtmf', line: 678 },
  playbackStart: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 1649 },
  playbackStop: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 2023 },
  recordStart: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_record_file_event', line: 770 },
  recordStop: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_record_file_event', line: 1033 },
  privateCommand: { file: 'switch_ivr.c', func: 'switch_ivr_parse_next_event', line: 804 },
  channelData: { file: 'mod_event_socket.c', func: 'parse_command', line: 2031 },
  api: { file: 'switch_loadable_module.c', func: 'switch_api_execute', line: 2954 },
  backgroundJob: { file: 'mod_event_socket.c', func: 'api_exec', line: 1572 },
  sendevent: { file: 'mod_event_socket.c', func: 'parse_command', line: 2275 },
  heartbeat: { file: 'switch_core.c', func: 'send_heartbeat', line: 95 },
  reSchedule: { file: 'switch_scheduler.c', func: 'switch_scheduler_execute', line: 73 },
  user: { file: 'fake-switch.ts', func: 'fire', line: 1 },
} as const satisfies Record<string, EventSite>;

/** The identity FreeSWITCH stamps on every event (FINDINGS: `vm`, 192.0.2.2, fd00::2). */
export interface SwitchIdentity {
  coreUuid: string;
  hostname: string;
  switchname: string;
  ipv4: string;
  ipv6: string;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD hh:mm:ss` in local time (Event-Date-Local, the *_stamp variables). */
export function localStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * An ordered header list being built. As switch_event_add_header_string, an empty value is
 * not stored (FreeSWITCH drops it: FINDINGS §4, no Job-Owner-UUID on inbound connections).
 */
export class HeaderBuilder {
  readonly names: string[] = [];
  readonly values: string[] = [];

  add(name: string, value: string | number | undefined | null): this {
    if (value === undefined || value === null) return this;
    const v = typeof value === 'string' ? value : String(value);
    if (v === '') return this;
    this.names.push(name);
    this.values.push(v);
    return this;
  }

  /** Inserts at the top (SWITCH_STACK_TOP). */
  unshift(name: string, value: string): this {
    if (value === '') return this;
    this.names.unshift(name);
    this.values.unshift(value);
    return this;
  }

  /** First value of that name, ignoring case. */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.names.length; i++) if (this.names[i]!.toLowerCase() === lower) return this.values[i];
    return undefined;
  }

  /** Deletes every header of that name, ignoring case. */
  delete(name: string): this {
    const lower = name.toLowerCase();
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (this.names[i]!.toLowerCase() === lower) {
        this.names.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
    return this;
  }

  pairs(): Array<[string, string]> {
    const out: Array<[string, string]> = new Array(this.names.length);
    for (let i = 0; i < this.names.length; i++) out[i] = [this.names[i]!, this.values[i]!];
    return out;
  }
}

/**
 * An event that has been fired: the EslEvent plus what delivery needs (its name, subclass,
 * Unique-ID and Job-Owner-UUID) and its wire frames, built once per format on first use.
 */
export class FiredEvent {
  readonly name: string;
  readonly subclass: string | undefined;
  readonly uniqueId: string | undefined;
  readonly jobOwnerUuid: string | undefined;
  #plain: Buffer | undefined;
  #json: Buffer | undefined;
  #xml: Buffer | undefined;

  /**
   * @param meta The event's type and subclass when they differ from its headers (a
   *   `sendevent` keeps the client's own Event-Name header first).
   */
  constructor(
    readonly event: EslEvent,
    meta?: { name: string; subclass?: string },
  ) {
    this.name = meta?.name ?? event.name ?? 'CLONE';
    this.subclass = meta ? meta.subclass : event.subclass;
    this.uniqueId = event.getHeader('Unique-ID');
    this.jobOwnerUuid = event.getHeader('Job-Owner-UUID');
  }

  /** First header of that name (ignoring case), as FreeSWITCH's switch_event_get_header. */
  header(name: string): string | undefined {
    return this.event.getHeader(name);
  }

  /** The whole text/event-<format> frame, as FreeSWITCH writes it (Content-Length first). */
  frame(format: EventFormat): Buffer {
    switch (format) {
      case 'json':
        return (this.#json ??= ServerFrames.event('json', this.event.toBytes('json')));
      case 'xml':
        return (this.#xml ??= ServerFrames.event('xml', this.event.toBytes('xml')));
      default:
        return (this.#plain ??= ServerFrames.event('plain', this.event.toBytes('plain')));
    }
  }
}

/** Makes the core headers and sequence numbers of one switch. */
export class EventFactory {
  readonly #now: () => number;
  #sequence: number;

  constructor(
    readonly identity: SwitchIdentity,
    now: () => number,
    firstSequence = 1,
  ) {
    this.#now = now;
    this.#sequence = firstSequence - 1;
  }

  /** Uses up a sequence number for an event nobody will receive (FreeSWITCH numbers every event it creates). */
  skip(): void {
    this.#sequence++;
  }

  /** Appends the 13 core headers (switch_event_prep_for_delivery) to `h`. */
  stamp(h: HeaderBuilder, name: string, site: EventSite): HeaderBuilder {
    const ms = this.#now();
    const id = this.identity;
    h.add('Event-Name', name)
      .add('Core-UUID', id.coreUuid)
      .add('FreeSWITCH-Hostname', id.hostname)
      .add('FreeSWITCH-Switchname', id.switchname)
      .add('FreeSWITCH-IPv4', id.ipv4)
      .add('FreeSWITCH-IPv6', id.ipv6)
      .add('Event-Date-Local', localStamp(ms))
      .add('Event-Date-GMT', new Date(ms).toUTCString())
      .add('Event-Date-Timestamp', `${Math.floor(ms) * 1000}`)
      .add('Event-Calling-File', site.file)
      .add('Event-Calling-Function', site.func)
      .add('Event-Calling-Line-Number', site.line)
      .add('Event-Sequence', ++this.#sequence);
    return h;
  }

  /** A new event's headers: the core headers, then Event-Subclass for a CUSTOM event. */
  create(name: string, site: EventSite, subclass?: string): HeaderBuilder {
    const h = this.stamp(new HeaderBuilder(), name, site);
    if (subclass) h.add('Event-Subclass', subclass);
    return h;
  }

  /**
   * An event a user built (`fake.fire(eslEvent)`), sent as it is with only its missing core
   * headers added: the core headers in FreeSWITCH's order (the event's own value when it has
   * one), then the event's other headers in its order.
   */
  complete(event: EslEvent): FiredEvent {
    const name = event.name ?? 'CUSTOM';
    const own = event.headerList();
    const ownIndex = new Map<string, number>();
    own.names.forEach((n, i) => {
      if (!ownIndex.has(n.toLowerCase())) ownIndex.set(n.toLowerCase(), i);
    });
    const stamped = this.stamp(new HeaderBuilder(), name, SITES.user);
    const h = new HeaderBuilder();
    const used = new Set<number>();
    for (let i = 0; i < stamped.names.length; i++) {
      const at = ownIndex.get(stamped.names[i]!.toLowerCase());
      if (at !== undefined) used.add(at);
      h.add(stamped.names[i]!, at !== undefined ? own.values[at]! : stamped.values[i]!);
    }
    for (let i = 0; i < own.names.length; i++) if (!used.has(i)) h.add(own.names[i]!, own.values[i]!);
    return new FiredEvent(new EslEvent(h.pairs(), event.rawBody()), { name, subclass: event.subclass });
  }
}

/**
 * Builds the EslEvent of a header list and an optional body. An empty body is kept: plain and
 * XML then write no body at all, while JSON still writes `"Content-Length":"0","_body":""`,
 * as FreeSWITCH does for a bgapi whose command printed nothing.
 */
export function toEslEvent(h: HeaderBuilder, body?: string | Buffer): EslEvent {
  return new EslEvent(h.pairs(), body);
}
