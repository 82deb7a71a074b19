/**
 * What goes in NATS messages between gateways and clients (docs/cluster.md, "Message formats").
 *
 * - An event: the payload is the body of the text/event-* frame exactly as FreeSWITCH wrote it;
 *   NATS headers carry its Content-Type (the format) and the few headers routing needs.
 * - A command: a JSON request on `<prefix>.<node>.cmd` whose reply subject is the caller's; the
 *   gateway answers with one or more messages to that subject, each saying in `Esl-Reply` what
 *   it is: `next` (a value), `last` (a value, and the end), `complete`, `error`, or `beat` (the
 *   command is still running). A value is an Event Socket frame (`Esl-Value` says which kind:
 *   the command/reply, the api/response, the BACKGROUND_JOB...), so the client rebuilds it with
 *   the same parser that reads the socket; an error is JSON, rebuilt as the same error class.
 */
import {
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslError,
  EslHangupError,
  EslProtocolError,
  EslTimeoutError,
  type ProtocolErrorCode,
} from '../errors.js';
import { ApiResponse, ApplicationResult, BackgroundJob, CommandReply } from '../connection/replies.js';
import { eventFormatOf } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import { parseFrames } from '../protocol/frame-parser.js';
import { ServerFrames } from '../switch/server-frames.js';

// ------------------------------------------------------------------ header names

/** The event headers a gateway copies into NATS headers (values as FreeSWITCH sent them, decoded). */
export const ROUTING_HEADERS = ['Event-Name', 'Unique-ID', 'Job-UUID', 'Core-UUID', 'Event-Sequence'] as const;

export const H_REPLY = 'Esl-Reply';
export const H_VALUE = 'Esl-Value';
export const H_BEAT = 'Esl-Beat';

export type ReplyKind = 'next' | 'last' | 'complete' | 'error' | 'beat';
export type ValueKind = 'reply' | 'api' | 'job' | 'complete' | 'event' | 'text' | 'none';

/** A value a remote command emits: what the same Connection method emits. */
export type CommandValue = CommandReply | ApiResponse | BackgroundJob | ApplicationResult | EslEvent | string | undefined;

// ------------------------------------------------------------------ values

