/**
 * A first baseline: parse the 06-events-all-call-plain capture N times (natural chunks) with
 * the frame parser, build an EslEvent from each event frame and read one header.
 *   npx tsx bench/parse-fixture.ts [iterations=1000] [header=Event-Name]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EslEvent, FrameParser, type Frame } from '../lib/index.js';

const iterations = Number(process.argv[2] ?? 1000);
const header = process.argv[3] ?? 'Event-Name';
const dir = join(__dirname, '..', 'spec', 'fixtures', 'fs-1.10.12', '06-events-all-call-plain');
const chunks = readFileSync(join(dir, 'transcript.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { dir: string; b64: string })
  .filter((r) => r.dir === 's2c')
  .map((r) => Buffer.from(r.b64, 'base64'));
const bytes = chunks.reduce((n, c) => n + c.length, 0);

function run(n: number): { events: number; checksum: number } {
  let events = 0;
  let checksum = 0;
  const onFrame = (f: Frame): void => {
    if (f.contentType !== 'text/event-plain') return;
    const v = EslEvent.fromFrame(f).getHeader(header);
    events++;
    if (v !== undefined) checksum += v.length;
  };
  for (let i = 0; i < n; i++) {
    const p = new FrameParser();
    for (const c of chunks) p.push(c, onFrame);
  }
  return { events, checksum };
}

run(Math.max(1, iterations / 10)); // warm up
const t0 = process.hrtime.bigint();
const { events, checksum } = run(iterations);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(
  `${iterations} x ${bytes} bytes: ${events} events in ${ms.toFixed(1)} ms = ${Math.round((events / ms) * 1000).toLocaleString('en')} events/s, ` +
    `${((bytes * iterations) / ms / 1000).toFixed(0)} MB/s (header ${header}, checksum ${checksum})`,
);
