#!/usr/bin/env node
/**
 * Runs modesl's own mocha suite (the test/ folder of the `modesl` devDependency, unchanged)
 * against rxesl/modesl: every require of modesl's lib/ is answered by the shim in ./lib, which
 * re-exports rxesl/modesl from the TypeScript source (through tsx: no build needed).
 *
 *     node spec/modesl-suite/run.cjs [--report <file.json>] [--reporter <mocha reporter>]
 *
 * The suite's own setup file (test/fixtures/common.js) loads sinon, which no test uses; this
 * runner sets the same globals (chai, expect) itself. It exits 0 when the result is the
 * expected one (expected.cjs: every test passes but the listed deliberate differences), 1
 * otherwise, and prints why.
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { expectedFailures, racy } = require('./expected.cjs');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const modeslDir = path.dirname(require.resolve('modesl/package.json'));
const modeslLib = path.join(modeslDir, 'lib');
const shimLib = path.join(__dirname, 'lib');

// `--against modesl` runs the suite on modesl's own lib/, for comparison.
const againstModesl = option('--against') === 'modesl';
if (!againstModesl) {
  // The shim requires rxesl/modesl's TypeScript source.
  require('tsx/cjs/api').register();

  // modesl's lib/<file> is our lib/<file>; a file of modesl's lib/ without a shim is an error.
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const file = resolveFilename.call(this, request, parent, ...rest);
    const rel = path.relative(modeslLib, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return file;
    const shim = path.join(shimLib, rel);
    if (!fs.existsSync(shim)) throw new Error(`spec/modesl-suite: no shim for modesl's lib/${rel}`);
    return shim;
  };
}

function testFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(file));
    else if (entry.name.endsWith('.test.js')) out.push(file);
  }
  return out.sort();
}

async function main() {
  const chai = await import('chai');
  globalThis.chai = chai;
  globalThis.expect = chai.expect;

  const Mocha = require('mocha');
  const mocha = new Mocha({ ui: 'bdd', reporter: option('--reporter') ?? 'spec', color: false });
  for (const file of testFiles(path.join(modeslDir, 'test'))) mocha.addFile(file);

  const results = [];
  const runner = mocha.run();
  runner.on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed' }));
  runner.on('fail', (test, err) => results.push({ title: test.fullTitle(), state: 'failed', error: String(err && err.message) }));
  await new Promise((resolve) => runner.on('end', resolve));

  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.length - passed;
  const report = { modesl: require(path.join(modeslDir, 'package.json')).version, against: againstModesl ? 'modesl' : 'rxesl/modesl', passed, failed, results };
  const out = option('--report');
  if (out) fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  const unexpected = [];
  for (const r of results) {
    if (Object.prototype.hasOwnProperty.call(racy, r.title)) continue;
    const deliberate = Object.prototype.hasOwnProperty.call(expectedFailures, r.title);
    if (r.state === 'failed' && !deliberate) unexpected.push(`unexpected failure: ${r.title}: ${r.error}`);
    if (r.state === 'passed' && deliberate) unexpected.push(`unexpected pass (remove it from expected.cjs and docs/modesl.md): ${r.title}`);
  }
  for (const title of Object.keys(expectedFailures)) {
    if (!results.some((r) => r.title === title)) unexpected.push(`expected failure that did not run: ${title}`);
  }
  console.log(`\nmodesl ${report.modesl}'s suite on ${report.against}: ${passed} of ${results.length} pass; ${failed} fail`);
  if (againstModesl) process.exit(0);
  console.log(`${Object.keys(expectedFailures).length} fail on purpose (spec/modesl-suite/expected.cjs, docs/modesl.md)`);
  for (const line of unexpected) console.log(line);
  // Sockets the suite leaves open must not keep the process alive.
  process.exit(unexpected.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
