// modesl's lib/esl/Server.js, here rxesl/modesl's Server.
module.exports = require('../../../../lib/modesl/index.ts').Server;
