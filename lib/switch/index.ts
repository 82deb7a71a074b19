/**
 * FreeSWITCH's half of the protocol: reading the commands a client writes (CommandReader) and
 * writing replies, events and notices as mod_event_socket does (ServerFrames). rxesl's client
 * side needs neither; FakeSwitch, VirtualConnection, the modesl facade (to check that a raw
 * command reads as one) and the bench server do.
 */
export { CommandReader, atoi } from './command-reader.js';
export type { ClientCommand, CommandReaderOptions } from './command-reader.js';
export { ServerFrames } from './server-frames.js';
