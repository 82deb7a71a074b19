/**
 * FakeSwitch, the FreeSWITCH Event Socket emulator of rxesl/testing.
 */
export { FakeSwitch } from './fake-switch.js';
export type { ApiContext, ApiHandler, FakeConnection, FireOptions } from './fake-switch.js';
export type { CallOptions, FakeCall } from './calls.js';
export { ManualClock, RealClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export type { FakeSwitchOptions, FakeUser, MediaOptions } from './options.js';
export type { ApiDescription } from './api.js';
export type { AppOptions } from './applications.js';
export { Channel as FakeChannel } from './channel.js';
export type { AppContext, AppHandler, ChannelInfo, WaitOptions, WaitReason, WaitResult } from './channel.js';
export type { CallerProfile, Codec } from './channel-data.js';
export type { Dialplan, DialplanAction, ExtensionDefinition } from './dialplan.js';
export type { EndpointBehavior } from './endpoints.js';
export { parseDialString } from './dial-string.js';
export type { DialString, DialLeg } from './dial-string.js';
export type { FaultOptions, MalformedFrameKind } from './faults.js';
export type { ReceivedCommand } from './listener.js';
export type { FakeLogLine, LogOrigin, TextChannel } from './logger.js';
export type { TrafficHandle, TrafficOptions } from './traffic.js';
export { HANGUP_CAUSES } from './constants.js';
