/** out/prometheus/rules/<service>.yml */
import type { Model, Service } from '../model/types.js';
import { isAlert, type Rule, type RuleGroup } from './rule-types.js';
import { GENERATED_HEADER, toYaml, YamlMapping } from './yaml-text.js';

/** A rule as Prometheus and the Prometheus Operator read it. */
function ruleEntry(r: Rule) {
  return isAlert(r)
    ? { alert: r.alert, expr: r.expr, ...(r.for ? { for: r.for } : {}), labels: r.labels, annotations: r.annotations }
    : { record: r.record, expr: r.expr, ...(r.labels ? { labels: r.labels } : {}) };
}

/** A rule group as Prometheus and the Prometheus Operator read it. */
export function ruleObject(group: RuleGroup) {
  return { name: group.name, interval: group.interval, rules: group.rules.map(ruleEntry) };
}

/**
 * Each rule's YAML, written once however many files hold it: the rule file, its Kubernetes
 * copy and the global half of the split rulers (Mimir and Thanos) hold the same rule objects.
 * Writing each of them anew took a fifth of generating 1,000 services.
 */
const ruleYamls = new WeakMap<Rule, YamlMapping>();

function ruleYaml(rule: Rule): YamlMapping {
  let y = ruleYamls.get(rule);
  if (!y) {
    y = new YamlMapping(ruleEntry(rule));
    ruleYamls.set(rule, y);
  }
  return y;
}

/** ruleObject for the YAML writer: the same keys and text, each rule's YAML written once. */
export function ruleYamlObject(group: RuleGroup) {
  return { name: group.name, interval: group.interval, rules: group.rules.map(ruleYaml) };
}

export function ruleFileText(_model: Model, service: Service, groups: readonly RuleGroup[]): string {
  return toYaml({ groups: groups.map(ruleYamlObject) }, `${GENERATED_HEADER}\nService: ${service.name} (team ${service.team.name}, tier ${service.tier}).`);
}
