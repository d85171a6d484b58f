/**
 * Bad, good and total event queries from another tool, as a slokit SLI kind: counters
 * (error-ratio) or a histogram threshold (latency). Queries must already have their window
 * placeholder replaced by a duration.
 */
import { selectorText } from '../promql/escape.js';
import type { Selector } from '../model/types.js';
import { counterDifference, counterRatio, counterSum, histogramThreshold, type CounterRate } from './promql-shapes.js';
import type { SliDraft } from './draft.js';

export interface EventQueries {
  readonly bad?: string;
  readonly good?: string;
  readonly total: string;
}

type ShapeFields = Pick<SliDraft, 'kind' | 'bad' | 'good' | 'total' | 'histogram' | 'threshold' | 'histograms'>;

export type SliShape =
  | { readonly ok: true; readonly fields: ShapeFields; readonly grouping: readonly string[] }
  | { readonly ok: false; readonly query: keyof EventQueries; readonly why: string };

const COUNTER_FORMS = 'a counter (a selector such as http_requests_total{job="x"}), rate() or increase() of one, sum of that, or such terms added up';

const textOf = (rates: readonly CounterRate[]) => rates.map((r) => selectorText(r.selector));
/** One selector as text, several (a combined SLI) as a list. */
const selectors = (rates: readonly CounterRate[]): string | string[] => {
  const t = textOf(rates);
  return t.length === 1 ? t[0]! : t;
};
const sameList = (a: readonly CounterRate[], b: readonly CounterRate[]) => textOf(a).join('\0') === textOf(b).join('\0');

function ok(fields: ShapeFields, ...rates: (readonly CounterRate[])[]): SliShape {
  return { ok: true, fields, grouping: [...new Set(rates.flat().flatMap((r) => r.grouping))] };
}

/**
 * Histogram thresholds: each good term a bucket of the histogram whose count is one total term,
 * one to one; a latency SLI (with several histograms, a combined one), or undefined.
 */
function latency(good: readonly CounterRate[], total: readonly CounterRate[]): ShapeFields | undefined {
  if (good.length !== total.length) return undefined;
  const used = new Set<number>();
  const found: { histogram: string; threshold: number }[] = [];
  for (const g of good) {
    const j = total.findIndex((t, k) => !used.has(k) && histogramThreshold(g.selector, t.selector));
    if (j < 0) return undefined;
    used.add(j);
    const h = histogramThreshold(g.selector, total[j]!.selector)!;
    found.push({ histogram: selectorText(h.histogram), threshold: h.threshold });
  }
  return found.length === 1 ? { kind: 'latency', ...found[0]! } : { kind: 'latency', histograms: found };
}

/**
 * An error-ratio query (Sloth's raw SLI, OpenSLO's raw ratio) that is a ratio of counter rates
 * (or of sums of them), as the events it divides; undefined for any other ratio (an average of
 * a gauge, say), whose events slokit cannot count.
 */
export function ratioShape(query: string): SliShape | undefined {
  const r = counterRatio(query);
  if (!r) return undefined;
  const total = selectors(r.denominator);
  if (r.counts === 'good') return ok(latency(r.numerator, r.denominator) ?? { kind: 'error-ratio', good: selectors(r.numerator), total }, r.numerator, r.denominator);
  return ok({ kind: 'error-ratio', bad: selectors(r.numerator), total }, r.numerator, r.denominator);
}

export function sliShape(q: EventQueries): SliShape {
  const total = counterSum(q.total);
  if (!total) return { ok: false, query: 'total', why: `the total query is not ${COUNTER_FORMS}` };
  if (q.bad !== undefined) {
    const bad = counterSum(q.bad);
    if (bad) return ok({ kind: 'error-ratio', bad: selectors(bad), total: selectors(total) }, bad, total);
    const diff = counterDifference(q.bad);
    if (diff && sameList(diff.minuend, total)) {
      return ok(latency(diff.subtrahend, total) ?? { kind: 'error-ratio', good: selectors(diff.subtrahend), total: selectors(total) }, diff.minuend, diff.subtrahend, total);
    }
    return { ok: false, query: 'bad', why: `the error query is neither ${COUNTER_FORMS}, nor the total minus such counters of good events` };
  }
  if (q.good !== undefined) {
    const good = counterSum(q.good);
    if (!good) return { ok: false, query: 'good', why: `the good query is not ${COUNTER_FORMS}` };
    return ok(latency(good, total) ?? { kind: 'error-ratio', good: selectors(good), total: selectors(total) }, good, total);
  }
  return { ok: false, query: 'total', why: 'there is neither a bad nor a good query' };
}
