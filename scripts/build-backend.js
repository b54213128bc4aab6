#!/usr/bin/env node
/**
 * This file builds the Cloud Function: esbuild bundles src/backend/index.ts into
 * build/backend/index.js, copies the SQL migrations beside it, and writes a package.json naming
 * only the runtime dependencies that stay external (native or file-loading packages). It targets
 * the Node.js of the Cloud Run functions runtime that scripts/deploy-backend.sh deploys on; what it
 * emits also runs on every Node.js that package.json's engines accepts (tests start it on Node 20).
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
/** The Node.js major version of the deploy runtime (nodejs24); runtime.test.ts checks they agree. */
const NODE_MAJOR = 24;
const out = path.join(root, 'build', 'backend');
const EXTERNAL = [
  '@google-cloud/functions-framework',
  'google-auth-library',
  'pg',
  '@electric-sql/pglite',
];

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'migrations'), { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(root, 'src', 'backend', 'index.ts')],
    outfile: path.join(out, 'index.js'),
    bundle: true,
    platform: 'node',
    target: `node${NODE_MAJOR}`,
    format: 'cjs',
    external: [...EXTERNAL, 'pg-native'],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const migrations = path.join(root, 'src', 'backend', 'platform', 'migrations');
  for (const file of fs.readdirSync(migrations).filter((name) => name.endsWith('.sql')))
    fs.copyFileSync(path.join(migrations, file), path.join(out, 'migrations', file));
  const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const dependencies = Object.fromEntries(
    EXTERNAL.map((name) => [name, rootPackage.dependencies[name]]),
  );
  const missing = EXTERNAL.filter((name) => !dependencies[name]);
  if (missing.length > 0)
    throw new Error(`package.json has no runtime dependency ${missing.join(', ')}`);
  const manifest = {
    name: 'shared-contacts-backend',
    version: rootPackage.version,
    private: true,
    description: 'Shared Contacts companion Cloud Function (built; do not edit).',
    main: 'index.js',
    engines: { node: `${NODE_MAJOR}` },
    scripts: { start: 'functions-framework --target=sharedContacts' },
    dependencies,
  };
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const size = fs.statSync(path.join(out, 'index.js')).size;
  console.log(
    `build/backend/index.js: ${(size / 1024).toFixed(0)} KB; runtime dependencies: ${EXTERNAL.join(', ')}`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
