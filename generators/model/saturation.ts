/**
 * Saturation resources: a service names bundled (or catalog) resources or describes its own,
 * and may override thresholds; a deployment scale may override them again. Everything is
 * checked here, so the emitters only ever see complete, parsed resources.
 */
import { suggestion } from '../validate/suggestion.js';
import type { PathSegment, SourceFile } from '../load/yaml-source.js';
import { parseSelector } from '../promql/parse.js';
import { formatNumber } from './decimal.js';
import { parseDuration, type Duration } from './duration.js';
import type { Capacity, Evaluation, RunbookSteps, SaturationResource, Selector } from './types.js';

export type Report = (source: SourceFile, path: readonly PathSegment[], message: string, hint: string) => void;

/** The fields a resource file and a service's saturation entry share. */
export interface ResourceFields {
  title?: string;
  description?: string;
  source?: string;
  usage?: string;
  usage_type?: 'gauge' | 'counter';
  measures?: 'used' | 'free';
  capacity?: string | number;
  capacity_type?: 'gauge' | 'counter' | 'count';
  capacity_scale?: number;
  by?: string[];
  add_capacity?: string[];
  soft?: number;
  hard?: number;
  forecast?: string;
}

export interface ResourceDoc extends ResourceFields {
  name: string;
}

export interface SaturationEntryDoc extends ResourceFields {
  resource?: string;
  name?: string;
  selector?: string;
  runbook?: { steps?: string[]; links?: { title: string; url: string }[]; commands?: string[] };
}

export interface ScaleResourceOverride {
  soft?: number;
  hard?: number;
  forecast?: string;
}

export interface SaturationSettings {
  readonly warnAfter: Duration;
  readonly pageAfter: Duration;
  readonly forecast: Duration;
  readonly forecastLookback: Duration;
}

export interface SaturationDefaultsDoc {
  warn_after?: string;
  page_after?: string;
  forecast?: string;
  forecast_lookback?: string;
}

export function saturationSettings(doc: SaturationDefaultsDoc | undefined): SaturationSettings {
  const d = (text: string | undefined, fallback: string) => parseDuration(text ?? fallback)!;
  return {
    warnAfter: d(doc?.warn_after, '30m'),
    pageAfter: d(doc?.page_after, '5m'),
    forecast: d(doc?.forecast, '14d'),
    forecastLookback: d(doc?.forecast_lookback, '1w'),
  };
}

/** Library resources that are complete and whose selectors parse, by name; problems reported at their files. */
export function libraryResources(files: ReadonlyMap<string, SourceFile>, report: Report): Map<string, { doc: ResourceDoc; src: SourceFile }> {
  const out = new Map<string, { doc: ResourceDoc; src: SourceFile }>();
  for (const [fileKey, src] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const doc = src.data as ResourceDoc;
    if (doc.name !== fileKey) {
      report(src, ['name'], `resource name "${doc.name}" does not match its file name "${fileKey}"`, `rename the file to ${doc.name}.yaml or set name: ${fileKey}`);
      continue;
    }
    // Capacity may be left to each service (e.g. how many workers it runs).
    const missing = (['usage', 'soft', 'hard'] as const).filter((k) => doc[k] === undefined);
    if (missing.length) {
      report(src, [], `resource "${doc.name}" has no ${missing.join(', ')}`, 'a bundled or catalog resource needs usage, soft and hard');
      continue;
    }
    const problems: string[] = [];
    parsedMeasure(doc, [], (p, m, h) => (problems.push(m), report(src, p, m, h)));
    if (!problems.length) out.set(doc.name, { doc, src });
  }
  return out;
}

type LocalReport = (path: readonly PathSegment[], message: string, hint: string) => void;

function selectorOf(text: string, path: readonly PathSegment[], report: LocalReport): Selector | undefined {
  const r = parseSelector(text);
  if (!r.ok) {
    report(path, r.error, 'write a series selector such as process_open_fds{job="x"}; utilisation is built from usage and capacity, not free PromQL');
    return undefined;
  }
  return r.value;
}

function parsedMeasure(f: ResourceFields, at: readonly PathSegment[], report: LocalReport): { usage: Selector; capacity: Capacity } | undefined {
  const usage = f.usage === undefined ? undefined : selectorOf(f.usage, [...at, 'usage'], report);
  let capacity: Capacity | undefined;
  if (typeof f.capacity === 'number') {
    if (f.capacity_type && f.capacity_type !== 'gauge') report([...at, 'capacity_type'], `capacity_type ${f.capacity_type} needs a series selector as capacity, not a number`, 'write the capacity as a selector, or remove capacity_type');
    else capacity = { type: 'number', value: f.capacity };
  } else if (typeof f.capacity === 'string') {
    const s = selectorOf(f.capacity, [...at, 'capacity'], report);
    if (s) capacity = { type: f.capacity_type ?? 'gauge', selector: s };
  }
  return usage && capacity ? { usage, capacity } : undefined;
}

function withMatchers(s: Selector, extra: Selector['matchers']): Selector {
  return { metric: s.metric, matchers: [...s.matchers, ...extra] };
}

