/**
 * A channel's state machine (switch_core_state_machine.c and switch_channel.c's state
 * setters): the requested and running states with their CHANNEL_STATE events and log lines,
 * the call state, ringing, early media, answer and hold, and the way out: hangup, the
 * reporting state with the CDR variables, and destroy once nothing holds the channel.
 *
 * The session thread (channel.ts) builds on it and supplies the two things this layer
 * cannot know: how the switch's channel table is told of the channel's life, and how the
 * running applications notice a hangup.
 */
import type { SwitchBus } from './bus.js';
import { ChannelData, DEFAULT_CODEC, type ChannelInit, type Codec, type LogSite } from './channel-data.js';
import { CALL_STATES, CHANNEL_STATES, CS, HANGUP_CAUSES, type CallStateName } from './constants.js';
import { SITES, localStamp } from './events.js';

/** The switch as the state machine sees it: the bus, and the channel table's size for its log lines. */
export interface StateHost extends SwitchBus {
  /** Sessions that exist now (switch_core_session_count). */
  readonly liveSessions: number;
}

/** A step in a channel's life the switch's channel table is told of. */
export type LifeStep = 'down' | 'reported' | 'destroyed';

const SSM = 'switch_core_state_machine.c';

/** The STATE_MACRO of each state in switch_core_session_run (and the hangup/reporting/destroy states). */
const STATE_MACRO_SITES: Record<number, LogSite> = {
  [CS.INIT]: { file: SSM, func: 'switch_core_session_run', line: 624 },
  [CS.ROUTING]: { file: SSM, func: 'switch_core_session_run', line: 640 },
  [CS.RESET]: { file: SSM, func: 'switch_core_session_run', line: 643 },
  [CS.EXECUTE]: { file: SSM, func: 'switch_core_session_run', line: 647 },
  [CS.EXCHANGE_MEDIA]: { file: SSM, func: 'switch_core_session_run', line: 650 },
  [CS.SOFT_EXECUTE]: { file: SSM, func: 'switch_core_session_run', line: 653 },
  [CS.PARK]: { file: SSM, func: 'switch_core_session_run', line: 656 },
  [CS.CONSUME_MEDIA]: { file: SSM, func: 'switch_core_session_run', line: 659 },
  [CS.HIBERNATE]: { file: SSM, func: 'switch_core_session_run', line: 662 },
  [CS.HANGUP]: { file: SSM, func: 'switch_core_session_hangup_state', line: 846 },
  [CS.REPORTING]: { file: SSM, func: 'switch_core_session_reporting_state', line: 932 },
  [CS.DESTROY]: { file: SSM, func: 'switch_core_session_destroy_state', line: 745 },
};

/** The line of each switch_core_standard_on_<state> log. */
const STANDARD_LINES: Record<number, number> = {
  [CS.INIT]: 40,
  [CS.ROUTING]: 230,
  [CS.RESET]: 182,
  [CS.EXECUTE]: 323,
  [CS.EXCHANGE_MEDIA]: 391,
  [CS.SOFT_EXECUTE]: 397,
  [CS.PARK]: 403,
  [CS.CONSUME_MEDIA]: 411,
  [CS.HIBERNATE]: 417,
  [CS.HANGUP]: 59,
  [CS.REPORTING]: 168,
  [CS.DESTROY]: 175,
};

/** CS_EXECUTE -> EXECUTE. */
function shortState(cs: number): string {
  return (CHANNEL_STATES[cs] ?? 'CS_NONE').slice(3);
}

