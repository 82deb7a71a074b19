/**
 * FakeSwitch's options, their defaults, and the option types users write.
 */
import { randomUUID } from 'node:crypto';
import { RealClock, type Clock } from './clock.js';
import type { ExtensionDefinition } from './dialplan.js';
import type { FaultOptions } from './faults.js';

/**
 * A directory user for `userauth <user>@<domain>:<password>`, with the esl-* params of the
 * 13-userauth capture.
 */
export interface FakeUser {
  /** esl-password. */
  password: string;
  /**
   * esl-allowed-events, as written in the directory: `all`, or names separated by commas
   * (or spaces); names after CUSTOM are subclasses (with the param, even `all`, a subclass is
   * subscribed by name only when listed). Default: everything.
   */
  allowedEvents?: string;
  /**
   * esl-allowed-api: command names separated by commas (or spaces). `all` is a name like the
   * others, not a wildcard, as on FreeSWITCH. Default (no param): everything.
   */
  allowedApi?: string;
  /** esl-allowed-log. Default true. */
  allowedLog?: boolean;
}

/** Simulated media: how long things take, in clock time. */
export interface MediaOptions {
  /** A playback's length when the file is not listed in `durations` (ms). Default 1000. */
  playbackMs?: number;
  /**
   * Length of given files (ms), e.g. `{ 'ivr/welcome.wav': 3500 }`. `silence_stream://N` is
   * always N ms; a `tone_stream://` not listed here lasts as long as its tones.
   */
  durations?: Record<string, number>;
  /** Files that do not exist: playback answers `FILE NOT FOUND` at once. */
  missing?: string[];
  /** say / speak: milliseconds per character of text. Default 60. */
  speechMsPerChar?: number;
  /** record: time limit when the application gives none (ms). Default 5000. */
  recordMs?: number;
  /** txfax / rxfax: how long a fax takes (ms). Default 10000. */
  faxMs?: number;
  /** txfax / rxfax: pages transferred. Default 1. */
  faxPages?: number;
}

/** What FakeSwitch.start() takes. Everything is optional. */
export interface FakeSwitchOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one, see `fake.port`. */
  port?: number;
  /** The `auth` password. Default `ClueCon`. */
  password?: string;
  /** Directory users for `userauth`, keyed `user@domain` (e.g. `esltest@127.0.0.1`). */
  users?: Record<string, FakeUser>;
  /**
   * The inbound ACL: return false to refuse a client, which then gets text/rude-rejection
   * and the disconnect notice instead of auth/request (PROTOCOL.md §1.9). Default: allow all.
   */
  acl?: (remoteAddress: string) => boolean;
  /** The clock every timer runs on. Default: real time. Pass a ManualClock in tests. */
  clock?: Clock;
  /** HEARTBEAT (and RE_SCHEDULE) interval in ms. Default 20000; 0 turns them off. */
  heartbeatIntervalMs?: number;
  /** How long a new connection may wait before its first command (ms). Default 25000, as FreeSWITCH. */
  authTimeoutMs?: number;
  /** FreeSWITCH-Hostname. Default `fakeswitch`. */
  hostname?: string;
  /** FreeSWITCH-Switchname. Default: the hostname. */
  switchname?: string;
  /** FreeSWITCH-IPv4. Default `127.0.0.1`. */
  ipv4?: string;
  /** FreeSWITCH-IPv6. Default `::1`. */
  ipv6?: string;
  /** Core-UUID. Default: a new uuid. */
  coreUuid?: string;
  /** The first session id (variable_session_id). Default 1. */
  firstSessionId?: number;
  /** The first Event-Sequence. Default 1. */
  firstEventSequence?: number;
  /** The idle-CPU figure of log lines and `status`. Default 99.5. */
  idleCpu?: number;
  /** Simulated media durations. */
  media?: MediaOptions;
  /** How long a non-loopback endpoint (user/..., sofia/...) rings before it answers (ms). Default 0. */
  ringMs?: number;
  /** The target of the default dialplan's `outbound` extension. Default `127.0.0.1:8084 async full`. */
  outboundSocket?: string;
  /** Extra dialplan extensions, tried before the defaults. */
  dialplan?: ExtensionDefinition[];
  /**
   * A destination no extension matches answers and parks. Default false: it has no route
   * (NO_ROUTE_DESTINATION), as on FreeSWITCH. Also `fake.dialplan.catchAll`.
   */
  catchAll?: boolean;
  /** Global variables ($${name}, global_getvar). */
  globalVariables?: Record<string, string>;
  /** `status`'s session limit. Default 1000. */
  maxSessions?: number;
  /**
   * How long (clock ms) the core database takes to show a change: `show channels` and `show
   * calls` list a channel this long after the event that created (or changed, or destroyed)
   * it, as FreeSWITCH's batched SQL thread does. Default 200; 0 shows the channels as they are.
   */
  coreDbDelayMs?: number;
  /** Events a connection may have queued before new ones are lost (FreeSWITCH: 100000). */
  eventQueueLimit?: number;
  /** Log lines a connection may have queued before new ones are lost (FreeSWITCH: 100000). */
  logQueueLimit?: number;
  /** Bytes a connection may have unsent before FakeSwitch stops writing to it (a peer that does not read). Default 1 MiB. */
  sendBufferLimit?: number;
  /** Faults applied to every connection from the start. */
  faults?: FaultOptions;
}

