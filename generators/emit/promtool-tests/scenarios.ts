/**
 * The scenarios every SLI is tested with, as promtool test groups:
 * a full outage (fastest page fires within its computed detection time, carries exact labels
 * and annotations, and stops within the short window after recovery; nothing fires during
 * warm-up), traffic exactly at the objective (nothing fires), a sustained burn between the
 * ticket and page factors (tickets fire, pages do not), low traffic (never pages), traffic
 * cessation (fires, then lets go of a series that is gone for good), and recording rules
 * (derived long windows within 1% of the exact ratio of sums on daily-cycle traffic).
 */
import { clean, formatNumber } from '../../model/decimal.js';
import { formatSeconds, type Duration } from '../../model/duration.js';
import type { Model, Service, Sli } from '../../model/types.js';
import { REPORT_OBJECTIVE_LABEL, series } from '../../naming.js';
import { quote, seriesText } from '../../promql/escape.js';
import { eventRates } from '../../promql/sli-events.js';
import { alertDefs, LOW_TRAFFIC_MIN_BAD_EVENTS, type AlertDef } from '../alert-rules.js';
import { burnRateWindows } from '../recording-rules.js';
import { sliMatchers, sliIdentity } from '../sli-selector.js';
import { sliAggregation } from '../sli-grouping.js';
import { familyOf, planWindows } from '../window-plan.js';
import { baseLabels } from './base-labels.js';
import { badOnlySeries, synthesize, toInputSeries, type FedSeries, type InputSeries, type Traffic } from './input-series.js';
import { siblingTotal } from './siblings.js';
import { inLanes, type Lane } from './lanes.js';
import { constant, dailyCycle, phases, sparseFailures, totalFor, vanishing } from './traffic.js';

export interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

export interface AlertCheck {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly ExpectedAlert[];
}

export interface ExprCheck {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}

export interface TestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test?: readonly AlertCheck[];
  readonly promql_expr_test?: readonly ExprCheck[];
}


/** Detection is asserted with this much head-room over the bare threshold. */
const MARGIN = 1.1;

export interface Ctx {
  readonly model: Model;
  readonly service: Service;
  readonly sli: Sli;
  readonly defs: readonly AlertDef[];
  /** Alerts of every SLI of the service, for siblings that read the same series. */
  readonly serviceDefs: readonly { readonly sliName: string; readonly def: AlertDef }[];
  /** Seconds per step: the test's input interval and evaluation interval. */
  readonly step: number;
}

export const steps = (ctx: Ctx, seconds: number) => Math.ceil(seconds / ctx.step);
export const at = (ctx: Ctx, s: number) => formatSeconds(s * ctx.step);

/** The label whose value sets lanes apart (see lanes.ts): the cluster's, else the environment's. */
const laneLabelOf = (ctx: Ctx) => ctx.model.settings.clusterLabel ?? ctx.model.settings.environmentLabel;

/** Value of each group label of a grouped SLI where its selectors leave it free: one group. */
const GROUP_VALUE = 'a';

/** `lane` takes the place of the lane label's value. */
function laneLabels(ctx: Ctx, lane?: string): Record<string, string> {
  const base = baseLabels(ctx.model.settings);
  for (const l of ctx.sli.groupBy?.labels ?? []) base[l] = GROUP_VALUE;
  const laneLabel = laneLabelOf(ctx);
  if (lane !== undefined && laneLabel) base[laneLabel] = lane;
  return base;
}

/** What of `labels` the rates of `sli` keep: its aggregation labels, its groups' included. */
function aggregationValues(ctx: Ctx, sli: Sli, labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of sliAggregation(ctx.model.settings, sli)) if (labels[l] !== undefined) out[l] = labels[l]!;
  return out;
}

export function feed(ctx: Ctx, traffic: Traffic, lane?: string): { input: InputSeries[]; labels: Record<string, string>; fed: FedSeries[] } {
  const r = synthesize(ctx.sli.events, traffic, laneLabels(ctx, lane), sliAggregation(ctx.model.settings, ctx.sli));
  return { input: r.series.map(toInputSeries), labels: { ...r.aggregationValues, ...sliIdentity(ctx.service, ctx.sli) }, fed: r.series };
}

export function firing(def: AlertDef, labels: Record<string, string>, value?: number): ExpectedAlert {
  const e = def.expected(labels, value);
  return { exp_labels: e.labels, exp_annotations: e.annotations };
}

function none(ctx: Ctx, time: number, defs: readonly AlertDef[] = ctx.defs): AlertCheck[] {
  return [...new Set(defs.map((d) => d.rule.alert))].map((alertname) => ({ eval_time: at(ctx, time), alertname, exp_alerts: [] }));
}

function alertsSeries(def: AlertDef, labels: Record<string, string>): string {
  return seriesText('ALERTS', { alertname: def.rule.alert, alertstate: 'firing', ...def.expectedLabels(labels) });
}

