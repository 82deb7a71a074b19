import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, found from this file whether it runs from bench/ or from a bundle in bench/out/build/. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'spec', 'fixtures'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`bench: no repository root above ${__dirname}`);
    dir = up;
  }
}
