/**
 * A hash of the generator's own code and templates: what it derives from a catalog is a
 * function of the catalog and of this, so anything kept between runs (reused pack files,
 * parsed selectors) is keyed by it, and a new slokit starts afresh.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS_DIR, PROJECT_ROOT, RUNBOOK_TEMPLATES_DIR } from './paths.js';

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, path);
    else hash.update(path.slice(PROJECT_ROOT.length)).update('\0').update(readFileSync(path)).update('\0');
  }
}

let generatorHash: string | undefined;

/** The generator's code (with the SDK contract it reads metric names from) and its templates. */
export function generatorVersion(): string {
  if (!generatorHash) {
    const hash = createHash('sha256');
    for (const dir of [join(PROJECT_ROOT, 'dist', 'generators'), join(PROJECT_ROOT, 'dist', 'sdk'), DASHBOARDS_DIR, RUNBOOK_TEMPLATES_DIR]) hashTree(hash, dir);
    generatorHash = hash.digest('hex');
  }
  return generatorHash;
}
