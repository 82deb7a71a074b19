/**
 * The switches a differential scenario runs against, and what a scenario is given to drive
 * one: inbound connections that record every frame, the outbound connections the switch
 * makes to us, and waits on what the switch has said.
 *
 * The switch is FakeSwitch, or the FreeSWITCH that ESL_REAL names (host:port, with
 * ESL_REAL_PASSWORD, default ClueCon). A real switch needs the dialplan of
 * docs/fake-switch.md#differential-tests; its `outbound` extension connects to
 * ESL_REAL_OUTBOUND (host:port, default 127.0.0.1:8084), where the scenario listens.
 */
import { randomUUID } from 'node:crypto';
import { EslEvent, type Frame } from 'rxesl';
import { FakeSwitch, type FakeSwitchOptions } from 'rxesl/testing';
import { OutboundServer, RawClient } from '../testing/helpers/raw-client';
import type { RecordedConnection } from './transcript';

/** How long a scenario waits for what it expects before failing (a real switch takes real time). */
export const PATIENCE_MS = 15_000;

/** A real FreeSWITCH to compare with, from the environment. */
export interface RealSwitchAddress {
  host: string;
  port: number;
  password: string;
  outboundHost: string;
  outboundPort: number;
}

function hostPort(text: string, name: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name} must be host:port, not ${JSON.stringify(text)}`);
  return { host: text.slice(0, colon), port };
}

/** ESL_REAL, ESL_REAL_PASSWORD and ESL_REAL_OUTBOUND, or undefined when ESL_REAL is not set. */
export function realSwitchFromEnv(env: NodeJS.ProcessEnv = process.env): RealSwitchAddress | undefined {
  if (!env.ESL_REAL) return undefined;
  const esl = hostPort(env.ESL_REAL, 'ESL_REAL');
  const outbound = hostPort(env.ESL_REAL_OUTBOUND ?? '127.0.0.1:8084', 'ESL_REAL_OUTBOUND');
  return { ...esl, password: env.ESL_REAL_PASSWORD ?? 'ClueCon', outboundHost: outbound.host, outboundPort: outbound.port };
}

/** A switch a scenario runs against. */
export interface SwitchUnderTest {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly password: string;
  /** Where the switch's `outbound` extension connects. */
  readonly outbound: OutboundServer;
  stop(): Promise<void>;
}

/** A FakeSwitch (with these options) whose `outbound` extension connects to a listener of ours. */
export async function fakeSwitchUnderTest(name = 'FakeSwitch', options: FakeSwitchOptions = {}): Promise<SwitchUnderTest> {
  const outbound = await OutboundServer.start();
  const fake = await FakeSwitch.start({ heartbeatIntervalMs: 0, ...options, outboundSocket: `127.0.0.1:${outbound.port} async full` });
  return {
    name,
    host: fake.host,
    port: fake.port,
    password: fake.password,
    outbound,
    stop: async () => {
      await outbound.close();
      await fake.stop();
    },
  };
}

/** The real FreeSWITCH of ESL_REAL, with our listener where its `outbound` extension connects. */
export async function realSwitchUnderTest(real: RealSwitchAddress): Promise<SwitchUnderTest> {
  const outbound = await OutboundServer.start(real.outboundPort, real.outboundHost);
  return { name: `FreeSWITCH at ${real.host}:${real.port}`, host: real.host, port: real.port, password: real.password, outbound, stop: () => outbound.close() };
}

/** A connection of a scenario: it records the commands it sends, and every frame it gets. */
export class Conn {
  readonly commands: string[] = [];

  constructor(
    readonly role: 'inbound' | 'outbound',
    readonly client: RawClient,
  ) {}

  /** Sends a command (a line, or a line with headers: `sendmsg <uuid>\ncall-command: ...`) and waits for its reply text (or api body). */
  async send(command: string): Promise<string> {
    this.write(command);
    const f = await within(this.client.reply(), `the reply to ${command.split('\n')[0]}`);
    return f.contentType === 'api/response' ? f.bodyText : (f.headers.get('Reply-Text') ?? '');
  }

  /** Sends commands without waiting for their replies (pipelined). */
  write(...commands: string[]): void {
    for (const c of commands) {
      this.commands.push(c.split('\n')[0]!);
      this.client.write(c.endsWith('\n\n') ? c : `${c}\n\n`);
    }
  }

  /** Waits for an event that matches (events met on the way stay recorded). */
  event(match: (e: EslEvent) => boolean, what: string): Promise<EslEvent> {
    return within(this.client.event(match), what);
  }

  /** Waits until the switch closes the connection. */
  closed(): Promise<void> {
    return within(this.client.whenClosed(), 'the close');
  }

  get recorded(): RecordedConnection {
    return { role: this.role, commands: this.commands, frames: this.client.frames as readonly Frame[] };
  }
}

/** Rejects when `p` takes longer than PATIENCE_MS. */
export function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${PATIENCE_MS} ms for ${what}`)), PATIENCE_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** What a scenario is given. */
export class ScenarioContext {
  readonly connections: Conn[] = [];
  readonly #quiet: RawClient[] = [];

