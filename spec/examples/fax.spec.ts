import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection, EslCommandError } from 'rxesl';
import { fax } from '../../examples/fax';
import { closeAfterTest, startFakeSwitch } from '../helpers/fake-switch';

describe('examples/fax.ts against FakeSwitch', () => {
  it('sends a fax and reads the result from the completion of txfax', async () => {
    const fake = await startFakeSwitch({ media: { faxMs: 300, faxPages: 3 } });
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const uuid = await fake.originate('user/1000', '&park');
    const started = Date.now();
    const result = await firstValueFrom(fax(conn, uuid, 'send', '/tmp/invoice.tif'));
    expect(result).toEqual({ success: true, code: 0, text: 'OK', pages: 3, remoteStation: 'FakeSwitch' });
    // The result came with the application's end, not with sendmsg's +OK.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(fake.channel(uuid)?.variables).toMatchObject({ fax_filename: '/tmp/invoice.tif' });
  });

  it('receives one the same way (rxfax)', async () => {
    const fake = await startFakeSwitch({ media: { faxMs: 100 } });
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const uuid = await fake.originate('user/1000', '&park');
    expect(await firstValueFrom(fax(conn, uuid, 'receive', '/tmp/in.tif'))).toMatchObject({ success: true, pages: 1 });
  });

  it('reports a call dropped during the fax as a failed fax (spandsp sets the result; the application completes)', async () => {
    const fake = await startFakeSwitch({ media: { faxMs: 5000 } });
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    const uuid = await fake.originate('user/1000', '&park');
    const result = firstValueFrom(fax(conn, uuid, 'send', '/tmp/x.tif'));
    await expect.poll(() => fake.channel(uuid)?.application).toBe('txfax');
    fake.hangup(uuid, 'NORMAL_CLEARING');
    expect(await result).toEqual({ success: false, code: 49, text: 'The call dropped prematurely', pages: 0, remoteStation: undefined });
  });

  it('fails with EslCommandError on a channel that is gone', async () => {
    const fake = await startFakeSwitch();
    const conn = closeAfterTest(await Connection.connect({ port: fake.port }));
    await expect(firstValueFrom(fax(conn, '00000000-0000-0000-0000-000000000000', 'send', '/tmp/x.tif'))).rejects.toBeInstanceOf(EslCommandError);
  });
});
