/**
 * mod_conference, simulated: the `conference` application and the `conference` API command,
 * with the `conference::maintenance` CUSTOM events FreeSWITCH 1.10 fires (header sets and
 * order from mod_conference's conference_event_add_data and conference_member_add_event_data;
 * reply texts from conference_api.c). There is no audio: nobody talks, there is no floor
 * holder, no caller controls (DTMF only fires DTMF events), no PIN, no recording.
 *
 *   const conferences = installConference(fake);
 *   fake.call({ actions: ['conference 3000@default+flags{mute}'] });
 *   // api conference 3000 list  ->  1;sofia/internal/1000@127.0.0.1;<uuid>;;1000;hear;0;0;100
 *
 * It registers through FakeSwitch's own registries (`fake.app`, `fake.api`), so a switch
 * without it behaves as one without mod_conference loaded.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext, Channel, ChannelHost } from './channel.js';
import type { EventSite, HeaderBuilder } from './events.js';
import type { FakeSwitch } from './fake-switch.js';
import { fileDuration, splitArgs } from './helpers.js';

const MAINT = 'conference::maintenance';

/** Where mod_conference (FreeSWITCH 1.10) creates each event: Event-Calling-File/-Function/-Line-Number. */
const SITE = {
  create: { file: 'mod_conference.c', func: 'conference_new', line: 3848 },
  destroy: { file: 'mod_conference.c', func: 'conference_thread_run', line: 863 },
  addMember: { file: 'conference_member.c', func: 'conference_member_add', line: 962 },
  delMember: { file: 'conference_member.c', func: 'conference_member_del', line: 1355 },
  mute: { file: 'conference_api.c', func: 'conference_api_sub_mute', line: 339 },
  unmute: { file: 'conference_api.c', func: 'conference_api_sub_unmute', line: 492 },
  deaf: { file: 'conference_api.c', func: 'conference_api_sub_deaf', line: 797 },
  undeaf: { file: 'conference_api.c', func: 'conference_api_sub_undeaf', line: 839 },
  hup: { file: 'conference_api.c', func: 'conference_api_sub_hup', line: 871 },
  kick: { file: 'conference_api.c', func: 'conference_api_sub_kick', line: 902 },
  play: { file: 'conference_api.c', func: 'conference_api_sub_play', line: 2817 },
  playDone: { file: 'conference_file.c', func: 'conference_file_close', line: 51 },
  say: { file: 'conference_api.c', func: 'conference_api_sub_say', line: 2885 },
} as const satisfies Record<string, EventSite>;

export interface ConferenceOptions {
  /** The profile's tts-engine (and tts-voice): without one, as in the vanilla `default` profile, `conference <name> say` fails. */
  ttsEngine?: string;
  ttsVoice?: string;
  /** The profile's energy-level. Default 100 (vanilla). */
  energyLevel?: number;
  /** The profile's rate. Default 8000 (vanilla). */
  rate?: number;
}

/** A member, as `conference <name> list` shows it. */
export interface ConferenceMemberInfo {
  id: number;
  uuid: string;
  channelName: string;
  callerIdName: string;
  callerIdNumber: string;
  canHear: boolean;
  canSpeak: boolean;
  moderator: boolean;
  ghost: boolean;
}

/** A conference that exists now. */
export interface ConferenceInfo {
  name: string;
  uuid: string;
  profile: string;
  domain: string;
  /** Members, newest first (mod_conference's list order). */
  members: ConferenceMemberInfo[];
}

/** What installConference gives back: a look at the conferences that exist. */
export interface FakeConferences {
  /** The conferences that exist now. */
  list(): ConferenceInfo[];
  get(name: string): ConferenceInfo | undefined;
}

interface Member {
  id: number;
  channel: Channel;
  canHear: boolean;
  canSpeak: boolean;
  moderator: boolean;
  ghost: boolean;
  running: boolean;
}

interface Conference {
  name: string;
  uuid: string;
  profile: string;
  domain: string;
  core: ChannelHost;
  /** Newest first, as mod_conference inserts them. */
  members: Member[];
  count: number;
  ghosts: number;
  answered: boolean;
  /** The end of the non-async file queue (conference-wide play). */
  playing: Promise<void>;
}

/** The member flags of `+flags{a|b}` and conference_member_flags (conference_utils_set_mflags). */
function memberFlags(spec: string): Pick<Member, 'canHear' | 'canSpeak' | 'moderator' | 'ghost'> {
  const f = { canHear: true, canSpeak: true, moderator: false, ghost: false };
  for (const flag of spec.replace(/,/g, '|').split('|')) {
    switch (flag.trim().toLowerCase()) {
      case 'mute':
        f.canSpeak = false;
        break;
      case 'deaf':
        f.canHear = false;
        break;
      case 'moderator':
        f.moderator = true;
        break;
      case 'ghost':
        f.ghost = true;
        break;
    }
  }
  return f;
}

