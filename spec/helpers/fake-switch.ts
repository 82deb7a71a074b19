/**
 * A test's FakeSwitch, and what it opens against it, closed when the test ends:
 *
 *   const fake = await startFakeSwitch({ heartbeatIntervalMs: 0 });
 *   const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
 *
 * Both register with vitest's onTestFinished (in a test or a beforeEach), whose callbacks run
 * after the afterEach hooks, the last registered first: the connection closes, then the
 * switch stops, whether the test passed or failed.
 */
import { onTestFinished } from 'vitest';
import { FakeSwitch, type FakeSwitchOptions } from 'rxesl/testing';

/** Starts a FakeSwitch that stops when the running test ends. */
export async function startFakeSwitch(options?: FakeSwitchOptions): Promise<FakeSwitch> {
  const fake = await FakeSwitch.start(options);
  onTestFinished(async () => {
    await fake.stop();
  });
  return fake;
}

/** Closes `thing` when the running test ends, before what was registered earlier (the switch it talks to). */
export function closeAfterTest<T extends { close(): unknown }>(thing: T): T {
  onTestFinished(async () => {
    await thing.close();
  });
  return thing;
}
