/** SLI kinds -> where their events come from (bad and total counters), checked as we go. */
import { HTTP_LABEL, HTTP_SERVER_DURATION, HTTP_SERVER_ERROR_STATUS_REGEX, JOB_DURATION, JOB_LABEL, JOB_OUTCOME } from '../../sdk/src/contract.js';
import { aggregationDropping, checkExpression, parseSelector, UNREADABLE_RUNE, UNREADABLE_WHY, unquotedStrings, withoutOrVectorZero } from '../promql/parse.js';
import type { EventSource, Selector } from './types.js';
import { formatNumber } from './decimal.js';

export type Report = (path: (string | number)[], message: string, hint: string) => void;

const UNREADABLE_HINT = 'match it with a regular expression that leaves the character out, e.g. label=~"before.after"';

type SliDoc = Record<string, unknown> & { kind: string };

function selector(doc: SliDoc, field: string, report: Report, matchersOnly = false): Selector | undefined {
  const text = doc[field];
  if (typeof text !== 'string') return undefined;
  const r = parseSelector(text, matchersOnly);
  if (!r.ok) {
    const hint = r.error.includes('U+FFFD')
      ? UNREADABLE_HINT
      : matchersOnly
        ? 'write label matchers such as job="my-service", route!~"/-/.*"'
        : 'write a series selector such as metric_total{label="value"}; use kind: raw for expressions';
    report([field], r.error, hint);
    return undefined;
  }
  return r.value;
}

function histogramSelector(doc: SliDoc, report: Report): Selector | undefined {
  const s = selector(doc, 'histogram', report);
  if (!s) return undefined;
  if (/_(bucket|count|sum)$/.test(s.metric)) {
    report(['histogram'], `histogram "${s.metric}" should be the base name`, `write ${s.metric.replace(/_(bucket|count|sum)$/, '')} (without _bucket, _count or _sum)`);
    return undefined;
  }
  if (s.matchers.some((m) => m.label === 'le')) {
    report(['histogram'], 'the histogram selector must not match on "le"', 'remove the le matcher; thresholds are set with threshold/satisfied/tolerated');
    return undefined;
  }
  return s;
}

function checkBoundary(value: number, buckets: readonly number[] | undefined, field: string, what: string, report: Report): void {
  if (!buckets) return;
  if (!buckets.includes(value)) {
    const sorted = [...buckets].sort((a, b) => a - b);
    const nearest = sorted.reduce((a, b) => (Math.abs(b - value) < Math.abs(a - value) ? b : a), sorted[0]!);
    report([field], `${field} ${formatNumber(value)}s is not a bucket boundary of ${what}`, `use a boundary, e.g. ${formatNumber(nearest)} (boundaries: ${sorted.map(formatNumber).join(', ')})`);
  }
}

function withMatchers(base: string, s: Selector, extra: Selector['matchers'] = []): Selector {
  return { metric: base, matchers: [...s.matchers, ...extra] };
}

/** A raw rate as slokit records it: a trailing `or vector(0)` dropped (see withoutOrVectorZero). */
const rawRate = (text: string) => withoutOrVectorZero(text) ?? text;

