/**
 * The import rules of docs/architecture.md, checked on every file of lib/: the layers only
 * import downwards, the protocol is plain TypeScript, call-flow code sees the EslConnection
 * interface and not the class, and the console's start-up never reaches the emulator. Imports
 * are read with TypeScript's own parser (type-only imports and dynamic import() included).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const LIB = resolve(__dirname, '..', 'lib');

/** The layers, lowest first: a file may import its own folder, or a folder of a lower layer. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'protocol'],
  ['transport', 'switch', 'operators'],
  ['connection'],
  ['server', 'channel'],
  ['modesl', 'testing', 'nats'],
  ['cli'],
  ['index.ts'],
];

interface Import {
  /** Importing file, relative to lib/ with `/`. */
  from: string;
  /** A file of lib/ (relative, `/`, .ts), or a package name. */
  to: string;
  /** `to` is a file of lib/. */
  internal: boolean;
  typeOnly: boolean;
  dynamic: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

const rel = (file: string): string => relative(LIB, file).split(sep).join('/');

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: Import[] = [];
  const add = (spec: string, typeOnly: boolean, dynamic: boolean): void => {
    const internal = spec.startsWith('.');
    const to = internal ? rel(resolve(dirname(file), spec).replace(/\.js$/, '.ts')) : spec;
    out.push({ from: rel(file), to, internal, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly, false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const ALL = files(LIB).flatMap(importsOf);
const internal = ALL.filter((i) => i.internal);
const packages = ALL.filter((i) => !i.internal);

/** The top folder of a lib file (`protocol`), or the file itself at the top (`errors.ts`). */
const unit = (file: string): string => file.split('/')[0]!;
const layer = (file: string): number => {
  const n = LAYERS.findIndex((l) => l.includes(unit(file)));
  if (n < 0) throw new Error(`${file}: lib/${unit(file)} is in no layer of docs/architecture.md`);
  return n;
};
const show = (list: Import[]): string[] => list.map((i) => `${i.from} -> ${i.to}${i.typeOnly ? ' (type)' : ''}${i.dynamic ? ' (dynamic)' : ''}`);

describe('the import rules of docs/architecture.md', () => {
  it('reads the imports (the check itself works)', () => {
    expect(show(ALL.filter((i) => i.from === 'cli/run.ts' && i.to === 'cli/demo.ts'))).toEqual(['cli/run.ts -> cli/demo.ts (type)', 'cli/run.ts -> cli/demo.ts (dynamic)']);
    expect(internal.length).toBeGreaterThan(200);
  });

  it('an import stays in its folder or goes down a layer (errors.ts and lib/protocol, the base, import each other)', () => {
    const up = internal.filter((i) => unit(i.from) !== unit(i.to) && layer(i.to) >= layer(i.from) && !(layer(i.from) === 0 && layer(i.to) === 0));
    expect(show(up)).toEqual([]);
  });

  it('lib/protocol and errors.ts are plain TypeScript: no RxJS, no Node module, no I/O', () => {
    const base = packages.filter((i) => layer(i.from) === 0 && i.to !== 'fast-xml-parser');
    expect(show(base)).toEqual([]);
  });

  it('lib/switch (the switch\'s half of the protocol) imports no package either', () => {
    expect(show(packages.filter((i) => unit(i.from) === 'switch'))).toEqual([]);
  });

  it('Channel and the console use the EslConnection interface; only what opens connections imports the class', () => {
    const opens = new Set(['cli/run.ts']);
    const classUsers = internal.filter((i) => i.to === 'connection/connection.ts' && !i.typeOnly && ['channel', 'cli'].includes(unit(i.from)) && !opens.has(i.from));
    expect(show(classUsers)).toEqual([]);
    // Channel names the class once, as the default of its type parameter.
    expect(show(internal.filter((i) => unit(i.from) === 'channel' && i.to === 'connection/connection.ts'))).toEqual(['channel/channel.ts -> connection/connection.ts (type)']);
  });

  it('the emulator is imported by lib/testing and the demo only, and the demo only by a dynamic import', () => {
    const intoTesting = internal.filter((i) => unit(i.to) === 'testing' && unit(i.from) !== 'testing' && i.from !== 'cli/demo.ts');
    expect(show(intoTesting)).toEqual([]);
    const demo = internal.filter((i) => i.to === 'cli/demo.ts' && !i.typeOnly && !i.dynamic);
    expect(show(demo)).toEqual([]);
  });

  it('the console\'s start-up (lib/cli/main.ts and what it imports, statically) does not reach lib/testing', () => {
    const seen = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of internal) if (i.from === file && !i.typeOnly && !i.dynamic) walk(i.to);
    };
    walk('cli/main.ts');
    expect(seen.has('connection/connection.ts')).toBe(true);
    expect([...seen].filter((f) => unit(f) === 'testing')).toEqual([]);
  });

  it('nothing outside them imports the console or the modesl facade', () => {
    const into = internal.filter((i) => ['cli', 'modesl'].includes(unit(i.to)) && unit(i.from) !== unit(i.to));
    expect(show(into)).toEqual([]);
  });
});
