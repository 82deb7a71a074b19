/**
 * Endpoints and call flows: originate (switch_ivr_originate and mod_commands' originate),
 * the loopback endpoint (two legs, the b-leg running the dialplan), a generic endpoint for
 * every other dial string (user/..., sofia/...: rings, then answers or fails as configured),
 * error/<cause>, inbound calls (fake.call), routing and the extension loop of the session
 * thread, and bridging two legs.
 *
 * The loopback flow fires its events in the order the 06-events captures show them, with
 * the same headers: CODEC x2 before the caller profile exists, CHANNEL_UUID when an
 * origination_uuid is given, CHANNEL_OUTGOING, the a-leg's CREATE/ORIGINATE, the b-leg's
 * INIT/CREATE/RINGING/ROUTING, the a-leg parking in CS_CONSUME_MEDIA, the b-leg running
 * its extension, answering both legs (a-leg first), CALL_UPDATE on the a-leg.
 */
import { DEFAULT_CODEC, type CallerProfile, type LogSite } from './channel-data.js';
import type { ChannelStates } from './channel-states.js';
import { Channel, type AppContext } from './channel.js';
import { CHANNEL_STATES as CHANNEL_STATE_NAMES, CS, HANGUP_CAUSES, switchTrue } from './constants.js';
import type { SwitchCore } from './core.js';
import type { Action, DialplanAction } from './dialplan.js';
import { toAction } from './dialplan.js';
import { SITES, type HeaderBuilder } from './events.js';

const SSM = 'switch_core_state_machine.c';

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

/** A parsed leg of a dial string. */
export interface DialLeg {
  vars: Array<[string, string]>;
  target: string;
}

/** A parsed dial string: `{global vars}leg1,leg2|leg3` (`,` rings together, `|` tries in turn). */
export interface DialString {
  vars: Array<[string, string]>;
  groups: DialLeg[][];
}

export type OriginateResult = { ok: true; channel: Channel } | { ok: false; cause: string };

export interface OriginateOptions {
  /** The channel that bridges to the new leg (bridge application), if any. */
  caller?: Channel;
  timeoutSec?: number;
  cidName?: string;
  cidNum?: string;
}

