/**
 * The transcript of a differential scenario: what two switches must agree on once ids, times
 * and counters are normalised.
 *
 * - `replies`: every command sent, with the reply it got, in order per connection. UUIDs become
 *   the name of the channel they belong to (`<loopback/answer_park-a>`), or `<uuid>`; a few
 *   bodies are reduced to their shape (status: digits as N; show: the columns and the row
 *   count; uuid_dump: the header names).
 * - `channels`: per channel (named by its Channel-Name, which does not depend on ids), the
 *   names of its events in order, with the application of CHANNEL_EXECUTE(_COMPLETE) and the
 *   cause of CHANNEL_HANGUP. Only loopback channels count: a real switch may carry others.
 * - `jobs`: the BACKGROUND_JOB events (with their command), in order. (API events are left
 *   out: the polls a scenario makes on a connection of its own fire them too.)
 * - `wire`: for each outbound connection, everything it received in order (reply texts, event
 *   names, notices): that is where the order of a linger notice against the events shows.
 *
 * The interleaving of two channels' events is not compared: FreeSWITCH runs each leg in its
 * own thread and interleaves them differently from one run to the next.
 */
import { EslEvent, type Frame } from 'rxesl';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** One connection's side of a scenario: the commands it sent (in order) and every frame it received. */
export interface RecordedConnection {
  readonly role: 'inbound' | 'outbound';
  readonly commands: readonly string[];
  readonly frames: readonly Frame[];
}

export interface Transcript {
  replies: string[];
  channels: Record<string, string[]>;
  jobs: string[];
  wire: string[][];
}

/** Names channels: each uuid gets its channel's last Channel-Name (numbered when two channels share one). */
function channelNames(connections: readonly RecordedConnection[]): Map<string, string> {
  const nameOf = new Map<string, string>();
  const aliases = new Map<string, string>();
  for (const c of connections) {
    for (const f of c.frames) {
      if (!f.contentType?.startsWith('text/event-')) continue;
      const e = EslEvent.fromFrame(f);
      const uuid = e.getHeader('Unique-ID');
      const name = e.getHeader('Channel-Name');
      if (e.name === 'CHANNEL_UUID' && uuid) {
        const old = e.getHeader('Old-Unique-ID');
        if (old) aliases.set(old, uuid);
      }
      if (uuid && name) nameOf.set(uuid, name);
    }
    // The connect reply of an outbound connection names its channel too.
    const connect = c.role === 'outbound' ? c.frames.find((f) => f.contentType === 'command/reply' && f.headers.get('Unique-ID')) : undefined;
    if (connect) nameOf.set(connect.headers.get('Unique-ID')!, connect.headers.get('Channel-Name') ?? '');
  }
  const labels = new Map<string, string>();
  const used = new Map<string, number>();
  for (const [uuid, name] of nameOf) {
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    labels.set(uuid, n === 1 ? name : `${name}#${n}`);
  }
  for (const [old, now] of aliases) {
    const label = labels.get(now);
    if (label) labels.set(old, label);
  }
  return labels;
}

function relabel(text: string, labels: Map<string, string>): string {
  return text.replace(UUID, (u) => {
    const label = labels.get(u.toLowerCase());
    return label ? `<${label}>` : '<uuid>';
  });
}

/** A command as the transcript shows it: without a password, with channel names for uuids. */
function commandText(command: string, labels: Map<string, string>): string {
  if (/^auth /i.test(command)) return 'auth';
  if (/^userauth /i.test(command)) return 'userauth';
  return relabel(command, labels);
}

