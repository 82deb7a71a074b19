/**
 * What a gateway needs of each event to route it: the headers that make its subject and its
 * NATS headers. A gateway publishes every event the switch sends, so this is its hot path.
 *
 * For a plain event it looks the few names up in the body directly, in their exact case (the
 * case FreeSWITCH writes them in): one search per name for "\n<Name>: " before the blank line
 * that ends the headers, the value percent-decoded as the protocol layer decodes it. An
 * EslEvent's getHeader would, for every header the event does not have (Job-UUID on a channel
 * event, Unique-ID on a HEARTBEAT), fall back to a search ignoring case over every line.
 * JSON and XML events are parsed whole anyway: their EslEvent is read.
 */
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import { urlDecodeBytes } from '../protocol/url-codec.js';
import { ContentType } from '../protocol/content-type.js';

export interface Routing {
  name: string | undefined;
  subclass: string | undefined;
  uniqueId: string | undefined;
  jobUuid: string | undefined;
  coreUuid: string | undefined;
  sequence: string | undefined;
}

const LF = 10;
const CR = 13;
const DOUBLE_LF = Buffer.from('\n\n');

const NAMES = ['Event-Name', 'Event-Subclass', 'Unique-ID', 'Job-UUID', 'Core-UUID', 'Event-Sequence'] as const;
/** "Name: " at the very start, and "\nName: " after it. */
const FIRST = NAMES.map((n) => Buffer.from(`${n}: `));
const LATER = NAMES.map((n) => Buffer.from(`\n${n}: `));

function plainValue(body: Buffer, k: number, end: number): string | undefined {
  let at: number;
  if (body.subarray(0, FIRST[k]!.length).equals(FIRST[k]!)) at = 0;
  else {
    const i = body.indexOf(LATER[k]!);
    if (i < 0 || i >= end) return undefined;
    at = i + 1;
  }
  const from = at + FIRST[k]!.length;
  let to = body.indexOf(LF, from);
  if (to < 0 || to > end) to = end;
  if (to > from && body[to - 1] === CR) to--;
  return to > from ? urlDecodeBytes(body, from, to) : undefined;
}

/** The routing headers of an event frame (text/event-plain|json|xml). Throws EslProtocolError for a JSON or XML body that does not parse. */
export function routingOf(frame: Frame): Routing {
  if (frame.contentType === ContentType.EventPlain) {
    const body = frame.body;
    // The headers end at the first blank line (a body, if any, comes after it).
    let end = body.indexOf(DOUBLE_LF);
    if (end < 0) end = body.length;
    return {
      name: plainValue(body, 0, end),
      subclass: plainValue(body, 1, end),
      uniqueId: plainValue(body, 2, end),
      jobUuid: plainValue(body, 3, end),
      coreUuid: plainValue(body, 4, end),
      sequence: plainValue(body, 5, end),
    };
  }
  const ev = EslEvent.fromFrame(frame);
  return {
    name: ev.name,
    subclass: ev.subclass,
    uniqueId: ev.getHeader('Unique-ID'),
    jobUuid: ev.getHeader('Job-UUID'),
    coreUuid: ev.getHeader('Core-UUID'),
    sequence: ev.getHeader('Event-Sequence'),
  };
}
