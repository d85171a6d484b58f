/**
 * A report from what Prometheus answered: pure, so every number can be checked against the
 * samples it came from. Availability is a ratio of sums of the recorded event rates over the
 * period; budget spent is the bad events over the events the objective allows; an incident is
 * a stretch in which any of the SLO's slokit alerts fired, and its share is the bad events
 * recorded while it fired (inside the period) over the events the period's budget allows.
 */
import { combineJourney, componentName, journeyLeaves } from '../model/journeys.js';
import type { Journey, Model, Service, Sli } from '../model/types.js';
import { SLI_LABELS } from '../naming.js';
import type { Period, ReportPeriods } from './period.js';

export type Verdict = 'met' | 'missed' | 'no-data';

export interface Incident {
  /** First and last firing sample (unix seconds), as Prometheus recorded them. */
  readonly start: number;
  readonly end: number;
  readonly beganBefore: boolean;
  readonly endedAfter: boolean;
  /** Seconds of it inside the period. */
  readonly seconds: number;
  readonly alerts: readonly { readonly name: string; readonly severity: string }[];
  readonly paged: boolean;
  /** Of the period's error budget; null when the period has no events. */
  readonly budgetShare: number | null;
}

export interface SloReport {
  readonly service: string;
  readonly sli: string;
  readonly environment: string | null;
  readonly team: string;
  readonly tier: number;
  readonly kind: string;
  readonly description: string;
  readonly objective: number;
  readonly availability: number | null;
  readonly budgetSpent: number | null;
  readonly budgetLeft: number | null;
  readonly verdict: Verdict;
  /** The same availability against each objective the catalog reports and never alerts on (an SLA). */
  readonly reportObjectives: readonly { readonly name: string; readonly objective: number; readonly budgetSpent: number | null; readonly verdict: Verdict }[];
  /** When its samples begin inside the period (an SLO added mid-period); null when they cover its start. */
  readonly measuredFrom: number | null;
  /** Share of the steps since it was first measured that hold samples. */
  readonly coverage: number;
  readonly previous: { readonly availability: number | null; readonly budgetSpent: number | null; readonly verdict: Verdict };
  /** Availability now minus in the previous period; null when either has no data. */
  readonly trend: number | null;
  readonly incidents: readonly Incident[];
  /** Budget spent so far at the end of each chart step: [unix seconds, share]. */
  readonly burn: readonly (readonly [number, number])[];
}

/** A user journey over the period, from its components' sums (model/journeys.ts combineJourney). */
export interface JourneyReport {
  readonly journey: string;
  readonly environment: string | null;
  readonly team: string;
  readonly description: string;
  readonly weighting: string;
  readonly objective: number;
  readonly availability: number | null;
  readonly budgetSpent: number | null;
  readonly budgetLeft: number | null;
  readonly verdict: Verdict;
  readonly previous: { readonly availability: number | null; readonly verdict: Verdict };
  readonly trend: number | null;
  /** Each component: its weight, availability, and share of the journey's bad (what spent the budget). */
  readonly components: readonly { readonly name: string; readonly weight: number; readonly availability: number | null; readonly share: number | null }[];
  /** Components whose samples begin inside the period (added during it), with when. */
  readonly measuredFrom: readonly { readonly name: string; readonly from: number }[];
}

export interface Rollup {
  readonly name: string;
  readonly slos: number;
  readonly met: number;
  readonly missed: number;
  readonly noData: number;
  /** Median budget spent of its SLOs with data. */
  readonly medianBudgetSpent: number | null;
  readonly worst: { readonly service: string; readonly sli: string; readonly environment: string | null; readonly budgetSpent: number } | null;
}

