/**
 * The exact export list of each entry point, values and types, read with TypeScript's checker
 * from the sources the package is built from: a name added or removed by accident fails here.
 * To change the public API on purpose, change the list below with it (and the docs).
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENTRIES = {
  rxesl: {
    file: 'lib/index.ts',
    values: [
      'ApiResponse', 'ApplicationResult', 'BackgroundJob', 'Channel', 'CommandReply', 'Commands', 'Connection', 'ContentType', 'DEFAULT_MAX_BODY_BYTES',
      'DEFAULT_MAX_HEADER_BYTES', 'EVENT_NAMES', 'HANDSHAKE_MAX_BODY_BYTES', 'MAX_COMMAND_BLOCK_BYTES', 'MAX_PARSER_LIMIT_BYTES',
      'EslArgumentError', 'EslAuthError', 'EslCommandError', 'EslConnectError', 'EslDisconnectedError', 'EslError', 'EslEvent', 'EslHangupError',
      'EslMaxConnectionsError', 'EslNoSubscriberError', 'EslProtocolError', 'EslTimeoutError', 'Frame', 'FrameHeaders', 'FrameParser', 'LOG_LEVELS',
      'LogLine', 'Server', 'applicationResult', 'channelState', 'collectDigits', 'describeError', 'dtmf', 'eventName', 'featureCodes', 'forChannel',
      'forJob', 'frames', 'header', 'jobResult', 'ofCustom', 'ofEvent', 'parseFrames', 'socketTransport', 'untilHangup',
    ],
    types: [
      'BgapiOptions', 'BridgeBridged', 'BridgeOptions', 'BridgeProgress', 'BridgeResult', 'BridgeRinging', 'ChannelHangup', 'ChannelOptions',
      'ChannelSnapshot', 'CloseOptions', 'CollectDigitsOptions', 'CommandHeaders', 'CommandOptions', 'ConnectionMode', 'ConnectionOptions',
      'ConnectionState', 'DeclaredEventName', 'DigitsResult', 'EncodedCommand', 'ErrorContext', 'EslConnection', 'EslEventPriority', 'EventFilter',
      'EventFormat', 'EventHeaders', 'EventName', 'EventSubclass', 'EventSubscription', 'EventsOptions', 'ExecuteCommandOptions', 'ExecuteOptions',
      'FeatureCodeOptions', 'FrameParserOptions', 'HeaderInit', 'HeaderList', 'KnownEventName', 'LogLevelName', 'PlayAndGetDigitsOptions',
      'PlaybackOptions', 'PlaybackResult', 'ProtocolErrorCode', 'ReadOptions', 'ReceivedEvent', 'ReconnectOptions', 'RecordOptions', 'RecordResult',
      'SayOptions', 'ServerOptions', 'Transport', 'UnicastOptions',
    ],
  },
  'rxesl/testing': {
    file: 'lib/testing/index.ts',
    values: [
      'CommandReader', 'FakeChannel', 'FakeSwitch', 'HANGUP_CAUSES', 'ManualClock', 'MarbleMismatchError', 'RealClock', 'ServerFrames', 'VirtualConnection',
      'describeMarbleMismatch', 'installConference', 'marbleScheduler', 'parseDialString', 'randomChunks', 'rechunk', 'sameValue', 'splitAt',
    ],
    types: [
      'ApiContext', 'ApiDescription', 'ApiHandler', 'AppContext', 'AppHandler', 'AppOptions', 'ApplicationScript', 'BridgeScript', 'CallOptions',
      'CallerProfile', 'ChannelInfo', 'ClientCommand', 'Clock', 'Codec', 'CommandReaderOptions', 'ConferenceInfo', 'ConferenceMemberInfo',
      'ConferenceOptions', 'DialLeg', 'DialString', 'Dialplan', 'DialplanAction', 'EndpointBehavior', 'ExtensionDefinition', 'FakeCall',
      'FakeConferences', 'FakeConnection', 'FakeLogLine', 'FakeSwitchOptions', 'FakeUser', 'FaultOptions', 'FireOptions', 'LogOrigin',
      'MalformedFrameKind', 'MarbleOptions', 'MediaOptions', 'ReceivedCommand', 'RecordedCommand', 'ScriptedEvent', 'TextChannel', 'TimerHandle', 'TrafficHandle',
      'TrafficOptions', 'VirtualConnectionOptions', 'WaitOptions', 'WaitReason', 'WaitResult',
    ],
  },
  'rxesl/nats': {
    file: 'lib/nats/index.ts',
    values: ['Cluster', 'Gateway', 'RemoteSwitch', 'Subjects', 'escapeToken', 'unescapeToken'],
    types: [
      'CallsOptions', 'ClusterCall', 'ClusterEvent', 'ClusterOptions', 'EventSubjectParts', 'GatewayOptions', 'GatewayState', 'GatewayStats',
      'GatewayStatus', 'NatsConnectOptions', 'NatsConnectionLike', 'NatsInput', 'StreamOptions', 'SwitchInfo',
    ],
  },
  'rxesl/modesl': {
    file: 'lib/modesl/index.ts',
    values: ['Connection', 'Event', 'Parser', 'Server', '_doLog', 'default', 'eslSetLogLevel', 'setLogLevel'],
    types: [
      'AuthCallback', 'CommandArgs', 'Esl', 'EventCallback', 'EventHeader', 'EventHeadersInit', 'EventPriority', 'FrameHeadersObject', 'HeaderValue',
      'LogSettings', 'MessageOptions', 'OriginateOptions', 'ReadableSocket', 'ReadyCallback', 'ReplyCallback', 'ServerOptions', 'ServerReadyCallback',
      'ShowCallback', 'ShowResult', 'TimedEventCallback',
    ],
  },
} as const;

type Entry = keyof typeof ENTRIES;

/**
 * Names two entry points share on purpose: rxesl/modesl is a drop-in for modesl, whose classes
 * are Connection and Server (and its Server's options, ServerOptions); rxesl's own have the
 * same job under the same names.
 */
