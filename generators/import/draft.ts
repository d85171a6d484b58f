/**
 * What an importer produces: catalog service documents (in the catalog's own YAML shape) and
 * findings, each located in the file it came from. Nothing here reads or writes files.
 */
import { positionOf, type PathSegment, type SourceFile } from '../load/yaml-source.js';
import type { ExtrasDoc, SliAlertingDoc } from '../model/alert-extras.js';
import type { PolicyDraft } from './sloth-windows.js';

export interface SliDraft {
  name: string;
  description?: string;
  kind: 'error-ratio' | 'latency' | 'bool-gauge';
  objective: number;
  period?: string;
  alert_policy?: string;
  /** Several selectors for a combined SLI (a sum of counters in the imported query). */
  bad?: string | string[];
  good?: string | string[];
  total?: string | string[];
  histogram?: string;
  threshold?: number;
  histograms?: { histogram: string; threshold: number }[];
  gauge?: string;
  alerting?: SliAlertingDoc;
  group_by?: { labels: string[]; max_values: number };
  report_objectives?: { name: string; objective: number }[];
  /** The SLI's owner, where it is not its service's team. */
  team?: string;
  experimental?: boolean;
}

export interface ServiceDraft {
  name: string;
  description: string;
  team: string;
  tier: 1 | 2 | 3;
  alerting?: ExtrasDoc;
  slis: SliDraft[];
  /** Where it came from, for the file header and messages. */
  from: string;
}

/** A YAML mapping as plain data. */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sloth's range placeholder (`[{{.window}}]`, also in the OpenSLO files Sloth reads), replaced by
 * a duration: the queries are only read for their shape, never evaluated.
 */
export function withWindow(query: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, '5m');
}

/** What an importer gives back: services, alert policies (Sloth's AlertWindows) and findings. */
/** A user journey to write to journeys/NAME.yaml (from an OpenSLO composite SLO). */
export interface JourneyDraft {
  name: string;
  description: string;
  team: string;
  objective: number;
  period?: string;
  weighting: 'events' | 'components';
  components: ({ service: string; sli: string; weight?: number } | { journey: string; weight?: number })[];
  alerting?: { burn_alerts: boolean; pages?: boolean };
  from: string;
}

export interface ImportResult {
  readonly services: ServiceDraft[];
  readonly journeys?: readonly JourneyDraft[];
  readonly policies?: readonly PolicyDraft[];
  readonly findings: readonly Finding[];
}

export type FindingLevel = 'unsupported' | 'note' | 'error';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly level: FindingLevel;
  readonly message: string;
  readonly hint?: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.col}: ${f.level}: ${f.message}${f.hint ? `\n  hint: ${f.hint}` : ''}`;
}

/** In file order: file, line, column. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** Collects findings located in one source document. */
export class FindingSink {
  readonly findings: Finding[] = [];
  add(source: SourceFile, path: readonly PathSegment[], level: FindingLevel, message: string, hint?: string): void {
    this.findings.push({ file: source.file, ...positionOf(source, path), level, message, ...(hint ? { hint } : {}) });
  }
}

/**
 * A slokit name (lower-case letters, digits, single dashes, starting with a letter, at most
 * `max` characters) from another tool's name; undefined when nothing usable is left.
 */
export function safeName(text: string, max = 30): string | undefined {
  let name = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (name && !/^[a-z]/.test(name)) name = `x-${name}`;
  name = name.slice(0, max).replace(/-+$/, '');
  return name || undefined;
}

/**
 * `name`, or, when it is taken (two long names cut to the same 30 characters), it cut shorter
 * to hold a "-2", "-3"... that makes it free.
 */
export function untakenName(name: string, taken: (candidate: string) => boolean, max = 30): string {
  if (!taken(name)) return name;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${name.slice(0, max - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * The bundled alert policy for an imported period: four-weeks for 28 days (written 28d or 4w),
 * where the default policy's 3d ticket would fire below a 1x burn; otherwise the default.
 */
export function policyForPeriod(seconds: number | undefined): { alert_policy: 'four-weeks' } | Record<string, never> {
  return seconds === 28 * 86_400 ? { alert_policy: 'four-weeks' } : {};
}

/** An OpenSLO or Sloth objective as slokit's percent, when it is one slokit can hold (0 < p < 100). */
export function objectivePercent(ratio: number): number | undefined {
  const percent = Number((ratio * 100).toPrecision(12));
  return percent > 0 && percent < 100 ? percent : undefined;
}
