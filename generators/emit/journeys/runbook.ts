/**
 * runbooks/journeys.md: a section per journey (what it is, its components with their weights and
 * runbooks) and one per burn alert, which the alert's runbook_url points at.
 */
import { formatNumber, formatPercent } from '../../model/decimal.js';
import type { Journey, Model } from '../../model/types.js';
import { WEIGHTING_TEXT } from '../../model/journeys.js';
import { journeyPaths, JOURNEY_LABEL, journeySeries, runbookAnchors, runbookFile, series } from '../../naming.js';
import { matchersText } from '../../promql/escape.js';
import { budgetLasts } from '../alert-rules.js';
import { codeBlock, mdLink, mdText } from '../runbooks/markdown.js';
import { sliMatcherList } from '../sli-selector.js';
import { componentLabel, journeyDashboardUrl } from './alerts.js';
import { resolveComponents } from './read.js';

function journeyView(model: Model, journey: Journey) {
  const parts = resolveComponents(model, journey);
  const burnQuery = (window: Journey['alerts'][number]['long']) =>
    codeBlock(
      parts
        .map((r) =>
          r.journey
            ? `max by (${JOURNEY_LABEL}) (${journeySeries.errorRatio(window)}${matchersText([{ label: JOURNEY_LABEL, op: '=', value: r.journey.name }])}) / ${formatNumber(r.journey.errorBudget)}`
            : `max by (service, sli) (${series.burnRate(window)}${matchersText(sliMatcherList(r.service!, r.sli!))})`,
        )
        .join('\nor\n'),
      'promql',
    );
  // The dashboard link without an alert's labels: every place the journey is recorded.
  const dashboard = journeyDashboardUrl(model, journey, 0, () => '$__all');
  return {
    name: journey.name,
    description: mdText(journey.description),
    team: journey.team.name,
    chat: mdText(journey.team.chat),
    objective: formatPercent(journey.objective),
    period: journey.period.text,
    weighting: journey.weighting,
    weightingText: WEIGHTING_TEXT[journey.weighting],
    components: parts.map((r) => ({
      name: componentLabel(r),
      weight: formatNumber(r.component.weight),
      objective: formatPercent(r.journey ? r.journey.objective : r.sli!.objective),
      runbook: r.journey
        ? `[journey ${r.journey.name}](#${journeyPaths.anchor(r.journey)})`
        : `[${r.service!.name}/${r.sli!.name}](${runbookFile(r.service!)}#${runbookAnchors.whereItFails(r.sli!)})`,
    })),
    dashboard: mdLink('journeys dashboard', dashboard),
    alerts: (journey.burnAlerts ? journey.alerts : []).map((a) => ({
      heading: `Journey ${journey.name} burn ${a.name}`,
      severity: a.severity === 'critical' ? 'Page' : 'Ticket',
      meaning: `The journey's error ratio is above ${formatPercent(a.threshold)} over both ${a.long.text} and ${a.short.text}: ${formatNumber(a.factor)}x the sustainable burn of its ${formatPercent(journey.errorBudget)} budget, which at this rate lasts ${budgetLasts(journey.period, a.factor)}.`,
      long: a.long.text,
      query: burnQuery(a.long),
    })),
  };
}

export function journeysRunbookView(model: Model) {
  return { journeys: model.journeys.map((j) => journeyView(model, j)) };
}
