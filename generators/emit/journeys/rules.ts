/**
 * Recording rules and burn alerts of the user journeys, read from what the components record:
 * no raw series, no rate() of their own, so a journey costs one small rule per window.
 *
 * For each window W the journey records (journeyWindows):
 * - weighting events (OpenSLO compositeWeight, Occurrences): bad and all events per second,
 *   Σ weight × component rate over W, and their ratio. Every event counts `weight` times, so a
 *   busy component weighs more: the share of users' actions that failed.
 * - weighting components: Σ weight × (component bad / component total over W) / Σ weight of the
 *   components that had events in W: each step of the journey weighs its weight however few
 *   events it has, so a quiet step that fails is not drowned by a busy one that works.
 * The journey's windows are the ones each component records (model/journeys.ts checks), read as
 * recorded, so the journey over W is exact whenever its components are.
 */
import { formatNumber } from '../../model/decimal.js';
import type { Duration } from '../../model/duration.js';
import { journeyWindows } from '../../model/journeys.js';
import type { Journey, Model } from '../../model/types.js';
import { COMPONENT_JOURNEY_LABEL, journeyGroupName, JOURNEY_LABEL, journeySeries, series, SLI_LABELS } from '../../naming.js';
import { byClause, matchersText } from '../../promql/escape.js';
import type { Block } from '../rule-groups.js';
import { MAX_RULES_PER_GROUP } from '../rule-groups.js';
import type { AlertingRule, RecordingRule, Rule, RuleGroup } from '../rule-types.js';
import { sliMatchers } from '../sli-selector.js';
import { readSeries, type WindowFamily } from '../window-plan.js';
import { journeyAlertRules } from './alerts.js';
import { ruleYamlObject } from '../rule-file.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { journeyFamily, journeyMatchers, readJourney, resolveComponents, type Family, type Resolved } from './read.js';

const weighted = (weight: number, expr: string) => (weight === 1 ? expr : `${formatNumber(weight)} * ${expr}`);

/** `sum by (...) (a or b or ...)`: components keep labels of their own (service and sli, or journey), so `or` drops none. */
function sumOf(by: readonly string[], terms: readonly string[]): string {
  return `sum${byClause(by)} (\n  ${terms.join('\n  or\n  ')}\n)`;
}

/** A component's rate (bad or total) over `window`, as its writer recorded it, read by a rule of `reader`. */
function componentRate(r: Resolved, kind: 'bad' | 'total', window: Duration, reader: WindowFamily): string {
  if (r.journey) return readJourney(r.journey, kind === 'bad' ? journeySeries.badRate(window) : journeySeries.totalRate(window), window, reader as Family);
  const name = kind === 'bad' ? series.badRate(window) : series.totalRate(window);
  return readSeries(r.sli!, name, sliMatchers(r.service!, r.sli!), window, reader);
}

/** A component's error ratio over `window`, absent when it had no events (0/0 is dropped by `>= 0`). */
function componentRatio(model: Model, r: Resolved, window: Duration, reader: Family): string {
  if (r.journey) return `(${readJourney(r.journey, journeySeries.errorRatio(window), window, reader)} >= 0)`;
  // Summed over the SLI's groups (group_by), keeping what tells components apart.
  const by = [...model.settings.aggregationLabels, SLI_LABELS.service, SLI_LABELS.sli];
  return `(sum${byClause(by)} (${componentRate(r, 'bad', window, reader)}) / sum${byClause(by)} (${componentRate(r, 'total', window, reader)}) >= 0)`;
}

/** The journey's recording rules for one window, in the order they must be evaluated. */
function windowRules(model: Model, journey: Journey, parts: readonly Resolved[], window: Duration): RecordingRule[] {
  const by = model.settings.aggregationLabels;
  const reader = journeyFamily(journey, window);
  const labels = { [JOURNEY_LABEL]: journey.name };
  const sel = journeyMatchers(journey);
  if (journey.weighting === 'events') {
    const sum = (kind: 'bad' | 'total') => sumOf(by, parts.map((r) => weighted(r.component.weight, componentRate(r, kind, window, reader))));
    return [
      { record: journeySeries.totalRate(window), expr: sum('total'), labels },
      { record: journeySeries.badRate(window), expr: sum('bad'), labels },
      { record: journeySeries.errorRatio(window), expr: `${journeySeries.badRate(window)}${sel}\n/\n${journeySeries.totalRate(window)}${sel}`, labels },
    ];
  }
  const ratios = parts.map((r) => ({ r, ratio: componentRatio(model, r, window, reader) }));
  const numerator = sumOf(by, ratios.map(({ r, ratio }) => weighted(r.component.weight, ratio)));
  // The weights of the components that had events: one without any is left out, not counted as good.
  const denominator = sumOf(by, ratios.map(({ r, ratio }) => `${ratio} * 0 + ${formatNumber(r.component.weight)}`));
  return [{ record: journeySeries.errorRatio(window), expr: `${numerator}\n/\n${denominator}`, labels }];
}

