/**
 * Rules split for distributed evaluation, when one Prometheus no longer sees every series of a
 * service (a Prometheus per cluster, or shards): each Prometheus records the raw-window rates
 * of its own raw series and the count of its instances per version (local), and a Mimir or
 * Thanos ruler sums those over every Prometheus and evaluates everything else, long windows and
 * alerts included, over the whole (global).
 *
 * The global half is the single-Prometheus rule set with the raw-window rules replaced by sums
 * of the local ones, so every other rule, alert and test is unchanged, and the union of both
 * halves evaluated by one Prometheus behaves exactly like the single-Prometheus rules. The
 * saturation groups move whole to the local half: they judge instances, which each Prometheus sees.
 */
import type { Model, Service } from '../../model/types.js';
import { groupName, localSeries, series, VERSION_LABEL } from '../../naming.js';
import type { Duration } from '../../model/duration.js';
import { byClause } from '../../promql/escape.js';
import { boundedBad, boundedTotal, sliAggregation } from '../sli-grouping.js';
import { rawWindowRules, versionRule } from '../recording-rules.js';
import { packGroups, serviceRules } from '../rule-groups.js';
import { isAlert, type RecordingRule, type RuleGroup } from '../rule-types.js';
import { serviceMatchers, sliIdentity, sliMatchers } from '../sli-selector.js';

export interface SplitRules {
  /** For every Prometheus that scrapes the service. */
  readonly local: readonly RuleGroup[];
  /** For one global ruler that reads what every Prometheus recorded. */
  readonly global: readonly RuleGroup[];
}

/** `groups`: the service's single-Prometheus rule groups, when the caller has them already. */
export function splitServiceRules(model: Model, service: Service, groups: readonly RuleGroup[] = serviceRules(model, service).groups): SplitRules {
  const by = model.settings.aggregationLabels;
  const localVersion = versionRule(model, service, localSeries.versionInstances);
  const local = packGroups(service, 'local', [
    ...service.slis.map((sli) => ({ interval: sli.evaluation.fastInterval.text, rules: rawWindowRules(model, service, sli, localSeries) })),
    { interval: service.slis[0]!.evaluation.fastInterval.text, rules: localVersion ? [localVersion] : [] },
  ]);
  // The global sum of each local rate, keyed by the single-Prometheus rule it replaces.
  const sums = new Map<string, RecordingRule>();
  for (const sli of service.slis) {
    const w = sli.evaluation.rawWindow;
    const sel = sliMatchers(service, sli);
    // A grouped SLI's groups are bounded again over every Prometheus: each kept its own busiest.
    const sum = (name: (w: Duration) => string) => `sum${byClause(sliAggregation(model.settings, sli))} (${name(w)}${sel})`;
    const total = boundedTotal(model.settings, sli, sum(localSeries.totalRate));
    const bad = boundedBad(model.settings, sli, sum(localSeries.badRate), `${series.totalRate(w)}${sel}`);
    sums.set(`${sli.name}\0${series.totalRate(w)}`, { record: series.totalRate(w), expr: total, labels: sliIdentity(service, sli) });
    sums.set(`${sli.name}\0${series.badRate(w)}`, { record: series.badRate(w), expr: bad, labels: sliIdentity(service, sli) });
  }
  // The version series reads raw series too: each Prometheus counts its own instances.
  const versionSum: RecordingRule = {
    record: series.versionInstances,
    expr: `sum${byClause([...by, VERSION_LABEL])} (${localSeries.versionInstances}${serviceMatchers(service)})`,
    labels: { service: service.name },
  };
  const replaced = (r: RecordingRule) => (r.record === series.versionInstances ? versionSum : (sums.get(`${r.labels?.sli}\0${r.record}`) ?? r));
  // Saturation is per instance: each Prometheus judges the instances it scrapes, so its rules
  // (recording and alerts) stay with the raw series instead of waiting on the global ruler.
  const all = groups;
  const isSaturation = (g: RuleGroup) => g.name.startsWith(groupName(service, 'saturation', 0));
  const global = all.filter((g) => !isSaturation(g)).map((g) => ({
    ...g,
    rules: g.rules.map((r) => (isAlert(r) ? r : replaced(r))),
  }));
  return { local: [...local, ...all.filter(isSaturation)], global };
}
