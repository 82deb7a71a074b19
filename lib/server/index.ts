export { Server } from './server.js';
export type { CloseOptions, ServerOptions } from './server.js';
