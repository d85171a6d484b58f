/**
 * Vitest global setup: every scratch directory of a run (helpers/catalog.ts scratchDir) goes
 * under one folder, $TMPDIR/slokit-run-PID-*, and a run removes the folders of earlier runs
 * whose process is gone. Tests left about 0.9 GB in the temporary directory per `make test`;
 * now only the last run's is kept, for reading what a failing test left behind. The run's
 * promtool verdict cache lives there too.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../generators/write/output-lock.js';
import { VERDICT_CACHE_ENV } from '../generators/verdict-cache.js';

const PREFIX = 'slokit-run-';

export default function setup(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = name.startsWith(PREFIX) ? Number.parseInt(name.slice(PREFIX.length), 10) : 0;
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  // Workers are started after global setup and inherit the environment.
  const root = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  process.env.SLOKIT_SCRATCH_ROOT = root;
  // One verdict cache for the run (generators/verdict-cache.ts): many files test variations of the
  // bundled catalog whose rule shapes' suites are byte for byte the same, and each such promtool
  // run is done once per run of the suite (never carried over from an earlier run). A test of the
  // cache itself passes its own directory.
  process.env[VERDICT_CACHE_ENV] = join(root, 'verdicts');
}
