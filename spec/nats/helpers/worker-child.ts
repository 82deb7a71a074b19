/**
 * A worker in a process of its own, for the test that kills one mid-call: it takes calls of
 * the queue `ivr` through JetStream and reports over IPC each DTMF digit its Channel sees
 * (reported, then acknowledged: see calls.ts). Killed with SIGKILL, it acknowledges nothing
 * more and says nothing: as a crashed worker.
 */
import { Cluster } from '../../../lib/nats/index';

async function main(): Promise<void> {
  const cluster = await Cluster.connect({ servers: process.env.NATS_URL! }, { jetstream: true });
  cluster.calls$({ queue: 'ivr', ackWaitMs: Number(process.env.ACK_WAIT_MS) }).subscribe((call) => {
    process.send!({ call: call.uuid, redelivered: call.redelivered });
    call.channel.dtmf$.subscribe((digit) => process.send!({ digit }));
  });
  await cluster.flush();
  process.send!({ ready: true });
}

main().catch((err: unknown) => {
  process.send!({ error: String(err) });
});
