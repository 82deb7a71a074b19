/**
 * Routing and execution, as a channel's session thread runs them: CS_ROUTING, the dialplan
 * hunt (mod_dialplan_xml's log lines), CS_EXECUTE and the extension's applications, a
 * transfer routing again; what mod_commands' originate runs on a new leg; and inbound calls
 * from outside (fake.call), created as mod_sofia would create them.
 */
import { DEFAULT_CODEC, type LogSite } from './channel-data.js';
import { Channel } from './channel.js';
import { CS } from './constants.js';
import type { SwitchCore } from './core.js';
import { toAction, type Action, type DialplanAction } from './dialplan.js';
import { SITES } from './events.js';

const SSM = 'switch_core_state_machine.c';

/** `New Channel <name> [<uuid>]`, as switch_channel_set_name logs a channel's first name. */
export function newChannelLog(ch: Channel): void {
  ch.log(5, `New Channel ${ch.name} [${ch.uuid}]`, { file: 'switch_channel.c', func: 'switch_channel_set_name', line: 1142 });
}

/**
 * The first variables of an inbound leg (a call from outside, or a loopback b-leg), then
 * `more` (in order), then the channel is registered and its name logged.
 */
export function initInboundLeg(core: SwitchCore, ch: Channel, more: ReadonlyArray<readonly [string, string]> = []): void {
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
 * Routing then execution, as the session thread does: CS_ROUTING (an inbound channel rings),
 * the dialplan lookup (no match: NO_ROUTE_DESTINATION), CS_EXECUTE and the extension's
 * applications; a transfer routes again; running out of applications hangs up with
 * NORMAL_CLEARING.
 */
export async function routeAndExecute(core: SwitchCore, ch: Channel, destination: string, context: string, options: { onRouted?: () => void; actions?: Action[] } = {}): Promise<void> {
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
      const ext = hunt(core, ch, dest, ctx);
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
    await executeExtension(ch, actions);
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
function hunt(core: SwitchCore, ch: Channel, dest: string, ctx: string): { actions: Action[] } | undefined {
  const xml = (func: string, line: number): LogSite => ({ file: 'mod_dialplan_xml.c', func, line });
  const p = ch.profile;
  ch.log(6, `Processing ${p.callerIdName} <${p.callerIdNumber}>->${dest} in context ${ctx}`, xml('dialplan_hunt', 639));
  const ext = core.dialplan.lookup(dest, ctx, ch.variables);
  for (const c of core.dialplan.candidates(ctx)) {
    const pass = ext !== undefined && c.name === ext.name;
    ch.log(7, `Dialplan: ${ch.name} parsing [${ctx}->${c.name}] continue=false`, xml('dialplan_hunt', 696), 1);
    ch.log(7, `Dialplan: ${ch.name} Regex (${pass ? 'PASS' : 'FAIL'}) [${c.name}] destination_number(${dest}) =~ /${c.pattern}/ break=on-false`, xml('parse_exten', pass ? 415 : 426), 1);
    if (pass) break;
  }
  if (ext) for (const a of ext.actions) ch.log(7, `Dialplan: ${ch.name} Action ${a.app}(${a.data}) `, xml('parse_exten', 560), 1);
  return ext;
}

/**
 * Runs an extension's applications in order; out of applications, the channel hangs up
 * (switch_core_standard_on_execute).
 */
export async function executeExtension(ch: Channel, actions: readonly Action[]): Promise<void> {
  for (const a of actions) {
    if (!ch.ready || ch.transferPending) return;
    await ch.execute(a.app, a.data);
  }
  if (ch.ready && !ch.transferPending) {
    ch.log(5, `${ch.name} has executed the last dialplan instruction, hanging up.`, { file: SSM, func: 'switch_core_standard_on_execute', line: 382 });
    ch.hangup('NORMAL_CLEARING');
  }
}

/**
 * What mod_commands' originate does after a successful switch_ivr_originate: `&app(args)`
 * runs that one application, anything else is transferred to that extension.
 */
export function runAfterOriginate(core: SwitchCore, ch: Channel, exten: string, dialplan: string, context: string): void {
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
      await executeExtension(ch, [action]);
      ch.sleepState(CS.EXECUTE);
      const t = ch.takeTransfer();
      if (t && ch.ready) {
        const inline = t.dialplan === 'inline' ? core.dialplan.lookup(t.destination, 'inline')?.actions : undefined;
        await routeAndExecute(core, ch, t.destination, t.context, { actions: inline });
      }
      return;
    }
    ch.profile = { ...ch.profile, destinationNumber: exten, context, dialplan: dialplan.toLowerCase() };
    await routeAndExecute(core, ch, exten, context);
  });
}

/** Creates an inbound channel and runs it through the dialplan (or `actions`). */
export function inboundCall(core: SwitchCore, options: {
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
  ch.startThread(() => routeAndExecute(core, ch, options.destination, options.context, { actions }));
  return ch;
}
