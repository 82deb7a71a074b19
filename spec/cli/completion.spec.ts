/**
 * Tab completion: the api list as the switch gives it (`show api as json` of FakeSwitch), the
 * static fallback, console commands, event names, syntax words and channel uuids.
 */
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Connection } from 'rxesl';
import { ApiCatalog, complete, syntaxWords, wantsUuid } from '../../lib/cli/completion';
import { startFakeSwitch } from '../helpers/fake-switch';

async function catalogFromSwitch(): Promise<ApiCatalog> {
  const fake = await startFakeSwitch();
  fake.api('my_custom_cmd', () => '+OK\n', { syntax: '<uuid> on|off' });
  const conn = await Connection.connect({ port: fake.port });
  const res = await firstValueFrom(conn.api('show', 'api as json'));
  await conn.close();
  const catalog = ApiCatalog.fromShowApi(res.body);
  if (!catalog) throw new Error(`not a show api listing: ${res.body.slice(0, 80)}`);
  return catalog;
}

describe('ApiCatalog', () => {
  it("is read from the switch's own `show api as json`, added commands included", async () => {
    const catalog = await catalogFromSwitch();
    expect(catalog.fromSwitch).toBe(true);
    expect(catalog.names).toEqual(expect.arrayContaining(['status', 'show', 'uuid_kill', 'originate', 'my_custom_cmd']));
    expect(catalog.syntax('my_custom_cmd')).toBe('<uuid> on|off');
  });

  it('is not made from something else', () => {
    expect(ApiCatalog.fromShowApi('-ERR show Command not found!\n')).toBeUndefined();
    expect(ApiCatalog.fromShowApi('{"row_count": 0}')).toBeUndefined();
  });

  it('falls back to the common mod_commands list', () => {
    const c = ApiCatalog.fallback();
    expect(c.fromSwitch).toBe(false);
    expect(c.names).toEqual(expect.arrayContaining(['status', 'show', 'originate', 'uuid_kill', 'reloadxml', 'sofia']));
  });
});

describe('complete', () => {
  it('completes the api command being typed', async () => {
    const catalog = await catalogFromSwitch();
    expect(complete('stat', catalog)).toEqual([['status'], 'stat']);
    expect(complete('uuid_ki', catalog)).toEqual([['uuid_kill'], 'uuid_ki']);
    expect(complete('uuid_s', catalog)[0]).toEqual(['uuid_send_dtmf', 'uuid_setvar', 'uuid_setvar_multi']);
    expect(complete('zzz', catalog)).toEqual([[], 'zzz']);
  });

  it('completes later words from the syntax FreeSWITCH gives', async () => {
    const catalog = await catalogFromSwitch();
    expect(complete('show chan', catalog)).toEqual([['channels'], 'chan']);
    expect(complete('show channels c', catalog)[0]).toEqual(['calls', 'channels', 'chat', 'codec', 'complete', 'count']);
    expect(complete('version s', catalog)).toEqual([['short'], 's']);
  });

  it('offers live channel uuids where a uuid goes', async () => {
    const catalog = await catalogFromSwitch();
    const uuids = ['7f4db78a-17d7-11dd-b7a0-db4edd065621', '0b9ae5b8-3f1c-4d8e-9a0e-5d6a3f2c1b00'];
    expect(wantsUuid('uuid_kill ', catalog)).toBe(true);
    expect(wantsUuid('my_custom_cmd 7', catalog)).toBe(true);
    expect(wantsUuid('status ', catalog)).toBe(false);
    expect(wantsUuid('uuid_kill', catalog)).toBe(false);
    expect(complete('uuid_kill 7f', catalog, uuids)).toEqual([[uuids[0]], '7f']);
    expect(complete('/bgapi uuid_kill 0b', catalog, uuids)).toEqual([[uuids[1]], '0b']);
  });

  it('completes console commands and their arguments', () => {
    const catalog = ApiCatalog.fallback();
    expect(complete('/ev', catalog)).toEqual([['/event'], '/ev']);
    expect(complete('/n', catalog)[0]).toEqual(['/nixevent', '/noevents', '/nolog']);
    expect(complete('/event j', catalog)).toEqual([['json'], 'j']);
    expect(complete('/event plain CHANNEL_H', catalog)[0]).toEqual(['CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_HOLD']);
    expect(complete('/event plain channel_an', catalog)[0]).toEqual(['CHANNEL_ANSWER']);
    expect(complete('/event plain CUSTOM sofia', catalog)).toEqual([[], 'sofia']);
    expect(complete('/nixevent HEART', catalog)[0]).toEqual(['HEARTBEAT']);
    expect(complete('/log in', catalog)).toEqual([['info'], 'in']);
    expect(complete('/view f', catalog)).toEqual([['full'], 'f']);
    expect(complete('/filter Caller-C', catalog)[0]).toEqual(['Caller-Caller-ID-Number', 'Caller-Context']);
    expect(complete('/bgapi orig', catalog)).toEqual([['originate'], 'orig']);
    expect(complete('/help x', catalog)).toEqual([[], 'x']);
  });

  it('reads the words of a syntax string, not its placeholders', () => {
    expect(syntaxWords('codec|endpoint|calls [count]|channels [count|like <match string>]')).toEqual(['codec', 'endpoint', 'calls', 'count', 'channels', 'like']);
    expect(syntaxWords('<uuid> [cause]')).toEqual(['cause']);
  });
});
