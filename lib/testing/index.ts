/**
 * rxesl/testing: what users need to test their own telephony code without a FreeSWITCH.
 */
export { randomChunks, rechunk, splitAt } from './chunks.js';
export * from './fake-switch/index.js';
export { VirtualConnection } from './virtual-connection.js';
export type { ApplicationScript, BridgeScript, RecordedCommand, ScriptedEvent, VirtualConnectionOptions } from './virtual-connection.js';
export { installConference } from './fake-switch/conference.js';
export type { ConferenceInfo, ConferenceMemberInfo, ConferenceOptions, FakeConferences } from './fake-switch/conference.js';
export { MarbleMismatchError, describeMarbleMismatch, marbleScheduler, sameValue } from './marble-diagram.js';
export type { MarbleOptions } from './marble-diagram.js';
