/** Where slokit keeps its bundled files (catalog, alert policies, schema), found from this module. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json and alerts/: two levels up from dist/generators, one from generators/. */
function findRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'alerts'))) return dir;
    dir = dirname(dir);
  }
  return join(start, '..', '..');
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const BUNDLED_POLICIES = join(PROJECT_ROOT, 'alerts', 'policies');
export const BUNDLED_RESOURCES = join(PROJECT_ROOT, 'alerts', 'resources');
export const BUNDLED_CATALOG = join(PROJECT_ROOT, 'catalog');
export const DASHBOARDS_DIR = join(PROJECT_ROOT, 'dashboards');
export const RUNBOOK_TEMPLATES_DIR = join(PROJECT_ROOT, 'runbooks');
export const SCHEMA_DIR = join(PROJECT_ROOT, 'catalog', 'schema');
export const UI_DIR = join(PROJECT_ROOT, 'ui');