const SHARED_ON_PURPOSE = ['Connection', 'Server', 'ServerOptions'];

const root = resolve(__dirname, '..');

/** The names each entry point exports, from its source: values, and names that are types only. */
function exportsOf(): Record<Entry, { values: string[]; types: string[] }> {
  const entries = Object.keys(ENTRIES) as Entry[];
  const files = entries.map((e) => resolve(root, ENTRIES[e].file));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const out = {} as Record<Entry, { values: string[]; types: string[] }>;
  entries.forEach((entry, i) => {
    const source = program.getSourceFile(files[i]!)!;
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      const decl = symbol.declarations?.[0];
      // `export type { X }` exports a type, even when X is a class.
      const typeOnly = decl !== undefined && ts.isExportSpecifier(decl) && (decl.isTypeOnly || decl.parent.parent.isTypeOnly);
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      (!typeOnly && target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
    }
    out[entry] = { values: values.sort(), types: types.sort() };
  });
  return out;
}

describe('the exports of each entry point', () => {
  const actual = exportsOf();

  for (const entry of Object.keys(ENTRIES) as Entry[]) {
    it(`${entry}: exactly the names listed, values and types`, () => {
      expect(actual[entry]).toEqual({ values: [...ENTRIES[entry].values].sort(), types: [...ENTRIES[entry].types].sort() });
    });
  }

  it('at run time, each module has exactly its values', async () => {
    const modules: Record<Entry, object> = {
      rxesl: await import('rxesl'),
      'rxesl/testing': await import('rxesl/testing'),
      'rxesl/nats': await import('rxesl/nats'),
      'rxesl/modesl': await import('rxesl/modesl'),
    };
    for (const entry of Object.keys(ENTRIES) as Entry[]) {
      expect(Object.keys(modules[entry]).sort(), entry).toEqual([...ENTRIES[entry].values].sort());
    }
  });

  it('no two entry points use one name for two things, but the modesl drop-in names', () => {
    const names = (e: Entry): string[] => [...ENTRIES[e].values, ...ENTRIES[e].types];
    const entries = Object.keys(ENTRIES) as Entry[];
    const clashes = entries.flatMap((a, i) => entries.slice(i + 1).flatMap((b) => names(a).filter((n) => names(b).includes(n) && n !== 'default').map((n) => `${a} and ${b}: ${n}`)));
    expect(clashes).toEqual(SHARED_ON_PURPOSE.map((n) => `rxesl and rxesl/modesl: ${n}`));
  });
});
