// modesl's lib/esl/Parser.js, here rxesl/modesl's Parser.
module.exports = require('../../../../lib/modesl/index.ts').Parser;
