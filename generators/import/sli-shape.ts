/**
 * Bad, good and total event queries from another tool, as a slokit SLI kind: counters
 * (error-ratio) or a histogram threshold (latency). Queries must already have their window
 * placeholder replaced by a duration.
 */
import { selectorText } from '../promql/escape.js';
import type { Selector } from '../model/types.js';
import { counterDifference, counterRate, counterRatio, histogramThreshold, type CounterRate } from './promql-shapes.js';
import type { SliDraft } from './draft.js';

export interface EventQueries {
  readonly bad?: string;
  readonly good?: string;
  readonly total: string;
}

export type SliShape =
  | { readonly ok: true; readonly fields: Pick<SliDraft, 'kind' | 'bad' | 'good' | 'total' | 'histogram' | 'threshold'>; readonly grouping: readonly string[] }
  | { readonly ok: false; readonly query: keyof EventQueries; readonly why: string };

const COUNTER_FORMS = 'a counter (a selector such as http_requests_total{job="x"}), rate() or increase() of one, or sum of that';

const same = (a: Selector, b: Selector) => selectorText(a) === selectorText(b);

function ok(fields: Extract<SliShape, { ok: true }>['fields'], ...rates: CounterRate[]): SliShape {
  return { ok: true, fields, grouping: [...new Set(rates.flatMap((r) => r.grouping))] };
}

/**
 * An error-ratio query (Sloth's raw SLI, OpenSLO's raw ratio) that is a ratio of counter rates,
 * as the events it divides; undefined for any other ratio (an average of a gauge, say), whose
 * events slokit cannot count.
 */
export function ratioShape(query: string): SliShape | undefined {
  const r = counterRatio(query);
  if (!r) return undefined;
  const num = selectorText(r.numerator.selector);
  const total = selectorText(r.denominator.selector);
  if (r.counts === 'good') {
    const h = histogramThreshold(r.numerator.selector, r.denominator.selector);
    if (h) return ok({ kind: 'latency', histogram: selectorText(h.histogram), threshold: h.threshold }, r.numerator, r.denominator);
    return ok({ kind: 'error-ratio', good: num, total }, r.numerator, r.denominator);
  }
  return ok({ kind: 'error-ratio', bad: num, total }, r.numerator, r.denominator);
}

export function sliShape(q: EventQueries): SliShape {
  const total = counterRate(q.total);
  if (!total) return { ok: false, query: 'total', why: `the total query is not ${COUNTER_FORMS}` };
  const totalText = selectorText(total.selector);
  if (q.bad !== undefined) {
    const bad = counterRate(q.bad);
    if (bad) return ok({ kind: 'error-ratio', bad: selectorText(bad.selector), total: totalText }, bad, total);
    const diff = counterDifference(q.bad);
    if (diff && same(diff.minuend.selector, total.selector)) {
      const h = histogramThreshold(diff.subtrahend.selector, total.selector);
      if (h) return ok({ kind: 'latency', histogram: selectorText(h.histogram), threshold: h.threshold }, diff.minuend, diff.subtrahend, total);
      return ok({ kind: 'error-ratio', good: selectorText(diff.subtrahend.selector), total: totalText }, diff.minuend, diff.subtrahend, total);
    }
    return { ok: false, query: 'bad', why: `the error query is neither ${COUNTER_FORMS}, nor the total minus such a counter of good events` };
  }
  if (q.good !== undefined) {
    const good = counterRate(q.good);
    if (!good) return { ok: false, query: 'good', why: `the good query is not ${COUNTER_FORMS}` };
    const h = histogramThreshold(good.selector, total.selector);
    if (h) return ok({ kind: 'latency', histogram: selectorText(h.histogram), threshold: h.threshold }, good, total);
    return ok({ kind: 'error-ratio', good: selectorText(good.selector), total: totalText }, good, total);
  }
  return { ok: false, query: 'total', why: 'there is neither a bad nor a good query' };
}
