/**
 * PromQL for an SLI's bad and total event rates over a window, read from raw series.
 * Every SLI kind reduces to these two expressions; everything else is built on them.
 */
import { formatNumber } from '../model/decimal.js';
import { formatSeconds, parseDuration } from '../model/duration.js';
import type { HistogramPart, Matcher, Selector, Sli } from '../model/types.js';
import { byClause, regexEscape, selectorText } from './escape.js';

export interface EventRates {
  readonly bad: string;
  readonly total: string;
}

/** `le` is "1" in some clients and "1.0" in others (and in Prometheus 3): match both. */
export function leMatcher(threshold: number): Matcher {
  const text = formatNumber(threshold);
  const forms = Number.isInteger(threshold) ? [text, `${text}.0`] : [text];
  return { label: 'le', op: '=~', value: forms.map(regexEscape).join('|') };
}

/** A label no raw series has, telling the parts of a combined SLI apart inside one sum. */
export const PART_LABEL = 'slokit_part';

/** A raw series to read: its selector, matchers added to it, and a suffix (_bucket, _count). */
interface Read {
  readonly selector: Selector;
  readonly extra: readonly Matcher[];
  readonly suffix?: string;
}

/**
 * The summed rate of one raw read, or of several (a combined SLI). Several are read in one
 * sum: each rate tagged with its part so `or` keeps series whose labels are otherwise the same
 * (rate() drops the metric name), and a part with no series in a place adds nothing instead of
 * emptying the sum, as `+` would. Each raw series is still read once.
 */
function sumRates(reads: readonly Read[], window: string, by: readonly string[]): string {
  const rate = (r: Read) => `rate(${selectorText(r.selector, r.extra, r.suffix)}[${window}])`;
  if (reads.length === 1) return `sum${byClause(by)} (${rate(reads[0]!)})`;
  return `sum${byClause(by)} (${reads.map((r, i) => `label_replace(${rate(r)}, "${PART_LABEL}", "${i + 1}", "", "")`).join(' or ')})`;
}

const sumRate = (s: readonly Selector[], window: string, by: readonly string[], extra: readonly Matcher[], suffix = '') =>
  sumRates(s.map((selector) => ({ selector, extra, suffix })), window, by);

/**
 * Bad and total rates over `window` (a duration such as 5m, or Grafana's $__rate_interval),
 * summed by `by`; `extra` matchers narrow every raw selector (dashboard variables). A
 * bad-events expression whose series do not exist yet (no error so far) falls back to
 * 0 × total, so long windows average real zeros instead of skipping them.
 *
 * `recordedTotal`, when given, is the total already recorded earlier in the same rule group
 * (summed by `by`): the fallback and `total - good` then read that one series instead of
 * every raw total series a second time, which keeps a recording rule's cost near one read
 * of each raw series per evaluation.
 */
export function eventRates(sli: Sli, window: string, by: readonly string[], extra: readonly Matcher[] = [], recordedTotal?: string): EventRates {
  const ev = sli.events;
  switch (ev.type) {
    case 'counters': {
      const total = sumRate(ev.total, window, by, extra);
      const totalAgain = recordedTotal ?? total;
      if (ev.bad) return { total, bad: `(${sumRate(ev.bad, window, by, extra)} or 0 * ${totalAgain})` };
      const good = `(${sumRate(ev.good!, window, by, extra)} or 0 * ${totalAgain})`;
      return { total, bad: `${totalAgain} - ${good}` };
    }
    case 'histogram': {
      const total = sumRate(ev.parts.map((p) => p.histogram), window, by, extra, '_count');
      const totalAgain = recordedTotal ?? total;
      const within = (threshold: (p: HistogramPart) => number) =>
        sumRates(ev.parts.map((p) => ({ selector: p.histogram, extra: [...extra, leMatcher(threshold(p))], suffix: '_bucket' })), window, by);
      const satisfied = within((p) => p.satisfied);
      if (ev.parts[0]!.tolerated === undefined) return { total, bad: `${totalAgain} - ${satisfied}` };
      const tolerated = within((p) => p.tolerated!);
      return { total, bad: `${totalAgain} - (${satisfied} + ${tolerated}) / 2` };
    }
    case 'gauge': {
      // Each sample is an event: samples per second over the window, and the share of them at
      // 0. A count has no extrapolation to hide a boundary sample, so the window is moved back
      // half an evaluation interval: samples scraped in step with the rule (as in promtool
      // tests) never sit on its edges, and 2.x's closed and 3.x's left-open ranges count the
      // same ones. A window Grafana picks ($__rate_interval) has no length to divide by, so
      // dashboards read the raw window.
      const w = parseDuration(window) ?? sli.evaluation.rawWindow;
      const range = `[${w.text}] offset ${formatSeconds(sli.evaluation.fastInterval.seconds / 2)}`;
      const over = (fn: string) => `sum${byClause(by)} (${fn}(${selectorText(ev.gauge, extra)}${range}))`;
      const total = `${over('count_over_time')} / ${w.seconds}`;
      return { total, bad: `${recordedTotal ?? `(${total})`} - ${over('sum_over_time')} / ${w.seconds}` };
    }
    case 'raw': {
      // The team's own expressions: only the window can be substituted, not extra matchers.
      const sub = (expr: string) => `sum${byClause(by)} (${expr.replaceAll('$window', window)})`;
      const total = sub(ev.totalRate);
      // The same fallback as the other kinds: an error series created at the first error must
      // not leave derived windows averaging bad events over fewer samples than total ones.
      return { total, bad: `(${sub(ev.badRate)} or 0 * ${recordedTotal ?? total})` };
    }
  }
}
