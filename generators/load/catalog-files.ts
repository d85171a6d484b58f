/** Finds and parses every file of a catalog (and the alert policies it can use). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { parseYamlSource, type SourceFile } from './yaml-source.js';
import type { Problem } from '../validate/problems.js';

export interface CatalogSources {
  readonly dir: string;
  readonly defaults: SourceFile | undefined;
  readonly teams: SourceFile | undefined;
  readonly services: readonly SourceFile[];
  /** Policies by file name (without .yaml); the catalog's own shadow the bundled ones. */
  readonly policies: ReadonlyMap<string, SourceFile>;
}

const MAX_FILE_BYTES = 1024 * 1024;

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function readSource(path: string, problems: Problem[]): SourceFile | undefined {
  const file = displayPath(path);
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) {
    problems.push({ file, line: 1, col: 1, message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`, hint: 'split it or remove what does not belong in a catalog' });
    return undefined;
  }
  const buf = readFileSync(path);
  const text = buf.toString('utf8');
  if (buf.includes(0) || text.includes('\uFFFD')) {
    problems.push({ file, line: 1, col: 1, message: 'file is not UTF-8 text', hint: 'save it as UTF-8 YAML' });
    return undefined;
  }
  const parsed = parseYamlSource(file, text);
  problems.push(...parsed.problems);
  return parsed.source;
}

function required(path: string, what: string, problems: Problem[]): SourceFile | undefined {
  if (!existsSync(path)) {
    problems.push({ file: displayPath(path), line: 1, col: 1, message: `missing ${what}`, hint: `create ${displayPath(path)} (see the bundled catalog for an example)` });
    return undefined;
  }
  return readSource(path, problems);
}

export function loadCatalogSources(catalogDir: string, bundledPolicyDir: string): { sources: CatalogSources; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!existsSync(catalogDir) || !statSync(catalogDir).isDirectory()) {
    problems.push({ file: displayPath(catalogDir), line: 1, col: 1, message: 'catalog directory not found', hint: 'pass --catalog DIR pointing at a folder with defaults.yaml, teams.yaml and services/' });
    return { sources: { dir: catalogDir, defaults: undefined, teams: undefined, services: [], policies: new Map() }, problems };
  }
  const defaults = required(join(catalogDir, 'defaults.yaml'), 'catalog defaults file', problems);
  const teams = required(join(catalogDir, 'teams.yaml'), 'teams file', problems);
  const serviceFiles = yamlFilesIn(join(catalogDir, 'services'));
  if (serviceFiles.length === 0) {
    problems.push({ file: displayPath(join(catalogDir, 'services')), line: 1, col: 1, message: 'no service files', hint: 'add one YAML file per service under services/ (slokit new-service NAME writes one)' });
  }
  const services = serviceFiles.map((f) => readSource(f, problems)).filter((s): s is SourceFile => s !== undefined);
  const policies = new Map<string, SourceFile>();
  for (const f of [...yamlFilesIn(bundledPolicyDir), ...yamlFilesIn(join(catalogDir, 'policies'))]) {
    const src = readSource(f, problems);
    const key = f.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
    if (src) policies.set(key, src);
  }
  return { sources: { dir: catalogDir, defaults, teams, services, policies }, problems };
}
