/**
 * Alert rules for one SLI: one rule per window pair of its policy (so a responder sees which
 * pair fired), a traffic-cessation ticket and a budget-exhausted ticket. Each alert comes with
 * a function that renders its labels and annotations the way Prometheus will, which the
 * generated promtool tests use as their expectations.
 */
import { formatNumber, formatPercent } from '../model/decimal.js';
import { causeAlertsQuery, heldBackDependents } from './alertmanager/inhibition.js';
import type { BurnAlert, Model, Service, Sli } from '../model/types.js';
import { alertNames, BURN_TIER_LABEL, dashboardLabelVars, dashboardUrl, runbookAnchors, runbookUrl, series } from '../naming.js';
import { formatSeconds, type Duration } from '../model/duration.js';
import { goTemplate, renderedValues, templateText, type TemplateValues } from './annotation-values.js';
import type { AlertingRule } from './rule-types.js';
import { sliIdentity, sliMatchers } from './sli-selector.js';
import { familyOf, planWindows, readSeries } from './window-plan.js';

/**
 * Added to every ratio threshold: at exactly the threshold, float rounding (1 - 0.99 is not
 * 0.01) must not decide whether an alert fires. Far below any meaningful error ratio.
 */
export const RATIO_EPSILON = '1e-12';

/** A ratio above a threshold, robust to float rounding at exactly the threshold. */
export function above(threshold: number): string {
  return `> ${formatNumber(threshold)} + ${RATIO_EPSILON}`;
}

/**
 * Annotations that depend on the rest of the catalog (who depends on the service), not on the
 * SLI alone: a rule shape cannot have them, so they are proven by the SLI's own tests.
 */
export const CATALOG_CONTEXT_ANNOTATIONS = ['dependents', 'likely_cause'] as const;

/**
 * The alerts that name a paging dependency as their likely cause: the burn pages a dependency's
 * page holds back (see alertmanager/inhibition.ts). Tickets, held back too, do without: the
 * annotation is a query template of some 400 bytes, which on every ticket grew the rule files
 * of a large catalog by a tenth.
 */
const namesLikelyCause = (kind: AlertKind, severity: string | undefined) => kind === 'burn' && severity === 'critical';


export type AlertKind = 'burn' | 'low-traffic' | 'traffic-cessation' | 'vanished' | 'budget-exhausted';

/** Bad events a low-traffic window must hold before its ticket fires: more than one stray failure. */
export const LOW_TRAFFIC_MIN_BAD_EVENTS = 2;

export interface AlertDef {
  readonly kind: AlertKind;
  /** The policy row, for burn alerts. */
  readonly burn?: BurnAlert;
  readonly family: 'fast' | 'slow';
  readonly rule: AlertingRule;
  readonly anchor: string;
  /** Labels of the alert for a series with these labels. */
  expectedLabels(seriesLabels: Readonly<Record<string, string>>): Record<string, string>;
  /** Labels and annotations as Prometheus renders them for a series with these labels and value. */
  expected(seriesLabels: Readonly<Record<string, string>>, value?: number): { labels: Record<string, string>; annotations: Record<string, string> };
}

function alertLabels(service: Service, sli: Sli, severity: string, long: string, short: string): Record<string, string> {
  return { severity, team: sli.team.name, ...sliIdentity(service, sli), long, short };
}

/** The catalog's own labels of an alert of this severity (on every alert, then per severity). */
function extraLabels(sli: Sli, severity: string): Record<string, string> {
  const bySeverity = severity === 'critical' ? sli.alerting.page : sli.alerting.ticket;
  return { ...sli.alerting.all.labels, ...bySeverity.labels };
}

/** The page row the low-traffic ticket stands in for: the longest page window; none when the SLI never pages. */
function lowTrafficRow(sli: Sli): BurnAlert | undefined {
  const pages = sli.alerts.filter((a) => a.declaredSeverity === 'critical');
  return [...pages].sort((x, y) => y.long.seconds - x.long.seconds)[0];
}

/** Each kind's own labels, shared by the rules and by what Alertmanager is tested on (alertLabelSets). */
const kindLabels = {
  burn: (service: Service, sli: Sli, a: BurnAlert) => ({ ...alertLabels(service, sli, a.severity, a.long.text, a.short.text), [BURN_TIER_LABEL]: a.name }),
  lowTraffic: (service: Service, sli: Sli, a: BurnAlert) => alertLabels(service, sli, 'warning', a.long.text, a.long.text),
  trafficCessation: (service: Service, sli: Sli) => alertLabels(service, sli, 'warning', sli.trafficCessation.baseline.text, sli.trafficCessation.silence.text),
  vanished: (service: Service, sli: Sli) =>
    alertLabels(service, sli, sli.alerts.some((a) => a.severity === 'critical') ? 'critical' : 'warning', sli.trafficCessation.baseline.text, sli.evaluation.rawWindow.text),
  budgetExhausted: (service: Service, sli: Sli) => alertLabels(service, sli, 'warning', sli.period.text, sli.period.text),
};

