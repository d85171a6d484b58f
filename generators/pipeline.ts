/** catalog dir -> model (or every problem found on the way). */
import { loadCatalogSources } from './load/catalog-files.js';
import { buildModel } from './model/build.js';
import type { Model } from './model/types.js';
import { BUNDLED_POLICIES } from './paths.js';
import { sortProblems, type Problem } from './validate/problems.js';

export function loadModel(catalogDir: string, policyDir = BUNDLED_POLICIES): { model?: Model; problems: Problem[] } {
  const loaded = loadCatalogSources(catalogDir, policyDir);
  const built = buildModel(loaded.sources);
  const problems = sortProblems([...loaded.problems, ...built.problems]);
  return problems.length ? { problems } : { model: built.model!, problems: [] };
}
