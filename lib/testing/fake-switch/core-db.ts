/**
 * FreeSWITCH's core database, as `show channels` and `show calls` read it. The core writes it
 * from events (switch_core_sqldb.c's core_event_handler: CHANNEL_CREATE inserts a row;
 * CHANNEL_STATE, CALLSTATE, ANSWER, EXECUTE, BRIDGE... update it; CHANNEL_DESTROY deletes it)
 * through a queue that its SQL thread writes in batches: woken by the first statement, the
 * thread waits up to 39 x 5 ms for more before it writes them all. So a new channel shows about
 * 200 ms after it is created (FreeSWITCH 1.10.12 was seen doing so), and a gone one lingers as
 * long.
 *
 * The emulator keeps the rows as they were at the last write: the first channel event after a
 * write starts the wait (`coreDbDelayMs` of clock time, 200 by default), then every row is
 * taken from the channels as they are. With a delay of 0 the rows are always those of now.
 */
import type { Channel } from './channel.js';
import type { TimerHandle } from './clock.js';
import type { SwitchCore } from './core.js';
import { localStamp } from './events.js';

/** The channel events core_event_handler writes to the channels and calls tables. */
const WRITTEN_BY = new Set([
  'CHANNEL_UUID',
  'CHANNEL_CREATE',
  'CHANNEL_ANSWER',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_EXECUTE',
  'CHANNEL_ORIGINATE',
  'CALL_UPDATE',
  'CHANNEL_CALLSTATE',
  'CHANNEL_STATE',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CALL_SECURE',
  'CHANNEL_DESTROY',
]);

export const CHANNEL_COLUMNS = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'application',
  'application_data',
  'dialplan',
  'context',
  'read_codec',
  'read_rate',
  'read_bit_rate',
  'write_codec',
  'write_rate',
  'write_bit_rate',
  'secure',
  'hostname',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'sent_callee_name',
  'sent_callee_num',
  'initial_cid_name',
  'initial_cid_num',
  'initial_ip_addr',
  'initial_dest',
  'initial_dialplan',
  'initial_context',
] as const;

export const CALL_A_COLUMNS = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'hostname',
  'sent_callee_name',
  'sent_callee_num',
] as const;

/** The b leg's columns of `show calls`: the a leg's without call_uuid and hostname. */
export const CALL_B_COLUMNS = CALL_A_COLUMNS.filter((c) => c !== 'call_uuid' && c !== 'hostname');

/** A channel's row of the channels table (switch_core_sqldb.c). */
function channelRow(core: SwitchCore, ch: Channel): Record<string, string> {
  const p = ch.profile;
  const createdMs = Math.floor(ch.times.created / 1000);
  return {
    uuid: ch.uuid,
    direction: ch.direction,
    created: localStamp(createdMs),
    created_epoch: String(Math.floor(createdMs / 1000)),
    name: ch.name,
    state: ch.stateName,
    cid_name: p.callerIdName,
    cid_num: p.callerIdNumber,
    ip_addr: p.networkAddr,
    dest: p.destinationNumber,
    application: ch.getVar('current_application') ?? '',
    application_data: ch.getVar('current_application_data') ?? '',
    dialplan: p.dialplan.toUpperCase(),
    context: p.context,
    read_codec: ch.readCodec?.name ?? '',
    read_rate: ch.readCodec ? String(ch.readCodec.rate) : '',
    read_bit_rate: ch.readCodec ? String(ch.readCodec.bitRate) : '',
    write_codec: ch.writeCodec?.name ?? '',
    write_rate: ch.writeCodec ? String(ch.writeCodec.rate) : '',
    write_bit_rate: ch.writeCodec ? String(ch.writeCodec.bitRate) : '',
    secure: '',
    hostname: core.options.switchname,
    presence_id: ch.getVar('presence_id') ?? '',
    presence_data: ch.getVar('presence_data') ?? '',
    accountcode: ch.getVar('accountcode') ?? '',
    callstate: ch.callState,
    callee_name: p.calleeIdName,
    callee_num: p.calleeIdNumber,
    callee_direction: '',
    call_uuid: ch.getVar('call_uuid') ?? '',
    sent_callee_name: '',
    sent_callee_num: '',
    initial_cid_name: p.origCallerIdName,
    initial_cid_num: p.origCallerIdNumber,
    initial_ip_addr: p.networkAddr,
    initial_dest: p.destinationNumber,
    initial_dialplan: p.dialplan.toUpperCase(),
    initial_context: p.context,
  };
}

/** The rows of basic_calls: every channel that is not the callee side of a bridge, with its partner. */
function callRows(core: SwitchCore): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const ch of core.liveChannels()) {
    const partner = core.channel(ch.partnerUuid);
    if (partner && ch.otherLeg?.type === 'originator') continue;
    const a = channelRow(core, ch);
    const row: Record<string, string> = {};
    for (const c of CALL_A_COLUMNS) row[c] = a[c] ?? '';
    const b = partner ? channelRow(core, partner) : undefined;
    for (const c of CALL_B_COLUMNS) row[`b_${c}`] = b ? (b[c] ?? '') : '';
    row['call_created_epoch'] = b ? a['created_epoch']! : '';
    rows.push(row);
  }
  return rows;
}

/** The channels and calls tables, written in batches on the switch's clock. */
export class CoreDb {
  readonly #core: SwitchCore;
  readonly #delayMs: number;
  #channels: Array<Record<string, string>> = [];
  #calls: Array<Record<string, string>> = [];
  #write: TimerHandle | undefined;

  constructor(core: SwitchCore, delayMs: number) {
    this.#core = core;
    this.#delayMs = delayMs;
    core.onChannelEvent((name) => {
      if (WRITTEN_BY.has(name)) this.#queue();
    });
    // A restarted switch starts with empty tables.
    core.onReset(() => {
      this.#write?.cancel();
      this.#write = undefined;
      this.#channels = [];
      this.#calls = [];
    });
  }

  /** The channels table (`select * from channels order by created_epoch`). */
  channelRows(): Array<Record<string, string>> {
    if (this.#delayMs <= 0) return this.#core.liveChannels().map((c) => channelRow(this.#core, c));
    return this.#channels;
  }

  /** The basic_calls view. */
  callRows(): Array<Record<string, string>> {
    if (this.#delayMs <= 0) return callRows(this.#core);
    return this.#calls;
  }

  /** A statement queued: the SQL thread writes it with everything queued until then. */
  #queue(): void {
    if (this.#delayMs <= 0 || this.#write) return;
    this.#write = this.#core.scheduler.after(this.#delayMs, () => {
      this.#write = undefined;
      this.#channels = this.#core.liveChannels().map((c) => channelRow(this.#core, c));
      this.#calls = callRows(this.#core);
    });
  }
}
