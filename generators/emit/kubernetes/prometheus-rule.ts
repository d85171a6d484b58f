/** out/kubernetes/prometheusrules/<service>.yaml: the service's rule groups as a Prometheus Operator PrometheusRule. */
import type { Model, Service } from '../../model/types.js';
import { ruleYamlObject } from '../rule-file.js';
import type { RuleGroup } from '../rule-types.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';

export function prometheusRuleYaml(model: Model, service: Service, groups: readonly RuleGroup[]): string {
  const k = model.settings.kubernetes;
  return toYaml(
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `slokit-${service.name}`,
        ...(k.namespace ? { namespace: k.namespace } : {}),
        // The catalog's labels first, so they can select; slokit's own cannot be overridden.
        labels: { ...k.ruleLabels, 'app.kubernetes.io/managed-by': 'slokit', 'slokit.dev/service': service.name, 'slokit.dev/team': service.team.name },
      },
      spec: { groups: groups.map(ruleYamlObject) },
    },
    `${GENERATED_HEADER}\nThe same groups as prometheus/rules/${service.name}.yml. The Prometheus Operator loads it when its ruleSelector matches these labels.`,
  );
}
