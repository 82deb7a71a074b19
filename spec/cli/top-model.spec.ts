/**
 * The live view's model and screen, on hand-made times: channels from their events and from
 * `show channels as json`, events per second by type, and what fits on a terminal.
 */
import { describe, expect, it } from 'vitest';
import { EslEvent } from 'rxesl';
import { palette } from '../../lib/cli/palette';
import { TopModel, formatDuration, parseShowChannels, renderTop } from '../../lib/cli/top-model';

const T0 = Date.UTC(2024, 7, 2, 12, 0, 0);
const us = (ms: number): string => String(ms * 1000);

function channelEvent(name: string, uuid: string, at: number, extra: Record<string, string> = {}): EslEvent {
  return new EslEvent({
    'Event-Name': name,
    'Event-Date-Timestamp': us(at),
    'Unique-ID': uuid,
    'Channel-Name': `sofia/internal/${uuid}@192.0.2.1`,
    'Caller-Caller-ID-Number': '1000',
    'Caller-Destination-Number': '5000',
    'Caller-Channel-Created-Time': us(T0),
    ...extra,
  });
}

describe('TopModel', () => {
  it('follows a channel through its events: state, application, duration, end', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_CREATE', 'a', T0, { 'Channel-Call-State': 'RINGING' }), T0);
    m.onEvent(channelEvent('CHANNEL_ANSWER', 'a', T0 + 500, { 'Channel-Call-State': 'ACTIVE' }), T0 + 500);
    m.onEvent(channelEvent('CHANNEL_EXECUTE', 'a', T0 + 600, { Application: 'playback' }), T0 + 600);
    expect(m.view(T0 + 65_000).channels).toEqual([
      { uuid: 'a', name: 'sofia/internal/a@192.0.2.1', state: 'ACTIVE', caller: '1000 -> 5000', application: 'playback', durationMs: 65_000, ended: false },
    ]);
    m.onEvent(channelEvent('CHANNEL_HANGUP_COMPLETE', 'a', T0 + 70_000, { 'Hangup-Cause': 'NORMAL_CLEARING' }), T0 + 70_000);
    // Shown as hung up for a moment, with its final duration, then gone.
    expect(m.view(T0 + 71_000).channels[0]).toMatchObject({ state: 'HANGUP', ended: true, durationMs: 70_000, application: '' });
    m.sample(T0 + 71_000);
    expect(m.channelCount).toBe(1);
    m.sample(T0 + 72_500);
    expect(m.channelCount).toBe(0);
  });

  it("measures durations on the switch's clock, whatever ours says", () => {
    const m = new TopModel(T0);
    // Our clock is 10 s behind the switch's: the channel is 3 s old, not 13.
    m.onEvent(channelEvent('CHANNEL_CREATE', 'a', T0 + 3000), T0 - 7000);
    expect(m.view(T0 - 7000).channels[0]!.durationMs).toBe(3000);
  });

  it('ignores the end of a channel it never saw alive', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_DESTROY', 'gone', T0), T0);
    m.onEvent(new EslEvent({ 'Event-Name': 'HEARTBEAT', 'Event-Date-Timestamp': us(T0) }), T0);
    expect(m.channelCount).toBe(0);
  });

  it('counts events per second by type between two samples, the busiest first', () => {
    const m = new TopModel(T0);
    for (let i = 0; i < 30; i++) m.onEvent(channelEvent('CHANNEL_STATE', `c${i % 3}`, T0 + i), T0 + i);
    for (let i = 0; i < 4; i++) m.onEvent(new EslEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register' }), T0 + i);
    m.onEvent(new EslEvent({ 'Event-Name': 'HEARTBEAT' }), T0 + 10);
    m.sample(T0 + 2000);
    const v = m.view(T0 + 2000);
    expect(v.rates).toEqual([
      { type: 'CHANNEL_STATE', perSecond: 15, total: 30 },
      { type: 'CUSTOM sofia::register', perSecond: 2, total: 4 },
      { type: 'HEARTBEAT', perSecond: 0.5, total: 1 },
    ]);
    expect(v.eventsPerSecond).toBe(17.5);
    expect(v.totalEvents).toBe(35);
    // The next second saw nothing: rates drop to 0, totals stay.
    m.sample(T0 + 3000);
    expect(m.view(T0 + 3000).rates.map((r) => [r.type, r.perSecond, r.total])).toEqual([
      ['CHANNEL_STATE', 0, 30],
      ['CUSTOM sofia::register', 0, 4],
      ['HEARTBEAT', 0, 1],
    ]);
  });

  it('does not compute a rate over a few milliseconds', () => {
    const m = new TopModel(T0);
    m.onEvent(new EslEvent({ 'Event-Name': 'API' }), T0);
    m.sample(T0 + 2);
    expect(m.view(T0 + 2).rates).toEqual([]);
  });

  it('takes channels that existed before it from show channels, and drops those the switch no longer has', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_ANSWER', 'stale', T0), T0);
    const rows = parseShowChannels(
      JSON.stringify({
        row_count: 1,
        rows: [
          {
            uuid: 'old',
            name: 'sofia/internal/1001@192.0.2.1',
            state: 'CS_EXECUTE',
            callstate: 'ACTIVE',
            cid_name: 'Alice',
            cid_num: '1001',
            dest: '9000',
            application: 'park',
            created_epoch: String((T0 - 120_000) / 1000),
          },
        ],
      }),
    );
    // Asked 5 s after stale's last event: long enough for the core database to have listed it.
    m.reconcile(rows!, T0 + 5000);
    const v = m.view(T0 + 5000);
    expect(v.channels.map((c) => c.uuid)).toEqual(['old']);
    expect(v.channels[0]).toMatchObject({ state: 'ACTIVE', caller: 'Alice <1001> -> 9000', application: 'park', durationMs: 125_000 });
  });

  it('keeps a channel that appeared after show channels was asked', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_CREATE', 'new', T0 + 500), T0 + 500);
    m.reconcile([], T0 + 400);
    expect(m.channelCount).toBe(1);
  });

  it('keeps a channel whose events came just before show channels was asked: the core database lags the events', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_CREATE', 'fresh', T0), T0);
    // FreeSWITCH lists a channel about 200 ms after its CHANNEL_CREATE: asked 100 ms after, it is not there yet.
    m.reconcile([], T0 + 100);
    expect(m.channelCount).toBe(1);
    // Listed nowhere long after its last event: its end was missed, it goes.
    m.reconcile([], T0 + 10_000);
    expect(m.channelCount).toBe(0);
  });
});

