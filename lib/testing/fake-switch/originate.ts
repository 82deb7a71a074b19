/**
 * switch_ivr_originate (and so mod_commands' originate and the bridge application): the dial
 * string's groups are tried in turn (`|`), the legs of a group ring together (`,`) and the
 * first to answer wins, the others being cancelled with LOSE_RACE. The legs themselves are
 * the endpoints' (endpoints.ts).
 */
import { HANGUP_CAUSES } from './constants.js';
import type { SwitchCore } from './core.js';
import { parseDialString } from './dial-string.js';
import type { EndpointRegistry, LegAttempt, OriginateOptions, OriginateResult } from './endpoints.js';

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
  const timeoutVar = parsed.vars.find(([k]) => k === 'originate_timeout' || k === 'call_timeout')?.[1];
  const timeoutSec = timeoutVar !== undefined ? Number.parseInt(timeoutVar, 10) || 60 : (options.timeoutSec ?? 60);
  for (const group of parsed.groups) {
    if (options.caller && !options.caller.ready) return { ok: false, cause: 'ORIGINATOR_CANCEL' };
    const attempts = group.map((leg) => endpoints.dial(leg, parsed.vars, { ...options, timeoutSec }));
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