const pageDefs = (ctx: Ctx) => ctx.defs.filter((d) => d.kind === 'burn' && d.burn!.declaredSeverity === 'critical');
const ticketDefs = (ctx: Ctx) => ctx.defs.filter((d) => d.kind === 'burn' && d.burn!.declaredSeverity === 'warning');
const defOf = (ctx: Ctx, kind: AlertDef['kind']) => ctx.defs.find((d) => d.kind === kind)!;

/**
 * Steps after a full outage begins by which `def` must fire, from a conservative model of the
 * rules: the raw-window ratio after k steps is at least k/R, the lower-bound branch at least
 * min(k, S)/L, a derived ratio at least (k − R)/(W + R).
 */
export function outageDetectionSteps(ctx: Ctx, def: AlertDef): number {
  const a = def.burn!;
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const S = steps(ctx, a.short.seconds);
  const L = steps(ctx, a.long.seconds);
  const thr = a.threshold * MARGIN;
  const shortRaw = S === R;
  for (let k = 1; k <= 10 * (L + R); k++) {
    const short = shortRaw ? Math.min(k, R) / R : Math.max(0, k - R) / (S + R);
    const lower = Math.min(shortRaw ? Math.min(k, R) : Math.max(0, k - R) * (S / (S + R)), S) / L;
    const derived = Math.max(0, k - R) / (L + R);
    if (short > thr && Math.max(lower, derived) > thr) return k;
  }
  return 10 * (L + R);
}