  constructor(readonly sut: SwitchUnderTest) {}

  /** A new inbound connection, authenticated (its `auth` is recorded). */
  async connect(): Promise<Conn> {
    const client = await RawClient.connect(this.sut.port, this.sut.host);
    await within(client.next(), 'auth/request');
    const conn = new Conn('inbound', client);
    this.connections.push(conn);
    const reply = await conn.send(`auth ${this.sut.password}`);
    if (reply !== '+OK accepted') throw new Error(`auth refused by ${this.sut.name}: ${reply}`);
    return conn;
  }

  /** The next connection the switch makes to our outbound listener. */
  async accept(): Promise<Conn> {
    const conn = new Conn('outbound', await within(this.sut.outbound.accept(), 'the outbound connection'));
    this.connections.push(conn);
    return conn;
  }

  /** An api command on a connection that is not recorded (polling, say), its body. */
  async quietApi(command: string): Promise<string> {
    let client = this.#quiet[0];
    if (!client) {
      client = await RawClient.authed(this.sut.port, this.sut.password);
      this.#quiet.push(client);
    }
    return (await within(client.send(`api ${command}`), command)).bodyText;
  }

  /** Asks `api <command>` (unrecorded) until the body passes `ok`. */
  async until(command: string, ok: (body: string) => boolean): Promise<void> {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      if (ok(await this.quietApi(command))) return;
      if (Date.now() > deadline) throw new Error(`api ${command} never answered as expected`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Waits until every loopback channel `monitor` (subscribed to the channel events) has seen
   * created is destroyed. (Not `show channels`: its core database lists a channel only some
   * 200 ms after it is created, so a short call may never show there.)
   */
  async allGone(monitor: Conn): Promise<void> {
    const client = monitor.client;
    const gone = (): boolean => {
      const created = new Set<string>();
      const destroyed = new Set<string>();
      for (const f of client.frames) {
        if (!f.contentType?.startsWith('text/event-')) continue;
        const e = EslEvent.fromFrame(f);
        if (!e.getHeader('Channel-Name')?.startsWith('loopback/')) continue;
        if (e.name === 'CHANNEL_CREATE') created.add(e.getHeader('Unique-ID')!);
        if (e.name === 'CHANNEL_DESTROY') destroyed.add(e.getHeader('Unique-ID')!);
      }
      return created.size > 0 && [...created].every((u) => destroyed.has(u));
    };
    while (!gone()) await within(client.waitFrames(client.frames.length + 1), 'the channels to be destroyed');
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.client.close();
    for (const c of this.#quiet) c.close();
  }
}

/** A fresh uuid for origination_uuid. */
export function newUuid(): string {
  return randomUUID();
}
