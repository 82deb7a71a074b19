/**
 * The console's command line: fs_cli's defaults, every flag from its environment variable,
 * flags over the environment, and one clear line for what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { FLAGS, parseCommandLine, usage } from '../../lib/cli/options';

const ok = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseCommandLine(argv, env);
  if (!r.ok) throw new Error(`expected a parse, got: ${r.error}`);
  return r;
};
const error = (argv: string[], env: Record<string, string> = {}): string => {
  const r = parseCommandLine(argv, env);
  if (r.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return r.error;
};

describe('rxesl command line', () => {
  it("defaults to fs_cli's 127.0.0.1:8021 and ClueCon, at the prompt", () => {
    const r = ok([]);
    expect(r.action).toBe('console');
    expect(r.options).toMatchObject({ host: '127.0.0.1', port: 8021, password: 'ClueCon', user: undefined, timeout: 0, retry: false, demo: false, rate: 0.5, color: true });
  });

  it('reads long, short and --flag=value forms', () => {
    expect(ok(['--host', 'fs1', '--port', '8022', '--password', 's3cret']).options).toMatchObject({ host: 'fs1', port: 8022, password: 's3cret' });
    expect(ok(['-H', 'fs2', '-P', '9000', '-p', 'pw', '-u', '1000@default']).options).toMatchObject({ host: 'fs2', port: 9000, password: 'pw', user: '1000@default' });
    expect(ok(['--port=8023', '-t500', '-x', 'status']).options).toMatchObject({ port: 8023, timeout: 500 });
    expect(ok(['-P8024']).options.port).toBe(8024);
  });

  it('takes every setting from its environment variable when the flag is absent', () => {
    const env = {
      ESL_HOST: '10.0.0.5',
      ESL_PORT: '18021',
      ESL_PASSWORD: 'fromenv',
      ESL_USER: 'ops@default',
      ESL_TIMEOUT: '2500',
      RXESL_EVENTS: 'json CHANNEL_ANSWER',
      RXESL_LOG: 'info',
      RXESL_DEMO: '1',
      RXESL_RATE: '3',
      RXESL_HISTORY: '/tmp/h',
      RXESL_RETRY: '1',
      NO_COLOR: '1',
    };
    expect(ok([], env).options).toEqual({
      host: '10.0.0.5',
      port: 18021,
      password: 'fromenv',
      user: 'ops@default',
      timeout: 2500,
      retry: true,
      execute: [],
      events: 'json CHANNEL_ANSWER',
      log: 'info',
      demo: true,
      rate: 3,
      color: false,
      history: '/tmp/h',
    });
    // Every flag that carries a setting names its variable in --help.
    for (const f of FLAGS.filter((x) => x.env)) expect(usage()).toContain(`[${f.env}]`);
  });

  it("takes fs_cli's -r, --retry: wait for the switch", () => {
    expect(ok(['-r']).options.retry).toBe(true);
    expect(ok(['--retry', '-x', 'status']).options).toMatchObject({ retry: true, execute: ['status'] });
    expect(ok([], { RXESL_RETRY: 'no' }).options.retry).toBe(false);
    expect(error(['--retry=3'])).toBe('--retry takes no value');
  });

  it('lets a flag win over the environment', () => {
    expect(ok(['--port', '8030', '-p', 'flag'], { ESL_PORT: '9999', ESL_PASSWORD: 'env' }).options).toMatchObject({ port: 8030, password: 'flag' });
  });

  it('reads RXESL_DEMO=0 and an empty NO_COLOR as off', () => {
    expect(ok([], { RXESL_DEMO: '0', NO_COLOR: '' }).options).toMatchObject({ demo: false, color: true });
    expect(ok(['--no-color']).options.color).toBe(false);
  });

  it('collects -x commands in order: the execute action', () => {
    const r = ok(['-x', 'status', '--execute', 'show channels', '-xversion']);
    expect(r.action).toBe('execute');
    expect(r.options.execute).toEqual(['status', 'show channels', 'version']);
  });

  it('knows top, --help and --version', () => {
    expect(ok(['top', '-P', '8021']).action).toBe('top');
    expect(ok(['--help', '--port', 'nonsense']).action).toBe('help');
    expect(ok(['-v']).action).toBe('version');
    expect(usage()).toMatch(/^Usage: rxesl/);
  });

  it('allows port 0 (a free one) only for the demo switch', () => {
    expect(ok(['--demo', '--port', '0']).options.port).toBe(0);
    expect(error(['--port', '0'])).toBe('invalid port "0"');
  });

  it('says what is wrong in one line', () => {
    expect(error(['--bogus'])).toBe('unknown option --bogus');
    expect(error(['-P'])).toBe('-P needs a value <port>');
    expect(error(['--port', '80a'])).toBe('invalid port "80a"');
    expect(error(['--port', '70000'])).toBe('invalid port "70000"');
    expect(error(['--timeout', '-5'])).toBe('invalid timeout "-5" (milliseconds)');
    expect(error(['--rate', '0'])).toBe('invalid rate "0" (calls per second, up to 1000)');
    expect(error(['--log', 'error'])).toMatch(/^invalid log level "error"/);
    expect(error(['--demo=yes'])).toBe('--demo takes no value');
    expect(error(['status'])).toBe('unexpected argument "status"');
    expect(error(['top', '-x', 'status'])).toBe('-x and top do not go together');
    expect(error([], { ESL_PORT: 'x' })).toBe('invalid port "x"');
  });

  it('accepts log levels by name or number, as `log` does', () => {
    for (const level of ['console', 'ALERT', 'crit', 'err', 'warning', 'notice', 'info', 'debug', '0', '7', 'disable']) {
      expect(ok(['--log', level]).options.log).toBe(level);
    }
  });
});
