/**
 * The switch itself, without sockets: the bus (bus.ts) plus the channel table, the API and
 * application registries and the dialplan. FakeSwitch wraps it with a TCP server and a
 * friendly API; the built-in applications and API commands, the endpoints and the
 * connections are given the core, and the core knows none of them.
 */
import { ApiRegistry } from './api.js';
import { AppRegistry } from './applications.js';
import { SwitchBus } from './bus.js';
import type { AppEntry, Channel, ChannelHost } from './channel.js';
import type { Scheduler } from './clock.js';
import { Dialplan, type DialplanAction } from './dialplan.js';
import type { ResolvedOptions } from './options.js';

/** A connection that controls a session (outbound, or inbound after myevents): it is told when that session ends. */
export interface SessionWatcher {
  /** The session the connection controls went down (hangup). */
  sessionDown(channel: Channel): void;
  /** The session the connection controls reached CHANNEL_HANGUP_COMPLETE. */
  sessionReported(channel: Channel): void;
}

export class SwitchCore extends SwitchBus implements ChannelHost {
  readonly apis: ApiRegistry;
  readonly apps = new AppRegistry();
  readonly dialplan: Dialplan;
  readonly channels = new Map<string, Channel>();

  #peakSessions = 0;
  #controllers = new Map<string, Set<SessionWatcher>>();
  #channelObservers = new Set<(channel: Channel, what: 'create' | 'down' | 'destroy') => void>();
  #resetHooks = new Set<() => void>();

  constructor(options: ResolvedOptions, scheduler: Scheduler) {
    super(options, scheduler);
    this.apis = new ApiRegistry(this);
    this.dialplan = new Dialplan(options.outboundSocket, options.catchAll);
  }

  // ------------------------------------------------------------------ the channel table

  /** Sessions that exist now (switch_core_session_count). */
  get liveSessions(): number {
    return this.channels.size;
  }

  get peakSessions(): number {
    return this.#peakSessions;
  }

  registerChannel(channel: Channel): void {
    this.channels.set(channel.uuid, channel);
    if (this.channels.size > this.#peakSessions) this.#peakSessions = this.channels.size;
    for (const o of this.#channelObservers) o(channel, 'create');
  }

  /** Forgets every channel at once (a stop, or a restart: the switch comes back empty). */
  reset(): void {
    this.channels.clear();
    for (const h of this.#resetHooks) h();
  }

  /** Calls `fn` after every reset(). */
  onReset(fn: () => void): () => void {
    this.#resetHooks.add(fn);
    return () => this.#resetHooks.delete(fn);
  }

  /** Changes a channel's uuid in the registry (switch_core_session_set_uuid). */
  renameChannel(channel: Channel, oldUuid: string): void {
    if (this.channels.get(oldUuid) === channel) this.channels.delete(oldUuid);
    this.channels.set(channel.uuid, channel);
  }

  unregisterChannel(channel: Channel): void {
    if (this.channels.get(channel.uuid) === channel) this.channels.delete(channel.uuid);
    for (const o of this.#channelObservers) o(channel, 'destroy');
  }

  /** A channel started hanging up: connections controlling it are told. */
  channelDown(channel: Channel): void {
    const set = this.#controllers.get(channel.uuid);
    if (set) for (const s of [...set]) s.sessionDown(channel);
    for (const o of this.#channelObservers) o(channel, 'down');
  }

  /** A channel fired CHANNEL_HANGUP_COMPLETE. */
  channelReported(channel: Channel): void {
    const set = this.#controllers.get(channel.uuid);
    if (set) for (const s of [...set]) s.sessionReported(channel);
  }

  /** Marks a connection as controlling a session (told when it hangs up). */
  control(watcher: SessionWatcher, uuid: string | undefined, previous?: string): void {
    if (previous !== undefined) {
      const set = this.#controllers.get(previous);
      if (set && set.delete(watcher) && set.size === 0) this.#controllers.delete(previous);
    }
    if (uuid === undefined) return;
    let set = this.#controllers.get(uuid);
    if (!set) this.#controllers.set(uuid, (set = new Set()));
    set.add(watcher);
  }

  observeChannels(fn: (channel: Channel, what: 'create' | 'down' | 'destroy') => void): () => void {
    this.#channelObservers.add(fn);
    return () => this.#channelObservers.delete(fn);
  }

  /** The channels that exist now, oldest first. */
  liveChannels(): Channel[] {
    return [...this.channels.values()].filter((c) => !c.destroyed).sort((a, b) => a.times.created - b.times.created);
  }

  /** Finds a channel by uuid. */
  channel(uuid: string | undefined): Channel | undefined {
    return uuid === undefined ? undefined : this.channels.get(uuid);
  }

  // ------------------------------------------------------------------ what channels ask for

  /** The application of that name (switch_loadable_module_get_application_interface). */
  application(name: string): AppEntry | undefined {
    return this.apps.get(name);
  }

  /** Runs an inline extension on a channel (sendmsg xferext). */
  transferToExtension(channel: Channel, actions: DialplanAction[]): void {
    this.dialplan.pushInline(channel.uuid, actions);
    channel.requestTransfer(`xferext:${channel.uuid}`, 'inline');
  }
}
