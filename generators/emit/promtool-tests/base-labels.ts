/**
 * The values the generated tests give the catalog's aggregation labels on their synthetic
 * series, where a selector leaves them free: one place, so an SLI's scenarios and a service's
 * saturation and version tests land in the same environment and cluster.
 */
import type { CatalogSettings } from '../../model/types.js';

const BASE_LABEL_VALUES = { environment: 'production', cluster: 'main', extra: 'main' } as const;

export function baseLabels(settings: CatalogSettings): Record<string, string> {
  const base: Record<string, string> = {};
  if (settings.environmentLabel) base[settings.environmentLabel] = BASE_LABEL_VALUES.environment;
  if (settings.clusterLabel) base[settings.clusterLabel] = BASE_LABEL_VALUES.cluster;
  for (const l of settings.extraAggregationLabels) base[l] = BASE_LABEL_VALUES.extra;
  return base;
}
