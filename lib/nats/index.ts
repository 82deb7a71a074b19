/**
 * rxesl/nats: many switches and many workers on NATS. A Gateway per FreeSWITCH puts its events
 * and commands on NATS; a Cluster makes every switch behind a gateway look like a Connection.
 * The NATS client (`@nats-io/transport-node`, and `@nats-io/jetstream` for streams) is an
 * optional peer dependency, loaded on first use.
 */
export { Gateway } from './gateway.js';
export type { GatewayOptions, GatewayState, GatewayStats } from './gateway.js';
export { Cluster } from './cluster.js';
export type { ClusterOptions, SwitchInfo } from './cluster.js';
export { RemoteSwitch } from './remote-switch.js';
export type { ClusterEvent } from './remote-switch.js';
export type { CallsOptions, ClusterCall } from './calls.js';
export type { StreamOptions } from './stream.js';
export type { NatsConnectOptions, NatsConnectionLike, NatsInput } from './nats-connection.js';
export { Subjects, escapeToken, unescapeToken } from './subjects.js';
export type { EventSubjectParts } from './subjects.js';
export type { GatewayStatus } from './wire.js';