export interface ServiceResourceInput {
  readonly src: SourceFile;
  readonly entries: readonly SaturationEntryDoc[];
  readonly library: ReadonlyMap<string, { doc: ResourceDoc; src: SourceFile }>;
  readonly settings: SaturationSettings;
  /** The catalog's aggregation labels: places, which instances (`by`) are told apart within. */
  readonly aggregationLabels: readonly string[];
  readonly evaluation: Evaluation;
  /** Overrides of the scale being generated, by resource name. */
  readonly scale: Readonly<Record<string, ScaleResourceOverride>> | undefined;
  readonly scaleName: string | undefined;
  readonly report: Report;
}

export function serviceResources(input: ServiceResourceInput): SaturationResource[] {
  const { src, library, settings } = input;
  const out: SaturationResource[] = [];
  const names = new Set<string>();
  input.entries.forEach((entry, i) => {
    const at: PathSegment[] = ['saturation', i];
    const report: LocalReport = (p, m, h) => input.report(src, p, m, h);
    const lib = entry.resource !== undefined ? library.get(entry.resource) : undefined;
    if (entry.resource !== undefined && !lib) {
      report([...at, 'resource'], `resource "${entry.resource}" is not a bundled or catalog resource`, `${suggestion(entry.resource, [...library.keys()])}bundled resources: ${[...library.keys()].join(', ')}; or describe your own with name, usage and capacity`);
      return;
    }
    const name = entry.name ?? entry.resource;
    if (name === undefined) {
      report(at, 'a saturation entry needs resource (a bundled one) or name (your own)', 'write resource: node-cpu, or name: my-pool with usage and capacity');
      return;
    }
    if (names.has(name)) {
      report([...at, entry.name !== undefined ? 'name' : 'resource'], `resource "${name}" is declared twice in this service`, 'give the second one its own name: (e.g. name: disk-data with resource: node-disk)');
      return;
    }
    names.add(name);
    const scaled = input.scale?.[name] ?? {};
    const f: ResourceFields = { ...(lib?.doc ?? {}), ...definedFields(entry), ...definedFields(scaled) };
    const missing = (['usage', 'capacity', 'soft', 'hard'] as const).filter((k) => f[k] === undefined);
    if (missing.length) {
      report(at, `resource "${name}" has no ${missing.join(', ')}`, lib ? 'the bundled resource lacks it; set it here' : 'a custom resource needs usage, capacity, soft and hard');
      return;
    }
    if (f.soft! >= f.hard!) {
      const byScale = scaled.soft !== undefined || scaled.hard !== undefined ? ` with the overrides of scale ${input.scaleName}` : '';
      report([...at, entry.soft !== undefined ? 'soft' : entry.hard !== undefined ? 'hard' : 'resource'], `soft threshold ${formatNumber(f.soft!)} must be below the hard threshold ${formatNumber(f.hard!)}${byScale}`, `the soft threshold warns before the hard one pages; lower soft or raise hard${byScale ? ` (in scales/${input.scaleName}.yaml or here)` : ''}`);
      return;
    }
    const measure = parsedMeasure(f, lib && entry.usage === undefined && entry.capacity === undefined ? [...at, 'resource'] : at, report);
    if (!measure) return;
    let extra: Selector['matchers'] = [];
    if (entry.selector !== undefined) {
      const r = parseSelector(entry.selector, true);
      if (!r.ok) {
        report([...at, 'selector'], r.error, 'write label matchers such as job="gitaly" or instance=~"db-.*"');
        return;
      }
      extra = r.value.matchers;
    }
    const capacity: Capacity = measure.capacity.type === 'number' ? measure.capacity : { type: measure.capacity.type, selector: withMatchers(measure.capacity.selector, extra) };
    const place = (f.by ?? []).filter((l) => input.aggregationLabels.includes(l));
    // Utilisation is the worst instance of each place: an instance label that is a place label
    // makes every instance a place of its own. Reported, and kept, so nothing else reports it missing.
    if (place.length) report(entry.by ? [...at, 'by'] : at, `by lists ${place.join(', ')}, which the catalog aggregates by already (defaults labels): each of its values is a place of its own, not an instance`, `remove ${place.join(', ')} from by; instances are told apart within one place`);
    out.push({
      name,
      library: lib ? entry.resource : undefined,
      title: f.title ?? name,
      description: f.description ?? `${name} of the service.`,
      source: f.source ?? 'custom',
      usage: withMatchers(measure.usage, extra),
      usageType: f.usage_type ?? 'gauge',
      measures: f.measures ?? 'used',
      capacity,
      capacityScale: f.capacity_scale ?? 1,
      by: [...new Set(f.by ?? ['instance'])],
      soft: f.soft!,
      hard: f.hard!,
      rateWindow: input.evaluation.rawWindow,
      warnAfter: settings.warnAfter,
      pageAfter: settings.pageAfter,
      forecast: f.forecast ? parseDuration(f.forecast)! : settings.forecast,
      forecastLookback: settings.forecastLookback,
      evaluation: input.evaluation,
      addCapacity: f.add_capacity ?? [],
      runbook: runbookOf(entry.runbook),
    });
  });
  return out;
}

function runbookOf(doc: SaturationEntryDoc['runbook']): RunbookSteps {
  return { steps: doc?.steps ?? [], links: doc?.links ?? [], commands: doc?.commands ?? [] };
}

/** The fields that are set, so spreading them does not blank out inherited ones. */
function definedFields<T extends object>(o: T): Partial<ResourceFields> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && !['resource', 'name', 'selector', 'runbook', 'expected'].includes(k)) out[k] = v;
  }
  return out as Partial<ResourceFields>;
}
