/**
 * The adapters, by name. Add a library here and in bench/README.md. Each entry is loaded
 * lazily, in the child process that runs it, so a library is only ever imported alone.
 */
import type { Adapter } from '../core/types.js';

export const ADAPTERS: Record<string, () => Promise<{ default: Adapter }>> = {
  rxesl: () => import('./rxesl.js'),
  'rxesl-modesl': () => import('./rxesl-modesl.js'),
  'rxesl-protocol': () => import('./rxesl-protocol.js'),
  modesl: () => import('./modesl.js'),
  'drachtio-modesl': () => import('./drachtio-modesl.js'),
  esl: () => import('./esl.js'),
  'esl-lite': () => import('./esl-lite.js'),
  raw: () => import('./raw.js'),
  framer: () => import('./framer.js'),
  'framer-json': () => import('./framer-json.js'),
};

export async function loadAdapter(name: string): Promise<Adapter> {
  const load = ADAPTERS[name];
  if (!load) throw new Error(`unknown library ${JSON.stringify(name)} (known: ${Object.keys(ADAPTERS).join(', ')})`);
  return (await load()).default;
}
