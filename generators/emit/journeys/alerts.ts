/**
 * A journey's burn alerts (only with `alerting.burn_alerts`): one per policy row, multiwindow
 * like an SLI's, on the journey's recorded error ratios. They are tickets unless the journey
 * says `pages: true`: each component pages on its own burn already, and the journey's alert is
 * for what no single component shows (several steps each a little bad). Each names the
 * components' burn rates at the moment it fires, read by Prometheus when it renders the alert.
 */
import { formatNumber, formatPercent } from '../../model/decimal.js';
import type { Duration } from '../../model/duration.js';
import { componentName } from '../../model/journeys.js';
import type { BurnAlert, Journey, Model } from '../../model/types.js';
import { alertNames, BURN_TIER_LABEL, dashboardLabelVars, dashboardUrl, journeyPaths, JOURNEY_LABEL, journeySeries, runbookUrl, series } from '../../naming.js';
import { matchersText } from '../../promql/escape.js';
import { sliMatcherList } from '../sli-selector.js';
import { above, budgetLasts, dashboardFrom } from '../alert-rules.js';
import { goTemplate, renderedValues, type TemplateValues } from '../annotation-values.js';
import type { AlertingRule } from '../rule-types.js';
import { journeyFamily, readJourney, type Family, type Resolved } from './read.js';

/** A component's burn rate over a window, as the alert's description lists it. */
export interface ComponentBurn {
  /** "service/sli" or "journey NAME". */
  readonly name: string;
  /** Undefined when the component recorded nothing in the alert's place. */
  readonly burn: number | undefined;
}

export interface JourneyAlert {
  readonly burn: BurnAlert;
  readonly family: Family;
  readonly rule: AlertingRule;
  /** Labels and annotations as Prometheus renders them for a series with these labels, this value, and these component burns (in component order). */
  expected(seriesLabels: Readonly<Record<string, string>>, value: number, burns: readonly ComponentBurn[]): { labels: Record<string, string>; annotations: Record<string, string> };
}

/**
 * The Go template that lists each component's burn rate over `window` in the alert's place (its
 * aggregation labels), in the catalog's order: the SLIs' recorded burn rates, and a contained
 * journey's ratio over its budget. One query per component, so the order never depends on
 * Prometheus' (ties of a sorted query came back in any order).
 */
function burnsTemplate(model: Model, parts: readonly Resolved[], window: Duration): string {
  const where = model.settings.aggregationLabels.map((l) => `${l}=%q`);
  const args = model.settings.aggregationLabels.map((l) => ` $labels.${l}`).join('');
  return parts
    .map((r) => {
      const query = r.journey
        ? `max(${journeySeries.errorRatio(window)}{${[`${JOURNEY_LABEL}="${r.journey.name}"`, ...where].join(', ')}}) / ${formatNumber(r.journey.errorBudget)}`
        : `max(${series.burnRate(window)}{${[matchersText(sliMatcherList(r.service!, r.sli!)).slice(1, -1), ...where].join(', ')}})`;
      return `${componentLabel(r)} {{ with printf \`${query}\`${args} | query }}{{ range . }}{{ printf "%.1f" .Value }}x{{ end }}{{ else }}no data{{ end }}`;
    })
    .join(', ');
}

/** How the alert names a component. */
export const componentLabel = (r: Resolved) => componentName(r.component);

/** What burnsTemplate renders for these burns, in component order (Go's %.1f; callers avoid values on a rounding tie). */
export function burnsText(burns: readonly ComponentBurn[]): string {
  return burns.map((b) => `${b.name} ${b.burn === undefined ? 'no data' : `${b.burn.toFixed(1)}x`}`).join(', ');
}

/** The journeys dashboard on this journey; `labelValue` writes the place's labels (an alert's, or All). */
export function journeyDashboardUrl(model: Model, journey: Journey, fromSeconds: number, labelValue: (labelName: string) => string): string {
  return dashboardUrl(model.settings, { name: journeyPaths.name }, { from: dashboardFrom(fromSeconds), journey: journey.name, templatedVars: dashboardLabelVars(model.settings), labelValue });
}

export function journeyAlerts(model: Model, journey: Journey, parts: readonly Resolved[]): JourneyAlert[] {
  return journey.alerts.map((a) => {
    // As for SLIs: pages at the fast pace whatever their windows; tickets with their long window's group.
    const family: Family = a.declaredSeverity === 'critical' || journeyFamily(journey, a.long) !== 'slow' ? 'fast' : 'slow';
    const gt = above(a.threshold);
    const read = (w: Duration) => readJourney(journey, journeySeries.errorRatio(w), w, family);
    const expr = [
      `(${read(a.short)} ${gt})`,
      'and',
      `(${read(a.long)} ${gt})`,
      // An events-weighted journey has events to count: a handful is no burn. A components-weighted
      // one leaves that to its components' own guards.
      ...(journey.weighting === 'events' ? ['and', `(${readJourney(journey, journeySeries.totalRate(a.long), a.long, family)} * ${a.long.seconds} >= ${journey.minEvents})`] : []),
    ].join('\n');
    const labels = { severity: a.severity, team: journey.team.name, [JOURNEY_LABEL]: journey.name, long: a.long.text, short: a.short.text, [BURN_TIER_LABEL]: a.name };
    const annotations = (t: TemplateValues, burns: string) => ({
      summary: `The ${journey.name} journey is burning its error budget ${formatNumber(a.factor)} times faster than sustainable.`,
      description:
        `${t.percent()} of the ${journey.name} journey (${t.literal(journey.description)}) was bad over the last ${a.short.text}, and above ${formatPercent(a.threshold)} over ${a.long.text}: ` +
        `${formatNumber(a.factor)}x the ${formatPercent(journey.errorBudget)} error budget of the ${formatPercent(journey.objective)} objective. ` +
        `At this rate the ${journey.period.text} budget lasts ${budgetLasts(journey.period, a.factor)}. ` +
        `Burn rate of each component over ${a.long.text}: ${burns}.`,
      runbook_url: runbookUrl(model.settings, { name: journeyPaths.name }, journeyPaths.burnAnchor(journey, a)),
      dashboard_url: journeyDashboardUrl(model, journey, a.long.seconds, t.labelForUrl),
    });
    return {
      burn: a,
      family,
      rule: { alert: alertNames.journeyBurn(model.settings, a), expr, labels, annotations: annotations(goTemplate, burnsTemplate(model, parts, a.long)) },
      expected: (seriesLabels, value, burns) => ({ labels: { ...seriesLabels, ...labels }, annotations: annotations(renderedValues(value, seriesLabels), burnsText(burns)) }),
    };
  });
}

export function journeyAlertRules(model: Model, journey: Journey, parts: readonly Resolved[]): { family: Family; rule: AlertingRule }[] {
  return journeyAlerts(model, journey, parts).map((a) => ({ family: a.family, rule: a.rule }));
}

