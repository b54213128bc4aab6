/**
 * This file defines the add-on build: src/addon → build/addon/Code.js (one minified file whose
 * manifest functions are top-level declarations, as Apps Script needs) and build/addon/appsscript.json
 * with the environment's backend URL added to urlFetchWhitelist. Choose the environment with
 * `--env config=dev|prod|local` (default local).
 */
const fs = require('node:fs');
const path = require('node:path');
const { EsbuildPlugin } = require('esbuild-loader');
const GasPlugin = require('gas-webpack-plugin');
const { DefinePlugin } = require('webpack');

/** Reads config/<name>.json, the per-environment settings injected into the bundle. */
function readEnvironment(name) {
  const file = path.join(__dirname, 'config', `${name}.json`);
  if (!fs.existsSync(file))
    throw new Error(`Unknown environment "${name}": ${file} does not exist`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Emits appsscript.json with the backend's origin allowed for UrlFetchApp, and prints the bundle size. */
class ManifestPlugin {
  constructor(environment) {
    this.environment = environment;
  }
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('ManifestPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        {
          name: 'ManifestPlugin',
          stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL,
        },
        () => {
          const manifest = JSON.parse(
            fs.readFileSync(path.join(__dirname, 'appsscript.json'), 'utf8'),
          );
          const backend = new URL(this.environment.backendUrl);
          const prefix = `${backend.origin}/`;
          if (!manifest.urlFetchWhitelist.includes(prefix)) manifest.urlFetchWhitelist.push(prefix);
          // The admin card opens the backend's signed download links (the audit trail as CSV).
          const links = manifest.addOns.common.openLinkUrlPrefixes;
          if (!links.includes(prefix)) links.push(prefix);
          const text = `${JSON.stringify(manifest, null, 2)}\n`;
          compilation.emitAsset('appsscript.json', new compiler.webpack.sources.RawSource(text));
        },
      );
    });
    compiler.hooks.done.tap('ManifestPlugin', (stats) => {
      const code = stats.compilation.assets['Code.js'];
      if (code) {
        const bytes = code.size();
        console.log(
          `build/addon/Code.js: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), environment ${this.environment.environment}`,
        );
      }
    });
  }
}

module.exports = (env = {}) => {
  const environment = readEnvironment(env.config || 'local');
  return {
    mode: 'production',
    context: __dirname,
    entry: './src/addon/index.ts',
    target: ['web', 'es2019'],
    devtool: false,
    output: { path: path.join(__dirname, 'build/addon'), filename: 'Code.js', clean: true },
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { target: 'es2019' } }],
    },
    optimization: {
      // One scope for all modules: no per-module wrapper, so splitting a module costs no bytes
      // in the bundle Apps Script evaluates on every card render.
      concatenateModules: true,
      minimizer: [
        new EsbuildPlugin({ target: 'es2019', format: undefined, legalComments: 'none' }),
      ],
    },
    performance: { hints: false },
    plugins: [
      new DefinePlugin({ __ADDON_CONFIG__: JSON.stringify(environment) }),
      new GasPlugin(),
      new ManifestPlugin(environment),
    ],
  };
};
