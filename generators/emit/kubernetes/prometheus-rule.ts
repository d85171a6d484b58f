/** out/kubernetes/prometheusrules/<service>.yaml: the service's rule groups as a Prometheus Operator PrometheusRule. */
import type { Model, Service } from '../../model/types.js';
import { journeyPaths } from '../../naming.js';
import { ruleYamlObject } from '../rule-file.js';
import type { RuleGroup } from '../rule-types.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';

export function prometheusRuleYaml(model: Model, service: Service, groups: readonly RuleGroup[]): string {
  return prometheusRuleText(model, service.name, { 'slokit.dev/service': service.name, 'slokit.dev/team': service.team.name }, groups, `prometheus/rules/${service.name}.yml`);
}

/** The journeys' rule groups as a PrometheusRule of their own (they read several services' series). */
export function journeysPrometheusRuleYaml(model: Model, groups: readonly RuleGroup[]): string {
  return prometheusRuleText(model, journeyPaths.name, { 'slokit.dev/journeys': 'true' }, groups, journeyPaths.rules);
}

function prometheusRuleText(model: Model, name: string, own: Record<string, string>, groups: readonly RuleGroup[], ruleFile: string): string {
  const k = model.settings.kubernetes;
  return toYaml(
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `slokit-${name}`,
        ...(k.namespace ? { namespace: k.namespace } : {}),
        // The catalog's labels first, so they can select; slokit's own cannot be overridden.
        labels: { ...k.ruleLabels, 'app.kubernetes.io/managed-by': 'slokit', ...own },
      },
      spec: { groups: groups.map(ruleYamlObject) },
    },
    `${GENERATED_HEADER}\nThe same groups as ${ruleFile}. The Prometheus Operator loads it when its ruleSelector matches these labels.`,
  );
}
