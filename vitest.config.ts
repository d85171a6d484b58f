import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: one file at a time on 2 cores, with
    // the other core idle while a test waits on a real Prometheus or a child process.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
