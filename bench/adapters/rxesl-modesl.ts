/** rxesl/modesl: modesl's API (callbacks, EventEmitter2 names) on rxesl's core, driven exactly as modesl is. */
import type * as Modesl from 'modesl';
import * as esl from '../../lib/modesl/index.js';
import { modeslFamily } from './modesl-family.js';

const adapter = modeslFamily({
  name: 'rxesl-modesl',
  packageName: 'rxesl',
  lib: esl as unknown as typeof Modesl,
  explicitSubscriptions: false,
  notes: ['rxesl-modesl: the same adapter code as modesl, with require("rxesl/modesl") instead of require("modesl").'],
});

export default { ...adapter, kind: 'rxesl' as const, exact: true };