export interface Report {
  readonly period: Period;
  readonly previous: Period;
  readonly timezone: string;
  readonly prometheus: { readonly url: string; readonly version: string | null; readonly closedRanges: boolean; readonly queries: number };
  readonly filters: { readonly team: string | null; readonly service: string | null; readonly environment: string | null };
  readonly chartStep: number;
  readonly slos: readonly SloReport[];
  readonly journeys: readonly JourneyReport[];
  readonly teams: readonly Rollup[];
  readonly tiers: readonly Rollup[];
}

/** An SLO row's key: service, SLI and environment. */
export type RowKey = string;
export const rowKey = (service: string, sli: string, environment: string | null): RowKey => `${service}\u0000${sli}\u0000${environment ?? ''}`;

export interface RowSums {
  readonly total: number;
  readonly bad: number;
}

/** One alert series' firing samples (unix seconds, oldest first). */
export interface FiringSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly times: readonly number[];
}

/** What the queries answered, by row. */
export interface Answers {
  readonly current: ReadonlyMap<RowKey, RowSums>;
  readonly previous: ReadonlyMap<RowKey, RowSums>;
  /** Per row: [step end, total, bad] for each step of the chart that holds samples. */
  readonly steps: ReadonlyMap<RowKey, readonly (readonly [number, number, number])[]>;
  readonly firing: readonly FiringSeries[];
  /** Bad-event sums while each incident fired, by incidentId. */
  readonly incidentBad: ReadonlyMap<string, number>;
  /** The first sample's time of rows whose samples begin inside the period. */
  readonly firstSample: ReadonlyMap<RowKey, number>;
}

export interface Slo {
  readonly service: Service;
  readonly sli: Sli;
  readonly environment: string | null;
}

export const incidentId = (key: RowKey, start: number) => `${key}\u0000${start}`;

/** A stretch of firing, before it is measured: times and the alerts in it. */
export interface Stretch {
  readonly start: number;
  readonly end: number;
  readonly alerts: readonly { readonly name: string; readonly severity: string }[];
}

/**
 * Stretches in which any alert of a row fired: one alert's samples further apart than `gap`
 * seconds (two of its slowest group's evaluations) are two stretches, and stretches of the row's
 * alerts that overlap or are `gap` apart or less are one incident.
 */
export function stretchesOf(series: readonly FiringSeries[], gap: number): Stretch[] {
  const runs: Stretch[] = [];
  for (const s of series) {
    const alert = { name: s.labels.alertname ?? '', severity: s.labels.severity ?? '' };
    let start = s.times[0];
    let last = start;
    for (const t of s.times.slice(1)) {
      if (t - last! > gap) {
        runs.push({ start: start!, end: last!, alerts: [alert] });
        start = t;
      }
      last = t;
    }
    if (start !== undefined) runs.push({ start, end: last!, alerts: [alert] });
  }
  runs.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { start: number; end: number; alerts: Map<string, { name: string; severity: string }> }[] = [];
  for (const r of runs) {
    const open = merged.at(-1);
    if (open && r.start - open.end <= gap) {
      open.end = Math.max(open.end, r.end);
      for (const a of r.alerts) open.alerts.set(`${a.name}\u0000${a.severity}`, a);
    } else merged.push({ start: r.start, end: r.end, alerts: new Map(r.alerts.map((a) => [`${a.name}\u0000${a.severity}`, a])) });
  }
  return merged.map((m) => ({ start: m.start, end: m.end, alerts: [...m.alerts.values()].sort((a, b) => a.severity.localeCompare(b.severity) || a.name.localeCompare(b.name)) }));
}

/** The part of a stretch inside the period: its bad events are summed over (from, to]; null when outside. */
export function insidePeriod(stretch: Stretch, period: Period): { from: number; to: number } | null {
  if (stretch.end <= period.start || stretch.start > period.end) return null;
  // The first firing sample counts (its evaluation saw the burn): the range starts just before it.
  return { from: Math.max(stretch.start - 0.001, period.start), to: Math.min(stretch.end, period.end) };
}

