/**
 * A reader in a process of its own, for run.ts: a cluster client (over NATS) or Connections
 * straight to the sources (the baseline), counting events, timing api calls, or taking calls.
 */
import { Observable, filter, firstValueFrom, lastValueFrom, merge } from 'rxjs';
import { Connection, type EslEvent } from '../../lib/index.js';
import { Cluster } from '../../lib/nats/index.js';

export type WorkerJob =
  /** Count `expect` events (all of them, or until `idleMs` without one); with `latency`, the delay from each event's Bench-Sent. */
  | { type: 'events'; via: Via; expect: number; latency: boolean; idleMs: number }
  /** `n` api calls one after the other, or all at once. */
  | { type: 'api'; via: Via; n: number; concurrent: boolean }
  /** Takes calls from calls$ (queue `bench`) and reports each, and its end. */
  | { type: 'calls'; servers: string; ackWaitMs: number; prefix: string; stream: string };

/** Over NATS (with JetStream: the stream `ESL_BENCH` of the prefix `jsbench`), or Connections straight to the switches' ports. */
export type Via = { nats: string; jetstream: boolean } | { direct: number[] };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'events'; count: number; firstAt: string; lastAt: string; latencyUs: number[] }
  | { type: 'api'; n: number; ms: number }
  | { type: 'call'; uuid: string; redelivered: boolean }
  | { type: 'ended'; uuid: string; cause: string | undefined }
  | { type: 'fatal'; message: string };

const send = (m: FromWorker): void => void process.send!(m);

interface Reader {
  events$: Observable<EslEvent>;
  api(cmd: string): Promise<unknown>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function open(via: Via): Promise<Reader> {
  if ('direct' in via) {
    const conns = await Promise.all(via.direct.map((port) => Connection.connect({ port })));
    await Promise.all(conns.map((c) => lastValueFrom(c.events('plain', ['ALL']))));
    return {
      events$: merge(...conns.map((c) => c.events$)),
      api: (cmd) => firstValueFrom(conns[0]!.api(cmd)),
      flush: async () => undefined,
      close: async () => void (await Promise.all(conns.map((c) => c.close()))),
    };
  }
  const cluster = await Cluster.connect({ servers: via.nats }, via.jetstream ? { jetstream: { stream: 'ESL_BENCH' }, prefix: 'jsbench' } : {});
  await firstValueFrom(cluster.switches$.pipe(filter((l) => l.length > 0)));
  const node = cluster.switches[0]!.node;
  return { events$: cluster.events$, api: (cmd) => firstValueFrom(cluster.switch(node).api(cmd)), flush: () => cluster.flush(), close: () => cluster.close() };
}

async function events(job: Extract<WorkerJob, { type: 'events' }>): Promise<void> {
  const r = await open(job.via);
  let count = 0;
  let first = 0n;
  let last = 0n;
  const latencyUs: number[] = [];
  let idle: ReturnType<typeof setTimeout> | undefined;
  let arm!: (ms?: number) => void;
  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      sub.unsubscribe();
      resolve();
    };
    arm = (ms = job.idleMs): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(finish, ms);
    };
    const sub = r.events$.subscribe((e) => {
      const now = process.hrtime.bigint();
      if (count === 0) first = now;
      last = now;
      if (e.name === undefined) return;
      count++;
      if (job.latency) {
        const sent = e.getHeader('Bench-Sent');
        if (sent) latencyUs.push(Number(now - BigInt(sent)) / 1000);
      }
      if (count === 1) arm();
      if (count % 1000 === 0) arm();
      if (count >= job.expect) finish();
    });
  });
  await r.flush();
  send({ type: 'ready' });
  // Nothing at all for a long while: report what there is (nothing) rather than hang.
  if (count === 0) arm(job.idleMs * 10);
  await done;
  if (idle) clearTimeout(idle);
  send({ type: 'events', count, firstAt: String(first), lastAt: String(last), latencyUs });
  await r.close();
}

async function api(job: Extract<WorkerJob, { type: 'api' }>): Promise<void> {
  const r = await open(job.via);
  await r.api('echo warm-up');
  send({ type: 'ready' });
  const t0 = performance.now();
  if (job.concurrent) await Promise.all(Array.from({ length: job.n }, (_, i) => r.api(`echo req-${i}`)));
  else for (let i = 0; i < job.n; i++) await r.api(`echo req-${i}`);
  send({ type: 'api', n: job.n, ms: performance.now() - t0 });
  await r.close();
}

async function calls(job: Extract<WorkerJob, { type: 'calls' }>): Promise<void> {
  const cluster = await Cluster.connect({ servers: job.servers }, { jetstream: { stream: job.stream }, prefix: job.prefix });
  cluster.calls$({ queue: 'bench', ackWaitMs: job.ackWaitMs }).subscribe((call) => {
    send({ type: 'call', uuid: call.uuid, redelivered: call.redelivered });
    call.channel.state$.subscribe({ complete: () => send({ type: 'ended', uuid: call.uuid, cause: call.channel.snapshot.hangupCause }) });
  });
  await cluster.flush();
  send({ type: 'ready' });
}

process.once('message', (job: WorkerJob) => {
  const run = job.type === 'events' ? events(job) : job.type === 'api' ? api(job) : calls(job);
  run.catch((err: unknown) => send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});

