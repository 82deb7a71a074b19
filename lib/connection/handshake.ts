/**
 * The inbound handshake. FreeSWITCH speaks first: `auth/request` (or, when its ACL refuses
 * the client, a `text/rude-rejection` and the close). The client answers `auth <password>` or
 * `userauth <user>:<password>`; the command/reply says `+OK accepted` or `-ERR invalid` (after
 * which FreeSWITCH closes). Nothing else may come before the reply.
 */
import { EslAuthError, EslDisconnectedError, EslTimeoutError } from '../errors.js';
import type { EncodedCommand } from '../protocol/commands.js';
import { ContentType } from '../protocol/content-type.js';
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import type { Timers } from './command-queue.js';
import { CommandReply } from './replies.js';

/** The link the handshake runs over. */
export interface HandshakeLink {
  /** `host:port`, for messages. */
  readonly peer: string;
  write(data: Uint8Array | string): void;
  /** Drops the link (the handshake took too long). */
  destroy(): void;
  readonly timers: Timers;
}

/**
 * One handshake: feed it the frames read until it settles, and the close if the link goes.
 * `reply` resolves with the accepted reply (userauth's carries Allowed-Events, -API, -LOG), or
 * rejects with EslAuthError (refused, rejected by the ACL, or an unexpected frame),
 * EslTimeoutError, or EslDisconnectedError.
 */
export class Handshake {
  readonly reply: Promise<CommandReply>;
  readonly #cmd: EncodedCommand;
  readonly #link: HandshakeLink;
  readonly #onSettled: () => void;
  #resolve!: (reply: CommandReply) => void;
  #reject!: (err: Error) => void;
  #timer: unknown;
  #sentAuth = false;
  #settled = false;

  /**
   * `cmd` is the auth or userauth command; `timeoutMs` (0: none) bounds the whole handshake;
   * `onSettled` runs as soon as it is over, before `reply` settles.
   */
  constructor(cmd: EncodedCommand, link: HandshakeLink, timeoutMs: number, onSettled: () => void) {
    this.#cmd = cmd;
    this.#link = link;
    this.#onSettled = onSettled;
    this.reply = new Promise<CommandReply>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (timeoutMs > 0) {
      this.#timer = link.timers.setTimeout(() => {
        this.#finish(new EslTimeoutError(`no ${this.#sentAuth ? 'reply to auth' : 'auth/request'} from ${link.peer} within ${timeoutMs} ms`, timeoutMs));
        link.destroy();
      }, timeoutMs);
    }
  }

  onFrame(frame: Frame): void {
    const type = frame.contentType;
    const peer = this.#link.peer;
    if (type === ContentType.AuthRequest && !this.#sentAuth) {
      this.#sentAuth = true;
      this.#link.write(this.#cmd.data);
      return;
    }
    if (type === ContentType.CommandReply && this.#sentAuth) {
      const reply = new CommandReply(EslEvent.fromFrame(frame), this.#cmd.label);
      this.#finish(reply.ok ? reply : new EslAuthError('invalid', `authentication refused by ${peer}: ${reply.replyText}`, reply.replyText));
      return;
    }
    if (type === ContentType.RudeRejection) {
      this.#finish(new EslAuthError('rejected', `access denied by ${peer} (ACL): ${frame.bodyText.trim()}`, frame.bodyText));
      return;
    }
    this.#finish(new EslAuthError('unexpected', `unexpected ${type ?? 'frame'} from ${peer} during authentication`));
  }

  /** The link went (`closing`: because the client closed it). */
  onClose(err: Error, closing: boolean): void {
    this.#finish(this.#sentAuth || closing ? err : new EslDisconnectedError(`${this.#link.peer} closed the connection before auth/request`, undefined, { cause: err }));
  }

  #finish(outcome: CommandReply | Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#onSettled();
    if (this.#timer !== undefined) this.#link.timers.clearTimeout(this.#timer);
    if (outcome instanceof Error) this.#reject(outcome);
    else this.#resolve(outcome);
  }
}
