/** Operators for call flows over streams of EslEvent: one per file, RxJS style. */
export { ofEvent } from './of-event.js';
export { ofCustom } from './of-custom.js';
export { forChannel } from './for-channel.js';
export { forJob } from './for-job.js';
export { header } from './header.js';
export { dtmf } from './dtmf.js';
export { collectDigits } from './collect-digits.js';
export type { CollectDigitsOptions } from './collect-digits.js';
export { blankSnapshot, channelState, foldChannelEvent } from './channel-state.js';
export type { ChannelSnapshot } from './channel-state.js';
export { untilHangup } from './until-hangup.js';
