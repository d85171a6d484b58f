/**
 * promtool tests of the journeys' rules and alerts: each journey's components fed as their SLIs
 * record them (rates per window and burn rates, constant), and the journey's recorded ratios,
 * budget and alerts checked against what the journey's definition says, computed here
 * independently of the rules (a direct sum over the components).
 *
 * Situations per journey, with components of very different traffic (each busier than the
 * next by a factor of 30): every step at a tenth of the journey's budget (quiet); every step
 * failing at twice, just above and just below the fastest row's threshold (every row fires, or
 * all but that one: a threshold that moves is noticed); the quietest step failing completely
 * while the others work, which an events-weighted journey barely notices and a
 * components-weighted one must (the difference between the two weightings); the quietest step
 * without events, which a components-weighted journey leaves out rather than counting as good.
 */
import { formatSeconds } from '../../model/duration.js';
import { combineJourney, journeyLeaves, journeyWindows } from '../../model/journeys.js';
import type { Journey, Model } from '../../model/types.js';
import { alertNames, journeyPaths, JOURNEY_LABEL, journeySeries, series } from '../../naming.js';
import { seriesText } from '../../promql/escape.js';
import { RATIO_EPSILON } from '../alert-rules.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { baseLabels } from '../promtool-tests/base-labels.js';
import type { AlertCheck, ExprCheck, TestGroup } from '../promtool-tests/scenarios.js';
import { sliIdentity } from '../sli-selector.js';
import { componentLabel, journeyAlerts, type ComponentBurn } from './alerts.js';
import { resolveComponents } from './read.js';

/** Minutes of input; checks at EVAL_MINUTE, just after the slow group's second write over constant inputs, which a fast rule reads up to 10m30s back. */
const MINUTES = 15;
const EVAL_MINUTE = 11;
/** Ratios are compared rounded to millionths: the rules and this file add in different orders. */
const SCALE = 1_000_000;
const TRAFFIC_STEP = 30;

/** Rates per second of one SLI component. */
interface Feed {
  readonly total: number;
  readonly bad: number;
}

/** The SLI components a journey reaches, keyed service/sli. */
const leavesOf = (model: Model, journey: Journey) => journeyLeaves(model.journeys, journey).map((l) => ({ ...l, key: `${l.service}/${l.sli}` }));

/** The journey from its definition (model/journeys.ts), not from the rules. */
function exactJourney(model: Model, journey: Journey, feeds: ReadonlyMap<string, Feed>): { ratio: number | undefined; total: number } {
  return combineJourney(model.journeys, journey, (service, sli) => feeds.get(`${service}/${sli}`));
}

function situations(model: Model, journey: Journey): { name: string; feeds: Map<string, Feed> }[] {
  const leaves = leavesOf(model, journey);
  // The first component is the busiest; each next one TRAFFIC_STEP times quieter.
  const traffic = leaves.map((_, i) => Math.max(1000 / TRAFFIC_STEP ** i, 0.01));
  const maxThreshold = Math.max(...journey.alerts.map((a) => a.threshold));
  const at = (ratioOf: (i: number) => number) => new Map(leaves.map((l, i) => [l.key, { total: traffic[i]!, bad: traffic[i]! * ratioOf(i) }]));
  const quietest = leaves.length - 1;
  return [
    { name: 'every step at a tenth of the budget', feeds: at(() => journey.errorBudget / 10) },
    { name: 'every step failing at twice the fastest row\'s threshold', feeds: at(() => Math.min(1, 2 * maxThreshold)) },
    // Either side of the fastest row's threshold: it fires just above and not just below (the other rows, lower, fire in both).
    { name: 'every step failing just above the fastest row\'s threshold', feeds: at(() => Math.min(1, 1.05 * maxThreshold)) },
    { name: 'every step failing just below the fastest row\'s threshold', feeds: at(() => 0.95 * maxThreshold) },
    { name: `the quietest step (${leaves[quietest]!.key}) failing completely, the others working`, feeds: at((i) => (i === quietest ? 1 : 0)) },
    {
      // A step without events has no error ratio: left out of a components-weighted journey, not counted as good or bad.
      name: `the quietest step (${leaves[quietest]!.key}) without any events, the others failing at twice the fastest row's threshold`,
      feeds: new Map(leaves.map((l, i) => [l.key, i === quietest ? { total: 0, bad: 0 } : { total: traffic[i]!, bad: traffic[i]! * Math.min(1, 2 * maxThreshold) }])),
    },
  ];
}

/**
 * The journeys' rules all run on every test's series. A test feeds only its journey's SLIs, so
 * its size does not grow with the catalog's journeys (feeding every journey's SLIs made 50
 * journeys' tests 180 MB); other journeys that share some of those SLIs see them alone, as they
 * would with their other components silent, and their alerts are expected accordingly.
 */