export function eventSource(doc: SliDoc, rawWindow: string, aggregationLabels: readonly string[], report: Report): EventSource | undefined {
  switch (doc.kind) {
    case 'error-ratio': {
      const hasBad = typeof doc.bad === 'string';
      const hasGood = typeof doc.good === 'string';
      if (hasBad === hasGood) {
        report(hasBad ? ['good'] : [], hasBad ? 'give either bad or good, not both' : 'an error-ratio SLI needs bad or good', 'keep one of bad: (failed events) or good: (successful events) next to total:');
        return undefined;
      }
      const total = selector(doc, 'total', report);
      const bad = hasBad ? selector(doc, 'bad', report) : undefined;
      const good = hasGood ? selector(doc, 'good', report) : undefined;
      if (!total || (hasBad && !bad) || (hasGood && !good)) return undefined;
      return { type: 'counters', total, ...(bad ? { bad } : {}), ...(good ? { good } : {}) };
    }
    case 'latency': {
      const h = histogramSelector(doc, report);
      const threshold = doc.threshold as number;
      checkBoundary(threshold, doc.buckets as number[] | undefined, 'threshold', 'the declared buckets', report);
      return h ? { type: 'histogram', histogram: h, satisfied: threshold } : undefined;
    }
    case 'apdex': {
      const h = histogramSelector(doc, report);
      const satisfied = doc.satisfied as number;
      const tolerated = doc.tolerated as number;
      if (tolerated <= satisfied) {
        report(['tolerated'], `tolerated (${formatNumber(tolerated)}s) must be greater than satisfied (${formatNumber(satisfied)}s)`, 'apdex usually tolerates 4 times the satisfied threshold');
        return undefined;
      }
      checkBoundary(satisfied, doc.buckets as number[] | undefined, 'satisfied', 'the declared buckets', report);
      checkBoundary(tolerated, doc.buckets as number[] | undefined, 'tolerated', 'the declared buckets', report);
      return h ? { type: 'histogram', histogram: h, satisfied, tolerated } : undefined;
    }
    case 'http':
    case 'job': {
      const contract = doc.kind === 'http' ? HTTP_SERVER_DURATION : JOB_DURATION;
      const s = selector(doc, 'selector', report, true);
      const latency = doc.measure === 'latency';
      if (latency && typeof doc.threshold !== 'number') {
        report(['measure'], 'measure: latency needs a threshold', `add threshold: <seconds>, one of ${contract.buckets.map(formatNumber).join(', ')}`);
        return undefined;
      }
      if (!latency && doc.threshold !== undefined) {
        report(['threshold'], 'threshold is only used with measure: latency', 'add measure: latency, or remove threshold');
        return undefined;
      }
      if (latency) checkBoundary(doc.threshold as number, contract.buckets, 'threshold', `the standard metric ${contract.name}`, report);
      if (!s) return undefined;
      if (latency) return { type: 'histogram', histogram: withMatchers(contract.name, s), satisfied: doc.threshold as number };
      const total = withMatchers(`${contract.name}_count`, s);
      const bad =
        doc.kind === 'http'
          ? withMatchers(total.metric, s, [{ label: HTTP_LABEL.statusCode, op: '=~', value: HTTP_SERVER_ERROR_STATUS_REGEX }])
          : withMatchers(total.metric, s, [{ label: JOB_LABEL.outcome, op: '=', value: JOB_OUTCOME.failure }]);
      return { type: 'counters', total, bad };
    }
    case 'bool-gauge': {
      const g = selector(doc, 'gauge', report);
      return g ? { type: 'gauge', gauge: g } : undefined;
    }
    case 'raw': {
      let ok = true;
      for (const field of ['bad_rate', 'total_rate'] as const) {
        const text = (doc[field] as string).replaceAll('$window', rawWindow);
        const r = checkExpression(text);
        if (!r.ok) {
          ok = false;
          report([field], r.error, 'write a PromQL expression that returns a per-second rate, with [$window] as its range');
          continue;
        }
        if (text.includes(UNREADABLE_RUNE) || unquotedStrings(text).some((v) => v.includes(UNREADABLE_RUNE))) {
          ok = false;
          report([field], `${field} holds U+FFFD, ${UNREADABLE_WHY}`, UNREADABLE_HINT);
          continue;
        }
        // Alerts, routes and dashboard links are per environment and cluster: an aggregation that drops them leaves every alert without them.
        const drop = aggregationDropping(text, aggregationLabels);
        if (drop) {
          ok = false;
          const grouping = aggregationLabels.join(', ');
          report([field], `${field} aggregates away ${drop.dropped.join(' and ')} in ${JSON.stringify(drop.aggregation.slice(0, 60))}`, `keep them in every aggregation, e.g. sum by (${grouping}) (...), or leave the expression unaggregated`);
        }
      }
      const ts = doc.test_series as SliDoc;
      const sub: Report = (p, m, h) => report(['test_series', ...p], m, h);
      if (ts.histograms !== undefined) {
        if (ts.bad !== undefined || ts.good !== undefined || ts.total !== undefined) {
          sub(['histograms'], 'test_series takes histograms or counters (bad with good or total), not both', 'keep histograms: for a raw SLI over histograms, or bad with good or total for one over counters');
          return undefined;
        }
        const histograms = (ts.histograms as SliDoc[]).map((h, i) => {
          const hs = selector(h, 'histogram', (p, m, hint) => sub(['histograms', i, ...p], m, hint));
          if (hs && /_(bucket|count|sum)$/.test(hs.metric)) {
            sub(['histograms', i, 'histogram'], `histogram names the histogram, not its ${hs.metric.replace(/^.*_/, '_')} series`, `write ${hs.metric.replace(/_(bucket|count|sum)$/, '')}{...}; the tests feed its _bucket and _count series`);
            return undefined;
          }
          return hs ? { histogram: hs, le: [...new Set(h.le as number[])].sort((a, b) => a - b) } : undefined;
        });
        if (!ok || histograms.some((h) => !h)) return undefined;
        return { type: 'raw', badRate: rawRate(doc.bad_rate as string), totalRate: rawRate(doc.total_rate as string), testSeries: { histograms: histograms as { histogram: Selector; le: number[] }[] } };
      }
      if (ts.bad === undefined) {
        sub([], 'test_series needs bad (with good or total) or histograms', 'give bad: and total: (counters of bad and of all events), or histograms: for a raw SLI over histograms');
        return undefined;
      }
      if ((ts.good === undefined) === (ts.total === undefined)) {
        sub([], 'test_series needs bad and exactly one of good or total', 'give good: (a counter of good events only) or total: (a counter of all events)');
        return undefined;
      }
      const bad = selector(ts, 'bad', sub);
      const good = ts.good !== undefined ? selector(ts, 'good', sub) : undefined;
      const total = ts.total !== undefined ? selector(ts, 'total', sub) : undefined;
      if (!ok || !bad || (!good && !total)) return undefined;
      return { type: 'raw', badRate: rawRate(doc.bad_rate as string), totalRate: rawRate(doc.total_rate as string), testSeries: { bad, ...(good ? { good } : {}), ...(total ? { total } : {}) } };
    }
    default:
      return undefined;
  }
}
