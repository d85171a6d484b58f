/**
 * The cheap tests each SLI keeps for itself, against its own rules (its slice of the service's
 * rule file) and its own metric names. The full scenario suite runs once per rule shape on
 * canonical series (shape.ts); what a shape cannot prove about one SLI is proven here:
 *
 * - its raw reads select its own series: the recorded raw-window total and bad rates equal
 *   the fed events exactly, with the aggregation labels, before the first error (when a series
 *   of errors does not exist yet) and after it;
 * - every alert it can raise fires with its exact labels and annotations: a full outage fires
 *   every burn alert and the budget alert, and when the series then end, the vanished alert
 *   and traffic cessation fire; two failing events on a quiet SLI fire the low-traffic ticket.
 */
import { clean, formatNumber } from '../../model/decimal.js';
import { formatSeconds } from '../../model/duration.js';
import { series } from '../../naming.js';
import { sliMatchers } from '../sli-selector.js';
import { planWindows } from '../window-plan.js';
import { badOnlySeries } from './input-series.js';
import { at, cessationTiming, defOf, feed, firing, none, steps, valueWithin, type AlertCheck, type Ctx, type TestGroup } from './scenarios.js';
import { constant, phases } from './traffic.js';

/** Events per step while the SLI is healthy, and the share of them that fail after the first error. */
const TOTAL = 1000;
const FAILING = 250;

/**
 * Healthy traffic with no error yet, then a quarter of it failing: the recorded raw-window
 * rates of the SLI, read by its own selectors from series named as its catalog entry says,
 * match the fed events exactly (a rate over evenly spaced samples of a constant slope is
 * exact under both range semantics).
 */
function readsOwnSeries(ctx: Ctx): TestGroup {
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const healthy = R + 1;
  const failing = R + 2;
  const traffic = { ...phases({ steps: healthy, total: TOTAL, bad: 0 }, { steps: failing, total: TOTAL, bad: FAILING }), badFrom: healthy + 1 };
  const { input, labels } = feed(ctx, traffic);
  const sel = sliMatchers(ctx.service, ctx.sli);
  const raw = ctx.sli.evaluation.rawWindow;
  const perSecond = (n: number) => clean(n / ctx.step);
  const exactly = (name: string, t: number, n: number) => valueWithin(ctx, `${name}${sel}`, labels, t, perSecond(n), Math.max(perSecond(n), 1) * 1e-9);
  const absent = badOnlySeries(ctx.sli.events) !== undefined;
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: reads its own series: ${TOTAL} events per ${formatSeconds(ctx.step)}, none failing${absent ? ' (no series of errors yet)' : ''}, then ${FAILING} failing, recorded exactly`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    promql_expr_test: [
      exactly(series.totalRate(raw), healthy, TOTAL),
      exactly(series.badRate(raw), healthy, 0),
      exactly(series.totalRate(raw), healthy + failing, TOTAL),
      exactly(series.badRate(raw), healthy + failing, FAILING),
    ],
  };
}

/**
 * A full outage from the first step: every window holds only failures, so every burn alert
 * and the budget alert fire (with the value 1) once the slowest window has its first tile;
 * the low-traffic ticket does not. Then the series end: the vanished alert fires within ten
 * minutes, and traffic cessation once its silence has passed.
 */
function everyAlertFires(ctx: Ctx): TestGroup {
  const rows = ctx.defs.filter((d) => d.kind === 'burn');
  const exhausted = defOf(ctx, 'budget-exhausted');
  const vanished = defOf(ctx, 'vanished');
  const firstTile = Math.max(0, ...planWindows(ctx.sli).map((p) => p.tile?.step.seconds ?? 0));
  const length = steps(ctx, Math.max(1800, firstTile + 600));
  // Enough traffic that the baseline expects the events cessation and vanished ask for.
  const tc = ctx.sli.trafficCessation;
  const T = Math.max(TOTAL, Math.ceil((tc.minExpectedEvents * 2 * ctx.step) / tc.silence.seconds));
  const { input, labels } = feed(ctx, constant(length, T, T));
  const gone = cessationTiming(ctx);
  const within = steps(ctx, 600);
  const lowTraffic = ctx.defs.filter((d) => d.kind === 'low-traffic');
  const checks: AlertCheck[] = [
    ...rows.map((d) => ({ eval_time: at(ctx, length), alertname: d.rule.alert, exp_alerts: [firing(d, labels, 1)] })),
    { eval_time: at(ctx, length), alertname: exhausted.rule.alert, exp_alerts: [firing(exhausted, labels, 1)] },
    ...none(ctx, length, lowTraffic),
    { eval_time: at(ctx, length + within), alertname: vanished.rule.alert, exp_alerts: [firing(vanished, labels)] },
    ...(gone ? [{ eval_time: at(ctx, length + gone.fireAt), alertname: gone.def.rule.alert, exp_alerts: [firing(gone.def, labels)] }] : []),
  ];
  const names = [...new Set(checks.filter((c) => c.exp_alerts.length).map((c) => c.alertname))];
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: a full outage, then no series: ${names.join(', ')} fire with their labels and annotations (objective ${formatNumber(ctx.sli.objective * 100)}%)`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: checks,
  };
}

/**
 * Two events, both failing, after a quiet stretch: over the longest page window the ratio is 1
 * on fewer events than min_events, so the low-traffic ticket fires (with the value 1). A window
 * averaged from rates counts events over the time it has data for, so the quiet stretch is long
 * enough that the two events read as about half of min_events.
 */
function lowTrafficFires(ctx: Ctx): TestGroup | undefined {
  const ticket = ctx.defs.find((d) => d.kind === 'low-traffic');
  const events = 2;
  if (!ticket || ctx.sli.minEvents < 2 * events) return undefined;
  const L = steps(ctx, ticket.burn!.long.seconds);
  const R = steps(ctx, ctx.sli.evaluation.rawWindow.seconds);
  const quiet = Math.min(L, Math.ceil((2 * events * L) / ctx.sli.minEvents));
  const after = 2 * R + steps(ctx, ctx.sli.evaluation.slowInterval.seconds) + steps(ctx, 300);
  const { input, labels } = feed(ctx, phases({ steps: quiet, total: 0, bad: 0 }, { steps: events, total: 1, bad: 1 }, { steps: after, total: 0, bad: 0 }));
  return {
    name: `${ctx.service.name}/${ctx.sli.name}: ${events} events, both failing, after ${formatSeconds(quiet * ctx.step)} without any: ${ticket.rule.alert} fires with its labels and annotations`,
    interval: formatSeconds(ctx.step),
    input_series: input,
    alert_rule_test: [{ eval_time: at(ctx, quiet + events + after), alertname: ticket.rule.alert, exp_alerts: [firing(ticket, labels, 1)] }],
  };
}

export function ownSeriesGroups(ctx: Ctx): TestGroup[] {
  const low = lowTrafficFires(ctx);
  return [readsOwnSeries(ctx), everyAlertFires(ctx), ...(low ? [low] : [])];
}
