/**
 * rxesl: a reactive FreeSWITCH Event Socket library.
 */
export * from './errors.js';
export * from './protocol/index.js';
export * from './transport/index.js';
export * from './switch/index.js';
export * from './connection/index.js';
export * from './server/index.js';
export * from './operators/index.js';
export * from './channel/index.js';