/** Hooks an endpoint (loopback, the generic one) plugs into a channel's life. */
export interface EndpointHooks {
  /** Answers the channel (loopback answers its other leg first). Default: markAnswered(). */
  answer?(channel: ChannelStates): void;
  /** Early media (loopback passes it to its other leg first). Default: markPreAnswered(). */
  preAnswer?(channel: ChannelStates): void;
  /** Ringing (loopback passes it to its other leg first). Default: markRingReady(). */
  ringReady?(channel: ChannelStates): void;
  /** The endpoint's own state handler log line for a state (loopback: `<name> CHANNEL ROUTING`...). */
  stateLog?(channel: ChannelStates, cs: number): void;
  /** The endpoint's kill handler, run when the channel is hung up (loopback: `<name> CHANNEL KILL`). */
  onKill?(channel: ChannelStates): void;
  /** Called in the hangup state, after the CHANNEL_STATE CS_HANGUP and CALLSTATE HANGUP events. */
  onHangup?(channel: ChannelStates): void;
  /** Called in the reporting state after the CDR variables are set (loopback adds is_loopback). */
  onReporting?(channel: ChannelStates): void;
  /** Called once the channel is destroyed. */
  onDestroy?(channel: ChannelStates): void;
}

/** Calls `fn` now if `already`, else once `waiters` are called; returns a function that cancels it. */
function whenOrNow(already: boolean, waiters: Array<() => void>, fn: () => void): () => void {
  if (already) {
    fn();
    return () => undefined;
  }
  waiters.push(fn);
  return () => {
    const i = waiters.indexOf(fn);
    if (i >= 0) waiters.splice(i, 1);
  };
}

/** A channel's states, from creation to destroy. */
export abstract class ChannelStates extends ChannelData {
  /** Endpoint behaviour (loopback, generic). */
  hooks: EndpointHooks = {};
  held = false;

  /** The switch as the state machine sees it (what the constructor is given). */
  protected declare readonly host: StateHost;
  #hangupStarted = false;
  #reported = false;
  #destroyed = false;
  #holders = new Set<object>();
  #downWaiters: Array<() => void> = [];
  #answerWaiters: Array<() => void> = [];
  #mediaWaiters: Array<() => void> = [];
  #destroyWaiters: Array<() => void> = [];

  constructor(host: StateHost, init: ChannelInit) {
    super(host, init);
  }

  /** Tells the switch's channel table of a step in the channel's life. */
  protected abstract reportLife(step: LifeStep): void;

  /**
   * The session thread notices a hangup (a later turn than the hangup itself): the running
   * applications' waits end, and the hangup state runs unless the thread is running.
   */
  protected abstract threadNoticesHangup(): void;

  // ------------------------------------------------------------------ state, read-only

