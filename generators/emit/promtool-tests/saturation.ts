/**
 * promtool tests of the saturation rules, in a file of their own: a forecast needs a day of
 * history, so these run at a coarser evaluation step than the SLO tests. Per resource:
 * - levels: two instances, the worst one climbing from below soft, to between soft and hard
 *   (the ticket fires after its sustained time, the page does not), above hard (the page fires
 *   with exact labels and annotations), then over capacity (the recorded value is clamped to 1);
 *   no forecast without a day of history;
 * - forecast: a steady climb that stays below the hard threshold fires the forecast ticket once a
 *   day of history exists, and not before.
 */
import { formatNumber, writtenNumber } from '../../model/decimal.js';
import { formatSeconds } from '../../model/duration.js';
import type { Model, SaturationResource, Selector, Service } from '../../model/types.js';
import { outputPaths } from '../../naming.js';
import { seriesText } from '../../promql/escape.js';
import { FORECAST_MIN_HISTORY_SECONDS, saturationIdentity, saturationSelector, type SaturationAlertDef } from '../saturation-rules.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { encodeValues, SynthesisError, type InputSeries } from './input-series.js';
import { labelsFor, matches } from '../../promql/label-values.js';
import { baseLabels } from './base-labels.js';
import type { AlertCheck, ExpectedAlert, TestGroup } from './scenarios.js';

/** Seconds per evaluation; input samples are one minute apart. */
const STEP = 600;
const SAMPLE = 60;
/** Capacity fed for gauge capacities (a round number keeps usage values exact). */
const GAUGE_CAPACITY = 1000;

const minutes = (seconds: number) => Math.round(seconds / SAMPLE);
/** The first evaluation at or after `seconds`. */
const evalAt = (seconds: number) => Math.ceil(seconds / STEP) * STEP;

interface Instance {
  readonly labels: Record<string, string>;
  /** Utilisation at each minute. */
  readonly utilisation: (minute: number) => number;
}


function selectors(r: SaturationResource): Selector[] {
  return r.capacity.type === 'number' ? [r.usage] : [r.usage, r.capacity.selector];
}

/** Label values of two instances (one when the selectors pin every `by` label), meeting both selectors. */
function instanceLabels(model: Model, service: Service, r: SaturationResource): Record<string, string>[] {
  const all = selectors(r).flatMap((s) => s.matchers);
  const base = labelsFor(all, { ...baseLabels(model.settings), ...Object.fromEntries(r.by.map((l) => [l, 'a'])) });
  if (!base) throw new SynthesisError(`${service.name}: cannot find label values that select both the usage and the capacity of saturation resource ${r.name}; simplify their matchers`);
  for (const label of r.by) {
    const on = all.filter((m) => m.label === label);
    const other = [`${base[label] ?? ''}b`, `${base[label] ?? ''}-b`, 'b'].find((v) => v !== base[label] && on.every((m) => matches(m, v)));
    if (other !== undefined) return [base, { ...base, [label]: other }];
  }
  return [base];
}

function sameSelector(a: Selector, b: Selector): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Capacity of one instance in usage units, as the rule computes it from what is fed. */
function capacityPerInstance(r: SaturationResource): number {
  const c = r.capacity;
  if (c.type === 'number') return Number(formatNumber(c.value * r.capacityScale));
  // gauge: GAUGE_CAPACITY; counter: one per second; count: one series.
  return (c.type === 'gauge' ? GAUGE_CAPACITY : 1) * r.capacityScale;
}

function counterValues(perSecond: (minute: number) => number, length: number): number[] {
  const out = [0];
  for (let m = 1; m < length; m++) out.push(out[m - 1]! + perSecond(m) * SAMPLE);
  return out;
}

/** The raw series that make each instance's utilisation what it says, for `length` minutes. */
function feed(r: SaturationResource, instances: readonly Instance[], length: number): InputSeries[] {
  const K = capacityPerInstance(r);
  const used = (u: number) => (r.measures === 'free' ? (1 - u) * K : u * K);
  const out: InputSeries[] = [];
  const c = r.capacity;
  const shared = c.type === 'count' && sameSelector(c.selector, r.usage);
  for (const inst of instances) {
    const labels = (s: Selector) => ({ ...inst.labels, ...Object.fromEntries(s.matchers.filter((m) => m.op === '=').map((m) => [m.label, m.value])) });
    const usage =
      r.usageType === 'counter'
        ? counterValues((m) => used(inst.utilisation(m)), length)
        : Array.from({ length }, (_, m) => writtenNumber(used(inst.utilisation(m))));
    out.push({ series: seriesText(r.usage.metric, labels(r.usage)), values: encodeValues(usage) });
    if (c.type === 'number' || shared) continue;
    const cap = c.type === 'counter' ? counterValues(() => 1, length) : Array.from({ length }, () => (c.type === 'gauge' ? GAUGE_CAPACITY : 1));
    out.push({ series: seriesText(c.selector.metric, labels(c.selector)), values: encodeValues(cap) });
  }
  return out;
}

function firing(def: SaturationAlertDef, labels: Record<string, string>, value?: number): ExpectedAlert {
  const e = def.expected(labels, value);
  return { exp_labels: e.labels, exp_annotations: e.annotations };
}

function check(def: SaturationAlertDef, seconds: number, alerts: ExpectedAlert[]): AlertCheck {
  return { eval_time: formatSeconds(seconds), alertname: def.rule.alert, exp_alerts: alerts };
}

const round4 = (v: number) => Math.round(v * 10_000);

interface Scenario {
  readonly model: Model;
  readonly service: Service;
  readonly r: SaturationResource;
  readonly defs: Record<SaturationAlertDef['level'], SaturationAlertDef>;
  /** Labels of the recorded series. */
  readonly recorded: Record<string, string>;
}

