export { Connection } from './connection.js';
export type { BgapiOptions, CommandOptions, ConnectionOptions, ConnectionState, ExecuteCommandOptions, ReconnectOptions } from './connection.js';
export { ApiResponse, ApplicationResult, BackgroundJob, CommandReply, LogLine, isErrorText } from './replies.js';
export { CommandQueue, QueuedCommand, TargetCommand } from './command-queue.js';
export type { QueueHooks, ReplyTarget, Scheduler } from './command-queue.js';
export { EventRouter } from './event-router.js';
export { backoffDelay, retryWithBackoff, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions, RetryHooks } from './backoff.js';
