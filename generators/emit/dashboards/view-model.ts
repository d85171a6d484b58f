/**
 * What the jsonnet dashboard templates receive: the model with every PromQL query already
 * built (by the same builders as the rules, so escaping lives in one place) and every
 * link already resolved. The templates only lay panels out.
 */
import { formatNumber, formatPercent } from '../../model/decimal.js';
import type { Duration } from '../../model/duration.js';
import type { Matcher, Model, SaturationResource, Service, Sli } from '../../model/types.js';
import { saturationIdentity } from '../saturation-rules.js';
import { WEIGHTING_TEXT } from '../../model/journeys.js';
import { alertNames, CURRENT_WINDOW, dashboardLabelVars, dashboardUid, journeyPaths, JOURNEY_LABEL, journeySeries, REPORT_OBJECTIVE_LABEL, runbookFileUrl, series, SLI_LABELS, VERSION_LABEL } from '../../naming.js';
import { matchersText, selectorText } from '../../promql/escape.js';
import { eventRates } from '../../promql/sli-events.js';

export const OVERVIEW_UID = 'slokit-slo-overview';
export const UPGRADES_UID = 'slokit-upgrades';
export const RATE_INTERVAL = '$__rate_interval';

/** The same variables the alerts' dashboard_url sets, so those links always land on real variables. */
function variables(model: Model) {
  return dashboardLabelVars(model.settings);
}

/** Matchers that apply the dashboard's environment and cluster variables. */
function variableMatchers(model: Model): Matcher[] {
  return variables(model).map((v) => ({ label: v.labelName, op: '=~', value: `$${v.name}` }));
}

/** The `sli` variable narrows a service dashboard to the SLIs an alert link names. */
const SLI_VARIABLE: Matcher = { label: SLI_LABELS.sli, op: '=~', value: '$sli' };

function recorded(name: string, model: Model, service: Service, sli?: Sli, more: readonly Matcher[] = []): string {
  const m: Matcher[] = [{ label: SLI_LABELS.service, op: '=', value: service.name }];
  if (sli) m.push({ label: SLI_LABELS.sli, op: '=', value: sli.name }, SLI_VARIABLE);
  return `${name}${matchersText([...m, ...more, ...variableMatchers(model)])}`;
}

function sliQueries(model: Model, service: Service, sli: Sli) {
  const vars = variableMatchers(model);
  const by = sli.significantLabels;
  const drill = eventRates(sli, RATE_INTERVAL, by, vars);
  const whole = eventRates(sli, RATE_INTERVAL, [], vars);
  const windows = new Map<number, Duration>();
  for (const a of sli.alerts) windows.set(a.long.seconds, a.long);
  const ev = sli.events;
  const latency =
    ev.type === 'histogram'
      ? // Quantiles of each histogram: a combined SLI's histograms have buckets (and thresholds) of their own.
        ev.parts.flatMap((p) =>
          [0.5, 0.9, 0.99].map((q) => ({
            legend: `p${Math.round(q * 100)}${ev.parts.length > 1 ? ` ${p.histogram.metric}` : ''}`,
            expr: `histogram_quantile(${q}, sum by (le) (rate(${selectorText(p.histogram, vars, '_bucket')}[${RATE_INTERVAL}])))`,
          })),
        )
      : [];
  return {
    good: `1 - ${recorded(series.errorRatio(CURRENT_WINDOW), model, service, sli)}`,
    budgetRemaining: recorded(series.budgetRemaining, model, service, sli),
    // The budget left against each report objective, beside the one that alerts.
    reportBudgets: sli.reportObjectives.map((o) => ({
      legend: `${o.name} (${formatPercent(o.objective)})`,
      expr: recorded(series.reportBudgetRemaining, model, service, sli, [{ label: REPORT_OBJECTIVE_LABEL, op: '=', value: o.name }]),
    })),
    burnRates: [...windows.values()]
      .sort((a, b) => a.seconds - b.seconds)
      .map((w) => ({ window: w.text, expr: recorded(series.burnRate(w), model, service, sli) })),
    requestRate: drill.total,
    requestRateTotal: whole.total,
    errorRatio: `(${drill.bad})\n/\n(${drill.total})`,
    errorRatioTotal: `(${whole.bad})\n/\n(${whole.total})`,
    latency,
    firing: `sum by (alertname, severity, long, short) (ALERTS${matchersText([
      { label: 'alertstate', op: '=', value: 'firing' },
      { label: SLI_LABELS.service, op: '=', value: service.name },
      { label: SLI_LABELS.sli, op: '=', value: sli.name },
      SLI_VARIABLE,
    ])})`,
  };
}

