/**
 * api and bgapi: the registry users extend, the built-in commands and their texts, the
 * api/response and BACKGROUND_JOB framing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Commands } from 'rxesl';
import { type FakeSwitch, ManualClock } from 'rxesl/testing';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';
import { RawClient } from './helpers/raw-client';

let fake: FakeSwitch;
let clock: ManualClock;
let c: RawClient;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  fake = await startFakeSwitch({ clock, heartbeatIntervalMs: 0 });
  c = closeAfterTest(await RawClient.authed(fake.port));
});

const api = (line: string): Promise<string> => c.text(`api ${line}`);

describe('api', () => {
  it('answers with an api/response: Content-Type, Content-Length in bytes, the raw body', async () => {
    const f = await c.send('api echo héllo ☎ 100% + a&b <x> 😀');
    expect([...f.headers]).toEqual([
      ['Content-Type', 'api/response'],
      ['Content-Length', '30'],
    ]);
    expect(f.bodyText).toBe('héllo ☎ 100% + a&b <x> 😀');
  });

  it('an unknown command: -ERR <cmd> Command not found!', async () => {
    expect(await api('nosuchcmd')).toBe('-ERR nosuchcmd Command not found!\n');
  });

  it('empty output becomes -ERR no reply', async () => {
    expect(await api('global_getvar not_set')).toBe('-ERR no reply\n');
  });

  it('users register their own commands; a throwing handler is a failed command', async () => {
    fake.api('mycmd', (args, ctx) => `+OK ${ctx.command} got [${args}]\n`, { description: 'Mine', syntax: '<x>' });
    fake.api('slow', async () => {
      await new Promise((r) => setImmediate(r));
      return '+OK later\n';
    });
    fake.api('broken', () => {
      throw new Error('boom');
    });
    expect(await api('mycmd  a b ')).toBe('+OK mycmd got [a b]\n');
    expect(await api('MYCMD x')).toBe('+OK MYCMD got [x]\n');
    expect(await api('slow')).toBe('+OK later\n');
    expect(await api('broken')).toBe('-ERR broken Command not found!\n');
    expect(fake.errors.map((e) => e.message)).toContain('boom');
    expect(await api('show api')).toContain('\nmycmd,Mine,<x>,mod_fakeswitch\n');
  });

  it('fires an API event with API-Command and API-Command-Argument after the command', async () => {
    await c.text('event plain API');
    await api('echo hello there');
    const e = await c.event();
    expect(e.getHeader('API-Command')).toBe('echo');
    expect(e.getHeader('API-Command-Argument')).toBe('hello there');
    expect(e.getHeader('Event-Calling-Function')).toBe('switch_api_execute');
  });

  it('runs 10,000 pipelined commands, replying to each in order', async () => {
    const n = 10_000;
    const parts: Buffer[] = [];
    for (let i = 0; i < n; i++) parts.push(Commands.api('echo', String(i)).bytes);
    c.write(Buffer.concat(parts));
    for (let i = 0; i < n; i++) {
      const f = await c.next();
      if (f.bodyText !== String(i)) expect(f.bodyText).toBe(String(i));
    }
    expect(c.unread).toHaveLength(0);
  });
});

describe('built-in commands', () => {
  it('status, version, uptime', async () => {
    clock.advance(3_723_004);
    expect(await api('status')).toBe(
      'UP 0 years, 0 days, 1 hour, 2 minutes, 3 seconds, 4 milliseconds, 0 microseconds\n' +
        'FreeSWITCH (Version 1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit) is ready\n' +
        '0 session(s) since startup\n' +
        '0 session(s) - peak 0, last 5min 0 \n' +
        '0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n' +
        '1000 session(s) max\n' +
        'min idle cpu 0.00/99.50\n' +
        'Current Stack Size/Max 240K/8192K\n',
    );
    expect(await api('version')).toBe(
      'FreeSWITCH Version 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)\n',
    );
    expect(await api('version short')).toBe('1.10.12\n');
    expect(await api('uptime')).toBe('3723\n');
    expect(await api('uptime ms')).toBe('3723004\n');
    expect(await api('uptime fortnights')).toMatch(/^-USAGE: /);
  });

  it('echo, eval, expand, global_getvar, global_setvar, create_uuid, hostname', async () => {
    expect(await api('echo a  b')).toBe('a  b');
    expect(await api('global_setvar answer=42')).toBe('+OK');
    expect(await api('global_getvar answer')).toBe('42');
    expect(await api('eval the answer is $${answer}')).toBe('the answer is 42');
    expect(await api('expand echo [${answer}]')).toBe('[42]');
    expect(await api('create_uuid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await api('hostname')).toBe('fakeswitch');
  });

  it('show reads the core database: a channel shows ~200 ms (clock) after it is created, and stays as long after it is gone', async () => {
    // switch_core_sqldb.c: core_event_handler queues the channel's rows and the SQL thread,
    // woken by the first statement, waits up to 39 x 5 ms for more before writing them all.
    // FreeSWITCH 1.10.12 was seen listing a new channel about 200 ms after originate returned.
    const uuid = await fake.originate('loopback/answer_park/default', '&park');
    expect(await api('show channels count')).toBe('\n0 total.\n');
    expect(await api('show channels as json')).toBe('{"row_count": 0}\n');
    await clock.tick(199);
    expect(await api('show channels count')).toBe('\n0 total.\n');
    await clock.tick(1);
    expect(await api('show channels count')).toBe('\n2 total.\n');
    expect(await api('show calls count')).toBe('\n2 total.\n');
    // `status` counts the sessions themselves, not the database.
    expect(await api('status')).toContain('\n2 session(s) - peak 2');
    fake.hangup(uuid);
    await waitFor(() => fake.channels().length === 0);
    expect(await api('show channels count')).toBe('\n2 total.\n');
    await clock.tick(200);
    expect(await api('show channels count')).toBe('\n0 total.\n');
    // With coreDbDelayMs: 0 the tables are the channels as they are.
    const now = await startFakeSwitch({ clock, heartbeatIntervalMs: 0, coreDbDelayMs: 0 });
    const n = closeAfterTest(await RawClient.authed(now.port));
    await now.originate('loopback/answer_park/default', '&park');
    expect(await n.text('api show channels count')).toBe('\n2 total.\n');
  });

  it('reloadxml: +OK [Success] and a RELOADXML event', async () => {
    // mod_commands' reload_xml_function prints "+OK [%s]" with switch_xml_reload's message;
    // switch_xml_open_root fires RELOADXML. FreeSWITCH 1.10.12 answers +OK [Success].
    await c.text('event plain RELOADXML');
    expect(await api('reloadxml')).toBe('+OK [Success]\n');
    const e = await c.event();
    expect([e.name, e.getHeader('Event-Calling-File'), e.getHeader('Event-Calling-Function')]).toEqual(['RELOADXML', 'switch_xml.c', 'switch_xml_open_root']);
  });

  it('show ... as xml, as delim <d> (and csv), count as xml: show_function\'s formats through switch_xml_toxml and show_callback', async () => {
    expect(await api('show channels as xml')).toBe('<result row_count="0"/>\n');
    expect(await api('show channels as delim |')).toBe('\n0 total.\n');
    const a = await fake.originate('loopback/answer_park/default', '&park');
    await waitFor(() => fake.channels().every((x) => x.application === 'park'));
    await clock.tick(200);
    const b = fake.channels().find((x) => x.uuid !== a)!.uuid;
    const xml = await api('show channels as xml');
    expect(xml.startsWith(`<result row_count="2">\n  <row row_id="1">\n    <uuid>${a}</uuid>\n    <direction>outbound</direction>\n`)).toBe(true);
    expect(xml).toContain('\n    <secure></secure>\n');
    expect(xml).toContain(`\n  </row>\n  <row row_id="2">\n    <uuid>${b}</uuid>\n`);
    expect(xml.endsWith('\n    <initial_context>default</initial_context>\n  </row>\n</result>\n')).toBe(true);
    expect(xml.match(/<row row_id=/g)).toHaveLength(2);
    const piped = await api('show channels as delim |');
    expect(piped.split('\n')[0]).toBe((await api('show channels')).split('\n')[0]!.replaceAll(',', '|'));
    expect(piped.split('\n')[1]!.startsWith(`${a}|outbound|`)).toBe(true);
    expect(piped.endsWith('\n\n2 total.\n')).toBe(true);
    // `as csv` is delim; `as delim` without a delimiter is a comma.
    expect(await api('show channels as csv')).toBe(await api('show channels'));
    expect(await api('show channels as delim')).toBe(await api('show channels'));
    expect(await api('show channels count as xml')).toBe('<result row_count="2"></result>\n');
    expect(await api('show channels count as json')).toBe('{"row_count":2,"rows":[]}');
    expect(await api('show channels like answer_park-b as json')).toContain(`"uuid":"${b}"`);
    expect(await api('show channels like answer_park-b as json')).not.toContain(`"uuid":"${a}"`);
    expect(await api('show channels like %_park-_ as json')).toContain('"row_count":2');
    expect(await api('show channels as yaml')).toBe('-ERR Cannot find format yaml\n');
    expect(await api('show api reloadxml')).toBe('name,description,syntax,ikey\nreloadxml,Reload XML,,mod_commands\n\n1 total.\n');
    expect(await api('show status')).toBe(await api('status'));
  });

  it('show channels in text, as json, count; show calls count', async () => {
    expect(await api('show channels')).toBe('\n0 total.\n');
    expect(await api('show channels as json')).toBe('{"row_count": 0}\n');
    const uuid = await fake.originate('loopback/answer_park/default', '&park');
    await waitFor(() => fake.channels().every((x) => x.application === 'park'));
    await clock.tick(200);
    const text = await api('show channels');
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,application,application_data,dialplan,context,read_codec,read_rate,read_bit_rate,write_codec,write_rate,write_bit_rate,secure,hostname,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,sent_callee_name,sent_callee_num,initial_cid_name,initial_cid_num,initial_ip_addr,initial_dest,initial_dialplan,initial_context',
    );
    expect(lines[1]!.startsWith(`${uuid},outbound,2026-01-0`)).toBe(true);
    expect(text.endsWith('\n\n2 total.\n')).toBe(true);
    const json = JSON.parse(await api('show channels as json')) as { row_count: number; rows: Array<Record<string, string>> };
    expect(json.row_count).toBe(2);
    expect(json.rows[0]).toMatchObject({ uuid, name: 'loopback/answer_park-a', state: 'CS_EXECUTE', callstate: 'ACTIVE', application: 'park', read_codec: 'L16' });
    expect(await api('show channels count')).toBe('\n2 total.\n');
    expect(await api('show calls count')).toBe('\n2 total.\n');
    // FreeSWITCH's basic_calls columns: the a leg, the b leg (without call_uuid and hostname), the call's epoch.
    expect((await api('show calls')).split('\n')[0]).toBe(
      'uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,hostname,sent_callee_name,sent_callee_num,' +
        'b_uuid,b_direction,b_created,b_created_epoch,b_name,b_state,b_cid_name,b_cid_num,b_ip_addr,b_dest,b_presence_id,b_presence_data,b_accountcode,b_callstate,b_callee_name,b_callee_num,b_callee_direction,b_sent_callee_name,b_sent_callee_num,call_created_epoch',
    );
    expect(await api('show nonsense')).toMatch(/^-USAGE: codec\|endpoint/);
  });

  it('the uuid_* commands answer with FreeSWITCH\'s texts', async () => {
    const none = '00000000-0000-0000-0000-000000000000';
    expect(await api(`uuid_kill ${none}`)).toBe('-ERR No such channel!\n');
    expect(await api(`uuid_getvar ${none} x`)).toBe('-ERR No such channel!\n');
    expect(await api(`uuid_setvar ${none} x 1`)).toBe('-ERR No such channel!\n');
    expect(await api(`uuid_answer ${none}`)).toBe('-ERROR\n');
    expect(await api(`uuid_send_dtmf ${none} 1`)).toBe('-ERR Cannot locate session!\n');
    expect(await api(`uuid_bridge ${none} ${none}`)).toBe('-ERR Invalid uuid\n');
    expect(await api(`uuid_exists ${none}`)).toBe('false');
    expect(await api('uuid_kill')).toBe('-USAGE: <uuid> [cause]\n');
    const call = fake.call({ destination: 'park' });
    await waitFor(() => fake.channel(call.uuid)?.application === 'park');
    expect(await api(`uuid_exists ${call.uuid}`)).toBe('true');
    expect(await api(`uuid_setvar ${call.uuid} color blue`)).toBe('+OK\n');
    expect(await api(`uuid_getvar ${call.uuid} color`)).toBe('blue');
    expect(await api(`uuid_getvar ${call.uuid} nothing`)).toBe('_undef_');
    expect(await api(`uuid_setvar_multi ${call.uuid} a=1;b=2`)).toBe('+OK\n');
    expect(fake.channel(call.uuid)?.variables).toMatchObject({ color: 'blue', a: '1', b: '2' });
    expect(await api(`uuid_send_dtmf ${call.uuid} 12#`)).toBe(`+OK ${call.uuid} sent DTMF 12#.\n`);
    expect(await api(`uuid_recv_dtmf ${call.uuid} 3`)).toBe(`+OK ${call.uuid} received DTMF 3.\n`);
    expect(await api(`uuid_answer ${call.uuid}`)).toBe('+OK\n');
    expect(await api(`uuid_hold ${call.uuid}`)).toBe('+OK Success\n');
    expect(fake.channel(call.uuid)?.callState).toBe('HELD');
    expect(await api(`uuid_hold off ${call.uuid}`)).toBe('+OK Success\n');
    expect(await api(`uuid_kill ${call.uuid} USER_BUSY`)).toBe('+OK\n');
    expect(await call.whenDown).toBe('USER_BUSY');
    expect(await api('hupall')).toBe('+OK hangup all channels with cause MANAGER_REQUEST\n');
    expect(await api('hupall NORMAL_CLEARING foo bar')).toBe('+OK hangup all channels matching [foo]=[bar] with cause: NORMAL_CLEARING\n');
  });

  it('hupall: MANAGER_REQUEST with no cause (or NONE); a cause name FreeSWITCH does not know hangs up with NORMAL_CLEARING', async () => {
    // hupall_api_function: switch_channel_str2cause starts from NORMAL_CLEARING and keeps it
    // for a name it does not know; only NONE becomes MANAGER_REQUEST. Observed on FreeSWITCH
    // 1.10.12: "hupall NO_SUCH_CAUSE" reports NORMAL_CLEARING.
    const cases: Array<[string, string]> = [
      ['hupall NO_SUCH_CAUSE', 'NORMAL_CLEARING'],
      ['hupall', 'MANAGER_REQUEST'],
      ['hupall none', 'MANAGER_REQUEST'],
      ['hupall user_busy', 'USER_BUSY'],
      ['hupall 21', 'CALL_REJECTED'],
    ];
    for (const [command, cause] of cases) {
      const call = fake.call({ destination: 'park' });
      await waitFor(() => fake.channel(call.uuid)?.application === 'park');
      expect(await api(command)).toBe(`+OK hangup all channels with cause ${cause}\n`);
      expect(await call.whenDown).toBe(cause);
    }
  });

  it('uuid_dump: the channel as a CHANNEL_DATA event, percent-encoded (txt, the default), raw (plain), json or xml', async () => {
    const call = fake.call({ destination: 'park', callerIdName: 'Jane Doe', variables: { note: 'a+b c&d' } });
    await waitFor(() => fake.channel(call.uuid)?.application === 'park');
    const txt = await api(`uuid_dump ${call.uuid}`);
    expect(txt.startsWith('Event-Name: CHANNEL_DATA\nCore-UUID: ')).toBe(true);
    expect(txt).toContain('\nEvent-Calling-File: mod_commands.c\nEvent-Calling-Function: uuid_dump_function\n');
    expect(txt).toContain(`\nUnique-ID: ${call.uuid}\n`);
    expect(txt).toContain('\nCaller-Caller-ID-Name: Jane%20Doe\n');
    expect(txt).toContain('\nvariable_note: a%2Bb%20c%26d\n');
    expect(txt.endsWith('\n\n')).toBe(true);
    // Any word but plain, json and xml encodes, as txt does.
    expect(await api(`uuid_dump ${call.uuid} txt`)).toContain('\nvariable_note: a%2Bb%20c%26d\n');
    expect(await api(`uuid_dump ${call.uuid} other`)).toContain('\nvariable_note: a%2Bb%20c%26d\n');
    const plain = await api(`uuid_dump ${call.uuid} plain`);
    expect(plain).toContain('\nCaller-Caller-ID-Name: Jane Doe\n');
    expect(plain).toContain('\nvariable_note: a+b c&d\n');
    expect(plain.endsWith('\n\n')).toBe(true);
    const json = JSON.parse(await api(`uuid_dump ${call.uuid} json`)) as Record<string, string>;
    expect(json).toMatchObject({ 'Event-Name': 'CHANNEL_DATA', 'Unique-ID': call.uuid, 'Caller-Caller-ID-Name': 'Jane Doe', variable_note: 'a+b c&d' });
    expect(json).not.toHaveProperty('_body');
    const xml = await api(`uuid_dump ${call.uuid} XML`);
    expect(xml.startsWith('<event>\n  <headers>\n    <Event-Name>CHANNEL_DATA</Event-Name>\n')).toBe(true);
    expect(xml).toContain('\n    <variable_note>a%2Bb%20c%26d</variable_note>\n');
    expect(xml.endsWith('  </headers>\n</event>\n')).toBe(true);
    expect(await api('uuid_dump')).toBe('-USAGE: <uuid> [format]\n');
    expect(await api('uuid_dump 00000000-0000-0000-0000-000000000000 json')).toBe('-ERR No such channel!\n');
  });

  it('log: the first word is the level, a name or a number; an unknown one logs at DEBUG without it', async () => {
    const lines: Array<[number, string]> = [];
    fake.onLog((l) => lines.push([l.level, l.text.slice(l.text.indexOf('mod_commands.c:2286 ') + 20)]));
    for (const args of ['ERR disk on fire', 'notice 5', '3 three', 'bogus dropped word', 'alone']) expect(await api(`log ${args}`)).toBe('+OK\n');
    expect(lines).toEqual([
      [3, 'disk on fire\n'],
      [5, '5\n'],
      [3, 'three\n'],
      [7, 'dropped word\n'],
      [7, 'alone\n'],
    ]);
  });

  it('expand passes on what a failing nested command printed, then its own error line', async () => {
    fake.api('broken', () => {
      throw new Error('boom');
    });
    expect(await api('expand nosuchcmd ${x}')).toBe('INVALID COMMAND!\n-ERR Cannot execute command\n');
    expect(await api('expand broken')).toBe('COMMAND RETURNED ERROR!\n-ERR Cannot execute command\n');
  });

  it('originate: +OK <uuid>, -ERR <cause>, -USAGE', async () => {
    expect(await api('originate {origination_uuid=aaaaaaaa-0000-4000-8000-000000000001}loopback/answer_park/default &park')).toBe(
      '+OK aaaaaaaa-0000-4000-8000-000000000001\n',
    );
    expect(await api('originate loopback/hangup/default &park')).toBe('-ERR NORMAL_CLEARING\n');
    expect(await api('originate error/user_busy &park')).toBe('-ERR USER_BUSY\n');
    fake.endpoint('user/1001', { failCause: 'CALL_REJECTED' });
    expect(await api('originate user/1001 &park')).toBe('-ERR CALL_REJECTED\n');
    expect(await api('originate user/1002 &park')).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    expect(await api('originate')).toMatch(/^-USAGE: <call url>/);
  });
});

describe('bgapi', () => {
  it('replies +OK Job-UUID with a Job-UUID header, then BACKGROUND_JOB with the output as body', async () => {
    await c.text('event plain BACKGROUND_JOB');
    const r = await c.send('bgapi echo one two');
    const job = r.headers.get('Job-UUID')!;
    expect([...r.headers]).toEqual([
      ['Content-Type', 'command/reply'],
      ['Reply-Text', `+OK Job-UUID: ${job}`],
      ['Job-UUID', job],
    ]);
    const e = await c.event();
    expect(e.headers.keys().slice(13)).toEqual(['Job-UUID', 'Job-Command', 'Job-Command-Arg']);
    expect(e.getHeader('Job-UUID')).toBe(job);
    expect(e.getHeader('Job-Command')).toBe('echo');
    expect(e.getHeader('Job-Command-Arg')).toBe('one two');
    expect(e.getBody()).toBe('one two');
  });

  it('honours a caller\'s Job-UUID, even a long non-uuid one (up to 255 characters)', async () => {
    await c.text('event json BACKGROUND_JOB');
    const id = 'caller-chosen-job-id-longer-than-36-characters-0001';
    const r = await c.send(Commands.bgapi('status', undefined, id));
    expect(r.headers.get('Job-UUID')).toBe(id);
    const e = await c.event();
    expect(e.getHeader('Job-UUID')).toBe(id);
    expect(e.headers.has('Job-Command-Arg')).toBe(false);
    expect(e.headers.has('Job-Owner-UUID')).toBe(false);
    const long = 'x'.repeat(300);
    expect((await c.send(`bgapi status\nJob-UUID: ${long}\n\n`)).headers.get('Job-UUID')).toBe('x'.repeat(255));
  });

  it('a failing job carries -ERR <cmd> Command not found!; an empty one has no body', async () => {
    await c.text('event plain BACKGROUND_JOB');
    await c.send('bgapi nosuchcmd some args');
    expect((await c.event()).getBody()).toBe('-ERR nosuchcmd Command not found!\n');
    await c.send('bgapi global_getvar unset_var');
    const empty = await c.event();
    expect(empty.getBody()).toBeUndefined();
  });

  it('api bgapi runs the job as mod_commands does: its own event site, no owner, its own failure text', async () => {
    await c.text('event plain BACKGROUND_JOB');
    const reply = await api('bgapi nosuchcmd some args');
    const job = /^\+OK Job-UUID: ([0-9a-f-]{36})\n$/.exec(reply)![1];
    const e = await c.event();
    expect(e.getHeader('Job-UUID')).toBe(job);
    expect(e.getHeader('Event-Calling-File')).toBe('mod_commands.c');
    expect(e.getHeader('Event-Calling-Function')).toBe('bgapi_exec');
    expect(e.headers.keys().slice(13)).toEqual(['Job-UUID', 'Job-Command', 'Job-Command-Arg']);
    expect(e.getBody()).toBe('nosuchcmd: Command not found!\n');
    await api('bgapi echo fine');
    expect((await c.event()).getBody()).toBe('fine');
    expect(await api('bgapi')).toBe('-ERR Invalid syntax\n');
  });

  it('the BACKGROUND_JOB of a slow job comes when the job ends, after its reply', async () => {
    await c.text('event plain BACKGROUND_JOB');
    const r = await c.send('bgapi msleep 5000');
    await new Promise((res) => setImmediate(res));
    expect(c.unread).toHaveLength(0);
    clock.advance(5000);
    const e = await c.event();
    expect(e.getHeader('Job-UUID')).toBe(r.headers.get('Job-UUID'));
    expect(e.getBody()).toBe('+OK');
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

