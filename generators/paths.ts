/** Where the installed slokit keeps its bundled files (catalog, alert policies, schema). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/generators/paths.js -> project root. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_POLICIES = join(PROJECT_ROOT, 'alerts', 'policies');
export const BUNDLED_CATALOG = join(PROJECT_ROOT, 'catalog');
export const SCHEMA_DIR = join(PROJECT_ROOT, 'catalog', 'schema');
