/**
 * This file is a jest transformer for PGlite's CommonJS build: it turns its dynamic imports of
 * Node built-ins (`import("fs")`) into `require`, which jest's module sandbox runs without
 * --experimental-vm-modules. Only literal specifiers occur there.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');

const self = fs.readFileSync(__filename);

module.exports = {
  process(source) {
    // The bundle declares its own `var require` in places, so keep the module's require aside.
    const code = source.replace(/\bimport\(("[^"]+")\)/g, 'Promise.resolve(__moduleRequire($1))');
    return { code: `const __moduleRequire = require;${code}` };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(self).update(filename).update(source).digest('hex');
  },
};
