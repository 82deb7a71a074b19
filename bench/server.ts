/**
 * The bench server: a minimal, fast fake FreeSWITCH for the benchmarks (not the FakeSwitch
 * emulator of rxesl/testing, which models far more and is not built for speed).
 *
 * Inbound: auth/request, `auth ClueCon` -> +OK accepted; `event <fmt> ... ALL` in the run's
 * format starts a stream of N pre-built events written as fast as the socket takes them (one
 * block in flight, the next written when the previous one is flushed); `api` answered at once
 * and in order; `bgapi` answered `+OK Job-UUID` (a caller's Job-UUID is kept) followed by the
 * BACKGROUND_JOB in the subscribed format; every other command gets FreeSWITCH's reply text.
 *
 * Outbound: dials the library's server with C connections (at most `pendingLimit` waiting for
 * their `connect` at once), answers `connect` with a real CHANNEL_DATA, answers the call's
 * commands (sendmsg execute, with CHANNEL_EXECUTE_COMPLETE when subscribed; api uuid_getvar
 * of what `set` stored; linger...), and on `exit` sends +OK bye, the disconnect notice, and
 * closes.
 *
 * Run by bench/run.ts as a child process (IPC); or by hand for debugging:
 *   npx tsx bench/server.ts --port 8021 --format plain --events 10000
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { EventFormat } from '../lib/index.js';
import { CommandReader, ServerFrames, type ClientCommand } from '../lib/switch/index.js';
import {
  BLOCK_EVENTS,
  EventBlock,
  backgroundJobFrame,
  connectReplyFrame,
  executeCompleteFrame,
  streamBytes,
} from './core/frames.js';
import type { DialStats, FromServer, ServerRunStats, ServerSetup, ToServer } from './core/ipc.js';
import { PASSWORD, callUuidOf } from './core/workload.js';

const HOST = '127.0.0.1';

// ------------------------------------------------------------------ run state

interface Run {
  spec: Pick<ServerSetup, 'id' | 'scenario' | 'format' | 'events'>;
  stats: ServerRunStats;
  cpuStart: NodeJS.CpuUsage;
  wallStart: number;
  streamStart: number;
  streamEnd: number;
  /**
   * The run's event stream, shared by its connections as FreeSWITCH's event flow would be: a
   * client that drops its socket mid-stream loses what was written to it, and if it reconnects
   * and subscribes again the stream resumes where it was (it does not restart).
   */
  streamNext: number;
  streamActive: boolean;
  streamCpu0?: NodeJS.CpuUsage;
  /** Subscriptions that started or resumed the stream. */
  streamStarts: number;
  dial?: Dialer;
}

function emptyStats(): ServerRunStats {
  return {
    connections: 0,
    commands: 0,
    apiReplies: 0,
    bgapiJobs: 0,
    eventsStreamed: 0,
    bytesStreamed: 0,
    streamMs: 0,
    streamCpuMs: 0,
    cpuMs: 0,
    wallMs: 0,
    errors: [],
  };
}

let run: Run = newRun({ id: 0, scenario: 'events-plain', format: 'plain', events: 0 });
const sockets = new Set<net.Socket>();
/** uuid -> variables set on that call (execute set), for api uuid_getvar. */
const callVars = new Map<string, Map<string, string>>();

function newRun(spec: Run['spec']): Run {
  return {
    spec,
    stats: emptyStats(),
    cpuStart: process.cpuUsage(),
    wallStart: performance.now(),
    streamStart: 0,
    streamEnd: 0,
    streamNext: 0,
    streamActive: false,
    streamStarts: 0,
  };
}

function noteError(where: string, err: unknown): void {
  const text = `${where}: ${err instanceof Error ? err.message : String(err)}`;
  if (run.stats.errors.length < 20) run.stats.errors.push(text);
}

/** Pre-built blocks, kept across runs (one per format; a second stream at once gets its own). */
const blockPool = new Map<EventFormat, EventBlock[]>();
function takeBlock(format: EventFormat): EventBlock {
  const free = blockPool.get(format);
  return free && free.length > 0 ? free.pop()! : new EventBlock(format);
}
function giveBlock(format: EventFormat, block: EventBlock): void {
  const list = blockPool.get(format) ?? [];
  list.push(block);
  blockPool.set(format, list);
}

// ------------------------------------------------------------------ one socket

const EVENT_FORMATS = new Set(['plain', 'json', 'xml']);

class Session {
  private readonly reader = new CommandReader();
  private authed = false;
  private connected = false;
  private format: EventFormat | undefined;
  private all = false;
  private readonly names = new Set<string>();
  private closing = false;
  private streaming = false;