/** An alert as Alertmanager sees it: its name and labels, without the expressions and annotations that are costly to build. */
export interface AlertLabelSet {
  readonly kind: AlertKind;
  readonly burn?: BurnAlert;
  readonly name: string;
  readonly severity: string;
  /** Labels of the alert for a series with these labels (what AlertDef.expectedLabels gives). */
  expectedLabels(seriesLabels: Readonly<Record<string, string>>): Record<string, string>;
}

/** The SLI's alerts in alertDefs' order, names and labels only. */
export function alertLabelSets(model: Model, service: Service, sli: Sli): AlertLabelSet[] {
  const s = model.settings;
  const set = (kind: AlertKind, name: string, labels: Record<string, string>, burn?: BurnAlert): AlertLabelSet => {
    const extras = extraLabels(sli, labels.severity!);
    return { kind, ...(burn ? { burn } : {}), name, severity: labels.severity!, expectedLabels: (seriesLabels) => ({ ...seriesLabels, ...labels, ...extras }) };
  };
  if (sli.experimental) return [];
  const low = lowTrafficRow(sli);
  return [
    ...sli.alerts.map((a) => set('burn', alertNames.burn(s, a), kindLabels.burn(service, sli, a), a)),
    ...(low ? [set('low-traffic', alertNames.lowTraffic(s), kindLabels.lowTraffic(service, sli, low), low)] : []),
    ...(sli.cessationAlert ? [set('traffic-cessation', alertNames.trafficCessation(s), kindLabels.trafficCessation(service, sli))] : []),
    set('vanished', alertNames.vanished(s), kindLabels.vanished(service, sli)),
    set('budget-exhausted', alertNames.budgetExhausted(s), kindLabels.budgetExhausted(service, sli)),
  ];
}

/** How far back an alert's dashboard link opens: twice its long window, at least 6 hours. */
export function dashboardFrom(seconds: number): string {
  return `now-${formatSeconds(Math.max(6 * 3600, 2 * seconds))}`;
}

function build(
  model: Model,
  service: Service,
  sli: Sli,
  spec: Omit<AlertDef, 'rule' | 'expected' | 'expectedLabels'> & {
    name: string;
    expr: string;
    labels: Record<string, string>;
    dashboardSeconds: number;
    summary: string;
    description: (t: TemplateValues) => string;
  },
): AlertDef {
  // A burn page of a service others depend on holds their alerts back (alertmanager/inhibition.ts): it names them.
  const held = spec.kind === 'burn' && spec.labels.severity === 'critical' ? heldBackDependents(model, service.name).map((s) => s.name) : [];
  const deps = namesLikelyCause(spec.kind, spec.labels.severity) ? service.dependencies : [];
  const where = model.settings.aggregationLabels;
  const cause = causeAlertsQuery(model, deps.map((name) => ({ name })), where.map((l) => `${l}=%q`));
  const annotations = (t: TemplateValues) => ({
    summary: spec.summary,
    ...(held.length ? { dependents: `${held.join(', ')} depend on ${service.name}: while this page fires, their burn alerts are held back as likely caused by it.` } : {}),
    // Which dependency pages now, in the alert's own place: read when the alert is evaluated.
    ...(deps.length ? { likely_cause: t.servicesFound(`count by (service) (${cause})`, where, 'dependency paging: ', `no dependency paging (${deps.join(', ')})`) } : {}),
    description: spec.description(t),
    runbook_url: runbookUrl(model.settings, service, spec.anchor),
    dashboard_url: dashboardUrl(model.settings, service, {
      from: dashboardFrom(spec.dashboardSeconds),
      sli: sli.name,
      templatedVars: dashboardLabelVars(model.settings),
      labelValue: t.labelForUrl,
    }),
  });
  // The catalog's own labels and annotations: on every alert, then those for its severity.
  const bySeverity = spec.labels.severity === 'critical' ? sli.alerting.page : sli.alerting.ticket;
  const extras = {
    labels: extraLabels(sli, spec.labels.severity!),
    annotations: { ...sli.alerting.all.annotations, ...bySeverity.annotations },
  };
  return {
    kind: spec.kind,
    ...(spec.burn ? { burn: spec.burn } : {}),
    family: spec.family,
    anchor: spec.anchor,
    rule: { alert: spec.name, expr: spec.expr, labels: { ...spec.labels, ...templateText(extras.labels) }, annotations: { ...annotations(goTemplate), ...templateText(extras.annotations) } },
    expectedLabels: (seriesLabels) => ({ ...seriesLabels, ...spec.labels, ...extras.labels }),
    expected: (seriesLabels, value) => ({
      labels: { ...seriesLabels, ...spec.labels, ...extras.labels },
      annotations: { ...annotations(renderedValues(value, seriesLabels)), ...extras.annotations },
    }),
  };
}

