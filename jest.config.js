/** This file configures jest: TypeScript through ts-jest (transpile only; `npm run typecheck` checks types). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // PGlite's CommonJS build imports Node built-ins dynamically; see the transformer's header.
    '@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/test/backend/cjs-dynamic-import-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  testTimeout: 60000,
  // Fails a full run unless every control of docs/security.md has a passing proof (see its header).
  reporters: ['default', '<rootDir>/test/security/control-matrix-reporter.js'],
};
