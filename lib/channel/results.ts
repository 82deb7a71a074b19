/**
 * What Channel actions give back. Each is read from the CHANNEL_EXECUTE_COMPLETE that ends the
 * application: FreeSWITCH puts every channel variable on that event (variable_*), so the
 * digits of play_and_get_digits, the length of a recording or the disposition of a bridge are
 * there, with no second round trip.
 */
import { ApplicationResult } from '../connection/replies.js';
import type { EslEvent } from '../protocol/event.js';

/** A channel variable as an event of the channel carries it (FreeSWITCH puts them all on each). */
function variableOf(result: ApplicationResult | EslEvent | undefined, name: string): string | undefined {
  const event = result instanceof ApplicationResult ? result.event : result;
  return event?.getHeader(`variable_${name}`);
}

function numberOf(result: ApplicationResult, name: string): number | undefined {
  const v = variableOf(result, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** How the channel hung up: the CHANNEL_HANGUP (or CHANNEL_HANGUP_COMPLETE) seen first. */
export interface ChannelHangup {
  readonly uuid: string;
  /** Hangup-Cause (NORMAL_CLEARING, USER_BUSY...), when known. */
  readonly cause: string | undefined;
  /** The event, when one was seen (an outbound socket can close before any arrives). */
  readonly event: EslEvent | undefined;
}

/** playback: Application-Response (`FILE PLAYED`, `FILE NOT FOUND`, `PLAYBACK ERROR`) and the key that stopped it. */
export interface PlaybackResult {
  readonly response: string | undefined;
  /** playback_terminator_used: the key that cut the file short, if one did. */
  readonly terminator: string | undefined;
  /** The CHANNEL_EXECUTE_COMPLETE. */
  readonly completion: ApplicationResult;
}

export function playbackResult(result: ApplicationResult): PlaybackResult {
  return { response: result.response, terminator: variableOf(result, 'playback_terminator_used'), completion: result };
}

/** play_and_get_digits and read: what the caller entered. */
export interface DigitsResult {
  /** The digits (terminator excluded); '' when nothing valid was entered. */
  readonly digits: string;
  /** read_result: success, timeout or failure. */
  readonly result: string | undefined;
  /** read_terminator_used: the key that ended the input, if one did. */
  readonly terminator: string | undefined;
  /** play_and_get_digits: the last input that did not match the regex (`<variable>_invalid`). */
  readonly invalid: string | undefined;
  /** The CHANNEL_EXECUTE_COMPLETE. */
  readonly completion: ApplicationResult;
}

export function digitsResult(result: ApplicationResult, variable: string): DigitsResult {
  return {
    digits: variableOf(result, variable) ?? '',
    result: variableOf(result, 'read_result'),
    terminator: variableOf(result, 'read_terminator_used'),
    invalid: variableOf(result, `${variable}_invalid`),
    completion: result,
  };
}

/** record: the file and how long it is. */
export interface RecordResult {
  readonly file: string;
  /** record_ms. */
  readonly ms: number | undefined;
  /** record_seconds. */
  readonly seconds: number | undefined;
  /** record_completion_cause: success-maxtime, success-terminator, no-input... */
  readonly cause: string | undefined;
  /** The CHANNEL_EXECUTE_COMPLETE. */
  readonly completion: ApplicationResult;
}

export function recordResult(result: ApplicationResult, file: string): RecordResult {
  return {
    file,
    ms: numberOf(result, 'record_ms'),
    seconds: numberOf(result, 'record_seconds'),
    cause: variableOf(result, 'record_completion_cause'),
    completion: result,
  };
}

/** The far end rings (CHANNEL_PROGRESS) or sends early media (CHANNEL_PROGRESS_MEDIA). Emitted once. */
export interface BridgeRinging {
  readonly kind: 'ringing';
  /** The channel the progress event is about: this one, or the far end's leg when its events are received. */
  readonly leg: string;
  /** True for early media (CHANNEL_PROGRESS_MEDIA). */
  readonly early: boolean;
  readonly event: EslEvent;
}

/** The far end answered and the legs are bridged (CHANNEL_BRIDGE). */
export interface BridgeBridged {
  readonly kind: 'bridged';
  /** The other leg's Unique-ID. */
  readonly otherLeg: string | undefined;
  readonly event: EslEvent;
}

/** The bridge application has completed: it either bridged (and the bridge is over) or failed. */
export interface BridgeResult {
  readonly kind: 'result';
  /** True when the far end answered (originate_disposition SUCCESS, or a CHANNEL_BRIDGE was seen). */
  readonly bridged: boolean;
  /** The other leg's Unique-ID, when it bridged. */
  readonly otherLeg: string | undefined;
  /** originate_disposition: SUCCESS, or why it failed (USER_BUSY, NO_ANSWER, CALL_REJECTED...). */
  readonly disposition: string | undefined;
  /**
   * Bridged: how the other leg ended (bridge_hangup_cause). Failed: the originate's cause
   * (originate_failed_cause, else the disposition).
   */
  readonly hangupCause: string | undefined;
  /**
   * The CHANNEL_EXECUTE_COMPLETE; undefined when the call ended before it could reach us (a
   * bridged call hung up, and the socket closed with it): the other fields are then read from
   * the channel's hangup event, which carries the same variables.
   */
  readonly completion: ApplicationResult | undefined;
}

export type BridgeProgress = BridgeRinging | BridgeBridged | BridgeResult;

/**
 * The result of a bridge: from its completion, or, when the call ended before it came, from
 * the channel's hangup event (`ended`).
 */
export function bridgeResult(completion: ApplicationResult | undefined, bridgedEvent: EslEvent | undefined, ended?: EslEvent): BridgeResult {
  const source = completion ?? ended;
  const disposition = variableOf(source, 'originate_disposition');
  const bridged = bridgedEvent !== undefined || disposition === 'SUCCESS';
  const otherLeg =
    bridgedEvent?.getHeader('Other-Leg-Unique-ID') ??
    bridgedEvent?.getHeader('Bridge-B-Unique-ID') ??
    (bridged ? (variableOf(source, 'last_bridge_to') ?? variableOf(source, 'bridge_uuid')) : undefined);
  const hangupCause = bridged
    ? (variableOf(source, 'bridge_hangup_cause') ?? variableOf(source, 'last_bridge_hangup_cause'))
    : (variableOf(source, 'originate_failed_cause') ?? disposition);
  return { kind: 'result', bridged, otherLeg, disposition, hangupCause, completion };
}