/** Humane "about 2.1 days": how long a period's budget lasts at a burn-rate factor. */
export function budgetLasts(period: Sli['period'], factor: number): string {
  const hours = period.seconds / factor / 3600;
  if (hours < 48) return `about ${Number(hours.toPrecision(2))} hours`;
  return `about ${Number((hours / 24).toPrecision(2))} days`;
}

/** What a bad event of the SLI is, in words: "failed", "slower than 1s". */
export function badMeans(sli: Sli): string {
  const ev = sli.events;
  if (ev.type !== 'histogram') return 'failed';
  const apdex = ev.parts[0]!.tolerated !== undefined;
  const limits = ev.parts.map((p) => (apdex ? `${formatNumber(p.satisfied)}s/${formatNumber(p.tolerated!)}s` : `${formatNumber(p.satisfied)}s`));
  const first = ev.parts[0]!;
  if (new Set(limits).size === 1) return apdex ? `over ${formatNumber(first.satisfied)}s, counted half up to ${formatNumber(first.tolerated!)}s` : `slower than ${limits[0]}`;
  // A combined SLI whose histograms have thresholds of their own, in the catalog's order (no
  // metric names: the words are its rule shape's too, see shape.ts).
  const each = limits.join(', ');
  return apdex ? `over each histogram's satisfied, counted half up to its tolerated (${each})` : `slower than each histogram's threshold (${each})`;
}

/**
 * Share of a fast window's events that its recorded pieces are sure to count: a raw rate
 * extrapolates at most 5/4 over the intervals it sees (scrapes at most a minute apart in a 5m
 * window), and an average of raw rates weighs each interval it covers at least 4/5.
 */
export const RAW_RATE_CERTAINTY = 0.8;


/**
 * The fast branch of a pair whose short window is the raw window and whose long window is an
 * average of raw rates: bad events it is sure of in the short window over at most all events
 * of the long window. The long total is bounded from above by its average (every covered
 * interval weighed at least 4/5 after scaling) plus the raw windows at both of its ends, which
 * its averaged edges under-weigh. So the branch never exceeds the exact long-window ratio,
 * whatever the shape of the traffic, and it reacts as fast as the short window.
 */
function fastBranch(sli: Sli, a: BurnAlert, sel: string): string | undefined {
  const R = sli.evaluation.rawWindow;
  const plan = planWindows(sli).find((p) => p.window.seconds === a.long.seconds);
  if (a.short.seconds !== R.seconds || !plan?.span || plan.family !== 'fast') return undefined;
  const c = RAW_RATE_CERTAINTY;
  const far = `${series.totalRate(R)}${sel} offset ${formatSeconds(a.long.seconds - R.seconds)}`;
  const totalUpper = [
    `${series.totalRate(a.long)}${sel} * ${a.long.seconds - R.seconds}`,
    `${series.totalRate(R)}${sel} * ${R.seconds}`,
    `(${far} or 0 * ${series.totalRate(R)}${sel}) * ${R.seconds}`,
  ].join(' + ');
  return `(${formatNumber(c * c)} * ${series.badRate(R)}${sel} * ${R.seconds} / (${totalUpper}) ${above(a.threshold)})`;
}

