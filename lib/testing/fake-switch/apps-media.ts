/**
 * The media applications (mod_dptools, mod_spandsp), simulated on the clock: echo, playback,
 * play_and_get_digits, read, say, speak, record, txfax and rxfax. They fire the events and
 * set the variables the real ones do (PLAYBACK_START/STOP, RECORD_START/STOP, read_result,
 * playback_*, record_*, fax_*), read the caller's digits from the channel's DTMF queue and
 * take as long as the media options say.
 */
import type { AppRegistry } from './applications.js';
import type { AppContext, Channel } from './channel.js';
import type { SwitchCore } from './core.js';
import { SITES } from './events.js';
import { fileDuration, splitArgs } from './helpers.js';

/** The terminator set for playback-like applications: playback_terminators, `*` by default; `any`, `none`. */
function terminatorsOf(channel: Channel, fallback = '*'): string {
  const t = channel.getVar('playback_terminators') ?? fallback;
  if (t.toLowerCase() === 'any') return '1234567890*#';
  if (t.toLowerCase() === 'none') return '';
  return t;
}

interface PlayResult {
  status: 'done' | 'break' | 'hangup' | 'missing';
  /** Digits collected while playing (play_and_get_digits, read). */
  digits: string;
  terminator?: string;
}

/**
 * switch_ivr_play_file, simulated: PLAYBACK_START, the file's duration in clock time (ended
 * early by a terminator digit, uuid_break or hangup), the playback_* variables, PLAYBACK_STOP.
 */
async function playFile(
  core: SwitchCore,
  ctx: AppContext,
  file: string,
  input: { terminators: string; collect?: { max: number; digits: string[] } },
): Promise<PlayResult> {
  const { channel } = ctx;
  const duration = fileDuration(core.options.media, file);
  if (duration === 'missing') return { status: 'missing', digits: '' };
  const fileType = file.startsWith('local_stream:') ? 'local_stream' : file.startsWith('tone_stream:') ? 'tone_stream' : undefined;
  channel.emit('PLAYBACK_START', SITES.playbackStart, {
    post: (h) => h.add('Playback-File-Type', fileType).add('Playback-File-Path', file),
  });
  const started = core.scheduler.now();
  let terminator: string | undefined;
  const collected = input.collect;
  const result = await ctx.wait(duration === 'forever' ? undefined : duration, {
    onDigit: (d) => {
      if (input.terminators.includes(d)) {
        terminator = d;
        return true;
      }
      if (collected) {
        collected.digits.push(d);
        // Barge-in: the first digit stops a prompt that collects digits.
        return true;
      }
      return false;
    },
  });
  const ms = Math.max(0, core.scheduler.now() - started);
  const samples = Math.floor(ms * 8);
  channel.setVar('playback_last_offset_pos', samples);
  channel.setVar('playback_seconds', Math.floor(ms / 1000));
  channel.setVar('playback_ms', Math.floor(ms));
  channel.setVar('playback_samples', samples);
  const status: PlayResult['status'] =
    result.reason === 'timeout' ? 'done' : result.reason === 'hangup' ? 'hangup' : 'break';
  channel.emit('PLAYBACK_STOP', SITES.playbackStop, {
    post: (h) =>
      h
        .add('Playback-File-Type', fileType)
        .add('Playback-File-Path', file)
        .add('Playback-Status', status === 'break' ? 'break' : 'done'),
  });
  return { status, digits: collected ? collected.digits.join('') : '', terminator };
}

/**
 * Collects digits after a prompt (switch_ivr_collect_digits_count): the first digit within
 * `timeout`, each next one within `digitTimeout`, up to `max` digits or a terminator.
 */
async function collectDigits(
  ctx: AppContext,
  digits: string[],
  max: number,
  terminators: string,
  timeout: number,
  digitTimeout: number,
): Promise<{ reason: 'max' | 'terminator' | 'timeout' | 'hangup' | 'break'; terminator?: string }> {
  while (digits.length < max) {
    let term: string | undefined;
    const r = await ctx.wait(digits.length === 0 ? timeout : digitTimeout, {
      onDigit: (d) => {
        if (terminators.includes(d)) term = d;
        else digits.push(d);
        return true;
      },
    });
    if (r.reason === 'hangup') return { reason: 'hangup' };
    if (r.reason === 'timeout') return { reason: 'timeout' };
    if (r.reason !== 'dtmf') return { reason: 'break' };
    if (term !== undefined) return { reason: 'terminator', terminator: term };
  }
  return { reason: 'max' };
}

/**
 * switch_ivr_read: plays the prompt while collecting, then collects the rest; sets
 * read_result (success, timeout, or failure when fewer than `min` digits came),
 * read_terminator_used and the variable. A prompt file that does not open ends it at once
 * (`goto end`): no digits are collected and read_result stays unset.
 */
