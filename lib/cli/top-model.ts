/**
 * The live view's model, with no terminal in it: channels folded from their events (rxesl's
 * foldChannelEvent) and checked against `show channels as json`, and events counted by type
 * between two samples. `renderTop` turns a view of it into the lines of one screen.
 */
import type { ChannelSnapshot } from '../operators/channel-state.js';
import { blankSnapshot, foldChannelEvent } from '../operators/channel-state.js';
import type { EslEvent } from '../protocol/event.js';
import { displayName, microsToMs } from './format.js';
import type { Palette } from './palette.js';
import { clipColumns, columns, fitColumns, safeLine } from './terminal-text.js';

/** A row of `show channels as json` (the columns used here). */
export interface ShowChannelRow {
  uuid: string;
  name?: string;
  state?: string;
  callstate?: string;
  cid_name?: string;
  cid_num?: string;
  dest?: string;
  direction?: string;
  application?: string;
  created_epoch?: string;
}

/** The rows of a `show channels as json` body; undefined when it is not one. */
export function parseShowChannels(body: string): ShowChannelRow[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('row_count' in parsed)) return undefined;
  const rows = (parsed as { rows?: unknown }).rows;
  // FreeSWITCH writes {"row_count": 0} with no rows at all when there is no channel.
  if (rows === undefined) return [];
  if (!Array.isArray(rows)) return undefined;
  return (rows as ShowChannelRow[]).filter((r) => typeof r.uuid === 'string' && r.uuid !== '');
}

/** One channel as the view shows it. */
export interface TopChannel {
  uuid: string;
  name: string;
  /** The call state (ACTIVE, RINGING, HELD, HANGUP...), else the channel state. */
  state: string;
  /** `name <number> -> destination`. */
  caller: string;
  /** The application running, if any. */
  application: string;
  durationMs: number;
  /** Hung up: shown a little longer, then dropped. */
  ended: boolean;
}

export interface TopRate {
  type: string;
  perSecond: number;
  total: number;
}

export interface TopView {
  channels: TopChannel[];
  rates: TopRate[];
  eventsPerSecond: number;
  totalEvents: number;
}

interface Tracked {
  snapshot: ChannelSnapshot;
  /** When the channel was created, in the switch's time (ms since the epoch). */
  createdAt: number | undefined;
  /** Local time it was first seen. */
  seenAt: number;
  /** Local time of its latest event. */
  lastEventAt: number;
  /** Local time it ended. */
  endedAt: number | undefined;
}

/** How long a channel that ended stays on the screen. */
const ENDED_VISIBLE_MS = 2000;
/**
 * `show channels` reads FreeSWITCH's core database, which its SQL thread writes in batches some
 * time after the channel events (about 200 ms on an idle switch, more under load): a channel
 * whose events came this recently may not be listed yet, and is not taken for gone.
 */
const CORE_DB_LAG_MS = 2000;
/** The shortest period events per second are computed over. */
const MIN_SAMPLE_MS = 250;

export class TopModel {
  readonly #channels = new Map<string, Tracked>();
  #sinceSample = new Map<string, number>();
  readonly #totals = new Map<string, number>();
  #rates: TopRate[] = [];
  #lastSample: number;
  /** The switch's clock minus ours, ms, from the events' timestamps. */
  #offset = 0;

  constructor(now: number) {
    this.#lastSample = now;
  }

  /** Counts an event, and folds it into its channel's state. */
  onEvent(e: EslEvent, now: number): void {
    const type = displayName(e);
    this.#sinceSample.set(type, (this.#sinceSample.get(type) ?? 0) + 1);
    this.#totals.set(type, (this.#totals.get(type) ?? 0) + 1);
    const at = microsToMs(e.getHeader('Event-Date-Timestamp'));
    if (at !== undefined) this.#offset = at - now;
    const uuid = e.getHeader('Unique-ID');
    const name = e.name ?? '';
    if (uuid === undefined || !(name.startsWith('CHANNEL_') || e.getHeader('Channel-Name') !== undefined)) return;
    let t = this.#channels.get(uuid);
    if (!t) {
      // The end of a channel never seen alive (the view started late) adds nothing.
      if (name === 'CHANNEL_DESTROY' || name === 'CHANNEL_HANGUP_COMPLETE') return;
      t = { snapshot: blankSnapshot(uuid), createdAt: undefined, seenAt: now, lastEventAt: now, endedAt: undefined };
      this.#channels.set(uuid, t);
    }
    t.lastEventAt = now;
    t.snapshot = foldChannelEvent(t.snapshot, e);
    t.createdAt ??= microsToMs(e.getHeader('Caller-Channel-Created-Time'));
    if (t.snapshot.ended && t.endedAt === undefined) t.endedAt = now;
  }