export function burnAlertDefs(model: Model, service: Service, sli: Sli): AlertDef[] {
  const sel = sliMatchers(service, sli);
  return sli.alerts.map((a) => {
    const gt = above(a.threshold);
    // Pages are evaluated at the fast interval whatever their windows: a slow group would add
    // up to its interval to detection. Tickets can wait for their long window's group.
    const family = a.declaredSeverity === 'critical' || familyOf(sli, a.long) !== 'slow' ? 'fast' : 'slow';
    const read = (name: string, w: Duration) => readSeries(sli, name, sel, w, family);
    const longRatio = `(${read(series.errorRatio(a.long), a.long)} ${gt})`;
    const branch = fastBranch(sli, a, sel);
    const expr = [
      `(${read(series.errorRatio(a.short), a.short)} ${gt})`,
      'and',
      ...(branch
        ? [
            '(',
            `  ${longRatio}`,
            'or',
            '  # Bad events the short window is sure of over at most every event of the long window: never',
            '  # above the exact long-window ratio, and as fast as the short window while the average catches up.',
            `  ${branch}`,
            ')',
          ]
        : [longRatio]),
      'and',
      `(${read(series.totalRate(a.long), a.long)} * ${a.long.seconds} >= ${sli.minEvents})`,
    ].join('\n');
    return build(model, service, sli, {
      kind: 'burn',
      burn: a,
      family,
      anchor: runbookAnchors.burn(sli, a),
      name: alertNames.burn(model.settings, a),
      expr,
      // burn_tier names the policy row: unlike long and short, it stays put when a window is retuned.
      labels: kindLabels.burn(service, sli, a),
      dashboardSeconds: a.long.seconds,
      summary: `The ${sli.name} SLI of ${service.name} is burning its error budget ${formatNumber(a.factor)} times faster than sustainable.`,
      description: (v) =>
        `${v.percent()} of ${sli.name} events were bad (${badMeans(sli)}) over the last ${a.short.text}, and above ${formatPercent(a.threshold)} over ${a.long.text}: ` +
        `${formatNumber(a.factor)}x the ${formatPercent(sli.errorBudget)} error budget of the ${formatPercent(sli.objective)} objective. ` +
        `At this rate the ${sli.period.text} budget is gone in ${budgetLasts(sli.period, a.factor)}; this alert fires once ${formatPercent(a.budgetSpent)} of it is spent.`,
    });
  });
}

/**
 * The page rows stay quiet while their long window holds fewer than min_events events. This
 * ticket says what they would have said: over the longest page window, a ratio above that
 * page's threshold, on too few events to page, with at least two of them bad.
 */
export function lowTrafficDef(model: Model, service: Service, sli: Sli): AlertDef | undefined {
  const a = lowTrafficRow(sli);
  if (!a) return undefined;
  const sel = sliMatchers(service, sli);
  const L = a.long;
  const family = familyOf(sli, L) === 'slow' ? 'slow' : 'fast';
  const read = (name: string) => readSeries(sli, name, sel, L, family);
  const expr = [
    `(${read(series.errorRatio(L))} ${above(a.threshold)})`,
    'and',
    `(${read(series.totalRate(L))} * ${L.seconds} < ${sli.minEvents})`,
    'and',
    `(${read(series.badRate(L))} * ${L.seconds} >= ${LOW_TRAFFIC_MIN_BAD_EVENTS})`,
  ].join('\n');
  return build(model, service, sli, {
    kind: 'low-traffic',
    burn: a,
    family,
    anchor: runbookAnchors.lowTraffic(sli),
    name: alertNames.lowTraffic(model.settings),
    expr,
    labels: kindLabels.lowTraffic(service, sli, a),
    dashboardSeconds: L.seconds,
    summary: `The ${sli.name} SLI of ${service.name} is failing on traffic too low to page.`,
    description: (v) =>
      `${v.percent()} of ${sli.name} events were bad (${badMeans(sli)}) over the last ${L.text}, above the ${formatPercent(a.threshold)} that pages, ` +
      `but on fewer than ${sli.minEvents} events, too few to page on. Look at the failures during working hours.`,
  });
}

export function trafficCessationDef(model: Model, service: Service, sli: Sli): AlertDef {
  const sel = sliMatchers(service, sli);
  const tc = sli.trafficCessation;
  const family = familyOf(sli, tc.baseline) === 'slow' ? 'slow' : 'fast';
  const expr = [
    `(${readSeries(sli, series.totalRate(tc.baseline), sel, tc.baseline, family)} * ${tc.silence.seconds} >= ${tc.minExpectedEvents})`,
    'unless',
    `(${readSeries(sli, series.totalRate(tc.silence), sel, tc.silence, family)} > 0)`,
  ].join('\n');
  return build(model, service, sli, {
    kind: 'traffic-cessation',
    family,
    anchor: runbookAnchors.trafficCessation(sli),
    name: alertNames.trafficCessation(model.settings),
    expr,
    labels: kindLabels.trafficCessation(service, sli),
    dashboardSeconds: tc.baseline.seconds,
    summary: `The ${sli.name} SLI of ${service.name} has stopped receiving events.`,
    // No $value here: the baseline decays as the silence goes on, so the number says little.
    description: () =>
      `No ${sli.name} events in the last ${tc.silence.text}, although the ${tc.baseline.text} average predicted at least ${tc.minExpectedEvents}. ` +
      `The component may be down, unscraped, or no longer receiving traffic. A series that is gone for good stops this alert after ${tc.baseline.text}.`,
  });
}

