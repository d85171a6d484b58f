/** out/prometheus/rules/<service>.yml */
import type { Model, Service } from '../model/types.js';
import { isAlert, type RuleGroup } from './rule-types.js';
import { GENERATED_HEADER, toYaml } from './yaml-text.js';

/** A rule group as Prometheus and the Prometheus Operator read it. */
export function ruleObject(group: RuleGroup) {
  return {
    name: group.name,
    interval: group.interval,
    rules: group.rules.map((r) =>
      isAlert(r)
        ? { alert: r.alert, expr: r.expr, ...(r.for ? { for: r.for } : {}), labels: r.labels, annotations: r.annotations }
        : { record: r.record, expr: r.expr, ...(r.labels ? { labels: r.labels } : {}) },
    ),
  };
}

export function ruleFileText(_model: Model, service: Service, groups: readonly RuleGroup[]): string {
  return toYaml({ groups: groups.map(ruleObject) }, `${GENERATED_HEADER}\nService: ${service.name} (team ${service.team.name}, tier ${service.tier}).`);
}
