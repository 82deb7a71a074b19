/**
 * FreeSWITCH's enumerations as they appear on the wire: channel states (switch_channel_state_t),
 * call states (switch_channel_callstate_t), hangup causes with their Q.850 codes
 * (switch_channel.c CAUSE_CHART), log levels, and switch_true.
 */
import { atoi } from '../../switch/command-reader.js';
import { LOG_LEVELS } from '../../protocol/event-names.js';

/** Channel states in enum order: Channel-State-Number is the index. */
export const CHANNEL_STATES = [
  'CS_NEW',
  'CS_INIT',
  'CS_ROUTING',
  'CS_SOFT_EXECUTE',
  'CS_EXECUTE',
  'CS_EXCHANGE_MEDIA',
  'CS_PARK',
  'CS_CONSUME_MEDIA',
  'CS_HIBERNATE',
  'CS_RESET',
  'CS_HANGUP',
  'CS_REPORTING',
  'CS_DESTROY',
  'CS_NONE',
] as const;

export type ChannelStateName = (typeof CHANNEL_STATES)[number];

/** Channel state numbers by name. */
export const CS = {
  NEW: 0,
  INIT: 1,
  ROUTING: 2,
  SOFT_EXECUTE: 3,
  EXECUTE: 4,
  EXCHANGE_MEDIA: 5,
  PARK: 6,
  CONSUME_MEDIA: 7,
  HIBERNATE: 8,
  RESET: 9,
  HANGUP: 10,
  REPORTING: 11,
  DESTROY: 12,
  NONE: 13,
} as const;

/** Call states in enum order: Channel-Call-State-Number is the index. */
export const CALL_STATES = ['DOWN', 'DIALING', 'RINGING', 'EARLY', 'ACTIVE', 'HELD', 'RING_WAIT', 'HANGUP', 'UNHELD'] as const;

export type CallStateName = (typeof CALL_STATES)[number];

/** Hangup cause names and their Q.850 codes (variable_hangup_cause_q850). */
export const HANGUP_CAUSES: Readonly<Record<string, number>> = {
  NONE: 0,
  UNALLOCATED_NUMBER: 1,
  NO_ROUTE_TRANSIT_NET: 2,
  NO_ROUTE_DESTINATION: 3,
  CHANNEL_UNACCEPTABLE: 6,
  CALL_AWARDED_DELIVERED: 7,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  REDIRECTION_TO_NEW_DESTINATION: 23,
  EXCHANGE_ROUTING_ERROR: 25,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  FACILITY_REJECTED: 29,
  RESPONSE_TO_STATUS_ENQUIRY: 30,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  ACCESS_INFO_DISCARDED: 43,
  REQUESTED_CHAN_UNAVAIL: 44,
  PRE_EMPTED: 45,
  FACILITY_NOT_SUBSCRIBED: 50,
  OUTGOING_CALL_BARRED: 52,
  INCOMING_CALL_BARRED: 54,
  BEARERCAPABILITY_NOTAUTH: 57,
  BEARERCAPABILITY_NOTAVAIL: 58,
  SERVICE_UNAVAILABLE: 63,
  BEARERCAPABILITY_NOTIMPL: 65,
  CHAN_NOT_IMPLEMENTED: 66,
  FACILITY_NOT_IMPLEMENTED: 69,
  SERVICE_NOT_IMPLEMENTED: 79,
  INVALID_CALL_REFERENCE: 81,
  INCOMPATIBLE_DESTINATION: 88,
  INVALID_MSG_UNSPECIFIED: 95,
  MANDATORY_IE_MISSING: 96,
  MESSAGE_TYPE_NONEXIST: 97,
  WRONG_MESSAGE: 98,
  IE_NONEXIST: 99,
  INVALID_IE_CONTENTS: 100,
  WRONG_CALL_STATE: 101,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  MANDATORY_IE_LENGTH_ERROR: 103,
  PROTOCOL_ERROR: 111,
  INTERWORKING: 127,
  SUCCESS: 142,
  ORIGINATOR_CANCEL: 487,
  CRASH: 500,
  SYSTEM_SHUTDOWN: 501,
  LOSE_RACE: 502,
  MANAGER_REQUEST: 503,
  BLIND_TRANSFER: 600,
  ATTENDED_TRANSFER: 601,
  ALLOTTED_TIMEOUT: 602,
  USER_CHALLENGE: 603,
  MEDIA_TIMEOUT: 604,
  PICKED_OFF: 605,
  USER_NOT_REGISTERED: 606,
  PROGRESS_TIMEOUT: 607,
  INVALID_GATEWAY: 608,
  GATEWAY_DOWN: 609,
  INVALID_URL: 610,
  INVALID_PROFILE: 611,
  NO_PICKUP: 612,
  SRTP_READ_ERROR: 613,
  BOWOUT: 614,
  BUSY_EVERYWHERE: 615,
  DECLINE: 616,
  DOES_NOT_EXIST_ANYWHERE: 617,
  NOT_ACCEPTABLE: 618,
  UNWANTED: 619,
  NO_IDENTITY: 620,
  BAD_IDENTITY_INFO: 621,
  UNSUPPORTED_CERTIFICATE: 622,
  INVALID_IDENTITY: 623,
  STALE_DATE: 624,
  REJECT_ALL: 625,
};

