/**
 * describeError, rxesl's own (the console and the examples print errors with it): the hint
 * after a refused password names where the credentials come from, the `password` option when
 * the caller does not say. The console's wording of each error is checked in
 * spec/cli/describe-error.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { EslAuthError, EslConnectError, EslDisconnectedError, describeError } from 'rxesl';

const invalid = new EslAuthError('invalid', 'authentication failed', '-ERR invalid');

describe('describeError', () => {
  it('a refused password: the reply, and the option to check (or what the caller names)', () => {
    expect(describeError(invalid, { host: 'fs1', port: 8021 })).toBe('authentication failed: fs1:8021 refused the password: -ERR invalid (check the password option)');
    expect(describeError(invalid, { host: 'fs1', port: 8021, user: '1000@default' })).toBe(
      'authentication failed: fs1:8021 refused user 1000@default and its password: -ERR invalid (check the user and password options)',
    );
    expect(describeError(invalid, { host: 'fs1', port: 8021, credentials: 'ESL_PASSWORD' })).toBe('authentication failed: fs1:8021 refused the password: -ERR invalid (check ESL_PASSWORD)');
    expect(describeError(invalid)).toBe('authentication failed: FreeSWITCH refused the password: -ERR invalid (check the password option)');
  });

  it('a system error code in words, an unknown one as it came', () => {
    expect(describeError(new EslConnectError('fs1', 8021, 'cannot connect to fs1:8021: ECONNREFUSED', { code: 'ECONNREFUSED' }))).toBe(
      'cannot connect to fs1:8021: connection refused (is FreeSWITCH running, with mod_event_socket on that port?)',
    );
    expect(describeError(new EslConnectError('fs1', 8021, 'cannot connect to fs1:8021: EWHAT', { code: 'EWHAT' }))).toBe('cannot connect to fs1:8021: EWHAT');
  });

  it('one line, whatever the message holds', () => {
    expect(describeError(new EslDisconnectedError('FreeSWITCH disconnected before the reply to "api x": Disconnected, goodbye.\nSee you at ClueCon!', 'api x', { sent: true }))).toBe(
      'disconnected: FreeSWITCH disconnected before the reply to "api x": Disconnected, goodbye. See you at ClueCon!',
    );
    expect(describeError(undefined)).toBe('undefined');
  });
});
