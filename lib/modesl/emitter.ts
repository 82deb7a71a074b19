/**
 * EventEmitter2, the base class of modesl's Connection, Server and Parser.
 *
 * eventemitter2 is a CommonJS package whose `module.exports` is the class itself (with the class
 * also as its `EventEmitter2` property), while its type declarations describe an ES module with
 * a default export. A default import therefore means a different thing to each consumer: under
 * `moduleResolution: node16/nodenext` in an ES module it is the whole module, not a class
 * (TS2507 in our declaration files). The named export is typed the same way everywhere, so the
 * declarations use that, and the value is taken from whichever of the two the loader gave.
 */
import * as ee2 from 'eventemitter2';

type EventEmitter2Class = typeof ee2.EventEmitter2;

// Node's ESM loader gives the CommonJS module as `default` only; CommonJS interop (tsc, esbuild)
// copies its properties, `EventEmitter2` among them.
const loaded = ee2 as unknown as { EventEmitter2?: EventEmitter2Class; default?: EventEmitter2Class };

export const EventEmitter2: EventEmitter2Class = loaded.EventEmitter2 ?? loaded.default!;
export type EventEmitter2 = ee2.EventEmitter2;
