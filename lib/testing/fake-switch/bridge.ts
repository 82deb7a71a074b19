/**
 * Bridging two legs: the bridge application's (switch_ivr_multi_threaded_bridge) and
 * uuid_bridge's (switch_ivr_uuid_bridge), which make the legs partners (Other-Leg-*,
 * bridge_uuid, CHANNEL_BRIDGE) and decide what happens to one when the other leaves.
 */
import type { AppContext, Channel } from './channel.js';
import { CS, switchTrue } from './constants.js';
import type { SwitchCore } from './core.js';
import { SITES, type HeaderBuilder } from './events.js';

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

/**
 * Bridges `a` (running the bridge application) with `b`: answers `a` when `b` has answered,
 * or pre-answers it when `b` only has early media (the originate took early media as
 * success) and answers it once `b` answers (switch_ivr_multi_threaded_bridge and its audio
 * loop); CHANNEL_BRIDGE on `a` (Bridge-A-Unique-ID, Bridge-B-Unique-ID), then waits until a leg
 * leaves. When `b` hangs up, CHANNEL_UNBRIDGE and `a` continues its dialplan (hanging up if
 * hangup_after_bridge is true); when `a` hangs up, `b` is hung up; when `a` is transferred
 * out of the bridge, CHANNEL_UNBRIDGE and the orphaned `b` is hung up with NORMAL_CLEARING
 * (audio_bridge_on_exchange_media does that to a b-leg whose partner left).
 */
export async function bridge(core: SwitchCore, ctx: AppContext, a: Channel, b: Channel): Promise<void> {
  if (b.answered) a.answer();
  else if (b.early) a.preAnswer();
  if (!a.ready || !b.ready) {
    if (b.ready) b.hangup('ORIGINATOR_CANCEL');
    return;
  }
  const stopAnswering = b.onAnswered(() => a.answer());
  const exported = (a.getVar('export_vars') ?? '').split(',').filter((s) => s !== '');
  for (const name of exported) b.setVar(name, a.getVar(name));
  b.setVar('call_uuid', a.uuid);
  linkLegs(core, a, b);
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
  stopAnswering();
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

/**
 * switch_ivr_uuid_bridge, simplified: the two legs become partners (bridge_uuid, CHANNEL_BRIDGE
 * on the first), and when either hangs up the other follows.
 */
export function uuidBridge(core: SwitchCore, a: Channel, b: Channel): void {
  linkLegs(core, a, b);
  a.setVar('bridge_uuid', b.uuid);
  b.setVar('bridge_uuid', a.uuid);
  a.emit('CHANNEL_BRIDGE', SITES.bridge, { pre: (h) => h.add('Bridge-A-Unique-ID', a.uuid).add('Bridge-B-Unique-ID', b.uuid) });
  const follow = (x: Channel, y: Channel): void => {
    void x.whenDown().then(() => {
      if (y.partnerUuid !== x.uuid) return;
      if (!y.down) {
        y.emit('CHANNEL_UNBRIDGE', SITES.unbridge, { pre: (h) => h.add('Bridge-A-Unique-ID', a.uuid).add('Bridge-B-Unique-ID', b.uuid) });
        y.hangup('NORMAL_CLEARING');
      }
      x.partnerUuid = undefined;
      y.partnerUuid = undefined;
    });
  };
  follow(a, b);
  follow(b, a);
}
