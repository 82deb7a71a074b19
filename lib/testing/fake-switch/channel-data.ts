/**
 * A channel's data (switch_channel_t): its name, direction, states, caller profile, codecs
 * and variables, and the events and log lines made of them, the way switch_channel.c makes
 * them:
 *
 * - switch_channel_event_set_basic_data: Channel-State (the *running* state's name),
 *   Channel-Call-State, Channel-State-Number (the *requested* state's number, which runs one
 *   step ahead: CHANNEL_CREATE says CS_INIT with number 2), Channel-Name, Unique-ID,
 *   Call-Direction, Presence-Call-Direction, Channel-HIT-Dialplan, Channel-Call-UUID,
 *   Answer-State, Hangup-Cause once there is one, the read and write codecs, the caller
 *   profile (Caller-*), and the other leg's profile (Other-Type, Other-Leg-*);
 * - switch_channel_event_set_extended_data: every channel variable as variable_<name>, in the
 *   variables' order, but only for the event types in VERBOSE_EVENTS;
 * - a variable that is set again moves to the end (FreeSWITCH deletes and appends), and an
 *   empty value deletes it.
 *
 * The state machine (channel-states.ts) and the session thread (channel.ts) build on it.
 */
import { randomUUID } from 'node:crypto';
import type { SwitchBus } from './bus.js';
import { CHANNEL_STATES, CS, type CallStateName } from './constants.js';
import type { EventSite, HeaderBuilder } from './events.js';
import type { TextChannel } from './logger.js';

/** Where a log line comes from: Log-File, Log-Func, Log-Line. */
export interface LogSite {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

/** The event types that carry every channel variable (switch_channel_event_set_extended_data). */
const VERBOSE_EVENTS = new Set([
  'CHANNEL_CREATE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_ANSWER',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'REQUEST_PARAMS',
  'CHANNEL_DATA',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_DESTROY',
  'SESSION_HEARTBEAT',
  'API',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CALL_UPDATE',
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'TEXT',
  'CUSTOM',
]);

/** The caller profile (switch_caller_profile_t) as switch_caller_profile_event_set_data writes it. */
export interface CallerProfile {
  direction: 'inbound' | 'outbound';
  logicalDirection: 'inbound' | 'outbound';
  username: string;
  dialplan: string;
  callerIdName: string;
  callerIdNumber: string;
  origCallerIdName: string;
  origCallerIdNumber: string;
  calleeIdName: string;
  calleeIdNumber: string;
  networkAddr: string;
  ani: string;
  aniii: string;
  destinationNumber: string;
  uuid: string;
  source: string;
  transferSource: string;
  context: string;
  rdnis: string;
  chanName: string;
  profileIndex: string;
  screen: boolean;
  hideName: boolean;
  hideNumber: boolean;
}

/** A codec as the Channel-*-Codec-* headers describe it. */
export interface Codec {
  name: string;
  rate: number;
  bitRate: number;
}

/** The channel's timetable, in microseconds since the epoch (0 when it did not happen). */
export interface ChannelTimes {
  profileCreated: number;
  created: number;
  answered: number;
  progress: number;
  progressMedia: number;
  hungup: number;
  transferred: number;
  resurrected: number;
  bridged: number;
  lastHold: number;
  holdAccum: number;
}

export interface ChannelInit {
  uuid?: string;
  name: string;
  direction: 'inbound' | 'outbound';
  profile?: Partial<CallerProfile>;
  variables?: Iterable<readonly [string, string]>;
  readCodec?: Codec;
  writeCodec?: Codec;
}

export const DEFAULT_CODEC: Codec = { name: 'L16', rate: 8000, bitRate: 128000 };

function emptyProfile(direction: 'inbound' | 'outbound'): CallerProfile {
  return {
    direction,
    logicalDirection: direction,
    username: '',
    dialplan: 'xml',
    callerIdName: '',
    callerIdNumber: '',
    origCallerIdName: '',
    origCallerIdNumber: '',
    calleeIdName: '',
    calleeIdNumber: '',
    networkAddr: '',
    ani: '',
    aniii: '',
    destinationNumber: '',
    uuid: '',
    source: '',
    transferSource: '',
    context: 'default',
    rdnis: '',
    chanName: '',
    profileIndex: '1',
    screen: true,
    hideName: false,
    hideNumber: false,
  };
}

/** What every layer of a channel records and carries in its events. Read it through FakeSwitch.channel(uuid) / channels(). */
export abstract class ChannelData {
  uuid: string;
  name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly sessionId: number;
  /** The requested state (Channel-State-Number). */
  state: number = CS.NEW;
  /** The running state (Channel-State). */
  runningState: number = CS.NONE;
  callState: CallStateName = 'DOWN';
  answered = false;
  early = false;
  /** CF_DIALPLAN: the channel went through the dialplan (Channel-HIT-Dialplan true for outbound legs). */
  hitDialplan = false;
  hangupCause: string | undefined;
  readonly variables = new Map<string, string>();
  profile: CallerProfile;
  /** False until the endpoint has set the caller profile (the first CODEC events of a loopback leg have no Caller-* headers). */
  hasProfile = true;
  /** The other leg's profile, shown as Other-Type / Other-Leg-*. */
  otherLeg: { type: 'originator' | 'originatee'; profile: CallerProfile } | undefined;
  readCodec: Codec | undefined;
  writeCodec: Codec | undefined;
  readonly times: ChannelTimes;
  /** The bridged partner's uuid. */
  partnerUuid: string | undefined;
  /** Every digit received, for digits_dialed. */
  readonly dtmfLog: string[] = [];
  /** Applications run, for last_app / last_arg. */
  readonly appLog: Array<{ app: string; arg: string }> = [];