/** Registers mod_conference's `conference` application and API command on a FakeSwitch. */
export function installConference(fake: FakeSwitch, options: ConferenceOptions = {}): FakeConferences {
  const conferences = new Map<string, Conference>();
  const energy = options.energyLevel ?? 100;
  const rate = options.rate ?? 8000;
  let idPool = 0;

  // ---------------------------------------------------------------- events

  /** conference_event_add_data. */
  const conferenceData = (conf: Conference, h: HeaderBuilder): void => {
    h.add('Conference-Name', conf.name)
      .add('Conference-Domain', conf.domain)
      .add('Conference-Size', conf.count)
      .add('Conference-Ghosts', conf.ghosts)
      .add('Conference-Profile-Name', conf.profile)
      .add('Conference-Unique-ID', conf.uuid);
  };

  /** conference_member_add_event_data (basic channel data: verbose-events is off in the vanilla profile). */
  const memberData = (conf: Conference, m: Member, h: HeaderBuilder): void => {
    conferenceData(conf, h);
    h.add('Floor', 'false');
    m.channel.basicData(h);
    h.add('Video', 'false')
      .add('Hear', m.canHear ? 'true' : 'false')
      .add('See', 'true')
      .add('Speak', m.canSpeak ? 'true' : 'false')
      .add('Talking', 'false')
      .add('Mute-Detect', 'false')
      .add('Hold', 'false')
      .add('Member-ID', m.id)
      .add('Member-Type', m.moderator ? 'moderator' : 'member')
      .add('Member-Ghost', m.ghost ? 'true' : 'false')
      .add('Energy-Level', energy)
      .add('Current-Energy', 0);
  };

  /** Fires a conference::maintenance event (skipped, as FreeSWITCH's are built, only when someone could take it). */
  const fire = (conf: Conference, site: EventSite, action: string, member: Member | undefined, extra?: (h: HeaderBuilder) => void): void => {
    const core = conf.core;
    if (!core.wants('CUSTOM', member?.channel.uuid, MAINT)) {
      core.events.skip();
      return;
    }
    const h = core.events.create('CUSTOM', site, MAINT);
    if (member) memberData(conf, member, h);
    else conferenceData(conf, h);
    h.add('Action', action);
    extra?.(h);
    core.fire(h);
  };

  // ---------------------------------------------------------------- the application

  const leave = (conf: Conference, m: Member): void => {
    const at = conf.members.indexOf(m);
    if (at < 0) return;
    conf.members.splice(at, 1);
    if (m.ghost) conf.ghosts--;
    else conf.count--;
    fire(conf, SITE.delMember, 'del-member', m);
    if (conf.count === 0 && conf.ghosts === 0) {
      conferences.delete(conf.name);
      fire(conf, SITE.destroy, 'conference-destroy', undefined);
    }
  };

  const app = async (ctx: AppContext): Promise<void> => {
    const channel = ctx.channel;
    const core = channel.core;
    let data = ctx.args;
    let flags = '';
    const f = data.indexOf('+flags{');
    if (f >= 0) {
      const end = data.indexOf('}', f);
      flags = data.slice(f + 7, end < 0 ? undefined : end);
      data = data.slice(0, f);
    }
    const more = channel.getVar('conference_member_flags');
    if (more) flags = flags === '' ? more : `${flags}|${more}`;
    let name = data.replace(/^ +/, '');
    // A PIN (name+pin) is accepted, not asked for.
    const plus = name.indexOf('+');
    if (plus >= 0) name = name.slice(0, plus);
    let profile = 'default';
    const at = name.lastIndexOf('@');
    if (at >= 0) {
      profile = name.slice(at + 1);
      name = name.slice(0, at);
    }
    if (name === '') return;
    if (!channel.ready) return;

    let conf = conferences.get(name);
    if (!conf) {
      conf = {
        name,
        uuid: randomUUID(),
        profile,
        domain: core.globals.get('domain') ?? 'cluecon.com',
        core,
        members: [],
        count: 0,
        ghosts: 0,
        answered: false,
        playing: Promise.resolve(),
      };
      conferences.set(name, conf);
      fire(conf, SITE.create, 'conference-create', undefined);
    }
    channel.setVar('conference_name', conf.name);
    if (channel.direction === 'inbound') conf.answered = true;
    channel.answer();

    const m: Member = { id: ++idPool, channel, ...memberFlags(flags), running: true };
    channel.setVar('conference_member_id', m.id);
    channel.setVar('conference_moderator', m.moderator ? 'true' : 'false');
    channel.setVar('conference_ghost', m.ghost ? 'true' : 'false');
    conf.members.unshift(m);
    if (m.ghost) conf.ghosts++;
    else conf.count++;
    fire(conf, SITE.addMember, 'add-member', m);

    while (m.running && channel.ready && !channel.transferPending) {
      await ctx.wait(undefined, { breakable: false });
    }
    leave(conf, m);
  };

  // ---------------------------------------------------------------- the API command

  /** conference_list: one line per member, newest first. */
  const listMembers = (conf: Conference, delim: string): string => {
    let out = '';
    for (const m of conf.members) {
      const flags: string[] = [];
      if (m.canHear) flags.push('hear');
      if (m.canSpeak) flags.push('speak');
      if (m.moderator) flags.push('moderator');
      if (m.ghost) flags.push('ghost');
      const p = m.channel.profile;
      out += [m.id, m.channel.name, m.channel.uuid, p.callerIdName, p.callerIdNumber, flags.join('|'), 0, 0, energy].join(delim) + '\n';
    }
    return out;
  };

  const summary = (conf: Conference): string => {
    const flags = ['running', ...(conf.answered ? ['answered'] : []), 'dynamic', 'exit_sound', 'enter_sound', 'json_status'];
    return `+OK Conference ${conf.name} (${conf.count} member${conf.count === 1 ? '' : 's'} rate: ${rate} flags: ${flags.join('|')})\n`;
  };

  type MemberCommand = (conf: Conference, m: Member, data: string | undefined) => string;

  const memberCommands: Record<string, { syntax: string; run: MemberCommand }> = {
    mute: {
      syntax: '<[member_id|all]|last|non_moderator> [<quiet>]',
      run: (conf, m) => {
        m.canSpeak = false;
        fire(conf, SITE.mute, 'mute-member', m);
        return `+OK mute ${m.id}\n`;
      },
    },
    unmute: {
      syntax: '<[member_id|all]|last|non_moderator> [<quiet>]',
      run: (conf, m) => {
        m.canSpeak = true;
        fire(conf, SITE.unmute, 'unmute-member', m);
        return `+OK unmute ${m.id}\n`;
      },
    },
    tmute: {
      syntax: '<[member_id|all]|last|non_moderator> [<quiet>]',
      run: (conf, m, data) => (m.canSpeak ? memberCommands.mute! : memberCommands.unmute!).run(conf, m, data),
    },
    deaf: {
      syntax: '<[member_id|all]|last|non_moderator>',
      run: (conf, m) => {
        m.canHear = false;
        fire(conf, SITE.deaf, 'deaf-member', m);
        return `+OK deaf ${m.id}\n`;
      },
    },
    undeaf: {
      syntax: '<[member_id|all]|last|non_moderator>',
      run: (conf, m) => {
        m.canHear = true;
        fire(conf, SITE.undeaf, 'undeaf-member', m);
        return `+OK undeaf ${m.id}\n`;
      },
    },
    kick: {
      syntax: '<[member_id|all|last|non_moderator]> [<optional sound file>]',
      run: (conf, m) => {
        m.running = false;
        // switch_core_session_kill_channel(SWITCH_SIG_BREAK): the member leaves, the dialplan goes on.
        m.channel.signalApplications();
        fire(conf, SITE.kick, 'kick-member', m);
        return `+OK kicked ${m.id}\n`;
      },
    },
    hup: {
      syntax: '<[member_id|all|last|non_moderator]>',
      run: (conf, m) => {
        m.running = false;
        m.channel.signalApplications();
        fire(conf, SITE.hup, 'hup-member', m);
        return `+OK hup ${m.id}\n`;
      },
    },
  };

  /** conference_api_sub_play, conference-wide: queued behind the file playing, or alongside it with `async`. */
  const play = (conf: Conference, argv: string[]): string => {
    let argc = argv.length;
    let async = false;
    if ((argc === 4 && argv[3]!.toLowerCase() === 'async') || (argc === 5 && argv[4]!.toLowerCase() === 'async')) {
      argc--;
      async = true;
    }
    if (argc !== 3) return `play <file_path> [async|<member_id> [nomux]]`;
    const file = argv[2]!;
    const length = fileDuration(conf.core.options.media, file);
    if (length === 'missing') return `-ERR (play) File: ${file} not found.\n`;
    fire(conf, SITE.play, 'play-file', undefined, (h) => h.add('File', file).add('Async', async ? 'true' : 'false'));
    const run = async (): Promise<void> => {
      const ms = length === 'forever' ? undefined : length;
      if (ms === undefined) return;
      await conf.core.scheduler.sleep(ms);
      if (!conferences.has(conf.name)) return;
      const samples = Math.floor((ms * rate) / 1000);
      fire(conf, SITE.playDone, 'play-file-done', undefined, (h) => {
        h.add('seconds', Math.floor(samples / rate)).add('milliseconds', Math.floor(samples / (rate / 1000))).add('samples', samples).add('File', file);
        if (async) h.add('Async', 'true');
      });
    };
    if (async) void run().catch((err) => conf.core.reportError(err));
    else conf.playing = conf.playing.then(run).catch((err) => conf.core.reportError(err));
    return `+OK (play) Playing file ${file}\n`;
  };

  const say = (conf: Conference, text: string): string => {
    if (text === '') return '-ERR (say) Error! No text.\nsay <text>';
    if (options.ttsEngine === undefined || conf.count === 0) return '-ERR (say) Error!\nsay <text>';
    fire(conf, SITE.say, 'speak-text', undefined, (h) => h.add('Text', text));
    return '+OK (say) OK\n';
  };

  const help = (): string =>
    ['list [delim <string>]|[count]', 'count ', 'play <file_path> [async|<member_id> [nomux]]', 'say <text>', ...Object.entries(memberCommands).map(([n, c]) => `${n} ${c.syntax}`)]
      .map((line) => `<conf name> ${line}\n`)
      .join('');

  /** conference_api_dispatch. */
  const dispatch = (conf: Conference, argv: string[], cmdline: string): string => {
    const cmd = argv[1]!.toLowerCase();
    if (cmd === 'list') {
      const opt = argv[2]?.toLowerCase();
      if (opt === 'count') return String(conf.count);
      const delim = opt === 'delim' && argv[3] !== undefined ? argv[3].replace(/^"([^"]*)".*$/, '$1') || ';' : ';';
      return listMembers(conf, delim);
    }
    if (cmd === 'count') return String(conf.count);
    if (cmd === 'play') return play(conf, argv);
    if (cmd === 'say') return say(conf, cmdline.slice(cmdline.toLowerCase().indexOf('say') + 3).replace(/^[ \t]+/, ''));
    const mc = memberCommands[cmd];
    if (!mc) return `-ERR Conference command '${argv[1]}' not found.\n`;
    const target = argv[2];
    const data = argv[3];
    const id = target === undefined ? 0 : Number.parseInt(target, 10) || 0;
    if (target === undefined) return `${cmd} ${mc.syntax}`;
    if (id > 0) {
      const m = conf.members.find((x) => x.id === id);
      return m ? mc.run(conf, m, data) : `-ERR Non-Existant ID ${id}\n`;
    }
    const which = target.toLowerCase();
    if (which === 'all' || which === 'non_moderator') {
      let out = '';
      for (const m of [...conf.members]) {
        if (which === 'non_moderator' && m.moderator) out += `Skipping moderator (member id ${m.id}).\n`;
        else out += mc.run(conf, m, data);
      }
      return out;
    }
    if (which === 'last') {
      const last = conf.members.reduce<Member | undefined>((a, m) => (a === undefined || m.id > a.id ? m : a), undefined);
      return last ? mc.run(conf, last, data) : '';
    }
    return `${cmd} ${mc.syntax}`;
  };

  const api = (args: string): string => {
    const argv = splitArgs(args).slice(0, 25);
    if (argv.length === 0) return help();
    const conf = conferences.get(argv[0]!);
    if (conf) return argv.length >= 2 ? dispatch(conf, argv, args) : "Conference command, not specified.\nTry 'help'\n";
    const first = argv[0]!.toLowerCase();
    if (first === 'list') {
      if (conferences.size === 0) return '+OK No active conferences.\n';
      const opt = argv[1]?.toLowerCase();
      let out = '';
      for (const c of conferences.values()) {
        out += summary(c);
        if (opt === 'count') out += String(c.count);
        else if (opt !== 'summary') out += listMembers(c, opt === 'delim' && argv[2] !== undefined ? argv[2] : ';');
      }
      return out;
    }
    if (first === 'count') return String(conferences.size);
    if (first === 'help' || first === 'commands') return help();
    return `-ERR Conference ${argv[0]} not found\n`;
  };

  fake.app('conference', app, { media: true });
  fake.api('conference', api, { description: 'Conference module commands', syntax: help(), module: 'mod_conference' });

  const info = (c: Conference): ConferenceInfo => ({
    name: c.name,
    uuid: c.uuid,
    profile: c.profile,
    domain: c.domain,
    members: c.members.map((m) => ({
      id: m.id,
      uuid: m.channel.uuid,
      channelName: m.channel.name,
      callerIdName: m.channel.profile.callerIdName,
      callerIdNumber: m.channel.profile.callerIdNumber,
      canHear: m.canHear,
      canSpeak: m.canSpeak,
      moderator: m.moderator,
      ghost: m.ghost,
    })),
  });

  return {
    list: () => [...conferences.values()].map(info),
    get: (name) => {
      const c = conferences.get(name);
      return c ? info(c) : undefined;
    },
  };
}