  constructor(
    readonly socket: net.Socket,
    readonly mode: 'inbound' | 'outbound',
    /** Outbound: the channel this socket controls. */
    readonly callUuid?: string,
    private readonly onConnect?: () => void,
    private readonly dial?: Dialer,
  ) {
    socket.setNoDelay(true);
    sockets.add(socket);
    run.stats.connections++;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPIPE' && code !== 'ECONNRESET') noteError('socket', err);
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (callUuid) callVars.delete(callUuid);
    });
    if (mode === 'inbound') socket.write(ServerFrames.authRequest());
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.socket.cork();
    try {
      this.reader.push(chunk, (cmd) => this.handle(cmd));
    } catch (err) {
      noteError('command', err);
      this.socket.destroy();
    } finally {
      this.socket.uncork();
    }
  }

  private reply(text: string, extra?: ReadonlyArray<readonly [string, string]>): void {
    this.socket.write(ServerFrames.commandReply(text, extra));
  }

  private subscribed(name: string): boolean {
    return this.format !== undefined && (this.all || this.names.has(name));
  }

  private handle(cmd: ClientCommand): void {
    run.stats.commands++;
    if (this.dial && this.connected) this.dial.stats.commands++;
    const line = cmd.line.trim();
    const sp = line.indexOf(' ');
    const verb = (sp < 0 ? line : line.slice(0, sp)).toLowerCase();
    const rest = sp < 0 ? '' : line.slice(sp + 1).trim();

    if (this.mode === 'inbound' && !this.authed) {
      if (verb === 'auth' && rest === PASSWORD) {
        this.authed = true;
        this.reply('+OK accepted');
      } else if (verb === 'auth' || verb === 'userauth') {
        this.reply('-ERR invalid');
        this.disconnect();
      } else {
        this.reply('-ERR command not found');
      }
      return;
    }
    if (this.mode === 'outbound' && !this.connected) {
      if (verb === 'connect') {
        this.connected = true;
        this.socket.write(connectReplyFrame(this.dial!.indexOf(this.callUuid!)));
        this.onConnect?.();
      } else {
        this.reply('-ERR command not found');
      }
      return;
    }

    switch (verb) {
      case 'api':
        this.api(rest);
        return;
      case 'bgapi':
        this.bgapi(rest, cmd);
        return;
      case 'event':
        this.event(rest);
        return;
      case 'myevents':
        this.format = (rest.split(/\s+/).find((w) => EVENT_FORMATS.has(w)) as EventFormat | undefined) ?? 'plain';
        this.all = true;
        this.reply('+OK Events Enabled');
        return;
      case 'nixevent':
        for (const n of rest.split(/\s+/)) this.names.delete(n.toUpperCase());
        this.reply('+OK events nixed');
        return;
      case 'noevents':
        this.format = undefined;
        this.all = false;
        this.names.clear();
        this.reply('+OK no longer listening for events');
        return;
      case 'filter': {
        const w = rest.split(/\s+/);
        if (w[0] === 'delete') this.reply(`+OK filter deleted. [${w[1] ?? ''}][${w.slice(2).join(' ')}]`);
        else this.reply(`+OK filter added. [${w[0] ?? ''}]=[${w.slice(1).join(' ')}]`);
        return;
      }
      case 'divert_events':
        this.reply(rest === 'on' ? '+OK events diverted' : '+OK events not diverted');
        return;
      case 'log':
        this.reply(`+OK log level ${rest || ' '} [7]`);
        return;
      case 'nolog':
        this.reply('+OK no longer logging');
        return;
      case 'linger':
        this.reply('+OK will linger');
        return;
      case 'nolinger':
        this.reply('+OK will not linger');
        return;
      case 'resume':
        this.reply('+OK');
        return;
      case 'sendmsg':
        this.sendmsg(rest, cmd);
        return;
      case 'sendevent':
        this.reply(`+OK ${randomUUID()}`);
        return;
      case 'getvar': {
        const v = this.callUuid ? callVars.get(this.callUuid)?.get(rest) : undefined;
        this.reply(v ?? '_undef_');
        return;
      }
      case 'exit':
        this.reply('+OK bye');
        if (this.dial) this.dial.stats.exited++;
        this.disconnect();
        return;
      default:
        this.reply('-ERR command not found');
    }
  }

  private disconnect(): void {
    this.closing = true;
    this.socket.write(
      this.callUuid ? ServerFrames.disconnectNotice({ controlledSessionUuid: this.callUuid }) : ServerFrames.disconnectNotice(),
    );
    this.socket.end();
  }

  private runApi(command: string, args: string): string {
    switch (command) {
      case 'echo':
        return args;
      case 'uuid_getvar': {
        const [uuid, name] = args.split(/\s+/);
        const v = uuid && name ? callVars.get(uuid)?.get(name) : undefined;
        if (v !== undefined && this.dial) this.dial.stats.getvarHits++;
        return v ?? '_undef_';
      }
      case 'status':
        return 'UP 0 years, 0 days, 0 hours, 8 minutes, 39 seconds\nFreeSWITCH (Version 1.10.12-release) is ready\n';
      default:
        return `-ERR ${command} Command not found!\n`;
    }
  }

  private api(rest: string): void {
    const sp = rest.indexOf(' ');
    const command = sp < 0 ? rest : rest.slice(0, sp);
    const args = sp < 0 ? '' : rest.slice(sp + 1);
    const body = this.runApi(command, args);
    run.stats.apiReplies++;
    this.socket.write(ServerFrames.apiResponse(body === '' ? '-ERR no reply\n' : body));
  }

  private bgapi(rest: string, cmd: ClientCommand): void {
    const sp = rest.indexOf(' ');
    const command = sp < 0 ? rest : rest.slice(0, sp);
    const args = sp < 0 ? '' : rest.slice(sp + 1);
    const job = cmd.headers.get('Job-UUID') || randomUUID();
    this.reply(`+OK Job-UUID: ${job}`, [['Job-UUID', job]]);
    run.stats.bgapiJobs++;
    if (this.subscribed('BACKGROUND_JOB')) {
      this.socket.write(backgroundJobFrame(this.format!, job, command, args, this.runApi(command, args)));
    }
  }

  private event(rest: string): void {
    const words = rest.split(/\s+/).filter((w) => w !== '');
    let format: EventFormat = 'plain';
    if (words[0] && EVENT_FORMATS.has(words[0].toLowerCase())) format = words.shift()!.toLowerCase() as EventFormat;
    this.format = format;
    let all = false;
    for (const w of words) {
      const n = w.toUpperCase();
      if (n === 'ALL') all = true;
      else this.names.add(n);
    }
    if (all) this.all = true;
    this.reply(`+OK event listener enabled ${format}`);
    const spec = run.spec;
    if (all && this.mode === 'inbound' && spec.events > 0 && format === spec.format && !this.streaming && !run.streamActive && run.streamNext < spec.events) {
      this.streaming = true;
      this.stream(format, spec.events);
    }
  }

  private sendmsg(rest: string, cmd: ClientCommand): void {
    const h = cmd.headers;
    const uuid = rest || this.callUuid;
    const callCommand = (h.get('call-command') ?? '').toLowerCase();
    this.reply('+OK');
    if (callCommand !== 'execute' || !uuid) return;
    const app = h.get('execute-app-name') ?? '';
    const arg = h.get('execute-app-arg') ?? (cmd.body.length > 0 ? cmd.body.toString('utf8') : '');
    if (app === 'set') {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        let vars = callVars.get(uuid);
        if (!vars) callVars.set(uuid, (vars = new Map()));
        vars.set(arg.slice(0, eq), arg.slice(eq + 1));
      }
    }
    if (this.subscribed('CHANNEL_EXECUTE_COMPLETE')) {
      this.socket.write(executeCompleteFrame(this.format!, uuid, app, arg, h.get('Event-UUID') ?? randomUUID()));
    }
  }

  /**
   * Writes the run's events from where its stream is (0, or where a dropped connection left
   * it) to n-1; each block is patched and written once the previous one is flushed.
   */
  private stream(format: EventFormat, n: number): void {
    const block = takeBlock(format);
    const socket = this.socket;
    const r = run;
    r.streamActive = true;
    r.streamStarts++;
    if (r.streamStarts === 1) {
      r.streamStart = performance.now();
      r.streamCpu0 = process.cpuUsage();
    }
    const stop = (): void => {
      r.streamActive = false;
      giveBlock(format, block);
    };
    const pump = (err?: Error | null): void => {
      if (err || socket.destroyed || run !== r) {
        stop();
        return;
      }
      if (r.streamNext >= n) {
        r.streamEnd = performance.now();
        const cpu = process.cpuUsage(r.streamCpu0);
        r.stats.streamCpuMs = (cpu.user + cpu.system) / 1000;
        stop();
        return;
      }
      // Blocks hold BLOCK_EVENTS events from a multiple of BLOCK_EVENTS; a resumed stream starts mid-block.
      const first = r.streamNext;
      const base = first - (first % BLOCK_EVENTS);
      const skip = first - base;
      const count = Math.min(BLOCK_EVENTS, n - base);
      block.patch(base, count);
      const start = skip === 0 ? 0 : block.ends[skip - 1]!;
      const end = count === BLOCK_EVENTS ? block.buf.length : block.ends[count - 1]!;
      r.streamNext = base + count;
      r.stats.eventsStreamed += count - skip;
      r.stats.bytesStreamed += end - start;
      socket.write(block.buf.subarray(start, end), pump);
    };
    // After the subscription reply, which is corked with it.
    process.nextTick(pump);
  }
}

