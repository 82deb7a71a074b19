/**
 * rxesl: a reactive FreeSWITCH Event Socket library.
 *
 * What a program needs, listed name by name (spec/exports.spec.ts pins the list): the
 * connection and the server, the events, replies and errors they give, the call-flow operators
 * and Channel, and the protocol layer for bytes of your own. The plumbing under them (the
 * command FIFO, the event router, the socket writer, reconnect backoff...) stays inside;
 * FreeSWITCH's half of the protocol, for a test's own fake switch, is in `rxesl/testing`.
 */

// ---------------------------------------------------------------------- errors
export {
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslError,
  EslHangupError,
  EslMaxConnectionsError,
  EslNoSubscriberError,
  EslProtocolError,
  EslTimeoutError,
  describeError,
} from './errors.js';
export type { ErrorContext, ProtocolErrorCode } from './errors.js';

// ---------------------------------------------------------------------- connections
export { Connection } from './connection/connection.js';
export type {
  BgapiOptions,
  CommandOptions,
  ConnectionMode,
  ConnectionState,
  EslConnection,
  EventsOptions,
  ExecuteCommandOptions,
  ReceivedEvent,
} from './connection/esl-connection.js';
export type { ConnectionOptions, ReconnectOptions } from './connection/options.js';
export { ApiResponse, ApplicationResult, BackgroundJob, CommandReply, LogLine } from './connection/replies.js';
export { applicationResult, jobResult } from './connection/results.js';
export { Server } from './server/server.js';
export type { CloseOptions, ServerOptions } from './server/server.js';
export { socketTransport } from './transport/socket.js';
export type { Transport } from './transport/transport.js';

// ---------------------------------------------------------------------- events and names
export { EslEvent } from './protocol/event.js';
export type { EslEventPriority, EventHeaders, HeaderInit } from './protocol/event.js';
export type { HeaderList } from './protocol/event-store.js';
export { EVENT_NAMES, LOG_LEVELS, eventName } from './protocol/event-names.js';
export type { DeclaredEventName, EventName, EventSubclass, KnownEventName, LogLevelName } from './protocol/event-names.js';
export type { EventFilter, EventSubscription } from './protocol/subscriptions.js';

// ---------------------------------------------------------------------- call flows
export { channelState, collectDigits, dtmf, forChannel, forJob, header, ofCustom, ofEvent, untilHangup } from './operators/index.js';
export type { ChannelSnapshot, CollectDigitsOptions } from './operators/index.js';
export { Channel, featureCodes } from './channel/index.js';
export type {
  BridgeBridged,
  BridgeOptions,
  BridgeProgress,
  BridgeResult,
  BridgeRinging,
  ChannelHangup,
  ChannelOptions,
  DigitsResult,
  FeatureCodeOptions,
  PlayAndGetDigitsOptions,
  PlaybackOptions,
  PlaybackResult,
  ReadOptions,
  RecordOptions,
  RecordResult,
  SayOptions,
} from './channel/index.js';

// ---------------------------------------------------------------------- the protocol layer
export { ContentType } from './protocol/content-type.js';
export type { EventFormat } from './protocol/content-type.js';
export { Frame, FrameHeaders } from './protocol/frame.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, FrameParser, HANDSHAKE_MAX_BODY_BYTES, MAX_PARSER_LIMIT_BYTES, parseFrames } from './protocol/frame-parser.js';
export type { FrameParserOptions } from './protocol/frame-parser.js';
export { frames } from './transport/frames.js';
export { Commands, MAX_COMMAND_BLOCK_BYTES } from './protocol/commands.js';
export type { CommandHeaders, EncodedCommand, ExecuteOptions, UnicastOptions } from './protocol/commands.js';