/** The firing series of each row, by the row's labels. */
export function firingByRow(model: Model, firing: readonly FiringSeries[]): Map<RowKey, FiringSeries[]> {
  const env = model.settings.environmentLabel;
  const out = new Map<RowKey, FiringSeries[]>();
  for (const f of firing) {
    const service = f.labels[SLI_LABELS.service];
    const sli = f.labels[SLI_LABELS.sli];
    if (!service || !sli) continue; // saturation alerts belong to no SLO
    const key = rowKey(service, sli, env ? (f.labels[env] ?? null) : null);
    out.set(key, [...(out.get(key) ?? []), f]);
  }
  return out;
}

/** Two evaluations of the SLI's slowest rule group: samples further apart are two stretches of firing. */
export const firingGap = (sli: Sli) => 2 * Math.max(sli.evaluation.fastInterval.seconds, sli.evaluation.slowInterval.seconds);

function verdictOf(availability: number | null, objective: number): Verdict {
  return availability === null ? 'no-data' : availability >= objective ? 'met' : 'missed';
}

function measure(sums: RowSums | undefined, errorBudget: number) {
  if (!sums || !(sums.total > 0)) return { availability: null, budgetSpent: null };
  const ratio = sums.bad / sums.total;
  return { availability: 1 - ratio, budgetSpent: ratio / errorBudget };
}

function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function rollup(name: string, rows: readonly SloReport[]): Rollup {
  const measured = rows.filter((r) => r.budgetSpent !== null);
  const worst = [...measured].sort((a, b) => b.budgetSpent! - a.budgetSpent!)[0];
  return {
    name,
    slos: rows.length,
    met: rows.filter((r) => r.verdict === 'met').length,
    missed: rows.filter((r) => r.verdict === 'missed').length,
    noData: rows.filter((r) => r.verdict === 'no-data').length,
    medianBudgetSpent: median(measured.map((r) => r.budgetSpent!)),
    worst: worst ? { service: worst.service, sli: worst.sli, environment: worst.environment, budgetSpent: worst.budgetSpent! } : null,
  };
}

/** A journey in one environment, over the period and the one before, from the component rows' sums. */
function journeyReport(model: Model, journey: Journey, environment: string | null, answers: Answers, periodStart: number): JourneyReport {
  const figures = (sums: ReadonlyMap<RowKey, RowSums>) => combineJourney(model.journeys, journey, (service, sli) => sums.get(rowKey(service, sli, environment)));
  const now = figures(answers.current);
  const before = figures(answers.previous);
  const availability = now.ratio === undefined ? null : 1 - now.ratio;
  const previous = before.ratio === undefined ? null : 1 - before.ratio;
  const budgetSpent = now.ratio === undefined ? null : now.ratio / journey.errorBudget;
  const measuredFrom = journeyLeaves(model.journeys, journey).flatMap(({ service, sli }) => {
    const key = rowKey(service, sli, environment);
    const first = answers.steps.get(key)?.[0]?.[0];
    const from = answers.firstSample.get(key);
    return first !== undefined && from !== undefined && from > periodStart ? [{ name: `${service}/${sli}`, from }] : [];
  });
  return {
    journey: journey.name,
    environment,
    team: journey.team.name,
    description: journey.description,
    weighting: journey.weighting,
    objective: journey.objective,
    availability,
    budgetSpent,
    budgetLeft: budgetSpent === null ? null : 1 - budgetSpent,
    verdict: verdictOf(availability, journey.objective),
    previous: { availability: previous, verdict: verdictOf(previous, journey.objective) },
    trend: availability === null || previous === null ? null : availability - previous,
    components: now.parts.map((p) => ({ name: componentName(p.component), weight: p.component.weight, availability: p.ratio === undefined ? null : 1 - p.ratio, share: p.share ?? null })),
    measuredFrom,
  };
}

