/**
 * What modesl makes of a frame: the Event, the outer headers as an object, the body as text,
 * and the name it emits the frame under (modesl 1.2.1, Connection.prototype._onEvent and
 * Parser.prototype._parseEvent). The frame itself is rxesl's, read once by rxesl's parser.
 */
import { ContentType, eventFormatOf } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import { urlDecode } from '../protocol/url-codec.js';
import { Event, replyHeader } from './event.js';

/** The outer headers of a frame, as modesl passes them to listeners: Content-Length is a number. */
export type FrameHeadersObject = Record<string, string | number>;

/** A frame as modesl hands it out. */
export interface ModeslFrame {
  event: Event;
  headers: FrameHeadersObject;
  /** The frame's body as text (for an event, the serialized event), undefined when there is none. */
  body: string | undefined;
}

/** True for the outbound `connect` reply: a command/reply carrying a CHANNEL_DATA event, percent-encoded. */
function isConnectReply(frame: Frame): boolean {
  return frame.contentType === ContentType.CommandReply && frame.headers.has('Event-Name');
}

/**
 * The outer headers. modesl percent-decoded every value with decodeURIComponent, which throws
 * URIError on a stray '%' (the reply to `filter X 100%`); only the connect reply is encoded
 * on the wire, so only its values are decoded here, and leniently. A repeated name keeps its
 * last value, as modesl's object did.
 */
export function outerHeaders(frame: Frame): FrameHeadersObject {
  const out: FrameHeadersObject = {};
  const decode = isConnectReply(frame);
  const { names, values } = frame.headers;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = decode ? urlDecode(values[i]!) : values[i]!;
    out[name] = name === 'Content-Length' ? parseInt(value, 10) : value;
  }
  return out;
}

/** The body as text, undefined when the frame has none (modesl's `body` argument). */
export function bodyText(frame: Frame): string | undefined {
  return frame.body.length === 0 ? undefined : frame.bodyText;
}

/**
 * `esl::event::<Event-Name>[::<uuid>]`, where the uuid is the Job-UUID, else the Unique-ID,
 * else the Core-UUID (modesl reads them with exact-case names, as EslEvent.uuid does).
 */
export function eventEmitName(event: EslEvent): string {
  const uuid = event.uuid;
  return `esl::event::${event.name}${uuid ? `::${uuid}` : ''}`;
}

/** The name modesl emits a frame that is not an event under. */
export function frameEmitName(type: string | undefined): string {
  switch (type) {
    case ContentType.AuthRequest:
      return 'esl::event::auth::request';
    case ContentType.CommandReply:
      return 'esl::event::command::reply';
    case ContentType.LogData:
      return 'esl::event::logdata';
    case ContentType.DisconnectNotice:
      return 'esl::event::disconnect::notice';
    case ContentType.ApiResponse:
      return 'esl::event::api::response';
    default:
      // text/rude-rejection among others: modesl has no name for it.
      return `esl::event::raw::${type}`;
  }
}

/**
 * A frame as modesl's Parser emits it: for an event, the event it carries (read lazily); for
 * anything else, an Event of its outer headers (in order, Content-Length a number) and body,
 * with Modesl-Reply-OK/-ERR added, as modesl made it. Throws EslProtocolError for a malformed
 * JSON or XML event.
 */
export function modeslFrame(frame: Frame): ModeslFrame {
  const headers = outerHeaders(frame);
  const body = bodyText(frame);
  if (eventFormatOf(frame.contentType) !== undefined) return { event: Event.fromEslEvent(EslEvent.fromFrame(frame)), headers, body };
  const event = new Event(headers, body);
  const reply = replyHeader(typeof headers['Reply-Text'] === 'string' ? headers['Reply-Text'] : undefined);
  if (reply !== undefined) event.addHeader(reply.name, reply.value);
  return { event, headers, body };
}
