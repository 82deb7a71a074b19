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
    m.reconcile(rows!, T0 + 1000);
    const v = m.view(T0 + 1000);
    expect(v.channels.map((c) => c.uuid)).toEqual(['old']);
    expect(v.channels[0]).toMatchObject({ state: 'ACTIVE', caller: 'Alice <1001> -> 9000', application: 'park', durationMs: 121_000 });
  });

  it('keeps a channel that appeared after show channels was asked', () => {
    const m = new TopModel(T0);
    m.onEvent(channelEvent('CHANNEL_CREATE', 'new', T0 + 500), T0 + 500);
    m.reconcile([], T0 + 400);
    expect(m.channelCount).toBe(1);
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

  it('says when there is nothing yet', () => {
    const lines = renderTop(new TopModel(T0).view(T0), { ...opts, width: 100, height: 30 });
    expect(lines).toContain('no channels');
    expect(lines).toContain('no events yet');
  });

  it('formats durations like top', () => {
    expect([0, 7_999, 65_000, 3_723_000].map(formatDuration)).toEqual(['0:00', '0:07', '1:05', '1:02:03']);
  });
});
