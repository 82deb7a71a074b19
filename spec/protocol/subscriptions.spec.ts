import { describe, expect, it } from 'vitest';
import { EventSubscription, FilterList } from '../../lib/protocol/subscriptions';
import { skippedNames } from '../../lib/protocol/subscriptions';

describe('EventSubscription merges as mod_event_socket does', () => {
  it('event is additive; names after CUSTOM are subclasses; unknown names are ignored', () => {
    const s = new EventSubscription();
    expect(s.subscribe(['plain', 'CHANNEL_ANSWER', 'nosuch'])).toBe(1);
    expect(s.subscribe(['json', 'channel_hangup', 'CUSTOM', 'sofia::register'])).toBe(2);
    expect(s.format).toBe('json');
    expect(s.wants('CHANNEL_ANSWER')).toBe(true);
    expect(s.wants('CHANNEL_HANGUP')).toBe(true);
    expect(s.wants('CUSTOM', 'sofia::register')).toBe(true);
    expect(s.wants('CUSTOM', 'sofia::unregister')).toBe(false);
    expect(s.toTokens()).toEqual(['CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CUSTOM', 'sofia::register']);
  });

  it('event with no keywords still switches the format', () => {
    const s = new EventSubscription();
    expect(s.subscribe(['xml'])).toBe(0);
    expect(s.format).toBe('xml');
  });

  it('nixevent of one type while ALL is on expands ALL first; nixevent ALL clears; CUSTOM only switches to subclasses', () => {
    const s = new EventSubscription();
    s.subscribe(['plain', 'ALL']);
    expect(s.wants('CUSTOM', 'anything::at-all')).toBe(true);
    s.unsubscribe(['CHANNEL_CREATE']);
    expect(s.all).toBe(false);
    expect(s.wants('CHANNEL_CREATE')).toBe(false);
    expect(s.wants('CHANNEL_ANSWER')).toBe(true);
    s.subscribe(['CUSTOM', 'a::b']);
    s.unsubscribe(['CUSTOM', 'a::b']);
    expect(s.wants('CUSTOM', 'a::b')).toBe(false);
    expect(s.types.has('CUSTOM')).toBe(true);
    expect(s.unsubscribe(['ALL'])).toBe(1);
    expect(s.empty).toBe(true);
    expect(s.wants('CHANNEL_ANSWER')).toBe(false);
    s.clear();
    expect(s.empty).toBe(true);
  });
});

describe('FilterList evaluates as event_handler does', () => {
  const event = (headers: Record<string, string>) => (name: string) => headers[name];
  const f = (...pairs: Array<[string, string]>): FilterList => {
    const l = new FilterList();
    for (const [h, v] of pairs) l.add(h, v);
    return l;
  };

  it('positive filters are OR-ed, compared ignoring case', () => {
    const l = f(['Event-Name', 'CHANNEL_CREATE'], ['Event-Name', 'background_job']);
    expect(l.passes(event({ 'Event-Name': 'BACKGROUND_JOB' }))).toBe(true);
    expect(l.passes(event({ 'Event-Name': 'CHANNEL_ANSWER' }))).toBe(false);
  });

  it('a matching negative filter vetoes; only-negative filters deliver nothing', () => {
    const l = f(['Event-Name', 'CHANNEL_CREATE'], ['Caller-Context', '-internal']);
    expect(l.passes(event({ 'Event-Name': 'CHANNEL_CREATE', 'Caller-Context': 'internal' }))).toBe(false);
    expect(l.passes(event({ 'Event-Name': 'CHANNEL_CREATE', 'Caller-Context': 'public' }))).toBe(true);
    expect(f(['Caller-Context', '-internal']).passes(event({ 'Caller-Context': 'public' }))).toBe(false);
  });

  it('a filter on a header the event lacks is skipped; no filters deliver everything', () => {
    expect(f(['X-Missing', 'x'], ['Event-Name', 'A']).passes(event({ 'Event-Name': 'A' }))).toBe(true);
    expect(new FilterList().passes(event({}))).toBe(true);
  });

  it("'/re/flags' is a regular expression; '-/re/' is a literal; the last of + and - wins", () => {
    expect(f(['Unique-ID', '/^abc/i']).passes(event({ 'Unique-ID': 'ABCdef' }))).toBe(true);
    expect(f(['Event-Name', 'A'], ['X', '-/x/']).passes(event({ 'Event-Name': 'A', X: 'x' }))).toBe(true);
    expect(f(['Event-Name', 'A'], ['X', '-/x/']).passes(event({ 'Event-Name': 'A', X: '/x/' }))).toBe(false);
    expect(f(['X', '-+x']).passes(event({ X: 'x' }))).toBe(true);
    expect(f(['X', '+-x']).passes(event({ X: 'x' }))).toBe(false);
  });

  it('filter delete by name, by name and value, and all', () => {
    const l = f(['A', '1'], ['A', '2'], ['B', '3']);
    l.delete('a', '1');
    expect(l.filters).toEqual([{ header: 'A', value: '2' }, { header: 'B', value: '3' }]);
    l.delete('A');
    expect(l.filters).toEqual([{ header: 'B', value: '3' }]);
    l.delete('all');
    expect(l.size).toBe(0);
  });
});

describe('skippedNames: what FreeSWITCH passes over without a word', () => {
  it('before CUSTOM, a name switch_name_event does not know (it ignores case, and a 13-character prefix such as SWITCH_EVENT_)', () => {
    expect(skippedNames(['channel_answer', 'SWITCH_EVENT_DTMF', 'ALL', 'CHANNEL_ANSWR', 'plain', 'sofia::register'])).toEqual({
      unknown: ['CHANNEL_ANSWR', 'plain', 'sofia::register'],
      readAsSubclass: [],
    });
  });

  it('after CUSTOM every token is a subclass: an event name there is one FreeSWITCH will not subscribe', () => {
    expect(skippedNames(['DTMF', 'CUSTOM', 'sofia::register', 'my-app', 'CHANNEL_HANGUP', 'custom'])).toEqual({ unknown: [], readAsSubclass: ['CHANNEL_HANGUP', 'custom'] });
    expect(skippedNames([])).toEqual({ unknown: [], readAsSubclass: [] });
  });
});
