/**
 * modesl's `Event.serialize(format)` (lib/esl/Event.js of modesl 1.2.1): the text modesl code
 * logs, stores or forwards, written byte for byte as modesl wrote it. It is not FreeSWITCH's
 * own serialization (values are not percent-encoded, JSON is indented); for that, use
 * `event.toEslEvent().serialize(format)`.
 *
 * One thing differs: modesl stored the Content-Length it wrote in the event (addHeader), so
 * serializing changed the event; here the value is written, not stored.
 */
import type { EventHeader } from './event.js';

const XML_ESCAPES: Readonly<Record<string, string>> = { '>': '&gt;', '<': '&lt;', "'": '&apos;', '"': '&quot;', '&': '&amp;' };

/** modesl's encodeXml (lib/util/xml.js): & " ' < > as entities; '' for an empty or missing text. */
export function encodeXml(text: string | null | undefined): string {
  if (!text) return '';
  return text.replace(/[&"'<>]/g, (c) => XML_ESCAPES[c]!);
}

/** The headers with Content-Length set as modesl's addHeader set it: the first of that exact name replaced in place, else appended. */
function withContentLength(headers: readonly EventHeader[], length: number): EventHeader[] {
  const out = headers.slice();
  const i = out.findIndex((h) => h.name === 'Content-Length');
  if (i >= 0) out[i] = { name: 'Content-Length', value: length };
  else out.push({ name: 'Content-Length', value: length });
  return out;
}

/** The event as modesl's serialize wrote it in that format; undefined for a format modesl did not know. */
export function serializeModesl(headers: readonly EventHeader[], body: string, format: string): string | undefined {
  switch (format) {
    case 'json': {
      // An object: a repeated name keeps its first place and its last value.
      const data: Record<string, unknown> = {};
      for (const h of withContentLength(headers, Buffer.byteLength(body, 'utf8'))) data[h.name] = h.value;
      if (body) data._body = body;
      return JSON.stringify(data, null, 2);
    }
    case 'plain': {
      let data = '';
      for (const h of withContentLength(headers, Buffer.byteLength(body, 'utf8'))) data += `${h.name}: ${String(h.value)}\n`;
      if (body) data += `\n${body}`;
      return data;
    }
    case 'xml': {
      const xmlBody = encodeXml(body);
      let data = '<event>\n  <headers>\n';
      for (const h of withContentLength(headers, Buffer.byteLength(xmlBody, 'utf8'))) {
        const value = typeof h.value === 'string' ? encodeXml(h.value) : String(h.value);
        data += `    <${h.name}>${value}</${h.name}>\n`;
      }
      data += '  </headers>\n';
      if (xmlBody) data += `  <body>${xmlBody}</body>\n`;
      return `${data}</event>`;
    }
    default:
      return undefined;
  }
}
