/**
 * The journeys' rows of the SLO list: their recorded budget, error ratios and firing alerts,
 * in a handful of queries whatever the number of journeys (one per distinct period).
 */
import type { Duration } from '../model/duration.js';
import { componentName } from '../model/journeys.js';
import type { Journey, Model } from '../model/types.js';
import { CURRENT_WINDOW, JOURNEY_LABEL, journeyPaths, journeySeries } from '../naming.js';
import { matchersText, regexEscape } from '../promql/escape.js';
import { PrometheusUnavailable, type VectorSample } from '../prometheus-api.js';
import type { QueryCache } from './query-cache.js';
import { AT_RISK_BUDGET, environmentMatchers, runbookPath, type SloState } from './slo-status.js';
import { journeyDashboardUrl } from '../emit/journeys/alerts.js';

export interface JourneyRow {
  readonly journey: string;
  readonly description: string;
  readonly team: string;
  readonly weighting: string;
  readonly objective: number;
  readonly period: string;
  readonly state: SloState;
  readonly availability: number | null;
  readonly budgetRemaining: number | null;
  /** Error ratio over the last hour. */
  readonly errorRatio: number | null;
  readonly firing: readonly string[];
  readonly components: readonly string[];
  readonly links: { readonly runbook: string; readonly dashboard: string };
}

/** Worst of the environments (or the chosen one's), by journey. */
function byJourney(samples: readonly VectorSample[]): Map<string, number> {
  return new Map(samples.flatMap((s) => (s.metric[JOURNEY_LABEL] !== undefined && Number.isFinite(s.value) ? [[s.metric[JOURNEY_LABEL]!, s.value] as const] : [])));
}

export function journeyQueries(model: Model, environment?: string) {
  const env = environmentMatchers(model, environment);
  const sel = env.length ? matchersText(env) : '';
  const periods = [...new Map(model.journeys.map((j) => [j.period.seconds, j.period])).values()];
  return {
    budget: `min by (${JOURNEY_LABEL}) (${journeySeries.budgetRemaining}${sel})`,
    current: `max by (${JOURNEY_LABEL}) (${journeySeries.errorRatio(CURRENT_WINDOW)}${sel})`,
    periods: new Map(periods.map((p: Duration) => [p.text, `max by (${JOURNEY_LABEL}) (${journeySeries.errorRatio(p)}${sel})`])),
    alerts: `ALERTS${matchersText([{ label: 'alertname', op: '=~', value: `${regexEscape(model.settings.alertPrefix)}.+` }, { label: JOURNEY_LABEL, op: '!=', value: '' }, { label: 'alertstate', op: '=', value: 'firing' }, ...env])}`,
  };
}

function stateOf(readings: boolean, budget: number | null, firing: number): SloState {
  if (!readings) return 'unknown';
  if (firing) return 'burning';
  if (budget === null) return 'no-data';
  return budget <= 0 ? 'exhausted' : budget < AT_RISK_BUDGET ? 'at-risk' : 'healthy';
}

function rowOf(model: Model, j: Journey, read: { budget: Map<string, number>; current: Map<string, number>; periods: Map<string, Map<string, number>>; firing: Map<string, string[]> } | undefined): JourneyRow {
  const budget = read?.budget.get(j.name) ?? null;
  const ratio = read?.periods.get(j.period.text)?.get(j.name);
  const firing = read?.firing.get(j.name) ?? [];
  return {
    journey: j.name,
    description: j.description,
    team: j.team.name,
    weighting: j.weighting,
    objective: j.objective,
    period: j.period.text,
    state: stateOf(read !== undefined, budget, firing.length),
    availability: ratio === undefined ? null : 1 - ratio,
    budgetRemaining: budget,
    errorRatio: read?.current.get(j.name) ?? null,
    firing,
    components: j.components.map((c) => `${componentName(c)}${c.weight === 1 ? '' : ` ×${c.weight}`}`),
    links: {
      runbook: runbookPath(journeyPaths.name, journeyPaths.anchor(j)),
      dashboard: journeyDashboardUrl(model, j, 0, () => '$__all'),
    },
  };
}

/** The journeys' rows, burning first, then least budget left; all "unknown" when Prometheus does not answer. */
export async function readJourneyRows(model: Model, cache: QueryCache, environment?: string): Promise<JourneyRow[]> {
  if (!model.journeys.length) return [];
  const q = journeyQueries(model, environment);
  let read: Parameters<typeof rowOf>[2];
  try {
    const [budget, current, periods, alerts] = await Promise.all([
      cache.instant(q.budget).then(byJourney),
      cache.instant(q.current).then(byJourney),
      Promise.all([...q.periods].map(async ([p, expr]) => [p, byJourney(await cache.instant(expr))] as const)).then((e) => new Map(e)),
      cache.instant(q.alerts),
    ]);
    const firing = new Map<string, string[]>();
    for (const s of alerts) {
      const j = s.metric[JOURNEY_LABEL]!;
      const name = s.metric.alertname ?? '';
      if (!firing.get(j)?.includes(name)) firing.set(j, [...(firing.get(j) ?? []), name].sort());
    }
    read = { budget, current, periods, firing };
  } catch (e) {
    if (!(e instanceof PrometheusUnavailable)) throw e;
    read = undefined;
  }
  const rank = (r: JourneyRow) => (r.state === 'burning' ? 0 : 1);
  return model.journeys
    .map((j) => rowOf(model, j, read))
    .sort((a, b) => rank(a) - rank(b) || (a.budgetRemaining ?? Infinity) - (b.budgetRemaining ?? Infinity) || a.journey.localeCompare(b.journey));
}
