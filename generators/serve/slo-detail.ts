/**
 * One SLI in depth: its row of the list, the history behind its charts (range queries over
 * recorded series only), its dependencies' state and the service's other alerts.
 */
import { formatNumber, formatPercent } from '../model/decimal.js';
import type { Duration } from '../model/duration.js';
import type { Model, Service, Sli } from '../model/types.js';
import { REPORT_OBJECTIVE_LABEL, series } from '../naming.js';
import { PrometheusUnavailable, type RangeSeries } from '../prometheus-api.js';
import { sliMatcherList } from '../emit/sli-selector.js';
import { matchersText } from '../promql/escape.js';
import { badMeans } from '../emit/alert-rules.js';
import type { QueryCache } from './query-cache.js';
import { environmentMatchers, SLO_STATES, type ServiceAlert, type SloRow, type SloState, type Snapshot } from './slo-status.js';

/** Chart ranges a detail page offers; the budget chart always spans the SLO's period. */
export const CHART_RANGES = ['6h', '1d', '7d'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];
const RANGE_SECONDS: Record<ChartRange, number> = { '6h': 6 * 3600, '1d': 86400, '7d': 7 * 86400 };

/** Points per chart: enough for a smooth line, few enough for Prometheus and the browser. */
const POINTS = 240;

export interface TimeSeriesChart {
  /** Unix seconds, one per point. */
  readonly timestamps: readonly number[];
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
  /** Horizontal lines: alert thresholds, the objective. */
  readonly thresholds: readonly { readonly name: string; readonly value: number; readonly series?: string }[];
}

export interface DependencyState {
  readonly service: string;
  readonly known: boolean;
  readonly state: SloState;
  /** Least budget left among its SLIs. */
  readonly budgetRemaining: number | null;
  /** Its worst SLI's page. */
  readonly link: string | undefined;
}

export interface SloDetail {
  readonly slo: SloRow;
  readonly objectiveText: string;
  /** What a bad event is, in words. */
  readonly badEvents: string;
  readonly range: ChartRange;
  readonly dependencies: readonly DependencyState[];
  readonly serviceAlerts: readonly ServiceAlert[];
  /** Undefined when Prometheus could not answer. */
  readonly charts:
    | {
        readonly budget: TimeSeriesChart;
        readonly burnRates: TimeSeriesChart;
        readonly events: TimeSeriesChart;
        /** Share of bad events against the share the objective allows: latency against its threshold, for latency SLIs. */
        readonly errorRatio: TimeSeriesChart;
      }
    | undefined;
}

function stepFor(seconds: number): number {
  return Math.max(60, Math.ceil(seconds / POINTS / 60) * 60);
}

/** Range ending at the last whole minute, so pages opened moments apart ask the same query. */
function rangeOf(nowMs: number, seconds: number): { start: number; end: number; step: number } {
  const step = stepFor(seconds);
  const end = Math.floor(nowMs / 60_000) * 60;
  return { start: end - seconds, end, step };
}

function aligned(range: { start: number; end: number; step: number }, result: readonly RangeSeries[]): { timestamps: number[]; values: (number | null)[] } {
  const timestamps: number[] = [];
  for (let t = range.start; t <= range.end; t += range.step) timestamps.push(t);
  const byTime = new Map((result[0]?.values ?? []).map(([t, v]) => [t, v]));
  return { timestamps, values: timestamps.map((t) => (Number.isFinite(byTime.get(t)) ? byTime.get(t)! : null)) };
}