function testGroup(model: Model, journey: Journey, situation: { name: string; feeds: Map<string, Feed> }): TestGroup {
  const base = baseLabels(model.settings);
  const evalTime = formatSeconds(EVAL_MINUTE * 60);
  const fed = leavesOf(model, journey);
  const feeds: ReadonlyMap<string, Feed> = situation.feeds;
  const windows = [...new Map(model.journeys.flatMap(journeyWindows).map((w) => [w.seconds, w])).values()];
  const longs = [...new Map(model.journeys.flatMap((j) => j.alerts.map((a) => a.long)).map((w) => [w.seconds, w])).values()];
  const input = [];
  for (const leaf of fed) {
    const service = model.services.find((s) => s.name === leaf.service)!;
    const sli = service.slis.find((s) => s.name === leaf.sli)!;
    const labels = { ...base, ...sliIdentity(service, sli) };
    const f = feeds.get(leaf.key)!;
    for (const w of windows) {
      input.push({ series: seriesText(series.totalRate(w), labels), values: `${f.total}x${MINUTES}` });
      input.push({ series: seriesText(series.badRate(w), labels), values: `${f.bad}x${MINUTES}` });
    }
    // An SLI without events records no burn rate (0/0 is not a number), and the alert says "no data".
    if (f.total > 0) for (const w of longs) input.push({ series: seriesText(series.burnRate(w), labels), values: `${f.bad / f.total / sli.errorBudget}x${MINUTES}` });
  }
  /** The journeys that see any of the fed SLIs, through the journeys they contain. */
  const fedKeys = new Set(fed.map((l) => l.key));
  const touched = model.journeys.filter((j) => j.burnAlerts && leavesOf(model, j).some((l) => fedKeys.has(l.key)));
  const exact = exactJourney(model, journey, feeds);
  const own = (j: Journey) => ({ ...base, [JOURNEY_LABEL]: j.name });
  const sel = `{${JOURNEY_LABEL}="${journey.name}"}`;
  const rounded = (name: string, value: number | undefined): ExprCheck => ({
    expr: `round(${name}${sel} * ${SCALE})`,
    eval_time: evalTime,
    exp_samples: value === undefined ? [] : [{ labels: seriesText('', own(journey)), value: Math.round(value * SCALE) }],
  });
  const checks: ExprCheck[] = [
    ...journeyWindows(journey).map((w) => rounded(journeySeries.errorRatio(w), exact.ratio)),
    rounded(journeySeries.budgetRemaining, exact.ratio === undefined ? undefined : 1 - exact.ratio / journey.errorBudget),
    { expr: `${journeySeries.objective}${sel}`, eval_time: evalTime, exp_samples: [{ labels: seriesText(journeySeries.objective, { [JOURNEY_LABEL]: journey.name }), value: journey.objective }] },
  ];
  // Every journey's alerts, by alert name (journeys share them): the one under test and any other that fires.
  const byName = new Map<string, AlertCheck['exp_alerts'][number][]>(model.journeys.filter((j) => j.burnAlerts).flatMap((j) => j.alerts.map((a) => [alertNames.journeyBurn(model.settings, a), []] as const)));
  for (const j of touched) {
    const parts = resolveComponents(model, j);
    const burns: ComponentBurn[] = parts.map((r) => {
      if (r.journey) {
        const child = exactJourney(model, r.journey, feeds).ratio;
        return { name: componentLabel(r), burn: child === undefined ? undefined : child / r.journey.errorBudget };
      }
      const f = feeds.get(`${r.service!.name}/${r.sli!.name}`);
      return { name: componentLabel(r), burn: f && f.total > 0 ? f.bad / f.total / r.sli!.errorBudget : undefined };
    });
    const e = exactJourney(model, j, feeds);
    for (const a of journeyAlerts(model, j, parts)) {
      const list = byName.get(a.rule.alert) ?? [];
      byName.set(a.rule.alert, list);
      const ratio = e.ratio ?? 0;
      const enough = j.weighting !== 'events' || e.total * a.burn.long.seconds >= j.minEvents;
      if (ratio > a.burn.threshold + Number(RATIO_EPSILON) && enough) {
        const expected = a.expected(own(j), ratio, burns);
        list.push({ exp_labels: expected.labels, exp_annotations: expected.annotations });
      }
    }
  }
  const alerts: AlertCheck[] = [...byName].map(([alertname, exp_alerts]) => ({ eval_time: evalTime, alertname, exp_alerts }));
  return {
    name: `journey ${journey.name} (${journey.weighting} weighting): ${situation.name}`,
    interval: '1m',
    input_series: input,
    promql_expr_test: checks,
    ...(alerts.length ? { alert_rule_test: alerts } : {}),
  };
}

export function journeyTestGroups(model: Model): TestGroup[] {
  return model.journeys.flatMap((j) => situations(model, j).map((s) => testGroup(model, j, s)));
}

export function journeyTestFileText(tests: readonly TestGroup[]): string {
  return toYaml(
    { rule_files: [`../rules/${journeyPaths.rules.replace(/^.*\//, '')}`], evaluation_interval: '1m', tests },
    `${GENERATED_HEADER}\nRun: promtool test rules ${journeyPaths.tests.replace(/^prometheus\//, '')}`,
  );
}
