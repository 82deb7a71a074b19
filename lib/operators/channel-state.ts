import { type OperatorFunction, Observable } from 'rxjs';
import type { EslEvent } from '../protocol/event.js';
import { splitArrayValue } from '../protocol/event-store.js';

/** A channel as its events describe it. */
export interface ChannelSnapshot {
  uuid: string;
  /** Channel-Name, e.g. sofia/internal/1000@192.0.2.1. */
  name: string | undefined;
  /** Channel-State: CS_NEW, CS_ROUTING, CS_EXECUTE, CS_HANGUP, CS_DESTROY... */
  state: string | undefined;
  /** Channel-Call-State: DOWN, RINGING, EARLY, ACTIVE, HELD, HANGUP... */
  callState: string | undefined;
  /** Answer-State: ringing, early, answered, hangup. */
  answerState: string | undefined;
  direction: string | undefined;
  callerIdName: string | undefined;
  callerIdNumber: string | undefined;
  destination: string | undefined;
  answered: boolean;
  /** Unique-ID of the other leg while bridged. */
  bridgedTo: string | undefined;
  held: boolean;
  hangupCause: string | undefined;
  /** The application running (CHANNEL_EXECUTE without its COMPLETE yet). */
  application: string | undefined;
  /** Channel variables seen (variable_* headers), latest value. */
  variables: Readonly<Record<string, string>>;
  /** The last event folded in. */
  lastEvent: string | undefined;
  ended: boolean;
}

/** The snapshot of a channel before any event about it: nothing known yet. */
export function blankSnapshot(uuid: string): ChannelSnapshot {
  return {
    uuid,
    name: undefined,
    state: undefined,
    callState: undefined,
    answerState: undefined,
    direction: undefined,
    callerIdName: undefined,
    callerIdNumber: undefined,
    destination: undefined,
    answered: false,
    bridgedTo: undefined,
    held: false,
    hangupCause: undefined,
    application: undefined,
    variables: {},
    lastEvent: undefined,
    ended: false,
  };
}

/** Folds one event into a snapshot (a new object; the old one is left as it was). */
export function foldChannelEvent(prev: ChannelSnapshot, e: EslEvent): ChannelSnapshot {
  const h = (n: string): string | undefined => e.getHeader(n);
  const name = e.name;
  const next: ChannelSnapshot = { ...prev, lastEvent: name };
  next.name = h('Channel-Name') ?? prev.name;
  next.state = h('Channel-State') ?? prev.state;
  next.callState = h('Channel-Call-State') ?? prev.callState;
  next.answerState = h('Answer-State') ?? prev.answerState;
  next.direction = h('Call-Direction') ?? prev.direction;
  next.callerIdName = h('Caller-Caller-ID-Name') ?? prev.callerIdName;
  next.callerIdNumber = h('Caller-Caller-ID-Number') ?? prev.callerIdNumber;
  next.destination = h('Caller-Destination-Number') ?? prev.destination;
  switch (name) {
    case 'CHANNEL_ANSWER':
      next.answered = true;
      break;
    case 'CHANNEL_BRIDGE':
      next.bridgedTo = h('Other-Leg-Unique-ID') ?? h('Bridge-B-Unique-ID') ?? prev.bridgedTo;
      break;
    case 'CHANNEL_UNBRIDGE':
      next.bridgedTo = undefined;
      break;
    case 'CHANNEL_HOLD':
      next.held = true;
      break;
    case 'CHANNEL_UNHOLD':
      next.held = false;
      break;
    case 'CHANNEL_EXECUTE':
      next.application = h('Application');
      break;
    case 'CHANNEL_EXECUTE_COMPLETE':
      if (next.application === h('Application')) next.application = undefined;
      break;
    case 'CHANNEL_HANGUP':
    case 'CHANNEL_HANGUP_COMPLETE':
      next.hangupCause = h('Hangup-Cause') ?? prev.hangupCause;
      next.application = undefined;
      if (name === 'CHANNEL_HANGUP_COMPLETE') next.ended = true;
      break;
    case 'CHANNEL_DESTROY':
      next.ended = true;
      break;
  }
  if (next.answerState === 'answered') next.answered = true;
  let vars: Record<string, string> | undefined;
  // The raw list: most headers are not variables, and only those need their array form read.
  const { names, values } = e.headerList();
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    if (!k.startsWith('variable_')) continue;
    const v = values[i]!;
    vars ??= { ...prev.variables };
    vars[k.slice(9)] = splitArrayValue(v)?.join(',') ?? v;
  }
  if (vars) next.variables = vars;
  return next;
}

/**
 * Folds a channel's events into its state: emits a snapshot after each event of that channel
 * (Unique-ID), and completes after its CHANNEL_HANGUP_COMPLETE or CHANNEL_DESTROY.
 * Without a uuid, follows the channel of the first event that has one.
 */
export function channelState(uuid?: string): OperatorFunction<EslEvent, ChannelSnapshot> {
  return (source) =>
    new Observable<ChannelSnapshot>((subscriber) => {
      let state: ChannelSnapshot | undefined = uuid === undefined ? undefined : blankSnapshot(uuid);
      return source.subscribe({
        next(e) {
          const id = e.getHeader('Unique-ID');
          if (id === undefined) return;
          if (state === undefined) state = blankSnapshot(id);
          if (id !== state.uuid) return;
          state = foldChannelEvent(state, e);
          subscriber.next(state);
          if (state.ended) subscriber.complete();
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
