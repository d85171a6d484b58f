/**
 * Synthetic raw series for an SLI: per-minute bad and total event counts become the counters
 * (or histogram buckets) that the SLI's selectors really read.
 */
import { seriesText } from '../../promql/escape.js';
import { formatNumber } from '../../model/decimal.js';
import type { EventSource, Selector } from '../../model/types.js';
import { labelsFor, matches } from '../../promql/label-values.js';

/** Events per minute; index m is what arrives between sample m-1 and sample m (index 0 is unused). */
export interface Traffic {
  readonly total: readonly number[];
  readonly bad: readonly number[];
  /** Steps at which no series is scraped at all (the target is gone); counters keep their value. */
  readonly gone?: readonly boolean[];
  /** The step at which the series of bad events is created (client libraries create it at the first error). */
  readonly badFrom?: number;
}

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** A synthesized series before it is written out: what it is and what it counts per step. */
export interface FedSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly increments: readonly number[];
  readonly gone?: readonly boolean[];
  /** A gauge: `increments` are its samples (1 or 0), not what a counter adds each step. */
  readonly gauge?: boolean;
}

export class SynthesisError extends Error {}

function cumulative(increments: readonly number[]): number[] {
  const out: number[] = [];
  let sum = 0;
  increments.forEach((inc, m) => {
    if (m > 0) sum += inc;
    out.push(sum);
  });
  return out;
}

/** promtool's expanding notation: runs of equal steps become `start+stepxN`. */
export function encodeValues(values: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    if (i === values.length - 1) {
      parts.push(`${values[i]}`);
      break;
    }
    const step = values[i + 1]! - values[i]!;
    let j = i + 1;
    while (j + 1 < values.length && values[j + 1]! - values[j]! === step) j++;
    parts.push(`${values[i]}${step < 0 ? '-' : '+'}${Math.abs(step)}x${j - i}`);
    i = j + 1;
  }
  return parts.join(' ');
}

function need(labels: Record<string, string> | undefined, what: string): Record<string, string> {
  if (!labels) throw new SynthesisError(`cannot find label values that select ${what}; simplify its matchers (regexes with lookarounds or empty alternatives cannot be synthesized)`);
  return labels;
}

/** Events per step split evenly over `n` parts, the first taking what does not divide. */
const share = (counts: readonly number[], n: number, i: number) => counts.map((c) => Math.floor(c / n) + (i === 0 ? c % n : 0));

const selects = (s: Selector, metric: string, labels: Readonly<Record<string, string>>) => s.metric === metric && s.matchers.every((m) => matches(m, labels[m.label] ?? ''));

/**
 * Labels for a series of `total` that none of `avoid` (selectors of the same metric) selects:
 * each is excluded in turn, from the labels the last exclusion left. The first always is, so
 * the series gets a realistic value (code="200" beside a part's code=~"5..") rather than none.
 */
function labelsOutside(total: Selector, avoid: readonly Selector[], base: Readonly<Record<string, string>>): Record<string, string> | undefined {
  let labels: Record<string, string> | undefined = avoid.length ? labelsFor(total.matchers, base, avoid[0]!.matchers) : labelsFor(total.matchers, base);
  for (const a of avoid.slice(1)) if (labels && selects(a, total.metric, labels)) labels = labelsFor(total.matchers, labels, a.matchers);
  return labels && !avoid.some((a) => selects(a, total.metric, labels!)) ? labels : undefined;
}

/**
 * Counters for events some of which are a part (bad or good) of all of them: `parts` and
 * `totals` are an SLI's selectors (several for a combined SLI, each fed its share). A part
 * whose metric a total also counts is fed inside that total; the rest of the total is fed to
 * series of the totals that no part selects. Part series come first.
 */