  /**
   * Brings the channels in line with `show channels as json`, asked at `askedAt`: adds those
   * the events have not shown (they existed before the view started), drops those the switch
   * no longer has (their end was missed) unless an event of theirs came shortly before the
   * question or after it (the core database lags the events).
   */
  reconcile(rows: readonly ShowChannelRow[], askedAt: number): void {
    const live = new Set(rows.map((r) => r.uuid));
    for (const [uuid, t] of this.#channels) {
      if (!live.has(uuid) && t.lastEventAt < askedAt - CORE_DB_LAG_MS && t.endedAt === undefined) this.#channels.delete(uuid);
    }
    for (const r of rows) {
      if (this.#channels.has(r.uuid)) continue;
      const s = blankSnapshot(r.uuid);
      s.name = r.name || undefined;
      s.state = r.state || undefined;
      s.callState = r.callstate || undefined;
      s.callerIdName = r.cid_name || undefined;
      s.callerIdNumber = r.cid_num || undefined;
      s.destination = r.dest || undefined;
      s.direction = r.direction || undefined;
      s.application = r.application || undefined;
      const epoch = Number(r.created_epoch);
      this.#channels.set(r.uuid, {
        snapshot: s,
        createdAt: Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : undefined,
        seenAt: askedAt,
        lastEventAt: askedAt,
        endedAt: undefined,
      });
    }
  }

  /** Closes a sampling period: events per second since the last sample; drops channels long gone. */
  sample(now: number): void {
    const elapsed = now - this.#lastSample;
    // A rate over a few milliseconds says nothing (the first frame is drawn at once).
    if (elapsed < MIN_SAMPLE_MS) return;
    this.#rates = [...this.#totals.entries()]
      .map(([type, total]) => ({ type, perSecond: ((this.#sinceSample.get(type) ?? 0) * 1000) / elapsed, total }))
      .sort((a, b) => b.perSecond - a.perSecond || b.total - a.total || a.type.localeCompare(b.type));
    this.#sinceSample = new Map();
    this.#lastSample = now;
    for (const [uuid, t] of this.#channels) {
      if (t.endedAt !== undefined && now - t.endedAt >= ENDED_VISIBLE_MS) this.#channels.delete(uuid);
    }
  }

  /** What the screen shows, at local time `now`. */
  view(now: number): TopView {
    const switchNow = now + this.#offset;
    const channels = [...this.#channels.values()]
      .map((t): TopChannel => {
        const s = t.snapshot;
        const who = s.callerIdName && s.callerIdName !== s.callerIdNumber ? `${s.callerIdName} <${s.callerIdNumber ?? ''}>` : (s.callerIdNumber ?? '');
        const start = t.createdAt ?? t.seenAt + this.#offset;
        const end = t.endedAt !== undefined ? t.endedAt + this.#offset : switchNow;
        return {
          uuid: s.uuid,
          name: s.name ?? '',
          state: (s.ended ? 'HANGUP' : (s.callState ?? s.state)) ?? '',
          caller: s.destination ? `${who} -> ${s.destination}` : who,
          application: s.application ?? '',
          durationMs: Math.max(0, end - start),
          ended: t.endedAt !== undefined,
        };
      })
      .sort((a, b) => b.durationMs - a.durationMs || a.uuid.localeCompare(b.uuid));
    let eventsPerSecond = 0;
    let totalEvents = 0;
    for (const r of this.#rates) {
      eventsPerSecond += r.perSecond;
      totalEvents += r.total;
    }
    return { channels, rates: this.#rates.map((r) => ({ ...r })), eventsPerSecond, totalEvents };
  }

  get channelCount(): number {
    return this.#channels.size;
  }
}

/** 0:07, 12:03, 1:02:03. */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface RenderOptions {
  /** Terminal columns. */
  width: number;
  /** Terminal rows; Infinity for no limit. */
  height: number;
  palette: Palette;
  /** Shown first on the title line, e.g. `rxesl top  127.0.0.1:8021`. */
  title: string;
  /** Local clock time shown on the title line. */
  clock: string;
}

/** The title's parts, and the order they give way in when the line is too narrow: the hint, the clock, the title. */
function titleLine(view: TopView, o: RenderOptions, width: number): string {
  const live = view.channels.filter((c) => !c.ended).length;
  const ended = view.channels.length - live;
  // The count says what the rows are: the live channels, and those that hung up a moment ago (shown in red).
  const count = `${live} ${live === 1 ? 'channel' : 'channels'}${ended > 0 ? `, ${ended} hung up` : ''}`;
  const rate = `${view.eventsPerSecond.toFixed(view.eventsPerSecond < 10 ? 1 : 0)} events/s`;
  const parts: Array<string | undefined> = [safeLine(o.title), o.clock, count, rate, '(q to quit)'];
  const text = (): string => parts.filter((x) => x !== undefined).join('  ');
  for (const dropped of [4, 1, 0]) {
    if (columns(text()) <= width) break;
    parts[dropped] = undefined;
  }
  return clipColumns(text(), width);
}

/** The lines of one screen: never more than `height`, none wider than `width` columns (at least 40). */
export function renderTop(view: TopView, o: RenderOptions): string[] {
  const p = o.palette;
  const width = Math.max(40, o.width);
  const lines: string[] = [];
  lines.push(p.bold(titleLine(view, o, width)));
  lines.push('');

  // Columns: uuid (whole when there is room), state, application, duration; the name and the caller share the rest.
  const uuidW = width >= 120 ? 36 : 8;
  const stateW = 10;
  const appW = width >= 100 ? 14 : 12;
  const durW = 8;
  const rest = width - uuidW - stateW - appW - durW - 5;
  const callerW = Math.min(28, Math.max(12, Math.floor(rest * 0.45)));
  const nameW = Math.max(10, rest - callerW);
  const row = (uuid: string, name: string, state: string, app: string, caller: string, dur: string): string =>
    clipColumns(
      [fitColumns(uuid, uuidW), fitColumns(name, nameW), fitColumns(state, stateW), fitColumns(app, appW), fitColumns(caller, callerW), dur.padStart(durW)].join(' '),
      width,
    ).trimEnd();

  const rateRows = view.rates.filter((r) => r.total > 0);
  // Room: the lines besides the two tables (title, blank, channel header, blank, events header),
  // then the events table up to 10 rows (at least one line: its rows or "no events yet"), the
  // channels the rest (at least one line: rows, "no channels" or the count of those not shown).
  const fixed = 5;
  const bounded = Number.isFinite(o.height);
  const available = bounded ? Math.max(2, o.height - fixed) : Infinity;
  const rateRoom = bounded ? Math.max(1, Math.min(rateRows.length, 10, Math.floor(available / 3))) : Infinity;
  const channelRoom = bounded ? Math.max(1, available - rateRoom) : Infinity;

  // A header is a full-width bar when there are colours, plain text when not.
  const bar = (s: string): string => (p.enabled ? p.inverse(fitColumns(s, width)) : clipColumns(s, width).trimEnd());
  lines.push(bar(row('UUID', 'NAME', 'STATE', 'APPLICATION', 'CALLER', 'DURATION')));
  const shown = view.channels.length > channelRoom ? view.channels.slice(0, channelRoom - 1) : view.channels;
  for (const c of shown) {
    const text = row(safeLine(c.uuid).slice(0, uuidW), safeLine(c.name), safeLine(c.state), safeLine(c.application), safeLine(c.caller), formatDuration(c.durationMs));
    lines.push(c.ended ? p.red(text) : c.state === 'ACTIVE' ? p.green(text) : text);
  }
  if (shown.length < view.channels.length) lines.push(p.dim(`… and ${view.channels.length - shown.length} more`));
  if (view.channels.length === 0) lines.push(p.dim('no channels'));
  lines.push('');

  lines.push(bar(`${'EVENTS/S'.padStart(9)} ${'TOTAL'.padStart(9)}  TYPE`));
  for (const r of rateRows.slice(0, rateRoom)) {
    lines.push(clipColumns(`${r.perSecond.toFixed(1).padStart(9)} ${String(r.total).padStart(9)}  ${safeLine(r.type)}`, width));
  }
  if (rateRows.length === 0) lines.push(p.dim('no events yet'));
  return lines;
}
