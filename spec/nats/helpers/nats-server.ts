/**
 * A real nats-server for one test file: on a free port, with JetStream in a temporary store
 * directory, stopped (and the directory removed) afterwards. `restart()` stops it and starts
 * it again on the same port with the same store, as an operator restarting the broker would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops it (SIGTERM, then SIGKILL) and starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it; the port and store are kept for a later start(). */
  halt(): Promise<void>;
  /** Starts it again after halt(). */
  start(): Promise<void>;
  /** Stops it for good and removes the store. */
  stop(): Promise<void>;
}

const READY = /Listening for client connections on [^:]+:(\d+)[\s\S]*Server is ready/;

function launch(binary: string, port: number, storeDir: string): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // -p -1: a port of the server's choosing (the first start); later starts reuse it.
    const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(port === 0 ? -1 : port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const onData = (d: Buffer): void => {
      log += d.toString('utf8');
      const m = READY.exec(log);
      if (!m) return;
      proc.stderr!.off('data', onData);
      // Keep draining its log so a chatty server never blocks on a full pipe.
      proc.stderr!.resume();
      resolve({ proc, port: Number(m[1]) });
    };
    proc.stderr!.on('data', onData);
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)));
  });
}

function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

export async function startNatsServer(): Promise<NatsServer> {
  const binary = inject('natsServer');
  const storeDir = mkdtempSync(join(tmpdir(), 'rxesl-nats-'));
  let { proc, port } = await launch(binary, 0, storeDir);
  let running = true;
  const server: NatsServer = {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    async halt() {
      running = false;
      await terminate(proc);
    },
    async start() {
      ({ proc, port } = await launch(binary, port, storeDir));
      running = true;
    },
    async restart() {
      await server.halt();
      await server.start();
    },
    async stop() {
      if (running) await terminate(proc);
      running = false;
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return server;
}
