// modesl's lib/index.js: the module object (logging state and classes), here rxesl/modesl.
module.exports = require('../../../lib/modesl/index.ts');