/** The one value all of `values` are, or null. */
const shared = (values: readonly number[]): number | null => (values.every((v) => v === values[0]) ? values[0]! : null);

function sliView(model: Model, service: Service, sli: Sli) {
  const ev = sli.events;
  return {
    name: sli.name,
    description: sli.description,
    kind: sli.kind,
    objective: sli.objective,
    objectiveText: `${formatNumber(sli.objective * 100)}%`,
    period: sli.period.text,
    userFacing: sli.userFacing,
    significantLabels: sli.significantLabels,
    // A threshold line only where every histogram has the same one.
    latencyThreshold: ev.type === 'histogram' ? shared(ev.parts.map((p) => p.satisfied)) : null,
    apdexTolerated: ev.type === 'histogram' && ev.parts[0]!.tolerated !== undefined ? shared(ev.parts.map((p) => p.tolerated!)) : null,
    // An experimental SLI alerts at no factor: no threshold lines that say it would.
    pageFactors: sli.experimental ? [] : sli.alerts.filter((a) => a.severity === 'critical').map((a) => a.factor),
    ticketFactors: sli.experimental ? [] : sli.alerts.filter((a) => a.severity === 'warning').map((a) => a.factor),
    // Legend suffix of its recorded series: the environment and cluster, and a grouped SLI's group.
    legend: [...variables(model).map((v) => v.labelName), ...(sli.groupBy?.labels ?? [])].map((l) => `{{${l}}}`).join(' '),
    // What its row title adds: an owner other than the service's team, and that it never alerts.
    rowNote: [...(sli.team.name !== service.team.name ? [`team ${sli.team.name}`] : []), ...(sli.experimental ? ['experimental: no alerts'] : [])].map((n) => `, ${n}`).join(''),
    queries: sliQueries(model, service, sli),
  };
}

function dashboardPath(service: Pick<Service, 'name'>): string {
  return `/d/${dashboardUid(service)}/${service.name}`;
}

function serviceView(model: Model, service: Service) {
  return {
    name: service.name,
    uid: dashboardUid(service),
    path: dashboardPath(service),
    title: `SLO / ${service.name}`,
    description: service.description,
    team: service.team.name,
    tier: service.tier,
    runbookUrl: runbookFileUrl(model.settings, service),
    dependencies: service.dependencies.map((d) => ({ name: d, uid: dashboardUid({ name: d }), path: dashboardPath({ name: d }) })),
    variableQuery: `${series.totalRate(service.slis[0]!.evaluation.rawWindow)}${matchersText([{ label: SLI_LABELS.service, op: '=', value: service.name }])}`,
    serviceFiring: `sum by (alertname, sli, severity, long, short) (ALERTS${matchersText([
      { label: 'alertstate', op: '=', value: 'firing' },
      { label: SLI_LABELS.service, op: '=', value: service.name },
      SLI_VARIABLE,
    ])})`,
    slis: service.slis.map((sli) => sliView(model, service, sli)),
    saturation: service.saturation.map((r) => saturationView(model, service, r)),
  };
}

function saturationView(model: Model, service: Service, r: SaturationResource) {
  const worst = `${series.saturation}${matchersText([
    ...Object.entries(saturationIdentity(service, r)).map(([label, value]) => ({ label, op: '=' as const, value })),
    ...variableMatchers(model),
  ])}`;
  return {
    name: r.name,
    title: r.title,
    description: `${r.description} Source: ${r.source}. Ticket above ${formatPercent(r.soft)} for ${r.warnAfter.text}, page above ${formatPercent(r.hard)} for ${r.pageAfter.text}; the dashed line is last ${r.forecastLookback.text}'s trend ${r.forecast.text} ahead.`,
    soft: r.soft,
    hard: r.hard,
    worst,
    forecast: `clamp(predict_linear(${worst}[${r.forecastLookback.text}], ${r.forecast.seconds}), 0, 1)`,
    forecastLegend: `trend in ${r.forecast.text}`,
  };
}

/**
 * The upgrade watch: one row per chosen service (the `service` variable, repeated), over the
 * recorded version series and the 1h burn rate every SLI records, so nothing in it depends on
 * how many services the catalog has.
 */
