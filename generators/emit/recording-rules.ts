/**
 * Recording rules for one SLI, following DESIGN.md's SLO math: ratios of sums, numerator and
 * denominator recorded apart for every window, raw series read only by the raw window.
 */
import { formatNumber } from '../model/decimal.js';
import type { Duration } from '../model/duration.js';
import type { Model, Service, Sli } from '../model/types.js';
import { CURRENT_WINDOW, REPORT_OBJECTIVE_LABEL, series, VERSION_LABEL } from '../naming.js';
import { byClause, quote, selectorText } from '../promql/escape.js';
import { eventRates } from '../promql/sli-events.js';
import { boundedBad, boundedTotal, sliAggregation } from './sli-grouping.js';
import { readSeries } from './window-plan.js';
import type { RecordingRule } from './rule-types.js';
import { serviceMatchers, sliIdentity, sliMatchers } from './sli-selector.js';
import { derivedRangeOf, planWindows, type PlannedWindow } from './window-plan.js';

function derivedRate(name: (w: PlannedWindow['window']) => string, sel: string, sli: Sli, p: PlannedWindow): string {
  const { source, range } = derivedRangeOf(sli, p);
  return `avg_over_time(${name(source)}${sel}[${range}])`;
}

/** Names the raw-window rates are recorded under. */
export interface RawRateNames {
  readonly totalRate: (w: Duration) => string;
  readonly badRate: (w: Duration) => string;
}

/** Total and bad rates over the raw window, the only rules that read raw series. */
export function rawWindowRules(model: Model, service: Service, sli: Sli, names: RawRateNames): RecordingRule[] {
  const w = sli.evaluation.rawWindow;
  const sel = sliMatchers(service, sli);
  const by = sliAggregation(model.settings, sli);
  // Total before bad: the bad rule reads the total just recorded at the same timestamp.
  const recordedTotal = `sum${byClause(by)} (${names.totalRate(w)}${sel})`;
  const rates = eventRates(sli, w.text, by, [], recordedTotal);
  const labels = sliIdentity(service, sli);
  return [
    { record: names.totalRate(w), expr: boundedTotal(model.settings, sli, rates.total), labels },
    { record: names.badRate(w), expr: boundedBad(model.settings, sli, rates.bad, `${names.totalRate(w)}${sel}`), labels },
  ];
}

/** Rates and ratio for each window, in dependency order, grouped by family. */
export function sliRecordingRules(model: Model, service: Service, sli: Sli): { fast: RecordingRule[]; slow: RecordingRule[] } {
  const fast: RecordingRule[] = [];
  const slow: RecordingRule[] = [];
  const sel = sliMatchers(service, sli);
  // Every rule carries the SLI's identity labels: raw rules need them (the sum drops them),
  // and on derived rules they keep promtool's duplicate-rule lint meaningful.
  const labels = sliIdentity(service, sli);
  for (const p of planWindows(sli)) {
    const out = p.family === 'slow' ? slow : fast;
    const w = p.window;
    if (p.family === 'raw') {
      out.push(...rawWindowRules(model, service, sli, series));
    } else {
      out.push({ record: series.totalRate(w), expr: derivedRate(series.totalRate, sel, sli, p), labels });
      out.push({ record: series.badRate(w), expr: derivedRate(series.badRate, sel, sli, p), labels });
    }
    out.push({ record: series.errorRatio(w), expr: `${series.badRate(w)}${sel}\n/\n${series.totalRate(w)}${sel}`, labels });
  }
  return { fast, slow };
}

/** The windows a burn rate is recorded for: every alert window and the current one, shortest first. */
export function burnRateWindows(sli: Sli): PlannedWindow['window'][] {
  const windows = new Map<number, PlannedWindow['window']>();
  for (const a of sli.alerts) for (const w of [a.long, a.short]) windows.set(w.seconds, w);
  windows.set(CURRENT_WINDOW.seconds, CURRENT_WINDOW);
  return [...windows.values()].sort((a, b) => a.seconds - b.seconds);
}

/** Objective, budget, burn rates per alert window and budget remaining over the period. */
export function sloRecordingRules(service: Service, sli: Sli): RecordingRule[] {
  const sel = sliMatchers(service, sli);
  const labels = sliIdentity(service, sli);
  const budget = formatNumber(sli.errorBudget);
  const rules: RecordingRule[] = [
    { record: series.objective, expr: `vector(${formatNumber(sli.objective)})`, labels },
    { record: series.errorBudget, expr: `vector(${budget})`, labels },
  ];
  // This group runs at the fast pace: slow windows are read with slack for a late write.
  const read = (w: Duration) => readSeries(sli, series.errorRatio(w), sel, w, 'slo');
  for (const w of burnRateWindows(sli)) {
    rules.push({ record: series.burnRate(w), expr: `${read(w)} / ${budget}`, labels });
  }
  rules.push({ record: series.budgetRemaining, expr: `1 - ${read(sli.period)} / ${budget}`, labels });
  // Objectives that are reported, never alerted on: each its objective and the budget left against it.
  for (const o of sli.reportObjectives) {
    const own = { ...labels, [REPORT_OBJECTIVE_LABEL]: o.name };
    rules.push({ record: series.reportObjective, expr: `vector(${formatNumber(o.objective)})`, labels: own });
    rules.push({ record: series.reportBudgetRemaining, expr: `1 - ${read(sli.period)} / ${formatNumber(o.errorBudget)}`, labels: own });
  }
  return rules;
}

/** Traffic-weighted roll-up of a service's SLIs: sums of their bad and total rates. */
export function serviceRollupRules(model: Model, service: Service, windows: readonly PlannedWindow['window'][]): RecordingRule[] {
  const by = ['service', ...model.settings.aggregationLabels].join(', ');
  const sel = serviceMatchers(service);
  const labels = { service: service.name };
  return windows.flatMap((w) => [
    { record: series.serviceBadRate(w), expr: `sum by (${by}) (${series.badRate(w)}${sel})`, labels },
    { record: series.serviceTotalRate(w), expr: `sum by (${by}) (${series.totalRate(w)}${sel})`, labels },
    { record: series.serviceErrorRatio(w), expr: `${series.serviceBadRate(w)}${sel}\n/\n${series.serviceTotalRate(w)}${sel}`, labels },
  ]);
}

/**
 * Instances per running version, from the service's version metric, under one label name
 * (VERSION_LABEL) whatever the metric calls it: one upgrade dashboard, templated by service,
 * reads every service's versions from this series. Undefined when no version metric is known.
 * It reads raw series: split rulers record it locally under `name` and sum it globally.
 */
export function versionRule(model: Model, service: Service, name: string = series.versionInstances): RecordingRule | undefined {
  const v = service.versionMetric;
  if (!v) return undefined;
  const raw = selectorText(v.selector);
  const read = v.label === VERSION_LABEL ? raw : `label_replace(${raw}, ${quote(VERSION_LABEL)}, "$1", ${quote(v.label)}, "(.*)")`;
  return { record: name, expr: `count${byClause([...model.settings.aggregationLabels, VERSION_LABEL])} (${read})`, labels: { service: service.name } };
}
