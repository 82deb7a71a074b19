/**
 * A test's cluster: a real nats-server, FakeSwitches, gateways and clients, all closed after
 * the test in reverse order of creation.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { filter, firstValueFrom } from 'rxjs';
import { Cluster, type ClusterOptions, Gateway, type GatewayOptions } from 'rxesl/nats';
import { FakeSwitch, type FakeSwitchOptions } from 'rxesl/testing';
import { type NatsServer, startNatsServer } from './nats-server';

export class World {
  readonly closers: Array<() => Promise<unknown>> = [];
  nats!: NatsServer;

  static async start(): Promise<World> {
    const w = new World();
    w.nats = await startNatsServer();
    w.closers.push(() => w.nats.stop());
    return w;
  }

  async fakeSwitch(options: FakeSwitchOptions = {}): Promise<FakeSwitch> {
    // No heartbeats: a test counts the events it makes.
    const fs = await FakeSwitch.start({ heartbeatIntervalMs: 0, ...options });
    this.closers.push(() => fs.stop());
    return fs;
  }

  async gateway(node: string, fs: FakeSwitch, options: Partial<GatewayOptions> = {}): Promise<Gateway> {
    const gw = await Gateway.start({ nats: { servers: this.nats.url }, node, esl: { host: fs.host, port: fs.port, password: fs.password }, announceMs: 500, ...options });
    this.closers.push(() => gw.close({ flushMs: 1000 }));
    return gw;
  }

  async cluster(options: ClusterOptions = {}): Promise<Cluster> {
    const c = await Cluster.connect({ servers: this.nats.url }, options);
    this.closers.push(() => c.close());
    return c;
  }

  /** A plain NATS connection, for tests that speak NATS themselves. */
  async client(): Promise<NatsConnection> {
    const nc = await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    this.closers.push(() => nc.close());
    return nc;
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
  }
}

/** Resolves when the cluster sees exactly these nodes up. */
export function nodesUp(cluster: Cluster, nodes: string[]): Promise<unknown> {
  const want = [...nodes].sort().join(',');
  return firstValueFrom(cluster.switches$.pipe(filter((list) => list.map((s) => s.node).join(',') === want)));
}
