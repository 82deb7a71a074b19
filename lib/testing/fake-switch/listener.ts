/**
 * One Event Socket connection (a `listener_t` of mod_event_socket), inbound or outbound.
 *
 * It reads commands with the protocol layer's CommandReader (read_packet), carries them out
 * one at a time (parse_command, in commands.ts) and writes exactly one reply per command,
 * in order. Events and log lines are queued for it as they are fired and written only
 * between commands, as listener_run does: a command's reply is never preceded by events the
 * command itself caused, and nothing is written while a command (say, a synchronous
 * `api originate`) runs.
 */
import type { Socket } from 'node:net';
import { EslProtocolError } from '../../errors.js';
import { CommandReader, type ClientCommand } from '../../switch/command-reader.js';
import { DISCONNECT_GOODBYE, type EventFormat } from '../../protocol/content-type.js';
import { ServerFrames } from '../../switch/server-frames.js';
import { EventSubscription, FilterList } from '../../protocol/subscriptions.js';
import type { EventSink } from './bus.js';
import type { Channel } from './channel.js';
import type { TimerHandle } from './clock.js';
import { handleCommand, type CommandListener, type CommandOutcome, type UserPermissions } from './commands.js';
import type { SessionWatcher, SwitchCore } from './core.js';
import type { FiredEvent } from './events.js';
import { FrameWriter, malformedFrame, type FaultOptions, type MalformedFrameKind } from './faults.js';
import type { FakeLogLine } from './logger.js';
import { Outbox } from './outbox.js';

/** A command a client sent, as FakeSwitch recorded it. */
export interface ReceivedCommand {
  /** The connection it came on. */
  readonly connectionId: number;
  /** The command line (`api status`, `sendmsg <uuid>`...). */
  readonly line: string;
  /** Its header lines, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Its body (Content-Length bytes), as text; empty when none. */
  readonly body: string;
  /** Clock time it was read. */
  readonly at: number;
}

/** What the server (FakeSwitch) provides to its connections. */
export interface ListenerHost {
  readonly core: SwitchCore;
  faults(): FaultOptions;
  commandReceived(command: ReceivedCommand, listener: Listener): void;
  closed(listener: Listener): void;
}

let nextId = 1;

export class Listener implements EventSink, SessionWatcher, CommandListener {
  readonly id = nextId++;
  readonly commands: ReceivedCommand[] = [];
  readonly remoteAddress: string;
  readonly remotePort: number;

  // The state parse_command reads and changes (the LFLAG_* flags and their data: CommandListener).
  /** @internal */ authed: boolean;
  /** @internal */ permissions: UserPermissions | undefined;
  /** @internal */ allowLog = true;
  /** @internal */ eventsOn = false;
  /** @internal */ readonly subscription = new EventSubscription();
  /** @internal */ readonly filters = new FilterList();
  /** @internal */ myevents = false;
  /** @internal */ session: Channel | undefined;
  /** @internal */ async: boolean;
  /** @internal */ full: boolean;
  /** @internal */ linger = false;
  /** @internal */ lingerSeconds = -1;
  /** @internal */ logOn = false;
  /** @internal */ logLevel = 7;
  /** @internal */ resume = false;
  /** @internal */ connected = false;
  /** @internal */ readonly outbound: boolean;
  /** @internal */ faults: FaultOptions = {};

  #socket: Socket;
  #host: ListenerHost;
  #reader = new CommandReader();
  #writer: FrameWriter;
  #pending: ClientCommand[] = [];
  #busy = false;
  #closed = false;
  #firstCommand = true;
  /** The client ended its side of the socket: no command after those already read. */
  #ended = false;
  #firstTimer: TimerHandle | undefined;
  #outbox: Outbox;
  #handleDisco = false;
  #downSeen = false;
  /** The session went down while a command of this connection ran (its own uuid_kill, say). */
  #downInCommand = false;
  #reported = false;
  #lingerTimer: TimerHandle | undefined;
  #waitingDrain = false;
  #corked = false;
  #connectWaiters: Array<() => void> = [];
  #closedResolve!: () => void;
  /** Resolves when the connection is over. */
  readonly whenClosed: Promise<void>;
  /** @internal Resolves once the socket itself has closed (after the notice, or destroyed). */
  readonly whenSocketClosed: Promise<void>;

