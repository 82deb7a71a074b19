import { EslArgumentError } from '../errors.js';

/**
 * Event names, in the order of FreeSWITCH's EVENT_NAMES[] (src/switch_event.c). The table is
 * open-ended: FreeSWITCH appends names over time, so unknown names are kept as strings.
 */
export const EVENT_NAMES = [
  'CUSTOM',
  'CLONE',
  'CHANNEL_CREATE',
  'CHANNEL_DESTROY',
  'CHANNEL_STATE',
  'CHANNEL_CALLSTATE',
  'CHANNEL_ANSWER',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_OUTGOING',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_APPLICATION',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'API',
  'LOG',
  'INBOUND_CHAN',
  'OUTBOUND_CHAN',
  'STARTUP',
  'SHUTDOWN',
  'PUBLISH',
  'UNPUBLISH',
  'TALK',
  'NOTALK',
  'SESSION_CRASH',
  'MODULE_LOAD',
  'MODULE_UNLOAD',
  'DTMF',
  'MESSAGE',
  'PRESENCE_IN',
  'NOTIFY_IN',
  'PRESENCE_OUT',
  'PRESENCE_PROBE',
  'MESSAGE_WAITING',
  'MESSAGE_QUERY',
  'ROSTER',
  'CODEC',
  'BACKGROUND_JOB',
  'DETECTED_SPEECH',
  'DETECTED_TONE',
  'PRIVATE_COMMAND',
  'HEARTBEAT',
  'TRAP',
  'ADD_SCHEDULE',
  'DEL_SCHEDULE',
  'EXE_SCHEDULE',
  'RE_SCHEDULE',
  'RELOADXML',
  'NOTIFY',
  'PHONE_FEATURE',
  'PHONE_FEATURE_SUBSCRIBE',
  'SEND_MESSAGE',
  'RECV_MESSAGE',
  'REQUEST_PARAMS',
  'CHANNEL_DATA',
  'GENERAL',
  'COMMAND',
  'SESSION_HEARTBEAT',
  'CLIENT_DISCONNECTED',
  'SERVER_DISCONNECTED',
  'SEND_INFO',
  'RECV_INFO',
  'RECV_RTCP_MESSAGE',
  'SEND_RTCP_MESSAGE',
  'CALL_SECURE',
  'NAT',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CALL_UPDATE',
  'FAILURE',
  'SOCKET_DATA',
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'CONFERENCE_DATA_QUERY',
  'CONFERENCE_DATA',
  'CALL_SETUP_REQ',
  'CALL_SETUP_RESULT',
  'CALL_DETAIL',
  'DEVICE_STATE',
  'TEXT',
  'SHUTDOWN_REQUESTED',
  'CERT_RELOAD',
  'ALL',
] as const;

/** A FreeSWITCH event name known to this version of rxesl: FreeSWITCH 1.10.12's table. */
export type KnownEventName = (typeof EVENT_NAMES)[number];

declare const declared: unique symbol;
/**
 * A name that went through `eventName()`: one rxesl does not know (a FreeSWITCH newer than
 * 1.10.12), or a CUSTOM subclass that has no `::` in it.
 */
export type DeclaredEventName = string & { readonly [declared]: true };

/**
 * An event name as rxesl's methods take it: a known one (`'CHANNEL_ANSWER'`; a typo such as
 * `'CHANNEL_ANSWR'` does not compile), or one declared with `eventName()`.
 */
export type EventName = KnownEventName | DeclaredEventName;

/**
 * A CUSTOM event's subclass, where a list of names may hold one (after CUSTOM, in `events()`
 * and `nixevent()`): `'sofia::register'`, `'conference::maintenance'`; one without `::` goes
 * through `eventName()`.
 */
export type EventSubclass = `${string}::${string}` | DeclaredEventName;

/**
 * Declares an event name the types do not know: one newer than FreeSWITCH 1.10.12, for
 * `eventsNamed()` or `ofEvent()`, or a CUSTOM subclass without `::`. A known name in another
 * case (`channel_answer`) comes back as FreeSWITCH writes it (`CHANNEL_ANSWER`). A name with
 * a space, a control character or nothing in it throws EslArgumentError: it cannot be one
 * name on the wire.
 */
export function eventName(name: string): EventName {
  if (typeof name !== 'string' || !/^[^\s\x00-\x1f\x7f]+$/.test(name)) {
    throw new EslArgumentError('name', name, `not an event name: ${JSON.stringify(name)} (one word, no spaces or control characters)`);
  }
  return (lookupEventName(name) ?? name) as EventName;
}

const BY_UPPER = new Map<string, KnownEventName>(EVENT_NAMES.map((n) => [n, n]));

/**
 * Looks a name up the way switch_name_event / esl_name_event do: case-insensitively, and
 * also after any 13-character prefix (meant for "SWITCH_EVENT_"). Returns undefined for an
 * unknown name.
 */
export function lookupEventName(name: string): KnownEventName | undefined {
  const upper = name.toUpperCase();
  return BY_UPPER.get(upper) ?? (upper.length > 13 ? BY_UPPER.get(upper.slice(13)) : undefined);
}

/** The events `myevents` subscribes a session-bound connection to (PROTOCOL.md §2.3). */
export const MYEVENTS_SET: readonly KnownEventName[] = [
  'CHANNEL_ANSWER',
  'CHANNEL_APPLICATION',
  'CHANNEL_BRIDGE',
  'CHANNEL_CREATE',
  'CHANNEL_DATA',
  'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_OUTGOING',
  'CHANNEL_PARK',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_UNPARK',
  'DETECTED_SPEECH',
  'DTMF',
  'NOTALK',
  'TALK',
];

/** Log levels as `log <level>` accepts them (PROTOCOL.md §2.3), by number. */
export const LOG_LEVELS = ['console', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
