/**
 * Saturation rules of one service: per resource, a recording rule (utilisation of the worst
 * instance, clamped to 0–1), a ticket above the soft threshold, a page above the hard one, and
 * a capacity forecast ticket when last week's trend crosses the hard threshold within the
 * horizon. Like the SLO alerts, each alert can render its labels and annotations the way
 * Prometheus will, for the generated promtool tests.
 */
import { formatNumber, formatPercent } from '../model/decimal.js';
import { formatSeconds } from '../model/duration.js';
import type { Model, SaturationResource, Service } from '../model/types.js';
import { alertNames, dashboardLabelVars, dashboardUrl, runbookAnchors, runbookUrl, SATURATION_LABELS, series, type SaturationLevel } from '../naming.js';
import { byClause, matchersText, selectorText } from '../promql/escape.js';
import { goTemplate, renderedValues, templateText, type TemplateValues } from './annotation-values.js';
import type { Block } from './rule-groups.js';
import type { AlertingRule, RecordingRule } from './rule-types.js';

/** A forecast needs this much history of the recorded series: a trend from a few hours of data is noise. */
export const FORECAST_MIN_HISTORY_SECONDS = 86_400;
/** How long a forecast must hold before it fires: a deploy's transient climb is not a trend. */
export const FORECAST_FOR = '1h';

export function saturationIdentity(service: Service, r: SaturationResource): Record<string, string> {
  return { [SATURATION_LABELS.service]: service.name, [SATURATION_LABELS.resource]: r.name };
}

export function saturationSelector(service: Service, r: SaturationResource): string {
  return `${series.saturation}${matchersText(Object.entries(saturationIdentity(service, r)).map(([label, value]) => ({ label, op: '=' as const, value })))}`;
}

/** Per-instance utilisation (before the worst instance is taken), grouped by `by` and the catalog's aggregation labels. */
export function instanceUtilisation(model: Model, r: SaturationResource, rateWindow = r.rateWindow.text): string {
  const by = byClause([...new Set([...r.by, ...model.settings.aggregationLabels])]);
  const read = (sel: string, counter: boolean) => (counter ? `rate(${sel}[${rateWindow}])` : sel);
  const usage = `sum${by} (${read(selectorText(r.usage), r.usageType === 'counter')})`;
  const c = r.capacity;
  const scale = r.capacityScale === 1 ? '' : ` * ${formatNumber(r.capacityScale)}`;
  const capacity =
    c.type === 'number'
      ? formatNumber(c.value * r.capacityScale)
      : c.type === 'count'
        ? `(count${by} (${selectorText(c.selector)})${scale} > 0)`
        : `(sum${by} (${read(selectorText(c.selector), c.type === 'counter')})${scale} > 0)`;
  const ratio = `${usage}\n/\n${capacity}`;
  return r.measures === 'free' ? `1 - (\n${ratio}\n)` : ratio;
}

export function saturationRecordingRule(model: Model, service: Service, r: SaturationResource): RecordingRule {
  const indent = (text: string) => text.split('\n').map((l) => `    ${l}`).join('\n');
  return {
    record: series.saturation,
    expr: `clamp(\n  max${byClause(model.settings.aggregationLabels)} (\n${indent(instanceUtilisation(model, r))}\n  ),\n  0, 1\n)`,
    labels: saturationIdentity(service, r),
  };
}

export interface SaturationAlertDef {
  readonly level: SaturationLevel;
  readonly resource: SaturationResource;
  readonly family: 'fast' | 'slow';
  readonly rule: AlertingRule;
  readonly anchor: string;
  expectedLabels(seriesLabels: Readonly<Record<string, string>>): Record<string, string>;
  expected(seriesLabels: Readonly<Record<string, string>>, value?: number): { labels: Record<string, string>; annotations: Record<string, string> };
}

interface Spec {
  readonly level: SaturationLevel;
  readonly severity: 'critical' | 'warning';
  readonly family: 'fast' | 'slow';
  readonly expr: string;
  readonly for: string;
  readonly dashboardFrom: string;
  readonly summary: (t: TemplateValues) => string;
  readonly description: (t: TemplateValues) => string;
}

