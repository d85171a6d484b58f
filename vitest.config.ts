import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take minutes, longest first. Without a timing cache (a fresh clone, CI) Vitest
 * keeps its own order, and the property tests, small files, started last and ran alone at the
 * end. With a cache Vitest's own order (longest first by the last run) stands.
 */
const LONGEST = [
  'random-catalogs',
  'ticket-properties',
  'alert-properties',
  'e2e',
  'promtool-pack',
  'cli',
  'incident',
  'example-catalog',
  'mutations',
  'atomic-output',
  'rulers',
  'sli-ownership',
  'capacity-scorecard',
  'import-pyrra',
  'import-sloth',
  'combined-slis',
].map((n) => `test/${n}.test.ts`);

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const cached = files.some((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`));
    if (cached) return sorted;
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((n) => f.moduleId.endsWith(n));
      return i < 0 ? LONGEST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/scratch-root.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: one file at a time on 2 cores, with
    // the other core idle while a test waits on a real Prometheus or a child process. One
    // worker more than the cores keeps them busy while the end-to-end test waits for alerts
    // (about 3 minutes, mostly asleep): on 2 cores, 773 s against 858 s with 2 workers.
    maxWorkers: Math.max(3, availableParallelism() + 1),
    // Each worker keeps the modules it imported for the next file instead of importing the
    // generator anew for every one of the 42 files: imports took 71 s of the suite, now 29 s.
    // Tests share no state through modules (caches are keyed by the model they were built from).
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
