/** Running the importers in tests: in memory on one file, or through the CLI into a new catalog. */
import { expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Finding } from '../../generators/import/draft.js';
import type { ImportContext } from '../../generators/import/extras.js';
import { readSpecs } from '../../generators/import/read-specs.js';
import type { ImportResult } from '../../generators/import/draft.js';
import { importContext } from '../../generators/import/write-catalog.js';
import { generatePack } from '../../generators/emit/pack.js';
import { loadModel } from '../../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../../generators/promtool.js';
import { testPack } from '../../generators/test-pack.js';
import { writeOutput } from '../../generators/write/output-dir.js';
import { cli, ROOT, scratchDir, type CliRun } from './catalog.js';

export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** What importing into a new catalog (the bundled defaults) sees. */
const newCatalog = importContext(join(scratchDir(), 'new'), undefined);

export function importFile(importer: (sources: ReturnType<typeof readSpecs>['sources'], ctx: ImportContext) => ImportResult, file: string, team?: string): ImportResult {
  const read = readSpecs([file]);
  expect(read.problems).toEqual([]);
  return importer(read.sources, team ? { ...newCatalog, team, teamOverrides: true } : newCatalog);
}

/** `line:col message` of the findings of one level. */
export function located(findings: readonly Finding[], level: Finding['level']): string[] {
  return findings.filter((f) => f.level === level).map((f) => `${f.line}:${f.col} ${f.message}`);
}

/** `slokit import TOOL FILES --catalog <new dir>`; the service documents it wrote, by file name. */
export function importWithCli<T>(tool: 'sloth' | 'openslo' | 'pyrra', files: string[], extra: string[] = []): CliRun & { catalog: string; services: T[] } {
  const catalog = join(scratchDir(), 'catalog');
  const r = cli(['import', tool, ...files, '--catalog', catalog, ...extra]);
  const dir = join(catalog, 'services');
  const services = existsSync(dir) ? readdirSync(dir).sort().map((f) => parse(readFileSync(join(dir, f), 'utf8')) as T) : [];
  return { ...r, catalog, services };
}

/**
 * The imported catalog generates, and its SLIs' own generated tests (exact raw reads, their
 * first alert firing with its labels and annotations, after the shape check) pass the real
 * promtool, and with `withShapes` their shapes' full suites too; returns the files run.
 */
export async function promtoolPasses(catalog: string, withShapes = false): Promise<string[]> {
  expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
  const { model, problems } = loadModel(catalog);
  expect(problems).toEqual([]);
  const out = scratchDir();
  writeOutput(out, (await generatePack(model!)).files);
  const results = await testPack(out, { jobs: availableParallelism(), changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f.startsWith('slis/') || f.endsWith('/rules.yml') || (withShapes && (f.startsWith('shapes/') || f.startsWith('windows/'))) });
  expect(results.filter((r) => r.file.startsWith('slis/')).length).toBe(model!.services.reduce((n, s) => n + s.slis.length, 0));
  for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
  return results.map((r) => r.file);
}
