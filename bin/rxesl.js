#!/usr/bin/env node
// The rxesl console: runs the built CommonJS copy of lib/cli/main.ts (dist/ is built by
// `npm ci` or `npm run build`).
'use strict';
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'cjs', 'cli', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write(`rxesl: ${main} is missing: build the package first (npm run build)\n`);
  process.exit(1);
}
require(main);