function outage(ctx: Ctx): TestGroup | undefined {
  const pages = pageDefs(ctx).length ? pageDefs(ctx) : ctx.defs.filter((d) => d.kind === 'burn');
  if (!pages.length) return undefined;
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const plans = pages
    .map((def) => {
      const S = steps(ctx, def.burn!.short.seconds);
      const detect = outageDetectionSteps(ctx, def);
      // By `settled` the short window holds only outage events (its ratio is exactly 1) and the page fires.
      const settled = Math.max((S === R ? S : S + R) + 1, detect + 1);
      // After recovery the short window empties of bad events within S (plus R when it is derived).
      const clears = (S === R ? S : S + R) + 1;
      return { def, detect, settled, clears };
    })
    .sort((a, b) => a.detect - b.detect || a.def.burn!.long.seconds - b.def.burn!.long.seconds);
  const fastest = plans[0]!;
  const warmup = Math.max(steps(ctx, 3600), 2 * R);
  const length = Math.max(...plans.map((p) => p.settled)) + 2;
  const tail = Math.max(...plans.map((p) => p.clears)) + 2;
  const T = 1000;
  const traffic = phases({ steps: warmup, total: T, bad: 0 }, { steps: length, total: T, bad: T }, { steps: tail, total: T, bad: 0 });
  const { input, labels } = feed(ctx, traffic);
  const t0 = warmup;
  const recovered = t0 + length;
  const within = (p: (typeof plans)[number]) => `${p.def.rule.alert} within ${formatSeconds((p.detect + 1) * ctx.step)}`;
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: full outage pages with ${plans.map(within).join(' and ')}; each page resolves within its short window of recovery; nothing fires during warm-up`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [
      ...none(ctx, Math.floor(warmup / 2)),
      ...none(ctx, warmup),
      ...plans.flatMap((p) => [
        { eval_time: at(ctx, t0 + p.settled), alertname: p.def.rule.alert, exp_alerts: [firing(p.def, labels, 1)] },
        { eval_time: at(ctx, recovered + p.clears), alertname: p.def.rule.alert, exp_alerts: [] },
      ]),
    ],
    promql_expr_test: [
      {
        // Detection time of the fastest page: its ALERTS series exists this many steps after the outage began.
        expr: alertsSeries(fastest.def, labels),
        eval_time: at(ctx, t0 + fastest.detect + 1),
        exp_samples: [{ labels: alertsSeries(fastest.def, labels), value: 1 }],
      },
    ],
  };
}

/** Four hours of steady traffic: both scenarios below run that long, in lanes of one group. */
const STEADY_SECONDS = 4 * 3600;

function atObjective(ctx: Ctx): Lane {
  const T = totalFor(ctx.sli.errorBudget);
  const B = Math.round(T * ctx.sli.errorBudget);
  const length = steps(ctx, STEADY_SECONDS);
  const { input, labels } = feed(ctx, constant(length, T, B), 'at-objective');
  const times = [steps(ctx, 1800), steps(ctx, 3600), steps(ctx, 2 * 3600), length];
  return {
    labels,
    group: {
      name: `${ctx.service.name}/${ctx.sli.name}: traffic exactly at the ${formatNumber(ctx.sli.objective * 100)}% objective (${B} bad of ${T} per step) fires nothing`,
      interval: formatSeconds(ctx.step),
      input_series: input,
      alert_rule_test: times.flatMap((t) => none(ctx, t)),
    },
  };
}

/** A burn rate strictly between the fastest ticket and the slowest page, as a short decimal. */
function betweenTicketAndPage(ctx: Ctx): number | undefined {
  const pages = pageDefs(ctx).map((d) => d.burn!.factor);
  const tickets = ticketDefs(ctx).map((d) => d.burn!.factor);
  if (!pages.length || !tickets.length) return undefined;
  const lo = Math.max(...tickets);
  const hi = Math.min(...pages);
  if (lo >= hi) return undefined;
  const mid = Number(((lo + hi) / 2).toPrecision(2));
  const burn = mid > lo && mid < hi ? mid : clean((lo + hi) / 2);
  return burn * ctx.sli.errorBudget < 1 ? burn : undefined;
}

function sustainedBurn(ctx: Ctx): Lane | undefined {
  const burn = betweenTicketAndPage(ctx);
  if (burn === undefined) return undefined;
  const ratio = clean(burn * ctx.sli.errorBudget);
  const T = totalFor(ratio);
  const B = Math.round(T * ratio);
  const length = steps(ctx, STEADY_SECONDS);
  const { input, labels } = feed(ctx, constant(length, T, B), `sustained-${formatNumber(burn)}x`);
  const early = [steps(ctx, 900), steps(ctx, 1800), steps(ctx, 3600)];
  const late = [steps(ctx, 2 * 3600), length];
  const exhausted = defOf(ctx, 'budget-exhausted');
  const sel = sliMatchers(ctx.service, ctx.sli);
  // The recorded series of this lane alone (the objective's and budget's have no lane).
  const own = seriesText('', labels);
  const close = (expr: string, expected: number) => valueWithin(ctx, expr, labels, length, expected, Math.max(Math.abs(expected), 1) * 1e-9);
  const identity = sliIdentity(ctx.service, ctx.sli);
  return { labels, group: {
    name: `${ctx.service.name}/${ctx.sli.name}: sustained ${formatNumber(burn)}x burn fires the tickets and the budget alert, never a page`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [
      ...[...early, ...late].flatMap((t) => none(ctx, t, pageDefs(ctx))),
      ...late.flatMap((t) => [
        ...ticketDefs(ctx).map((d) => ({ eval_time: at(ctx, t), alertname: d.rule.alert, exp_alerts: [firing(d, labels, ratio)] })),
        { eval_time: at(ctx, t), alertname: exhausted.rule.alert, exp_alerts: [firing(exhausted, labels, ratio)] },
      ]),
    ],
    promql_expr_test: [
      { expr: `${series.objective}${sel}`, eval_time: at(ctx, length), exp_samples: [{ labels: seriesText(series.objective, identity), value: ctx.sli.objective }] },
      { expr: `${series.errorBudget}${sel}`, eval_time: at(ctx, length), exp_samples: [{ labels: seriesText(series.errorBudget, identity), value: ctx.sli.errorBudget }] },
      close(`${series.errorRatio(ctx.sli.evaluation.rawWindow)}${own}`, ratio),
      // A constant burn gives every window, full or partial, the same ratio.
      ...burnRateWindows(ctx.sli).map((w) => close(`${series.burnRate(w)}${own}`, burn)),
      close(`${series.budgetRemaining}${own}`, clean(1 - burn)),
    ],
  } };
}

/** Traffic at the objective and a sustained burn between tickets and pages, in lanes of one group (both run STEADY_SECONDS). */
function steady(ctx: Ctx): TestGroup[] {
  const lanes = [atObjective(ctx), sustainedBurn(ctx)].filter((l): l is Lane => l !== undefined);
  return inLanes(`${ctx.service.name}/${ctx.sli.name}: ${lanes.map((l) => l.group.name.replace(/^[^:]*: /, '')).join('; ')} (each on its own ${laneLabelOf(ctx) ?? 'label value'})`, lanes);
}

/** The longest long window of the SLI's alerts: the period's window must differ from it to be tested apart. */
function longestAlertWindow(sli: Sli): Duration {
  return sli.alerts.reduce((a, b) => (b.long.seconds > a.long.seconds ? b : a)).long;
}

/**
 * The budget and its alert read the period's window, not the longest alert window: with the
 * period's ratio at three budgets and the longest window clean (as after an outage has left
 * it; the window suite proves the windows get there from raw series), budget remaining is
 * 1 − 3 and the budget alert fires. The windows are fed as recorded series: with no raw series
 * the rules that record them record nothing, so a few minutes of steps decide it.
 */
function budgetFollowsPeriod(ctx: Ctx): TestGroup | undefined {
  const period = ctx.sli.period;
  const long = longestAlertWindow(ctx.sli);
  const longest = long.seconds;
  if (longest >= period.seconds) return undefined;
  const ratio = clean(Math.min(1, 3 * ctx.sli.errorBudget));
  const length = steps(ctx, 900);
  const { labels } = feed(ctx, constant(1, 1, 0));
  const fedAs = (name: string, value: number): InputSeries => ({ series: seriesText(name, labels), values: `${formatNumber(value)}+0x${length}` });
  const exhausted = defOf(ctx, 'budget-exhausted');
  const sel = sliMatchers(ctx.service, ctx.sli);
  const close = (expr: string, expected: number) => valueWithin(ctx, expr, labels, length, expected, Math.max(Math.abs(expected), 1) * 1e-9);
  const burnWindows = burnRateWindows(ctx.sli).filter((w) => w.seconds === period.seconds || w.seconds === longest);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: the budget follows the ${period.text} window, not ${long.text}: ${period.text} at three budgets and ${long.text} clean exhaust it (remaining ${formatNumber(clean(1 - ratio / ctx.sli.errorBudget))})`,
    interval: formatSeconds(ctx.step),
    input_series: [
      fedAs(series.errorRatio(period), ratio),
      fedAs(series.totalRate(period), 1),
      fedAs(series.errorRatio(long), 0),
      fedAs(series.totalRate(long), 1),
    ],
    alert_rule_test: [{ eval_time: at(ctx, length), alertname: exhausted.rule.alert, exp_alerts: [firing(exhausted, labels, ratio)] }],
    promql_expr_test: [
      close(`${series.budgetRemaining}${sel}`, clean(1 - ratio / ctx.sli.errorBudget)),
      ...burnWindows.map((w) => close(`${series.burnRate(w)}${sel}`, w.seconds === longest ? 0 : clean(ratio / ctx.sli.errorBudget))),
      // Each report objective's budget, against its own (here larger or smaller) budget.
      ...ctx.sli.reportObjectives.map((o) => {
        const own = { ...labels, [REPORT_OBJECTIVE_LABEL]: o.name };
        const expected = clean(1 - ratio / o.errorBudget);
        const one = `${sel.slice(0, -1)}, ${REPORT_OBJECTIVE_LABEL}=${quote(o.name)}}`;
        return valueWithin(ctx, `${series.reportBudgetRemaining}${one}`, own, length, expected, Math.max(Math.abs(expected), 1) * 1e-9);
      }),
    ],
  };
}

