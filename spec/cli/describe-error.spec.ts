/**
 * Each typed error as one line, with FreeSWITCH's own words where there are some: checked on
 * the errors a real connection raises against FakeSwitch, and on hand-made ones.
 */
import { describe, expect, it } from 'vitest';
import {
  Connection,
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectError,
  EslDisconnectedError,
  EslHangupError,
  EslProtocolError,
  EslTimeoutError,
} from 'rxesl';
import { describeError } from '../../lib/cli/describe-error';
import { startFakeSwitch } from '../helpers/fake-switch';
import { closedPort } from './cli-process';

async function refusal(options: Parameters<typeof Connection.connect>[0]): Promise<unknown> {
  return Connection.connect(options).then(
    (c) => {
      void c.close();
      throw new Error('connected');
    },
    (err: unknown) => err,
  );
}

describe('describeError', () => {
  it("a wrong password: the server's reply, and what to check", async () => {
    const fake = await startFakeSwitch({ password: 'right' });
    const err = await refusal({ port: fake.port, password: 'wrong' });
    expect(err).toBeInstanceOf(EslAuthError);
    expect(describeError(err, { host: '127.0.0.1', port: fake.port })).toBe(
      `authentication failed: 127.0.0.1:${fake.port} refused the password: -ERR invalid (check --password or ESL_PASSWORD)`,
    );
  });

  it('a refused user', async () => {
    const fake = await startFakeSwitch({ users: { 'ops@default': { password: 'pw' } } });
    const err = await refusal({ port: fake.port, user: 'ops@default', password: 'nope' });
    expect(describeError(err, { host: '127.0.0.1', port: fake.port, user: 'ops@default' })).toBe(
      `authentication failed: 127.0.0.1:${fake.port} refused user ops@default and its password: -ERR invalid (check --user/--password)`,
    );
  });

  it('an ACL rejection', async () => {
    const fake = await startFakeSwitch({ acl: () => false });
    const err = await refusal({ port: fake.port });
    expect(describeError(err, { host: '127.0.0.1', port: fake.port })).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:${fake.port} refused this client \\(ACL\\): .+ \\(check apply-inbound-acl in event_socket\\.conf\\)$`),
    );
  });

  it('nothing listening', async () => {
    const port = await closedPort();
    const err = await refusal({ port });
    expect(err).toBeInstanceOf(EslConnectError);
    expect(describeError(err)).toBe(`cannot connect to 127.0.0.1:${port}: connection refused (is FreeSWITCH running, with mod_event_socket on that port?)`);
  });

  it('every other typed error, on one line', () => {
    expect(describeError(new EslConnectError('fs.example', 8021, 'cannot connect to fs.example:8021: ENOTFOUND', { code: 'ENOTFOUND' }))).toBe(
      'cannot connect to fs.example:8021: unknown host',
    );
    expect(describeError(new EslConnectError('h', 1, 'cannot connect to h:1: EWEIRD', { code: 'EWEIRD' }))).toBe('cannot connect to h:1: EWEIRD');
    expect(describeError(new EslCommandError('api uuid_kill x', '-ERR No such channel!\n'))).toBe('-ERR No such channel!');
    expect(describeError(new EslTimeoutError('no auth/request from 10.0.0.1:8021 within 10000 ms', 10000))).toBe(
      'timed out: no auth/request from 10.0.0.1:8021 within 10000 ms',
    );
    expect(describeError(new EslDisconnectedError('FreeSWITCH closed the connection'))).toBe('disconnected: FreeSWITCH closed the connection');
    expect(describeError(new EslHangupError('u-1', 'USER_BUSY'))).toBe('channel u-1 hung up (USER_BUSY)');
    expect(describeError(new EslProtocolError('BAD_CONTENT_LENGTH', 'Content-Length "x"\nat 12'))).toBe(
      'protocol error (BAD_CONTENT_LENGTH): Content-Length "x" at 12',
    );
    expect(describeError(new EslArgumentError('command', 'a\nb', 'command contains a CR or LF'))).toBe('command contains a CR or LF');
    expect(describeError(new EslAuthError('unexpected', 'unexpected text/plain during\nauthentication'))).toBe('unexpected text/plain during authentication');
    expect(describeError(Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8021'), { code: 'EADDRINUSE' }))).toBe(
      'address in use: listen EADDRINUSE: address already in use 127.0.0.1:8021',
    );
    expect(describeError(new TypeError('boom'))).toBe('boom');
    expect(describeError('plain string')).toBe('plain string');
  });
});