async function charts(model: Model, cache: QueryCache, service: Service, sli: Sli, range: ChartRange, environment: string | undefined): Promise<SloDetail['charts']> {
  const sel = matchersText([...sliMatcherList(service, sli), ...environmentMatchers(model, environment)]);
  const now = cache.now();
  const period = rangeOf(now, sli.period.seconds);
  const recent = rangeOf(now, RANGE_SECONDS[range]);
  const pairs = [...new Map(sli.alerts.map((a) => [a.long.seconds, a])).values()].sort((a, b) => a.long.seconds - b.long.seconds);
  const raw: Duration = sli.evaluation.rawWindow;
  const ask = async (expr: string, r: typeof period) => aligned(r, await cache.range(expr, r));
  // The budget against each report objective too (an SLA beside the objective that pages).
  const reportSel = (name: string) => matchersText([...sliMatcherList(service, sli), { label: REPORT_OBJECTIVE_LABEL, op: '=', value: name }, ...environmentMatchers(model, environment)]);
  const [[budget, total, bad, ratio, ...burns], reports] = await Promise.all([
    Promise.all([
      ask(`min(${series.budgetRemaining}${sel})`, period),
      ask(`sum(${series.totalRate(raw)}${sel})`, recent),
      ask(`sum(${series.badRate(raw)}${sel})`, recent),
      ask(`max(${series.errorRatio(raw)}${sel})`, recent),
      ...pairs.map((a) => ask(`max(${series.burnRate(a.long)}${sel})`, recent)),
    ]),
    Promise.all(sli.reportObjectives.map((o) => ask(`min(${series.reportBudgetRemaining}${reportSel(o.name)})`, period))),
  ]);
  return {
    budget: {
      timestamps: budget.timestamps,
      series: [{ name: 'budget remaining', values: budget.values }, ...sli.reportObjectives.map((o, i) => ({ name: `budget remaining against ${o.name} (${formatPercent(o.objective)})`, values: reports[i]!.values }))],
      thresholds: [{ name: 'exhausted', value: 0 }],
    },
    burnRates: {
      timestamps: total.timestamps,
      series: pairs.map((a, i) => ({ name: `burn rate ${a.long.text}`, values: burns[i]!.values })),
      thresholds: pairs.map((a) => ({ name: `${a.long.text}/${a.short.text} alert at ${formatNumber(a.factor)}×`, value: a.factor, series: `burn rate ${a.long.text}` })),
    },
    events: {
      timestamps: total.timestamps,
      series: [
        { name: `events/s (${raw.text} rate)`, values: total.values },
        { name: `${badMeans(sli)}/s`, values: bad.values },
      ],
      thresholds: [],
    },
    errorRatio: {
      timestamps: ratio.timestamps,
      series: [{ name: `share ${badMeans(sli)} (${raw.text})`, values: ratio.values }],
      thresholds: [{ name: `the ${formatPercent(sli.errorBudget)} the objective allows`, value: sli.errorBudget, series: `share ${badMeans(sli)} (${raw.text})` }],
    },
  };
}

function dependencyStates(model: Model, service: Service, snapshot: Snapshot): DependencyState[] {
  return service.dependencies.map((name) => {
    // Rows come in list order (burning first, then least budget), so the first is the one to open.
    const rows = snapshot.rows.filter((r) => r.service === name);
    const budgets = rows.map((r) => r.budgetRemaining).filter((b): b is number => b !== null);
    return {
      service: name,
      known: model.services.some((s) => s.name === name),
      state: rows.map((r) => r.state).sort((a, b) => SLO_STATES.indexOf(a) - SLO_STATES.indexOf(b))[0] ?? 'no-data',
      budgetRemaining: budgets.length ? Math.min(...budgets) : null,
      link: rows[0]?.links.detail,
    };
  });
}

export function parseRange(text: unknown): ChartRange {
  return (CHART_RANGES as readonly unknown[]).includes(text) ? (text as ChartRange) : '1d';
}

export async function readDetail(model: Model, cache: QueryCache, snapshot: Snapshot, service: Service, sli: Sli, range: ChartRange): Promise<SloDetail> {
  const slo = snapshot.rows.find((r) => r.service === service.name && r.sli === sli.name)!;
  let chartData: SloDetail['charts'];
  if (!snapshot.error) {
    try {
      chartData = await charts(model, cache, service, sli, range, snapshot.environment);
    } catch (e) {
      if (!(e instanceof PrometheusUnavailable)) throw e;
    }
  }
  return {
    slo,
    objectiveText: `${formatPercent(sli.objective)} over ${sli.period.text} (error budget ${formatPercent(sli.errorBudget)} of events)`,
    badEvents: badMeans(sli),
    range,
    dependencies: dependencyStates(model, service, snapshot),
    serviceAlerts: snapshot.serviceAlerts.get(service.name) ?? [],
    charts: chartData,
  };
}
