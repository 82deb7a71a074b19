/**
 * Replays the client side of a capture against FakeSwitch and compares what comes back with
 * what FreeSWITCH 1.10.12 sent.
 *
 * Replay: each client chunk of the capture (one command) is sent once FakeSwitch has sent as
 * many frames as FreeSWITCH had sent before that chunk, so commands go out at the same points
 * of the conversation (after the BACKGROUND_JOB, after the CHANNEL_PARK...). Time runs on a
 * ManualClock that is moved to its next timer whenever the conversation stalls (linger).
 *
 * Comparison: every frame is reduced to a signature with the content type, the outer header
 * names in order, the reply texts, and for events every inner header name in order with its
 * value; UUIDs, the numbers of times, counters and ids (Event-Sequence, dates, *-Time,
 * *_epoch, durations, session_id) and the switch's identity (Core-UUID, hostname,
 * addresses) are normalised; every other number must be equal. Frames are then grouped in streams: one
 * per channel leg (events and log lines of that leg) and one for everything else; each
 * stream must be identical. Only the interleaving of the legs may differ, as it does between
 * two runs of FreeSWITCH itself (its legs run in separate threads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EslEvent, Frame, parseFrames } from 'rxesl';
import { FakeSwitch, ManualClock } from 'rxesl/testing';
import { FIXTURES_DIR, loadFixture } from '../../helpers/fixtures';
import { RawClient } from './raw-client';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Headers whose value is the switch's identity, not behaviour. */
const IDENTITY = new Set(['core-uuid', 'freeswitch-hostname', 'freeswitch-switchname', 'freeswitch-ipv4', 'freeswitch-ipv6', 'content-length']);

/** UUIDs become <uuid> and every run of digits N. */
export function normalise(s: string): string {
  return s.replace(UUID, '<uuid>').replace(/\d+/g, 'N');
}

/**
 * Headers whose numbers are times, counters or ids (Event-Sequence, the dates, *-Time,
 * *_epoch, *_stamp, durations, session_id...): their digits are normalised. Every other
 * number (Channel-State-Number, Caller-Profile-Index, hangup_cause_q850, Log-Level...) must
 * be equal.
 */
const VOLATILE = /sequence|date|-time$|timestamp|epoch|stamp|sec$|duration|session_id|uptime|up-time|idle-cpu|session-|log-line/i;

function normaliseValue(name: string, value: string): string {
  const v = value.replace(UUID, '<uuid>');
  return VOLATILE.test(name) ? v.replace(/\d+/g, 'N') : v;
}

/** The shape of a body: normalised, and for long listings (show api) the first and last lines only. */
function bodyShape(text: string): string {
  const n = normalise(text);
  const lines = n.split('\n');
  if (lines.length > 12) return `${lines[0]}\n...(${lines.length > 0 ? 'rows' : ''})...\n${lines.slice(-3).join('\n')}`;
  return n;
}

/** What must be equal between the capture and the replay for one frame. */
export interface Signature {
  /** Which leg's stream the frame belongs to (a label, not the uuid), or `main`. */
  stream: string;
  text: string;
}

function uuidOf(f: Frame): string | undefined {
  if (f.contentType?.startsWith('text/event-')) return EslEvent.fromFrame(f).getHeader('Unique-ID');
  if (f.contentType === 'log/data') return f.headers.get('User-Data') || undefined;
  return undefined;
}

/** Reduces frames to signatures, labelling legs by the order their uuid first appears. */
export function signatures(frames: readonly Frame[]): Signature[] {
  const labels = new Map<string, string>();
  const label = (uuid: string | undefined): string => {
    if (!uuid) return 'main';
    let l = labels.get(uuid);
    if (!l) labels.set(uuid, (l = `leg${labels.size + 1}`));
    return l;
  };
  return frames.map((f) => {
    const lines: string[] = [`${f.contentType}`];
    for (const [n, v] of f.headers) {
      const lower = n.toLowerCase();
      lines.push(`  ${n}${lower === 'content-length' ? '' : `: ${normaliseValue(n, v)}`}`);
    }
    if (f.contentType?.startsWith('text/event-')) {
      const e = EslEvent.fromFrame(f);
      const { names, values } = e.headerList();
      for (let i = 0; i < names.length; i++) {
        const n = names[i]!;
        lines.push(`    ${n}${IDENTITY.has(n.toLowerCase()) ? '' : `: ${normaliseValue(n, values[i]!)}`}`);
      }
      const body = e.getBody();
      if (body !== undefined) lines.push(`    [body] ${bodyShape(body)}`);
    } else if (f.body.length > 0) {
      lines.push(`  [body] ${bodyShape(f.bodyText)}`);
    }
    return { stream: label(uuidOf(f)), text: lines.join('\n') };
  });
}