/** Burn levels on both sides of every factor: 20% below it and 20% above it. */
export const LEVEL_MARGIN = 0.2;

/**
 * For every burn row, a constant burn 20% below its factor and one 20% above: each row fires
 * exactly when the level is above its factor, so a factor, window or branch that is off by
 * more than the margin fails one side. A constant burn gives every window, full or partial,
 * the same ratio, so half an hour (or the first tile of a tiled window) is enough for all of
 * them, from 5m to the period.
 */
function burnLevels(ctx: Ctx): TestGroup[] {
  const rows = ctx.defs.filter((d) => d.kind === 'burn');
  const exhausted = defOf(ctx, 'budget-exhausted');
  // A tiled window has nothing until its first tile step holds a recorded tile.
  const firstTile = Math.max(0, ...planWindows(ctx.sli).map((p) => p.tile?.step.seconds ?? 0));
  const length = steps(ctx, Math.max(1800, firstTile + 600));
  const levels = rows.flatMap((d) => [1 - LEVEL_MARGIN, 1 + LEVEL_MARGIN].map((k) => clean(Number((d.burn!.factor * k).toPrecision(4)))));
  const burns = [...new Set(levels)].filter((burn) => burn * ctx.sli.errorBudget < 1);
  const lanes = burns.map((burn): Lane => {
    const ratio = clean(burn * ctx.sli.errorBudget);
    const T = totalFor(ratio);
    const B = Math.round(T * ratio);
    const { input, labels } = feed(ctx, constant(length, T, B), `burn-${formatNumber(burn)}x`);
    const fires = (d: AlertDef) => d.burn!.factor < burn;
    const checks: AlertCheck[] = [
      ...rows.map((d) => ({ eval_time: at(ctx, length), alertname: d.rule.alert, exp_alerts: fires(d) ? [firing(d, labels, ratio)] : [] })),
      { eval_time: at(ctx, length), alertname: exhausted.rule.alert, exp_alerts: burn > 1 ? [firing(exhausted, labels, ratio)] : [] },
      // A row above the level never fires, not even while its windows fill.
      ...[steps(ctx, 600), steps(ctx, 1200)].flatMap((t) => none(ctx, t, rows.filter((d) => !fires(d)))),
    ];
    const firingNames = rows.filter(fires).map((d) => d.rule.alert);
    return {
      labels,
      group: {
        name: `${ctx.service.name}/${ctx.sli.name}: constant ${formatNumber(burn)}x burn fires ${firingNames.length ? firingNames.join(', ') : 'no burn alert'} and no other`,
        interval: formatSeconds(ctx.step),
        input_series: input,
        alert_rule_test: checks,
      },
    };
  });
  const levelsText = burns.map((burn) => `${formatNumber(burn)}x`).join(', ');
  return inLanes(`${ctx.service.name}/${ctx.sli.name}: constant burns of ${levelsText}, each on its own ${laneLabelOf(ctx) ?? 'label value'}, fire exactly the burn alerts whose factor they exceed`, lanes);
}

/**
 * For every page row: healthy traffic for its long window, then a burn 20% above its factor
 * for its long window and a little more. The page fires once its long window is full of the
 * burn; a longer window would still hold the healthy part (at most 1.2 × 1/4 of the factor
 * for a window 4 times longer) and stay quiet, so the test fails on a page that reads the
 * wrong long window.
 */