  /** The switch the channel belongs to (each layer narrows it to what it needs). */
  protected readonly host: SwitchBus;

  constructor(host: SwitchBus, init: ChannelInit) {
    this.host = host;
    this.uuid = init.uuid ?? randomUUID();
    this.name = init.name;
    this.direction = init.direction;
    this.sessionId = host.nextSessionId();
    const now = host.micros();
    this.times = {
      profileCreated: now,
      created: now,
      answered: 0,
      progress: 0,
      progressMedia: 0,
      hungup: 0,
      transferred: 0,
      resurrected: 0,
      bridged: 0,
      lastHold: 0,
      holdAccum: 0,
    };
    this.profile = { ...emptyProfile(init.direction), ...init.profile, uuid: this.uuid, chanName: init.name };
    this.readCodec = init.readCodec;
    this.writeCodec = init.writeCodec;
    if (init.variables) for (const [k, v] of init.variables) this.setVar(k, v);
  }

  /** @internal The switch the channel belongs to. */
  get core(): SwitchBus {
    return this.host;
  }

  /** True once the channel is hanging up or gone (switch_channel_down). */
  get down(): boolean {
    return this.hangupCause !== undefined;
  }

  /** True when the channel has media (answered or early media). */
  get mediaReady(): boolean {
    return this.answered || this.early;
  }

  /** Running state name (CS_EXECUTE...). */
  get stateName(): string {
    return CHANNEL_STATES[this.runningState] ?? 'CS_NONE';
  }

  // ------------------------------------------------------------------ variables

  /** A channel variable. */
  getVar(name: string): string | undefined {
    return this.variables.get(name);
  }

  /** switch_channel_set_variable: a value set again moves to the end; empty or undefined deletes. */
  setVar(name: string, value: string | number | undefined | null): void {
    this.variables.delete(name);
    if (value === undefined || value === null) return;
    const v = String(value);
    if (v !== '') this.variables.set(name, v);
  }

  /** Expands ${var} and $${global} references, as switch_channel_expand_variables. */
  expand(text: string): string {
    if (text.indexOf('$') < 0) return text;
    return text.replace(/\$\$\{([^}]+)\}|\$\{([^}]+)\}/g, (_m, g: string | undefined, v: string | undefined) => {
      if (g !== undefined) return this.host.globals.get(g) ?? '';
      return this.variables.get(v!) ?? this.host.globals.get(v!) ?? '';
    });
  }

  /** Reads a variable and deletes it. */
  takeVar(name: string): string | undefined {
    const v = this.variables.get(name);
    if (v !== undefined) this.variables.delete(name);
    return v;
  }

  // ------------------------------------------------------------------ events

  /** Appends switch_channel_event_set_basic_data's headers. */
  basicData(h: HeaderBuilder): void {
    h.add('Channel-State', CHANNEL_STATES[this.runningState])
      .add('Channel-Call-State', this.callState)
      .add('Channel-State-Number', this.state)
      .add('Channel-Name', this.name)
      .add('Unique-ID', this.uuid)
      .add('Session-External-ID', this.variables.get('session_external_id'))
      .add('Call-Direction', this.direction)
      .add('Presence-Call-Direction', this.direction)
      .add('Channel-HIT-Dialplan', this.direction === 'inbound' || this.hitDialplan ? 'true' : 'false')
      .add('Channel-Presence-ID', this.variables.get('presence_id'))
      .add('Channel-Presence-Data', this.variables.get('presence_data'))
      .add('Channel-Call-UUID', this.variables.get('call_uuid') ?? this.uuid)
      .add('Answer-State', this.down ? 'hangup' : this.answered ? 'answered' : this.early ? 'early' : 'ringing')
      .add('Hangup-Cause', this.hangupCause);
    this.codecData(h);
    if (this.hasProfile) profileData(this.profile, 'Caller', this.times, h);
    if (this.otherLeg) {
      h.add('Other-Type', this.otherLeg.type);
      profileData(this.otherLeg.profile, 'Other-Leg', undefined, h);
    }
  }

  /** The codec headers of basic data (absent until a codec is set). */
  codecData(h: HeaderBuilder): void {
    if (this.readCodec) {
      h.add('Channel-Read-Codec-Name', this.readCodec.name)
        .add('Channel-Read-Codec-Rate', this.readCodec.rate)
        .add('Channel-Read-Codec-Bit-Rate', this.readCodec.bitRate);
    }
    if (this.writeCodec) {
      h.add('Channel-Write-Codec-Name', this.writeCodec.name)
        .add('Channel-Write-Codec-Rate', this.writeCodec.rate)
        .add('Channel-Write-Codec-Bit-Rate', this.writeCodec.bitRate);
    }
  }

  /** Appends every variable as variable_<name> (extended data). */
  variableData(h: HeaderBuilder): void {
    for (const [k, v] of this.variables) h.add(`variable_${k}`, v);
  }

  /**
   * Fires a channel event: core headers, `pre` headers (those FreeSWITCH adds before the
   * channel data, such as Original-Channel-Call-State), basic data, the variables for the
   * verbose event types, then `post` headers (Application, DTMF-Digit...).
   */
  emit(
    name: string,
    site: EventSite,
    options: { pre?: (h: HeaderBuilder) => void; post?: (h: HeaderBuilder) => void; body?: string; subclass?: string } = {},
  ): void {
    const core = this.host;
    core.noteChannelEvent(name);
    if (!core.wants(name, this.uuid, options.subclass)) {
      // Nobody listens: still take the sequence number the event would have had.
      core.events.skip();
      return;
    }
    const h = core.events.create(name, site, options.subclass);
    options.pre?.(h);
    this.basicData(h);
    if (VERBOSE_EVENTS.has(name) || this.variables.get('verbose_events') === 'true') this.variableData(h);
    options.post?.(h);
    core.fire(h, options.body);
  }

  // ------------------------------------------------------------------ logs

  /** A log line about this channel: User-Data is its uuid. */
  log(level: number, text: string, site: LogSite, textChannel: TextChannel = 3): void {
    this.host.log(level, text, { file: site.file, func: site.func, line: site.line, uuid: this.uuid, channel: textChannel });
  }
}

