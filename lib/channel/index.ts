/** Channel: one call leg, its actions and its streams, over any EslConnection. */
export { Channel } from './channel.js';
export type { BridgeOptions, ChannelOptions, PlayAndGetDigitsOptions, PlaybackOptions, ReadOptions, RecordOptions, SayOptions } from './channel.js';
export { featureCodes } from './feature-codes.js';
export type { FeatureCodeOptions } from './feature-codes.js';
export type { BridgeBridged, BridgeProgress, BridgeResult, BridgeRinging, ChannelHangup, DigitsResult, PlaybackResult, RecordResult } from './results.js';
