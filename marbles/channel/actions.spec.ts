/**
 * Channel actions on a virtual clock: the command each one sends, when it completes, what it
 * gives back, and how a hangup (or the socket FreeSWITCH closes after one) ends it.
 */
import { concatMap, distinctUntilChanged, map, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel, type ChannelSnapshot, EslEvent, EslHangupError, type BridgeProgress } from 'rxesl';
import { VirtualConnection } from 'rxesl/testing';
import { scheduler } from '../helpers';
import { B, call, held } from './helpers';

const hungUp = (uuid: string, what: string, cause?: string) =>
  new EslHangupError(uuid, cause, `channel ${uuid} hung up before ${what} completed (${cause ?? 'unknown cause'})`);

const progress = (p: BridgeProgress): string =>
  p.kind === 'ringing'
    ? `ringing${p.early ? ' early' : ''}`
    : p.kind === 'bridged'
      ? `bridged ${p.otherLeg === B ? 'B' : p.otherLeg}`
      : `result ${p.bridged} ${p.otherLeg === B ? 'B' : (p.otherLeg ?? '-')} ${p.disposition} ${p.hangupCause}`;

describe('Channel actions', () => {
  it('answer: execute answer, completes on its CHANNEL_EXECUTE_COMPLETE', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { answer: 3 } });
      const commands = 'a';
      const answered = '---(a|)';
      expectObservable(ch.answer().pipe(map((r) => r.application))).toBe(answered, { a: 'answer' });
      expectObservable(vc.commands$).toBe(commands, { a: 'execute answer' });
    });
  });

  it('playback: the Application-Response when the file has played', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { playback: { duration: 10, response: 'FILE PLAYED' } } });
      const commands = 'p';
      const played = '  ----------(r|)';
      expectObservable(ch.playback('ivr/welcome.wav').pipe(map((r) => r.response))).toBe(played, { r: 'FILE PLAYED' });
      expectObservable(vc.commands$).toBe(commands, { p: 'execute playback ivr/welcome.wav' });
    });
  });

  it('playback with terminators: set playback_terminators first, and the key that stopped it', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { playback: { duration: 4, response: 'FILE PLAYED', variables: { playback_terminator_used: '#' } } } });
      const commands = '(sp)';
      const stopped = ' ----(t|)';
      expectObservable(ch.playback('long.wav', { terminators: '#' }).pipe(map((r) => r.terminator))).toBe(stopped, { t: '#' });
      expectObservable(vc.commands$).toBe(commands, { s: 'execute set playback_terminators=#', p: 'execute playback long.wav' });
    });
  });

  it('a hangup in the middle of a playback fails it with EslHangupError, at the hangup, and leaves nothing behind', () => {
    let ch!: Channel;
    scheduler().run(({ cold, expectObservable }) => {
      const c = call({ applications: { playback: { duration: 50, response: 'FILE PLAYED' } } });
      ch = c.ch;
      const hangup = cold('-----x');
      const failed = '     -----#';
      hangup.subscribe(() => c.vc.hangup('NORMAL_CLEARING'));
      expectObservable(ch.playback('ivr/welcome.wav')).toBe(failed, undefined, hungUp(ch.uuid, 'playback', 'NORMAL_CLEARING'));
    });
    expect(held(ch)).toEqual({ waiters: 0, views: 0 });
  });

  it('FreeSWITCH closing the socket mid-playback (no hangup event seen) is a hangup too', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { playback: 50 } });
      const disconnect = cold('-----x');
      const failed = '         -----#';
      disconnect.subscribe(() => vc.disconnect());
      expectObservable(ch.playback('ivr/welcome.wav')).toBe(failed, undefined, hungUp(ch.uuid, 'playback'));
    });
  });

  it('an action after the hangup fails at once, and sends nothing', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call();
      const hangup = cold('--x');
      const failed = '     -----#';
      const commands = '   ';
      hangup.subscribe(() => vc.hangup('USER_BUSY'));
      expectObservable(timer(5).pipe(concatMap(() => ch.playback('a.wav')))).toBe(failed, undefined, hungUp(ch.uuid, 'playback', 'USER_BUSY'));
      expectObservable(vc.commands$).toBe(commands);
    });
  });

  it('playAndGetDigits: the prompt, the digits entered, read_result', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { play_and_get_digits: { duration: 30, digits: '42' } } });
      const commands = 'm';
      const keys = '    ------------------------------(42)';
      const entered = ' ------------------------------(d|)';
      const digits = ch.playAndGetDigits({ file: 'ivr/menu.wav', min: 1, max: 4 }).pipe(map((r) => `${r.digits} ${r.result}`));
      expectObservable(digits).toBe(entered, { d: '42 success' });
      expectObservable(ch.dtmf$).toBe(keys);
      expectObservable(vc.commands$).toBe(commands, { m: 'execute play_and_get_digits 1 4 3 5000 # ivr/menu.wav silence_stream://250 rxesl_digits \\d+ 5000' });
    });
  });

  it('read: nothing entered gives empty digits and read_result timeout', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { read: 20 } });
      const commands = 'r';
      const entered = ' --------------------(d|)';
      const digits = ch.read({ file: 'ivr/pin.wav', min: 4, max: 4, variable: 'pin', timeout: 3000 }).pipe(map((r) => `[${r.digits}] ${r.result}`));
      expectObservable(digits).toBe(entered, { d: '[] timeout' });
      expectObservable(vc.commands$).toBe(commands, { r: 'execute read 4 4 ivr/pin.wav pin 3000 #' });
    });
  });

  it('say: module, type, method, text', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { say: 7 } });
      const commands = 's';
      const said = '    -------(s|)';
      expectObservable(ch.say('42').pipe(map((r) => r.application))).toBe(said, { s: 'say' });
      expectObservable(vc.commands$).toBe(commands, { s: 'execute say en number pronounced 42' });
    });
  });

  it('record: the file, its length and why it stopped', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({
        applications: { record: { duration: 45, variables: { record_ms: '4500', record_seconds: '4', record_completion_cause: 'success-terminator' } } },
      });
      const commands = 'r';
      const recorded = '---------------------------------------------(r|)';
      const rec = ch.record('/tmp/msg.wav', { limit: 30 }).pipe(map((r) => `${r.file} ${r.ms} ${r.seconds} ${r.cause}`));
      expectObservable(rec).toBe(recorded, { r: '/tmp/msg.wav 4500 4 success-terminator' });
      expectObservable(vc.commands$).toBe(commands, { r: 'execute record /tmp/msg.wav 30' });
    });
  });

  it('bridge: ringing, then bridged (the other leg), then the result when the bridge is over', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { bridge: { duration: 40, bridge: { ringAfter: 5, answerAfter: 10, otherLeg: B } } } });
      const commands = 'b';
      const steps = '   -----r----b-----------------------------(x|)';
      expectObservable(ch.bridge('user/1001').pipe(map(progress))).toBe(steps, {
        r: 'ringing',
        b: 'bridged B',
        x: 'result true B SUCCESS NORMAL_CLEARING',
      });
      expectObservable(vc.commands$).toBe(commands, { b: 'execute bridge user/1001' });
    });
  });

  it('bridge that fails: the originate disposition, with continue_on_fail set first', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { bridge: { bridge: { ringAfter: 5, answerAfter: 20, failCause: 'USER_BUSY' } } } });
      const commands = '(cb)';
      const steps = '   -----r--------------(x|)';
      expectObservable(ch.bridge('user/1001', { continueOnFail: true }).pipe(map(progress))).toBe(steps, {
        r: 'ringing',
        x: 'result false - USER_BUSY USER_BUSY',
      });
      expectObservable(vc.commands$).toBe(commands, { c: 'execute set continue_on_fail=true', b: 'execute bridge user/1001' });
    });
  });

  it('bridge: a hangup before the far end answers fails it with EslHangupError', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { bridge: { duration: 100, bridge: { ringAfter: 2, answerAfter: 10, otherLeg: B } } } });
      const hangup = cold('----x');
      const steps = '      --r-#';
      hangup.subscribe(() => vc.hangup('ORIGINATOR_CANCEL'));
      expectObservable(ch.bridge('user/1001').pipe(map(progress))).toBe(steps, { r: 'ringing' }, hungUp(ch.uuid, 'bridge', 'ORIGINATOR_CANCEL'));
    });
  });

  it('bridge: once bridged, the end of the call ends the bridge: the result, not EslHangupError (here the caller hangs up, and no completion comes)', () => {
    let ch!: Channel;
    scheduler().run(({ cold, expectObservable }) => {
      const c = call({ applications: { bridge: { duration: 100, bridge: { answerAfter: 3, otherLeg: B } } } });
      ch = c.ch;
      const hangup = cold('--------x');
      const steps = '      ---b----(r|)';
      hangup.subscribe(() => c.vc.hangup('NORMAL_CLEARING'));
      // No completion: the result is read from the hangup event (no variables here), `completion` is undefined.
      const result = ch.bridge('user/1001').pipe(map((p) => (p.kind === 'result' ? `${progress(p)} ${p.completion === undefined ? 'no completion' : 'completion'}` : progress(p))));
      expectObservable(result).toBe(steps, { b: 'bridged B', r: 'result true B undefined undefined no completion' });
    });
    expect(held(ch)).toEqual({ waiters: 0, views: 0 });
  });

  it('bridge with hangupAfterBridge: FreeSWITCH hangs the caller up when the far end leaves, before the completion: bridged, then the result', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // FreeSWITCH's order (switch_ivr_multi_threaded_bridge, then switch_core_session_exec):
      // CHANNEL_UNBRIDGE, the caller's CHANNEL_HANGUP inside the bridge application, the
      // application's CHANNEL_EXECUTE_COMPLETE when it returns, then CHANNEL_HANGUP_COMPLETE.
      const hangupHeaders = { 'Hangup-Cause': 'NORMAL_CLEARING', 'Channel-Call-State': 'HANGUP', 'Answer-State': 'hangup' };
      const { vc, ch } = call({
        applications: { bridge: { duration: 10, bridge: { answerAfter: 3, otherLeg: B }, events: [{ after: 10, name: 'CHANNEL_HANGUP', headers: hangupHeaders }] } },
      });
      const complete = cold('-----------x');
      const commands = '     (sb)';
      const steps = '        ---b------(r|)';
      const cause = '        ----------(c|)';
      complete.subscribe(() => vc.send(vc.channelEvent('CHANNEL_HANGUP_COMPLETE', { 'Hangup-Cause': 'NORMAL_CLEARING' })));
      const result = ch.bridge('user/1001', { hangupAfterBridge: true }).pipe(map((p) => (p.kind === 'result' ? `${progress(p)} ${p.completion?.application}` : progress(p))));
      expectObservable(result).toBe(steps, { b: 'bridged B', r: 'result true B SUCCESS NORMAL_CLEARING bridge' });
      expectObservable(vc.commands$).toBe(commands, { s: 'execute set hangup_after_bridge=true', b: 'execute bridge user/1001' });
      expectObservable(ch.hangup$.pipe(map((h) => h.cause))).toBe(cause, { c: 'NORMAL_CLEARING' });
    });
  });

  it('bridge, hung up after the far end left, and the socket closes before the completion (no linger): the result from the hangup event', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { bridge: { duration: 100, bridge: { answerAfter: 3, otherLeg: B } } } });
      const end = cold('--------x');
      const steps = '   ---b----(r|)';
      end.subscribe(() => {
        // The caller's CHANNEL_HANGUP carries the channel's variables, the bridge's included.
        vc.send(vc.channelEvent('CHANNEL_HANGUP', { 'Hangup-Cause': 'NORMAL_CLEARING', variable_originate_disposition: 'SUCCESS', variable_bridge_hangup_cause: 'NORMAL_CLEARING' }));
        vc.disconnect();
      });
      const result = ch.bridge('user/1001', { hangupAfterBridge: true }).pipe(map((p) => (p.kind === 'result' ? `${progress(p)} ${p.completion === undefined ? 'no completion' : 'completion'}` : progress(p))));
      expectObservable(result).toBe(steps, { b: 'bridged B', r: 'result true B SUCCESS NORMAL_CLEARING no completion' });
    });
  });

  it('transfer: completes on its completion; the socket stays with the call', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { transfer: 2, answer: 1 } });
      const hangup = cold('------x');
      const commands = '   t-a';
      const answered = '   ---(a|)';
      const cause = '      ------(c|)';
      hangup.subscribe(() => vc.hangup());
      const flow = ch.transfer('2000', 'XML', 'default').pipe(concatMap(() => ch.answer()));
      expectObservable(flow.pipe(map((r) => r.application))).toBe(answered, { a: 'answer' });
      expectObservable(vc.commands$).toBe(commands, { t: 'execute transfer 2000 XML default', a: 'execute answer' });
      expectObservable(ch.hangup$.pipe(map((h) => h.cause))).toBe(cause, { c: 'NORMAL_CLEARING' });
    });
  });

  it('hold and unhold: CHANNEL_HOLD / CHANNEL_UNHOLD fold into the state', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { hold: 2, unhold: 2 } });
      const commands = 'h-u';
      const holding = ' f-t-f';
      const unheld = '  ----(u|)';
      const flow = ch.hold().pipe(concatMap(() => ch.unhold()));
      expectObservable(flow.pipe(map((r) => r.application))).toBe(unheld, { u: 'unhold' });
      expectObservable(ch.state$.pipe(map((s) => s.held), distinctUntilChanged())).toBe(holding, { f: false, t: true });
      expectObservable(vc.commands$).toBe(commands, { h: 'execute hold', u: 'execute unhold' });
    });
  });

  it('hangup(cause): completes once the channel is down, and a pending playback fails', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { playback: 50 } });
      const hangupAt = cold('----(x|)');
      const commands = '     p---h';
      const played = '       ----#';
      const cause = '        ----(c|)';
      const play = ch.playback('a.wav');
      const hangup = hangupAt.pipe(concatMap(() => ch.hangup('USER_BUSY')));
      expectObservable(play).toBe(played, undefined, hungUp(ch.uuid, 'playback', 'USER_BUSY'));
      expectObservable(hangup.pipe(map((h) => h.cause))).toBe(cause, { c: 'USER_BUSY' });
      expectObservable(vc.commands$).toBe(commands, { p: 'execute playback a.wav', h: 'hangup USER_BUSY' });
    });
  });

  it('hangup() on a channel that is down already completes at once and sends nothing', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call();
      const hangup = cold('-x');
      const cause = '      ---(c|)';
      const commands = '   ';
      hangup.subscribe(() => vc.hangup('NO_ANSWER'));
      expectObservable(timer(3).pipe(concatMap(() => ch.hangup()), map((h) => h.cause))).toBe(cause, { c: 'NO_ANSWER' });
      expectObservable(vc.commands$).toBe(commands);
    });
  });

  it('setVar then getVar: set on the channel, getvar on the own channel', () => {
    scheduler().run(({ expectObservable }) => {
      const { vc, ch } = call({ applications: { set: 1 } });
      const commands = 's(gh)';
      const values = '  -(v|)';
      const flow = ch.setVar('language', 'fr').pipe(
        concatMap(() => ch.getVar('language')),
        concatMap((lang) => ch.getVar('unset_thing').pipe(map((other) => `${lang} ${other}`))),
      );
      expectObservable(flow).toBe(values, { v: 'fr undefined' });
      expectObservable(vc.commands$).toBe(commands, { s: 'execute set language=fr', g: 'getvar language', h: 'getvar unset_thing' });
    });
  });

  it('a channel named by uuid (inbound form): sendmsg <uuid>, uuid_getvar', () => {
    scheduler().run(({ expectObservable }) => {
      const vc = new VirtualConnection({ applications: { answer: 2 }, api: { uuid_getvar: (args) => (args === `${B} language` ? 'de\n' : '_undef_\n') } });
      const other = new Channel(vc.connection, B); // (Channel.of would ask for its uuid_dump first)
      const commands = 'a-g';
      const language = '--(l|)';
      expectObservable(other.answer().pipe(concatMap(() => other.getVar('language')))).toBe(language, { l: 'de' });
      expectObservable(vc.commands$).toBe(commands, { a: 'execute answer', g: `api uuid_getvar ${B} language` });
    });
    // (the virtual switch runs every application on its own call; only the line names B)
  });

  it('Channel.of(conn, uuid) on a live call: uuid_dump <uuid> json at once, and state$ starts from the dump', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // What uuid_dump gives: the channel's CHANNEL_DATA, here as JSON (mod_commands.c, uuid_dump_function).
      const dump = JSON.stringify({
        'Event-Name': 'CHANNEL_DATA',
        'Unique-ID': B,
        'Channel-State': 'CS_EXECUTE',
        'Channel-Call-State': 'ACTIVE',
        'Answer-State': 'answered',
        'Caller-Caller-ID-Number': '1001',
        variable_language: 'de',
      });
      const vc = new VirtualConnection({ replyDelay: 3, api: { uuid_dump: (args) => (args === `${B} json` ? dump : '-ERR No such channel!\n') } });
      // An event of the channel before the dump's reply: folded in, but state$ waits for the dump.
      cold('-x').subscribe(() => vc.send(new EslEvent({ 'Event-Name': 'CHANNEL_EXECUTE', 'Unique-ID': B, Application: 'playback' })));
      const other = Channel.of(vc.connection, B);
      const commands = 'd';
      const states = '  ---s';
      const state = map((x: ChannelSnapshot) => `${x.answered} ${x.callState} ${x.callerIdNumber} ${x.application} ${x.variables.language}`);
      expectObservable(vc.commands$).toBe(commands, { d: `api uuid_dump ${B} json` });
      expectObservable(other.state$.pipe(state)).toBe(states, { s: 'true ACTIVE 1001 playback de' });
    });
  });

  it('Channel.of(conn, uuid) of no channel (yet: an origination_uuid): state$ starts blank at the -ERR, and follows it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const vc = new VirtualConnection({ replyDelay: 2, api: { uuid_dump: () => '-ERR No such channel!\n' } });
      cold('----x').subscribe(() => vc.send(new EslEvent({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': B, 'Answer-State': 'answered' })));
      const other = Channel.of(vc.connection, B);
      const states = '  --b-a';
      expectObservable(other.state$.pipe(map((x) => `${x.answered} ${x.lastEvent}`))).toBe(states, { b: 'false undefined', a: 'true CHANNEL_ANSWER' });
    });
  });

  it('breakMedia: api uuid_break, and the playback completes at once', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const { vc, ch } = call({ applications: { playback: { duration: 100, response: 'FILE PLAYED' } } });
      const breakAt = cold('------x');
      const commands = '    p-----b';
      const played = '      ------(r|)';
      breakAt.subscribe(() => ch.breakMedia().subscribe());
      expectObservable(ch.playback('local_stream://moh').pipe(map((r) => r.response))).toBe(played, { r: 'FILE PLAYED' });
      expectObservable(vc.commands$).toBe(commands, { p: 'execute playback local_stream://moh', b: `api uuid_break ${ch.uuid}` });
    });
  });

  it('nothing is left behind: after an action only the channel is followed; after the hangup, nothing', () => {
    const ts = scheduler();
    const { vc, ch } = ts.run(() => call({ applications: { playback: 10 } }));
    ts.run(({ expectObservable }) => {
      const played = '----------(p|)';
      expectObservable(ch.playback('a.wav').pipe(map((r) => r.completion.application))).toBe(played, { p: 'playback' });
    });
    expect(held(ch)).toEqual({ waiters: 0, views: 1 });
    vc.hangup();
    expect(held(ch)).toEqual({ waiters: 0, views: 0 });
    expect(ch.ended).toBe(true);
  });

  it('unsubscribing an action releases its waiters and views', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const { ch } = call({ applications: { bridge: { duration: 100, bridge: { answerAfter: 3 } } } });
      const unsubscribed = '^----!';
      const steps = '       ---b-';
      expectObservable(ch.bridge('user/1001').pipe(map((p) => p.kind)), unsubscribed).toBe(steps, { b: 'bridged' });
      timer(6).subscribe(() => expect(held(ch)).toEqual({ waiters: 0, views: 1 }));
    });
  });
});