function build(model: Model, service: Service, r: SaturationResource, spec: Spec): SaturationAlertDef {
  const anchor = runbookAnchors.saturation(r, spec.level);
  const labels = { severity: spec.severity, team: service.team.name, ...saturationIdentity(service, r) };
  const bySeverity = spec.severity === 'critical' ? service.alerting.page : service.alerting.ticket;
  const extras = {
    labels: { ...service.alerting.all.labels, ...bySeverity.labels },
    annotations: { ...service.alerting.all.annotations, ...bySeverity.annotations },
  };
  const annotations = (t: TemplateValues) => ({
    summary: spec.summary(t),
    description: spec.description(t),
    runbook_url: runbookUrl(model.settings, service, anchor),
    dashboard_url: dashboardUrl(model.settings, service, { from: spec.dashboardFrom, templatedVars: dashboardLabelVars(model.settings), labelValue: t.labelForUrl }),
  });
  return {
    level: spec.level,
    resource: r,
    family: spec.family,
    anchor,
    rule: {
      alert: alertNames.saturation(model.settings, spec.level),
      expr: spec.expr,
      for: spec.for,
      labels: { ...labels, ...templateText(extras.labels) },
      annotations: { ...annotations(goTemplate), ...templateText(extras.annotations) },
    },
    expectedLabels: (seriesLabels) => ({ ...seriesLabels, ...labels, ...extras.labels }),
    expected: (seriesLabels, value) => ({
      labels: { ...seriesLabels, ...labels, ...extras.labels },
      annotations: { ...annotations(renderedValues(value, seriesLabels)), ...extras.annotations },
    }),
  };
}

export function saturationAlertDefs(model: Model, service: Service, r: SaturationResource): SaturationAlertDef[] {
  const sel = saturationSelector(service, r);
  const history = formatSeconds(Math.min(FORECAST_MIN_HISTORY_SECONDS, r.forecastLookback.seconds / 2));
  // The ticket and the page differ only in their threshold, their wait and what to do.
  const above = (level: 'high' | 'critical', which: 'soft' | 'hard', threshold: number, after: SaturationResource['warnAfter'], advice: string) =>
    build(model, service, r, {
      level,
      severity: level === 'critical' && service.pages ? 'critical' : 'warning',
      family: 'fast',
      expr: `${sel} > ${formatNumber(threshold)}`,
      for: after.text,
      dashboardFrom: 'now-6h',
      summary: (v) => `Saturation of ${v.literal(r.title)} in ${service.name} is above its ${which} threshold of ${formatPercent(threshold)}.`,
      description: (v) => `${v.literal(r.title)} (${r.name}) is at ${v.percent()} on the busiest instance of ${service.name}, above ${formatPercent(threshold)} for ${after.text}. ${advice}`,
    });
  return [
    above('high', 'soft', r.soft, r.warnAfter, `It pages at ${formatPercent(r.hard)}; plan capacity now, while there is time.`),
    above('critical', 'hard', r.hard, r.pageAfter, 'Requests fail or slow down when it runs out; add capacity or shed load now.'),
    build(model, service, r, {
      level: 'forecast',
      severity: 'warning',
      family: 'slow',
      expr: [
        `(predict_linear(${sel}[${r.forecastLookback.text}], ${r.forecast.seconds}) > ${formatNumber(r.hard)})`,
        'and',
        `(${sel} <= ${formatNumber(r.hard)})`,
        'and',
        `# At least ${history} of history: a trend of a few hours is noise.`,
        `(${sel} offset ${history})`,
      ].join('\n'),
      for: FORECAST_FOR,
      dashboardFrom: `now-${r.forecastLookback.text}`,
      summary: (v) => `Saturation of ${v.literal(r.title)} in ${service.name} is on course to reach its hard threshold within ${r.forecast.text}.`,
      // No $value: the forecast value is a projection, and the threshold and horizon say what matters.
      description: (v) =>
        `At the trend of the last ${r.forecastLookback.text}, ${v.literal(r.title)} (${r.name}) on the busiest instance of ${service.name} reaches ${formatPercent(r.hard)} within ${r.forecast.text}. ` +
        'Add capacity in the next maintenance window; see the runbook for how.',
    }),
  ];
}

/** Rule blocks of every resource of the service: recording and threshold alerts fast, forecasts slow. */
export function saturationBlocks(model: Model, service: Service): { blocks: Block[]; alerts: SaturationAlertDef[] } {
  const blocks: Block[] = [];
  const alerts: SaturationAlertDef[] = [];
  for (const r of service.saturation) {
    const defs = saturationAlertDefs(model, service, r);
    alerts.push(...defs);
    blocks.push({ interval: r.evaluation.fastInterval.text, rules: [saturationRecordingRule(model, service, r), ...defs.filter((d) => d.family === 'fast').map((d) => d.rule)] });
    blocks.push({ interval: r.evaluation.slowInterval.text, rules: defs.filter((d) => d.family === 'slow').map((d) => d.rule) });
  }
  return { blocks, alerts };
}