/** Evaluations a vanished SLI must stay gone before it pages: longer than a Prometheus restart leaves rates empty. */
export const VANISHED_FOR_EVALUATIONS = 3;

/**
 * Every burn alert reads the raw-window ratio, which stops existing with the raw series: a
 * crash loop, a failed scrape or a deleted target silences them all. This alert pages (where
 * the SLI's burn rows page) when the raw-window rate is gone while the baseline, which
 * outlives it, still remembers enough traffic to expect events now. Raw series that exist
 * but count nothing keep the rate at 0 (that is cessation's job, not this one); an SLI that
 * never had traffic has no baseline; a retired one clears once the baseline has emptied.
 */
export function vanishedDef(model: Model, service: Service, sli: Sli): AlertDef {
  const sel = sliMatchers(service, sli);
  const tc = sli.trafficCessation;
  const R = sli.evaluation.rawWindow;
  // A grouped SLI's series are gone when every group of the place is: one group falling out of
  // the busiest max_values, or a route no longer called, leaves the others to measure the place.
  const place = sli.groupBy ? ` on (${model.settings.aggregationLabels.join(', ')})` : '';
  const expr = [
    `(${readSeries(sli, series.totalRate(tc.baseline), sel, tc.baseline, 'fast')} * ${tc.silence.seconds} >= ${tc.minExpectedEvents})`,
    `unless${place}`,
    `${series.totalRate(R)}${sel}`,
  ].join('\n');
  const forSeconds = VANISHED_FOR_EVALUATIONS * sli.evaluation.fastInterval.seconds;
  const def = build(model, service, sli, {
    kind: 'vanished',
    family: 'fast',
    anchor: runbookAnchors.vanished(sli),
    name: alertNames.vanished(model.settings),
    expr,
    labels: kindLabels.vanished(service, sli),
    dashboardSeconds: tc.baseline.seconds,
    summary: `The ${sli.name} SLI of ${service.name} has no series left to measure.`,
    description: () =>
      `The series behind ${sli.name} are gone: its ${R.text} rate has not existed for ${formatSeconds(forSeconds)}, although the last ${tc.baseline.text} predicted at least ${tc.minExpectedEvents} events in ${tc.silence.text}. ` +
      'Every burn-rate alert of this SLI is blind until they return: check the scrape target (up), the pods and the last deploy.',
  });
  return { ...def, rule: { ...def.rule, for: formatSeconds(forSeconds) } };
}

export function budgetExhaustedDef(model: Model, service: Service, sli: Sli): AlertDef {
  const sel = sliMatchers(service, sli);
  const expr = [
    `(${series.errorRatio(sli.period)}${sel} ${above(sli.errorBudget)})`,
    'and',
    `(${series.totalRate(sli.period)}${sel} * ${sli.period.seconds} >= ${sli.minEvents})`,
  ].join('\n');
  return build(model, service, sli, {
    kind: 'budget-exhausted',
    family: 'slow',
    anchor: runbookAnchors.budgetExhausted(sli),
    name: alertNames.budgetExhausted(model.settings),
    expr,
    labels: kindLabels.budgetExhausted(service, sli),
    dashboardSeconds: sli.period.seconds / 2,
    summary: `The ${sli.name} SLI of ${service.name} has used up its error budget for the period.`,
    description: (v) =>
      `${v.percent()} of ${sli.name} events were bad (${badMeans(sli)}) over the last ${sli.period.text}; the ${formatPercent(sli.objective)} objective allows ${formatPercent(sli.errorBudget)}. ` +
      'Prefer reliability work over risky changes until the budget recovers.',
  });
}

/** The SLI's alerts, in the order of alertLabelSets: none for an experimental SLI, no cessation ticket where it is switched off. */
export function alertDefs(model: Model, service: Service, sli: Sli): AlertDef[] {
  if (sli.experimental) return [];
  const lowTraffic = lowTrafficDef(model, service, sli);
  return [
    ...burnAlertDefs(model, service, sli),
    ...(lowTraffic ? [lowTraffic] : []),
    ...(sli.cessationAlert ? [trafficCessationDef(model, service, sli)] : []),
    vanishedDef(model, service, sli),
    budgetExhaustedDef(model, service, sli),
  ];
}
