/**
 * rxesl/testing: what users need to test their own telephony code without a FreeSWITCH: the
 * emulator (FakeSwitch) and its types, VirtualConnection and marbleScheduler for marble tests,
 * chunking helpers, and FreeSWITCH's half of the protocol (CommandReader, ServerFrames) for a
 * fake switch of one's own. spec/exports.spec.ts pins the list.
 */
export { randomChunks, rechunk, splitAt } from './chunks.js';
export { VirtualConnection } from './virtual-connection.js';
export type { ApplicationScript, BridgeScript, RecordedCommand, ScriptedEvent, VirtualConnectionOptions } from './virtual-connection.js';
export {
  FakeChannel,
  FakeSwitch,
  HANGUP_CAUSES,
  ManualClock,
  RealClock,
  parseDialString,
} from './fake-switch/index.js';
export { installConference } from './fake-switch/conference.js';
export type { ConferenceInfo, ConferenceMemberInfo, ConferenceOptions, FakeConferences } from './fake-switch/conference.js';
export type {
  ApiContext,
  ApiDescription,
  ApiHandler,
  AppContext,
  AppHandler,
  AppOptions,
  CallOptions,
  CallerProfile,
  ChannelInfo,
  Clock,
  Codec,
  DialLeg,
  DialString,
  Dialplan,
  DialplanAction,
  EndpointBehavior,
  ExtensionDefinition,
  FakeCall,
  FakeConnection,
  FakeLogLine,
  FakeSwitchOptions,
  FakeUser,
  FaultOptions,
  FireOptions,
  LogOrigin,
  MalformedFrameKind,
  MediaOptions,
  ReceivedCommand,
  TextChannel,
  TimerHandle,
  TrafficHandle,
  TrafficOptions,
  WaitOptions,
  WaitReason,
  WaitResult,
} from './fake-switch/index.js';
export { CommandReader, ServerFrames } from '../switch/index.js';
export type { ClientCommand, CommandReaderOptions } from '../switch/index.js';
export { MarbleMismatchError, describeMarbleMismatch, marbleScheduler, sameValue } from './marble-diagram.js';
export type { MarbleOptions } from './marble-diagram.js';
