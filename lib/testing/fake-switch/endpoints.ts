/**
 * The endpoints a dial string names, as channel drivers: loopback (two legs, the b-leg
 * running the dialplan), error/<cause>, and a generic endpoint for user/... and sofia/...
 * (and whatever `fake.endpoint()` describes): it rings, then answers or fails as its
 * configured behaviour says. Any other technology is no endpoint at all: FreeSWITCH fails the
 * leg with CHAN_NOT_IMPLEMENTED (switch_core_session_outgoing_channel). Each creates its leg
 * with the events and log lines of its FreeSWITCH counterpart, and hands originate
 * (originate.ts) the wait for that leg's answer.
 *
 * The loopback flow fires its events in the order the 06-events captures show them, with
 * the same headers: CODEC x2 before the caller profile exists, CHANNEL_UUID when an
 * origination_uuid is given, CHANNEL_OUTGOING, the a-leg's CREATE/ORIGINATE, the b-leg's
 * INIT/CREATE/RINGING/ROUTING, the a-leg parking in CS_CONSUME_MEDIA, the b-leg running
 * its extension, answering both legs (a-leg first), CALL_UPDATE on the a-leg.
 */
import { DEFAULT_CODEC, type CallerProfile, type LogSite } from './channel-data.js';
import type { ChannelStates } from './channel-states.js';
import { Channel } from './channel.js';
import { CHANNEL_STATES as CHANNEL_STATE_NAMES, CS, causeName } from './constants.js';
import type { SwitchCore } from './core.js';
import type { DialLeg } from './dial-string.js';
import { SITES } from './events.js';
import { initInboundLeg, newChannelLog, routeAndExecute } from './routing.js';

const SSM = 'switch_core_state_machine.c';

/**
 * The technologies the generic endpoint plays without being told: mod_dptools' user endpoint
 * and mod_sofia. Others exist only when `fake.endpoint()` describes a target of theirs.
 */
const GENERIC_TECHS = new Set(['user', 'sofia']);

/** How a non-loopback endpoint behaves when called. */
export interface EndpointBehavior {
  /** Milliseconds from the call until it answers (or fails). Default: the switch's `ringMs`. */
  answerAfterMs?: number;
  /** Ring (CHANNEL_PROGRESS) before answering. Default true. */
  ring?: boolean;
  /** Send early media (CHANNEL_PROGRESS_MEDIA) before answering. Default false. */
  earlyMedia?: boolean;
  /** Fail with this cause (USER_BUSY, CALL_REJECTED, NO_ROUTE_DESTINATION...) instead of answering. */
  failCause?: string;
  /** Never answer: the originate times out with NO_ANSWER. */
  noAnswer?: boolean;
  /** The far end hangs up this long after answering. */
  hangupAfterMs?: number;
}

export type OriginateResult = { ok: true; channel: Channel } | { ok: false; cause: string };

export interface OriginateOptions {
  /** The channel that bridges to the new leg (bridge application), if any. */
  caller?: Channel;
  timeoutSec?: number;
  cidName?: string;
  cidNum?: string;
}

/**
 * What switch_ivr_originate decided for the legs it dials, from the dial string's variables
 * and the caller's (originate.ts).
 */
export interface DialSettings {
  /**
   * The originate's time limit (the api's timeout argument, a bridging caller's call_timeout,
   * originate_timeout): the legs not answered by then are given up with NO_ANSWER.
   */
  timeoutSec: number;
  /** progress_timeout: the group is given up with PROGRESS_TIMEOUT if no leg rang or had early media by then. */
  progressTimeoutSec: number | undefined;
  /** Early media counts as success (oglobals.early_ok): true unless ignore_early_media and the like say otherwise. */
  earlyOk: boolean;
}

/** One leg's own limits, from its variables (switch_ivr_originate reads them off the new channel). */
interface LegTimeouts {
  /** leg_timeout: the leg is hung up with ALLOTTED_TIMEOUT if not answered by then. */
  legTimeoutSec?: number;
  /** leg_progress_timeout: the leg is hung up with PROGRESS_TIMEOUT if it has not rung, had early media or answered by then. */
  legProgressTimeoutSec?: number;
}

