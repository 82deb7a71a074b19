/**
 * HEARTBEAT every `heartbeatIntervalMs` (FreeSWITCH: 20 s, event-heartbeat-interval), each
 * followed by the scheduler's RE_SCHEDULE of the heartbeat task (switch_scheduler.c), on the
 * switch's clock.
 */
import type { TimerHandle } from './clock.js';
import type { SwitchCore } from './core.js';
import { SITES } from './events.js';
import { upTime } from './helpers.js';
import { VERSION } from './options.js';

export class Heartbeat {
  readonly #core: SwitchCore;
  #timer: TimerHandle | undefined;
  #taskId = 1;

  constructor(core: SwitchCore) {
    this.#core = core;
  }

  start(): void {
    const interval = this.#core.options.heartbeatIntervalMs;
    if (!(interval > 0)) return;
    const tick = (): void => {
      this.fire();
      this.#timer = this.#core.scheduler.after(interval, tick);
    };
    this.#timer = this.#core.scheduler.after(interval, tick);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Fires one HEARTBEAT and its RE_SCHEDULE now. */
  fire(): void {
    const core = this.#core;
    const o = core.options;
    const sessions = [...core.channels.values()].filter((c) => !c.destroyed).length;
    const uptimeUs = core.uptimeMicros();
    const hb = core.events
      .create('HEARTBEAT', SITES.heartbeat)
      .add('Event-Info', 'System Ready')
      .add('Up-Time', upTime(uptimeUs))
      .add('FreeSWITCH-Version', VERSION.full)
      .add('Uptime-msec', Math.floor(uptimeUs / 1000))
      .add('Session-Count', sessions)
      .add('Max-Sessions', o.maxSessions)
      .add('Session-Per-Sec', 30)
      .add('Session-Per-Sec-Last', 0)
      .add('Session-Per-Sec-Max', 0)
      .add('Session-Per-Sec-FiveMin', 0)
      .add('Session-Since-Startup', core.sessionsSinceStartup)
      .add('Session-Peak-Max', core.peakSessions)
      .add('Session-Peak-FiveMin', core.peakSessions)
      .add('Idle-CPU', o.idleCpu.toFixed(6));
    core.fire(hb);
    const next = Math.floor((core.scheduler.now() + Math.max(1000, o.heartbeatIntervalMs)) / 1000);
    const rs = core.events
      .create('RE_SCHEDULE', SITES.reSchedule)
      .add('Task-ID', this.#taskId)
      .add('Task-Desc', 'heartbeat')
      .add('Task-Group', 'core')
      .add('Task-Runtime', next);
    core.fire(rs);
  }
}