async function readDigits(
  core: SwitchCore,
  ctx: AppContext,
  o: { min: number; max: number; prompt: string; variable?: string; timeout: number; terminators: string; digitTimeout: number },
): Promise<{ status: 'success' | 'timeout' | 'failure' | 'notfound' | 'hangup'; digits: string }> {
  const { channel } = ctx;
  channel.setVar('read_result', undefined);
  if (o.variable) channel.setVar(o.variable, undefined);
  if (!channel.mediaReady && channel.direction === 'inbound') channel.markPreAnswered();
  const digits: string[] = [];
  let terminator: string | undefined;
  if (o.prompt && o.prompt.toLowerCase() !== 'silence') {
    const played = await playFile(core, ctx, o.prompt, { terminators: o.terminators, collect: { max: o.max, digits } });
    if (played.status === 'hangup') return { status: 'hangup', digits: '' };
    if (played.status === 'missing') return { status: 'notfound', digits: '' };
    terminator = played.terminator;
  }
  let timedOut = false;
  if (terminator === undefined && digits.length < o.max) {
    const c = await collectDigits(ctx, digits, o.max, o.terminators, o.timeout, o.digitTimeout);
    if (c.reason === 'hangup') return { status: 'hangup', digits: '' };
    if (c.reason === 'timeout') timedOut = true;
    if (c.terminator !== undefined) terminator = c.terminator;
  }
  if (terminator !== undefined) channel.setVar('read_terminator_used', terminator);
  const text = digits.join('');
  // A timeout stays `timeout` however many digits came; too few digits is a failure.
  let status: 'success' | 'timeout' | 'failure' = timedOut ? 'timeout' : 'success';
  if (o.min && text.length < o.min) status = 'failure';
  channel.setVar('read_result', status);
  if (o.variable && text) channel.setVar(o.variable, text);
  return { status, digits: text };
}