/** One leg being dialled: the wait for its answer, and how originate cancels it. */
export interface LegAttempt {
  result: Promise<OriginateResult>;
  cancel: (cause: string) => void;
  /** Whether the leg has rung, had early media or answered (oglobals->progress). */
  progressed: () => boolean;
}

/** The positive whole number a variable holds (atoi > 0; the last one set wins), if any. */
function positiveSeconds(vars: ReadonlyArray<readonly [string, string]>, name: string): number | undefined {
  let value: string | undefined;
  for (const [k, v] of vars) if (k === name) value = v;
  const n = value === undefined ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Whether a leg has rung, had early media or answered. */
function hasProgressed(ch: Channel): boolean {
  return ch.times.progress > 0 || ch.mediaReady;
}

export class EndpointRegistry {
  readonly #core: SwitchCore;
  #behaviors: Array<{ pattern: string | RegExp; behavior: EndpointBehavior }> = [];

  constructor(core: SwitchCore) {
    this.#core = core;
  }

  /** Sets how dial strings matching `pattern` (exact target, or RegExp) behave. Returns a remover. */
  define(pattern: string | RegExp, behavior: EndpointBehavior): () => void {
    const entry = { pattern, behavior };
    this.#behaviors.unshift(entry);
    return () => {
      const i = this.#behaviors.indexOf(entry);
      if (i >= 0) this.#behaviors.splice(i, 1);
    };
  }

  behaviorFor(target: string): EndpointBehavior | undefined {
    for (const { pattern, behavior } of this.#behaviors) {
      if (typeof pattern === 'string' ? pattern === target : (pattern.lastIndex = 0, pattern.test(target))) return behavior;
    }
    return undefined;
  }

  /**
   * Dials one leg of a dial string with the endpoint its target names
   * (switch_core_session_outgoing_channel): the technology is what comes before the first `/`
   * (all of it when there is none).
   */
  dial(leg: DialLeg, globals: Array<[string, string]>, settings: OriginateOptions & DialSettings): LegAttempt {
    const vars = [...globals, ...leg.vars];
    const options = { ...settings, ...this.#legTimeouts(vars, settings.caller) };
    const target = leg.target;
    const slash = target.indexOf('/');
    const tech = slash < 0 ? target : target.slice(0, slash);
    const rest = slash < 0 ? '' : target.slice(slash + 1);
    if (tech === 'loopback') return this.#loopback(rest, vars, options);
    if (tech === 'error') {
      // mod_dptools' error endpoint: the cause its destination names (switch_channel_str2cause:
      // NORMAL_CLEARING for a name it does not know), DESTINATION_OUT_OF_ORDER for NONE.
      const cause = causeName(rest);
      return this.#failed(cause === 'NONE' ? 'DESTINATION_OUT_OF_ORDER' : cause);
    }
    const behavior = this.behaviorFor(target);
    if (behavior || GENERIC_TECHS.has(tech)) return this.#generic(tech, rest, target, vars, behavior ?? {}, options);
    const caller = options.caller?.uuid;
    this.#core.log(3, `Could not locate channel type ${tech}`, { file: 'switch_core_session.c', func: 'switch_core_session_outgoing_channel', line: 537, uuid: caller, channel: 3 });
    this.#core.log(5, `Cannot create outgoing channel of type [${tech}] cause: [CHAN_NOT_IMPLEMENTED]`, {
      file: 'switch_ivr_originate.c',
      func: 'switch_ivr_originate',
      line: 3059,
      uuid: caller,
      channel: 3,
    });
    return this.#failed('CHAN_NOT_IMPLEMENTED');
  }

  /** A leg that could not be created: the originate sees its cause at once. */
  #failed(cause: string): LegAttempt {
    return { result: Promise.resolve({ ok: false, cause }), cancel: () => undefined, progressed: () => false };
  }

  /** leg_timeout and leg_progress_timeout, with the log lines switch_ivr_originate writes when it takes them. */
  #legTimeouts(vars: ReadonlyArray<readonly [string, string]>, caller: Channel | undefined): LegTimeouts {
    const legTimeoutSec = positiveSeconds(vars, 'leg_timeout');
    const legProgressTimeoutSec = positiveSeconds(vars, 'leg_progress_timeout');
    const site = { file: 'switch_ivr_originate.c', func: 'switch_ivr_originate', uuid: caller?.uuid, channel: 3 as const };
    if (legTimeoutSec) this.#core.log(7, `Setting leg timeout to ${legTimeoutSec}`, { ...site, line: 3171 });
    if (legProgressTimeoutSec) this.#core.log(7, `Setting leg progress timeout to ${legProgressTimeoutSec}`, { ...site, line: 3180 });
    return { legTimeoutSec, legProgressTimeoutSec };
  }

  /** Applies the originate variables that shape the new leg. */
  #applyVars(ch: Channel, vars: Array<[string, string]>, skip: Set<string>): void {
    for (const [k, v] of vars) {
      if (skip.has(k)) continue;
      if (k === 'origination_caller_id_number') ch.profile.callerIdNumber = v;
      else if (k === 'origination_caller_id_name') ch.profile.callerIdName = v;
      else if (k === 'origination_callee_id_number') ch.profile.calleeIdNumber = v;
      else if (k === 'origination_callee_id_name') ch.profile.calleeIdName = v;
      ch.setVar(k, v);
    }
  }

  #baseProfile(direction: 'inbound' | 'outbound', destination: string, context: string, options: OriginateOptions, vars: Array<[string, string]>): Partial<CallerProfile> {
    const get = (k: string): string | undefined => vars.find(([n]) => n === k)?.[1];
    const caller = options.caller?.profile;
    const cidNum = get('origination_caller_id_number') ?? options.cidNum ?? caller?.callerIdNumber ?? '0000000000';
    const cidName = get('origination_caller_id_name') ?? options.cidName ?? caller?.callerIdName ?? '';
    return {
      direction,
      logicalDirection: direction,
      callerIdNumber: cidNum,
      callerIdName: cidName,
      origCallerIdNumber: cidNum,
      origCallerIdName: cidName,
      calleeIdName: 'Outbound Call',
      calleeIdNumber: context,
      ani: cidNum,
      destinationNumber: destination,
      context,
    };
  }

  /**
   * loopback/<exten>[/<context>[/<dialplan>]]: an outbound a-leg and an inbound b-leg that
   * runs <exten> in <context>; answering the b-leg answers the a-leg first.
   */
  #loopback(rest: string, vars: Array<[string, string]>, options: OriginateOptions & DialSettings & LegTimeouts): LegAttempt {
    const core = this.#core;
    const parts = rest.split('/');
    const exten = parts[0] || 'default';
    const context = parts[1] || 'default';
    const originationUuid = vars.find(([k]) => k === 'origination_uuid')?.[1];
    const lb = (func: string, line: number): LogSite => ({ file: 'mod_loopback.c', func, line });
    const onReporting = (c: ChannelStates): void => c.setVar('is_loopback', '1');
    const stateLog = (c: ChannelStates, cs: number): void => {
      if (cs === CS.ROUTING) c.log(7, `${c.name} CHANNEL ROUTING`, lb('channel_on_routing', 412));
      else if (cs === CS.EXECUTE) c.log(7, `${c.name} CHANNEL EXECUTE`, lb('channel_on_execute', 454));
      else if (cs === CS.CONSUME_MEDIA) c.log(7, 'CHANNEL CONSUME_MEDIA', lb('channel_on_consume_media', 681));
      else if (cs === CS.HANGUP) c.log(7, `${c.name} CHANNEL HANGUP`, lb('channel_on_hangup', 569));
    };
    const onKill = (c: ChannelStates): void => c.log(7, `${c.name} CHANNEL KILL`, lb('channel_kill_channel', 610));
    const hangupOther = (other: Channel, cause: string | undefined): void => {
      if (other.down) return;
      other.log(5, `Hangup ${other.name} [${CHANNEL_STATE_NAMES[other.state]}] [${cause}]`, lb('channel_on_hangup', 585), 0);
      other.hangup(cause);
    };
    const loopbackHooks = (c: Channel): void => {
      c.hooks.stateLog = stateLog;
      c.hooks.onKill = onKill;
      c.hooks.onReporting = onReporting;
    };
    const a = new Channel(core, { name: `loopback/${exten}/${context}-a`, direction: 'outbound' });
    loopbackHooks(a);
    a.hasProfile = false;
    a.setVar('direction', 'outbound');
    a.setVar('is_outbound', 'true');
    a.setVar('session_id', a.sessionId);
    core.registerChannel(a);
    newChannelLog(a);
    a.log(7, `${a.name} setup codec L16/8000/20`, lb('tech_init', 166));
    a.setCodecs(DEFAULT_CODEC);
    const oldName = a.name;
    a.name = `loopback/${exten}-a`;
    a.setVar('channel_name', a.name);
    a.log(5, `Rename Channel ${oldName}->${a.name} [${a.uuid}]`, { file: 'switch_channel.c', func: 'switch_channel_set_name', line: 1140 });
    a.profile = { ...a.profile, ...this.#baseProfile('outbound', exten, context, options, vars), chanName: a.name, source: 'mod_loopback' };
    a.hasProfile = true;
    a.setState(CS.INIT, lb('channel_outgoing_channel', 1262));
    this.#setUuid(a, originationUuid);
    a.emit('CHANNEL_OUTGOING', SITES.outgoing);
    a.setRunningState(CS.INIT);
    a.enterState(CS.INIT);

    // The a-leg's init handler creates the b-leg.
    const b = new Channel(core, { name: `loopback/${exten}-b`, direction: 'inbound' });
    loopbackHooks(b);
    initInboundLeg(core, b);
    b.log(7, `${b.name} setup codec L16/8000/20`, lb('tech_init', 166));
    b.setCodecs(DEFAULT_CODEC);
    b.setState(CS.INIT, lb('channel_on_init', 288));
    b.log(7, 'setting other_loopback_from_uuid on b leg to (null)', lb('channel_on_init', 356));

    a.setState(CS.ROUTING, lb('channel_on_init', 380));
    a.sleepState(CS.INIT);
    if (originationUuid) a.setVar('origination_uuid', originationUuid);
    this.#applyVars(a, vars, new Set(['origination_uuid']));
    a.setVar('originate_early_media', 'true');
    a.setVar('originate_endpoint', 'loopback');
    a.setVar('other_loopback_leg_uuid', b.uuid);
    a.setVar('loopback_leg', 'A');
    a.emit('CHANNEL_CREATE', SITES.create);
    a.emit('CHANNEL_ORIGINATE', SITES.originate);
    a.setRunningState(CS.ROUTING);
    a.enterState(CS.ROUTING);
    a.driverState(CS.ROUTING);

    b.profile = { ...b.profile, ...this.#baseProfile('inbound', exten, context, options, vars), chanName: b.name, source: 'mod_loopback' };
    b.hasProfile = true;
    // mod_loopback keeps the originate's variables (the dial string's {} and [] ones) and sets
    // each on the b-leg in the a-leg's init: they show in its events and in an outbound
    // socket's connect reply (the 06 captures: the b-leg's variable_origination_uuid).
    for (const [k, v] of vars) b.setVar(k, v);
    b.setVar('other_loopback_leg_uuid', a.uuid);
    b.setVar('loopback_leg', 'B');
    b.setRunningState(CS.INIT);
    b.enterState(CS.INIT);
    b.setState(CS.ROUTING, lb('channel_on_init', 380));
    b.sleepState(CS.INIT);
    b.emit('CHANNEL_CREATE', SITES.create);

    // The legs answer, ring and pre-answer together: the a-leg first.
    const pair = (other: () => Channel | undefined, own: (c: ChannelStates) => void) => (c: ChannelStates): void => {
      const o = other();
      if (o && c.direction === 'inbound') own(o);
      own(c);
    };
    const otherOfB = (): Channel | undefined => (a.destroyed ? undefined : a);
    b.hooks.answer = pair(otherOfB, (c) => c.markAnswered());
    b.hooks.preAnswer = pair(otherOfB, (c) => c.markPreAnswered());
    b.hooks.ringReady = pair(otherOfB, (c) => c.markRingReady());
    a.hooks.onHangup = () => hangupOther(b, a.hangupCause);
    b.hooks.onHangup = () => hangupOther(a, b.hangupCause);
    // The b-leg keeps the a-leg alive until it is destroyed itself.
    a.hold(b);
    b.hooks.onDestroy = () => a.release(b);

    const done = waitForAnswer(this.#core, a, options);
    b.startThread(() =>
      routeAndExecute(core, b, exten, context, {
        onRouted: () => {
          if (!a.down) {
            a.setState(CS.CONSUME_MEDIA, { file: 'switch_ivr_originate.c', func: 'originate_on_routing', line: 67 });
            a.sleepState(CS.ROUTING);
            a.setRunningState(CS.CONSUME_MEDIA);
            a.enterState(CS.CONSUME_MEDIA);
            a.driverState(CS.CONSUME_MEDIA);
            a.sleepState(CS.CONSUME_MEDIA);
          }
        },
      }),
    );
    return {
      result: done.then((r) => {
        if (r.ok) a.flipCallerId();
        return r;
      }),
      cancel: (cause) => a.hangup(cause),
      progressed: () => hasProgressed(a),
    };
  }

  /** switch_core_session_set_uuid: a new uuid from origination_uuid, with CHANNEL_UUID. */
  #setUuid(ch: Channel, uuid: string | undefined): void {
    if (uuid && uuid !== ch.uuid && !this.#core.channels.has(uuid)) {
      const old = ch.uuid;
      ch.uuid = uuid;
      ch.profile.uuid = uuid;
      this.#core.renameChannel(ch, old);
      ch.setVar('uuid', ch.uuid);
      ch.setVar('call_uuid', ch.uuid);
      ch.emit('CHANNEL_UUID', SITES.uuid, { pre: (h) => h.add('Old-Unique-ID', old) });
    } else {
      ch.setVar('uuid', ch.uuid);
      ch.setVar('call_uuid', ch.uuid);
    }
  }

  /** Any other endpoint: one outbound leg that rings, then answers or fails as its behaviour says. */
  #generic(tech: string, rest: string, target: string, vars: Array<[string, string]>, behavior: EndpointBehavior, options: OriginateOptions & DialSettings & LegTimeouts): LegAttempt {
    const core = this.#core;
    const name = tech === 'user' ? `sofia/internal/${rest.includes('@') ? rest : `${rest}@${core.options.ipv4}`}` : target;
    const destination = tech === 'user' ? rest.split('@')[0]! : (rest.split('/').pop() ?? rest).split('@')[0]!;
    const ch = new Channel(core, { name, direction: 'outbound' });
    ch.setVar('direction', 'outbound');
    ch.setVar('is_outbound', 'true');
    ch.setVar('session_id', ch.sessionId);
    ch.setVar('channel_name', ch.name);
    ch.profile = { ...ch.profile, ...this.#baseProfile('outbound', destination, 'default', options, vars), chanName: name, source: tech === 'user' ? 'mod_sofia' : `mod_${tech}` };
    core.registerChannel(ch);
    newChannelLog(ch);
    const originationUuid = vars.find(([k]) => k === 'origination_uuid')?.[1];
    ch.setState(CS.INIT, { file: 'switch_core_session.c', func: 'switch_core_session_outgoing_channel', line: 760 });
    this.#setUuid(ch, originationUuid);
    if (options.caller) ch.otherLeg = { type: 'originator', profile: options.caller.profile };
    ch.emit('CHANNEL_OUTGOING', SITES.outgoing);
    ch.setRunningState(CS.INIT);
    ch.enterState(CS.INIT);
    ch.standardState(CS.INIT);
    ch.setState(CS.ROUTING, { file: SSM, func: 'switch_core_standard_on_init', line: 44 });
    ch.sleepState(CS.INIT);
    if (originationUuid) ch.setVar('origination_uuid', originationUuid);
    this.#applyVars(ch, vars, new Set(['origination_uuid']));
    ch.setVar('originate_endpoint', tech);
    ch.emit('CHANNEL_CREATE', SITES.create);
    ch.emit('CHANNEL_ORIGINATE', SITES.originate);
    ch.setRunningState(CS.ROUTING);
    ch.enterState(CS.ROUTING);
    ch.setState(CS.CONSUME_MEDIA, { file: 'switch_ivr_originate.c', func: 'originate_on_routing', line: 67 });
    ch.sleepState(CS.ROUTING);
    ch.setRunningState(CS.CONSUME_MEDIA);
    ch.enterState(CS.CONSUME_MEDIA);
    ch.standardState(CS.CONSUME_MEDIA);
    ch.sleepState(CS.CONSUME_MEDIA);

    const delay = behavior.answerAfterMs ?? core.options.ringMs;
    const caller = options.caller;
    const run = async (): Promise<void> => {
      if (behavior.ring !== false) {
        ch.markRingReady();
        if (caller && !caller.answered) caller.ringReady();
      }
      if (behavior.earlyMedia) {
        ch.markPreAnswered();
        if (caller && !caller.mediaReady) caller.preAnswer();
      }
      if (behavior.noAnswer) return;
      await core.scheduler.sleep(delay);
      if (ch.down) return;
      if (behavior.failCause) {
        ch.hangup(behavior.failCause.toUpperCase());
        return;
      }
      ch.setCodecs(DEFAULT_CODEC);
      ch.markAnswered();
      if (behavior.hangupAfterMs !== undefined) core.scheduler.after(behavior.hangupAfterMs, () => ch.hangup('NORMAL_CLEARING'));
    };
    core.defer(() => void run().catch((err) => core.reportError(err)));
    return {
      result: waitForAnswer(this.#core, ch, options),
      cancel: (cause) => ch.hangup(cause),
      progressed: () => hasProgressed(ch),
    };
  }
}

/**
 * Resolves when the leg answers (ok), or has early media when that counts (ok: the
 * originate's check_channel_status takes CF_EARLY_MEDIA as success unless early_ok is off),
 * hangs up (its cause), the caller hangs up (ORIGINATOR_CANCEL) or the originate times out
 * (NO_ANSWER). The leg's own limits hang it up first when they are shorter
 * (check_per_channel_timeouts): leg_progress_timeout with PROGRESS_TIMEOUT when it has not
 * progressed, leg_timeout with ALLOTTED_TIMEOUT. FreeSWITCH compares whole seconds, so its
 * limits strike up to a second later than these.
 */
function waitForAnswer(core: SwitchCore, leg: Channel, options: OriginateOptions & DialSettings & LegTimeouts): Promise<OriginateResult> {
  return new Promise<OriginateResult>((resolve) => {
    let settled = false;
    let stop = (): void => undefined;
    const finish = (r: OriginateResult): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) t.cancel();
      stop();
      resolve(r);
    };
    const timers = [
      core.scheduler.after(options.timeoutSec * 1000, () => {
        leg.hangup('NO_ANSWER');
        finish({ ok: false, cause: 'NO_ANSWER' });
      }),
    ];
    // The leg's hangup ends the wait with its cause (below).
    if (options.legTimeoutSec) timers.push(core.scheduler.after(options.legTimeoutSec * 1000, () => leg.hangup('ALLOTTED_TIMEOUT')));
    if (options.legProgressTimeoutSec) {
      timers.push(
        core.scheduler.after(options.legProgressTimeoutSec * 1000, () => {
          if (!hasProgressed(leg)) leg.hangup('PROGRESS_TIMEOUT');
        }),
      );
    }
    // The originating thread notices the answer on its next pass, after what the
    // answering thread does next (the b-leg's next application in the 06 captures).
    const succeeded = (): void => core.defer(() => finish({ ok: true, channel: leg }));
    const stopAnswered = options.earlyOk ? leg.onMedia(succeeded) : leg.onAnswered(succeeded);
    const stopLegDown = leg.onDown(() => finish({ ok: false, cause: leg.hangupCause ?? 'NORMAL_CLEARING' }));
    const stopCallerDown = options.caller?.onDown(() => {
      leg.hangup('ORIGINATOR_CANCEL');
      finish({ ok: false, cause: 'ORIGINATOR_CANCEL' });
    });
    stop = (): void => {
      stopAnswered();
      stopLegDown();
      stopCallerDown?.();
    };
  });
}
