/**
 * Reads spec files for an importer: every YAML document of every file, or located problems.
 * A document that is a list of objects (how OpenSLO's Go SDK and oslo write several specs in
 * one document) counts as one document per item, each located within the list.
 */
import { existsSync } from 'node:fs';
import { displayPath, readText } from '../load/catalog-files.js';
import { parseYamlDocuments, type SourceFile } from '../load/yaml-source.js';
import type { Problem } from '../validate/problems.js';

export function readSpecs(paths: readonly string[]): { sources: SourceFile[]; problems: Problem[] } {
  const sources: SourceFile[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      problems.push({ file: displayPath(path), line: 1, col: 1, message: 'file not found', hint: 'check the path' });
      continue;
    }
    const read = readText(path, problems);
    if (!read) continue;
    const parsed = parseYamlDocuments(read.file, read.text);
    problems.push(...parsed.problems);
    for (const source of parsed.sources) {
      if (Array.isArray(source.data)) source.data.forEach((item, i) => sources.push({ ...source, data: item, base: [...(source.base ?? []), i] }));
      else sources.push(source);
    }
  }
  return { sources, problems };
}
