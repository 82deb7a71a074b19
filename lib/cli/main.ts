/**
 * The `rxesl` command (bin/rxesl.js runs the built copy of this file; `npm start` runs it
 * with tsx). Everything else is in run.ts; this file only binds it to the process.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeError } from './describe-error.js';
import { runCli } from './run.js';

/** The version in rxesl's package.json, found above the script that was started. */
function packageVersion(): string {
  let dir: string;
  try {
    dir = dirname(realpathSync(process.argv[1] ?? '.'));
  } catch {
    return 'unknown';
  }
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rxesl' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look further up.
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'unknown';
}

// Whatever escapes (a bug, a broken pipe): one line, never a stack trace, unless RXESL_DEBUG is set.
const fatal = (err: unknown): void => {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') process.exit(0);
  process.stderr.write(process.env.RXESL_DEBUG ? `${(err as Error)?.stack ?? String(err)}\n` : `rxesl: ${describeError(err)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
// The reader of our output went away (`rxesl -x ... | head -1`): nothing left to say.
process.stdout.on('error', fatal);

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  version: packageVersion(),
  onSignal: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
}).then(
  // Everything is closed by now; exit at once rather than wait for stdin to let go.
  (code) => process.exit(code),
  fatal,
);