function upgradesView(model: Model) {
  const chosen = [{ label: SLI_LABELS.service, op: '=~' as const, value: '$service' }, ...variableMatchers(model)];
  const legend = variables(model).map((v) => `{{${v.labelName}}}`);
  const factors = model.services.flatMap((s) => s.slis.flatMap((sli) => sli.alerts.filter((a) => a.severity === 'critical').map((a) => a.factor)));
  const pageFactor = factors.length ? Math.max(...factors) : 0;
  return {
    serviceQuery: series.objective,
    versionSeries: series.versionInstances,
    versions: `${series.versionInstances}${matchersText(chosen)}`,
    versionLegend: [`{{${VERSION_LABEL}}}`, ...legend].join(' '),
    noVersion: 'No version series: declare version_metric in this service\'s catalog entry, or adopt the SDK',
    burn: `${series.burnRate(CURRENT_WINDOW)}${matchersText(chosen)}`,
    burnLegend: [`{{${SLI_LABELS.sli}}}`, ...legend].join(' '),
    pageFactor,
    pageFactorText: factors.length ? `the fastest page of the catalog (${formatNumber(pageFactor)}× the sustainable rate)` : 'not drawn: no SLI of the catalog pages',
  };
}

/**
 * The journeys dashboard: rows repeated by the `journey` variable over the recorded journey
 * series; the component panel joins the SLIs' burn rates on the journey's component weights.
 */
function journeysView(model: Model) {
  const chosen: Matcher[] = [{ label: JOURNEY_LABEL, op: '=~', value: '$journey' }, ...variableMatchers(model)];
  const own = (name: string) => `${name}${matchersText(chosen)}`;
  const legend = variables(model).map((v) => `{{${v.labelName}}}`).join(' ');
  const weighting = [...new Set(model.journeys.map((j) => j.weighting))];
  const periods = [...new Set(model.journeys.map((j) => j.period.text))];
  return {
    present: model.journeys.length > 0,
    uid: journeyPaths.dashboardUid,
    journeyQuery: journeySeries.objective,
    legend,
    lowestObjective: model.journeys.length ? Math.min(...model.journeys.map((j) => j.objective)) : 0,
    // Availability over the period from the budget left, which every journey records whatever its period.
    availability: `1 - (1 - ${own(journeySeries.budgetRemaining)}) * on (${JOURNEY_LABEL}) group_left () (1 - max by (${JOURNEY_LABEL}) (${journeySeries.objective}{${JOURNEY_LABEL}=~"$journey"}))`,
    budgetRemaining: own(journeySeries.budgetRemaining),
    errorRatio: own(journeySeries.errorRatio(CURRENT_WINDOW)),
    periodRatio: periods.length === 1 ? own(journeySeries.errorRatio(model.journeys[0]!.period)) : `(1 - ${own(journeySeries.budgetRemaining)}) * on (${JOURNEY_LABEL}) group_left () (1 - max by (${JOURNEY_LABEL}) (${journeySeries.objective}{${JOURNEY_LABEL}=~"$journey"}))`,
    budget: `1 - max(${journeySeries.objective}{${JOURNEY_LABEL}=~"$journey"})`,
    componentBurn: `${series.burnRate(CURRENT_WINDOW)}${matchersText(variableMatchers(model))} * on (${SLI_LABELS.service}, ${SLI_LABELS.sli}) group_left () (0 * ${journeySeries.componentWeight}{${JOURNEY_LABEL}=~"$journey"} + 1)`,
    componentLegend: [`{{${SLI_LABELS.service}}}/{{${SLI_LABELS.sli}}}`, ...variables(model).map((v) => `{{${v.labelName}}}`)].join(' '),
    weightingText: weighting.map((w) => `**${w}**: ${WEIGHTING_TEXT[w]}`).join('\n\n') || 'No journeys.',
  };
}

/** Everything the templates need; plain JSON. `services`: the ones to describe (default all; the rest are reused as they were). */
export function dashboardViewModel(model: Model, services: readonly Service[] = model.services) {
  const vars = variableMatchers(model);
  const inOverview = (name: string) => `${name}${matchersText(vars)}`;
    return {
    variables: variables(model),
    /** Legend suffix naming the environment and cluster of a series. */
    legend: variables(model).map((v) => `{{${v.labelName}}}`).join(' '),
    overviewUid: OVERVIEW_UID,
    upgradesUid: UPGRADES_UID,
    burnAlertPrefix: alertNames.burn(model.settings, { name: '' }),
    services: services.map((s) => serviceView(model, s)),
    upgrades: upgradesView(model),
    journeys: journeysView(model),
    overview: {
      // One row per SLI: the join key is (service, sli); max drops environment and cluster splits to the worst.
      objective: `max by (service, sli) (${series.objective})`,
      good: `min by (service, sli) (1 - ${inOverview(series.errorRatio(CURRENT_WINDOW))})`,
      budgetRemaining: `min by (service, sli) (${inOverview(series.budgetRemaining)})`,
      burnRate: `max by (service, sli) (${inOverview(series.burnRate(CURRENT_WINDOW))})`,
      variableQuery: `${series.totalRate(model.services[0]!.slis[0]!.evaluation.rawWindow)}`,
    },
  };
}

export type DashboardViewModel = ReturnType<typeof dashboardViewModel>;
