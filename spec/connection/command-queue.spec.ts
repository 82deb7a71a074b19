/**
 * CommandQueue on its own (no socket): replies are matched first in, first out; an abandoned
 * command still owns its reply; a command's clock starts at the head of the queue; failAll
 * fails every waiting command once. TargetCommand is the plain way to queue a command.
 */
import { describe, expect, it } from 'vitest';
import { EslDisconnectedError, EslTimeoutError, Frame, FrameHeaders } from 'rxesl';
import { CommandQueue, TargetCommand, type Timers } from '../../lib/connection/command-queue';

function reply(text: string): Frame {
  return new Frame(new FrameHeaders([['Content-Type', 'command/reply'], ['Reply-Text', text]]), Buffer.alloc(0), 'command/reply');
}

function recorder() {
  const log: string[] = [];
  const target = (name: string) => ({
    reply: (f: Frame) => log.push(`${name} <- ${f.headers.get('Reply-Text')}`),
    fail: (e: Error) => log.push(`${name} !! ${e.name}`),
  });
  return { log, target };
}

/** Timers run by hand. */
function manualTimers(): Timers & { fire(): void; armed: number } {
  const timers = new Map<number, () => void>();
  let id = 0;
  return {
    setTimeout: (fn) => (timers.set(++id, fn), id),
    clearTimeout: (h) => void timers.delete(h as number),
    fire() {
      const all = [...timers.values()];
      timers.clear();
      for (const fn of all) fn();
    },
    get armed() {
      return timers.size;
    },
  };
}

describe('CommandQueue', () => {
  it('gives each reply to the oldest command, and reports a reply nobody asked for', () => {
    const q = new CommandQueue();
    const { log, target } = recorder();
    q.push(new TargetCommand('api one', undefined, undefined, target('one')));
    q.push(new TargetCommand('api two', undefined, undefined, target('two')));
    expect(q.size).toBe(2);
    expect(q.reply(reply('+OK 1'))).toBe(true);
    expect(q.reply(reply('+OK 2'))).toBe(true);
    expect(q.reply(reply('+OK 3'))).toBe(false);
    expect(log).toEqual(['one <- +OK 1', 'two <- +OK 2']);
    expect(q.size).toBe(0);
  });

  it('an abandoned command keeps its place: its reply is consumed and dropped; hooks still see it', () => {
    const q = new CommandQueue();
    const { log, target } = recorder();
    const replied: string[] = [];
    const first = q.push(new TargetCommand('event plain ALL', undefined, { replied: (f) => replied.push(f.headers.get('Reply-Text')!) }, target('first')));
    q.push(new TargetCommand('api two', undefined, undefined, target('two')));
    first.unsubscribe();
    expect(q.waiting).toBe(1);
    expect(q.size).toBe(2);
    q.reply(reply('+OK event listener enabled plain'));
    q.reply(reply('+OK 2'));
    expect(log).toEqual(['two <- +OK 2']);
    expect(replied).toEqual(['+OK event listener enabled plain']);
  });

  it("starts a command's clock at the head of the queue; a timed-out command's late reply is still consumed", () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    q.push(new TargetCommand('api slow', undefined, undefined, target('slow')));
    q.push(new TargetCommand('nolog', 1000, undefined, target('nolog')));
    expect(timers.armed).toBe(0); // nolog waits behind an api without a timeout
    q.reply(reply('+OK slow'));
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(log).toEqual(['slow <- +OK slow', 'nolog !! EslTimeoutError']);
    q.push(new TargetCommand('api after', undefined, undefined, target('after')));
    q.reply(reply('+OK no logs')); // the late reply of nolog
    q.reply(reply('+OK after'));
    expect(log).toEqual(['slow <- +OK slow', 'nolog !! EslTimeoutError', 'after <- +OK after']);
  });

  it('failAll fails every waiting command once, runs the lost hooks, and empties the queue', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    let lost = 0;
    const hooks = { lost: () => lost++ };
    q.push(new TargetCommand('api a', 5000, hooks, target('a')));
    const b = q.push(new TargetCommand('api b', undefined, hooks, target('b')));
    q.push(new TargetCommand('api c', undefined, undefined, target('c')));
    b.unsubscribe();
    const errors: Error[] = [];
    q.failAll((label) => {
      const e = new EslDisconnectedError(`gone: ${label}`, label);
      errors.push(e);
      return e;
    });
    expect(log).toEqual(['a !! EslDisconnectedError', 'c !! EslDisconnectedError']);
    expect(errors.map((e) => e.message)).toEqual(['gone: api a', 'gone: api c']);
    expect(lost).toBe(2);
    expect(timers.armed).toBe(0);
    expect(q.size).toBe(0);
    expect(q.reply(reply('+OK'))).toBe(false);
  });

  it('commands that all time out against a silent server fail one after another: each clock starts when the one before runs out', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    for (const name of ['a', 'b', 'c']) q.push(new TargetCommand(`api ${name}`, 1000, undefined, target(name)));
    for (let i = 0; i < 3; i++) {
      expect(timers.armed).toBe(1);
      timers.fire();
    }
    expect(log).toEqual(['a !! EslTimeoutError', 'b !! EslTimeoutError', 'c !! EslTimeoutError']);
    expect(timers.armed).toBe(0);
  });

  it('the head given up on passes its clock to the next command', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    const a = q.push(new TargetCommand('api a', 1000, undefined, target('a')));
    q.push(new TargetCommand('api b', 1000, undefined, target('b')));
    a.unsubscribe();
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(log).toEqual(['b !! EslTimeoutError']);
  });

  it('a reply starts the clock of the first command still waited for, past the ones given up on', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    q.push(new TargetCommand('api a', 1000, undefined, target('a')));
    const b = q.push(new TargetCommand('api b', 1000, undefined, target('b')));
    q.push(new TargetCommand('api c', 1000, undefined, target('c')));
    b.unsubscribe();
    q.reply(reply('+OK a'));
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(log).toEqual(['a <- +OK a', 'c !! EslTimeoutError']);
  });

  it('a command written after the head timed out gets its clock at once (the late reply may never come)', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    q.push(new TargetCommand('api a', 1000, undefined, target('a')));
    timers.fire();
    q.push(new TargetCommand('api b', 1000, undefined, target('b')));
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(log).toEqual(['a !! EslTimeoutError', 'b !! EslTimeoutError']);
  });

  it('a command still waited for without a timeout holds the clocks of the ones behind it', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    const { log, target } = recorder();
    q.push(new TargetCommand('api a', 1000, undefined, target('a')));
    q.push(new TargetCommand('api originate', undefined, undefined, target('originate')));
    q.push(new TargetCommand('api c', 1000, undefined, target('c')));
    timers.fire();
    expect(timers.armed).toBe(0); // the originate may take a minute: it does not count against c
    q.reply(reply('+OK late a'));
    expect(timers.armed).toBe(0);
    q.reply(reply('+OK originated'));
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(log).toEqual(['a !! EslTimeoutError', 'originate <- +OK originated', 'c !! EslTimeoutError']);
  });

  it('a timeout error names the command and the time', () => {
    const timers = manualTimers();
    const q = new CommandQueue(timers);
    let err: unknown;
    q.push(new TargetCommand('linger 10', 250, undefined, { reply: () => {}, fail: (e) => (err = e) }));
    timers.fire();
    expect(err).toBeInstanceOf(EslTimeoutError);
    expect(err).toMatchObject({ message: 'no reply to "linger 10" within 250 ms' });
  });
});
