/**
 * The `socket` application (socket_function in mod_event_socket.c): FakeSwitch connects out
 * to `host:port`, sends nothing, and waits for the client's first command, which must be
 * `connect`. In `async` mode the channel then parks while the client drives it; `full` gives
 * the connection the inbound command set.
 *
 * When the connection ends (`exit`, or the client closes), the park ends: listener_run clears
 * the channel's CF_CONTROLLED flag on its way out, switch_ivr_park's loop stops
 * (CHANNEL_UNPARK), and the socket application returns (CHANNEL_EXECUTE_COMPLETE). The
 * channel is still in CS_EXECUTE, so its extension goes on: with nothing after `socket`, it
 * hangs up with NORMAL_CLEARING (switch_core_standard_on_execute). `resume` (or the
 * socket_resume variable) only makes socket_function put the channel back in CS_EXECUTE when
 * something moved it meanwhile: the same outcome here, where nothing does.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { SwitchBus } from './bus.js';
import type { AppContext, Channel } from './channel.js';
import { SITES } from './events.js';
import type { Listener } from './listener.js';

/** A parsed socket target: `host[:port][/path][|host2...] [async] [full]`. */
interface SocketTarget {
  hosts: Array<{ host: string; port: number; path?: string }>;
  async: boolean;
  full: boolean;
}

function parseSocketTarget(data: string): SocketTarget | undefined {
  const argv = data.split(' ').filter((s) => s !== '');
  if (argv.length < 1) return undefined;
  const hosts: SocketTarget['hosts'] = [];
  for (const raw of argv[0]!.split('|')) {
    if (raw === '') continue;
    let host = raw;
    let port = 8084;
    let path: string | undefined;
    // The port is taken after the last colon (an IPv6 address needs an explicit port).
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      const after = host.slice(colon + 1);
      host = host.slice(0, colon);
      const slash = after.indexOf('/');
      port = Number.parseInt(slash < 0 ? after : after.slice(0, slash), 10) || 0;
      if (slash >= 0) path = after.slice(slash + 1);
    } else {
      const slash = host.indexOf('/');
      if (slash >= 0) {
        path = host.slice(slash + 1);
        host = host.slice(0, slash);
      }
    }
    hosts.push({ host: host.replace(/^\[|\]$/g, ''), port, path });
  }
  const flags = argv.slice(1).map((s) => s.toLowerCase());
  return { hosts, async: flags.includes('async'), full: flags.includes('full') };
}

function tryConnect(host: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    // Half-open, as the inbound sockets: a client that ends its side still gets the notice.
    const socket = netConnect({ host, port, allowHalfOpen: true });
    const fail = (): void => {
      socket.destroy();
      resolve(undefined);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
  });
}

/** Creates and tracks an outbound connection for a socket. */
export type OutboundFactory = (socket: Socket, options: { session: Channel; async: boolean; full: boolean }) => Listener;

/** Runs the socket application on a channel; `create` makes the connection (FakeSwitch keeps track of it). */
export async function runSocketApplication(core: SwitchBus, ctx: AppContext, create: OutboundFactory): Promise<void> {
  const { channel } = ctx;
  const target = parseSocketTarget(ctx.args);
  const origin = { file: 'mod_event_socket.c', func: 'socket_function', uuid: channel.uuid };
  if (!target || target.hosts.length === 0) {
    core.log(3, 'Parse Error!', { ...origin, line: 440 });
    return;
  }
  // Until the client's `connect` (or the end of the attempt), simulated time waits: a
  // ManualClock's tick() does not jump over the handshake.
  const releaseClock = core.scheduler.busy();
  let socket: Socket | undefined;
  for (const h of target.hosts) {
    core.log(5, `Trying host: ${h.host}:${h.port}`, { ...origin, line: 455 });
    if (h.path !== undefined) channel.setVar('socket_path', h.path);
    channel.setVar('socket_host', h.host);
    socket = await tryConnect(h.host, h.port);
    if (socket) break;
    core.log(3, `Socket Error: connection refused`, { ...origin, line: 492 });
  }
  if (!socket) {
    releaseClock();
    core.log(3, 'Socket Error!', { ...origin, line: 497 });
    return;
  }
  if (!channel.ready || core.stopped) {
    releaseClock();
    socket.destroy();
    return;
  }
  const listener = create(socket, { session: channel, async: target.async, full: target.full });
  listener.start();
  void Promise.race([listener.whenConnected(), channel.whenDown(), listener.whenClosed]).then(releaseClock);
  if (target.async) {
    // The application waits for `connect`, then parks the channel while the client drives it.
    await Promise.race([listener.whenConnected(), channel.whenDown(), listener.whenClosed]);
    if (!channel.ready) return;
    // The park lasts until a hangup, a transfer, or the end of the connection.
    channel.emit('CHANNEL_PARK', SITES.park);
    await ctx.wait(undefined, { breakable: false, park: true, until: listener.whenClosed });
    channel.emit('CHANNEL_UNPARK', SITES.unpark);
    return;
  }
  // Static mode: the connection runs in the channel's thread; the application returns when it ends.
  await ctx.wait(undefined, { breakable: false, media: false, until: listener.whenClosed });
}
