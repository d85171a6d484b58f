/** The test run's scratch folder (scratch-root.ts): earlier runs' folders go once their process is gone. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './helpers/catalog.js';
import setup from './scratch-root.js';
import { VERDICT_CACHE_ENV } from '../generators/verdict-cache.js';

describe('scratch folders of test runs', () => {
  it("are under this run's folder; a new run removes the folders of finished runs and keeps those of running ones", () => {
    const root = process.env.SLOKIT_SCRATCH_ROOT!;
    const verdicts = process.env[VERDICT_CACHE_ENV]!;
    expect(verdicts).toBe(join(root, 'verdicts'));
    expect(root).toMatch(/slokit-run-\d+-/);
    expect(scratchDir().startsWith(join(root, 'slokit-test-'))).toBe(true);
    const finished = spawnSync(process.execPath, ['-e', '0']).pid!;
    const gone = join(tmpdir(), `slokit-run-${finished}-gone`);
    const running = join(tmpdir(), `slokit-run-${process.pid}-running`);
    mkdirSync(join(gone, 'catalog'), { recursive: true });
    mkdirSync(running);
    try {
      setup();
      expect(existsSync(gone)).toBe(false);
      expect(existsSync(running)).toBe(true);
      expect(existsSync(root)).toBe(true);
      expect(process.env.SLOKIT_SCRATCH_ROOT).not.toBe(root);
      expect(process.env[VERDICT_CACHE_ENV]).toBe(join(process.env.SLOKIT_SCRATCH_ROOT!, 'verdicts'));
    } finally {
      rmSync(process.env.SLOKIT_SCRATCH_ROOT!, { recursive: true, force: true });
      process.env.SLOKIT_SCRATCH_ROOT = root;
      process.env[VERDICT_CACHE_ENV] = verdicts;
      rmSync(running, { recursive: true, force: true });
      rmSync(gone, { recursive: true, force: true });
    }
  });
});
