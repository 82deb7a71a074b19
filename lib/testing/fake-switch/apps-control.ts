/**
 * The call-control applications (mod_dptools, and mod_event_socket's socket): answer,
 * pre_answer, ring_ready, hangup, set, unset, export, sleep, park, hold, unhold, soft_hold,
 * transfer, log, event, bridge, socket. They fire the events and set the variables the real
 * ones do. Users add their own with `fake.app(name, handler)`.
 */
import type { AppRegistry } from './applications.js';
import { bridge } from './bridge.js';
import type { AppContext, Channel } from './channel.js';
import { CHANNEL_STATES, causeName, dialStatus, switchTrue } from './constants.js';
import type { SwitchCore } from './core.js';
import type { EndpointRegistry } from './endpoints.js';
import { SITES } from './events.js';
import { splitArgs } from './helpers.js';
import { parseLogArgs } from './logger.js';
import { originate } from './originate.js';

/** switch_channel_handle_cause after a failed bridge: continue_on_fail, or hang up with the cause. */
function handleCause(channel: Channel, cause: string): void {
  if (!channel.ready) return;
  const cof = channel.getVar('continue_on_fail');
  if (cof !== undefined) {
    if (switchTrue(cof)) return;
    const list = cof.split(',').map((s) => s.trim().toUpperCase());
    if (list.includes(cause)) return;
  } else if (cause === 'NO_ANSWER' || cause === 'NO_USER_RESPONSE' || cause === 'ORIGINATOR_CANCEL') {
    // FreeSWITCH always continues the dialplan after these.
    return;
  }
  channel.hangup(cause);
}

/** What the call-control applications act on besides their channel. */
export interface ControlAppDeps {
  readonly core: SwitchCore;
  readonly endpoints: EndpointRegistry;
  /** The `socket` application (outbound.ts), given the connections FakeSwitch makes. */
  readonly socket: (context: AppContext) => Promise<void>;
}

/** Registers the call-control applications. */
export function registerControlApps(r: AppRegistry, { core, endpoints, socket }: ControlAppDeps): void {
  r.register('answer', ({ channel }) => {
    channel.answer();
  });

  r.register('pre_answer', ({ channel }) => {
    channel.preAnswer();
  });

  r.register('ring_ready', ({ channel }) => {
    channel.ringReady();
  });

  r.register('hangup', ({ channel, args }) => {
    const cause = causeName(args);
    channel.log(5, `Hangup ${channel.name} [${CHANNEL_STATES[channel.state]}] [${cause}]`, { file: 'mod_dptools.c', func: 'hangup_function', line: 1374 }, 0);
    channel.hangup(cause);
  });

  r.register('set', ({ channel, args }) => {
    const eq = args.indexOf('=');
    if (eq < 0) channel.setVar(args.trim(), undefined);
    else channel.setVar(args.slice(0, eq).trim(), args.slice(eq + 1));
  });

  r.register('unset', ({ channel, args }) => {
    channel.setVar(args.trim(), undefined);
  });

  r.register('export', ({ channel, args }) => {
    let spec = args;
    let local = true;
    if (spec.startsWith('nolocal:')) {
      local = false;
      spec = spec.slice(8);
    }
    const eq = spec.indexOf('=');
    const name = (eq < 0 ? spec : spec.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : spec.slice(eq + 1);
    if (local) channel.setVar(name, value);
    const list = (channel.getVar('export_vars') ?? '').split(',').filter((s) => s !== '');
    if (!list.includes(name)) list.push(name);
    channel.setVar('export_vars', list.join(','));
    const partner = core.channel(channel.partnerUuid);
    if (partner) partner.setVar(name, value);
  });

  r.register('sleep', async (ctx) => {
    const ms = Number.parseInt(ctx.args, 10);
    await ctx.wait(Number.isFinite(ms) && ms > 0 ? ms : 0, {});
  });

  r.register('park', async (ctx) => {
    const { channel } = ctx;
    channel.emit('CHANNEL_PARK', SITES.park);
    await ctx.wait(undefined, { breakable: false, park: true });
    channel.emit('CHANNEL_UNPARK', SITES.unpark);
  });

  r.register('hold', ({ channel }) => channel.markHold(true));
  r.register('unhold', ({ channel }) => channel.markHold(false));
  r.register('soft_hold', async (ctx) => {
    ctx.channel.markHold(true);
    await ctx.wait(undefined, {});
    ctx.channel.markHold(false);
  });

  r.register('transfer', ({ channel, args }) => {
    const a = splitArgs(args);
    if (a[0]) channel.requestTransfer(a[0], a[1] ?? 'XML', a[2]);
  });

  r.register('log', ({ channel, args }) => {
    const { level, text } = parseLogArgs(args);
    core.log(level, text, { file: 'mod_dptools.c', func: 'log_function', line: 1580, uuid: channel.uuid, channel: 3 });
  });

  r.register('event', ({ channel, args }) => {
    const headers: Array<[string, string]> = [];
    let name = 'CUSTOM';
    let subclass: string | undefined;
    for (const part of args.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const k = part.slice(0, eq).trim();
      const v = part.slice(eq + 1);
      if (k.toLowerCase() === 'event-name') name = v.toUpperCase();
      else if (k.toLowerCase() === 'event-subclass') subclass = v;
      else headers.push([k, v]);
    }
    channel.emit(name, SITES.user, {
      subclass,
      post: (h) => {
        for (const [k, v] of headers) h.add(k, v);
      },
    });
  });

  r.register('bridge', async (ctx) => {
    const { channel } = ctx;
    // No time limit of its own: the originate takes the caller's call_timeout, or 60 s.
    const result = await originate(core, endpoints, ctx.args, { caller: channel });
    if (!result.ok) {
      channel.setVar('originate_disposition', result.cause);
      channel.setVar('originate_failed_cause', result.cause);
      channel.setVar('DIALSTATUS', dialStatus(result.cause));
      handleCause(channel, result.cause);
      return;
    }
    channel.setVar('originate_disposition', 'SUCCESS');
    channel.setVar('DIALSTATUS', 'SUCCESS');
    await bridge(core, ctx, channel, result.channel);
  });

  r.register('socket', socket);
}
