// modesl's lib/esl/Event.js, here rxesl/modesl's Event.
module.exports = require('../../../../lib/modesl/index.ts').Event;
