import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Starts one throwaway PostgreSQL cluster per run (if available); see the file.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // Child processes, not worker threads: better-sqlite3 is a native module and
    // tests spawn CLI processes.
    pool: 'forks',
    // Sized for a 2-core machine; test files still run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
  },
});