function counterSeries(
  parts: readonly Selector[],
  totals: readonly Selector[],
  partCounts: readonly number[],
  totalCounts: readonly number[],
  base: Readonly<Record<string, string>>,
): { series: FedSeries[]; identity: Record<string, string> } {
  const zero = totalCounts.map(() => 0);
  const inside = totals.map(() => zero);
  const holdsPart = totals.map(() => false);
  const series: FedSeries[] = parts.map((p, i) => {
    const increments = share(partCounts, parts.length, i);
    const j = totals.findIndex((t) => t.metric === p.metric && labelsFor([...p.matchers, ...t.matchers], base));
    if (j < 0) return { metric: p.metric, labels: need(labelsFor(p.matchers, base), p.metric), increments };
    inside[j] = inside[j]!.map((n, m) => n + increments[m]!);
    holdsPart[j] = true;
    return { metric: p.metric, labels: labelsFor([...p.matchers, ...totals[j]!.matchers], base)!, increments };
  });
  const rest = totalCounts.map((c, m) => c - inside.reduce((n, x) => n + x[m]!, 0));
  // A total that is also a part (rollbacks among commits and rollbacks) has no series outside
  // its part: the rest goes to the totals that have one.
  const outside = totals.map((t) => labelsOutside(t, parts.filter((p) => p.metric === t.metric), base));
  const open = totals.map((_, j) => j).filter((j) => outside[j] || !holdsPart[j]);
  if (!open.length) need(undefined, `${totals[0]!.metric} without the narrower selector`);
  open.forEach((j, k) => {
    const t = totals[j]!;
    const sameMetric = parts.filter((p) => p.metric === t.metric);
    const what = sameMetric.length ? `${t.metric} without the narrower selector${sameMetric.length > 1 ? 's' : ''}` : t.metric;
    series.push({ metric: t.metric, labels: need(outside[j], what), increments: share(rest, open.length, k) });
  });
  return { series, identity: { ...series.find((f) => selects(totals[0]!, f.metric, f.labels))!.labels } };
}

/**
 * Histograms whose buckets and count move together: every bad event is slower than every
 * bucket given, every good one within all of them. Several histograms share the traffic
 * evenly (the first takes what does not divide), so each one's selector must be right for the
 * rates to add up.
 */
function histogramSeries(
  histograms: readonly { readonly histogram: Selector; readonly le: readonly number[] }[],
  traffic: Traffic,
  good: readonly number[],
  base: Readonly<Record<string, string>>,
): { series: FedSeries[]; identity: Record<string, string> } {
  const n = histograms.length;
  const series: FedSeries[] = [];
  let identity: Record<string, string> | undefined;
  histograms.forEach(({ histogram: h, le }, i) => {
    const labels = need(labelsFor(h.matchers, base), h.metric);
    identity ??= labels;
    const goodHere = share(good, n, i);
    const totalHere = share(traffic.total, n, i);
    const bucket = (bound: string, counts: readonly number[]): FedSeries => ({ metric: `${h.metric}_bucket`, labels: { ...labels, le: bound }, increments: counts });
    for (const bound of le) series.push(bucket(formatNumber(bound), goodHere));
    series.push(bucket('+Inf', totalHere));
    series.push({ metric: `${h.metric}_count`, labels, increments: totalHere });
  });
  return { series, identity: identity! };
}

/**
 * A 0/1 gauge (a probe) as one series per event: each step, the first `total` series hold a
 * sample, the first `bad` of them at 0. A label no matcher names tells the series apart.
 */
function gaugeSeries(gauge: Selector, traffic: Traffic, base: Readonly<Record<string, string>>): { series: FedSeries[]; identity: Record<string, string> } {
  const labels = need(labelsFor(gauge.matchers, base), gauge.metric);
  const width = Math.max(0, ...traffic.total);
  if (width > MAX_GAUGE_SERIES) throw new SynthesisError(`a bool gauge's test traffic is one series per event, and ${width} events in a step is more than ${MAX_GAUGE_SERIES}`);
  const probe = ['instance', 'slokit_probe'].find((l) => !gauge.matchers.some((m) => m.label === l))!;
  // Index 0 is the first sample: the probe already runs as it will in the first step.
  const at = (counts: readonly number[], m: number) => counts[Math.max(1, m)] ?? 0;
  const series = Array.from({ length: width }, (_, i): FedSeries => ({
    metric: gauge.metric,
    labels: { ...labels, [probe]: `probe-${i}` },
    increments: traffic.total.map((_, m) => (i < at(traffic.bad, m) ? 0 : 1)),
    gone: traffic.total.map((_, m) => i >= at(traffic.total, m)),
    gauge: true,
  }));
  return { series, identity: labels };
}

