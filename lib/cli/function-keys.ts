/**
 * F1 to F12 at the prompt, as fs_cli binds them. fs_cli (libs/esl/fs_cli.c, set_fn_keys) runs
 * a command line for each key, the same line typed would run (an api command, or a console
 * command for `/log ...`); its configuration changes one with `key_F<n>` and adds a second
 * command with `key_toggle_F<n>`, run on every other press. Here the environment does what
 * its configuration file does: RXESL_KEY_F<n> and RXESL_KEY_TOGGLE_F<n>.
 */

/** fs_cli's bindings, F1 first. */
export const FS_CLI_KEYS: readonly string[] = [
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
];

type Env = Readonly<Record<string, string | undefined>>;

/** One key's binding. */
export interface FunctionKey {
  /** 1 to 12. */
  key: number;
  /** The line it runs; undefined when unbound. */
  command: string | undefined;
  /** The line it runs on every other press, if any. */
  toggle: string | undefined;
}

/** What each function key runs, and which of a toggling key's two commands comes next. */
export class FunctionKeys {
  readonly #keys: FunctionKey[];
  /** Per key: the last press ran its first command, so a toggle runs next. */
  readonly #toggled: boolean[] = new Array<boolean>(12).fill(false);

  constructor(keys: readonly FunctionKey[]) {
    this.#keys = keys.map((k) => ({ ...k }));
  }

  /** fs_cli's bindings, changed by RXESL_KEY_F<n> (empty: unbound) and RXESL_KEY_TOGGLE_F<n>. */
  static fromEnv(env: Env): FunctionKeys {
    return new FunctionKeys(
      FS_CLI_KEYS.map((command, i) => {
        const own = env[`RXESL_KEY_F${i + 1}`];
        const toggle = env[`RXESL_KEY_TOGGLE_F${i + 1}`];
        return { key: i + 1, command: own === undefined ? command : own.trim() || undefined, toggle: toggle?.trim() || undefined };
      }),
    );
  }

  /** The line key `n` runs now (toggling as fs_cli does); undefined when it is not bound. */
  press(n: number): string | undefined {
    const k = this.#keys[n - 1];
    if (!k) return undefined;
    if (k.toggle !== undefined && this.#toggled[n - 1]) {
      this.#toggled[n - 1] = false;
      return k.toggle;
    }
    if (k.command === undefined) return undefined;
    this.#toggled[n - 1] = true;
    return k.command;
  }

  /** The bindings, F1 first. */
  get bindings(): readonly FunctionKey[] {
    return this.#keys.map((k) => ({ ...k }));
  }
}

/** The key number of a keypress readline reported (`f1`...`f12`, no modifier); undefined for any other key. */
export function functionKeyNumber(key: { name?: string; ctrl?: boolean; meta?: boolean; shift?: boolean } | undefined): number | undefined {
  if (!key || key.ctrl || key.meta || key.shift) return undefined;
  const m = /^f([1-9]|1[0-2])$/.exec(key.name ?? '');
  return m ? Number(m[1]) : undefined;
}
