/** Jest runs TypeScript as ESM through ts-jest; type-checking is `tsc --noEmit` (see DESIGN.md §2). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/cleanup.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
