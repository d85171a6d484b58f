/** Finds and parses every file of a catalog (and the alert policies it can use). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import type { ParseCache } from './parse-cache.js';
import { expandSignals } from './sli-signals.js';
import { expandSliTemplates } from './sli-templates.js';
import { parseYamlSource, type SourceFile } from './yaml-source.js';
import type { Problem } from '../validate/problems.js';

export interface CatalogSources {
  readonly dir: string;
  readonly defaults: SourceFile | undefined;
  readonly teams: SourceFile | undefined;
  readonly services: readonly SourceFile[];
  /** Policies by file name (without .yaml); the catalog's own shadow the bundled ones. */
  readonly policies: ReadonlyMap<string, SourceFile>;
  /** Saturation resources by file name; the catalog's own shadow the bundled ones. */
  readonly resources: ReadonlyMap<string, SourceFile>;
  /** Deployment scales (catalog/scales/), by file name. */
  readonly scales: ReadonlyMap<string, SourceFile>;
  /** catalog/maturity.yaml, when the catalog has one. */
  readonly maturity: SourceFile | undefined;
  /** User journeys (catalog/journeys/), in file order. */
  readonly journeys: readonly SourceFile[];
}

const NO_SOURCES = (dir: string): CatalogSources => ({ dir, defaults: undefined, teams: undefined, services: [], policies: new Map(), resources: new Map(), scales: new Map(), maturity: undefined, journeys: [] });

const MAX_FILE_BYTES = 1024 * 1024;
/** Twice the largest catalog benchmarked (5,000 services in about 2 minutes and 1.5 GiB); more is a mistake, not a platform. */
export const MAX_SERVICE_FILES = 10_000;

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

/** Offset of the first NUL byte or invalid UTF-8 sequence, or undefined when the buffer is UTF-8 text. */
function firstNonText(buf: Buffer): number | undefined {
  const zero = buf.indexOf(0);
  const limit = zero === -1 ? buf.length : zero;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, limit));
    return zero === -1 ? undefined : zero;
  } catch {
    // Bisect for the first byte that breaks decoding (a prefix decodes until it reaches it).
    let lo = 0;
    let hi = limit;
    const decodes = (n: number, stream: boolean) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n), { stream });
        return true;
      } catch {
        return false;
      }
    };
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (decodes(mid, true)) lo = mid;
      else hi = mid - 1;
    }
    if (decodes(lo, false)) return lo;
    // The prefix ends inside a sequence that the next byte breaks: point at the sequence's first byte.
    let start = lo;
    while (start > 0 && (buf[start - 1]! & 0xc0) === 0x80) start--;
    return start - 1;
  }
}

/** A file's text, refused (with a located problem) when it is too big, not UTF-8 or holds NUL. */
export function readText(path: string, problems: Problem[]): { file: string; text: string } | undefined {
  const file = displayPath(path);
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) {
    problems.push({ file, line: 1, col: 1, message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`, hint: 'split it or remove what does not belong in a catalog' });
    return undefined;
  }
  const buf = readFileSync(path);
  const bad = firstNonText(buf);
  if (bad !== undefined) {
    const before = buf.subarray(0, bad);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const what = buf[bad] === 0 ? 'a NUL byte' : 'bytes that are not UTF-8';
    problems.push({ file, line: before.filter((b) => b === 0x0a).length + 1, col: bad - lineStart + 1, message: `file has ${what} here`, hint: 'save it as UTF-8 text (U+FFFD and other characters are fine; broken encodings are not)' });
    return undefined;
  }
  return { file, text: buf.toString('utf8') };
}

function readSource(path: string, problems: Problem[], cache?: ParseCache): SourceFile | undefined {
  const read = readText(path, problems);
  if (!read) return undefined;
  const parsed = parseYamlSource(read.file, read.text, cache);
  problems.push(...parsed.problems);
  return parsed.source;
}

function required(path: string, what: string, problems: Problem[], cache?: ParseCache): SourceFile | undefined {
  if (!existsSync(path)) {
    problems.push({ file: displayPath(path), line: 1, col: 1, message: `missing ${what}`, hint: `create ${displayPath(path)} (see the bundled catalog for an example)` });
    return undefined;
  }
  return readSource(path, problems, cache);
}

/** With `cache`, files whose text parsed before take their data from it (see parse-cache.ts). */
export function loadCatalogSources(catalogDir: string, bundledPolicyDir: string, bundledResourceDir: string, cache?: ParseCache): { sources: CatalogSources; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!existsSync(catalogDir) || !statSync(catalogDir).isDirectory()) {
    problems.push({ file: displayPath(catalogDir), line: 1, col: 1, message: 'catalog directory not found', hint: 'pass --catalog DIR pointing at a folder with defaults.yaml, teams.yaml and services/' });
    return { sources: NO_SOURCES(catalogDir), problems };
  }
  const defaults = required(join(catalogDir, 'defaults.yaml'), 'catalog defaults file', problems, cache);
  const teams = required(join(catalogDir, 'teams.yaml'), 'teams file', problems, cache);
  const serviceFiles = yamlFilesIn(join(catalogDir, 'services'));
  if (serviceFiles.length === 0) {
    problems.push({ file: displayPath(join(catalogDir, 'services')), line: 1, col: 1, message: 'no service files', hint: 'add one YAML file per service under services/ (slokit new-service NAME writes one)' });
  }
  if (serviceFiles.length > MAX_SERVICE_FILES) {
    problems.push({ file: displayPath(join(catalogDir, 'services')), line: 1, col: 1, message: `services/ holds ${serviceFiles.length} files; the limit is ${MAX_SERVICE_FILES}`, hint: 'split the platform into several catalogs, or remove generated or copied files from services/' });
    return { sources: NO_SOURCES(catalogDir), problems };
  }
  const services = serviceFiles
    .map((f) => readSource(f, problems, cache))
    .filter((s): s is SourceFile => s !== undefined)
    .map((s) => {
      const templated = expandSliTemplates(s);
      const signals = expandSignals(templated.source);
      problems.push(...templated.problems, ...signals.problems);
      return signals.source;
    });
  const byFileName = (files: string[]) => {
    const out = new Map<string, SourceFile>();
    for (const f of files) {
      const src = readSource(f, problems, cache);
      if (src) out.set(f.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, ''), src);
    }
    return out;
  };
  const policies = byFileName([...yamlFilesIn(bundledPolicyDir), ...yamlFilesIn(join(catalogDir, 'policies'))]);
  const resources = byFileName([...yamlFilesIn(bundledResourceDir), ...yamlFilesIn(join(catalogDir, 'resources'))]);
  const scales = byFileName(yamlFilesIn(join(catalogDir, 'scales')));
  const maturityFile = join(catalogDir, 'maturity.yaml');
  const maturity = existsSync(maturityFile) ? readSource(maturityFile, problems, cache) : undefined;
  const journeys = yamlFilesIn(join(catalogDir, 'journeys'))
    .map((f) => readSource(f, problems, cache))
    .filter((s): s is SourceFile => s !== undefined);
  return { sources: { dir: catalogDir, defaults, teams, services, policies, resources, scales, maturity, journeys }, problems };
}
