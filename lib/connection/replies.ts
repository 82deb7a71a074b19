/**
 * What commands give back, named as on the wire: a command/reply is a CommandReply, an
 * api/response an ApiResponse, a BACKGROUND_JOB a BackgroundJob, a CHANNEL_EXECUTE_COMPLETE an
 * ApplicationResult; a log/data frame is a LogLine.
 */
import { EslEvent } from '../protocol/event.js';
import { LOG_LEVELS } from '../protocol/event-names.js';
import type { Frame } from '../protocol/frame.js';

/**
 * True when a command/reply says the command succeeded: its Reply-Text starts with +OK.
 * mod_event_socket answers every command with `+OK ...` or `-ERR ...` (all but getvar, whose
 * reply is the variable's value: rxesl reads that one as a value). The one rule for a reply,
 * wherever rxesl checks one: commands, the handshake, the restore after a reconnect, the
 * modesl facade.
 */
export function replySucceeded(replyText: string): boolean {
  return replyText.startsWith('+OK');
}

/**
 * True when the output of an api or bgapi reports a failure (`-ERR ...`, `-USAGE: ...`). An
 * output is free text, so it is the failure that is marked, not the success.
 */
export function isErrorText(text: string): boolean {
  return text.startsWith('-ERR') || text.startsWith('-USAGE');
}

/** A `command/reply`: Reply-Text and any extra headers. */
export class CommandReply {
  readonly kind = 'reply' as const;
  /** The reply as an event (its headers are the frame's headers). */
  readonly event: EslEvent;
  /** Reply-Text, as sent. */
  readonly replyText: string;
  /** The command this replies to (password masked). */
  readonly command: string;

  constructor(event: EslEvent, command: string) {
    this.event = event;
    this.command = command;
    this.replyText = event.getHeader('Reply-Text') ?? '';
  }

  /** Reply-Text starts with +OK (the connect reply's `+OK\n` included): see replySucceeded. */
  get ok(): boolean {
    return replySucceeded(this.replyText);
  }

  /** The Job-UUID of a bgapi reply. */
  get jobUuid(): string | undefined {
    return this.event.getHeader('Job-UUID');
  }

  getHeader(name: string): string | undefined {
    return this.event.getHeader(name);
  }
}

/** An `api/response`: the command's output is the body. */
export class ApiResponse {
  readonly kind = 'api' as const;
  readonly event: EslEvent;
  readonly command: string;
  readonly body: string;

  constructor(event: EslEvent, command: string) {
    this.event = event;
    this.command = command;
    this.body = event.getBody() ?? '';
  }

  /** False when the body starts with -ERR or -USAGE (FreeSWITCH reports errors in-band). */
  get ok(): boolean {
    return !isErrorText(this.body);
  }

  /** The body without its final newline. */
  get text(): string {
    return this.body.endsWith('\n') ? this.body.slice(0, -1) : this.body;
  }
}

/** The BACKGROUND_JOB event that ends a bgapi: the output is the body (no body means empty output). */
export class BackgroundJob {
  readonly kind = 'job' as const;
  readonly event: EslEvent;
  readonly jobUuid: string;
  readonly body: string;

  constructor(event: EslEvent) {
    this.event = event;
    this.jobUuid = event.getHeader('Job-UUID') ?? '';
    this.body = event.getBody() ?? '';
  }

  get command(): string | undefined {
    return this.event.getHeader('Job-Command');
  }

  get args(): string | undefined {
    return this.event.getHeader('Job-Command-Arg');
  }

  get ok(): boolean {
    return !isErrorText(this.body);
  }

  /** The body without its final newline. */
  get text(): string {
    return this.body.endsWith('\n') ? this.body.slice(0, -1) : this.body;
  }
}

/** The CHANNEL_EXECUTE_COMPLETE that ends an execute, matched by Application-UUID. */
export class ApplicationResult {
  readonly kind = 'complete' as const;
  readonly event: EslEvent;

  constructor(event: EslEvent) {
    this.event = event;
  }

  get application(): string | undefined {
    return this.event.getHeader('Application');
  }

  get applicationData(): string | undefined {
    return this.event.getHeader('Application-Data');
  }

  /** Application-Response (`_none_` when the application set none). */
  get response(): string | undefined {
    return this.event.getHeader('Application-Response');
  }

  get applicationUuid(): string | undefined {
    return this.event.getHeader('Application-UUID');
  }

  /** The channel. */
  get uuid(): string | undefined {
    return this.event.getHeader('Unique-ID');
  }
}

/** A `log/data` frame (only after `log <level>`). Header values are raw. */
export class LogLine {
  readonly frame: Frame;
  /** 0 CONSOLE ... 7 DEBUG. */
  readonly level: number;
  readonly text: string;

  constructor(frame: Frame) {
    this.frame = frame;
    this.level = Number(frame.headers.get('Log-Level') ?? 7);
    this.text = frame.bodyText;
  }

  /** console, alert, crit, err, warning, notice, info or debug. */
  get levelName(): string {
    return LOG_LEVELS[this.level] ?? String(this.level);
  }

  /** 0 = LOG, 1 = LOG_CLEAN, 3 = SESSION. */
  get textChannel(): number {
    return Number(this.frame.headers.get('Text-Channel') ?? 0);
  }

  get file(): string | undefined {
    return this.frame.headers.get('Log-File');
  }

  get func(): string | undefined {
    return this.frame.headers.get('Log-Func');
  }

  get line(): number | undefined {
    const v = this.frame.headers.get('Log-Line');
    return v === undefined ? undefined : Number(v);
  }

  /** The session UUID of a session log line, or ''. */
  get userData(): string {
    return this.frame.headers.get('User-Data') ?? '';
  }

  /** The whole frame as an event (for code written against libesl's recvEvent). */
  toEvent(): EslEvent {
    return EslEvent.fromFrame(this.frame);
  }
}
