// Three test tiers, told apart by file suffix (see README "Tests"):
//   *.unit.spec.ts  pure code, no stores
//   *.int.spec.ts   real PostgreSQL / Elasticsearch / Neo4j (started by test/stores/jest-global-setup.ts)
//   *.e2e.spec.ts   a real Prism app over HTTP, on real stores
// Type checking is `npm run typecheck`; ts-jest only transpiles, which keeps the suite fast.
// @marcbachmann/cel-js (the DSL's expression engine, see src/dsl/README.md) ships ESM only, and Jest on
// Node 20 cannot require ESM: ts-jest transpiles that one package to CommonJS (Node itself loads it fine).
const esmOnlyPackages = ['@marcbachmann/cel-js'];
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  [`^.+/node_modules/(${esmOnlyPackages.join('|')})/.+\\.js$`]: [
    'ts-jest',
    { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', target: 'ES2022' } },
  ],
};
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Examples and the consumer test import the package by its name, as a team's app would (src/index.ts).
  moduleNameMapper: { '^@prism/platform$': '<rootDir>/src/index.ts' },
};

/** @type {import('jest').Config} */
// Two workers at least: most suites wait on a store (a refresh, a poll, a child process), so on a 2-core
// machine two of them side by side finish the run in far less time than one after the other. Suites
// never share a database, index or graph name, so they cannot see each other's data.
const os = require('node:os');
const maxWorkers = Math.max(2, os.availableParallelism() - 1);

module.exports = {
  maxWorkers,
  globalSetup: '<rootDir>/test/stores/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/stores/jest-global-teardown.ts',
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{src,test,examples}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{src,test,examples}/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{src,test,examples}/**/*.e2e.spec.ts'] },
  ],
};