const MAX_GAUGE_SERIES = 100;

export function toInputSeries(s: FedSeries): InputSeries {
  const values = s.gauge ? [...s.increments] : cumulative(s.increments);
  if (!s.gone?.some(Boolean)) return { series: seriesText(s.metric, s.labels), values: encodeValues(values) };
  // Runs of present samples in promtool's notation, `_xN` for the steps with no sample.
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    const gone = s.gone[i] === true;
    while (j + 1 < values.length && (s.gone[j + 1] === true) === gone) j++;
    parts.push(gone ? (j === i ? '_' : `_x${j - i + 1}`) : encodeValues(values.slice(i, j + 1)));
    i = j + 1;
  }
  return { series: seriesText(s.metric, s.labels), values: parts.join(' ') };
}

/**
 * Series for the given traffic, and the values of `aggregation` labels the recorded SLI
 * series will carry.
 */
export function synthesize(
  events: EventSource,
  traffic: Traffic,
  base: Readonly<Record<string, string>>,
  aggregation: readonly string[],
): { series: FedSeries[]; aggregationValues: Record<string, string> } {
  const good = traffic.total.map((t, m) => t - (traffic.bad[m] ?? 0));
  let result: { series: FedSeries[]; identity: Record<string, string> };
  switch (events.type) {
    case 'counters':
      result = counterSeries(events.bad ?? events.good!, events.total, events.bad ? traffic.bad : good, traffic.total, base);
      break;
    case 'raw': {
      const ts = events.testSeries;
      if (ts.histograms) {
        result = histogramSeries(ts.histograms, traffic, good, base);
        break;
      }
      if (ts.total) {
        result = counterSeries([ts.bad], [ts.total], traffic.bad, traffic.total, base);
        break;
      }
      // Separate counters of bad and good events (e.g. rollbacks and commits).
      const g = ts.good!;
      const b = need(labelsFor(ts.bad!.matchers, base, ts.bad!.metric === g.metric ? g.matchers : undefined), ts.bad!.metric);
      const gl = need(labelsFor(g.matchers, base, ts.bad.metric === g.metric ? ts.bad.matchers : undefined), g.metric);
      result = {
        series: [
          { metric: ts.bad.metric, labels: b, increments: traffic.bad },
          { metric: g.metric, labels: gl, increments: good },
        ],
        identity: gl,
      };
      break;
    }
    case 'gauge':
      result = gaugeSeries(events.gauge, traffic, base);
      break;
    case 'histogram':
      result = histogramSeries(
        events.parts.map((p) => ({ histogram: p.histogram, le: [p.satisfied, ...(p.tolerated !== undefined ? [p.tolerated] : [])] })),
        traffic,
        good,
        base,
      );
      break;
  }
  const gone = traffic.gone;
  let series = gone ? result.series.map((s) => ({ ...s, gone: s.gone ? s.gone.map((g, m) => g || gone[m] === true) : gone })) : result.series;
  if (traffic.badFrom !== undefined) {
    const badOnly = badOnlySeries(events);
    series = series.map((s, i) => (i < badOnly ? { ...s, gone: s.increments.map((_, m) => m < traffic.badFrom! || s.gone?.[m] === true) } : s));
  }
  const aggregationValues: Record<string, string> = {};
  for (const l of aggregation) if (result.identity[l] !== undefined) aggregationValues[l] = result.identity[l]!;
  return { series, aggregationValues };
}


/**
 * How many of the series `synthesize` writes, from the first, count bad events only (one per
 * bad selector); 0 when none does. A raw SLI counts only when its test series have a total of
 * their own: with separate good and bad counters, its total is the team's expression (often
 * `rate(good) + rate(bad)`, which is absent too while the bad series does not exist).
 */
export function badOnlySeries(events: EventSource): number {
  if (events.type === 'counters' && events.bad) return events.bad.length;
  if (events.type === 'raw' && events.testSeries.total) return 1;
  return 0;
}
