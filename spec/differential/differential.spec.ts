/**
 * The differential test: each scenario runs against FakeSwitch and its transcript must be what
 * FreeSWITCH 1.10.12 does (from the captures, or from behaviour observed on it); then it runs
 * against another switch and the two transcripts must agree.
 *
 * The other switch is the real FreeSWITCH that ESL_REAL names (see harness.ts and
 * docs/fake-switch.md#differential-tests for its dialplan); without ESL_REAL, a second
 * FakeSwitch stands in, so that the comparison runs in CI too (and finds the differences it
 * should: see the last describe).
 */
import { describe, expect, it } from 'vitest';
import { fakeSwitchUnderTest, realSwitchFromEnv, realSwitchUnderTest, ScenarioContext, type SwitchUnderTest } from './harness';
import { SCENARIOS, type Scenario } from './scenarios';
import { differences, transcriptOf, type Transcript } from './transcript';

const REAL = realSwitchFromEnv();

/** Runs a scenario on a switch (stopped afterwards) and returns its transcript. */
async function run(scenario: Scenario, sut: SwitchUnderTest): Promise<Transcript> {
  const ctx = new ScenarioContext(sut);
  try {
    await scenario.run(ctx);
    return transcriptOf(ctx.connections.map((c) => c.recorded));
  } finally {
    await ctx.close();
    await sut.stop();
  }
}

const other = (): Promise<SwitchUnderTest> => (REAL ? realSwitchUnderTest(REAL) : fakeSwitchUnderTest('a second FakeSwitch'));

describe(`differential: FakeSwitch, then ${REAL ? `FreeSWITCH at ${REAL.host}:${REAL.port}` : 'a second FakeSwitch (ESL_REAL not set)'}`, () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const mine = await run(scenario, await fakeSwitchUnderTest());
      scenario.expect(mine);
      const theirs = await run(scenario, await other());
      expect(differences(mine, theirs, ['FakeSwitch', REAL ? 'FreeSWITCH' : 'the second FakeSwitch'])).toEqual([]);
    });
  }
});

describe('the comparison', () => {
  it('reports a reply, a channel\'s events and an outbound connection\'s frames that differ, and nothing else', () => {
    const base: Transcript = {
      replies: ['auth -> +OK accepted', 'api originate loopback/nosuch/default &park -> -ERR NO_ROUTE_DESTINATION\n'],
      channels: { 'loopback/nosuch-b': ['CHANNEL_CREATE', 'CHANNEL_HANGUP NO_ROUTE_DESTINATION'] },
      jobs: ['API originate'],
      wire: [['connect -> connect: CHANNEL_DATA', 'disconnect-notice disconnect']],
    };
    expect(differences(base, structuredClone(base))).toEqual([]);
    const changed: Transcript = {
      replies: ['auth -> +OK accepted', 'api originate loopback/nosuch/default &park -> +OK <loopback/nosuch-a>\n'],
      channels: { 'loopback/nosuch-b': ['CHANNEL_CREATE', 'CHANNEL_ANSWER'], 'loopback/nosuch-a': ['CHANNEL_CREATE'] },
      jobs: ['API originate'],
      wire: [['connect -> connect: CHANNEL_DATA']],
    };
    expect(differences(base, changed, ['A', 'B'])).toEqual([
      'reply #2: A "api originate loopback/nosuch/default &park -> -ERR NO_ROUTE_DESTINATION\\n", B "api originate loopback/nosuch/default &park -> +OK <loopback/nosuch-a>\\n"',
      'channel loopback/nosuch-b, event #2: A "CHANNEL_HANGUP NO_ROUTE_DESTINATION", B "CHANNEL_ANSWER"',
      'channel loopback/nosuch-a, event #1: A "(nothing)", B "CHANNEL_CREATE"',
      'outbound connection 1, frame #2: A "disconnect-notice disconnect", B "(nothing)"',
    ]);
  });

  it('run on two switches that behave differently, finds where', async () => {
    // The other switch's `hangup` extension hangs up with USER_BUSY instead of NORMAL_CLEARING.
    const scenario = SCENARIOS.find((s) => s.name.startsWith('originate to extensions that park'))!;
    const mine = await run(scenario, await fakeSwitchUnderTest());
    const theirs = await run(scenario, await fakeSwitchUnderTest('a FakeSwitch', { dialplan: [{ destination: 'hangup', actions: ['hangup USER_BUSY'] }] }));
    expect(differences(mine, theirs, ['A', 'B'])).toEqual([
      'reply #5: A "api originate loopback/hangup/default &park -> -ERR NORMAL_CLEARING\\n", B "api originate loopback/hangup/default &park -> -ERR USER_BUSY\\n"',
      expect.stringMatching(/^channel loopback\/hangup-a, event #\d+: A "CHANNEL_HANGUP NORMAL_CLEARING", B "CHANNEL_HANGUP USER_BUSY"$/),
      expect.stringMatching(/^channel loopback\/hangup-b, event #\d+: A "CHANNEL_EXECUTE hangup\(NORMAL_CLEARING\)", B "CHANNEL_EXECUTE hangup\(USER_BUSY\)"$/),
    ]);
  });

  it('ESL_REAL, ESL_REAL_PASSWORD and ESL_REAL_OUTBOUND name the real switch; a malformed address is a clear error', () => {
    expect(realSwitchFromEnv({})).toBeUndefined();
    expect(realSwitchFromEnv({ ESL_REAL: 'fs.example.com:8021', ESL_REAL_PASSWORD: 'secret', ESL_REAL_OUTBOUND: '0.0.0.0:9090' })).toEqual({
      host: 'fs.example.com',
      port: 8021,
      password: 'secret',
      outboundHost: '0.0.0.0',
      outboundPort: 9090,
    });
    expect(realSwitchFromEnv({ ESL_REAL: '10.0.0.5:8021' })).toMatchObject({ password: 'ClueCon', outboundHost: '127.0.0.1', outboundPort: 8084 });
    expect(() => realSwitchFromEnv({ ESL_REAL: 'fs.example.com' })).toThrow('ESL_REAL must be host:port, not "fs.example.com"');
    expect(() => realSwitchFromEnv({ ESL_REAL: 'h:1', ESL_REAL_OUTBOUND: 'h:99999' })).toThrow('ESL_REAL_OUTBOUND must be host:port');
  });
});
