/** This file configures eslint (flat config): typescript-eslint's recommended rules, prettier, and the import layering of DESIGN.md. */
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const prettier = require('eslint-config-prettier');
const globals = require('globals');

const layering = (forbidden) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: forbidden.map((folder) => ({
        group: [`**/${folder}/**`, `**/${folder}`],
        message: `This layer may not import src/${folder} (see STYLE.md).`,
      })),
    },
  ],
});

module.exports = tseslint.config(
  { ignores: ['build/', 'coverage/', 'test-results/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['src/emulator/web/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  { files: ['src/core/**'], rules: layering(['addon', 'backend', 'emulator', 'google']) },
  { files: ['src/google/**'], rules: layering(['addon', 'backend', 'emulator']) },
  { files: ['src/addon/**'], rules: layering(['backend', 'emulator']) },
  { files: ['src/backend/**'], rules: layering(['addon', 'emulator']) },
);