/** Registers the media applications. */
export function registerMediaApps(r: AppRegistry, core: SwitchCore): void {
  r.register(
    'echo',
    async (ctx) => {
      await ctx.wait(undefined, {});
    },
    { media: true },
  );

  r.register(
    'playback',
    async (ctx) => {
      const { channel } = ctx;
      let file = ctx.args;
      const at = file.indexOf('@@');
      if (at >= 0) file = file.slice(0, at);
      channel.setVar('playback_terminator_used', undefined);
      const terminators = terminatorsOf(channel);
      let used: string | undefined;
      const result = await playFile(core, ctx, file, { terminators });
      used = result.terminator;
      if (used !== undefined) channel.setVar('playback_terminator_used', used);
      if (result.status === 'missing') return 'FILE NOT FOUND';
      if (result.status === 'hangup') return 'PLAYBACK ERROR';
      return 'FILE PLAYED';
    },
    { media: true },
  );

  r.register(
    'play_and_get_digits',
    async (ctx) => {
      const { channel } = ctx;
      const a = splitArgs(ctx.args);
      const min = Math.max(0, Number.parseInt(a[0] ?? '0', 10) || 0);
      let max = Number.parseInt(a[1] ?? '0', 10) || 0;
      if (max < min) max = min;
      let tries = Number.parseInt(a[2] ?? '0', 10) || 0;
      let timeout = Number.parseInt(a[3] ?? '1000', 10) || 0;
      if (timeout <= 1000) timeout = 1000;
      const terminators = a[4] && a[4] !== '' ? a[4] : '#';
      const prompt = a[5] ?? '';
      const invalid = a[6] ?? '';
      const variable = a[7];
      const regex = a[8];
      const digitTimeout = a[9] ? Number.parseInt(a[9], 10) || timeout : timeout;
      const transferOnFailure = a[10];
      if (regex && variable) channel.setVar(`${variable}_invalid`, undefined);
      // switch_play_and_get_digits, try by try: a read; a timeout with enough digits counts as
      // success; digits the regex refuses go to <var>_invalid; then, whatever failed (a prompt
      // that did not open included: it takes no time), the invalid file plays, after the last
      // try too.
      while (channel.ready && tries > 0) {
        const r = await readDigits(core, ctx, { min, max, prompt, variable, timeout, terminators, digitTimeout });
        if (r.status === 'hangup') return;
        const status = r.status === 'timeout' && r.digits.length >= min ? 'success' : r.status;
        if (min === 0 && r.digits === '' && channel.getVar('read_terminator_used') !== undefined) return;
        if (status === 'success' && r.digits !== '') {
          if (!regex || safeRegex(regex).test(r.digits)) return;
          if (variable) {
            channel.setVar(variable, undefined);
            channel.setVar(`${variable}_invalid`, r.digits);
          }
        }
        if (!channel.ready) break;
        if (invalid && invalid.toLowerCase() !== 'silence') await playFile(core, ctx, invalid, { terminators: '' });
        tries--;
      }
      if (transferOnFailure && channel.ready) {
        const t = splitArgs(transferOnFailure);
        if (t[0]) channel.requestTransfer(t[0], t[1] ?? 'XML', t[2]);
      }
    },
    { media: true },
  );

  r.register(
    'read',
    async (ctx) => {
      const a = splitArgs(ctx.args);
      const min = Math.max(0, Number.parseInt(a[0] ?? '0', 10) || 0);
      let max = Number.parseInt(a[1] ?? '0', 10) || 0;
      if (max < min) max = min;
      const timeout = Math.max(1000, Number.parseInt(a[4] ?? '1000', 10) || 1000);
      const digitTimeout = a[6] ? Number.parseInt(a[6], 10) || timeout : timeout;
      await readDigits(core, ctx, {
        min,
        max: max || 128,
        prompt: a[2] ?? '',
        variable: a[3],
        timeout,
        terminators: a[5] ?? '#',
        digitTimeout,
      });
    },
    { media: true },
  );

  const speech = (textOf: (args: string) => string) => async (ctx: AppContext) => {
    const text = textOf(ctx.args);
    const ms = Math.max(1, text.length) * core.options.media.speechMsPerChar;
    const r = await ctx.wait(ms, { onDigit: (d) => terminatorsOf(ctx.channel).includes(d) });
    if (r.reason === 'dtmf' && r.digit) ctx.channel.setVar('playback_terminator_used', r.digit);
  };
  // say <module>[:<lang>] <type> <method> [<gender>] <text>: the text is the last word(s).
  r.register('say', speech((args) => splitArgs(args, 5).slice(3).join(' ')), { media: true });
  // speak <engine>|<voice>|<text>
  r.register('speak', speech((args) => args.split('|').slice(2).join('|') || args), { media: true });

  r.register(
    'record',
    async (ctx) => {
      const { channel } = ctx;
      const a = splitArgs(ctx.args);
      const path = a[0] ?? '';
      const limitSec = Number.parseInt(a[1] ?? '', 10);
      const limit = Number.isFinite(limitSec) && limitSec > 0 ? limitSec * 1000 : core.options.media.recordMs;
      channel.setVar('record_completion_cause', undefined);
      channel.emit('RECORD_START', SITES.recordStart, { post: (h) => h.add('Record-File-Path', path) });
      const started = core.scheduler.now();
      const r = await ctx.wait(limit, { onDigit: (d) => terminatorsOf(channel, '*#').includes(d) });
      const ms = Math.max(0, core.scheduler.now() - started);
      if (r.reason === 'dtmf' && r.digit) channel.setVar('playback_terminator_used', r.digit);
      const cause = r.reason === 'timeout' ? 'success-maxtime' : r.reason === 'dtmf' ? 'success-terminator' : 'no-input';
      channel.setVar('record_ms', Math.floor(ms));
      channel.setVar('record_samples', Math.floor(ms * 8));
      channel.setVar('record_seconds', Math.floor(ms / 1000));
      channel.setVar('record_completion_cause', cause);
      channel.emit('RECORD_STOP', SITES.recordStop, {
        post: (h) => h.add('Record-File-Path', path).add('Record-Completion-Cause', cause),
      });
    },
    { media: true },
  );

  const fax = (direction: 'tx' | 'rx') => async (ctx: AppContext) => {
    const { channel } = ctx;
    const pages = core.options.media.faxPages;
    const r = await ctx.wait(core.options.media.faxMs, {});
    const ok = r.reason === 'timeout';
    const vars: Array<[string, string]> = ok
      ? [
          ['fax_success', '1'],
          ['fax_result_code', '0'],
          ['fax_result_text', 'OK'],
          ['fax_ecm_used', 'on'],
          ['fax_local_station_id', 'SpanDSP Fax Ident'],
          ['fax_remote_station_id', 'FakeSwitch'],
          ['fax_document_transferred_pages', String(pages)],
          ['fax_document_total_pages', String(pages)],
          ['fax_image_resolution', '8031x3850'],
          ['fax_image_size', String(pages * 27000)],
          ['fax_bad_rows', '0'],
          ['fax_transfer_rate', '14400'],
        ]
      : [
          ['fax_success', '0'],
          ['fax_result_code', '49'],
          ['fax_result_text', 'The call dropped prematurely'],
          ['fax_document_transferred_pages', '0'],
        ];
    for (const [k, v] of vars) channel.setVar(k, v);
    channel.setVar(direction === 'tx' ? 'fax_filename' : 'fax_file', ctx.args);
    channel.emit('CUSTOM', SITES.user, {
      subclass: `spandsp::${direction}faxresult`,
      post: (h) => {
        for (const [k, v] of vars) h.add(k.replace(/_/g, '-'), v);
      },
    });
  };
  r.register('txfax', fax('tx'), { media: true });
  r.register('rxfax', fax('rx'), { media: true });
}

function safeRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    return /$^/;
  }
}
