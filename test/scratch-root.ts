/**
 * Vitest global setup: every scratch directory of a run (helpers/catalog.ts scratchDir) goes
 * under one folder, $TMPDIR/slokit-run-PID-*, and a run removes the folders of earlier runs
 * whose process is gone. Tests left about 0.9 GB in the temporary directory per `make test`;
 * now only the last run's is kept, for reading what a failing test left behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../generators/write/output-lock.js';

const PREFIX = 'slokit-run-';

export default function setup(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = name.startsWith(PREFIX) ? Number.parseInt(name.slice(PREFIX.length), 10) : 0;
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  // Workers are started after global setup and inherit the environment.
  process.env.SLOKIT_SCRATCH_ROOT = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
}