/** FreeSWITCH 1.10.12's version strings, as the captures show them. */
export const VERSION = {
  full: '1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit',
  revisionHuman: 'git a88d069 2024-08-02 21:02:27Z 64bit',
  fullHuman: '1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit',
  short: '1.10.12',
} as const;

export interface ResolvedOptions {
  host: string;
  port: number;
  password: string;
  users: Record<string, FakeUser>;
  acl: ((remoteAddress: string) => boolean) | undefined;
  clock: Clock;
  heartbeatIntervalMs: number;
  authTimeoutMs: number;
  hostname: string;
  switchname: string;
  ipv4: string;
  ipv6: string;
  coreUuid: string;
  firstSessionId: number;
  firstEventSequence: number;
  idleCpu: number;
  media: Required<MediaOptions>;
  ringMs: number;
  outboundSocket: string;
  dialplan: ExtensionDefinition[];
  catchAll: boolean;
  globalVariables: Record<string, string>;
  maxSessions: number;
  coreDbDelayMs: number;
  eventQueueLimit: number;
  logQueueLimit: number;
  sendBufferLimit: number;
  faults: FaultOptions;
}

export function resolveOptions(o: FakeSwitchOptions = {}): ResolvedOptions {
  const hostname = o.hostname ?? 'fakeswitch';
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    password: o.password ?? 'ClueCon',
    users: o.users ?? {},
    acl: o.acl,
    clock: o.clock ?? new RealClock(),
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? 20_000,
    authTimeoutMs: o.authTimeoutMs ?? 25_000,
    hostname,
    switchname: o.switchname ?? hostname,
    ipv4: o.ipv4 ?? '127.0.0.1',
    ipv6: o.ipv6 ?? '::1',
    coreUuid: o.coreUuid ?? randomUUID(),
    firstSessionId: o.firstSessionId ?? 1,
    firstEventSequence: o.firstEventSequence ?? 1,
    idleCpu: o.idleCpu ?? 99.5,
    media: {
      playbackMs: o.media?.playbackMs ?? 1000,
      durations: o.media?.durations ?? {},
      missing: o.media?.missing ?? [],
      speechMsPerChar: o.media?.speechMsPerChar ?? 60,
      recordMs: o.media?.recordMs ?? 5000,
      faxMs: o.media?.faxMs ?? 10_000,
      faxPages: o.media?.faxPages ?? 1,
    },
    ringMs: o.ringMs ?? 0,
    outboundSocket: o.outboundSocket ?? '127.0.0.1:8084 async full',
    dialplan: o.dialplan ?? [],
    catchAll: o.catchAll ?? false,
    globalVariables: {
      hostname,
      domain: o.ipv4 ?? '127.0.0.1',
      local_ip_v4: o.ipv4 ?? '127.0.0.1',
      hold_music: 'local_stream://moh',
      ...o.globalVariables,
    },
    maxSessions: o.maxSessions ?? 1000,
    coreDbDelayMs: o.coreDbDelayMs ?? 200,
    eventQueueLimit: o.eventQueueLimit ?? 100_000,
    logQueueLimit: o.logQueueLimit ?? 100_000,
    sendBufferLimit: o.sendBufferLimit ?? 1024 * 1024,
    faults: o.faults ?? {},
  };
}
