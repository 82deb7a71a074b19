/**
 * The subject scheme and its escaping, without a server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EslArgumentError } from 'rxesl';
import { Subjects, escapeToken, unescapeToken } from 'rxesl/nats';

describe('escapeToken', () => {
  it('leaves the usual values alone', () => {
    for (const v of ['CHANNEL_ANSWER', 'sofia::register', '2f1c6d1e-8a5b-4c71-9a39-4bbf1f3b5a10', 'fs1', 'pbx-paris_2']) expect(escapeToken(v)).toBe(v);
  });

  it('escapes what NATS forbids in a token, the escape character, and a lone "-"', () => {
    expect(escapeToken('a.b')).toBe('a%2Eb');
    expect(escapeToken('*')).toBe('%2A');
    expect(escapeToken('>')).toBe('%3E');
    expect(escapeToken('two words')).toBe('two%20words');
    expect(escapeToken('tab\there\r\n')).toBe('tab%09here%0D%0A');
    expect(escapeToken('100%')).toBe('100%25');
    expect(escapeToken('-')).toBe('%2D');
    expect(escapeToken('a-b')).toBe('a-b');
    expect(escapeToken('café')).toBe('caf%C3%A9');
  });

  it('refuses an empty value', () => {
    expect(() => escapeToken('')).toThrow(EslArgumentError);
  });

  it('round-trips any string, and its tokens never hold what NATS forbids', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), (v) => {
        // Lone surrogates cannot be UTF-8: they are not values a switch sends.
        fc.pre(Buffer.from(v, 'utf8').toString('utf8') === v);
        const t = escapeToken(v);
        expect(t).toMatch(/^[\x21-\x7e]+$/);
        expect(t).not.toMatch(/[.*>]/);
        expect(t).not.toBe('-');
        expect(unescapeToken(t)).toBe(v);
      }),
    );
  });

  it('unescapeToken refuses what escapeToken cannot have written', () => {
    for (const t of ['', '-', 'a b', 'a.b', '%', '%4', '%zz', '%FF', 'a*']) expect(unescapeToken(t)).toBeUndefined();
  });
});

describe('Subjects', () => {
  const s = new Subjects();

  it('names every event by node, name, subclass and id', () => {
    expect(s.event('fs1', 'CHANNEL_ANSWER', undefined, 'u-1', undefined)).toBe('esl.fs1.event.CHANNEL_ANSWER.u-1');
    expect(s.event('fs1', 'CUSTOM', 'sofia::register', undefined, undefined)).toBe('esl.fs1.event.CUSTOM.sofia::register.-');
    expect(s.event('fs1', 'BACKGROUND_JOB', undefined, undefined, 'j-1')).toBe('esl.fs1.event.BACKGROUND_JOB.j-1');
    expect(s.event('fs1', 'ODD NAME.X', 'a>b', 'c*d', undefined)).toBe('esl.fs1.event.ODD%20NAME%2EX.a%3Eb.c%2Ad');
  });

  it('gives each view its narrowest subjects, values escaped (a web form cannot inject a wildcard)', () => {
    expect(s.allEvents()).toBe('esl.*.event.>');
    expect(s.allEvents('fs1')).toBe('esl.fs1.event.>');
    expect(s.named('CHANNEL_HANGUP')).toBe('esl.*.event.CHANNEL_HANGUP.>');
    expect(s.custom('conference::maintenance', 'fs2')).toBe('esl.fs2.event.CUSTOM.conference::maintenance.*');
    expect(s.channel('u-1')).toEqual(['esl.*.event.*.u-1', 'esl.*.event.*.*.u-1']);
    expect(s.job('j-1')).toBe('esl.*.event.BACKGROUND_JOB.j-1');
    expect(s.named('>')).toBe('esl.*.event.%3E.>');
    expect(s.channel('*')[0]).toBe('esl.*.event.*.%2A');
    expect(s.cmd('fs 1')).toBe('esl.fs%201.cmd');
    expect(s.status()).toBe('esl.*.status');
    expect(s.discover()).toBe('esl.discover');
  });

  it('parses event subjects back, and refuses the others', () => {
    expect(s.parseEvent('esl.fs1.event.CHANNEL_ANSWER.u-1')).toEqual({ node: 'fs1', name: 'CHANNEL_ANSWER', subclass: undefined, id: 'u-1' });
    expect(s.parseEvent('esl.fs%201.event.CUSTOM.a%2Eb.-')).toEqual({ node: 'fs 1', name: 'CUSTOM', subclass: 'a.b', id: undefined });
    for (const bad of ['esl.fs1.event.X', 'esl.fs1.cmd', 'esl.fs1.event.a.b.c.d', 'esl.fs1.evt.X.-', 'esl.f%zz.event.X.-']) expect(s.parseEvent(bad)).toBeUndefined();
  });

  it('takes a prefix of plain tokens only', () => {
    expect(new Subjects('acme.voice').event('fs1', 'HEARTBEAT', undefined, undefined, undefined)).toBe('acme.voice.fs1.event.HEARTBEAT.-');
    expect(new Subjects('acme.voice').parseEvent('acme.voice.fs1.event.HEARTBEAT.-')?.node).toBe('fs1');
    for (const bad of ['', 'a.', '*', 'a b', 'a.>']) expect(() => new Subjects(bad)).toThrow(EslArgumentError);
  });
});
