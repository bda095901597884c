import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes do the heavy lifting; two workers match the two cores CI has.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    // The suite runs under the integration it ships: every file starts the agent in its worker and is judged after it
    // ran, so a file that left objects alive in an instrumented cache would fail here as in a user's project.
    setupFiles: ['./agent/vitest.mjs'],
  },
});
