// modesl's lib/esl/Connection.js, here rxesl/modesl's Connection.
module.exports = require('../../../../lib/modesl/index.ts').Connection;