function burnAfterHealthy(ctx: Ctx): TestGroup[] {
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const slow = steps(ctx, ctx.sli.evaluation.slowInterval.seconds);
  return pageDefs(ctx).flatMap((def) => {
    const a = def.burn!;
    const burn = clean(Number((a.factor * (1 + LEVEL_MARGIN)).toPrecision(4)));
    const ratio = clean(burn * ctx.sli.errorBudget);
    if (ratio >= 1) return [];
    const L = steps(ctx, a.long.seconds);
    const T = totalFor(ratio);
    const B = Math.round(T * ratio);
    const burning = L + R + slow + 2;
    const { input, labels } = feed(ctx, phases({ steps: L, total: T, bad: 0 }, { steps: burning, total: T, bad: B }));
    return [
      {
        name: `${ctx.service.name}/${ctx.sli.name}: ${a.long.text} healthy, then a ${formatNumber(burn)}x burn: ${def.rule.alert} fires once its ${a.long.text} window is full of it`,
        interval: formatSeconds(ctx.step),
        input_series: input,
        alert_rule_test: [
          ...none(ctx, L, [def]),
          { eval_time: at(ctx, L + burning), alertname: def.rule.alert, exp_alerts: [firing(def, labels, ratio)] },
        ],
      },
    ];
  });
}

/**
 * The series of bad events is created at the first error, after an hour of traffic, and
 * counts errors 20% above the fastest page's factor for one raw window only: the exact long
 * window stays far below the factor, so no page fires. Without the `or 0 * total` fallback,
 * the long window would average the bad rate over the few minutes it existed and page.
 */
function errorSeriesCreated(ctx: Ctx): TestGroup | undefined {
  if (badOnlySeries(ctx.sli.events) === 0) return undefined;
  const pages = pageDefs(ctx);
  if (!pages.length) return undefined;
  const fastest = [...pages].sort((x, y) => y.burn!.factor - x.burn!.factor)[0]!;
  const burn = clean(Number((fastest.burn!.factor * (1 + LEVEL_MARGIN)).toPrecision(4)));
  const ratio = clean(burn * ctx.sli.errorBudget);
  if (ratio >= 1) return undefined;
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const T = totalFor(ratio);
  const B = Math.round(T * ratio);
  const warm = steps(ctx, 3600);
  const after = 3 * R;
  const traffic = { ...phases({ steps: warm, total: T, bad: 0 }, { steps: R, total: T, bad: B }, { steps: after, total: T, bad: 0 }), badFrom: warm + 1 };
  const { input } = feed(ctx, traffic);
  const times = Array.from({ length: R + after }, (_, i) => warm + 2 + i);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: an error series created at the first error, failing at ${formatNumber(burn)}x for ${formatSeconds(R * ctx.step)} after an hour without errors, pages nothing`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: times.flatMap((t) => none(ctx, t, pages)),
  };
}

/**
 * Traffic drops to 1% for one raw window and every request of it fails: the short windows
 * are all failures, but the exact long windows hold few bad events, far below every page
 * factor. A window averaged from ratios instead of summed events weighs those quiet minutes
 * like busy ones, and pages. A long window longer than the hour of warm-up holds only that
 * hour's events: where 1% of them would still be too many (a 99.99% objective paged over 6h),
 * traffic drops to 0.1% or 0.01% instead.
 */
function quietFailures(ctx: Ctx): TestGroup | undefined {
  const pages = pageDefs(ctx);
  if (!pages.length) return undefined;
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const T = 10000;
  const warm = steps(ctx, 3600);
  // Bad events of the whole run over the events each page's long window holds: below its threshold?
  const quietEnough = (quiet: number) =>
    pages.every((d) => (R * quiet) / (Math.min(steps(ctx, d.burn!.long.seconds) - R, warm) * T + R * quiet) <= d.burn!.threshold * (1 - LEVEL_MARGIN));
  const quiet = [T / 100, T / 1000, T / 10000].find(quietEnough);
  if (quiet === undefined) return undefined;
  const { input } = feed(ctx, phases({ steps: warm, total: T, bad: 0 }, { steps: R, total: quiet, bad: quiet }, { steps: 2 * R, total: T, bad: 0 }));
  const times = Array.from({ length: 3 * R }, (_, i) => warm + 1 + i);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: traffic drops to ${formatNumber((100 * quiet) / T)}% for ${formatSeconds(R * ctx.step)} and all of it fails: the long windows hold too few bad events to page`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: times.flatMap((t) => none(ctx, t, pages)),
  };
}

/**
 * One minute with 70 times the usual traffic, whose failures make the raw window burn above
 * a page's threshold while the exact long window stays at 60% of it: the page must stay
 * quiet. A long window averaged from raw rates weighs that newest minute about 0.2, so a
 * bound that divides by the average alone pages here (a real incident: 8.8x paged at 14.4x).
 */
