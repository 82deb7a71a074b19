/** Every Content-Type mod_event_socket writes on the socket (PROTOCOL.md §1.3). */
export const ContentType = {
  AuthRequest: 'auth/request',
  CommandReply: 'command/reply',
  ApiResponse: 'api/response',
  EventPlain: 'text/event-plain',
  EventJson: 'text/event-json',
  EventXml: 'text/event-xml',
  LogData: 'log/data',
  DisconnectNotice: 'text/disconnect-notice',
  RudeRejection: 'text/rude-rejection',
} as const;

export type KnownContentType = (typeof ContentType)[keyof typeof ContentType];

/** The three event encodings a connection can ask for with `event <format>`. */
export type EventFormat = 'plain' | 'json' | 'xml';

export const EVENT_FORMATS: readonly EventFormat[] = ['plain', 'json', 'xml'];

/** `text/event-json` -> `json`; any other content type -> undefined. */
export function eventFormatOf(contentType: string | undefined): EventFormat | undefined {
  switch (contentType) {
    case ContentType.EventPlain:
      return 'plain';
    case ContentType.EventJson:
      return 'json';
    case ContentType.EventXml:
      return 'xml';
    default:
      return undefined;
  }
}

/** The body FreeSWITCH puts in every ordinary disconnect notice (67 bytes). */
export const DISCONNECT_GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

/** The body of `text/rude-rejection` (24 bytes). */
export const RUDE_REJECTION_BODY = 'Access Denied, go away.\n';