/**
 * switch_channel_str2cause: a cause name (any case), or a number when the text starts with a
 * digit (read with atoi). Nothing, or a name it does not know, is NORMAL_CLEARING: the value
 * it starts from (switch_channel.c). `fallback` replaces that default where a caller has
 * another (an unknown code, or nothing at all).
 */
export function causeName(input: string | undefined, fallback = 'NORMAL_CLEARING'): string {
  if (input === undefined || input.trim() === '') return fallback;
  const s = input.trim().toUpperCase();
  if (s in HANGUP_CAUSES) return s;
  if (/^\d/.test(s)) {
    const n = atoi(s);
    for (const [name, code] of Object.entries(HANGUP_CAUSES)) if (code === n) return name;
  }
  return fallback;
}

/**
 * switch_true: yes, on, true, t, enabled, active, allow (any case), or a number (switch_is_number:
 * an optional sign, then digits and dots) whose atoi is not 0.
 */
export function switchTrue(value: string | undefined | null): boolean {
  if (value === undefined || value === null) return false;
  if (/^(?:yes|on|true|t|enabled|active|allow)$/i.test(value)) return true;
  return /^[+-]?[\d.]*$/.test(value) && atoi(value) !== 0;
}

/**
 * The DIALSTATUS switch_ivr_originate leaves on the caller after a failed originate: a few
 * causes have Asterisk's names, every other one is the cause name itself.
 */
export function dialStatus(cause: string): string {
  switch (cause) {
    case 'ORIGINATOR_CANCEL':
      return 'CANCEL';
    case 'USER_BUSY':
      return 'BUSY';
    case 'NO_ANSWER':
      return 'NOANSWER';
    case 'DESTINATION_OUT_OF_ORDER':
    case 'INVALID_PROFILE':
      return 'INVALIDARGS';
    case 'CALL_REJECTED':
      return 'DONTCALL';
    default:
      return cause;
  }
}

/** Log level names as log/data and the log lines write them, by number (CONSOLE .. DEBUG). */
export const LOG_LEVEL_NAMES: readonly string[] = LOG_LEVELS.map((name) => name.toUpperCase());

/** SWITCH_LOG_INVALID: what switch_log_str2level returns for a name it does not know. */
const LOG_INVALID = 64;

/**
 * switch_log_str2level: a level name (any case, `console`..`debug`; `disable` is -1) or a
 * number (switch_is_number, read with atoi: below 0 is 0, above 64 is 63).
 * Returns undefined for an invalid level (`error` is not a level name, and 64 is
 * SWITCH_LOG_INVALID itself).
 */
export function parseLogLevel(s: string): number | undefined {
  if (/^[+-]?[\d.]*$/.test(s)) {
    const n = atoi(s);
    if (n > LOG_INVALID) return LOG_INVALID - 1;
    if (n < 0) return 0;
    return n === LOG_INVALID ? undefined : n;
  }
  const upper = s.toUpperCase();
  if (upper === 'DISABLE') return -1;
  const i = LOG_LEVEL_NAMES.indexOf(upper);
  return i < 0 ? undefined : i;
}
