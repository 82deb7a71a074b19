/** modesl 1.2.1 (englercj/node-esl): the most used Node ESL library. */
import * as esl from 'modesl';
import { modeslFamily } from './modesl-family.js';

export default modeslFamily({
  name: 'modesl',
  packageName: 'modesl',
  lib: esl,
  explicitSubscriptions: false,
  notes: [
    'modesl: plain values are decoded with decodeURIComponent (every header, eagerly; throws URIError on a stray %); XML values come back percent-encoded (xml2js, not decoded).',
    'modesl: never sets TCP_NODELAY and writes a command in several socket.write calls, so a lone command waits for the delayed ACK of the previous segment.',
    'modesl: subscribes `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE` itself after auth (inbound) and after connect (outbound).',
  ],
});