export function buildReport(
  model: Model,
  periods: ReportPeriods,
  slos: readonly Slo[],
  answers: Answers,
  meta: { url: string; version: string | undefined; closedRanges: boolean; queries: number; chartStep: number; filters: Report['filters'] },
  journeys: readonly { readonly journey: Journey; readonly environment: string | null }[] = [],
): Report {
  const { current, previous } = periods;
  const firing = firingByRow(model, answers.firing);
  const rows = slos.map(({ service, sli, environment }): SloReport => {
    const key = rowKey(service.name, sli.name, environment);
    const now = measure(answers.current.get(key), sli.errorBudget);
    const before = measure(answers.previous.get(key), sli.errorBudget);
    const steps = answers.steps.get(key) ?? [];
    const step = meta.chartStep;
    const stepCount = Math.round((current.end - current.start) / step);
    const firstStep = steps.length ? steps[0]![0] - step : null;
    const measuredFrom = firstStep !== null && firstStep > current.start ? (answers.firstSample.get(key) ?? firstStep) : null;
    const expected = firstStep === null ? stepCount : Math.round((current.end - firstStep) / step);
    const allowed = answers.current.get(key) ? answers.current.get(key)!.total * sli.errorBudget : 0;
    let spent = 0;
    const burn = steps.map(([t, , bad]) => {
      spent += bad;
      return [t, allowed > 0 ? spent / allowed : 0] as const;
    });
    const incidents = stretchesOf(firing.get(key) ?? [], firingGap(sli)).flatMap((s): Incident[] => {
      const inside = insidePeriod(s, current);
      if (!inside) return [];
      const bad = answers.incidentBad.get(incidentId(key, s.start));
      return [
        {
          start: s.start,
          end: s.end,
          beganBefore: s.start <= current.start,
          endedAfter: s.end > current.end,
          seconds: Math.round(inside.to - inside.from),
          alerts: s.alerts,
          paged: s.alerts.some((a) => a.severity === 'critical'),
          budgetShare: bad === undefined || !(allowed > 0) ? null : bad / allowed,
        },
      ];
    });
    return {
      service: service.name,
      sli: sli.name,
      environment,
      team: sli.team.name,
      tier: service.tier,
      kind: sli.kind,
      description: sli.description,
      objective: sli.objective,
      availability: now.availability,
      budgetSpent: now.budgetSpent,
      budgetLeft: now.budgetSpent === null ? null : 1 - now.budgetSpent,
      verdict: verdictOf(now.availability, sli.objective),
      reportObjectives: sli.reportObjectives.map((o) => ({ name: o.name, objective: o.objective, budgetSpent: measure(answers.current.get(key), o.errorBudget).budgetSpent, verdict: verdictOf(now.availability, o.objective) })),
      measuredFrom,
      coverage: expected > 0 ? steps.length / expected : 0,
      previous: { ...before, verdict: verdictOf(before.availability, sli.objective) },
      trend: now.availability === null || before.availability === null ? null : now.availability - before.availability,
      incidents,
      burn,
    };
  });
  const groups = <K>(keyOf: (r: SloReport) => K) => {
    const m = new Map<K, SloReport[]>();
    for (const r of rows) m.set(keyOf(r), [...(m.get(keyOf(r)) ?? []), r]);
    return m;
  };
  return {
    period: current,
    previous,
    timezone: periods.timezone,
    prometheus: { url: meta.url, version: meta.version ?? null, closedRanges: meta.closedRanges, queries: meta.queries },
    filters: meta.filters,
    chartStep: meta.chartStep,
    slos: rows,
    journeys: journeys.map((j) => journeyReport(model, j.journey, j.environment, answers, current.start)),
    teams: [...groups((r) => r.team)].sort(([a], [b]) => a.localeCompare(b)).map(([team, rs]) => rollup(team, rs)),
    tiers: [...groups((r) => r.tier)].sort(([a], [b]) => a - b).map(([tier, rs]) => rollup(`tier ${tier}`, rs)),
  };
}
