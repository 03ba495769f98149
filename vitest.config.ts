import { defineConfig } from 'vitest/config';

// One Synapse and one pair of demo servers per run (global setup); three layers of tests.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        // Property tests run thousands of cases: they judge what was answered, never how fast, so the
        // default 5 s limit (passed alone, missed beside browser tests on two cores) is not theirs.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // Two cores: one browser at a time.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Only through `npm run bench`; `npm test` runs a smoke version in e2e.
        test: { name: 'bench', include: ['bench/**/*.test.ts'], environment: 'node', testTimeout: 3_600_000, hookTimeout: 120_000 },
      },
    ],
  },
});
