/**
 * The gateway's routing headers, read straight from a plain body, are what EslEvent reads:
 * checked on every event FreeSWITCH 1.10.12 put on the wire in the captures, in plain and JSON.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EslEvent, Frame, FrameHeaders, parseFrames } from 'rxesl';
import { routingOf } from '../../lib/nats/routing';
import { FIXTURES_DIR } from '../helpers/fixtures';

const expected = (ev: EslEvent) => ({
  name: ev.getHeader('Event-Name'),
  subclass: ev.getHeader('Event-Subclass'),
  uniqueId: ev.getHeader('Unique-ID'),
  jobUuid: ev.getHeader('Job-UUID'),
  coreUuid: ev.getHeader('Core-UUID'),
  sequence: ev.getHeader('Event-Sequence'),
});

describe('routingOf', () => {
  it('reads what EslEvent reads, on every captured event', () => {
    let plain = 0;
    let json = 0;
    for (const dir of readdirSync(FIXTURES_DIR).filter((d) => !d.endsWith('.txt'))) {
      for (const frame of parseFrames(readFileSync(join(FIXTURES_DIR, dir, 's2c.bin')))) {
        if (!frame.contentType?.startsWith('text/event-')) continue;
        if (frame.contentType === 'text/event-plain') plain++;
        if (frame.contentType === 'text/event-json') json++;
        expect(routingOf(frame), `${dir}: ${frame}`).toEqual(expected(EslEvent.fromFrame(frame)));
      }
    }
    expect(plain).toBeGreaterThan(50);
    expect(json).toBeGreaterThan(20);
  });

  it('stops at the blank line that ends the headers, and decodes values', () => {
    const body = 'Event-Name: CUSTOM\nEvent-Subclass: my%3A%3Aapp\nUnique-ID: a%20b\nContent-Length: 22\n\nJob-UUID: not-a-header';
    const frame = new Frame(new FrameHeaders([['Content-Type', 'text/event-plain']]), Buffer.from(body));
    expect(routingOf(frame)).toEqual({ name: 'CUSTOM', subclass: 'my::app', uniqueId: 'a b', jobUuid: undefined, coreUuid: undefined, sequence: undefined });
  });
});
