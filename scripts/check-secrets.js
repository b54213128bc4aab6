#!/usr/bin/env node
/**
 * This file checks that no private key, service-account key file or Google API key is present:
 * in the files git tracks (default) or in the folders named on the command line (build output).
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const PATTERNS = [
  { name: 'private key', pattern: /-----BEGIN (?:RSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ },
  { name: 'service-account key file', pattern: /"private_key"\s*:/ },
  { name: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/ },
  { name: 'OAuth client secret', pattern: /GOCSPX-[0-9A-Za-z_-]{20,}/ },
  {
    name: 'Chat webhook with key',
    pattern: /chat\.googleapis\.com\/v1\/spaces\/[^\s"']+\?key=[0-9A-Za-z_-]{20,}/,
  },
];

function listFiles(roots) {
  if (roots.length === 0) {
    return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      encoding: 'utf8',
    })
      .split('\0')
      .filter(Boolean);
  }
  const files = [];
  const walk = (entry) => {
    const stat = fs.statSync(entry);
    if (stat.isDirectory())
      for (const child of fs.readdirSync(entry)) walk(path.join(entry, child));
    else files.push(entry);
  };
  roots.forEach(walk);
  return files;
}

/** Returns the findings for the given files, as "file: what" lines. */
function findSecrets(files) {
  const findings = [];
  for (const file of files) {
    if (!fs.existsSync(file) || file === 'scripts/check-secrets.js') continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const { name, pattern } of PATTERNS)
      if (pattern.test(text)) findings.push(`${file}: ${name}`);
  }
  return findings;
}

module.exports = { findSecrets, PATTERNS };

if (require.main === module) {
  const findings = findSecrets(listFiles(process.argv.slice(2)));
  if (findings.length > 0) {
    console.error(`Secret-looking material found:\n${findings.join('\n')}`);
    process.exit(1);
  }
  console.log('check-secrets: no secret-looking material found');
}