  /** True while the channel is up (switch_channel_ready). */
  get ready(): boolean {
    return !this.down && !this.#destroyed;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Calls `fn` once when the channel is answered; returns a function that cancels it. */
  onAnswered(fn: () => void): () => void {
    return whenOrNow(this.answered, this.#answerWaiters, fn);
  }

  /**
   * Calls `fn` once the channel has media, early (pre-answer) or answered, whichever comes
   * first; returns a function that cancels it.
   */
  onMedia(fn: () => void): () => void {
    return whenOrNow(this.mediaReady, this.#mediaWaiters, fn);
  }

  /** Resolves once the channel is destroyed (CHANNEL_DESTROY fired). */
  whenDestroyed(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#destroyWaiters.push(resolve));
  }

  /** Resolves once the channel is hanging up (at once if it already is). */
  whenDown(): Promise<void> {
    if (this.down) return Promise.resolve();
    return new Promise((resolve) => this.#downWaiters.push(resolve));
  }

  /**
   * Calls `fn` once the channel is hanging up, on the next microtask as `whenDown().then(fn)`
   * would (at once if it already is); returns a function that cancels it, even when the call
   * is already queued.
   */
  onDown(fn: () => void): () => void {
    let armed = true;
    const waiter = (): void =>
      queueMicrotask(() => {
        if (armed) fn();
      });
    if (this.down) waiter();
    else this.#downWaiters.push(waiter);
    return () => {
      armed = false;
      const i = this.#downWaiters.indexOf(waiter);
      if (i >= 0) this.#downWaiters.splice(i, 1);
    };
  }

  // ------------------------------------------------------------------ state changes and their logs

  /** `(<name>) State <STATE>`: the state machine enters a state. */
  enterState(cs: number): void {
    if (!this.host.logging) return;
    const site = STATE_MACRO_SITES[cs];
    if (site) this.log(7, `(${this.name}) State ${shortState(cs)}`, site);
  }

  /** `(<name>) State <STATE> going to sleep`: the state's handlers have run. */
  sleepState(cs: number): void {
    if (!this.host.logging) return;
    const site = STATE_MACRO_SITES[cs];
    if (site) this.log(7, `(${this.name}) State ${shortState(cs)} going to sleep`, site);
  }

  /** `<name> Standard <STATE>`: switch_core_standard_on_<state>. */
  standardState(cs: number): void {
    if (!this.host.logging) return;
    const line = STANDARD_LINES[cs];
    if (line === undefined) return;
    const short = shortState(cs);
    const cause = cs === CS.HANGUP || cs === CS.REPORTING ? `, cause: ${this.hangupCause ?? 'NONE'}` : '';
    this.log(7, `${this.name} Standard ${short}${cause}`, { file: SSM, func: `switch_core_standard_on_${short.toLowerCase()}`, line });
  }

  /** The endpoint's state handler log for `cs`. */
  driverState(cs: number): void {
    this.hooks.stateLog?.(this, cs);
  }

  /**
   * switch_channel_perform_set_running_state: `Running State Change`; on an inbound channel,
   * entering CS_ROUTING sets the call state RINGING (and a later state re-asserts ACTIVE or
   * EARLY); then CHANNEL_STATE.
   */
  setRunningState(cs: number): void {
    if (this.host.logging) {
      const site = cs === CS.DESTROY ? { file: SSM, func: 'switch_core_session_destroy_state', line: 735 } : { file: SSM, func: 'switch_core_session_run', line: 581 };
      this.log(7, `(${this.name}) Running State Change ${CHANNEL_STATES[cs]} (Cur ${this.host.liveSessions} Tot ${this.host.sessionsSinceStartup})`, site, 0);
    }
    this.runningState = cs;
    if (this.direction === 'inbound' && cs < CS.HANGUP) {
      const here = { file: 'switch_channel.c', func: 'switch_channel_perform_set_running_state', line: 2399 };
      if (cs === CS.ROUTING) this.setCallState('RINGING', here);
      else if (this.answered) this.setCallState('ACTIVE', here);
      else if (this.early) this.setCallState('EARLY', here);
    }
    this.emit('CHANNEL_STATE', SITES.channelState);
  }

  /** Requests a state (the number events carry before it runs): `(<name>) State Change OLD -> NEW`. */
  setState(cs: number, site: LogSite = { file: SSM, func: 'switch_core_session_run', line: 616 }): void {
    if (cs !== this.state && this.host.logging) this.log(7, `(${this.name}) State Change ${CHANNEL_STATES[this.state]} -> ${CHANNEL_STATES[cs]}`, site, 0);
    this.state = cs;
  }

  /** switch_channel_perform_set_callstate: `Callstate Change`, then CHANNEL_CALLSTATE. */
  setCallState(cs: CallStateName, site: LogSite = { file: 'switch_channel.c', func: 'switch_channel_perform_set_callstate', line: 298 }): void {
    if (this.callState === cs) return;
    const original = this.callState;
    if (this.host.logging) this.log(7, `(${this.name}) Callstate Change ${original} -> ${cs}`, site, 0);
    this.callState = cs;
    this.emit('CHANNEL_CALLSTATE', SITES.callState, {
      pre: (h) => h.add('Original-Channel-Call-State', original).add('Channel-Call-State-Number', CALL_STATES.indexOf(cs)),
    });
  }

  /** Fires the two CODEC events of setting the read then the write codec, as FreeSWITCH does at channel creation. */
  setCodecs(codec: Codec = DEFAULT_CODEC): void {
    this.readCodec = codec;
    // The read-codec event repeats the codec in lower case (switch_core_session_set_read_codec).
    this.emit('CODEC', SITES.readCodec, {
      post: (h) =>
        h.add('channel-read-codec-name', codec.name).add('channel-read-codec-rate', codec.rate).add('channel-read-codec-bit-rate', codec.bitRate),
    });
    this.setVar('read_codec', codec.name);
    this.setVar('read_rate', codec.rate);
    this.writeCodec = codec;
    // ...and the write-codec event repeats name and rate under the same names, and the bit rate as Channel-Write-codec-bit-rate.
    this.emit('CODEC', SITES.writeCodec, {
      post: (h) =>
        h.add('Channel-Write-Codec-Name', codec.name).add('Channel-Write-Codec-Rate', codec.rate).add('Channel-Write-codec-bit-rate', codec.bitRate),
    });
    this.setVar('write_codec', codec.name);
    this.setVar('write_rate', codec.rate);
  }

  /** switch_channel_answer: through the endpoint (loopback answers its other leg first). */
  answer(): void {
    if (this.down || this.answered) return;
    if (this.hooks.answer) this.hooks.answer(this);
    else this.markAnswered();
  }

  /** switch_channel_pre_answer: early media, through the endpoint. */
  preAnswer(): void {
    if (this.down || this.answered || this.early) return;
    if (this.hooks.preAnswer) this.hooks.preAnswer(this);
    else this.markPreAnswered();
  }

  /** switch_channel_ring_ready: ringing, through the endpoint. */
  ringReady(): void {
    if (this.down || this.answered || this.times.progress) return;
    if (this.hooks.ringReady) this.hooks.ringReady(this);
    else this.markRingReady();
  }

  /** switch_channel_perform_mark_ring_ready: CHANNEL_PROGRESS, call state RINGING. */
  markRingReady(): void {
    if (this.down || this.times.progress) return;
    this.times.progress = this.host.micros();
    this.setVar('ring_ready', 'true');
    this.emit('CHANNEL_PROGRESS', SITES.progress);
    this.setCallState('RINGING');
  }

  /** switch_channel_perform_mark_pre_answered: CHANNEL_PROGRESS_MEDIA, call state EARLY. */
  markPreAnswered(): void {
    if (this.down || this.early || this.answered) return;
    this.early = true;
    this.times.progressMedia = this.host.micros();
    this.setVar('early_media', 'true');
    this.emit('CHANNEL_PROGRESS_MEDIA', SITES.progressMedia);
    this.setCallState('EARLY');
    for (const w of this.#mediaWaiters.splice(0)) w();
  }

  /** switch_channel_perform_mark_answered: CHANNEL_ANSWER, then call state ACTIVE. */
  markAnswered(): void {
    if (this.down || this.answered) return;
    this.answered = true;
    this.times.answered = this.host.micros();
    this.emit('CHANNEL_ANSWER', SITES.answer);
    this.setVar('endpoint_disposition', 'ANSWER');
    this.setCallState('ACTIVE');
    for (const w of this.#answerWaiters.splice(0)) w();
    for (const w of this.#mediaWaiters.splice(0)) w();
  }

  /** Caller-ID flip on an answered outbound leg (switch_channel_flip_cid): CALL_UPDATE. */
  flipCallerId(): void {
    const p = this.profile;
    this.setVar('pre_transfer_caller_id_number', p.callerIdNumber);
    const name = p.calleeIdName;
    const number = p.calleeIdNumber;
    p.calleeIdName = p.callerIdName;
    p.calleeIdNumber = p.callerIdNumber;
    p.callerIdName = name;
    p.callerIdNumber = number;
    this.setVar('channel_cid_flipped', 'yes');
    this.hitDialplan = true;
    this.emit('CALL_UPDATE', SITES.callUpdate, { pre: (h) => h.add('Direction', 'RECV') });
  }

  /** Puts the channel on hold or takes it off (switch_channel_mark_hold): CHANNEL_HOLD / CHANNEL_UNHOLD. */
  markHold(on: boolean): void {
    if (this.held === on || this.down) return;
    this.held = on;
    const now = this.host.micros();
    if (on) this.times.lastHold = now;
    else if (this.times.lastHold) this.times.holdAccum += now - this.times.lastHold;
    this.emit(on ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD', SITES.hold);
    this.setCallState(on ? 'HELD' : 'ACTIVE');
  }

  // ------------------------------------------------------------------ hangup, reporting, destroy

  /**
   * switch_channel_perform_hangup: sets the cause and the requested state CS_HANGUP, fires
   * CHANNEL_HANGUP at once, and wakes the session thread, which then ends its applications
   * and runs the hangup and reporting states.
   */
  hangup(cause: string = 'NORMAL_CLEARING'): void {
    if (this.down || this.#destroyed) return;
    this.hangupCause = cause in HANGUP_CAUSES ? cause : 'NORMAL_CLEARING';
    this.state = CS.HANGUP;
    this.emit('CHANNEL_HANGUP', SITES.hangup);
    this.hooks.onKill?.(this);
    this.reportLife('down');
    for (const w of this.#downWaiters.splice(0)) w();
    // The session thread notices the hangup on its own next pass, not inside the caller.
    this.host.defer(() => this.threadNoticesHangup());
  }

  /**
   * The hangup and reporting states (switch_core_session_hangup_state, _reporting_state),
   * with their events and log lines; the channel is then destroyed once nothing holds it.
   * Runs once.
   */
  hangupState(): void {
    if (this.#hangupStarted) return;
    this.#hangupStarted = true;
    this.setRunningState(CS.HANGUP);
    this.times.hungup = this.host.micros();
    this.setCallState('HANGUP', { file: SSM, func: 'switch_core_session_hangup_state', line: 844 });
    this.setVar('hangup_cause', this.hangupCause);
    this.setVar('hangup_cause_q850', HANGUP_CAUSES[this.hangupCause ?? 'NORMAL_CLEARING'] ?? 16);
    this.enterState(CS.HANGUP);
    this.driverState(CS.HANGUP);
    this.hooks.onHangup?.(this);
    this.standardState(CS.HANGUP);
    this.sleepState(CS.HANGUP);
    this.setState(CS.REPORTING, { file: SSM, func: 'switch_core_session_run', line: 616 });
    this.setRunningState(CS.REPORTING);
    this.enterState(CS.REPORTING);
    this.setTimestamps();
    this.hooks.onReporting?.(this);
    this.standardState(CS.REPORTING);
    this.sleepState(CS.REPORTING);
    this.emit('CHANNEL_HANGUP_COMPLETE', SITES.hangupComplete, { pre: (h) => h.add('Hangup-Cause', this.hangupCause) });
    this.setState(CS.DESTROY, { file: SSM, func: 'switch_core_session_run', line: 607 });
    this.log(7, `Session ${this.sessionId} (${this.name}) Locked, Waiting on external entities`, {
      file: 'switch_core_session.c',
      func: 'switch_core_session_thread',
      line: 1744,
    });
    this.#reported = true;
    this.reportLife('reported');
    this.tryDestroy();
  }

  /** Keeps the channel from being destroyed (a session-bound socket, a loopback partner) until released. */
  hold(holder: object): void {
    if (!this.#destroyed) this.#holders.add(holder);
  }

  release(holder: object): void {
    if (this.#holders.delete(holder)) this.tryDestroy();
  }

  /** switch_core_session_perform_destroy, once reported and released: CHANNEL_DESTROY then CHANNEL_STATE CS_DESTROY. */
  tryDestroy(): void {
    if (this.#destroyed || !this.#reported || this.#holders.size > 0) return;
    this.#destroyed = true;
    const thread = { file: 'switch_core_session.c', func: 'switch_core_session_thread' };
    this.log(5, `Session ${this.sessionId} (${this.name}) Ended`, { ...thread, line: 1762 });
    this.log(5, `Close Channel ${this.name} [${CHANNEL_STATES[this.state]}]`, { ...thread, line: 1766 }, 0);
    this.emit('CHANNEL_DESTROY', SITES.destroy);
    this.reportLife('destroyed');
    this.setRunningState(CS.DESTROY);
    this.enterState(CS.DESTROY);
    this.standardState(CS.DESTROY);
    this.sleepState(CS.DESTROY);
    this.hooks.onDestroy?.(this);
    for (const w of this.#destroyWaiters.splice(0)) w();
  }

  /** switch_channel_set_timestamps: the CDR variables, in FreeSWITCH's order. */
  setTimestamps(): void {
    const t = this.times;
    const p = this.profile;
    const sec = (us: number): number => Math.floor(us / 1_000_000);
    const ms = (us: number): number => Math.floor(us / 1000);
    this.setVar('digits_dialed', this.dtmfLog.length > 0 ? this.dtmfLog.join('') : 'none');
    this.setVar('start_stamp', localStamp(ms(t.created)));
    this.setVar('profile_start_stamp', localStamp(ms(t.profileCreated)));
    if (t.answered) this.setVar('answer_stamp', localStamp(ms(t.answered)));
    if (t.bridged) this.setVar('bridge_stamp', localStamp(ms(t.bridged)));
    if (t.lastHold) this.setVar('hold_stamp', localStamp(ms(t.lastHold)));
    if (t.resurrected) this.setVar('resurrect_stamp', localStamp(ms(t.resurrected)));
    if (t.progress) this.setVar('progress_stamp', localStamp(ms(t.progress)));
    if (t.progressMedia) this.setVar('progress_media_stamp', localStamp(ms(t.progressMedia)));
    this.setVar('end_stamp', localStamp(ms(t.hungup)));
    const pair = (name: string, us: number): void => {
      this.setVar(`${name}_epoch`, sec(us));
      this.setVar(`${name}_uepoch`, us);
    };
    pair('start', t.created);
    pair('profile_start', t.profileCreated);
    pair('answer', t.answered);
    pair('bridge', t.bridged);
    pair('last_hold', t.lastHold);
    this.setVar('hold_accum_seconds', sec(t.holdAccum));
    this.setVar('hold_accum_usec', t.holdAccum);
    this.setVar('hold_accum_ms', ms(t.holdAccum));
    pair('resurrect', t.resurrected);
    pair('progress', t.progress);
    pair('progress_media', t.progressMedia);
    pair('end', t.hungup);
    const created = t.created;
    const since = (us: number): [number, number, number] =>
      us ? [sec(us) - sec(created), ms(us) - ms(created), us - created] : [0, 0, 0];
    const duration = [sec(t.hungup) - sec(created), ms(t.hungup) - ms(created), t.hungup - created];
    const bill = t.answered ? [sec(t.hungup) - sec(t.answered), ms(t.hungup) - ms(t.answered), t.hungup - t.answered] : [0, 0, 0];
    const flow = t.answered ? duration : [0, 0, 0];
    const progress = since(t.progress);
    const answer = since(t.answered);
    const wait = t.bridged > created ? since(t.bridged) : [0, 0, 0];
    const media = since(t.progressMedia);
    const last = this.appLog[this.appLog.length - 1];
    this.setVar('last_app', last?.app);
    this.setVar('last_arg', last?.arg);
    this.setVar('caller_id', p.callerIdName ? `"${p.callerIdName}" <${p.callerIdNumber}>` : p.callerIdNumber);
    const units = [
      ['duration', 'billsec', 'progresssec', 'answersec', 'waitsec', 'progress_mediasec', 'flow_billsec'],
      ['mduration', 'billmsec', 'progressmsec', 'answermsec', 'waitmsec', 'progress_mediamsec', 'flow_billmsec'],
      ['uduration', 'billusec', 'progressusec', 'answerusec', 'waitusec', 'progress_mediausec', 'flow_billusec'],
    ] as const;
    for (let u = 0; u < 3; u++) {
      const names = units[u]!;
      const values = [duration[u], bill[u], progress[u], answer[u], wait[u], media[u], flow[u]];
      for (let k = 0; k < names.length; k++) this.setVar(names[k]!, values[k]!);
    }
  }
}