function burst(ctx: Ctx): TestGroup | undefined {
  const R = ctx.sli.evaluation.rawWindow;
  const row = pageDefs(ctx).find((d) => d.burn!.short.seconds === R.seconds);
  if (!row) return undefined;
  const a = row.burn!;
  const L = steps(ctx, a.long.seconds);
  const T = 1000;
  const X = 70 * T;
  const bad = Math.round(0.6 * a.threshold * ((L - 1) * T + X));
  const warm = L + steps(ctx, R.seconds);
  const after = 2 * steps(ctx, R.seconds);
  const { input } = feed(ctx, phases({ steps: warm, total: T, bad: 0 }, { steps: 1, total: X, bad }, { steps: after, total: T, bad: 0 }));
  const times = Array.from({ length: after + 1 }, (_, i) => warm + 1 + i);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: a one-step burst of ${X} events with ${bad} failing (the raw window above ${formatNumber(a.factor)}x, the exact ${a.long.text} at 60% of it) does not fire ${row.rule.alert}`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: times.flatMap((t) => none(ctx, t, [row])),
  };
}

function lowTraffic(ctx: Ctx): TestGroup | undefined {
  const pages = pageDefs(ctx);
  const target = Math.floor(ctx.sli.minEvents / 2) - 1;
  if (!pages.length || target < 1) return undefined;
  const longest = Math.max(...pages.map((d) => steps(ctx, d.burn!.long.seconds)));
  const every = Math.ceil(longest / target);
  const length = Math.max(longest + steps(ctx, 3600), steps(ctx, 2 * 3600));
  const { input, labels } = feed(ctx, sparseFailures(length, every));
  // Right after each failure the short windows hold it: the moments a page could fire.
  const times = [...new Set([...[1, 2, 3, 4].map((q) => Math.round((q * length) / 4)), ...Array.from({ length: Math.floor(length / every) }, (_, i) => (i + 1) * every + 1)])]
    .filter((t) => t <= length)
    .sort((x, y) => x - y);
  // The ticket needs LOW_TRAFFIC_MIN_BAD_EVENTS bad events in its window; a min_events this small leaves no room for that and the margin below it.
  const ticket = target >= LOW_TRAFFIC_MIN_BAD_EVENTS ? ctx.defs.find((d) => d.kind === 'low-traffic') : undefined;
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: every event failing but only one per ${formatSeconds(every * ctx.step)} (below ${ctx.sli.minEvents} events per window) never pages${ticket ? `, and opens ${ticket.rule.alert}` : ''}`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [
      ...times.flatMap((t) => none(ctx, t, pages)),
      // Once the longest page window is full of sparse failures, the ticket says so (every event bad: ratio exactly 1).
      ...(ticket ? [{ eval_time: at(ctx, length), alertname: ticket.rule.alert, exp_alerts: [firing(ticket, labels, 1)] }] : []),
    ],
  };
}

/**
 * `def` firing for the SLI under test, and the same alert of every sibling whose total reads
 * the fed series and expected enough of them: they stop seeing events too, and fire alongside.
 */
function withSiblings(ctx: Ctx, def: AlertDef, labels: Record<string, string>, fed: readonly FedSeries[], before: number): ExpectedAlert[] {
  const expected = [firing(def, labels)];
  for (const other of ctx.service.slis) {
    if (other.name === ctx.sli.name) continue;
    const seen = siblingTotal(other, fed, before);
    const otherDef = ctx.serviceDefs.find((d) => d.sliName === other.name && d.def.kind === def.kind)?.def;
    if (!otherDef || !seen.series.length) continue;
    const expectedEvents = (seen.perStep / ctx.step) * other.trafficCessation.silence.seconds;
    if (expectedEvents >= other.trafficCessation.minExpectedEvents) {
      expected.push(firing(otherDef, { ...aggregationValues(ctx, other, seen.series[0]!.labels), ...sliIdentity(ctx.service, other) }));
    }
  }
  return expected.sort((x, y) => JSON.stringify(x.exp_labels).localeCompare(JSON.stringify(y.exp_labels)));
}

