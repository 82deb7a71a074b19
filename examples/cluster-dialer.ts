/**
 * A dialer on a cluster: campaign calls placed on every switch that is up, round robin; each
 * answered call is handed to exactly one of the workers sharing the queue `campaign`, which
 * plays the message on its Channel and hangs up. Switches, gateways and workers meet on NATS
 * (rxesl/nats); no worker knows where the switches are.
 *
 *   npx tsx examples/cluster-dialer.ts --demo
 *       nats-server, 3 FakeSwitches, their gateways (fs1 with a second one on stand-by),
 *       2 workers and the dialer, in one process; 6 calls.
 *   NATS_URL=nats://10.0.0.5:4222 npx tsx examples/cluster-dialer.ts user/1000 user/1001
 *       against gateways already running (`rxesl gateway --nats ... --node fs1` beside each switch).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Observable, filter, firstValueFrom, lastValueFrom, mergeMap } from 'rxjs';
import { Cluster, type ClusterCall, Gateway, type SwitchInfo } from 'rxesl/nats';
import { FakeSwitch } from 'rxesl/testing';
import { runWhenMain } from './support.js';

/** The queue the workers share: each answered call goes to one of them. */
export const QUEUE = 'campaign';

export interface Handled {
  worker: string;
  node: string;
  number: string;
  outcome: string;
}

/**
 * A worker: takes the campaign's calls from the cluster (one worker each), plays the message
 * and hangs up. The number dialled travels as a channel variable set in the dial string.
 */
export function worker(cluster: Cluster, name: string, message = 'campaign/offer.wav'): Observable<Handled> {
  return cluster.calls$({ queue: QUEUE }).pipe(
    mergeMap(async (call: ClusterCall) => {
      const number = call.channel.snapshot.variables.campaign_number ?? '?';
      const played = await lastValueFrom(call.channel.playback(message));
      await lastValueFrom(call.channel.hangup('NORMAL_CLEARING'));
      return { worker: name, node: call.node, number, outcome: played.response === 'FILE PLAYED' ? 'message played' : `playback: ${played.response ?? 'no response'}` };
    }),
  );
}

/** Places one call per number on the switches that are up, round robin; resolves with where each went and whether it was answered. */
export async function dial(cluster: Cluster, numbers: readonly string[]): Promise<Array<{ number: string; node: string; answered: boolean }>> {
  const up = cluster.switches.map((s) => s.node);
  if (up.length === 0) throw new Error('no switch is up');
  return Promise.all(
    numbers.map(async (number, i) => {
      const node = up[i % up.length]!;
      const job = await lastValueFrom(cluster.switch(node).bgapi('originate', `{campaign_number=${number}}user/${number} &park`, { failOnError: false }));
      return { number, node, answered: job.kind === 'job' && job.ok };
    }),
  );
}

function describeSwitches(list: readonly SwitchInfo[]): string {
  return list.map((s) => (s.gateways.length > 1 ? `${s.node} (${s.gateways.length} gateways)` : s.node)).join(', ');
}

// ------------------------------------------------------------------ --demo: everything in one process

/** nats-server on a free port with a store of its own (JetStream on); Debian installs it in /usr/sbin. */
export async function startNatsServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  const binary =
    process.env.NATS_SERVER ??
    dirs
      .map((d) => join(d, 'nats-server'))
      .find((f) => {
        try {
          accessSync(f, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
  if (!binary) throw new Error('--demo needs nats-server: install it (Debian/Ubuntu: sudo apt-get install -y nats-server) or set NATS_SERVER');
  const store = mkdtempSync(join(tmpdir(), 'rxesl-dialer-'));
  const proc: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Listening for client connections on [^:]+:(\d+)[\s\S]*Server is ready/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log.trim().split('\n').pop()}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode === null) await new Promise((r) => proc.once('exit', r).kill('SIGTERM'));
      rmSync(store, { recursive: true, force: true });
    },
  };
}

async function demo(): Promise<void> {
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const nats = await startNatsServer();
    closers.push(nats.stop);
    const servers = { servers: nats.url };
    const nodes = ['fs1', 'fs2', 'fs3'];
    for (const node of nodes) {
      const fake = await FakeSwitch.start({ heartbeatIntervalMs: 0, media: { playbackMs: 200 } });
      closers.push(() => fake.stop());
      const esl = { host: fake.host, port: fake.port, password: fake.password };
      const gw = await Gateway.start({ nats: servers, node, esl });
      closers.push(() => gw.close());
      // fs1 has a second gateway for high availability: it serves commands too and takes over publishing if the first goes.
      if (node === 'fs1') {
        const standby = await Gateway.start({ nats: servers, node, esl });
        closers.push(() => standby.close());
      }
    }
    const workers = await Promise.all(['worker-a', 'worker-b'].map(() => Cluster.connect(servers)));
    const dialer = await Cluster.connect(servers);
    closers.push(...[...workers, dialer].map((c) => () => c.close()));
    const up = await firstValueFrom(dialer.switches$.pipe(filter((l) => l.length === 3 && l[0]!.gateways.length === 2)));
    console.log(`switches up: ${describeSwitches(up)}`);

    const handled: Handled[] = [];
    const numbers = ['2001', '2002', '2003', '2004', '2005', '2006'];
    const done = new Promise<void>((resolve) => {
      workers.forEach((w, i) =>
        worker(w, i === 0 ? 'worker-a' : 'worker-b').subscribe((h) => {
          handled.push(h);
          if (handled.length === numbers.length) resolve();
        }),
      );
    });
    await Promise.all(workers.map((w) => w.flush()));
    const placed = await dial(dialer, numbers);
    await done;
    for (const p of placed) {
      const h = handled.find((x) => x.number === p.number);
      console.log(`${p.number} via ${p.node}: ${p.answered ? 'answered' : 'not answered'}, handed to ${h?.worker ?? 'nobody'}, ${h?.outcome ?? '-'}`);
    }
    const count = (name: string): number => handled.filter((h) => h.worker === name).length;
    const once = new Set(handled.map((h) => h.number)).size === handled.length;
    console.log(`${handled.length} calls, ${once ? 'each handled once' : 'SOME HANDLED TWICE'}: worker-a ${count('worker-a')}, worker-b ${count('worker-b')}`);
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

// ------------------------------------------------------------------ against a real cluster

async function live(numbers: string[]): Promise<void> {
  if (numbers.length === 0) throw new Error('usage: cluster-dialer.ts <number>... (with NATS_URL and gateways running), or --demo');
  const cluster = await Cluster.connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  try {
    await firstValueFrom(cluster.switches$.pipe(filter((l) => l.length > 0)));
    console.log(`switches up: ${describeSwitches(cluster.switches)}`);
    const handling = worker(cluster, 'this worker').subscribe((h) => console.log(`${h.number} on ${h.node}: ${h.outcome}`));
    await cluster.flush();
    for (const p of await dial(cluster, numbers)) console.log(`${p.number} via ${p.node}: ${p.answered ? 'answered' : 'not answered'}`);
    handling.unsubscribe();
  } finally {
    await cluster.close();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--demo')) await demo();
  else await live(process.argv.slice(2).filter((a) => !a.startsWith('--')));
}

runWhenMain(import.meta, main);
