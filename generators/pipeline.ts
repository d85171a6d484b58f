/** catalog dir -> model (or every problem found on the way). */
import { loadCatalogSources } from './load/catalog-files.js';
import { buildModel, type BuildOptions } from './model/build.js';
import type { Model } from './model/types.js';
import { BUNDLED_POLICIES, BUNDLED_RESOURCES } from './paths.js';
import { sortProblems, type Problem } from './validate/problems.js';

export function loadModel(catalogDir: string, options: BuildOptions = {}, policyDir = BUNDLED_POLICIES): { model?: Model; problems: Problem[] } {
  const loaded = loadCatalogSources(catalogDir, policyDir, BUNDLED_RESOURCES);
  const built = buildModel(loaded.sources, options);
  const problems = sortProblems([...loaded.problems, ...built.problems]);
  return problems.length ? { problems } : { model: built.model!, problems: [] };
}