/** A reply or api/response as the frame it was read from (its outer headers, raw, and its body). */
function socketFrame(event: EslEvent): Buffer {
  const { names, values } = event.headerList();
  let head = '';
  for (let i = 0; i < names.length; i++) head += `${names[i]}: ${values[i]}\n`;
  const body = event.rawBody();
  if (body === undefined) return Buffer.from(`${head}\n`, 'utf8');
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${bytes.length}\n\n`, 'utf8'), bytes]);
}

/** An event as an event frame, in the format it came in. */
function eventFrame(event: EslEvent): Buffer {
  const format = eventFormatOf(event.contentType) ?? 'plain';
  return ServerFrames.event(format, event.toBytes(format));
}

export function encodeValue(value: CommandValue): { kind: ValueKind; payload: Uint8Array } {
  if (value === undefined) return { kind: 'none', payload: new Uint8Array(0) };
  if (typeof value === 'string') return { kind: 'text', payload: Buffer.from(value, 'utf8') };
  // An event, or a reply carried as its EslEvent (EslCommandError.reply): the frame it came in.
  if (value instanceof EslEvent) return { kind: 'event', payload: eventFormatOf(value.contentType) ? eventFrame(value) : socketFrame(value) };
  switch (value.kind) {
    case 'reply':
    case 'api':
      return { kind: value.kind, payload: socketFrame(value.event) };
    case 'job':
    case 'complete':
      return { kind: value.kind, payload: eventFrame(value.event) };
  }
}

function oneFrame(payload: Uint8Array, what: string): EslEvent {
  let frames;
  try {
    frames = parseFrames(payload);
  } catch (err) {
    throw new EslProtocolError('MALFORMED_EVENT', `a ${what} from the gateway is not an Event Socket frame: ${(err as Error).message}`, { cause: err });
  }
  if (frames.length !== 1) throw new EslProtocolError('MALFORMED_EVENT', `a ${what} from the gateway holds ${frames.length} frames, not one`);
  return EslEvent.fromFrame(frames[0]!);
}

/** Rebuilds a value; `command` is the label of the command it answers (as Connection gives it). */
export function decodeValue(kind: string, payload: Uint8Array, command: string): CommandValue {
  switch (kind) {
    case 'none':
      return undefined;
    case 'text':
      return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    case 'event':
      return oneFrame(payload, 'event');
    case 'reply':
      return new CommandReply(oneFrame(payload, 'command/reply'), command);
    case 'api':
      // A userauth refusal is a command/reply whose text the gateway's Connection moved into the body: the frame carries it.
      return new ApiResponse(oneFrame(payload, 'api/response'), command);
    case 'job':
      return new BackgroundJob(oneFrame(payload, 'BACKGROUND_JOB'));
    case 'complete':
      return new ApplicationResult(oneFrame(payload, 'CHANNEL_EXECUTE_COMPLETE'));
    default:
      throw new EslProtocolError('UNEXPECTED_FRAME', `the gateway sent a value of unknown kind ${JSON.stringify(kind)}`);
  }
}

// ------------------------------------------------------------------ errors

interface ErrorJson {
  name: string;
  message: string;
  command?: string;
  replyText?: string;
  timeoutMs?: number;
  uuid?: string;
  hangupCause?: string;
  argument?: string;
  value?: string;
  code?: string;
  offset?: number;
  excerpt?: string;
  reason?: string;
  host?: string;
  port?: number;
  /** EslCommandError's reply, as a value. */
  reply?: { kind: ValueKind; frame: string };
  cause?: ErrorJson;
}

function valueOfReply(reply: unknown): ErrorJson['reply'] {
  if (reply instanceof CommandReply || reply instanceof ApiResponse || reply instanceof BackgroundJob || reply instanceof ApplicationResult || reply instanceof EslEvent) {
    const { kind, payload } = encodeValue(reply);
    return { kind, frame: Buffer.from(payload).toString('base64') };
  }
  return undefined;
}

function toJson(err: unknown, depth: number): ErrorJson {
  if (!(err instanceof Error)) return { name: 'EslError', message: String(err) };
  const out: ErrorJson = { name: err.name, message: err.message };
  if (err instanceof EslCommandError) {
    out.command = err.command;
    out.replyText = err.replyText;
    out.reply = valueOfReply(err.reply);
  } else if (err instanceof EslTimeoutError) {
    out.timeoutMs = err.timeoutMs;
    out.command = err.command;
  } else if (err instanceof EslDisconnectedError) {
    out.command = err.command;
  } else if (err instanceof EslHangupError) {
    out.uuid = err.uuid;
    out.hangupCause = err.hangupCause;
  } else if (err instanceof EslArgumentError) {
    out.argument = err.argument;
    out.value = typeof err.value === 'string' ? err.value : JSON.stringify(err.value);
  } else if (err instanceof EslProtocolError) {
    out.code = err.code;
    out.offset = err.offset;
    out.excerpt = err.excerpt;
  } else if (err instanceof EslAuthError) {
    out.reason = err.reason;
    out.replyText = err.replyText;
  } else if (err instanceof EslConnectError) {
    out.host = err.host;
    out.port = err.port;
    out.code = err.code;
  }
  if (err.cause !== undefined && depth < 4) out.cause = toJson(err.cause, depth + 1);
  return out;
}

export function encodeError(err: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(toJson(err, 0)), 'utf8');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function fromJson(j: Record<string, unknown>, depth: number): Error {
  const message = str(j.message) ?? 'error';
  const options = j.cause !== null && typeof j.cause === 'object' && depth < 4 ? { cause: fromJson(j.cause as Record<string, unknown>, depth + 1) } : undefined;
  let err: Error;
  switch (j.name) {
    case 'EslCommandError': {
      const r = j.reply as { kind?: unknown; frame?: unknown } | undefined;
      let reply: EslEvent | undefined;
      if (r && typeof r.kind === 'string' && typeof r.frame === 'string') {
        try {
          const v = decodeValue(r.kind, Buffer.from(r.frame, 'base64'), str(j.command) ?? '');
          reply = v instanceof EslEvent ? v : typeof v === 'object' ? v.event : undefined;
        } catch {
          reply = undefined;
        }
      }
      err = new EslCommandError(str(j.command) ?? '', str(j.replyText) ?? '', reply);
      break;
    }
    case 'EslTimeoutError':
      err = new EslTimeoutError(message, num(j.timeoutMs) ?? 0, str(j.command));
      break;
    case 'EslDisconnectedError':
      err = new EslDisconnectedError(message, str(j.command), options);
      break;
    case 'EslHangupError':
      err = new EslHangupError(str(j.uuid) ?? '', str(j.hangupCause), message);
      break;
    case 'EslArgumentError':
      err = new EslArgumentError(str(j.argument) ?? '', j.value, message);
      break;
    case 'EslProtocolError':
      err = new EslProtocolError((str(j.code) ?? 'UNEXPECTED_FRAME') as ProtocolErrorCode, message, { offset: num(j.offset), excerpt: str(j.excerpt), ...options });
      break;
    case 'EslAuthError': {
      const reason = j.reason === 'invalid' || j.reason === 'rejected' ? j.reason : 'unexpected';
      err = new EslAuthError(reason, message, str(j.replyText), options);
      break;
    }
    case 'EslConnectError':
      err = new EslConnectError(str(j.host) ?? '', num(j.port) ?? 0, message, { code: str(j.code), ...options });
      break;
    default:
      err = new EslError(message, options);
  }
  // The gateway's words, not the ones a constructor would make up.
  err.message = message;
  return err;
}

/** Rebuilds an error the gateway sent; a payload that is not one is an EslProtocolError. */
export function decodeError(payload: Uint8Array): Error {
  let j: unknown;
  try {
    j = parseJson(payload, 'the gateway sent an error', 'MALFORMED_EVENT');
  } catch (err) {
    return err as Error;
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return new EslProtocolError('MALFORMED_EVENT', 'the gateway sent an error that is not a JSON object');
  return fromJson(j as Record<string, unknown>, 0);
}

// ------------------------------------------------------------------ requests

/** The methods a gateway serves, and their arguments (JSON). */
export interface CommandRequest {
  method: 'api' | 'bgapi' | 'execute' | 'sendMsg' | 'hangup' | 'sendEvent' | 'events' | 'getvar';
  args: Record<string, unknown>;
}

const METHODS = new Set(['api', 'bgapi', 'execute', 'sendMsg', 'hangup', 'sendEvent', 'events', 'getvar']);

/** A JSON payload; EslProtocolError (with an excerpt) when it is not JSON. */
function parseJson(payload: Uint8Array, what: string, code: ProtocolErrorCode): unknown {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new EslProtocolError(code, `${what} that is not JSON`, { excerpt: text.slice(0, 240) });
  }
}

export function encodeRequest(req: CommandRequest): Uint8Array {
  return Buffer.from(JSON.stringify(req), 'utf8');
}

/** Parses a request; throws EslProtocolError for one that is not a request at all. */
export function decodeRequest(payload: Uint8Array): CommandRequest {
  const j = parseJson(payload, 'a command request', 'UNEXPECTED_FRAME');
  const r = j as { method?: unknown; args?: unknown };
  if (r === null || typeof r !== 'object' || typeof r.method !== 'string' || !METHODS.has(r.method)) {
    throw new EslProtocolError('UNEXPECTED_FRAME', `not a command request: ${JSON.stringify(j)?.slice(0, 240)}`);
  }
  if (r.args === null || typeof r.args !== 'object' || Array.isArray(r.args)) throw new EslProtocolError('UNEXPECTED_FRAME', `the ${r.method} request has no arguments object`);
  return { method: r.method as CommandRequest['method'], args: r.args as Record<string, unknown> };
}

/** Argument readers for the gateway: a value of the wrong type is an EslArgumentError, never passed on. */
export const Arg = {
  string(args: Record<string, unknown>, name: string): string {
    const v = args[name];
    if (typeof v !== 'string') throw new EslArgumentError(name, v, `${name} must be a string`);
    return v;
  },
  optString(args: Record<string, unknown>, name: string): string | undefined {
    const v = args[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new EslArgumentError(name, v, `${name} must be a string`);
    return v;
  },
  optNumber(args: Record<string, unknown>, name: string): number | undefined {
    const v = args[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EslArgumentError(name, v, `${name} must be a number`);
    return v;
  },
  optBoolean(args: Record<string, unknown>, name: string): boolean | undefined {
    const v = args[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new EslArgumentError(name, v, `${name} must be true or false`);
    return v;
  },
  stringList(args: Record<string, unknown>, name: string): string[] {
    const v = args[name];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new EslArgumentError(name, v, `${name} must be a list of strings`);
    return v as string[];
  },
  pairs(args: Record<string, unknown>, name: string): Array<[string, string]> {
    const v = args[name];
    if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
      throw new EslArgumentError(name, v, `${name} must be a list of [name, value] pairs of strings`);
    }
    return v as Array<[string, string]>;
  },
};

// ------------------------------------------------------------------ announcements

/** What a gateway announces on `<prefix>.<node>.status` (JSON). */
export interface GatewayStatus {
  node: string;
  /** The gateway's id (several gateways may serve one node). */
  gateway: string;
  /** `up`: connected to its switch; `down`: not (it keeps trying); `stopped`: closed for good. */
  state: 'up' | 'down' | 'stopped';
  /** The switch's `api version`, once connected. */
  version?: string;
  /** The switch's Core-UUID, once an event has shown it. */
  coreUuid?: string;
  /** When the gateway started (ms since the epoch): the oldest gateway of a node publishes its events. */
  startedAt: number;
  /** How often it announces itself, ms: three silent periods and it counts as gone. */
  announceMs: number;
  /** Whether it publishes the node's events now. */
  publishing: boolean;
  /** The JetStream stream it publishes into, if any. */
  stream?: string;
  /** The event format it asked the switch for, and the events. */
  format: string;
  events: string[];
}

const STATES = new Set(['up', 'down', 'stopped']);

export function encodeStatus(s: GatewayStatus): Uint8Array {
  return Buffer.from(JSON.stringify(s), 'utf8');
}

/** Parses an announcement; throws EslProtocolError for one that is not. */
export function decodeStatus(payload: Uint8Array): GatewayStatus {
  const j = parseJson(payload, 'a gateway announcement', 'MALFORMED_EVENT');
  const s = j as Partial<GatewayStatus> | null;
  const ok =
    s !== null &&
    typeof s === 'object' &&
    typeof s.node === 'string' &&
    s.node !== '' &&
    typeof s.gateway === 'string' &&
    s.gateway !== '' &&
    typeof s.state === 'string' &&
    STATES.has(s.state) &&
    typeof s.startedAt === 'number' &&
    typeof s.announceMs === 'number' &&
    s.announceMs > 0 &&
    typeof s.publishing === 'boolean' &&
    typeof s.format === 'string' &&
    Array.isArray(s.events) &&
    s.events.every((e) => typeof e === 'string') &&
    (s.version === undefined || typeof s.version === 'string') &&
    (s.coreUuid === undefined || typeof s.coreUuid === 'string') &&
    (s.stream === undefined || typeof s.stream === 'string');
  if (!ok) throw new EslProtocolError('MALFORMED_EVENT', `not a gateway announcement: ${JSON.stringify(j)?.slice(0, 240)}`);
  return s as GatewayStatus;
}
