/**
 * What every example shares: where the switch is, and whether the file was run directly.
 *
 * Examples talk to ESL_HOST:ESL_PORT with ESL_PASSWORD (default 127.0.0.1:8021, ClueCon: the
 * demo switch of `npm start`, or a real FreeSWITCH). Run one with `--demo` to start a
 * FakeSwitch with simulated traffic in the same process instead: one command, nothing else.
 */
import { pathToFileURL } from 'node:url';
import { type ConnectionOptions, describeError } from 'rxesl';
import { FakeSwitch, type FakeSwitchOptions } from 'rxesl/testing';

/** True when this module is the script node/tsx was started with. */
export function isMain(meta: ImportMeta): boolean {
  return process.argv[1] !== undefined && meta.url === pathToFileURL(process.argv[1]).href;
}

/**
 * Runs `main` when this module is the script that was started (not when a test imports it):
 * an error is printed as one line and the exit code is 1.
 */
export function runWhenMain(meta: ImportMeta, main: () => Promise<void>): void {
  if (!isMain(meta)) return;
  main().catch((err: unknown) => {
    console.error(explain(err));
    process.exitCode = 1;
  });
}

/**
 * An error as one line for whoever runs the example, with what to check:
 * `cannot connect to 127.0.0.1:8021: connection refused (is FreeSWITCH running, with
 * mod_event_socket on that port?)`, not a bare ECONNREFUSED.
 */
export function explain(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  return describeError(err, { ...eslOptions(env), credentials: 'ESL_PASSWORD' });
}

/** Connection options from the environment (fs_cli's defaults). */
export function eslOptions(env: NodeJS.ProcessEnv = process.env): Required<Pick<ConnectionOptions, 'host' | 'port' | 'password'>> {
  return {
    host: env.ESL_HOST ?? '127.0.0.1',
    port: Number(env.ESL_PORT ?? 8021),
    password: env.ESL_PASSWORD ?? 'ClueCon',
  };
}

/**
 * With `--demo` on the command line: starts a FakeSwitch (with the given options and setup)
 * and returns options pointing at it, and a stop function. Without: the environment's switch.
 */
export async function switchFor(
  argv: readonly string[] = process.argv,
  setup?: (fake: FakeSwitch) => unknown,
  fakeOptions: Omit<FakeSwitchOptions, 'password'> = {},
): Promise<{ options: ReturnType<typeof eslOptions>; stop: () => Promise<void> }> {
  if (!argv.includes('--demo')) return { options: eslOptions(), stop: async () => {} };
  const fake = await FakeSwitch.start({ ...fakeOptions, password: 'ClueCon' });
  // A setup may be async (it is waited for) or return anything (a remover, say: ignored).
  await setup?.(fake);
  return { options: { host: fake.host, port: fake.port, password: 'ClueCon' }, stop: () => fake.stop() };
}
