/**
 * The frames the bench server writes, built from real FreeSWITCH 1.10.12 captures
 * (spec/fixtures/fs-1.10.12) and encoded with rxesl's own byte-exact serializers
 * (EslEvent#toBytes, ServerFrames), so every peer reads exactly what FreeSWITCH would send.
 *
 * The event stream is pre-built: a block of BLOCK_EVENTS frames is serialized once per format,
 * and only the 12 hex digits of each event's Unique-ID are patched in place for each block.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EslEvent, parseFrames, type EventFormat, type Frame } from '../../lib/index.js';
import { ServerFrames } from '../../lib/switch/index.js';
import { repoRoot } from './root.js';
import { EVENT_NAMES_CYCLE, UID_PREFIX, callUuidOf } from './workload.js';

const FIXTURES = join(repoRoot(), 'spec', 'fixtures', 'fs-1.10.12');

type Pairs = Array<[string, string]>;

function fixtureEvents(name: string): EslEvent[] {
  const frames: Frame[] = parseFrames(readFileSync(join(FIXTURES, name, 's2c.bin')));
  return frames.filter((f) => f.contentType === 'text/event-plain').map((f) => EslEvent.fromFrame(f));
}

function pairsOf(ev: EslEvent): Pairs {
  const { names, values } = ev.headerList();
  return names.map((n, i) => [n, values[i]!] as [string, string]);
}

/** Replaces the event's own Unique-ID wherever it appears (Unique-ID, Channel-Call-UUID, variable_uuid...). */
function withUid(pairs: Pairs, oldUid: string, newUid: string): Pairs {
  return pairs.map(([n, v]) => [n, v.split(oldUid).join(newUid)] as [string, string]);
}

let cache: { call: EslEvent[]; bgapi: EslEvent[] } | undefined;
function captures(): { call: EslEvent[]; bgapi: EslEvent[] } {
  cache ??= { call: fixtureEvents('06-events-all-call-plain'), bgapi: fixtureEvents('05-bgapi-jobuuid-plain') };
  return cache;
}

function firstNamed(name: string): EslEvent {
  const ev = captures().call.find((e) => e.name === name);
  if (!ev) throw new Error(`bench: no ${name} in the 06-events-all-call-plain capture`);
  return ev;
}

export interface EventTemplate {
  name: string;
  /** The whole frame (outer headers + event), with Unique-ID digits 000000000000. */
  bytes: Buffer;
  /** Offsets in `bytes` of the 12 hex digits of every Unique-ID occurrence. */
  digits: number[];
}

function indexesOf(buf: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) out.push(i);
  return out;
}

const templateCache = new Map<EventFormat, EventTemplate[]>();

/** The two streamed events (CHANNEL_STATE, CHANNEL_ANSWER) as frames in `format`. */
export function eventTemplates(format: EventFormat): EventTemplate[] {
  const hit = templateCache.get(format);
  if (hit) return hit;
  const placeholder = UID_PREFIX + '000000000000';
  const prefix = Buffer.from(UID_PREFIX, 'latin1');
  const out = EVENT_NAMES_CYCLE.map((name) => {
    const ev = firstNamed(name);
    const own = ev.getHeader('Unique-ID');
    if (!own) throw new Error(`bench: ${name} capture has no Unique-ID`);
    const payload = new EslEvent(withUid(pairsOf(ev), own, placeholder)).toBytes(format);
    const bytes = ServerFrames.event(format, payload);
    const digits = indexesOf(bytes, prefix).map((i) => i + UID_PREFIX.length);
    if (digits.length === 0) throw new Error(`bench: no Unique-ID in the ${format} ${name} template`);
    return { name, bytes, digits };
  });
  templateCache.set(format, out);
  return out;
}