/** Objective, budget left over the period (in the slow group, after the period's ratio) and each component's weight. */
function budgetRules(journey: Journey): RecordingRule[] {
  const labels = { [JOURNEY_LABEL]: journey.name };
  const component = (c: Journey['components'][number]): Record<string, string> =>
    c.type === 'sli' ? { [SLI_LABELS.service]: c.service, [SLI_LABELS.sli]: c.sli } : { [COMPONENT_JOURNEY_LABEL]: c.journey };
  return [
    ...journey.components.map((c) => ({ record: journeySeries.componentWeight, expr: `vector(${formatNumber(c.weight)})`, labels: { ...labels, ...component(c) } })),
    { record: journeySeries.objective, expr: `vector(${formatNumber(journey.objective)})`, labels },
    { record: journeySeries.budgetRemaining, expr: `1 - ${readJourney(journey, journeySeries.errorRatio(journey.period), journey.period, 'slow')} / ${formatNumber(journey.errorBudget)}`, labels },
  ];
}

/** Every journey's rules, per family, each journey's after those of the journeys it contains. */
export function journeyBlocks(model: Model): { fast: Block[]; slow: Block[] } {
  const fast: Block[] = [];
  const slow: Block[] = [];
  for (const journey of model.journeys) {
    const parts = resolveComponents(model, journey);
    const rules: Record<Family, Rule[]> = { fast: [], slow: [] };
    for (const w of journeyWindows(journey)) rules[journeyFamily(journey, w)].push(...windowRules(model, journey, parts, w));
    rules.slow.push(...budgetRules(journey));
    const alerts: { family: Family; rule: AlertingRule }[] = journey.burnAlerts ? journeyAlertRules(model, journey, parts) : [];
    for (const a of alerts) rules[a.family].push(a.rule);
    fast.push({ interval: journey.evaluation.fastInterval.text, rules: rules.fast });
    slow.push({ interval: journey.evaluation.slowInterval.text, rules: rules.slow });
  }
  return { fast, slow };
}

/**
 * The journeys' rule groups, at most MAX_RULES_PER_GROUP rules each, a journey's rules never
 * split. A journey that reads one recorded in the group before it joins that group, however big
 * it grows: a group evaluates its rules in order, so the contained journey is recorded before
 * it is read. One contained further back is read as of its group's last evaluation (an
 * interval late at most).
 */
export function journeyRuleGroups(model: Model): RuleGroup[] {
  if (!model.journeys.length) return [];
  const { fast, slow } = journeyBlocks(model);
  return [...pack('fast', fast), ...pack('slow', slow)];
}

function pack(family: Family, blocks: readonly Block[]): RuleGroup[] {
  const groups: { interval: string; rules: Rule[] }[] = [];
  for (const b of blocks) {
    if (!b.rules.length) continue;
    const last = groups[groups.length - 1];
    // Journeys that contain others share their group, so they read this evaluation's values.
    if (last && last.interval === b.interval && (last.rules.length + b.rules.length <= MAX_RULES_PER_GROUP || containsEarlier(b, last))) last.rules.push(...b.rules);
    else groups.push({ interval: b.interval, rules: [...b.rules] });
  }
  return groups.map((g, i) => ({ name: journeyGroupName(family, i), interval: g.interval, rules: g.rules }));
}

/** Whether a block's rules read a journey series recorded in `group`. */
function containsEarlier(block: Block, group: { rules: readonly Rule[] }): boolean {
  const recorded = new Set(group.rules.flatMap((r) => ('record' in r ? [`${r.record}${matchersText([{ label: JOURNEY_LABEL, op: '=', value: r.labels?.[JOURNEY_LABEL] ?? '' }])}`] : [])));
  return block.rules.some((r) => [...recorded].some((name) => r.expr.includes(name)));
}

export function journeyRulesText(groups: readonly RuleGroup[]): string {
  return toYaml(
    { groups: groups.map(ruleYamlObject) },
    `${GENERATED_HEADER}\nUser journeys (catalog/journeys/). They read what the services' rules record: load them beside those,\nor in the global ruler when the rules are split.`,
  );
}