describe('parseShowChannels', () => {
  it("reads FreeSWITCH's empty answer and refuses what is not a listing", () => {
    expect(parseShowChannels('{"row_count": 0}\n')).toEqual([]);
    expect(parseShowChannels('-ERR show Command not found!\n')).toBeUndefined();
    expect(parseShowChannels('{"a": 1}')).toBeUndefined();
  });
});

describe('renderTop', () => {
  const view = () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_ANSWER', '7f4db78a-17d7-11dd-b7a0-db4edd065621', T0, { 'Channel-Call-State': 'ACTIVE' }), T0);
    m.onEvent(channelEvent('CHANNEL_CREATE', '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00', T0, { 'Channel-Call-State': 'RINGING' }), T0);
    m.sample(T0 + 1000);
    return m.view(T0 + 62_000);
  };
  const opts = { palette: palette(false), title: 'rxesl top  127.0.0.1:8021', clock: '12:01:02' };

  it('shows the title, the channels and the events per second', () => {
    const lines = renderTop(view(), { ...opts, width: 140, height: Infinity });
    expect(lines[0]).toBe('rxesl top  127.0.0.1:8021  12:01:02  2 channels  2.0 events/s  (q to quit)');
    expect(lines[2]).toMatch(/^UUID +NAME +STATE +APPLICATION +CALLER +DURATION$/);
    expect(lines[3]).toMatch(/^0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00 sofia\/internal\/0b9ae5b8-.* RINGING +1000 -> 5000 +1:02$/);
    expect(lines[4]).toMatch(/^7f4db78a-17d7-11dd-b7a0-db4edd065621 .* ACTIVE +1000 -> 5000 +1:02$/);
    expect(lines.slice(6)).toEqual([' EVENTS/S     TOTAL  TYPE', '      1.0         1  CHANNEL_ANSWER', '      1.0         1  CHANNEL_CREATE']);
  });

  it('fits a small terminal: every line within its width, the channels cut with a count', () => {
    const m = new TopModel(T0);
    for (let i = 0; i < 30; i++) m.onEvent(channelEvent('CHANNEL_CREATE', `chan-${String(i).padStart(2, '0')}`, T0), T0);
    m.sample(T0 + 1000);
    const lines = renderTop(m.view(T0 + 1000), { ...opts, width: 60, height: 15 });
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    // 15 rows: title, blank, header, 8 channels, the count, blank, header, 1 event type.
    expect(lines).toHaveLength(15);
    expect(lines[11]).toBe('… and 22 more');
  });

  it('counts in its title the rows it shows: the live channels, and those that just hung up', () => {
    const m = new TopModel(T0);
    for (const uuid of ['a', 'b', 'c']) m.onEvent(channelEvent('CHANNEL_ANSWER', uuid, T0, { 'Channel-Call-State': 'ACTIVE' }), T0);
    m.onEvent(channelEvent('CHANNEL_HANGUP_COMPLETE', 'b', T0 + 500, { 'Hangup-Cause': 'NORMAL_CLEARING' }), T0 + 500);
    const lines = renderTop(m.view(T0 + 1000), { ...opts, width: 140, height: Infinity });
    expect(lines[0]).toBe('rxesl top  127.0.0.1:8021  12:01:02  2 channels, 1 hung up  0.0 events/s  (q to quit)');
    const rows = lines.slice(3, lines.indexOf('', 3));
    // The one that hung up has the shortest duration: last.
    expect(rows.map((l) => l.split(' ')[0])).toEqual(['a', 'c', 'b']);
    expect(rows.filter((l) => / HANGUP /.test(l))).toHaveLength(1);
    // One live channel is "1 channel".
    m.onEvent(channelEvent('CHANNEL_HANGUP_COMPLETE', 'c', T0 + 600, { 'Hangup-Cause': 'NORMAL_CLEARING' }), T0 + 600);
    expect(renderTop(m.view(T0 + 1000), { ...opts, width: 140, height: Infinity })[0]).toContain('  1 channel, 2 hung up  ');
  });

  /** A busy switch with everything long: names, callers (some of them wide CJK), applications, event subclasses, the host. */
  const crowded = () => {
    const m = new TopModel(T0);
    for (let i = 0; i < 40; i++) {
      const uuid = `${String(i).padStart(8, '0')}-3f1c-4d8e-9a0e-5d6a3f2c1b00`;
      m.onEvent(
        channelEvent('CHANNEL_CREATE', uuid, T0 - i * 61_000, {
          'Channel-Name': `sofia/external-gateway-long-profile-name/+4930123456${i}@carrier.example.com:5060`,
          'Caller-Caller-ID-Name': i % 2 === 0 ? '山田太郎 (営業部 第二課)' : 'A very long caller ID name indeed',
          'Caller-Caller-ID-Number': `+493012345678${i}`,
          'Caller-Destination-Number': '+4980012345678',
          'Channel-Call-State': i % 3 === 0 ? 'RING_WAIT' : 'ACTIVE',
          'Caller-Channel-Created-Time': us(T0 - i * 61_000),
        }),
        T0,
      );
      m.onEvent(channelEvent('CHANNEL_EXECUTE', uuid, T0, { Application: 'play_and_get_digits' }), T0);
      if (i % 5 === 0) m.onEvent(channelEvent('CHANNEL_HANGUP_COMPLETE', uuid, T0, { 'Hangup-Cause': 'NORMAL_CLEARING' }), T0);
    }
    for (let i = 0; i < 12; i++) m.onEvent(new EslEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': `callcenter::info::with-a-very-long-subclass-${i}` }), T0);
    m.sample(T0 + 1000);
    return m.view(T0 + 1000);
  };
  const visible = (l: string): string => l.replace(/\x1b\[[0-9;]*m/g, '');
  /** Columns a line takes: a CJK character two. */
  const width = (l: string): number => [...visible(l)].reduce((n, ch) => n + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0);

  it('fits an 80-column terminal: no line wider, coloured or not, and no more lines than rows', () => {
    for (const colour of [false, true]) {
      for (const height of [24, 50, Infinity]) {
        const lines = renderTop(crowded(), { ...opts, palette: palette(colour), title: 'rxesl top  freeswitch-primary.dc1.example.com:8021', width: 80, height });
        for (const l of lines) expect(width(l), visible(l)).toBeLessThanOrEqual(80);
        if (height !== Infinity) expect(lines.length).toBeLessThanOrEqual(height);
      }
    }
    const lines = renderTop(crowded(), { ...opts, width: 80, height: 24 });
    // The title gives up the hint and the clock before the counts.
    // The title gives up its hint before the counts.
    expect(lines[0]).toBe('rxesl top  127.0.0.1:8021  12:01:02  32 channels, 8 hung up  100 events/s');
    expect(lines[2]).toBe('UUID     NAME                  STATE      APPLICATION  CALLER           DURATION');
    expect(lines[3]).toBe('00000039 sofia/internal/00000… RING_WAIT  play_and_ge… A very long cal…    39:40');
    // Four CJK characters take eight columns: the cell is cut at 15 and padded to its 16.
    expect(lines[4]).toBe('00000038 sofia/internal/00000… ACTIVE     play_and_ge… 山田太郎 (営業…     38:39');
    expect(lines[15]).toBe('… and 28 more');
    const narrow = renderTop(crowded(), { ...opts, title: 'rxesl top  freeswitch-primary.dc1.example.com:8021', width: 80, height: 24 });
    // Then the clock, then the title: the counts stay.
    expect(narrow[0]).toBe('32 channels, 8 hung up  100 events/s');
    expect(renderTop(crowded(), { ...opts, width: 70, height: 24 })[0]).toBe('rxesl top  127.0.0.1:8021  32 channels, 8 hung up  100 events/s');
    expect(lines).toHaveLength(24);
  });

  it('keeps within its rows when there are no events yet', () => {
    const m = new TopModel(T0);
    m.reconcile(
      Array.from({ length: 30 }, (_, i) => ({ uuid: `chan-${i}`, name: `sofia/internal/${i}@192.0.2.1`, callstate: 'ACTIVE' })),
      T0,
    );
    const lines = renderTop(m.view(T0), { ...opts, width: 80, height: 20 });
    expect(lines).toHaveLength(20);
    expect(lines.slice(-3)).toEqual(['', ' EVENTS/S     TOTAL  TYPE', 'no events yet']);
  });

  it('shows what the wire sent as text, never as terminal commands', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_CREATE', 'evil', T0, { 'Caller-Caller-ID-Name': 'x\x1b[2J\x1b]0;owned\x07y', 'Caller-Caller-ID-Number': '1\n2' }), T0);
    m.onEvent(new EslEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'a\x1b[31mb' }), T0);
    m.sample(T0 + 1000);
    const lines = renderTop(m.view(T0 + 1000), { ...opts, width: 140, height: Infinity });
    expect(lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(lines.find((l) => l.startsWith('evil'))).toContain(' x?[2J?]0;owned?y <1 2> -> ');
    expect(lines.at(-1)).toMatch(/CUSTOM a\?\[31mb$/);
  });

  it('says when there is nothing yet', () => {
    const lines = renderTop(new TopModel(T0).view(T0), { ...opts, width: 100, height: 30 });
    expect(lines).toContain('no channels');
    expect(lines).toContain('no events yet');
  });

  it('formats durations like top', () => {
    expect([0, 7_999, 65_000, 3_723_000].map(formatDuration)).toEqual(['0:00', '0:07', '1:05', '1:02:03']);
  });
});