/** Bytes the server writes for events 0..n-1. */
export function streamBytes(format: EventFormat, n: number): number {
  const t = eventTemplates(format);
  let total = 0;
  for (let i = 0; i < t.length; i++) total += t[i]!.bytes.length * Math.floor((n - i + t.length - 1) / t.length);
  return total;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Events per pre-built block (even, so block k always starts with template 0). */
export const BLOCK_EVENTS = 2048;

/**
 * BLOCK_EVENTS consecutive event frames in one buffer. patch(first) rewrites the Unique-IDs
 * for events first..first+BLOCK_EVENTS-1; never call it while a write of the buffer is pending.
 */
export class EventBlock {
  readonly buf: Buffer;
  /** ends[i] = offset just past event i. */
  readonly ends: Int32Array;
  private readonly digitOffsets: Int32Array;
  private readonly digitStart: Int32Array;

  constructor(format: EventFormat) {
    const t = eventTemplates(format);
    const parts: Buffer[] = [];
    const ends = new Int32Array(BLOCK_EVENTS);
    const starts: number[] = [];
    const offsets: number[] = [];
    let pos = 0;
    for (let i = 0; i < BLOCK_EVENTS; i++) {
      const tpl = t[i % t.length]!;
      parts.push(tpl.bytes);
      starts.push(offsets.length);
      for (const d of tpl.digits) offsets.push(pos + d);
      pos += tpl.bytes.length;
      ends[i] = pos;
    }
    starts.push(offsets.length);
    this.buf = Buffer.concat(parts);
    this.ends = ends;
    this.digitOffsets = Int32Array.from(offsets);
    this.digitStart = Int32Array.from(starts);
  }

  patch(first: number, count: number): void {
    const buf = this.buf;
    const digits = new Uint8Array(12);
    for (let i = 0; i < count; i++) {
      let seq = first + i;
      for (let k = 11; k >= 0; k--) {
        digits[k] = HEX[seq % 16]!;
        seq = Math.floor(seq / 16);
      }
      for (let j = this.digitStart[i]!; j < this.digitStart[i + 1]!; j++) {
        const off = this.digitOffsets[j]!;
        for (let k = 0; k < 12; k++) buf[off + k] = digits[k]!;
      }
    }
  }
}

// ------------------------------------------------------------------ BACKGROUND_JOB

interface Spliced {
  head: Buffer;
  join(tail: Buffer): Buffer;
}

const bgCache = new Map<EventFormat, Spliced>();

/**
 * The fixed headers of the captured BACKGROUND_JOB (Event-Name .. Event-Sequence) serialized
 * once; the job's own headers and body are serialized per job and spliced on, which gives
 * exactly what serializing the whole event would (checked once at start-up).
 */
function bgSplice(format: EventFormat): Spliced {
  const hit = bgCache.get(format);
  if (hit) return hit;
  const bg = captures().bgapi.find((e) => e.name === 'BACKGROUND_JOB');
  if (!bg) throw new Error('bench: no BACKGROUND_JOB in the 05-bgapi-jobuuid-plain capture');
  const all = pairsOf(bg);
  const cut = all.findIndex(([n]) => n === 'Job-UUID');
  const fixed = all.slice(0, cut);
  const whole = new EslEvent(fixed).toBytes(format);
  let s: Spliced;
  if (format === 'plain') {
    const head = whole.subarray(0, whole.length - 1); // drop the final blank line
    s = { head, join: (tail) => Buffer.concat([head, tail]) };
  } else if (format === 'json') {
    const head = Buffer.concat([whole.subarray(0, whole.length - 1), Buffer.from(',')]); // drop "}"
    s = { head, join: (tail) => Buffer.concat([head, tail.subarray(1)]) }; // drop "{"
  } else {
    const open = '<event>\n  <headers>\n';
    const end = whole.indexOf('  </headers>\n');
    const head = whole.subarray(0, end);
    s = { head, join: (tail) => Buffer.concat([head, tail.subarray(open.length)]) };
  }
  // Self-check against the real serializer.
  const jobPairs: Pairs = [
    ['Job-UUID', 'b7f0c1a2-0000-4000-8000-000000000001'],
    ['Job-Command', 'echo'],
    ['Job-Command-Arg', 'job-1 with spaces & <xml> %41'],
  ];
  const tail = new EslEvent(jobPairs, 'job-1 with spaces & <xml> %41').toBytes(format);
  const full = new EslEvent([...fixed, ...jobPairs], 'job-1 with spaces & <xml> %41').toBytes(format);
  if (!s.join(tail).equals(full)) throw new Error(`bench: the spliced ${format} BACKGROUND_JOB differs from the serializer's`);
  bgCache.set(format, s);
  return s;
}

/** The BACKGROUND_JOB frame FreeSWITCH sends after `bgapi <command> <args>` completes with `body`. */
export function backgroundJobFrame(format: EventFormat, jobUuid: string, command: string, args: string, body: string): Buffer {
  const s = bgSplice(format);
  const pairs: Pairs = [
    ['Job-UUID', jobUuid],
    ['Job-Command', command],
  ];
  if (args !== '') pairs.push(['Job-Command-Arg', args]);
  const tail = new EslEvent(pairs, body).toBytes(format);
  return ServerFrames.event(format, s.join(tail));
}

// ------------------------------------------------------------------ outbound

/**
 * A serialized frame cut at marker values, so per-call values can be spliced in without
 * serializing the whole event again. Markers are plain letters, which every format writes as
 * they are; each spliced value is encoded by the real serializer (a one-header event).
 */
class Splice {
  private readonly parts: Buffer[] = [];
  private readonly slots: string[] = [];

  constructor(bytes: Buffer, markers: string[]) {
    let pos = 0;
    for (;;) {
      let at = -1;
      let which = '';
      for (const m of markers) {
        const i = bytes.indexOf(m, pos, 'latin1');
        if (i >= 0 && (at < 0 || i < at)) {
          at = i;
          which = m;
        }
      }
      if (at < 0) break;
      this.parts.push(bytes.subarray(pos, at));
      this.slots.push(which);
      pos = at + which.length;
    }
    this.parts.push(bytes.subarray(pos));
  }

  render(values: Record<string, Buffer>): Buffer {
    const list: Buffer[] = [];
    for (let i = 0; i < this.slots.length; i++) list.push(this.parts[i]!, values[this.slots[i]!]!);
    list.push(this.parts[this.slots.length]!);
    return Buffer.concat(list);
  }
}

const UID_MARK = 'QQBENCHUIDQQ';
const APP_MARK = 'QQBENCHAPPQQ';
const DATA_MARK = 'QQBENCHDATAQQ';
const AUUID_MARK = 'QQBENCHAUUIDQQ';

const XML_OPEN = '<event>\n  <headers>\n    <X>';
const XML_CLOSE = '</X>\n  </headers>\n</event>\n';

/** A header value exactly as `format` writes it (a one-header event, cut out). */
function encodedValue(format: EventFormat, value: string): Buffer {
  const b = new EslEvent([['X', value]]).toBytes(format);
  if (format === 'plain') return b.subarray(3, b.length - 2); // "X: " ... "\n\n"
  if (format === 'json') return b.subarray(6, b.length - 2); // '{"X":"' ... '"}'
  return b.subarray(XML_OPEN.length, b.length - XML_CLOSE.length);
}

let connectSplice: Splice | undefined;
let connectCheck: ((n: number) => Buffer) | undefined;

function channelDataPairs(uid: string): Pairs {
  const ev = firstNamed('CHANNEL_ANSWER');
  const own = ev.getHeader('Unique-ID')!;
  return withUid(pairsOf(ev), own, uid).map(([n, v]) => (n === 'Event-Name' ? ['Event-Name', 'CHANNEL_DATA'] : [n, v]) as [string, string]);
}

function connectReplyOf(pairs: Pairs): Buffer {
  return ServerFrames.connectReply({ names: pairs.map((x) => x[0]), values: pairs.map((x) => x[1]) }, { socketMode: 'async', control: 'full' });
}

/** The reply to `connect` for outbound call number n: CHANNEL_DATA of a real answered channel. */
export function connectReplyFrame(n: number): Buffer {
  if (!connectSplice) {
    connectSplice = new Splice(connectReplyOf(channelDataPairs(UID_MARK)), [UID_MARK]);
    connectCheck = (k) => connectReplyOf(channelDataPairs(callUuidOf(k)));
    if (!connectSplice.render({ [UID_MARK]: Buffer.from(callUuidOf(7)) }).equals(connectCheck(7))) {
      throw new Error('bench: the spliced connect reply differs from ServerFrames.connectReply');
    }
  }
  return connectSplice.render({ [UID_MARK]: Buffer.from(callUuidOf(n), 'latin1') });
}

function executeCompletePairs(uid: string, app: string, arg: string, appUuid: string): Pairs {
  const ev = firstNamed('CHANNEL_EXECUTE_COMPLETE');
  const pairs = withUid(pairsOf(ev), ev.getHeader('Unique-ID')!, uid).map(([n, v]) => {
    if (n === 'Application') return [n, app] as [string, string];
    if (n === 'Application-Data') return [n, arg] as [string, string];
    if (n === 'Application-UUID') return [n, appUuid] as [string, string];
    return [n, v] as [string, string];
  });
  if (!pairs.some(([n]) => n === 'Application-Data')) {
    const at = pairs.findIndex(([n]) => n === 'Application');
    pairs.splice(at + 1, 0, ['Application-Data', arg]);
  }
  return pairs;
}

const eceSplices = new Map<EventFormat, Splice>();

/** CHANNEL_EXECUTE_COMPLETE for an application run on call `uuid` (Application-UUID = the Event-UUID sent). */
export function executeCompleteFrame(format: EventFormat, uuid: string, app: string, arg: string, appUuid: string): Buffer {
  let sp = eceSplices.get(format);
  if (!sp) {
    sp = new Splice(new EslEvent(executeCompletePairs(UID_MARK, APP_MARK, DATA_MARK, AUUID_MARK)).toBytes(format), [
      UID_MARK,
      APP_MARK,
      DATA_MARK,
      AUUID_MARK,
    ]);
    const sample = ['ca11ca11-b1e5-4c0d-9a11-00000000002a', 'set', 'bench_0=a b&c<d>%41 "q"', '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00'] as const;
    const spliced = sp.render({
      [UID_MARK]: Buffer.from(sample[0]),
      [APP_MARK]: encodedValue(format, sample[1]),
      [DATA_MARK]: encodedValue(format, sample[2]),
      [AUUID_MARK]: encodedValue(format, sample[3]),
    });
    if (!spliced.equals(new EslEvent(executeCompletePairs(...sample)).toBytes(format))) {
      throw new Error(`bench: the spliced ${format} CHANNEL_EXECUTE_COMPLETE differs from the serializer's`);
    }
    eceSplices.set(format, sp);
  }
  const payload = sp.render({
    [UID_MARK]: Buffer.from(uuid, 'latin1'),
    [APP_MARK]: encodedValue(format, app),
    [DATA_MARK]: encodedValue(format, arg),
    [AUUID_MARK]: encodedValue(format, appUuid),
  });
  return ServerFrames.event(format, payload);
}
