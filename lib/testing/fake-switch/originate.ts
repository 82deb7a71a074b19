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

/** atoi: the leading integer of a text, 0 when there is none. */
function atoiOf(value: string | undefined): number {
  const n = value === undefined ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : 0;
}

/** switch_ivr_originate's reading of its variables, in its order. */
function dialSettings(vars: ReadonlyArray<[string, string]>, options: OriginateOptions): DialSettings {
  const get = (name: string): string | undefined => vars.find(([k]) => k.toLowerCase() === name)?.[1];
  // The time limit: the api's argument, then a bridging caller's call_timeout, 60 s when that
  // leaves nothing, then originate_timeout when it is a positive number.
  let timeoutSec = options.timeoutSec ?? 0;
  const callTimeout = options.caller?.getVar('call_timeout');
  if (callTimeout !== undefined) timeoutSec = atoiOf(callTimeout);
  if (timeoutSec <= 0) timeoutSec = 60;
  if (atoiOf(get('originate_timeout')) > 0) timeoutSec = atoiOf(get('originate_timeout'));
  const progressTimeoutSec = atoiOf(get('progress_timeout')) > 0 ? atoiOf(get('progress_timeout')) : undefined;
  // Early media is success by default (early_ok = 1); these turn that off.
  let earlyOk = true;
  const confirmEarly = get('group_confirm_early_ok');
  if (confirmEarly !== undefined) earlyOk = switchTrue(confirmEarly);
  if (switchTrue(get('bridge_early_media'))) earlyOk = false;
  const ignore = get('ignore_early_media');
  if (ignore !== undefined && (switchTrue(ignore) || ignore === 'consume' || ignore === 'ring_ready')) earlyOk = false;
  if (switchTrue(get('monitor_early_media_ring')) || switchTrue(get('monitor_early_media_fail'))) earlyOk = false;
  return { timeoutSec, progressTimeoutSec, earlyOk };
}

/**
 * switch_ivr_originate: tries the groups in turn (`|`), ringing the legs of a group
 * together (`,`): the first to answer wins and the others are cancelled with LOSE_RACE.
 */
export async function originate(core: SwitchCore, endpoints: EndpointRegistry, dial: string, options: OriginateOptions = {}): Promise<OriginateResult> {
  const origin = { file: 'switch_ivr_originate.c', func: 'switch_ivr_originate', channel: 3 as const };
  core.log(7, 'Parsing global variables', { ...origin, line: 2301, uuid: options.caller?.uuid });
  const result = await originateGroups(core, endpoints, dial, options);
  if (!result.ok) {
    core.log(7, `Originate Resulted in Error Cause: ${HANGUP_CAUSES[result.cause] ?? 0} [${result.cause}]`, { ...origin, line: 4056, uuid: options.caller?.uuid });
  }
  return result;
}

async function originateGroups(core: SwitchCore, endpoints: EndpointRegistry, dial: string, options: OriginateOptions): Promise<OriginateResult> {
  const parsed = parseDialString(dial);
  let last: OriginateResult = { ok: false, cause: 'NO_ROUTE_DESTINATION' };
  const vars = originateVariables(parsed.vars, options.caller);
  const settings = dialSettings(vars, options);
  // A PROGRESS_TIMEOUT is switch_ivr_originate's force_reason: the final cause whatever the
  // groups after it fail with.
  let forced: string | undefined;
  for (const group of parsed.groups) {
    if (options.caller && !options.caller.ready) return { ok: false, cause: 'ORIGINATOR_CANCEL' };
    const attempts = group.map((leg) => endpoints.dial(leg, vars, { ...options, ...settings }));
    const progress = progressTimeout(core, attempts, settings);
    if (attempts.length === 1) {
      last = await attempts[0]!.result;
    } else {
      last = await firstAnswer(attempts);
    }
    progress.cancel();
    if (last.ok) return last;
    if (last.cause === 'PROGRESS_TIMEOUT') forced = last.cause;
  }
  return forced !== undefined ? { ok: false, cause: forced } : last;
}

/**
 * progress_timeout: when no leg of the group has rung, had early media or answered by then,
 * every leg is hung up with PROGRESS_TIMEOUT. At the time limit or after it, NO_ANSWER comes
 * first (switch_ivr_originate checks the limit with >=, the progress timeout with >).
 */
function progressTimeout(core: SwitchCore, attempts: readonly LegAttempt[], settings: DialSettings): { cancel(): void } {
  const sec = settings.progressTimeoutSec;
  if (sec === undefined || sec >= settings.timeoutSec) return { cancel: () => undefined };
  return core.scheduler.after(sec * 1000, () => {
    if (attempts.some((a) => a.progressed())) return;
    for (const a of attempts) a.cancel('PROGRESS_TIMEOUT');
  });
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
        // A leg's PROGRESS_TIMEOUT is forced (force_reason): it stays the group's cause.
        if (!r.ok && (lastFailure.ok || lastFailure.cause !== 'PROGRESS_TIMEOUT')) lastFailure = r;
        if (pending === 0 && !won) resolve(lastFailure);
      });
    });
  });
}
