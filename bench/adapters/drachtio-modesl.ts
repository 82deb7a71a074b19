/** drachtio-modesl 1.3.1: the drachtio fork of modesl (reconnection, no implicit subscriptions). */
import * as esl from 'drachtio-modesl';
import { modeslFamily } from './modesl-family.js';

export default modeslFamily({
  name: 'drachtio-modesl',
  packageName: 'drachtio-modesl',
  lib: esl,
  explicitSubscriptions: true,
  notes: [
    'drachtio-modesl: same parser as modesl (decodeURIComponent on plain values, XML not decoded, no TCP_NODELAY).',
    'drachtio-modesl: subscribes to nothing by itself; the adapter sends `event json BACKGROUND_JOB` before bgapi and `event json CHANNEL_EXECUTE_COMPLETE BACKGROUND_JOB` on each outbound call, as its README asks.',
  ],
});
