/**
 * What the console prints for an event (one line, or whole) and for a log line (coloured by
 * level as fs_cli does), with colours on and off.
 */
import { describe, expect, it } from 'vitest';
import { EslEvent } from 'rxesl';
import { clockTime, displayName, eventDetail, formatEventFull, formatEventLine, formatLogLine } from '../../lib/cli/format';
import { palette } from '../../lib/cli/palette';

const plain = palette(false);
const colour = palette(true);
const UUID = '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00';
// 2024-08-02 21:02:27.123 UTC, as FreeSWITCH writes it: microseconds since the epoch.
const TS = String(Date.UTC(2024, 7, 2, 21, 2, 27, 123) * 1000);
const at = clockTime(new Date(Date.UTC(2024, 7, 2, 21, 2, 27, 123)));

const channel = (name: string, extra: Record<string, string> = {}, body?: string): EslEvent =>
  new EslEvent(
    {
      'Event-Name': name,
      'Event-Date-Timestamp': TS,
      'Unique-ID': UUID,
      'Channel-Name': 'sofia/internal/1000@192.0.2.1',
      'Caller-Caller-ID-Number': '1000',
      'Caller-Destination-Number': '5000',
      ...extra,
    },
    body,
  );

describe('the one-line event display', () => {
  it('shows the time (from Event-Date-Timestamp), the name, the uuid and the channel', () => {
    expect(formatEventLine(channel('CHANNEL_ANSWER'), plain)).toBe(`${at} CHANNEL_ANSWER           ${UUID} sofia/internal/1000@192.0.2.1`);
  });

  it("keeps a caller's control characters off the terminal, and the event on one line", () => {
    const evil = channel('CHANNEL_CREATE', { 'Caller-Caller-ID-Number': '\x1b]0;owned\x07\x1b[2J', 'Caller-Destination-Number': '5000\r\n9999', 'Call-Direction': 'in\tbound' });
    expect(formatEventLine(evil, plain)).toBe(`${at} CHANNEL_CREATE           ${UUID} sofia/internal/1000@192.0.2.1  ?]0;owned??[2J -> 5000? 9999  in bound`);
  });

  it('adds what matters for each event', () => {
    const detail = (name: string, extra: Record<string, string> = {}, body?: string): string => eventDetail(channel(name, extra, body));
    const ch = 'sofia/internal/1000@192.0.2.1';
    expect(detail('CHANNEL_CREATE', { 'Call-Direction': 'inbound' })).toBe(`${ch}  1000 -> 5000  inbound`);
    expect(detail('CHANNEL_STATE', { 'Channel-State': 'CS_EXECUTE' })).toBe(`${ch}  CS_EXECUTE`);
    expect(detail('CHANNEL_CALLSTATE', { 'Original-Channel-Call-State': 'RINGING', 'Channel-Call-State': 'ACTIVE' })).toBe(`${ch}  RINGING -> ACTIVE`);
    expect(detail('CHANNEL_HANGUP_COMPLETE', { 'Hangup-Cause': 'USER_BUSY' })).toBe(`${ch}  USER_BUSY`);
    expect(detail('CHANNEL_EXECUTE', { Application: 'playback', 'Application-Data': 'ivr/welcome.wav' })).toBe(`${ch}  playback(ivr/welcome.wav)`);
    expect(detail('CHANNEL_EXECUTE_COMPLETE', { Application: 'playback', 'Application-Data': 'x.wav', 'Application-Response': 'FILE PLAYED' })).toBe(
      `${ch}  playback(x.wav)  = FILE PLAYED`,
    );
    expect(detail('CHANNEL_EXECUTE_COMPLETE', { Application: 'answer', 'Application-Response': '_none_' })).toBe(`${ch}  answer()`);
    expect(detail('CHANNEL_BRIDGE', { 'Other-Leg-Unique-ID': 'b-leg' })).toBe(`${ch}  <-> b-leg`);
    expect(detail('DTMF', { 'DTMF-Digit': '5' })).toBe(`${ch}  digit 5`);
    expect(detail('PLAYBACK_STOP', { 'Playback-File-Path': 'ivr/welcome.wav', 'Playback-Status': 'done' })).toBe(`${ch}  ivr/welcome.wav  done`);
  });

  it('shows a job by its Job-UUID, command and first line of output', () => {
    const job = new EslEvent(
      { 'Event-Name': 'BACKGROUND_JOB', 'Event-Date-Timestamp': TS, 'Job-UUID': 'job-1', 'Job-Command': 'originate', 'Job-Command-Arg': 'user/1000 &park' },
      '+OK 7f4d\nsecond line\n',
    );
    expect(formatEventLine(job, plain)).toBe(`${at} BACKGROUND_JOB           ${'job-1'.padEnd(36)} originate user/1000 &park:  +OK 7f4d …`);
  });

  it('names CUSTOM events by their subclass; an SMS by who sends what to whom', () => {
    const sms = new EslEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'SMS::SEND_MESSAGE', from: '1000@example.com', to: '1001@example.com' }, 'hello');
    expect(displayName(sms)).toBe('CUSTOM SMS::SEND_MESSAGE');
    expect(eventDetail(sms)).toBe('1000@example.com -> 1001@example.com:  hello');
    const hb = new EslEvent({ 'Event-Name': 'HEARTBEAT', 'Up-Time': '0 years, 1 day', 'Session-Count': '3', 'Idle-CPU': '99.5' });
    expect(eventDetail(hb)).toBe('0 years, 1 day  3 sessions  idle 99.5%');
  });

  it('uses the time of arrival when the event has no timestamp', () => {
    const now = Date.UTC(2024, 0, 1, 10, 0, 0, 5);
    expect(formatEventLine(new EslEvent({ 'Event-Name': 'RE_SCHEDULE' }), plain, () => now)).toBe(`${clockTime(new Date(now))} RE_SCHEDULE`);
  });

  it('colours the name by what happened: green for a start, red for an end', () => {
    const answer = formatEventLine(channel('CHANNEL_ANSWER'), colour);
    const hangup = formatEventLine(channel('CHANNEL_HANGUP_COMPLETE', { 'Hangup-Cause': 'NORMAL_CLEARING' }), colour);
    expect(answer).toContain('\x1b[32mCHANNEL_ANSWER');
    expect(hangup).toContain('\x1b[31mCHANNEL_HANGUP_COMPLETE');
    // Same text once the colours are taken out.
    expect(answer.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatEventLine(channel('CHANNEL_ANSWER'), plain));
  });
});

