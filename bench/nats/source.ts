/**
 * A switch for the NATS benchmarks, in a process of its own (IPC from run.ts): the events of
 * calls made by FakeSwitch's traffic generator, recorded once at start-up and replayed on
 * demand as fast as the socket takes them, or at a set rate. Every event carries its own
 * Event-Sequence (so a JetStream stream never takes two for copies) and, when paced, the
 * moment it was written (`Bench-Sent`, process.hrtime in ns: the same clock in every process
 * of this machine).
 *
 * It speaks just enough Event Socket for a Connection: auth/request, `auth`, `event`, `api`
 * (answered at once; `api version` as FreeSWITCH does), `exit`.
 */
import net from 'node:net';
import { EslEvent } from '../../lib/index.js';
import { CommandReader, ServerFrames } from '../../lib/switch/index.js';
import { FakeSwitch, ManualClock } from '../../lib/testing/index.js';

export type ToSource = { type: 'stream'; count: number; rate: number } | { type: 'quit' };
export type FromSource = { type: 'listening'; port: number; corpus: number; bytesPerEvent: number } | { type: 'streamed'; count: number; ms: number };

const SEQ_WIDTH = 12;
const SENT_WIDTH = 20;
const BLOCK = 128;

interface Template {
  bytes: Buffer;
  seqAt: number;
  sentAt: number;
}

/** The events of 40 calls from FakeSwitch's traffic generator (answer, a prompt, a hangup), on a manual clock. */
async function record(): Promise<EslEvent[]> {
  const clock = new ManualClock();
  const fs = await FakeSwitch.start({ clock, heartbeatIntervalMs: 0, media: { playbackMs: 500 } });
  const events: EslEvent[] = [];
  const off = fs.onEvent((e) => events.push(e));
  const traffic = fs.traffic({ callsPerSecond: 20, maxCalls: 40, actions: ['answer', 'playback ivr/welcome.wav', 'hangup'] });
  while (!traffic.stopped || traffic.active > 0) await clock.tick(50);
  off();
  await fs.stop();
  return events;
}

/** An event frame with room for a sequence number and a send time, and where they are. */
function template(ev: EslEvent): Template {
  const pairs: Array<[string, string]> = [];
  const { names, values } = ev.headerList();
  for (let i = 0; i < names.length; i++) {
    if (names[i] === 'Event-Sequence') pairs.push([names[i]!, 'S'.repeat(SEQ_WIDTH)]);
    else pairs.push([names[i]!, values[i]!]);
  }
  pairs.push(['Bench-Sent', 'T'.repeat(SENT_WIDTH)]);
  // Letters: plain's percent-encoding leaves them as they are, so they can be found and patched.
  const bytes = ServerFrames.event('plain', new EslEvent(pairs, ev.rawBody()).toBytes('plain'));
  if (bytes.indexOf('S'.repeat(SEQ_WIDTH)) < 0 || bytes.indexOf('T'.repeat(SENT_WIDTH)) < 0) throw new Error(`bench source: no room for the sequence in ${ev.name}`);
  return { bytes, seqAt: bytes.indexOf('S'.repeat(SEQ_WIDTH)), sentAt: bytes.indexOf('T'.repeat(SENT_WIDTH)) };
}

function writeDigits(buf: Buffer, at: number, width: number, value: bigint | number): void {
  const s = String(value).padStart(width, '0');
  buf.write(s, at, width, 'latin1');
}

/** A block of templates laid end to end, with the offsets to patch. */
class Block {
  readonly buf: Buffer;
  readonly seqAt: number[] = [];
  readonly sentAt: number[] = [];
  constructor(templates: Template[], from: number, n: number) {
    const parts: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const t = templates[(from + i) % templates.length]!;
      parts.push(t.bytes);
      this.seqAt.push(offset + t.seqAt);
      this.sentAt.push(offset + t.sentAt);
      offset += t.bytes.length;
    }
    this.buf = Buffer.concat(parts);
  }
  /** Numbers the first `n` events from `seq`; stamps them with now. */
  patch(seq: number, n: number): void {
    const now = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      writeDigits(this.buf, this.seqAt[i]!, SEQ_WIDTH, seq + i);
      writeDigits(this.buf, this.sentAt[i]!, SENT_WIDTH, now);
    }
  }
}

