/**
 * The protocol layer: bytes <-> frames <-> events, and commands -> bytes. Plain TypeScript: no
 * sockets, no timers, no RxJS (`frames()`, the operator over a byte stream, is in transport/;
 * FreeSWITCH's half of the protocol, CommandReader and ServerFrames, in switch/).
 */
export { ContentType, DISCONNECT_GOODBYE, EVENT_FORMATS, RUDE_REJECTION_BODY, eventFormatOf } from './content-type.js';
export type { EventFormat, KnownContentType } from './content-type.js';
export { Frame, FrameHeaders } from './frame.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, FrameParser, HANDSHAKE_MAX_BODY_BYTES, MAX_PARSER_LIMIT_BYTES, parseFrames } from './frame-parser.js';
export type { FrameParserOptions } from './frame-parser.js';
export { EslEvent, EventHeaders, isArrayValue } from './event.js';
export type { EslEventPriority, HeaderInit } from './event.js';
export { splitArrayValue, joinArrayValue } from './event-store.js';
export type { HeaderList } from './event-store.js';
export { EVENT_NAMES, LOG_LEVELS, MYEVENTS_SET, eventName, lookupEventName } from './event-names.js';
export type { DeclaredEventName, EventName, EventSubclass, KnownEventName, LogLevelName } from './event-names.js';
export { urlDecode, urlEncode } from './url-codec.js';
export { Commands, EncodedCommand, EXECUTE_ARG_INLINE_MAX, MAX_COMMAND_BLOCK_BYTES, encodeCommand } from './commands.js';
export type { CommandHeaders, ExecuteOptions, UnicastOptions } from './commands.js';
export { EventSubscription, FilterList } from './subscriptions.js';
export type { EventFilter } from './subscriptions.js';