// ------------------------------------------------------------------ outbound dialer

class Dialer {
  readonly stats: DialStats = { dialed: 0, connected: 0, handshakes: 0, commands: 0, exited: 0, getvarHits: 0, errors: [] };
  private launched = 0;
  private pending = 0;
  private closed = 0;
  private readonly index = new Map<string, number>();
  private done = false;

  constructor(
    private readonly port: number,
    private readonly calls: number,
    private readonly pendingLimit: number,
    private readonly onDone: (stats: DialStats) => void,
  ) {}

  indexOf(uuid: string): number {
    return this.index.get(uuid) ?? 0;
  }

  start(): void {
    this.launch();
  }

  private launch(): void {
    while (this.launched < this.calls && this.pending < this.pendingLimit) this.open(this.launched++);
  }

  private open(n: number): void {
    this.pending++;
    this.stats.dialed++;
    const uuid = callUuidOf(n);
    this.index.set(uuid, n);
    let answered = false;
    const socket = net.connect({ host: HOST, port: this.port });
    socket.once('connect', () => {
      this.stats.connected++;
      new Session(socket, 'outbound', uuid, () => {
        answered = true;
        this.stats.handshakes++;
        this.pending--;
        this.launch();
      }, this);
    });
    socket.once('error', (err) => {
      if (this.stats.errors.length < 20) this.stats.errors.push(`call ${n}: ${err.message}`);
    });
    socket.once('close', () => {
      if (!answered) {
        this.pending--;
        this.launch();
      }
      this.closed++;
      if (this.closed === this.calls) this.finish();
    });
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.onDone(this.stats);
  }
}