/** Splits `a=1,b='x,y'` on commas outside quotes (`^^<c>` first chooses another separator). */
function splitVars(input: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let s = input;
  let sep = ',';
  if (s.startsWith('^^') && s.length > 2) {
    sep = s[2]!;
    s = s.slice(3);
  }
  let cur = '';
  let quote = '';
  const flush = (): void => {
    const eq = cur.indexOf('=');
    if (eq > 0) out.push([cur.slice(0, eq).trim(), cur.slice(eq + 1)]);
    cur = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === sep) {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

/** `New Channel <name> [<uuid>]`, as switch_channel_set_name logs a channel's first name. */
function newChannelLog(ch: Channel): void {
  ch.log(5, `New Channel ${ch.name} [${ch.uuid}]`, { file: 'switch_channel.c', func: 'switch_channel_set_name', line: 1142 });
}

/**
 * The first variables of an inbound leg (a call from outside, or a loopback b-leg), then
 * `more` (in order), then the channel is registered and its name logged.
 */
function initInboundLeg(core: SwitchCore, ch: Channel, more: ReadonlyArray<readonly [string, string]> = []): void {
  ch.hasProfile = false;
  ch.setVar('direction', 'inbound');
  ch.setVar('uuid', ch.uuid);
  ch.setVar('call_uuid', ch.uuid);
  ch.setVar('session_id', ch.sessionId);
  ch.setVar('channel_name', ch.name);
  for (const [k, v] of more) ch.setVar(k, v);
  core.registerChannel(ch);
  newChannelLog(ch);
}

/**
 * The two legs of a bridge become partners: Other-Leg-* on each (originatee on `a`,
 * originator on `b`) and the bridged time.
 */
export function linkLegs(core: SwitchCore, a: Channel, b: Channel): void {
  a.partnerUuid = b.uuid;
  b.partnerUuid = a.uuid;
  const now = core.micros();
  a.times.bridged = now;
  b.times.bridged = now;
  a.otherLeg = { type: 'originatee', profile: b.profile };
  b.otherLeg = { type: 'originator', profile: a.profile };
}

function takeBlock(s: string, open: string, close: string): [string, string] | undefined {
  if (!s.startsWith(open)) return undefined;
  const end = s.indexOf(close);
  if (end < 0) return undefined;
  return [s.slice(1, end), s.slice(end + 1)];
}

/** Parses an originate/bridge dial string. */
export function parseDialString(input: string): DialString {
  let s = input.trim();
  let vars: Array<[string, string]> = [];
  const g = takeBlock(s, '{', '}') ?? takeBlock(s, '<', '>');
  if (g) {
    vars = splitVars(g[0]);
    s = g[1];
  }
  const groups: DialLeg[][] = [];
  for (const seq of splitOutside(s, '|')) {
    const legs: DialLeg[] = [];
    for (const raw of splitOutside(seq, ',')) {
      let t = raw.trim();
      let legVars: Array<[string, string]> = [];
      const l = takeBlock(t, '[', ']');
      if (l) {
        legVars = splitVars(l[0]);
        t = l[1].trim();
      }
      if (t !== '') legs.push({ vars: legVars, target: t });
    }
    if (legs.length > 0) groups.push(legs);
  }
  return { vars, groups };
}

function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
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

  behaviorFor(target: string): EndpointBehavior {
    for (const { pattern, behavior } of this.#behaviors) {
      if (typeof pattern === 'string' ? pattern === target : (pattern.lastIndex = 0, pattern.test(target))) return behavior;
    }
    return {};
  }

  // ---------------------------------------------------------------------------- originate

  /**
   * switch_ivr_originate: tries the groups in turn (`|`), ringing the legs of a group
   * together (`,`): the first to answer wins and the others are cancelled with LOSE_RACE.
   */
  async originate(dial: string, options: OriginateOptions = {}): Promise<OriginateResult> {
    const origin = { file: 'switch_ivr_originate.c', func: 'switch_ivr_originate', channel: 3 as const };
    this.#core.log(7, 'Parsing global variables', { ...origin, line: 2301, uuid: options.caller?.uuid });
    const result = await this.#originate(dial, options);
    if (!result.ok) {
      this.#core.log(7, `Originate Resulted in Error Cause: ${HANGUP_CAUSES[result.cause] ?? 0} [${result.cause}]`, { ...origin, line: 4056, uuid: options.caller?.uuid });
    }
    return result;
  }

  async #originate(dial: string, options: OriginateOptions): Promise<OriginateResult> {
    const parsed = parseDialString(dial);
    let last: OriginateResult = { ok: false, cause: 'NO_ROUTE_DESTINATION' };
    const timeoutVar = parsed.vars.find(([k]) => k === 'originate_timeout' || k === 'call_timeout')?.[1];
    const timeoutSec = timeoutVar !== undefined ? Number.parseInt(timeoutVar, 10) || 60 : (options.timeoutSec ?? 60);
    for (const group of parsed.groups) {
      if (options.caller && !options.caller.ready) return { ok: false, cause: 'ORIGINATOR_CANCEL' };
      const attempts = group.map((leg) => this.#originateLeg(leg, parsed.vars, { ...options, timeoutSec }));
      if (attempts.length === 1) {
        last = await attempts[0]!.result;
      } else {
        last = await firstAnswer(attempts);
      }
      if (last.ok) return last;
    }
    return last;
  }

  #originateLeg(leg: DialLeg, globals: Array<[string, string]>, options: OriginateOptions & { timeoutSec: number }): LegAttempt {
    const vars = [...globals, ...leg.vars];
    const target = leg.target;
    const slash = target.indexOf('/');
    const tech = slash < 0 ? target : target.slice(0, slash);
    const rest = slash < 0 ? '' : target.slice(slash + 1);
    if (tech === 'loopback') return this.#loopback(rest, vars, options);
    if (tech === 'error') {
      const cause = rest.toUpperCase() || 'NORMAL_CLEARING';
      return { result: Promise.resolve({ ok: false, cause }), cancel: () => undefined };
    }
    return this.#generic(tech, rest, target, vars, options);
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
  #loopback(rest: string, vars: Array<[string, string]>, options: OriginateOptions & { timeoutSec: number }): LegAttempt {
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
    b.setVar('origination_uuid', a.uuid);
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

    const done = this.#waitForAnswer(a, options);
    b.startThread(() =>
      this.routeAndExecute(b, exten, context, {
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
  #generic(tech: string, rest: string, target: string, vars: Array<[string, string]>, options: OriginateOptions & { timeoutSec: number }): LegAttempt {
    const core = this.#core;
    const behavior = this.behaviorFor(target);
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
      result: this.#waitForAnswer(ch, options),
      cancel: (cause) => ch.hangup(cause),
    };
  }

  /**
   * Resolves when the leg answers (ok), hangs up (its cause), the caller hangs up
   * (ORIGINATOR_CANCEL) or the originate times out (NO_ANSWER).
   */
  #waitForAnswer(leg: Channel, options: OriginateOptions & { timeoutSec: number }): Promise<OriginateResult> {
    const core = this.#core;
    return new Promise<OriginateResult>((resolve) => {
      let settled = false;
      let stop = (): void => undefined;
      const finish = (r: OriginateResult): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        stop();
        resolve(r);
      };
      const timer = core.scheduler.after(options.timeoutSec * 1000, () => {
        leg.hangup('NO_ANSWER');
        finish({ ok: false, cause: 'NO_ANSWER' });
      });
      // The originating thread notices the answer on its next pass, after what the
      // answering thread does next (the b-leg's next application in the 06 captures).
      const stopAnswered = leg.onAnswered(() => core.defer(() => finish({ ok: true, channel: leg })));
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

  // ---------------------------------------------------------------------------- routing and execution

  /**
   * Routing then execution, as the session thread does: CS_ROUTING (an inbound channel rings),
   * the dialplan lookup (no match: NO_ROUTE_DESTINATION), CS_EXECUTE and the extension's
   * applications; a transfer routes again; running out of applications hangs up with
   * NORMAL_CLEARING.
   */
  async routeAndExecute(ch: Channel, destination: string, context: string, options: { onRouted?: () => void; actions?: Action[] } = {}): Promise<void> {
    const core = this.#core;
    let dest = destination;
    let ctx = context;
    let inline = options.actions;
    for (;;) {
      if (!ch.ready) return;
      ch.setState(CS.ROUTING);
      ch.setRunningState(CS.ROUTING);
      ch.enterState(CS.ROUTING);
      ch.driverState(CS.ROUTING);
      ch.standardState(CS.ROUTING);
      options.onRouted?.();
      options = {};
      let actions: Action[] | undefined = inline;
      inline = undefined;
      if (!actions) {
        const ext = this.#hunt(ch, dest, ctx);
        if (!ext) {
          ch.log(6, `No Route, Aborting`, { file: SSM, func: 'switch_core_standard_on_routing', line: 257 });
          ch.hangup('NO_ROUTE_DESTINATION');
          ch.sleepState(CS.ROUTING);
          return;
        }
        actions = ext.actions;
      }
      ch.setState(CS.EXECUTE, { file: SSM, func: 'switch_core_standard_on_routing', line: 281 });
      ch.sleepState(CS.ROUTING);
      ch.setVar('call_uuid', ch.getVar('call_uuid') ?? ch.uuid);
      ch.setRunningState(CS.EXECUTE);
      ch.enterState(CS.EXECUTE);
      ch.driverState(CS.EXECUTE);
      ch.standardState(CS.EXECUTE);
      await this.executeExtension(ch, actions);
      ch.sleepState(CS.EXECUTE);
      const t = ch.takeTransfer();
      if (!t || !ch.ready) return;
      dest = t.destination;
      ctx = t.context;
      if (t.dialplan === 'inline') {
        inline = core.dialplan.lookup(dest, 'inline')?.actions;
      }
      ch.times.transferred = core.micros();
      ch.profile = { ...ch.profile, destinationNumber: dest, context: ctx, profileIndex: String(Number(ch.profile.profileIndex) + 1) };
    }
  }

  /** mod_dialplan_xml's hunt, with its log lines: each extension tried, the one taken and its actions. */
  #hunt(ch: Channel, dest: string, ctx: string): { actions: Action[] } | undefined {
    const xml = (func: string, line: number): LogSite => ({ file: 'mod_dialplan_xml.c', func, line });
    const p = ch.profile;
    ch.log(6, `Processing ${p.callerIdName} <${p.callerIdNumber}>->${dest} in context ${ctx}`, xml('dialplan_hunt', 639));
    const ext = this.#core.dialplan.lookup(dest, ctx, ch.variables);
    for (const c of this.#core.dialplan.candidates(ctx)) {
      const pass = ext !== undefined && c.name === ext.name;
      ch.log(7, `Dialplan: ${ch.name} parsing [${ctx}->${c.name}] continue=false`, xml('dialplan_hunt', 696), 1);
      ch.log(7, `Dialplan: ${ch.name} Regex (${pass ? 'PASS' : 'FAIL'}) [${c.name}] destination_number(${dest}) =~ /${c.pattern}/ break=on-false`, xml('parse_exten', pass ? 415 : 426), 1);
      if (pass) break;
    }
    if (ext) for (const a of ext.actions) ch.log(7, `Dialplan: ${ch.name} Action ${a.app}(${a.data}) `, xml('parse_exten', 560), 1);
    return ext;
  }

  /** Runs an extension's applications in order; out of applications, the channel hangs up. */
  async executeExtension(ch: Channel, actions: readonly Action[]): Promise<void> {
    for (const a of actions) {
      if (!ch.ready || ch.transferPending) return;
      await ch.execute(a.app, a.data);
    }
    if (ch.ready && !ch.transferPending) ch.hangup('NORMAL_CLEARING');
  }

  /**
   * What mod_commands' originate does after a successful switch_ivr_originate: `&app(args)`
   * runs that one application, anything else is transferred to that extension.
   */
  runAfterOriginate(ch: Channel, exten: string, dialplan: string, context: string): void {
    ch.startThread(async () => {
      if (!ch.ready) return;
      ch.setVar('call_uuid', ch.uuid);
      if (exten.startsWith('&') && exten.length > 1) {
        const m = /^&([^(]+)(?:\((.*)\))?$/s.exec(exten);
        const action = { app: m?.[1] ?? exten.slice(1), data: m?.[2] ?? '' };
        ch.setState(CS.EXECUTE, { file: 'mod_commands.c', func: 'originate_function', line: 5189 });
        ch.setRunningState(CS.EXECUTE);
        ch.enterState(CS.EXECUTE);
        ch.driverState(CS.EXECUTE);
        ch.standardState(CS.EXECUTE);
        await this.executeExtension(ch, [action]);
        ch.sleepState(CS.EXECUTE);
        const t = ch.takeTransfer();
        if (t && ch.ready) {
          const inline = t.dialplan === 'inline' ? this.#core.dialplan.lookup(t.destination, 'inline')?.actions : undefined;
          await this.routeAndExecute(ch, t.destination, t.context, { actions: inline });
        }
        return;
      }
      ch.profile = { ...ch.profile, destinationNumber: exten, context, dialplan: dialplan.toLowerCase() };
      await this.routeAndExecute(ch, exten, context);
    });
  }

  // ---------------------------------------------------------------------------- inbound calls

  /** Creates an inbound channel and runs it through the dialplan (or `actions`). */
  inboundCall(options: {
    uuid?: string;
    name: string;
    destination: string;
    context: string;
    callerIdNumber: string;
    callerIdName: string;
    networkAddr: string;
    variables: Array<[string, string]>;
    actions?: readonly DialplanAction[];
    source: string;
  }): Channel {
    const core = this.#core;
    const ch = new Channel(core, {
      uuid: options.uuid,
      name: options.name,
      direction: 'inbound',
      profile: {
        callerIdNumber: options.callerIdNumber,
        callerIdName: options.callerIdName,
        origCallerIdNumber: options.callerIdNumber,
        origCallerIdName: options.callerIdName,
        ani: options.callerIdNumber,
        networkAddr: options.networkAddr,
        destinationNumber: options.destination,
        context: options.context,
        source: options.source,
      },
    });
    initInboundLeg(core, ch, [['sip_network_ip', options.networkAddr], ...options.variables]);
    ch.setCodecs(DEFAULT_CODEC);
    ch.hasProfile = true;
    ch.setState(CS.INIT, { file: 'sofia.c', func: 'sofia_handle_sip_i_invite', line: 10424 });
    ch.setRunningState(CS.INIT);
    ch.enterState(CS.INIT);
    ch.standardState(CS.INIT);
    ch.setState(CS.ROUTING, { file: SSM, func: 'switch_core_standard_on_init', line: 44 });
    ch.sleepState(CS.INIT);
    ch.emit('CHANNEL_CREATE', SITES.create);
    const actions = options.actions?.map(toAction);
    ch.startThread(() => this.routeAndExecute(ch, options.destination, options.context, { actions }));
    return ch;
  }

  // ---------------------------------------------------------------------------- bridge

  /**
   * Bridges `a` (running the bridge application) with `b`: answers `a` if needed,
   * CHANNEL_BRIDGE on `a` (Bridge-A-Unique-ID, Bridge-B-Unique-ID), then waits until a leg
   * leaves. When `b` hangs up, CHANNEL_UNBRIDGE and `a` continues its dialplan (hanging up if
   * hangup_after_bridge is true); when `a` hangs up, `b` is hung up; when `a` is transferred
   * out of the bridge, CHANNEL_UNBRIDGE and the orphaned `b` is hung up with NORMAL_CLEARING
   * (audio_bridge_on_exchange_media does that to a b-leg whose partner left).
   */
  async bridge(ctx: AppContext, a: Channel, b: Channel): Promise<void> {
    if (!a.answered) a.answer();
    if (!a.ready || !b.ready) {
      if (b.ready) b.hangup('ORIGINATOR_CANCEL');
      return;
    }
    const exported = (a.getVar('export_vars') ?? '').split(',').filter((s) => s !== '');
    for (const name of exported) b.setVar(name, a.getVar(name));
    b.setVar('call_uuid', a.uuid);
    linkLegs(this.#core, a, b);
    const ids = (h: HeaderBuilder): void => {
      h.add('Bridge-A-Unique-ID', a.uuid).add('Bridge-B-Unique-ID', b.uuid);
    };
    a.emit('CHANNEL_BRIDGE', SITES.bridge, { pre: ids });
    a.setVar('bridge_uuid', b.uuid);
    b.setVar('bridge_uuid', a.uuid);
    a.setVar('signal_bond', b.uuid);
    b.setVar('signal_bond', a.uuid);
    a.setVar('last_bridge_to', b.uuid);
    b.setVar('last_bridge_to', a.uuid);
    b.setState(CS.EXCHANGE_MEDIA, { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1681 });
    b.setRunningState(CS.EXCHANGE_MEDIA);
    b.enterState(CS.EXCHANGE_MEDIA);
    b.standardState(CS.EXCHANGE_MEDIA);
    // The b-leg hanging up ends the bridge; once it has ended, it no longer concerns `a`.
    const stopWaking = b.onDown(() => a.wakeCurrent());
    await ctx.wait(undefined, { breakable: false });
    stopWaking();
    a.partnerUuid = undefined;
    b.partnerUuid = undefined;
    if (a.down) {
      b.hangup('NORMAL_CLEARING');
      return;
    }
    b.setVar('call_uuid', b.uuid);
    a.emit('CHANNEL_UNBRIDGE', SITES.unbridge, { pre: ids });
    if (b.down) {
      a.setVar('bridge_hangup_cause', b.hangupCause);
      if (switchTrue(a.getVar('hangup_after_bridge'))) a.hangup('NORMAL_CLEARING');
    } else {
      b.hangup('NORMAL_CLEARING');
    }
  }
}

interface LegAttempt {
  result: Promise<OriginateResult>;
  cancel: (cause: string) => void;
}

async function firstAnswer(attempts: LegAttempt[]): Promise<OriginateResult> {
  return new Promise((resolve) => {
    let pending = attempts.length;
    let lastFailure: OriginateResult = { ok: false, cause: 'NO_ANSWER' };
    let won = false;
    attempts.forEach((att, i) => {
      void att.result.then((r) => {
        pending--;
        if (r.ok && !won) {
          won = true;
          attempts.forEach((other, j) => {
            if (j !== i) other.cancel('LOSE_RACE');
          });
          resolve(r);
          return;
        }
        if (!r.ok) lastFailure = r;
        if (pending === 0 && !won) resolve(lastFailure);
      });
    });
  });
}
