/** Every getter and serializer of an event, as user code would call them. */
import type { EslEvent } from 'rxesl';

export function readAll(ev: EslEvent): void {
  void ev.name;
  void ev.subclass;
  void ev.uuid;
  void ev.body;
  void ev.bodyBytes;
  void ev.contentType;
  ev.getType();
  ev.getBody();
  ev.rawBody();
  for (const name of ['Event-Name', 'Unique-ID', 'Job-UUID', '_body', 'Content-Length', 'Reply-Text', 'X-Deep', 'event-name']) {
    ev.getHeader(name);
    ev.getHeader(name, 0);
    ev.getHeader(name, 3);
    ev.headers.get(name);
    ev.headers.getAll(name);
    ev.headers.has(name);
  }
  for (let h = ev.firstHeader(); h !== undefined; h = ev.nextHeader()) ev.getHeader(h);
  void ev.headers.size;
  ev.headers.keys();
  ev.headers.forEach(() => {});
  ev.headers.toObject();
  ev.headerList();
  ev.toJSON();
  String(ev);
  for (const format of ['plain', 'json', 'xml'] as const) {
    ev.serialize(format);
    ev.toBytes(format);
  }
}