function levelsGroup(s: Scenario): TestGroup {
  const { r, defs, recorded } = s;
  const lag = r.usageType === 'counter' || r.capacity.type === 'counter' ? r.rateWindow.seconds : 0;
  const low = r.soft / 2;
  const mid = (r.soft + r.hard) / 2;
  const high = (r.hard + 1) / 2;
  // Over capacity is impossible for free counters (idle time cannot go negative): 100% then.
  const over = r.measures === 'free' && r.usageType === 'counter' ? 1 : 1.25;
  const tMid = 3600;
  const tHigh = evalAt(tMid + r.warnAfter.seconds + lag + 2 * STEP);
  const tOver = evalAt(tHigh + r.pageAfter.seconds + lag + 2 * STEP);
  const end = tOver + 3 * STEP;
  const worst = (m: number) => (m * SAMPLE < tMid ? low : m * SAMPLE < tHigh ? mid : m * SAMPLE < tOver ? high : over);
  const instances = instanceLabels(s.model, s.service, r);
  const fed = feed(r, instances.map((labels, i) => ({ labels, utilisation: i === instances.length - 1 ? worst : () => low / 2 })), minutes(end) + 1);
  const quiet = (t: number) => [check(defs.high, t, []), check(defs.critical, t, []), check(defs.forecast, t, [])];
  const alerts: AlertCheck[] = [
    ...quiet(tMid - STEP),
    ...(r.warnAfter.seconds > STEP + lag ? [check(defs.high, tMid + STEP, [])] : []),
    check(defs.high, tHigh - STEP, [firing(defs.high, recorded, mid)]),
    check(defs.critical, tHigh - STEP, []),
    check(defs.critical, tOver - STEP, [firing(defs.critical, recorded, high)]),
    check(defs.high, tOver - STEP, [firing(defs.high, recorded, high)]),
    check(defs.critical, end, [firing(defs.critical, recorded, Math.min(over, 1))]),
    check(defs.forecast, end, []),
  ];
  const value = (t: number, u: number) => ({
    expr: `round(${saturationSelector(s.service, r)} * 10000)`,
    eval_time: formatSeconds(t),
    exp_samples: [{ labels: seriesText('', recorded), value: round4(u) }],
  });
  return {
    name: `${s.service.name} saturation ${r.name}: worst instance, soft ticket after ${r.warnAfter.text}, hard page after ${r.pageAfter.text}, clamped to 1`,
    interval: `${SAMPLE / 60}m`,
    input_series: fed,
    alert_rule_test: alerts,
    promql_expr_test: [value(tMid - STEP, low), value(tHigh - STEP, mid), value(end, Math.min(over, 1))],
  };
}

function forecastGroup(s: Scenario): TestGroup {
  const { r, defs, recorded } = s;
  const history = Math.min(FORECAST_MIN_HISTORY_SECONDS, r.forecastLookback.seconds / 2);
  const length = evalAt(history + 6 * 3600);
  // A straight climb from 0: the forecast at time t is u(t) × (t + horizon) / t. It ends below
  // soft when that still crosses hard with room to spare, and below hard in any case.
  const growth = 1 + r.forecast.seconds / length;
  const belowSoft = 0.95 * r.soft;
  const target = belowSoft * growth >= 1.5 * r.hard ? belowSoft : Math.min((1.5 * r.hard) / growth, 0.95 * r.hard);
  const climb = (m: number) => (target * m * SAMPLE) / length;
  const instances = instanceLabels(s.model, s.service, r);
  const fed = feed(r, instances.map((labels, i) => ({ labels, utilisation: i === instances.length - 1 ? climb : () => 0 })), minutes(length) + 1);
  const alerts: AlertCheck[] = [check(defs.forecast, evalAt(history) - STEP, []), check(defs.forecast, length, [firing(defs.forecast, recorded)]), check(defs.critical, length, [])];
  if (target < r.soft) alerts.push(check(defs.high, length, []));
  return {
    name: `${s.service.name} saturation ${r.name}: a steady climb forecast to cross ${formatNumber(r.hard)} within ${r.forecast.text} warns once ${formatSeconds(history)} of history exists`,
    interval: `${SAMPLE / 60}m`,
    input_series: fed,
    alert_rule_test: alerts,
  };
}

export function saturationTestGroups(model: Model, service: Service, alerts: readonly SaturationAlertDef[]): TestGroup[] {
  return service.saturation.flatMap((r) => {
    const mine = alerts.filter((a) => a.resource.name === r.name);
    const defs = Object.fromEntries(mine.map((d) => [d.level, d])) as Scenario['defs'];
    // The aggregation labels as the fed series carry them: a selector may pin one (cluster="gke-1")
    // or leave it off (region=""), and the recorded series keeps what the series had.
    const fed = instanceLabels(model, service, r)[0]!;
    const where = Object.fromEntries(model.settings.aggregationLabels.filter((l) => fed[l]).map((l) => [l, fed[l]!]));
    const recorded = { ...where, ...saturationIdentity(service, r) };
    const scenario = { model, service, r, defs, recorded };
    return [levelsGroup(scenario), forecastGroup(scenario)];
  });
}

/**
 * `ruleGroups` in file order: at this step a group that read another's series before it ran
 * would see nothing (the last sample is older than the 5m lookback), so the order is fixed.
 */
export function saturationTestFileText(service: Service, ruleGroups: readonly string[], groups: readonly TestGroup[]): string {
  return toYaml(
    { rule_files: [outputPaths.rulesFromTests(service)], evaluation_interval: formatSeconds(STEP), group_eval_order: ruleGroups, tests: groups },
    `${GENERATED_HEADER}\nRun: promtool test rules ${outputPaths.saturationTests(service).replace(/^prometheus\//, '')}`,
  );
}
