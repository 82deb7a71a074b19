export { Connection } from './connection.js';
export type { BgapiOptions, CommandOptions, ConnectionMode, ConnectionState, EslConnection, ExecuteCommandOptions } from './esl-connection.js';
export type { ConnectionOptions, ReconnectOptions } from './options.js';
export { ApiResponse, ApplicationResult, BackgroundJob, CommandReply, LogLine, isErrorText, replySucceeded } from './replies.js';
export { CommandQueue, QueuedCommand, TargetCommand } from './command-queue.js';
export type { QueueHooks, ReplyTarget, Scheduler } from './command-queue.js';
export { EventRouter } from './event-router.js';
export { backoffDelay, retryWithBackoff, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions, RetryHooks } from './backoff.js';
