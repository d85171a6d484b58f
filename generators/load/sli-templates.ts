/**
 * Templated SLIs: one catalog entry for many alike SLIs (ten Sidekiq shards, one per region's
 * API), as teams otherwise copy them by hand:
 *
 *   - name: jobs
 *     for_each: { shard: [catchall, urgent-cpu-bound] }
 *     selector: job="sidekiq", shard="{shard}"
 *
 * becomes jobs-catchall and jobs-urgent-cpu-bound, `{shard}` replaced in every text of the
 * entry. Several keys make every combination. It runs right after parsing, so every later
 * check sees plain SLIs, and what it reports about an expanded SLI points at the entry it came
 * from (the file's `remap`). Values are slugs: they end up in SLI names, PromQL strings, label
 * values, file paths and Markdown, where a slug needs no escaping.
 */
import type { Problem } from '../validate/problems.js';
import { positionOf, type PathSegment, type SourceFile } from './yaml-source.js';

export const FOR_EACH = 'for_each';
/** Expanded SLIs one entry may make: beyond this, a templated entry is a cardinality mistake. */
export const MAX_EXPANDED = 50;
const KEY = /^[a-z_][a-z0-9_]*$/;
const VALUE = /^[a-z0-9][a-z0-9-]*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The service file with its templated SLIs expanded; the file as it is when it has none. */
export function expandSliTemplates(source: SourceFile): { source: SourceFile; problems: Problem[] } {
  const data = source.data;
  if (!isObj(data) || !Array.isArray(data.slis) || !data.slis.some((s) => isObj(s) && s[FOR_EACH] !== undefined)) return { source, problems: [] };
  const problems: Problem[] = [];
  const report = (path: PathSegment[], message: string, hint: string, key = false) => problems.push({ file: source.file, ...positionOf(source, path, key), message, hint });
  const slis: unknown[] = [];
  const from: number[] = [];
  data.slis.forEach((entry, i) => {
    const bindings = isObj(entry) && entry[FOR_EACH] !== undefined ? bindingsOf(entry, ['slis', i], report) : undefined;
    if (!bindings) {
      // A plain entry, or a template whose for_each is wrong (reported): kept as written, less for_each.
      slis.push(isObj(entry) && FOR_EACH in entry ? withoutForEach(entry) : entry);
      from.push(i);
      return;
    }
    for (const b of bindings) {
      slis.push(instantiate(withoutForEach(entry as Obj), b));
      from.push(i);
    }
  });
  const expanded = { ...data, slis };
  return { source: derived(source, expanded, (path) => (path[0] === 'slis' && typeof path[1] === 'number' ? ['slis', from[path[1]] ?? path[1], ...path.slice(2)] : [...path])), problems };
}

/** Every combination of the entry's for_each values, or undefined when for_each is wrong (reported). */
function bindingsOf(entry: Obj, at: PathSegment[], report: (path: PathSegment[], message: string, hint: string, key?: boolean) => void): Record<string, string>[] | undefined {
  const forEach = entry[FOR_EACH];
  const here = [...at, FOR_EACH];
  if (!isObj(forEach) || !Object.keys(forEach).length) {
    report(here, `${FOR_EACH} must map a placeholder to its values`, 'write e.g. for_each: { shard: [catchall, urgent-cpu-bound] } and use {shard} in the entry');
    return undefined;
  }
  let ok = true;
  const texts = JSON.stringify(withoutForEach(entry));
  for (const [key, values] of Object.entries(forEach)) {
    if (!KEY.test(key)) {
      report([...here, key], `placeholder "${key}" is not a name of lowercase letters, digits and _`, 'name it like a label, e.g. shard', true);
      ok = false;
    } else if (!texts.includes(`{${key}}`)) {
      report([...here, key], `placeholder {${key}} is used nowhere in the entry: every SLI it makes would be the same`, `write {${key}} where the SLIs differ, e.g. in the selector: shard="{${key}}"`, true);
      ok = false;
    }
    if (!Array.isArray(values) || !values.length) {
      report([...here, key], `the values of ${key} must be a non-empty list`, `write e.g. ${key}: [catchall, urgent-cpu-bound]`);
      ok = false;
      continue;
    }
    values.forEach((v, j) => {
      if (typeof v !== 'string' || !VALUE.test(v)) {
        report([...here, key, j], `value ${JSON.stringify(v)} of ${key} is not a slug (lowercase letters, digits and -)`, 'each value becomes part of an SLI name, a PromQL string and a file name: relabel the series to slugs, or list the SLI by hand');
        ok = false;
      } else if (values.indexOf(v) !== j) {
        report([...here, key, j], `value ${v} of ${key} is listed twice`, 'list each value once');
        ok = false;
      }
    });
  }
  if (!ok) return undefined;
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(forEach as Record<string, string[]>)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  if (combos.length > MAX_EXPANDED) {
    report(here, `${FOR_EACH} makes ${combos.length} SLIs; one entry may make at most ${MAX_EXPANDED}`, 'split the entry, or group by the label in one SLI and drill down by it (significant_labels)');
    return undefined;
  }
  return combos;
}

function withoutForEach(entry: Obj): Obj {
  const { [FOR_EACH]: _forEach, ...rest } = entry;
  return rest;
}

/** The entry with each `{key}` in its texts replaced, and the values appended to its name. */
function instantiate(entry: Obj, binding: Record<string, string>): Obj {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return Object.entries(binding).reduce((t, [k, value]) => t.replaceAll(`{${k}}`, value), v);
    if (Array.isArray(v)) return v.map(fill);
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  const filled = fill(entry) as Obj;
  return { ...filled, name: [entry.name, ...Object.values(binding)].join('-') };
}

/**
 * The file with other data, positions asked for through `remap` (after the file's own remap,
 * when it was derived already); its document is parsed only if a position is.
 */
export function derived(source: SourceFile, data: unknown, remap: (path: readonly PathSegment[]) => PathSegment[]): SourceFile {
  const earlier = source.remap;
  return {
    file: source.file,
    text: source.text,
    data,
    parsed: source.parsed,
    ...(source.base ? { base: source.base } : {}),
    remap: earlier ? (path) => earlier(remap(path)) : remap,
    get doc() {
      return source.doc;
    },
    get lines() {
      return source.lines;
    },
  };
}