function cessation(ctx: Ctx): TestGroup | undefined {
  const def = defOf(ctx, 'traffic-cessation');
  const tc = ctx.sli.trafficCessation;
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const slowLag = familyOf(ctx.sli, tc.silence) === 'slow' ? steps(ctx, ctx.sli.evaluation.slowInterval.seconds) + R : 0;
  const fireAt = steps(ctx, tc.silence.seconds) + 2 * R + slowLag + steps(ctx, 600);
  const clearAt = steps(ctx, tc.baseline.seconds) + 2 * R + steps(ctx, ctx.sli.evaluation.slowInterval.seconds) + steps(ctx, 900);
  if (fireAt >= steps(ctx, tc.baseline.seconds)) return undefined;
  const before = Math.max(steps(ctx, 3600), 2 * R);
  // Twice the events the alert expects, no more: a cessation that expects far more must fail this.
  const T = Math.ceil((tc.minExpectedEvents * 2 * ctx.step) / tc.silence.seconds);
  const traffic = constant(before, T, 0); // the series end here: nothing after `before`
  const { input, labels, fed } = feed(ctx, traffic);
  const expected = withSiblings(ctx, def, labels, fed, before);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: traffic that stops fires ${def.rule.alert} after ${tc.silence.text} and clears once the series is gone for ${tc.baseline.text}`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [
      { eval_time: at(ctx, before), alertname: def.rule.alert, exp_alerts: [] },
      { eval_time: at(ctx, before + fireAt), alertname: def.rule.alert, exp_alerts: expected },
      { eval_time: at(ctx, before + clearAt), alertname: def.rule.alert, exp_alerts: [] },
      // A series gone for good stops paging as vanished once the baseline has emptied too.
      { eval_time: at(ctx, before + clearAt), alertname: defOf(ctx, 'vanished').rule.alert, exp_alerts: [] },
    ],
  };
}

/**
 * Every series of the SLI disappears (a crash loop, a failed scrape) and comes back: the
 * vanished alert fires within 10 minutes at its severity, while nothing else of the SLI pages,
 * and resolves once the series are back.
 */
function vanished(ctx: Ctx): TestGroup {
  const def = defOf(ctx, 'vanished');
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const before = Math.max(steps(ctx, 3600), 2 * R);
  const gone = steps(ctx, 1800);
  const back = R + 5;
  const T = Math.max(1000, Math.ceil((ctx.sli.trafficCessation.minExpectedEvents * 2 * ctx.step) / ctx.sli.trafficCessation.silence.seconds));
  const { input, labels, fed } = feed(ctx, vanishing(before, gone, back, T));
  const within = steps(ctx, 600);
  const otherPages = pageDefs(ctx);
  const expected = withSiblings(ctx, def, labels, fed, before);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: series that vanish fire ${def.rule.alert} (${def.rule.labels.severity}) within ${formatSeconds(within * ctx.step)} and resolve when they are back; no burn alert fires`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [
      { eval_time: at(ctx, before), alertname: def.rule.alert, exp_alerts: [] },
      { eval_time: at(ctx, before + within), alertname: def.rule.alert, exp_alerts: expected },
      { eval_time: at(ctx, before + gone), alertname: def.rule.alert, exp_alerts: expected },
      ...none(ctx, before + gone, otherPages),
      // Two scrapes back and the raw rate exists again.
      { eval_time: at(ctx, before + gone + 3), alertname: def.rule.alert, exp_alerts: [] },
    ],
  };
}

/** The derived windows the window suite's daily-cycle test checks: up to a day (longer ones are its period test's). */
export function checkedWindows(sli: Sli) {
  return planWindows(sli).filter((p) => p.family !== 'raw' && p.window.seconds <= 86400);
}

/**
 * Derived windows (up to a day) against the exact ratio of sums read from raw series. They do
 * not depend on the objective or the alerts, so this runs once per window suite (shape.ts).
 */
function derivedWindows(ctx: Ctx): TestGroup | undefined {
  const day = 86400;
  const checked = checkedWindows(ctx.sli);
  if (!checked.length) return undefined;
  const longest = Math.max(...checked.map((p) => p.window.seconds));
  const length = steps(ctx, longest + 3600);
  const base = totalFor(ctx.sli.errorBudget);
  const { input } = feed(ctx, dailyCycle(length, steps(ctx, day), base, clean(2 * ctx.sli.errorBudget)));
  const sel = sliMatchers(ctx.service, ctx.sli);
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: derived windows (${checked.map((p) => p.window.text).join(', ')}) stay within 1% of the exact ratio of sums on daily-cycle traffic`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    promql_expr_test: checked.map((p) => {
      const exact = eventRates(ctx.sli, p.window.text, []);
      return {
        expr: `abs(sum(${series.errorRatio(p.window)}${sel}) / ((${exact.bad}) / (${exact.total})) - 1) < bool 0.01`,
        eval_time: at(ctx, length),
        exp_samples: [{ labels: '{}', value: 1 }],
      };
    }),
  };
}

/** An expression whose one series (with `labels`) is within `tolerance` of `expected` at step `t`. */
export function valueWithin(ctx: Ctx, expr: string, labels: Record<string, string>, t: number, expected: number, tolerance: number) {
  return {
    expr: `abs(${expr} - ${formatNumber(expected)}) <= bool ${formatNumber(tolerance)}`,
    eval_time: at(ctx, t),
    exp_samples: [{ labels: seriesText('', labels), value: 1 }],
  };
}

export function sliTestGroups(
  model: Model,
  service: Service,
  sli: Sli,
  serviceDefs: readonly { readonly sliName: string; readonly def: AlertDef }[],
  step: number,
): TestGroup[] {
  const defs = serviceDefs.filter((d) => d.sliName === sli.name).map((d) => d.def);
  const ctx: Ctx = { model, service, sli, defs, serviceDefs, step };
  // An experimental SLI meets every scenario of the SLI it would be, and none of it may fire.
  if (sli.experimental) return silenced(scenarios(withAlerts(ctx, { experimental: false })), 'experimental, it has no alerts');
  const stops = sli.cessationAlert ? cessation(ctx) : silenced([cessation(withAlerts(ctx, { cessationAlert: true }))], 'its traffic-cessation ticket is off')[0];
  return scenarios(ctx, stops).filter((g): g is TestGroup => g !== undefined);
}

/** Every scenario, in order; `stops` in place of the traffic-cessation one when given. */
function scenarios(ctx: Ctx, stops: TestGroup | undefined = cessation(ctx)): (TestGroup | undefined)[] {
  return [outage(ctx), ...steady(ctx), budgetFollowsPeriod(ctx), ...burnLevels(ctx), ...burnAfterHealthy(ctx), burst(ctx), errorSeriesCreated(ctx), quietFailures(ctx), lowTraffic(ctx), stops, vanished(ctx)];
}

/** The context of the SLI with alerts switched on (`on`): the scenarios of alerts it does not have. */
function withAlerts(ctx: Ctx, on: Partial<Pick<Sli, 'experimental' | 'cessationAlert'>>): Ctx {
  const sli = { ...ctx.sli, ...on };
  const defs = alertDefs(ctx.model, ctx.service, sli);
  return { ...ctx, sli, defs, serviceDefs: [...ctx.serviceDefs.filter((d) => d.sliName !== sli.name), ...defs.map((def) => ({ sliName: sli.name, def }))] };
}

/**
 * Scenarios of alerts the SLI does not have, turned into proofs that it does not: every alert
 * they expect is expected not to fire, and no ALERTS series to exist; what they check of
 * recorded series stays, since dashboards and the UI still read them.
 */
function silenced(groups: readonly (TestGroup | undefined)[], why: string): TestGroup[] {
  return groups
    .filter((g): g is TestGroup => g !== undefined)
    .map((g) => ({
      ...g,
      name: `${g.name.replace(/: .*/, ':')} ${why}: nothing fires where the alerting SLI's scenario (${g.name.replace(/^[^:]*: /, '')}) would`,
      ...(g.alert_rule_test ? { alert_rule_test: g.alert_rule_test.map((c) => ({ ...c, exp_alerts: [] })) } : {}),
      ...(g.promql_expr_test ? { promql_expr_test: g.promql_expr_test.map((c) => (c.expr.startsWith('ALERTS') ? { ...c, exp_samples: [] } : c)) } : {}),
    }));
}

