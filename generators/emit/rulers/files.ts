/**
 * The split rule files: local/ for every Prometheus, and the global half for a Mimir ruler
 * (mimirtool's file format: a namespace per file) or a Thanos ruler (Prometheus groups plus
 * Thanos' partial_response_strategy).
 */
import type { Service } from '../../model/types.js';
import { ruleYamlObject } from '../rule-file.js';
import type { RuleGroup } from '../rule-types.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';

/** The Mimir ruler namespace of a service's global rules (`mimirtool rules load` replaces a namespace whole). */
export function mimirNamespace(service: Pick<Service, 'name'>): string {
  return `slokit-${service.name}`;
}

export function localRulesText(service: Service, groups: readonly RuleGroup[]): string {
  return toYaml(
    { groups: groups.map(ruleYamlObject) },
    `${GENERATED_HEADER}\nService: ${service.name}. Local half: load into every Prometheus that scrapes the service (rule_files).\nIt records the raw-window rates of the series that Prometheus sees; the global half sums them.`,
  );
}

export function mimirRulesText(service: Pick<Service, 'name'>, groups: readonly RuleGroup[]): string {
  return toYaml(
    { namespace: mimirNamespace(service), groups: groups.map(ruleYamlObject) },
    `${GENERATED_HEADER}\nService: ${service.name}. Global half for the Mimir ruler: mimirtool rules load <this file>.`,
  );
}

/**
 * A Thanos ruler must not record or alert on a partial answer (a store that did not respond):
 * a burn rate over half the clusters is wrong either way, so the group aborts instead.
 */
export function thanosRulesText(service: Pick<Service, 'name'>, groups: readonly RuleGroup[]): string {
  return toYaml(
    {
      groups: groups.map((g) => {
        const { name, interval, rules } = ruleYamlObject(g);
        return { name, interval, partial_response_strategy: 'abort', rules };
      }),
    },
    `${GENERATED_HEADER}\nService: ${service.name}. Global half for the Thanos ruler: list it in thanos rule --rule-file.`,
  );
}
