/**
 * One page per incident, from what the catalog knows. Three kinds of Alertmanager inhibition:
 *
 * - a page of a service holds back that service's tickets (someone is already on it);
 * - within an SLI, a faster burn page holds back the slower burn pages it implies (the 1h pair
 *   at 14.4x and the 6h pair at 6x fire together on a sharp outage: one page, not two);
 * - a dependency's page (a burn page or a saturation page) holds back the SLO alerts of the
 *   services that depend on it, in the same environment and cluster. One rule per dependency
 *   lists its direct dependents; further along the graph the dependents' own pages, held back
 *   but still firing, hold back theirs in turn (Alertmanager lets a suppressed alert inhibit).
 *   So a service two hops away is held back while the service between is burning too, and pages
 *   when only the far dependency burns: then the one between did its job. Listing every
 *   transitive dependent would also grow with the square of a long chain's length.
 *
 * Inhibition only ever holds back: when the source resolves, Alertmanager sends what it held at
 * the next group interval, so a dependent that still burns after its dependency recovered pages.
 * A dependent's own scrape failing (vanished) and its own saturation are never held back: the
 * dependency cannot explain them. The catalog refuses dependency cycles, so no two services
 * can hold each other's pages back.
 */
import { parseDuration, formatSeconds } from '../../model/duration.js';
import { dependentsOf } from '../../model/lookup.js';
import type { Model, Service } from '../../model/types.js';
import { alertNames, BURN_TIER_LABEL } from '../../naming.js';

export interface InhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

/** Services that declare `name` as a dependency, sorted by name. */
export function directDependents(model: Model, name: string): Service[] {
  return [...dependentsOf(model, name)].sort((a, b) => a.name.localeCompare(b.name));
}

/** The direct dependents whose alerts a page of `name` holds back (not those declaring it with `inhibit: false`). */
export function heldBackDependents(model: Model, name: string): Service[] {
  return directDependents(model, name).filter((s) => s.heldBackBy.includes(name));
}

/** A full-match RE2 alternation of names made of letters, digits and dashes (nothing to escape). */
function anyOf(names: readonly string[]): string {
  return names.join('|');
}

/**
 * The alerts of a dependency that explain its dependents' burn: its burn pages and its
 * saturation page. Alertmanager's matchers, the PromQL of runbooks and annotations, and
 * `slokit serve` all decide it from here.
 */
function causeAlertnames(model: Model): string {
  const s = model.settings;
  return `alertname=~"${alertNames.burnPrefix(s)}.+|${alertNames.saturation(s, 'critical')}"`;
}

/** Whether a firing alert with these labels is one that holds its service's dependents back. */
export function isCauseAlert(model: Model, labels: Readonly<Record<string, string>>): boolean {
  const s = model.settings;
  return labels.severity === 'critical' && (labels.alertname?.startsWith(alertNames.burnPrefix(s)) === true || labels.alertname === alertNames.saturation(s, 'critical'));
}

/** What marks a dependency's alert as a cause of its dependents' burn. */
export function causeMatchers(model: Model, service: Pick<Service, 'name'>): string[] {
  return [`service="${service.name}"`, 'severity="critical"', causeAlertnames(model)];
}

/** PromQL for the firing alerts of these services that hold their dependents back (what causeMatchers match). */
export function causeAlertsQuery(model: Model, services: readonly Pick<Service, 'name'>[], extraMatchers: readonly string[] = []): string {
  const matchers = ['alertstate="firing"', 'severity="critical"', causeAlertnames(model), `service=~"${anyOf(services.map((d) => d.name))}"`, ...extraMatchers];
  return `ALERTS{${matchers.join(', ')}}`;
}

/** The alerts of dependents a dependency's page explains: their burn, budget and traffic-cessation alerts. */
export function explainedMatchers(model: Model, dependents: readonly Pick<Service, 'name'>[]): string[] {
  const s = model.settings;
  return [`service=~"${anyOf(dependents.map((d) => d.name))}"`, `alertname=~"${alertNames.errorBudgetPrefix(s)}.+|${alertNames.trafficCessation(s)}"`];
}

/**
 * Pairs of page tiers where the first implies the second: within every SLI that has both, the
 * first's factor is higher. A pair some SLI orders the other way is left out, so two tiers can
 * never hold each other back.
 */
export function pageTierPairs(model: Model): [string, string][] {
  const pairs = new Set<string>();
  for (const service of model.services) {
    for (const sli of service.slis) {
      if (sli.experimental) continue; // no alerts to hold back
      const pages = sli.alerts.filter((a) => a.severity === 'critical');
      for (const hi of pages) for (const lo of pages) if (hi.factor > lo.factor && hi.name !== lo.name) pairs.add(`${hi.name}\0${lo.name}`);
    }
  }
  return [...pairs]
    .filter((p) => !pairs.has(p.split('\0').reverse().join('\0')))
    .sort()
    .map((p) => p.split('\0') as [string, string]);
}

export function inhibitRules(model: Model): InhibitRule[] {
  const where = model.settings.aggregationLabels;
  const ownAlerts = `alertname=~"${model.settings.alertPrefix}.+"`;
  const rules: InhibitRule[] = [
    // A page already has someone on the service: its tickets would only add noise. Only slokit's
    // own alerts: this config is merged into Alertmanagers that route other alerts too.
    { source_matchers: ['severity="critical"', ownAlerts], target_matchers: ['severity="warning"', ownAlerts], equal: ['service', ...where] },
  ];
  for (const [hi, lo] of pageTierPairs(model)) {
    rules.push({
      source_matchers: ['severity="critical"', `${BURN_TIER_LABEL}="${hi}"`],
      target_matchers: ['severity="critical"', `${BURN_TIER_LABEL}="${lo}"`],
      equal: ['service', 'sli', ...where],
    });
  }
  for (const service of [...model.services].sort((a, b) => a.name.localeCompare(b.name))) {
    const dependents = heldBackDependents(model, service.name);
    if (!dependents.length) continue;
    rules.push({ source_matchers: causeMatchers(model, service), target_matchers: explainedMatchers(model, dependents), equal: [...where] });
  }
  return rules;
}

/**
 * How long a dependent's first page waits at Alertmanager: its dependency's page is evaluated by
 * another rule group, up to one fast interval later, and must be there when the dependent's
 * group is flushed to inhibit it.
 */
export function dependencyWait(model: Model): string {
  const am = model.settings.alertmanager;
  if (am.dependencyWait) return am.dependencyWait;
  let slowestFast = 0;
  for (const s of model.services) for (const sli of s.slis) slowestFast = Math.max(slowestFast, sli.evaluation.fastInterval.seconds);
  return formatSeconds((parseDuration(am.groupWait)?.seconds ?? 30) + slowestFast);
}
