/**
 * The cheap tests each SLI keeps for itself, against its own rules (its slice of the service's
 * rule file) and its own metric names. The full scenario suite runs once per rule shape on
 * canonical series (shape.ts); what a shape cannot prove about one SLI is proven here:
 *
 * - its raw reads select its own series: the recorded raw-window total and bad rates equal
 *   the fed events exactly, with the aggregation labels, before the first error (when a series
 *   of errors does not exist yet) and after it;
 * - its first burn alert fires on its own series, with its exact labels and annotations.
 *
 * Every other alert's labels and annotations are checked as text: `slokit test` proves the
 * SLI's rules are its shape's (whose suite fires each of them) with its own names in place.
 */
import { clean } from '../../model/decimal.js';
import { formatSeconds } from '../../model/duration.js';
import { series } from '../../naming.js';
import { sliMatchers } from '../sli-selector.js';
import { planWindows } from '../window-plan.js';
import { badOnlySeries } from './input-series.js';
import { at, feed, firing, steps, valueWithin, type Ctx, type TestGroup } from './scenarios.js';
import { constant, phases } from './traffic.js';

/**
 * Events per step while the SLI is healthy, and how many of them fail after the first error. A
 * bool gauge's events are samples, one series per event: four probes, one of them failing.
 */
function ownTraffic(ctx: Ctx): { total: number; failing: number } {
  return ctx.sli.events.type === 'gauge' ? { total: 4, failing: 1 } : { total: 1000, failing: 250 };
}

/**
 * Healthy traffic with no error yet, then a quarter of it failing: the recorded raw-window
 * rates of the SLI, read by its own selectors from series named as its catalog entry says,
 * match the fed events exactly (a rate over evenly spaced samples of a constant slope is
 * exact under both range semantics).
 */
function readsOwnSeries(ctx: Ctx): TestGroup {
  const { total, failing: failingEvents } = ownTraffic(ctx);
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const healthy = R + 1;
  const failing = R + 2;
  const traffic = { ...phases({ steps: healthy, total, bad: 0 }, { steps: failing, total, bad: failingEvents }), badFrom: healthy + 1 };
  const { input, labels } = feed(ctx, traffic);
  const sel = sliMatchers(ctx.service, ctx.sli);
  const raw = ctx.sli.evaluation.rawWindow;
  const perSecond = (n: number) => clean(n / ctx.step);
  const exactly = (name: string, t: number, n: number) => valueWithin(ctx, `${name}${sel}`, labels, t, perSecond(n), Math.max(perSecond(n), 1) * 1e-9);
  const absent = badOnlySeries(ctx.sli.events) > 0;
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: reads its own series: ${total} events per ${formatSeconds(ctx.step)}, none failing${absent ? ' (no series of errors yet)' : ''}, then ${failingEvents} failing, recorded exactly`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    promql_expr_test: [
      exactly(series.totalRate(raw), healthy, total),
      exactly(series.badRate(raw), healthy, 0),
      exactly(series.totalRate(raw), healthy + failing, total),
      exactly(series.badRate(raw), healthy + failing, failingEvents),
    ],
  };
}

/**
 * A full outage from the first step: the burn alert whose windows fill first fires, with its
 * exact labels and annotations (and the value 1), on the SLI's own series. The other alerts'
 * labels and annotations are its shape's under its name (checked by `slokit test`), and its
 * shape's suite fires each of them.
 */
function firstAlertFires(ctx: Ctx): TestGroup | undefined {
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const slow = steps(ctx, ctx.sli.evaluation.slowInterval.seconds);
  const plans = planWindows(ctx.sli);
  // Steps until a window holds a value: the raw window's second sample, a slow family's first
  // evaluation, a tiled window's first tile.
  const ready = (seconds: number) => {
    const p = plans.find((x) => x.window.seconds === seconds);
    return R + 1 + (p?.family === 'slow' ? slow : 0) + (p?.tile ? steps(ctx, p.tile.step.seconds) : 0);
  };
  const rows = ctx.defs
    .filter((d) => d.kind === 'burn')
    .map((def) => ({ def, at: Math.max(ready(def.burn!.long.seconds), ready(def.burn!.short.seconds)) + 2 }))
    .sort((a, b) => a.at - b.at || a.def.burn!.long.seconds - b.def.burn!.long.seconds);
  const first = rows[0];
  if (!first) return undefined;
  const { total } = ownTraffic(ctx);
  const { input, labels } = feed(ctx, constant(first.at, total, total));
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: a full outage from the first step fires ${first.def.rule.alert} with its labels and annotations by ${formatSeconds(first.at * ctx.step)}`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [{ eval_time: at(ctx, first.at), alertname: first.def.rule.alert, exp_alerts: [firing(first.def, labels, 1)] }],
  };
}

export function ownSeriesGroups(ctx: Ctx): TestGroup[] {
  const fires = firstAlertFires(ctx);
  return [readsOwnSeries(ctx), ...(fires ? [fires] : [])];
}
