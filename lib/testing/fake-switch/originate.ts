/**
 * switch_ivr_originate (and so mod_commands' originate and the bridge application): the dial
 * string's groups are tried in turn (`|`), the legs of a group ring together (`,`) and the
 * first to answer wins, the others being cancelled with LOSE_RACE. The legs themselves are
 * the endpoints' (endpoints.ts).
 */
import type { Channel } from './channel.js';
import { HANGUP_CAUSES, switchTrue } from './constants.js';
import type { SwitchCore } from './core.js';
import { parseDialString } from './dial-string.js';
import type { DialSettings, EndpointRegistry, LegAttempt, OriginateOptions, OriginateResult } from './endpoints.js';

/**
 * The caller's channel variables switch_ivr_originate takes as the originate's own when the
 * dial string does not set them (a `set ignore_early_media=true` before `bridge` works so).
 */
const INHERITED_FROM_CALLER = [
  'group_confirm_key',
  'group_confirm_file',
  'group_confirm_read_timeout',
  'group_confirm_cancel_timeout',
  'group_confirm_timeout',
  'forked_dial',
  'fail_on_single_reject',
  'hangup_on_single_reject',
  'ignore_early_media',
  'bridge_early_media',
  'originate_continue_on_timeout',
  'ignore_ring_ready',
  'monitor_early_media_ring',
  'monitor_early_media_ring_total',
  'monitor_early_media_fail',
  'return_ring_ready',
  'ring_ready',
  'instant_ringback',
  'progress_timeout',
  'language',
];

/** The dial string's `{}` variables, then the caller's inherited ones it does not set. */
function originateVariables(vars: ReadonlyArray<[string, string]>, caller: Channel | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [...vars];
  if (!caller) return out;
  for (const name of INHERITED_FROM_CALLER) {
    const value = caller.getVar(name);
    if (value !== undefined && !out.some(([k]) => k.toLowerCase() === name)) out.push([name, value]);
  }
  return out;
}

/** switch_ivr_originate's reading of its variables, in its order. */
function dialSettings(vars: ReadonlyArray<[string, string]>, options: OriginateOptions): DialSettings {
  const get = (name: string): string | undefined => vars.find(([k]) => k.toLowerCase() === name)?.[1];
  const timeoutVar = get('originate_timeout') ?? get('call_timeout');
  const timeoutSec = timeoutVar !== undefined ? Number.parseInt(timeoutVar, 10) || 60 : (options.timeoutSec ?? 60);
  // Early media is success by default (early_ok = 1); these turn that off.
  let earlyOk = true;
  const confirmEarly = get('group_confirm_early_ok');
  if (confirmEarly !== undefined) earlyOk = switchTrue(confirmEarly);
  if (switchTrue(get('bridge_early_media'))) earlyOk = false;
  const ignore = get('ignore_early_media');
  if (ignore !== undefined && (switchTrue(ignore) || ignore === 'consume' || ignore === 'ring_ready')) earlyOk = false;
  if (switchTrue(get('monitor_early_media_ring')) || switchTrue(get('monitor_early_media_fail'))) earlyOk = false;
  return { timeoutSec, earlyOk };
}

/**
 * switch_ivr_originate: tries the groups in turn (`|`), ringing the legs of a group
 * together (`,`): the first to answer wins and the others are cancelled with LOSE_RACE.
 */
export async function originate(core: SwitchCore, endpoints: EndpointRegistry, dial: string, options: OriginateOptions = {}): Promise<OriginateResult> {
  const origin = { file: 'switch_ivr_originate.c', func: 'switch_ivr_originate', channel: 3 as const };
  core.log(7, 'Parsing global variables', { ...origin, line: 2301, uuid: options.caller?.uuid });
  const result = await originateGroups(endpoints, dial, options);
  if (!result.ok) {
    core.log(7, `Originate Resulted in Error Cause: ${HANGUP_CAUSES[result.cause] ?? 0} [${result.cause}]`, { ...origin, line: 4056, uuid: options.caller?.uuid });
  }
  return result;
}

async function originateGroups(endpoints: EndpointRegistry, dial: string, options: OriginateOptions): Promise<OriginateResult> {
  const parsed = parseDialString(dial);
  let last: OriginateResult = { ok: false, cause: 'NO_ROUTE_DESTINATION' };
  const vars = originateVariables(parsed.vars, options.caller);
  const settings = dialSettings(vars, options);
  for (const group of parsed.groups) {
    if (options.caller && !options.caller.ready) return { ok: false, cause: 'ORIGINATOR_CANCEL' };
    const attempts = group.map((leg) => endpoints.dial(leg, vars, { ...options, ...settings }));
    if (attempts.length === 1) {
      last = await attempts[0]!.result;
    } else {
      last = await firstAnswer(attempts);
    }
    if (last.ok) return last;
  }
  return last;
}

async function firstAnswer(attempts: LegAttempt[]): Promise<OriginateResult> {
  return new Promise((resolve) => {
    let pending = attempts.length;
    let lastFailure: OriginateResult = { ok: false, cause: 'NO_ANSWER' };
    let won = false;
    attempts.forEach((att, i) => {
      void att.result.then((r) => {
        pending--;
        if (r.ok && !won) {
          won = true;
          attempts.forEach((other, j) => {
            if (j !== i) other.cancel('LOSE_RACE');
          });
          resolve(r);
          return;
        }
        if (!r.ok) lastFailure = r;
        if (pending === 0 && !won) resolve(lastFailure);
      });
    });
  });
}
