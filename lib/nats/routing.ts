/**
 * What a gateway needs of each event to route it: the headers that make its subject and its
 * NATS headers. A gateway publishes every event the switch sends, so this is its hot path.
 *
 * For a plain event it walks the header lines of the body once, to the blank line that ends
 * them, looking at the lines whose first byte may start one of the names, in their exact case
 * (the case FreeSWITCH writes them in); a value is percent-decoded as the protocol layer does. An
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
const COLON = 58;
const SPACE = 32;

/** The names looked for, by their first byte: E, U, J, C. */
const WANTED: ReadonlyArray<readonly [keyof Routing, Buffer]> = [
  ['name', Buffer.from('Event-Name')],
  ['subclass', Buffer.from('Event-Subclass')],
  ['sequence', Buffer.from('Event-Sequence')],
  ['uniqueId', Buffer.from('Unique-ID')],
  ['jobUuid', Buffer.from('Job-UUID')],
  ['coreUuid', Buffer.from('Core-UUID')],
];
const BY_FIRST = new Map<number, Array<readonly [keyof Routing, Buffer]>>();
for (const w of WANTED) BY_FIRST.set(w[1][0]!, [...(BY_FIRST.get(w[1][0]!) ?? []), w]);

function nameIs(body: Buffer, at: number, name: Buffer): boolean {
  const n = name.length;
  if (body[at + n] !== COLON) return false;
  for (let k = 1; k < n; k++) if (body[at + k] !== name[k]) return false;
  return true;
}

/** One walk over the header lines of a plain body, to the blank line; the first of each name wins. */
function plainRouting(body: Buffer): Routing {
  const r: Routing = { name: undefined, subclass: undefined, uniqueId: undefined, jobUuid: undefined, coreUuid: undefined, sequence: undefined };
  const len = body.length;
  let pos = 0;
  let left = WANTED.length;
  while (pos < len && left > 0) {
    let end = body.indexOf(LF, pos);
    if (end < 0) end = len;
    // The blank line: the headers end here (an event's body may follow).
    if (end === pos) break;
    const candidates = BY_FIRST.get(body[pos]!);
    if (candidates !== undefined) {
      for (const [key, name] of candidates) {
        if (r[key] !== undefined || !nameIs(body, pos, name)) continue;
        let from = pos + name.length + 1;
        while (from < end && body[from] === SPACE) from++;
        const to = end > from && body[end - 1] === CR ? end - 1 : end;
        if (to > from) r[key] = urlDecodeBytes(body, from, to);
        left--;
        break;
      }
    }
    pos = end + 1;
  }
  return r;
}

/** The routing headers of an event frame (text/event-plain|json|xml). Throws EslProtocolError for a JSON or XML body that does not parse. */
export function routingOf(frame: Frame): Routing {
  if (frame.contentType === ContentType.EventPlain) return plainRouting(frame.body);
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
