/**
 * Grouped SLIs (`group_by`): one SLO per value of some labels, and at most `max_values` of
 * them in each place (environment and cluster). The raw total keeps the busiest groups of each
 * place (topk), and the bad rate keeps only the groups the total kept, so every series the SLI
 * records is bounded, and its raw series are still read once per evaluation.
 */
import type { CatalogSettings, Sli } from '../model/types.js';
import { byClause } from '../promql/escape.js';

/** The labels an SLI's rates are summed by: the catalog's aggregation labels, then its groups'. */
export function sliAggregation(settings: CatalogSettings, sli: Sli): string[] {
  return [...settings.aggregationLabels, ...(sli.groupBy?.labels ?? [])];
}

/** The total rate as recorded: the busiest `max_values` groups of each place, for a grouped SLI. */
export function boundedTotal(settings: CatalogSettings, sli: Sli, total: string): string {
  return sli.groupBy ? `topk${byClause(settings.aggregationLabels)} (${sli.groupBy.maxValues}, ${total})` : total;
}

/** The bad rate as recorded: only the groups the recorded total (`recordedTotal`, a selector) kept. */
export function boundedBad(settings: CatalogSettings, sli: Sli, bad: string, recordedTotal: string): string {
  return sli.groupBy ? `(${bad}) and on (${sliAggregation(settings, sli).join(', ')}) ${recordedTotal}` : bad;
}