describe('the whole-event display', () => {
  it('plain: every header decoded, then the body', () => {
    const e = new EslEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'my::ping', 'X-Caller': 'Zoë +1' }, 'hello\n');
    expect(formatEventFull(e, 'plain', plain)).toBe('[CUSTOM my::ping]\nEvent-Name: CUSTOM\nEvent-Subclass: my::ping\nX-Caller: Zoë +1\n\nhello\n');
  });

  it('json and xml as FreeSWITCH writes them', () => {
    const e = new EslEvent({ 'Event-Name': 'HEARTBEAT', 'Up-Time': '1 s' });
    expect(formatEventFull(e, 'json', plain)).toBe(`[HEARTBEAT]\n${e.serialize('json')}\n`);
    expect(formatEventFull(e, 'xml', plain)).toBe(`[HEARTBEAT]\n${e.serialize('xml').trimEnd()}\n`);
  });
});

describe('log lines', () => {
  const line = '2024-08-02 21:02:27.123456 99.50% [WARNING] switch_core.c:1 something\n';

  it('are printed as sent, without the final newline', () => {
    expect(formatLogLine({ level: 4, text: line }, plain)).toBe(line.trimEnd());
  });

  it("are coloured by level as fs_cli colours them", () => {
    const code = (level: number): string | undefined => /^\x1b\[(\d+)m/.exec(formatLogLine({ level, text: 'x' }, colour))?.[1];
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(code)).toEqual([undefined, '31', '31', '31', '35', '36', '32', '33']);
  });

  it('colour each line of a multi-line body', () => {
    expect(formatLogLine({ level: 3, text: 'a\nb\n' }, colour)).toBe('\x1b[31ma\x1b[39m\n\x1b[31mb\x1b[39m');
  });
});
