/**
 * The demo: rxesl's FreeSWITCH emulator (FakeSwitch) in this process, with calls arriving at a
 * steady rate into a small IVR, so that the console has something to show on a machine with
 * no FreeSWITCH. This is the only part of the console that uses rxesl/testing.
 *
 * Each call: answer, a greeting, a menu (play_and_get_digits) where the caller presses 1, 2 or
 * nothing, then 1: bridged to an agent who talks for a few seconds; 2: a message and goodbye;
 * nothing: "goodbye" after the menu's retries.
 */
import { FakeSwitch } from '../testing/fake-switch/fake-switch.js';
import type { TrafficHandle } from '../testing/fake-switch/traffic.js';

export interface DemoOptions {
  /** Where to listen. The demo prefers 8021 (fs_cli's port), so other tools find it there. */
  host: string;
  port: number;
  password: string;
  /** Calls per second. */
  rate: number;
}

export interface DemoSwitch {
  readonly fake: FakeSwitch;
  readonly host: string;
  /** The port it listens on: the one asked for, or a free one when that was taken. */
  readonly port: number;
  /** True when the port asked for was taken and another was chosen. */
  readonly movedFrom: number | undefined;
  /** The IVR's number (DEMO_IVR). */
  readonly ivr: string;
  /** The events the console's feed shows by default (DEMO_EVENTS). */
  readonly events: string;
  /** The call generator, once started. */
  readonly traffic: TrafficHandle | undefined;
  /** Starts the calls (the console does once it has subscribed, so the feed shows the first call whole). */
  startTraffic(): void;
  stop(): Promise<void>;
}

/** The demo's numbers: the IVR, and the agents behind option 1. */
export const DEMO_IVR = '5000';
const DEMO_AGENT = 'user/1001';

/** The events the demo's feed shows by default: what a call does, and no more. */
export const DEMO_EVENTS = 'plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE PLAYBACK_START DTMF BACKGROUND_JOB';

const MENU = 'play_and_get_digits 1 1 2 3000 # ivr/ivr-please_choose.wav ivr/ivr-that_was_an_invalid_entry.wav choice \\d';

async function listen(o: DemoOptions): Promise<{ fake: FakeSwitch; movedFrom: number | undefined }> {
  const options = {
    host: o.host,
    password: o.password,
    media: {
      durations: {
        'ivr/ivr-welcome_to_freeswitch.wav': 2000,
        'ivr/ivr-please_choose.wav': 1500,
        'ivr/ivr-that_was_an_invalid_entry.wav': 1000,
        'ivr/ivr-hold_connect_call.wav': 1500,
        'voicemail/vm-goodbye.wav': 800,
      },
    },
  };
  try {
    return { fake: await FakeSwitch.start({ ...options, port: o.port }), movedFrom: undefined };
  } catch (err) {
    // A real FreeSWITCH (or another demo) has the port: take a free one and say so.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || o.port === 0) throw err;
    return { fake: await FakeSwitch.start({ ...options, port: 0 }), movedFrom: o.port };
  }
}

/** Starts the emulator and its dialplan; `startTraffic()` starts the calls. */
export async function startDemo(o: DemoOptions): Promise<DemoSwitch> {
  const { fake, movedFrom } = await listen(o);
  fake.extension({
    name: 'demo_ivr',
    destination: DEMO_IVR,
    // No digit leaves `choice` unset, as in FreeSWITCH: the transfer goes to `ivr-`.
    actions: ['answer', 'playback ivr/ivr-welcome_to_freeswitch.wav', MENU, 'transfer ivr-${choice} XML demo'],
  });
  fake.extension({ name: 'sales', context: 'demo', destination: 'ivr-1', actions: ['playback ivr/ivr-hold_connect_call.wav', `bridge ${DEMO_AGENT}`] });
  fake.extension({ name: 'goodbye', context: 'demo', destination: /^ivr-/, actions: ['playback voicemail/vm-goodbye.wav', 'hangup'] });
  // Agents pick up after a second and a half and talk for four.
  fake.endpoint(DEMO_AGENT, { answerAfterMs: 1500, hangupAfterMs: 4000 });
  let traffic: TrafficHandle | undefined;
  return {
    fake,
    host: fake.host,
    port: fake.port,
    movedFrom,
    ivr: DEMO_IVR,
    events: DEMO_EVENTS,
    get traffic() {
      return traffic;
    },
    startTraffic: () => {
      traffic ??= fake.traffic({
        callsPerSecond: o.rate,
        destination: DEMO_IVR,
        callerIdNumber: (n) => `55501${String(n % 1000).padStart(3, '0')}`,
        // Every third caller presses 1, the next 2, the next nothing at all.
        dtmf: (n) => ['1', '2', ''][n % 3]!,
        dtmfDelayMs: 800,
        maxConcurrent: 500,
      });
    },
    stop: async () => {
      traffic?.stop();
      await fake.stop();
    },
  };
}
