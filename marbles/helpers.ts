import { isDeepStrictEqual } from 'node:util';
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Connection, type Transport } from 'rxesl';
import { ServerFrames, marbleScheduler } from 'rxesl/testing';

/** Errors compared by class, code and (unless `withMessage` is false) message, not by identity. */
export function normalise(messages: unknown, withMessage = true): unknown {
  return JSON.parse(
    JSON.stringify(messages, (_k, v) =>
      v instanceof Error ? { error: v.name, code: (v as { code?: string }).code, message: withMessage ? v.message : undefined } : v,
    ),
  );
}

/**
 * A TestScheduler that compares values and errors after normalise() (`errorMessages: false`
 * leaves the errors' messages out), and whose failures draw expected and actual as marble
 * diagrams (rxesl/testing's marbleScheduler).
 */
export function scheduler(options: { errorMessages?: boolean } = {}): TestScheduler {
  const withMessage = options.errorMessages ?? true;
  return marbleScheduler({ equals: (a, b) => isDeepStrictEqual(normalise([a], withMessage), normalise([b], withMessage)) });
}

/** What a client wrote, with the virtual time of the write. */
export interface Written {
  time: number;
  line: string;
}

/**
 * A Connection over a scripted byte stream: `wire` is what "FreeSWITCH" sends, and every write
 * is recorded with its virtual time. The connection starts ready (already authenticated).
 */
export function scriptedConnection(ts: TestScheduler, wire: Observable<Uint8Array>): { conn: Connection; written: Written[] } {
  const written: Written[] = [];
  const transport: Transport = {
    chunks$: wire,
    write: (data) => {
      written.push({ time: ts.now(), line: (typeof data === 'string' ? data : Buffer.from(data).toString('utf8')).split('\n')[0]! });
      return true;
    },
    destroy: () => {},
  };
  return { conn: Connection.attach(transport, { mode: 'inbound', ready: true }), written };
}

export const wire = {
  reply: (text: string): Buffer => ServerFrames.commandReply(text),
  api: (body: string): Buffer => ServerFrames.apiResponse(body),
  event: (name: string, extra = ''): Buffer => ServerFrames.event('plain', `Event-Name: ${name}\n${extra}\n`),
};
