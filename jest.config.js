/** Jest in ESM mode: unit specs beside the code, service specs in apps/<app>/test and libs/<lib>/test, e2e flows in test/e2e. */
const LIBS = ['contracts', 'config', 'messaging', 'persistence', 'observability', 'service-kit', 'auth', 'crypto', 'llm', 'expressions', 'outbound', 'testing'];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    [`^#(${LIBS.join('|')})$`]: '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    // The playground's browser code is checked with its own settings (DOM types).
    '^.+/apps/gateway/web/.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/apps/gateway/web/tsconfig.json' }],
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['<rootDir>/test/setup-logging.ts'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  maxWorkers: 2,
  // Generous: on a loaded 2-core machine seven processes can take over a minute to boot; no test asserts time.
  testTimeout: 300_000,
  slowTestThreshold: 20,
};