  constructor(
    host: ListenerHost,
    socket: Socket,
    options: { outbound: boolean; session?: Channel; async?: boolean; full?: boolean },
  ) {
    this.#host = host;
    this.#socket = socket;
    this.outbound = options.outbound;
    this.authed = options.outbound;
    this.async = options.async ?? false;
    this.full = options.full ?? false;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.whenClosed = new Promise((resolve) => (this.#closedResolve = resolve));
    this.whenSocketClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.#writer = new FrameWriter(socket, () => ({ ...host.faults(), ...this.faults }));
    this.#outbox = new Outbox(
      { events: host.core.options.eventQueueLimit, logs: host.core.options.logQueueLimit },
      {
        log: (l) => {
          this.#write(
            ServerFrames.logData({ level: l.level, textChannel: l.textChannel, file: l.file, func: l.func, line: l.line, userData: l.userData, text: l.text }),
          );
          return !this.#closed;
        },
        event: (e) => {
          this.#write(e.frame(this.format));
          return !this.#closed;
        },
      },
    );
    this.#writer.onCut = () => this.#finish({ notice: false });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => {
      this.core.scheduler.activity();
      this.#ended = true;
      this.#pump();
    });
    socket.on('error', () => this.#finish({ notice: false }));
    socket.on('close', () => this.#finish({ notice: false }));
    socket.on('drain', () => {
      if (this.#waitingDrain) {
        this.#waitingDrain = false;
        this.#flush();
      }
    });
    if (options.session) this.bindSession(options.session);
    if (this.#effectiveFaults().stopReading) socket.pause();
  }

  get core(): SwitchCore {
    return this.#host.core;
  }

  get host(): ListenerHost {
    return this.#host;
  }

  /** `inbound` (a client connected to FakeSwitch) or `outbound` (FakeSwitch connected out for a call). */
  get mode(): 'inbound' | 'outbound' {
    return this.outbound ? 'outbound' : 'inbound';
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The event format the connection asked for (`event <format>`, `myevents ... json`). */
  get format(): EventFormat {
    return this.subscription.format;
  }

  /** Events queued and not yet written. */
  get queuedEvents(): number {
    return this.#outbox.queuedEvents;
  }

  /** Socket writes made so far (with chunkSizes, one per piece). */
  get writes(): number {
    return this.#writer.writes;
  }

  /** The uuid of the session this connection controls. */
  get sessionUuid(): string | undefined {
    return this.session?.uuid;
  }

  #effectiveFaults(): FaultOptions {
    return { ...this.#host.faults(), ...this.faults };
  }

  // ------------------------------------------------------------------ start

  /**
   * Starts the conversation: auth/request on an inbound connection (FreeSWITCH sends nothing
   * on an outbound one), and the 25 s limit for the first command.
   */
  start(): void {
    if (!this.outbound) this.#write(ServerFrames.authRequest());
    this.#firstTimer = this.core.scheduler.after(this.core.options.authTimeoutMs, () => {
      this.#firstTimer = undefined;
      if (this.#firstCommand) this.#finish({ notice: true });
    });
  }

  // ------------------------------------------------------------------ reading

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.core.scheduler.activity();
    try {
      this.#reader.push(chunk, (cmd) => this.#pending.push(cmd));
    } catch (err) {
      // A negative or huge Content-Length: FreeSWITCH drops the connection (with the notice).
      if (!(err instanceof EslProtocolError)) this.core.reportError(err);
      this.#pending.length = 0;
      this.#finish({ notice: true });
      return;
    }
    this.#pump();
  }

  #pump(): void {
    while (!this.#busy && !this.#closed && this.#pending.length > 0) {
      const cmd = this.#pending.shift()!;
      this.#run(cmd);
    }
    // The end of the client's stream, once the commands before it have run: read_packet fails,
    // and listener_run ends with the disconnect notice (a client that half-closed reads it).
    if (this.#ended && !this.#busy && !this.#closed && this.#pending.length === 0) this.#finish({ notice: true });
  }

  #run(cmd: ClientCommand): void {
    const first = this.#firstCommand;
    if (first) {
      this.#firstCommand = false;
      this.#firstTimer?.cancel();
      this.#firstTimer = undefined;
    }
    const received: ReceivedCommand = {
      connectionId: this.id,
      line: cmd.line,
      headers: [...cmd.headers.entries()],
      body: cmd.body.length > 0 ? cmd.body.toString('utf8') : '',
      at: this.core.scheduler.now(),
    };
    this.commands.push(received);
    this.#host.commandReceived(received, this);
    this.#busy = true;
    let outcome: CommandOutcome | Promise<CommandOutcome>;
    try {
      outcome = handleCommand(this, cmd);
    } catch (err) {
      this.core.reportError(err);
      outcome = { reply: '-ERR command not found' };
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (o) => this.#complete(o, first),
        (err) => {
          this.core.reportError(err);
          this.#complete({ reply: '-ERR command not found' }, first);
        },
      );
    } else {
      this.#complete(outcome, first);
    }
  }

  #complete(outcome: CommandOutcome, first: boolean): void {
    const delay = this.#effectiveFaults().replyDelayMs ?? 0;
    const finish = (): void => {
      if (this.#closed) return;
      // On an outbound socket, the first command's reply is never written (listener_run
      // drops it); connect and api write their own.
      if (outcome.bytes) this.#write(outcome.bytes);
      else if (outcome.reply !== undefined && !(first && this.outbound)) {
        this.#write(ServerFrames.commandReply(clip(outcome.reply), outcome.extra ?? []));
      }
      if (outcome.close) {
        this.#finish({ notice: true, body: outcome.closeBody });
        return;
      }
      this.#busy = false;
      outcome.after?.();
      this.#flush();
      this.#pump();
    };
    if (delay > 0) this.core.scheduler.after(delay, finish);
    else finish();
  }

  // ------------------------------------------------------------------ events and logs

  /** Whether this connection's subscription takes that event type (event_list / event_hash). */
  subscribed(name: string, subclass: string | undefined): boolean {
    return this.eventsOn && this.subscription.wants(name, subclass);
  }

  /** mod_event_socket's event_handler for this connection: subscription, filters, myevents. */
  offerEvent(event: FiredEvent): void {
    if (this.#closed || !this.subscribed(event.name, event.subclass)) return;
    if (this.filters.size > 0 && !this.filters.passes((n) => event.header(n))) return;
    if (this.myevents) {
      const uuid = event.uniqueId;
      const mine = this.session?.uuid;
      let send = !(uuid === undefined || (mine !== undefined && uuid !== mine));
      if (mine !== undefined && event.jobOwnerUuid === mine) send = true;
      if (!send) return;
    }
    const queued = this.#outbox.offerEvent(event);
    if (queued === 'queued') this.#flush();
    else if (queued === 'give-up') this.kill('killed listener because of lost events\n');
  }

  /** socket_logger for this connection. */
  offerLog(line: FakeLogLine): void {
    if (this.#closed || !this.logOn || line.level > this.logLevel) return;
    const queued = this.#outbox.offerLog(line);
    if (queued === 'queued') this.#flush();
    else if (queued === 'give-up') this.kill('killed listener because of lost log lines\n');
  }

  /**
   * An event queued to the session this connection diverts (divert_events on): it goes into
   * the connection's queue whatever the subscriptions, and out once events are enabled.
   */
  deliverDiverted(event: FiredEvent): void {
    if (this.#closed) return;
    this.#outbox.pushEvent(event);
    this.#flush();
  }

  /** `connect` was answered (the socket application stops waiting for it). */
  connectedNow(): void {
    for (const w of this.#connectWaiters.splice(0)) w();
  }

  /** Resolves once the client has sent `connect` (or the connection ended). */
  whenConnected(): Promise<void> {
    if (this.connected || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#connectWaiters.push(resolve));
  }

  /** Drops queued events (noevents) or log lines (nolog). */
  discardQueued(what: 'events' | 'logs'): void {
    this.#outbox.discard(what);
  }

  /**
   * Writes what is queued (between commands, as listener_run does), then the session checks.
   */
  #flush(): void {
    if (this.#closed || this.#busy) return;
    if (this.#socket.writableLength + this.#writer.queuedBytes > this.core.options.sendBufferLimit) {
      // The client is not reading: keep the queue (it may overflow and lose events) until it drains.
      this.#waitingDrain = true;
      return;
    }
    if (!this.#corked && this.#socket.writable) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    if (this.#outbox.drain(this.logOn, this.eventsOn)) this.#checkSession();
  }

  // ------------------------------------------------------------------ sessions, linger

  /** Binds the connection to a session (outbound, or inbound myevents): it keeps the channel from being destroyed. */
  bindSession(channel: Channel): void {
    const previous = this.session?.uuid;
    this.session = channel;
    channel.hold(this);
    this.core.control(this, channel.uuid, previous);
    this.reroute();
    if (channel.down) this.sessionDown(channel);
  }

  /** Re-indexes the connection for delivery after its flags changed. */
  reroute(): void {
    if (this.#closed) return;
    this.core.route(this, {
      events: this.eventsOn,
      sessionUuid: this.myevents ? this.session?.uuid : undefined,
      logs: this.logOn,
    });
  }

  sessionDown(channel: Channel): void {
    if (channel !== this.session || this.#downSeen) return;
    // listener_run looks at the channel once per pass of its loop, between commands. A command
    // of this connection that brought the channel down (its own uuid_kill) is followed by a
    // pass at once, which finds only CHANNEL_HANGUP queued (capture 07). A hangup from
    // anywhere else is seen on a pass that comes up to 20 ms later (the loop polls the socket
    // with that timeout), when the session thread has fired its last events: FreeSWITCH
    // 1.10.12 was seen sending the linger notice after HANGUP, UNPARK, EXECUTE_COMPLETE,
    // STATE and HANGUP_COMPLETE.
    this.#downSeen = true;
    this.#downInCommand = this.#busy;
    this.#flush();
  }

  sessionReported(channel: Channel): void {
    if (channel !== this.session) return;
    this.#reported = true;
    this.#flush();
  }

  #checkSession(): void {
    if (!this.#downSeen || this.#closed) return;
    // The pass that notices the hangup (see sessionDown).
    if (!this.#handleDisco && (this.#downInCommand || this.#reported)) {
      this.#handleDisco = true;
      if (this.linger) {
        const ch = this.session!;
        this.#write(ServerFrames.lingerNotice({ controlledSessionUuid: ch.uuid, channelName: ch.name, lingerTime: this.lingerSeconds }));
        // The linger time counts from the notice (linger_timeout += now).
        if (this.lingerSeconds !== -1) {
          this.#lingerTimer = this.core.scheduler.after(this.lingerSeconds * 1000, () => this.#finish({ notice: true }));
        }
        return;
      }
    }
    // Without linger, that pass ends the connection.
    if (this.#handleDisco && !this.linger) this.#finish({ notice: true });
  }

  // ------------------------------------------------------------------ writing and closing

  #write(bytes: Buffer): void {
    if (this.#socket.destroyed) return;
    this.core.scheduler.activity();
    this.#writer.write(bytes);
  }

  /**
   * kill_listener: the disconnect notice with that body, then the socket closes (FreeSWITCH
   * does this to a client too slow to read its events).
   */
  kill(body: string): void {
    this.#finish({ notice: true, body });
  }

  /** Ends the connection as `exit` or a hangup without linger would: disconnect notice, close. */
  close(): void {
    this.#finish({ notice: true });
  }

  /** Drops the connection at once, sending nothing (a crash or a restart). */
  destroy(): void {
    this.#finish({ notice: false });
    this.#socket.destroy();
  }

  /** The next frame is cut after `at` bytes (default: half of it) and the connection closed there. */
  dropMidFrame(at?: number): void {
    this.#writer.cutNextFrame(at);
  }

  /** Writes a malformed frame (a client must fail cleanly on it). */
  sendMalformedFrame(kind: MalformedFrameKind = 'bad-content-length'): void {
    if (this.#closed) return;
    this.#writer.writeRaw(malformedFrame(kind));
    if (kind === 'truncated-body') this.#finish({ notice: false });
  }

  /** Writes raw bytes on the connection, out of turn. */
  writeRaw(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#writer.writeRaw(Buffer.from(bytes));
  }

  /** Stops or resumes reading the client's socket. */
  setReading(on: boolean): void {
    if (on) this.#socket.resume();
    else this.#socket.pause();
  }

  /** Applies fault options to this connection. */
  setFaults(faults: FaultOptions): void {
    this.faults = { ...this.faults, ...faults };
    if (faults.stopReading !== undefined) this.setReading(!faults.stopReading);
  }

  /**
   * The end of listener_run: the session continues its dialplan if `resume` was sent, the
   * disconnect notice goes out (with Controlled-Session-UUID when a session is bound), the
   * socket closes, and the session is released.
   */
  #finish(o: { notice: boolean; body?: string }): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#busy = false;
    this.#firstTimer?.cancel();
    this.#lingerTimer?.cancel();
    this.core.route(this, null);
    const session = this.session;
    this.core.control(this, undefined, session?.uuid);
    this.#outbox.discard('all');
    if (o.notice && !this.#socket.destroyed && this.#socket.writable) {
      this.#write(ServerFrames.disconnectNotice({ controlledSessionUuid: session?.uuid, body: o.body ?? DISCONNECT_GOODBYE }));
    }
    this.#writer.end();
    if (session) session.release(this);
    if (session && session.divertTo === this) session.divertTo = undefined;
    this.connectedNow();
    this.#closedResolve();
    this.#host.closed(this);
  }
}

/** parse_command writes the reply text into a 512-byte buffer: longer texts lose their end. */
function clip(text: string): string {
  if (text.length <= 170 && Buffer.byteLength(text) <= 511) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > 511) break;
    out += ch;
    bytes += n;
  }
  return out;
}

