/**
 * Serializers that write an event exactly as FreeSWITCH does (src/switch_event.c:
 * switch_event_serialize, switch_event_serialize_json_obj + cJSON_PrintUnformatted,
 * switch_event_xmlize + switch_xml_toxml).
 */
import type { HeaderList } from './event-store.js';
import { splitArrayValue } from './event-store.js';
import { urlEncode } from './url-codec.js';

function bodyBytes(body: string | Buffer | undefined): Buffer | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/**
 * `Name: <url-encoded value>\n` per header (`_undef_` for a value that encodes to nothing),
 * then `Content-Length: N\n\n<body>` when the body is not empty, else one more `\n`.
 */
export function serializePlain(headers: HeaderList, body: string | Buffer | undefined): Buffer {
  let head = '';
  const { names, values } = headers;
  for (let i = 0; i < names.length; i++) {
    const enc = urlEncode(values[i]!);
    head += `${names[i]}: ${enc === '' ? '_undef_' : enc}\n`;
  }
  const b = bodyBytes(body);
  if (b === undefined || b.length === 0) return Buffer.from(`${head}\n`, 'utf8');
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${b.length}\n\n`, 'utf8'), b]);
}

/**
 * One line of JSON, members in header order, every value a string, array headers as arrays;
 * when there is a body (even an empty one) `"Content-Length"` and `"_body"` come last.
 * Duplicate names are written as duplicate keys, as cJSON does.
 */
export function serializeJson(headers: HeaderList, body: string | Buffer | undefined): Buffer {
  const { names, values } = headers;
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    const items = splitArrayValue(values[i]!);
    // JSON.stringify escapes exactly what cJSON escapes: " \ and the control characters.
    out += `${JSON.stringify(names[i])}:${items ? JSON.stringify(items) : JSON.stringify(values[i])}`;
  }
  if (body !== undefined) {
    const b = bodyBytes(body)!;
    if (names.length > 0) out += ',';
    out += `"Content-Length":"${b.length}","_body":${JSON.stringify(b.toString('utf8'))}`;
  }
  out += '}';
  return Buffer.from(out, 'utf8');
}

/**
 * switch_xml_ampencode for element text: & < > become entities, CR becomes &#xD;, each
 * multi-byte UTF-8 character becomes &#xHEX; (uppercase, no padding), invalid UTF-8 bytes are
 * dropped, and after "<!" everything is copied raw (FreeSWITCH's CDATA/comment pass-through).
 */
export function xmlEscapeText(bytes: Buffer): string {
  let out = '';
  let expecting = 0;
  let code = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    // The named cases are handled whatever the UTF-8 decoder's state (as in the C switch).
    switch (b) {
      case 0:
        return out;
      case 38:
        out += '&amp;';
        continue;
      case 60:
        if (bytes[i + 1] === 33) {
          // "<!": copied raw from here to the end of the text (or to a NUL).
          const nul = bytes.indexOf(0, i);
          return out + bytes.toString('latin1', i, nul < 0 ? n : nul);
        }
        out += '&lt;';
        continue;
      case 62:
        out += '&gt;';
        continue;
      case 13:
        out += '&#xD;';
        continue;
      case 34:
      case 10:
      case 9:
        out += String.fromCharCode(b);
        continue;
    }
    if (expecting === 0 && b >= 0x80) {
      let num = 1;
      for (; num < 4; num++) if (!((b >> (7 - num)) & 1)) break;
      if (num === 2) code = b & 0x1f;
      else if (num === 3) code = b & 0x0f;
      else if (num === 4) code = b & 0x07;
      expecting = num - 1;
    } else if (expecting > 0) {
      if (b >> 6 === 2) {
        code = (code << 6) | (b & 0x3f);
        expecting--;
        if (expecting === 0) out += `&#x${code.toString(16).toUpperCase()};`;
      } else {
        // Not a continuation byte: FreeSWITCH drops it and the partial character.
        expecting = 0;
      }
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}

/** Header names go out as their UTF-8 bytes; the XML text is assembled in latin1 (one char per byte). */
function byteChars(name: string): string {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) return Buffer.from(name, 'utf8').toString('latin1');
  return name;
}

/**
 * ```
 * <event>
 *   <headers>
 *     <Name>url-encoded value</Name>      one element per array item
 *   </headers>
 *   <Content-Length>N</Content-Length>    only with a non-empty body
 *   <body>escaped body</body>             closing tag indented when the text ends in LF
 * </event>
 * ```
 */
export function serializeXml(headers: HeaderList, body: string | Buffer | undefined): Buffer {
  const { names, values } = headers;
  let out = '<event>\n  <headers>\n';
  for (let i = 0; i < names.length; i++) {
    const items = splitArrayValue(values[i]!) ?? [values[i]!];
    const name = byteChars(names[i]!);
    for (const item of items) out += `    <${name}>${xmlEscapeText(Buffer.from(urlEncode(item), 'latin1'))}</${name}>\n`;
  }
  out += '  </headers>\n';
  const b = bodyBytes(body);
  if (b !== undefined && b.length > 0) {
    const text = xmlEscapeText(b);
    out += `  <Content-Length>${b.length}</Content-Length>\n  <body>${text}${text.endsWith('\n') ? '  ' : ''}</body>\n`;
  }
  out += '</event>\n';
  return Buffer.from(out, 'latin1');
}