/** The outcome of comparing a replay with its capture. */
export interface Comparison {
  /** Every stream identical and the same number of frames. */
  matches: boolean;
  /** The frames also came in exactly the same overall order. */
  sameOrder: boolean;
  expectedFrames: number;
  actualFrames: number;
  /** The first difference, printed as the two signatures. */
  difference?: string;
}

export function compare(expected: readonly Frame[], actual: readonly Frame[]): Comparison {
  const e = signatures(expected);
  const a = signatures(actual);
  const byStream = (list: Signature[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const s of list) {
      let arr = m.get(s.stream);
      if (!arr) m.set(s.stream, (arr = []));
      arr.push(s.text);
    }
    return m;
  };
  const es = byStream(e);
  const as = byStream(a);
  let difference: string | undefined;
  const streams = new Set([...es.keys(), ...as.keys()]);
  outer: for (const k of [...streams].sort()) {
    const x = es.get(k) ?? [];
    const y = as.get(k) ?? [];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i] !== y[i]) {
        difference = `stream ${k}, frame ${i}:\n--- FreeSWITCH\n${x[i] ?? '(none)'}\n--- FakeSwitch\n${y[i] ?? '(none)'}`;
        break outer;
      }
    }
  }
  const sameOrder = e.length === a.length && e.every((s, i) => s.text === a[i]!.text);
  return { matches: difference === undefined, sameOrder, expectedFrames: e.length, actualFrames: a.length, difference };
}

/** The conversation of a capture: client chunks and how many server frames preceded each. */
function plan(name: string): { steps: Array<{ chunk: Buffer; after: number }>; frames: Frame[] } {
  const fx = loadFixture(name);
  const steps: Array<{ chunk: Buffer; after: number }> = [];
  const s2c: Buffer[] = [];
  const frames = parseFrames(fx.s2c);
  // Walk the transcript in order, counting the server frames complete at each client chunk.
  for (const line of readFileSync(join(FIXTURES_DIR, name, 'transcript.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { dir: string; b64: string };
    const bytes = Buffer.from(rec.b64, 'base64');
    if (rec.dir === 's2c') s2c.push(bytes);
    else steps.push({ chunk: bytes, after: parseFrames(Buffer.concat(s2c)).length });
  }
  return { steps, frames };
}

/** The FakeSwitch set-up the captures were made against (password, the esltest directory user). */
export async function startLikeCapture(clock: ManualClock): Promise<FakeSwitch> {
  return FakeSwitch.start({
    password: 'ClueCon',
    clock,
    heartbeatIntervalMs: 0,
    hostname: 'vm',
    ipv4: '192.0.2.2',
    ipv6: 'fd00::2',
    users: {
      'esltest@127.0.0.1': {
        password: 'EslSecret',
        allowedApi: 'status,version,eval',
        allowedEvents: 'HEARTBEAT,BACKGROUND_JOB,CUSTOM',
        allowedLog: false,
      },
    },
  });
}

/**
 * Waits until `client` holds `n` frames (or closed), moving the manual clock to its next
 * timer whenever nothing arrives for a while. Gives up after `maxRealMs` of real time.
 */
async function waitForFrames(client: RawClient, n: number, clock: ManualClock, maxRealMs = 3000): Promise<void> {
  const deadline = Date.now() + maxRealMs;
  let seen = client.frames.length;
  let idleTurns = 0;
  while (client.frames.length < n && !client.closed && Date.now() < deadline) {
    await new Promise((r) => setImmediate(r));
    if (client.frames.length !== seen) {
      seen = client.frames.length;
      idleTurns = 0;
      continue;
    }
    if (++idleTurns < 20) continue;
    idleTurns = 0;
    if (!clock.runNext()) await new Promise((r) => setTimeout(r, 5));
  }
}

/** Replays capture `name` and compares. */
export async function replay(name: string): Promise<Comparison & { actual: Frame[]; expected: Frame[] }> {
  const { steps, frames: expected } = plan(name);
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 19, 13, 33));
  const fake = await startLikeCapture(clock);
  try {
    const client = await RawClient.connect(fake.port);
    for (const step of steps) {
      await waitForFrames(client, step.after, clock);
      if (client.closed) break;
      client.write(step.chunk);
    }
    await waitForFrames(client, expected.length, clock);
    // Let a close (or extra frames) arrive.
    await waitForFrames(client, expected.length + 1, clock, 200);
    client.close();
    return { ...compare(expected, client.frames), actual: client.frames, expected };
  } finally {
    await fake.stop();
  }
}