async function main(): Promise<void> {
  const events = await record();
  const templates = events.map(template);
  const blocks = [new Block(templates, 0, BLOCK), new Block(templates, BLOCK, BLOCK)];
  const single = templates.map((t) => new Block([t], 0, 1));
  const subscribed = new Set<net.Socket>();
  let seq = 1;

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const reader = new CommandReader();
    socket.write(ServerFrames.authRequest());
    socket.on('error', () => subscribed.delete(socket));
    socket.on('close', () => subscribed.delete(socket));
    socket.on('data', (chunk) => {
      reader.push(chunk, (cmd) => {
        const line = cmd.line;
        if (line.startsWith('auth ')) socket.write(ServerFrames.commandReply('+OK accepted'));
        else if (line.startsWith('event ')) {
          subscribed.add(socket);
          socket.write(ServerFrames.commandReply(`+OK event listener enabled ${line.split(' ')[1]}`));
        } else if (line === 'api version') socket.write(ServerFrames.apiResponse('FreeSWITCH Version 1.10.12-release+bench (bench source)\n'));
        else if (line.startsWith('api ')) socket.write(ServerFrames.apiResponse(`+OK ${line.slice(4)}\n`));
        else if (line === 'exit') {
          socket.write(ServerFrames.commandReply('+OK bye'));
          socket.end();
        } else socket.write(ServerFrames.commandReply('-ERR command not found'));
      });
    });
  });

  /** As fast as the sockets take it: two blocks in turn, each rewritten once the previous write of it is flushed. */
  const flood = (count: number): Promise<void> =>
    new Promise((resolve) => {
      let sent = 0;
      let inFlight = 0;
      const pump = (block: Block): void => {
        if (sent >= count) {
          if (inFlight === 0) resolve();
          return;
        }
        const n = Math.min(BLOCK, count - sent);
        block.patch(seq, n);
        seq += n;
        sent += n;
        const bytes = n === BLOCK ? block.buf : block.buf.subarray(0, block.seqAt[n] !== undefined ? startOf(block, n) : block.buf.length);
        const targets = [...subscribed];
        let waiting = targets.length;
        if (waiting === 0) {
          resolve();
          return;
        }
        inFlight++;
        for (const s of targets) {
          s.write(bytes, () => {
            if (--waiting > 0) return;
            inFlight--;
            pump(block);
          });
        }
      };
      for (const b of blocks) pump(b);
    });

  /** `rate` events a second, one millisecond's worth at a time, each stamped when written. */
  const paced = (count: number, rate: number): Promise<void> =>
    new Promise((resolve) => {
      const start = process.hrtime.bigint();
      let sent = 0;
      const tick = (): void => {
        const due = Math.min(count, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * rate));
        while (sent < due) {
          const b = single[(seq + sent) % single.length]!;
          b.patch(seq, 1);
          seq++;
          // A copy: the next event may use the same template before this write is flushed.
          const bytes = Buffer.from(b.buf);
          for (const s of subscribed) s.write(bytes);
          sent++;
        }
        if (sent >= count) {
          resolve();
          return;
        }
        setTimeout(tick, 1);
      };
      tick();
    });

  function startOf(block: Block, i: number): number {
    // The frame of event i starts with its Content-Length line, before its sequence number.
    return block.buf.lastIndexOf('Content-Length: ', block.seqAt[i]!);
  }

  server.listen(0, '127.0.0.1', () => {
    const port = (server.address() as net.AddressInfo).port;
    const bytes = templates.reduce((a, t) => a + t.bytes.length, 0);
    process.send!({ type: 'listening', port, corpus: templates.length, bytesPerEvent: Math.round(bytes / templates.length) } satisfies FromSource);
  });

  process.on('message', (m: ToSource) => {
    if (m.type === 'quit') {
      for (const s of subscribed) s.destroy();
      server.close();
      process.exit(0);
    }
    const t0 = performance.now();
    void (m.rate > 0 ? paced(m.count, m.rate) : flood(m.count)).then(() => process.send!({ type: 'streamed', count: m.count, ms: performance.now() - t0 } satisfies FromSource));
  });
}

void main();
