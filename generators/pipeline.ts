/** catalog dir -> model (or every problem found on the way). */
import { loadCatalogSources } from './load/catalog-files.js';
import type { ParseCache } from './load/parse-cache.js';
import { buildModel, type BuildOptions } from './model/build.js';
import type { Model } from './model/types.js';
import { BUNDLED_POLICIES, BUNDLED_RESOURCES } from './paths.js';
import { sortProblems, type Problem } from './validate/problems.js';

/** With `cache`, files parsed before are not parsed again (generate keeps one in out/.slokit). */
export function loadModel(catalogDir: string, options: BuildOptions = {}, policyDir = BUNDLED_POLICIES, cache?: ParseCache): { model?: Model; problems: Problem[] } {
  const loaded = loadCatalogSources(catalogDir, policyDir, BUNDLED_RESOURCES, cache);
  const built = buildModel(loaded.sources, options);
  // A templated SLI's problem is found once per SLI it makes, at the one place it is written: said once.
  const seen = new Set<string>();
  const problems = sortProblems([...loaded.problems, ...built.problems]).filter((p) => {
    const key = JSON.stringify([p.file, p.line, p.col, p.message, p.hint]);
    return !seen.has(key) && !!seen.add(key);
  });
  return problems.length ? { problems } : { model: built.model!, problems: [] };
}