/** A reply as the transcript shows it: its text (or body), its uuids named, volatile bodies reduced to their shape. */
function replyText(command: string, frame: Frame, labels: Map<string, string>): string {
  const raw = frame.contentType === 'api/response' ? frame.bodyText : (frame.headers.get('Reply-Text') ?? '');
  if (frame.contentType === 'command/reply' && frame.headers.get('Event-Name') === 'CHANNEL_DATA') return 'connect: CHANNEL_DATA';
  const api = /^api\s+(\S+)\s*(.*)$/i.exec(command);
  const what = api?.[1]?.toLowerCase();
  const args = api?.[2]?.toLowerCase() ?? '';
  if (what === 'status') return raw.replace(/\d+/g, 'N');
  if (what === 'uuid_dump' && raw.startsWith('Event-Name:')) return `headers ${raw.split('\n').filter((l) => l.includes(':')).map((l) => l.slice(0, l.indexOf(':'))).join(',')}`;
  if (what === 'uuid_dump' && raw.startsWith('{')) return `keys ${Object.keys(JSON.parse(raw) as object).join(',')}`;
  if (what === 'show' && args.includes('as json') && raw.startsWith('{')) {
    const json = JSON.parse(raw) as { row_count: number; rows?: Array<Record<string, string>> };
    return `row_count ${json.row_count}, columns ${Object.keys(json.rows?.[0] ?? {}).join(',')}`;
  }
  if (what === 'show' && !args.includes(' as ')) {
    const lines = raw.split('\n');
    const total = lines.at(-2) ?? '';
    return lines.length > 3 ? `columns ${lines[0]}; ${total}` : relabel(raw, labels);
  }
  return relabel(raw, labels).replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '<date>');
}

/** An event as a channel stream lists it. */
function eventText(e: EslEvent, labels: Map<string, string>): string {
  const name = e.name ?? '?';
  if (name === 'CHANNEL_EXECUTE' || name === 'CHANNEL_EXECUTE_COMPLETE') {
    const app = e.getHeader('Application');
    // The socket application's data is where the switch connects to: each side's own listener.
    const data = app === 'socket' ? '' : relabel(e.getHeader('Application-Data') ?? '', labels);
    return `${name} ${app}(${data})`;
  }
  if (name === 'CHANNEL_HANGUP') return `${name} ${e.getHeader('Hangup-Cause')}`;
  return name;
}

/** The transcript of the connections of one scenario. */
export function transcriptOf(connections: readonly RecordedConnection[]): Transcript {
  const labels = channelNames(connections);
  const t: Transcript = { replies: [], channels: {}, jobs: [], wire: [] };
  const seen = new Set<string>();
  for (const c of connections) {
    const wire: string[] = [];
    let next = 0;
    for (const f of c.frames) {
      const type = f.contentType ?? '';
      if (type === 'command/reply' || type === 'api/response') {
        const command = c.commands[next++] ?? '(none)';
        const line = `${commandText(command, labels)} -> ${replyText(command, f, labels)}`;
        t.replies.push(line);
        wire.push(line);
      } else if (type.startsWith('text/event-')) {
        const e = EslEvent.fromFrame(f);
        const uuid = e.getHeader('Unique-ID');
        const label = uuid ? labels.get(uuid) : undefined;
        if (label?.startsWith('loopback/') && c.role === 'inbound') {
          // A channel's events, once per event whichever inbound connection saw it.
          const key = `${e.getHeader('Event-Sequence')}`;
          if (!seen.has(key)) {
            seen.add(key);
            (t.channels[label] ??= []).push(eventText(e, labels));
          }
        } else if (!uuid && e.name === 'BACKGROUND_JOB' && c.role === 'inbound') {
          t.jobs.push(`${e.name} ${e.getHeader('Job-Command')}`);
        }
        wire.push(eventText(e, labels));
      } else if (type === 'text/disconnect-notice') {
        wire.push(`disconnect-notice ${f.headers.get('Content-Disposition') ?? ''}`.trim());
      }
    }
    if (c.role === 'outbound') t.wire.push(wire);
  }
  return t;
}

/** Where two transcripts differ, one line per difference (empty when they agree). */
export function differences(mine: Transcript, theirs: Transcript, names: [string, string] = ['FakeSwitch', 'the other switch']): string[] {
  const out: string[] = [];
  const list = (what: string, a: readonly string[], b: readonly string[]): void => {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) {
        out.push(`${what} #${i + 1}: ${names[0]} ${JSON.stringify(a[i] ?? '(nothing)')}, ${names[1]} ${JSON.stringify(b[i] ?? '(nothing)')}`);
        return;
      }
    }
  };
  list('reply', mine.replies, theirs.replies);
  for (const ch of new Set([...Object.keys(mine.channels), ...Object.keys(theirs.channels)])) list(`channel ${ch}, event`, mine.channels[ch] ?? [], theirs.channels[ch] ?? []);
  list('api/job event', mine.jobs, theirs.jobs);
  const wires = Math.max(mine.wire.length, theirs.wire.length);
  for (let i = 0; i < wires; i++) list(`outbound connection ${i + 1}, frame`, mine.wire[i] ?? [], theirs.wire[i] ?? []);
  return out;
}
