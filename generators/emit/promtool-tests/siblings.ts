/**
 * Another SLI of the same service can read the very series a scenario feeds (Sidekiq's job
 * counter is both the total of the error SLI and the count of the latency SLI). Its alerts
 * then fire too, and promtool wants every firing alert listed. This works out, from the
 * selectors alone, how many events per step such a sibling sees in total.
 */
import type { Selector, Sli } from '../../model/types.js';
import type { FedSeries } from './input-series.js';
import { matches } from '../../promql/label-values.js';

function totalSelectors(sli: Sli): Selector[] {
  const ev = sli.events;
  switch (ev.type) {
    case 'counters':
      return [...ev.total];
    case 'histogram':
      return ev.parts.map((p) => ({ metric: `${p.histogram.metric}_count`, matchers: p.histogram.matchers }));
    case 'gauge':
      return [ev.gauge];
    case 'raw':
      if (ev.testSeries.histograms) return ev.testSeries.histograms.map((h) => ({ metric: `${h.histogram.metric}_count`, matchers: h.histogram.matchers }));
      return ev.testSeries.total ? [ev.testSeries.total] : [ev.testSeries.bad, ev.testSeries.good!];
  }
}

function selects(s: Selector, series: FedSeries): boolean {
  return s.metric === series.metric && s.matchers.every((m) => matches(m, series.labels[m.label] ?? ''));
}

/** Total events per step the sibling sees at `step`, and the series that carry them. */
export function siblingTotal(sibling: Sli, fed: readonly FedSeries[], step: number): { perStep: number; series: FedSeries[] } {
  const selectors = totalSelectors(sibling);
  const hit = fed.filter((f) => selectors.some((s) => selects(s, f)));
  return { perStep: hit.reduce((n, f) => n + (f.gauge ? (f.gone?.[step] ? 0 : 1) : (f.increments[step] ?? 0)), 0), series: hit };
}
