/**
 * F1 to F12: fs_cli's bindings (libs/esl/fs_cli.c, set_fn_keys), the sequences terminals send
 * for them as readline reads them, and fs_cli's key_F<n> / key_toggle_F<n> as environment
 * variables.
 */
import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FS_CLI_KEYS, FunctionKeys, functionKeyNumber } from '../../lib/cli/function-keys';

/** The function key numbers readline reports for what a terminal sent. */
async function keysOf(sequence: string): Promise<Array<number | undefined>> {
  const input = new PassThrough();
  readline.emitKeypressEvents(input);
  const seen: Array<number | undefined> = [];
  input.on('keypress', (_s, key) => seen.push(functionKeyNumber(key)));
  input.write(sequence);
  await new Promise((r) => setImmediate(r));
  return seen;
}

describe('function keys', () => {
  it("binds fs_cli's twelve commands", () => {
    expect(FS_CLI_KEYS).toEqual([
      'help',
      'status',
      'show channels',
      'show calls',
      'sofia status',
      'reloadxml',
      '/log console',
      '/log debug',
      'sofia status profile internal',
      'fsctl pause',
      'fsctl resume',
      'version',
    ]);
    const keys = FunctionKeys.fromEnv({});
    expect(Array.from({ length: 12 }, (_, i) => keys.press(i + 1))).toEqual(FS_CLI_KEYS);
  });

  it('reads the keys as xterm, VT220 and the Linux console send them, and no other key', async () => {
    // xterm: SS3 P..S for F1-F4, CSI n ~ for F5-F12; VT220/rxvt: CSI 11..14 ~ for F1-F4; Linux console: CSI [ A..E.
    expect(await keysOf('\x1bOP\x1bOQ\x1bOR\x1bOS')).toEqual([1, 2, 3, 4]);
    expect(await keysOf('\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~')).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await keysOf('\x1b[11~\x1b[12~\x1b[13~\x1b[14~')).toEqual([1, 2, 3, 4]);
    expect(await keysOf('\x1b[[A\x1b[[E')).toEqual([1, 5]);
    // Shift-F1, Ctrl-F5, a letter, an arrow: not fs_cli's keys.
    expect(await keysOf('\x1b[1;2P\x1b[15;5~f\x1b[A')).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('takes RXESL_KEY_F<n> and RXESL_KEY_TOGGLE_F<n> as fs_cli takes key_F<n> and key_toggle_F<n>', () => {
    const keys = FunctionKeys.fromEnv({ RXESL_KEY_F2: ' show registrations ', RXESL_KEY_F3: '', RXESL_KEY_F7: '/log info', RXESL_KEY_TOGGLE_F7: '/nolog' });
    expect(keys.press(2)).toBe('show registrations');
    // Empty: unbound.
    expect(keys.press(3)).toBeUndefined();
    // A toggle: the command, then the toggle, on every other press.
    expect([keys.press(7), keys.press(7), keys.press(7)]).toEqual(['/log info', '/nolog', '/log info']);
    expect(keys.bindings[6]).toEqual({ key: 7, command: '/log info', toggle: '/nolog' });
    // A toggle without a command is not bound, as in fs_cli.
    expect(FunctionKeys.fromEnv({ RXESL_KEY_F1: '', RXESL_KEY_TOGGLE_F1: 'status' }).press(1)).toBeUndefined();
    expect(keys.press(13)).toBeUndefined();
  });
});