/** switch_caller_profile_event_set_data: `<prefix>-*` headers; empty fields are left out. */
export function profileData(p: CallerProfile, prefix: string, times: ChannelTimes | undefined, h: HeaderBuilder): void {
  h.add(`${prefix}-Direction`, p.direction)
    .add(`${prefix}-Logical-Direction`, p.logicalDirection)
    .add(`${prefix}-Username`, p.username)
    .add(`${prefix}-Dialplan`, p.dialplan)
    .add(`${prefix}-Caller-ID-Name`, p.callerIdName)
    .add(`${prefix}-Caller-ID-Number`, p.callerIdNumber)
    // Orig-Caller-ID-* are written only when the current caller id is set.
    .add(`${prefix}-Orig-Caller-ID-Name`, p.callerIdName ? p.origCallerIdName : '')
    .add(`${prefix}-Orig-Caller-ID-Number`, p.callerIdNumber ? p.origCallerIdNumber : '')
    .add(`${prefix}-Callee-ID-Name`, p.calleeIdName)
    .add(`${prefix}-Callee-ID-Number`, p.calleeIdNumber)
    .add(`${prefix}-Network-Addr`, p.networkAddr)
    .add(`${prefix}-ANI`, p.ani)
    .add(`${prefix}-ANI-II`, p.aniii)
    .add(`${prefix}-Destination-Number`, p.destinationNumber)
    .add(`${prefix}-Unique-ID`, p.uuid)
    .add(`${prefix}-Source`, p.source)
    .add(`${prefix}-Transfer-Source`, p.transferSource)
    .add(`${prefix}-Context`, p.context)
    .add(`${prefix}-RDNIS`, p.rdnis)
    .add(`${prefix}-Channel-Name`, p.chanName)
    .add(`${prefix}-Profile-Index`, p.profileIndex);
  if (times) {
    h.add(`${prefix}-Profile-Created-Time`, String(times.profileCreated))
      .add(`${prefix}-Channel-Created-Time`, String(times.created))
      .add(`${prefix}-Channel-Answered-Time`, String(times.answered))
      .add(`${prefix}-Channel-Progress-Time`, String(times.progress))
      .add(`${prefix}-Channel-Progress-Media-Time`, String(times.progressMedia))
      .add(`${prefix}-Channel-Hangup-Time`, String(times.hungup))
      .add(`${prefix}-Channel-Transfer-Time`, String(times.transferred))
      .add(`${prefix}-Channel-Resurrect-Time`, String(times.resurrected))
      .add(`${prefix}-Channel-Bridged-Time`, String(times.bridged))
      .add(`${prefix}-Channel-Last-Hold`, String(times.lastHold))
      .add(`${prefix}-Channel-Hold-Accum`, String(times.holdAccum));
  }
  h.add(`${prefix}-Screen-Bit`, p.screen ? 'true' : 'false')
    .add(`${prefix}-Privacy-Hide-Name`, p.hideName ? 'true' : 'false')
    .add(`${prefix}-Privacy-Hide-Number`, p.hideNumber ? 'true' : 'false');
}