// ------------------------------------------------------------------ process

const server = net.createServer({ noDelay: true }, (socket) => {
  new Session(socket, 'inbound');
});
server.maxConnections = 100_000;

function send(msg: FromServer): void {
  if (process.send) process.send(msg);
}

function finishRun(id: number): void {
  const r = run;
  r.dial?.finish();
  for (const s of sockets) s.destroy();
  sockets.clear();
  callVars.clear();
  const cpu = process.cpuUsage(r.cpuStart);
  r.stats.cpuMs = (cpu.user + cpu.system) / 1000;
  r.stats.wallMs = performance.now() - r.wallStart;
  r.stats.streamMs = r.streamEnd > 0 ? r.streamEnd - r.streamStart : 0;
  r.stats.streamStarts = r.streamStarts;
  send({ type: 'finished', id, stats: r.stats });
}

function onMessage(msg: ToServer): void {
  try {
    switch (msg.type) {
      case 'setup': {
        run = newRun({ id: msg.id, scenario: msg.scenario, format: msg.format, events: msg.events });
        const expectedBytes = msg.events > 0 ? streamBytes(msg.format, msg.events) : 0;
        // Build (or reuse) the block now, outside the timed section.
        if (msg.events > 0) giveBlock(msg.format, takeBlock(msg.format));
        send({ type: 'ready', id: msg.id, expectedBytes });
        return;
      }
      case 'dial': {
        const dialer = new Dialer(msg.port, msg.calls, msg.pendingLimit, (stats) => send({ type: 'dial-done', id: msg.id, stats }));
        run.dial = dialer;
        dialer.start();
        return;
      }
      case 'finish':
        finishRun(msg.id);
        return;
      case 'quit':
        server.close();
        for (const s of sockets) s.destroy();
        process.exit(0);
    }
  } catch (err) {
    send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.send) {
  process.on('message', (m) => onMessage(m as ToServer));
  process.on('disconnect', () => process.exit(0));
  server.listen(0, HOST, () => send({ type: 'listening', port: (server.address() as net.AddressInfo).port }));
} else {
  // By hand: a fixed run that streams on every subscription.
  const port = Number(argValue('port') ?? 8021);
  const format = (argValue('format') ?? 'plain') as EventFormat;
  const events = Number(argValue('events') ?? 10_000);
  server.listen(port, HOST, () => {
    console.log(`bench server on ${HOST}:${port}: ${events} ${format} events per subscription (${streamBytes(format, events)} bytes)`);
  });
  run = newRun({ id: 0, scenario: 'events-plain', format, events });
  const again = (): void => {
    if (!run.streamActive && run.streamNext >= events) run = newRun(run.spec);
    setTimeout(again, 200);
  };
  again();
}
