/**
 * `rxesl gateway`: one FreeSWITCH on NATS (rxesl/nats's Gateway) until SIGINT or SIGTERM.
 *
 *   rxesl gateway --nats nats://127.0.0.1:4222 --node fs1 [--host 127.0.0.1] [--port 8021]
 *                 [--password ClueCon] [--jetstream] [--stream ESL] [--prefix esl]
 *
 * The switch's address and password fall back to ESL_HOST, ESL_PORT and ESL_PASSWORD (then
 * fs_cli's defaults), the NATS servers to NATS_URL. One line when it is up, one line per
 * problem on stderr, and it closes cleanly on a signal (exit 0).
 */
import type { CliIo } from './run.js';

interface GatewayArgs {
  nats: string;
  node: string;
  host: string;
  port: number;
  password: string;
  jetstream: boolean;
  stream: string | undefined;
  prefix: string | undefined;
}

export const GATEWAY_USAGE = `usage: rxesl gateway --nats <nats://host:port> --node <name> [--host <host>] [--port <port>] [--password <password>] [--jetstream] [--stream <name>] [--prefix <prefix>]`;

const VALUED = new Set(['nats', 'node', 'host', 'port', 'password', 'stream', 'prefix']);

export function parseGatewayArgs(argv: readonly string[], env: CliIo['env']): GatewayArgs | string {
  const given = new Map<string, string>();
  let jetstream = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--jetstream') {
      jetstream = true;
      continue;
    }
    const name = a.startsWith('--') ? a.slice(2) : '';
    if (!VALUED.has(name)) return `unknown option ${a}`;
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
    given.set(name, v);
  }
  const nats = given.get('nats') ?? env.NATS_URL;
  const node = given.get('node');
  if (!nats) return '--nats (or NATS_URL) is required';
  if (!node) return '--node is required';
  const port = Number(given.get('port') ?? env.ESL_PORT ?? 8021);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `not a port: ${given.get('port') ?? env.ESL_PORT}`;
  return {
    nats,
    node,
    host: given.get('host') ?? env.ESL_HOST ?? '127.0.0.1',
    port,
    password: given.get('password') ?? env.ESL_PASSWORD ?? 'ClueCon',
    jetstream: jetstream || given.has('stream'),
    stream: given.get('stream'),
    prefix: given.get('prefix'),
  };
}

export async function runGateway(io: CliIo, argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    io.stdout.write(`${GATEWAY_USAGE}\n`);
    return 0;
  }
  const args = parseGatewayArgs(argv, io.env);
  if (typeof args === 'string') {
    io.stderr.write(`rxesl gateway: ${args}\n${GATEWAY_USAGE}\n`);
    return 1;
  }
  const { Gateway } = await import('../nats/index.js');
  let gw;
  try {
    gw = await Gateway.start({
      nats: { servers: args.nats.split(',') },
      node: args.node,
      esl: { host: args.host, port: args.port, password: args.password },
      jetstream: args.jetstream ? { stream: args.stream } : false,
      prefix: args.prefix,
    });
  } catch (err) {
    io.stderr.write(`rxesl gateway: ${(err as Error).message}\n`);
    return 1;
  }
  const errors = gw.errors$.subscribe((e) => io.stderr.write(`rxesl gateway ${args.node}: ${e.message}\n`));
  const states = gw.state$.subscribe((s) =>
    io.stdout.write(`gateway ${args.node}: switch ${args.host}:${args.port} ${s}; NATS ${args.nats}${args.jetstream ? `, JetStream stream ${args.stream ?? 'ESL'}` : ''}\n`),
  );
  await new Promise<void>((resolve) => {
    const off = io.onSignal?.(() => {
      off?.();
      resolve();
    });
    if (!off) resolve();
  });
  await gw.close();
  states.unsubscribe();
  errors.unsubscribe();
  return 0;
}
