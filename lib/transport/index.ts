export type { Transport } from './transport.js';
export { openSocket, socketChunks, socketTransport, SocketWriter } from './socket.js';
export type { OpenSocketOptions } from './socket.js';
export { frames } from './frames.js';
