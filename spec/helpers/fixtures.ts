/**
 * The captured FreeSWITCH 1.10.12 sessions in spec/fixtures/fs-1.10.12 (see its README.txt):
 * exact server bytes (s2c.bin), client bytes (c2s.bin), the natural chunking (transcript.jsonl)
 * and an independent reference parse (frames.json).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'fs-1.10.12');

export interface FixtureFrame {
  index: number;
  offset: number;
  length: number;
  contentType: string | null;
  headers: Record<string, string | string[]>;
  bodyLength: number;
  bodySha256: string;
  bodyText?: string;
  event?: { headers: Record<string, string | string[]>; body: string | null };
  decodedHeaders?: Record<string, string | string[]>;
  notes?: string[];
}

export interface Fixture {
  name: string;
  s2c: Buffer;
  c2s: Buffer;
  frames: FixtureFrame[];
  /** Server chunks as one recv() returned them. */
  s2cChunks: Buffer[];
  /** Client chunks, one per command write. */
  c2sChunks: Buffer[];
  meta: { clientSent?: string; connections: Array<{ label: string; mode: string }> };
}

/** Every capture folder (including aux-<label> connections inside a scenario). */
export function fixtureNames(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(FIXTURES_DIR).sort()) {
    const dir = join(FIXTURES_DIR, name);
    if (!statSync(dir).isDirectory()) continue;
    out.push(name);
    for (const sub of readdirSync(dir).sort()) {
      if (sub.startsWith('aux-') && statSync(join(dir, sub)).isDirectory()) out.push(`${name}/${sub}`);
    }
  }
  return out;
}

const cache = new Map<string, Fixture>();

export function loadFixture(name: string): Fixture {
  const hit = cache.get(name);
  if (hit) return hit;
  const dir = join(FIXTURES_DIR, name);
  const s2cChunks: Buffer[] = [];
  const c2sChunks: Buffer[] = [];
  for (const line of readFileSync(join(dir, 'transcript.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { dir: string; b64: string };
    (rec.dir === 's2c' ? s2cChunks : c2sChunks).push(Buffer.from(rec.b64, 'base64'));
  }
  const metaPath = join(dir, 'meta.json');
  const fx: Fixture = {
    name,
    s2c: readFileSync(join(dir, 's2c.bin')),
    c2s: readFileSync(join(dir, 'c2s.bin')),
    frames: JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8')) as FixtureFrame[],
    s2cChunks,
    c2sChunks,
    meta: existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : { connections: [] },
  };
  cache.set(name, fx);
  return fx;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
