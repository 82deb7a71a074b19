// modesl's lib/util/xml.js: the XML escaping its Event.serialize('xml') uses.
module.exports = { encodeXml: require('../../../../lib/modesl/serialize.ts').encodeXml };
