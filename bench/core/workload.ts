/**
 * The workload both sides agree on, without building any frame: the Unique-ID of every
 * streamed event, its Event-Name, the checksum of the pair, and the commands of the api,
 * bgapi and outbound scenarios. The server builds the frames (bench/core/frames.ts); the
 * client only needs these few functions to check what it got.
 */

/**
 * Streamed event number `seq` carries Unique-ID UID_PREFIX + 12 lowercase hex digits of seq
 * (a well-formed UUID), in every header where the captured event had its own Unique-ID.
 */
export const UID_PREFIX = '5eed0000-b1e5-4c0d-9a11-';
/** Outbound call number `n` is the channel CALL_PREFIX + 12 hex digits of n. */
export const CALL_PREFIX = 'ca11ca11-b1e5-4c0d-9a11-';

/**
 * Event `seq` is a copy of template seq % 2: a real CHANNEL_STATE (about 2.0 KB on the wire in
 * plain) and a real CHANNEL_ANSWER (about 2.6 KB), captured from FreeSWITCH 1.10.12.
 */
export const EVENT_NAMES_CYCLE = ['CHANNEL_STATE', 'CHANNEL_ANSWER'] as const;

export function nameOf(seq: number): string {
  return EVENT_NAMES_CYCLE[seq % EVENT_NAMES_CYCLE.length]!;
}

function hex12(n: number): string {
  return n.toString(16).padStart(12, '0');
}

export function callUuidOf(n: number): string {
  return CALL_PREFIX + hex12(n);
}

const PREFIX_CODES = Array.from(UID_PREFIX, (c) => c.charCodeAt(0));

/**
 * The sequence number in a streamed Unique-ID, or -1 if it is not one of ours. Every one of
 * the 36 characters is checked (charCodeAt: String#startsWith alone costs ~100 ns a call, which
 * the harness would charge to every library on every event).
 */
export function seqOf(uid: string): number {
  if (uid.length !== 36) return -1;
  for (let i = 0; i < 24; i++) if (uid.charCodeAt(i) !== PREFIX_CODES[i]) return -1;
  let n = 0;
  for (let i = 24; i < 36; i++) {
    const c = uid.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return -1;
    n = n * 16 + d;
  }
  return n;
}

/**
 * The per-event checksum term: a 32-bit mix of the sequence number read from the Unique-ID.
 * It is only added once the whole Unique-ID and the Event-Name (compared exactly with the
 * name that sequence number must carry) have been checked, so the sum covers both strings.
 */
export function eventHash(seq: number): number {
  let x = seq | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A header whose value must be percent-decoded in plain and XML (Outbound%20Call on the wire),
 * and is plain text in JSON. Read on one event in 1024 to show whether a library decodes.
 */
export const PROBE_HEADER = 'Caller-Callee-ID-Name';
export const PROBE_VALUE = 'Outbound Call';
export const PROBE_EVERY = 1024;

export const PASSWORD = 'ClueCon';

/** api scenarios: `api echo req-<i>`; the api/response body is exactly `req-<i>`. */
export function apiArgs(i: number): string {
  return `req-${i}`;
}
/** bgapi scenario: `bgapi echo job-<i>`; the BACKGROUND_JOB body is exactly `job-<i>`. */
export function bgapiArgs(i: number): string {
  return `job-${i}`;
}

/**
 * The outbound script, 10 commands per call: linger, then four times (execute set
 * bench_k=<uuid>-k, api uuid_getvar <uuid> bench_k, whose reply must be <uuid>-k), then exit.
 */
export const OUTBOUND_SET_ROUNDS = 4;
