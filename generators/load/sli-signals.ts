/**
 * One SLI, several signals, as GitLab's metrics catalog declares them: a request rate, an
 * error rate over it, and an apdex that may read another metric (a histogram) than the errors:
 *
 *   - name: puma
 *     kind: signals
 *     requests: http_requests_total{job="rails"}
 *     errors: http_requests_total{job="rails", status=~"5.."}
 *     apdex: { histogram: http_request_duration_seconds{job="rails"}, satisfied: 1, tolerated: 10 }
 *     objectives: { errors: 99.9, apdex: 99 }
 *
 * becomes puma-errors (an error-ratio SLI: errors over requests) and puma-apdex (an apdex SLI,
 * or puma-latency for an apdex block with `threshold`), sharing every other field (team,
 * significant labels, alerting, runbook). Like templated SLIs it runs right after parsing, so
 * every later check sees plain SLIs, and a problem in an SLI it made is reported where the
 * entry writes the field (`bad` of puma-errors at `errors`, its `objective` at
 * `objectives.errors`).
 */
import type { Problem } from '../validate/problems.js';
import { derived } from './sli-templates.js';
import { positionOf, type PathSegment, type SourceFile } from './yaml-source.js';

export const SIGNALS_KIND = 'signals';
/** The fields of a signals entry that are its own; every other field goes to each SLI it makes. */
const OWN = ['kind', 'name', 'description', 'requests', 'errors', 'apdex', 'objectives'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An SLI made from a signals entry, and where each of its fields is written in the entry. */
interface Made {
  readonly sli: Obj;
  readonly at: Readonly<Record<string, PathSegment[]>>;
}

function signalsOf(entry: Obj, at: PathSegment[], report: (path: PathSegment[], message: string, hint: string) => void): Made[] | undefined {
  const shared = Object.fromEntries(Object.entries(entry).filter(([k]) => !(OWN as readonly string[]).includes(k)));
  const objectives = isObj(entry.objectives) ? entry.objectives : {};
  if (entry.objectives !== undefined && (!isObj(entry.objectives) || Object.keys(entry.objectives).some((k) => k !== 'errors' && k !== 'apdex'))) {
    report([...at, 'objectives'], 'objectives maps errors and apdex to their objectives', 'write e.g. objectives: { errors: 99.9, apdex: 99 }');
    return undefined;
  }
  const hasErrors = entry.errors !== undefined;
  const hasApdex = entry.apdex !== undefined;
  if (!hasErrors && !hasApdex) {
    report(at, `a ${SIGNALS_KIND} SLI needs errors (with requests), apdex, or both`, 'add errors: (a counter of failed requests) beside requests:, and/or apdex: { histogram:, satisfied:, tolerated: }');
    return undefined;
  }
  if (hasErrors !== (entry.requests !== undefined)) {
    report(hasErrors ? at : [...at, 'requests'], hasErrors ? 'errors needs requests: the counter of all requests it is a share of' : 'requests is the total of errors: give errors too, or remove requests', hasErrors ? 'add requests: (a counter of all requests)' : 'add errors: (a counter of failed requests)');
    return undefined;
  }
  if (hasApdex && !isObj(entry.apdex)) {
    report([...at, 'apdex'], 'apdex must be a mapping', 'write apdex: { histogram: ..., satisfied: 1, tolerated: 10 } (or threshold: for a latency SLO)');
    return undefined;
  }
  const description = typeof entry.description === 'string' ? entry.description : undefined;
  const named = (suffix: string, words: string) => ({ name: `${String(entry.name)}-${suffix}`, ...(description !== undefined ? { description: `${description} (${words})` } : {}) });
  const made: Made[] = [];
  if (hasErrors) {
    made.push({
      sli: { ...shared, ...named('errors', 'errors over all requests'), kind: 'error-ratio', bad: entry.errors, total: entry.requests, ...(objectives.errors !== undefined ? { objective: objectives.errors } : {}) },
      at: { bad: ['errors'], total: ['requests'], objective: ['objectives', 'errors'], name: ['name'], kind: ['kind'] },
    });
  }
  if (hasApdex) {
    const apdex = entry.apdex as Obj;
    const latency = apdex.threshold !== undefined || (Array.isArray(apdex.histograms) && apdex.histograms.some((h) => isObj(h) && h.threshold !== undefined));
    made.push({
      sli: { ...shared, ...named(latency ? 'latency' : 'apdex', latency ? 'latency' : 'apdex'), kind: latency ? 'latency' : 'apdex', ...apdex, ...(objectives.apdex !== undefined ? { objective: objectives.apdex } : {}) },
      at: { ...Object.fromEntries(Object.keys(apdex).map((k) => [k, ['apdex', k]])), objective: ['objectives', 'apdex'], name: ['name'], kind: ['kind'] },
    });
  }
  return made;
}

/** The service file with its signals entries made into SLIs; the file as it is when it has none. */
export function expandSignals(source: SourceFile): { source: SourceFile; problems: Problem[] } {
  const data = source.data;
  if (!isObj(data) || !Array.isArray(data.slis) || !data.slis.some((s) => isObj(s) && s.kind === SIGNALS_KIND)) return { source, problems: [] };
  const problems: Problem[] = [];
  const report = (path: PathSegment[], message: string, hint: string) => problems.push({ file: source.file, ...positionOf(source, path), message, hint });
  const slis: unknown[] = [];
  const from: { index: number; at?: Readonly<Record<string, PathSegment[]>> }[] = [];
  data.slis.forEach((entry, i) => {
    if (!isObj(entry) || entry.kind !== SIGNALS_KIND) {
      slis.push(entry);
      from.push({ index: i });
      return;
    }
    // A wrong entry is reported and left out: its SLIs would only repeat the problem.
    for (const m of signalsOf(entry, ['slis', i], report) ?? []) {
      slis.push(m.sli);
      from.push({ index: i, at: m.at });
    }
  });
  const remap = (path: readonly PathSegment[]): PathSegment[] => {
    if (path[0] !== 'slis' || typeof path[1] !== 'number') return [...path];
    const f = from[path[1]];
    if (!f) return [...path];
    const field = path[2];
    const inEntry = f.at && typeof field === 'string' && f.at[field] ? [...f.at[field]!, ...path.slice(3)] : path.slice(2);
    return ['slis', f.index, ...inEntry];
  };
  return { source: derived(source, { ...data, slis }, remap), problems };
}