/**
 * The period's window on data long enough for it to differ from the longest alert window: an
 * outage that spends three budgets, then healthy traffic until it has left that window (3d by
 * default). The period still holds it, within 3% of the exact ratio, while the longest window
 * is clean. Only window rules are read, so it runs once per window suite (shape.ts); that the
 * budget and its alert read the period's window is each shape's test (budgetFollowsPeriod).
 * Run at half the raw window's step (a raw rate still holds two samples) so 3 days stay cheap.
 */
function periodWindows(ctx: Ctx): TestGroup | undefined {
  const plans = planWindows(ctx.sli);
  const period = plans.find((p) => p.window.seconds === ctx.sli.period.seconds)!;
  const longestWindow = longestAlertWindow(ctx.sli);
  const longest = longestWindow.seconds;
  if (longest >= ctx.sli.period.seconds) return undefined;
  const tileOf = (seconds: number) => plans.find((p) => p.window.seconds === seconds)?.tile?.step.seconds ?? 0;
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const warm = steps(ctx, 3600);
  const after = steps(ctx, longest + tileOf(longest) + 3600) + 2 * R;
  const T = 1000;
  // Outage steps that make the whole run's ratio three times the budget.
  const outage = Math.max(1, Math.ceil((3 * ctx.sli.errorBudget * (warm + after)) / (1 - 3 * ctx.sli.errorBudget)));
  const total = warm + outage + after;
  if (outage * T >= 0.5 * total * T) return undefined;
  const { input, labels } = feed(ctx, phases({ steps: warm, total: T, bad: 0 }, { steps: outage, total: T, bad: T }, { steps: after, total: T, bad: 0 }));
  const exactRatio = outage / total;
  const sel = sliMatchers(ctx.service, ctx.sli);
  const longestText = longestWindow.text;
  const near = (expr: string, expected: number, tolerance: number) => valueWithin(ctx, expr, labels, total, clean(expected), clean(tolerance));
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: an outage that then leaves the ${longestText} window is still in the ${ctx.sli.period.text} window (ratio ${formatNumber(clean(exactRatio))}), while ${longestText} is clean`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    promql_expr_test: [
      // The period's tiles end at the last tile step: healthy minutes it has not counted yet move it a little.
      near(`sum without (__name__) (${series.errorRatio(period.window)}${sel})`, exactRatio, exactRatio * 0.03),
      near(`sum without (__name__) (${series.errorRatio(longestWindow)}${sel})`, 0, exactRatio * 0.01),
    ],
  };
}

/** The derived-window scenario alone (a window suite's test, shape.ts). */
export function sliWindowTestGroups(model: Model, service: Service, sli: Sli, step: number): TestGroup[] {
  const g = derivedWindows({ model, service, sli, defs: [], serviceDefs: [], step });
  return g ? [g] : [];
}

/** The scenario that needs days of data, at a coarser step than the others (its own test file of a window suite). */
export function sliPeriodTestGroups(model: Model, service: Service, sli: Sli, step: number): TestGroup[] {
  const g = periodWindows({ model, service, sli, defs: [], serviceDefs: [], step });
  return g ? [g] : [];
}
