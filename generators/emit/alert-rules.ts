/**
 * Alert rules for one SLI: one rule per window pair of its policy (so a responder sees which
 * pair fired), a traffic-cessation ticket and a budget-exhausted ticket. Each alert comes with
 * a function that renders its labels and annotations the way Prometheus will, which the
 * generated promtool tests use as their expectations.
 */
import { formatNumber, formatPercent } from '../model/decimal.js';
import type { BurnAlert, Model, Service, Sli } from '../model/types.js';
import { alertNames, dashboardLabelVars, dashboardUrl, runbookAnchors, runbookUrl, series } from '../naming.js';
import { formatSeconds } from '../model/duration.js';
import { goTemplate, renderedValues, templateText, type TemplateValues } from './annotation-values.js';
import type { AlertingRule } from './rule-types.js';
import { sliIdentity, sliMatchers } from './sli-selector.js';
import { familyOf } from './window-plan.js';

/**
 * Added to every ratio threshold: at exactly the threshold, float rounding (1 - 0.99 is not
 * 0.01) must not decide whether an alert fires. Far below any meaningful error ratio.
 */
export const RATIO_EPSILON = '1e-12';

function above(threshold: number): string {
  return `> ${formatNumber(threshold)} + ${RATIO_EPSILON}`;
}

export type AlertKind = 'burn' | 'low-traffic' | 'traffic-cessation' | 'budget-exhausted';

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
  return { severity, team: service.team.name, ...sliIdentity(service, sli), long, short };
}

function dashboardFrom(seconds: number): string {
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
  const annotations = (t: TemplateValues) => ({
    summary: spec.summary,
    description: spec.description(t),
    runbook_url: runbookUrl(model.settings, service, spec.anchor),
    dashboard_url: dashboardUrl(model.settings, service, {
      from: dashboardFrom(spec.dashboardSeconds),
      sli: sli.name,
      templatedVars: dashboardLabelVars(model.settings),
    }).replace(/\{\{ \$labels\.(\w+) \| urlquery \}\}/g, (_, name: string) => t.labelForUrl(name)),
  });
  // The catalog's own labels and annotations: on every alert, then those for its severity.
  const bySeverity = spec.labels.severity === 'critical' ? sli.alerting.page : sli.alerting.ticket;
  const extras = {
    labels: { ...sli.alerting.all.labels, ...bySeverity.labels },
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
  if (ev.tolerated === undefined) return `slower than ${formatNumber(ev.satisfied)}s`;
  return `over ${formatNumber(ev.satisfied)}s, counted half up to ${formatNumber(ev.tolerated)}s`;
}

export function burnAlertDefs(model: Model, service: Service, sli: Sli): AlertDef[] {
  const sel = sliMatchers(service, sli);
  return sli.alerts.map((a) => {
    const gt = above(a.threshold);
    const expr = [
      `(${series.errorRatio(a.short)}${sel} ${gt})`,
      'and',
      '(',
      `  (${series.errorRatio(a.long)}${sel} ${gt})`,
      'or',
      `  # Bad events of the short window over all events of the long window: a lower bound of the`,
      `  # long-window ratio that reacts as fast as the short window while the derived ratio catches up.`,
      `  (${series.badRate(a.short)}${sel} * ${a.short.seconds} / (${series.totalRate(a.long)}${sel} * ${a.long.seconds}) ${gt})`,
      ')',
      'and',
      `(${series.totalRate(a.long)}${sel} * ${a.long.seconds} >= ${sli.minEvents})`,
    ].join('\n');
    return build(model, service, sli, {
      kind: 'burn',
      burn: a,
      // Pages are evaluated at the fast interval whatever their windows: a slow group would add
      // up to its interval to detection. Tickets can wait for their long window's group.
      family: a.declaredSeverity === 'critical' || familyOf(sli, a.long) !== 'slow' ? 'fast' : 'slow',
      anchor: runbookAnchors.burn(sli, a),
      name: alertNames.burn(model.settings, a),
      expr,
      labels: alertLabels(service, sli, a.severity, a.long.text, a.short.text),
      dashboardSeconds: a.long.seconds,
      summary: `The ${sli.name} SLI of ${service.name} is burning its error budget ${formatNumber(a.factor)} times faster than sustainable.`,
      description: (v) =>
        `${v.percent()} of ${sli.name} events were bad (${badMeans(sli)}) over the last ${a.short.text}, and at least ${formatPercent(a.threshold)} over ${a.long.text}: ` +
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
  const pages = sli.alerts.filter((a) => a.declaredSeverity === 'critical');
  if (!pages.length) return undefined;
  const a = [...pages].sort((x, y) => y.long.seconds - x.long.seconds)[0]!;
  const sel = sliMatchers(service, sli);
  const L = a.long;
  const expr = [
    `(${series.errorRatio(L)}${sel} ${above(a.threshold)})`,
    'and',
    `(${series.totalRate(L)}${sel} * ${L.seconds} < ${sli.minEvents})`,
    'and',
    `(${series.badRate(L)}${sel} * ${L.seconds} >= ${LOW_TRAFFIC_MIN_BAD_EVENTS})`,
  ].join('\n');
  return build(model, service, sli, {
    kind: 'low-traffic',
    burn: a,
    family: familyOf(sli, L) === 'slow' ? 'slow' : 'fast',
    anchor: runbookAnchors.lowTraffic(sli),
    name: alertNames.lowTraffic(model.settings),
    expr,
    labels: alertLabels(service, sli, 'warning', L.text, L.text),
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
  const expr = [
    `(${series.totalRate(tc.baseline)}${sel} * ${tc.silence.seconds} >= ${tc.minExpectedEvents})`,
    'unless',
    `(${series.totalRate(tc.silence)}${sel} > 0)`,
  ].join('\n');
  return build(model, service, sli, {
    kind: 'traffic-cessation',
    family: familyOf(sli, tc.baseline) === 'slow' ? 'slow' : 'fast',
    anchor: runbookAnchors.trafficCessation(sli),
    name: alertNames.trafficCessation(model.settings),
    expr,
    labels: alertLabels(service, sli, 'warning', tc.baseline.text, tc.silence.text),
    dashboardSeconds: tc.baseline.seconds,
    summary: `The ${sli.name} SLI of ${service.name} has stopped receiving events.`,
    // No $value here: the baseline decays as the silence goes on, so the number says little.
    description: () =>
      `No ${sli.name} events in the last ${tc.silence.text}, although the ${tc.baseline.text} average predicted at least ${tc.minExpectedEvents}. ` +
      `The component may be down, unscraped, or no longer receiving traffic. A series that is gone for good stops this alert after ${tc.baseline.text}.`,
  });
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
    labels: alertLabels(service, sli, 'warning', sli.period.text, sli.period.text),
    dashboardSeconds: sli.period.seconds / 2,
    summary: `The ${sli.name} SLI of ${service.name} has used up its error budget for the period.`,
    description: (v) =>
      `${v.percent()} of ${sli.name} events were bad (${badMeans(sli)}) over the last ${sli.period.text}; the ${formatPercent(sli.objective)} objective allows ${formatPercent(sli.errorBudget)}. ` +
      'Prefer reliability work over risky changes until the budget recovers.',
  });
}

export function alertDefs(model: Model, service: Service, sli: Sli): AlertDef[] {
  const lowTraffic = lowTrafficDef(model, service, sli);
  return [...burnAlertDefs(model, service, sli), ...(lowTraffic ? [lowTraffic] : []), trafficCessationDef(model, service, sli), budgetExhaustedDef(model, service, sli)];
}
