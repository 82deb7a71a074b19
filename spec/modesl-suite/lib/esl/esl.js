// modesl's lib/esl/esl.js: setLogLevel and the logging state, on rxesl/modesl's module object.
module.exports = require('../../../../lib/modesl/index.ts');
