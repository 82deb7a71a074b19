/**
 * Inbound calls placed with `fake.call()`: a channel from outside (as mod_sofia would create
 * it) that runs the dialplan, and the caller's side of it: pressing digits, hanging up.
 */
import type { ChannelInfo } from './channel.js';
import type { SwitchCore } from './core.js';
import type { DialplanAction } from './dialplan.js';
import { inboundCall } from './routing.js';

/** An inbound call made with `fake.call()`. */
export interface CallOptions {
  /** The number called. Default `1000`. */
  destination?: string;
  /** The dialplan context. Default `default`. */
  context?: string;
  /** Default `1000`. */
  callerIdNumber?: string;
  /** Default: none. */
  callerIdName?: string;
  /** The channel's uuid. Default: a new one. */
  uuid?: string;
  /** Default `sofia/internal/<callerIdNumber>@<ipv4>`. */
  channelName?: string;
  /** The caller's address (Caller-Network-Addr). Default `127.0.0.1`. */
  networkAddr?: string;
  /** Channel variables set at creation. */
  variables?: Record<string, string>;
  /** Applications to run instead of the dialplan's extension. */
  actions?: readonly DialplanAction[];
  /** Shortcut for `actions: [['socket', target]]`, e.g. `127.0.0.1:8084 async full`. */
  socket?: string;
  /** Digits the caller presses the first time an application asks for some (play_and_get_digits, read). */
  dtmf?: string;
  /** Wait this long (clock ms) after that application starts before pressing them. Default 0. */
  dtmfDelayMs?: number;
  /** The caller hangs up (NORMAL_CLEARING) this long after the call starts (clock ms). */
  hangupAfterMs?: number;
}

/** A call made with `fake.call()`. */
export interface FakeCall {
  readonly uuid: string;
  /** A snapshot of the channel (undefined once it is destroyed). */
  info(): ChannelInfo | undefined;
  /** The caller hangs up. */
  hangup(cause?: string): void;
  /** The caller presses digits. */
  dtmf(digits: string): void;
  /** Resolves with the hangup cause once the call is hanging up. */
  readonly whenDown: Promise<string>;
  /** Resolves once the channel is destroyed (CHANNEL_DESTROY fired). */
  readonly whenDestroyed: Promise<void>;
}

/** Places an inbound call that runs through the dialplan (or `actions`, or an outbound socket). */
export function placeCall(core: SwitchCore, options: CallOptions): FakeCall {
  const o = core.options;
  const cid = options.callerIdNumber ?? '1000';
  const actions = options.socket !== undefined ? [['socket', options.socket] as const] : options.actions;
  const ch = inboundCall(core, {
    uuid: options.uuid,
    name: options.channelName ?? `sofia/internal/${cid}@${o.ipv4}`,
    destination: options.destination ?? '1000',
    context: options.context ?? 'default',
    callerIdNumber: cid,
    callerIdName: options.callerIdName ?? '',
    networkAddr: options.networkAddr ?? '127.0.0.1',
    variables: Object.entries(options.variables ?? {}),
    actions,
    source: 'mod_sofia',
  });
  if (options.dtmf) {
    const digits = options.dtmf;
    let sent = false;
    ch.onExecute = (app) => {
      if (sent || (app !== 'play_and_get_digits' && app !== 'read')) return;
      sent = true;
      core.scheduler.after(options.dtmfDelayMs ?? 0, () => {
        for (const d of digits) ch.receiveDtmf(d);
      });
    };
  }
  if (options.hangupAfterMs !== undefined) core.scheduler.after(options.hangupAfterMs, () => ch.hangup('NORMAL_CLEARING'));
  const whenDown = ch.whenDown().then(() => ch.hangupCause ?? 'NORMAL_CLEARING');
  const whenDestroyed = ch.whenDestroyed();
  return {
    uuid: ch.uuid,
    info: () => (ch.destroyed ? undefined : ch.info()),
    hangup: (cause = 'NORMAL_CLEARING') => ch.hangup(cause),
    dtmf: (digits) => pressDigits(core, ch.uuid, digits),
    whenDown,
    whenDestroyed,
  };
}

/** The caller on channel `uuid` presses `digits`; false when there is no such live channel. */
export function pressDigits(core: SwitchCore, uuid: string, digits: string): boolean {
  const ch = core.channel(uuid);
  if (!ch || !ch.ready) return false;
  for (const d of digits) ch.receiveDtmf(d);
  return true;
}
