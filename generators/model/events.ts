/** SLI kinds -> where their events come from (bad and total counters), checked as we go. */
import { HTTP_LABEL, HTTP_SERVER_DURATION, HTTP_SERVER_ERROR_STATUS_REGEX, JOB_DURATION, JOB_LABEL, JOB_OUTCOME } from '../../sdk/src/contract.js';
import { aggregationDropping, checkExpression, parseSelector, UNREADABLE_RUNE, UNREADABLE_WHY, unquotedStrings, withoutOrVectorZero } from '../promql/parse.js';
import type { EventSource, HistogramPart, Selector } from './types.js';
import { labelsFor } from '../promql/label-values.js';
import { formatNumber } from './decimal.js';

export type Report = (path: (string | number)[], message: string, hint: string) => void;

const UNREADABLE_HINT = 'match it with a regular expression that leaves the character out, e.g. label=~"before.after"';

type SliDoc = Record<string, unknown> & { kind: string };

function selector(doc: SliDoc, field: string, report: Report, matchersOnly = false): Selector | undefined {
  return selectorAt(doc[field], [field], report, matchersOnly);
}

/** The selector `text`, written at `path` of the SLI; a problem is reported there. */
function selectorAt(text: unknown, path: (string | number)[], report: Report, matchersOnly = false): Selector | undefined {
  if (typeof text !== 'string') return undefined;
  const r = parseSelector(text, matchersOnly);
  if (!r.ok) {
    const hint = r.error.includes('U+FFFD')
      ? UNREADABLE_HINT
      : matchersOnly
        ? 'write label matchers such as job="my-service", route!~"/-/.*"'
        : 'write a series selector such as metric_total{label="value"}; use kind: raw for expressions';
    report(path, r.error, hint);
    return undefined;
  }
  return r.value;
}

/** A histogram's base-name selector at `path` of the SLI (`histogram`, or `histograms[i].histogram`). */
function histogramSelector(text: unknown, path: (string | number)[], report: Report): Selector | undefined {
  const s = selectorAt(text, path, report);
  if (!s) return undefined;
  if (/_(bucket|count|sum)$/.test(s.metric)) {
    report(path, `histogram "${s.metric}" should be the base name`, `write ${s.metric.replace(/_(bucket|count|sum)$/, '')} (without _bucket, _count or _sum)`);
    return undefined;
  }
  if (s.matchers.some((m) => m.label === 'le')) {
    report(path, 'the histogram selector must not match on "le"', 'remove the le matcher; thresholds are set with threshold/satisfied/tolerated');
    return undefined;
  }
  return s;
}

/**
 * Selectors summed as one: `text` is one selector or a list of them (a combined SLI). Two of
 * them that can select one series would count its events twice, so that is refused where a
 * series both select can be named.
 */
function selectorList(doc: SliDoc, field: string, report: Report): Selector[] | undefined {
  const value = doc[field];
  if (typeof value === 'string') {
    const one = selector(doc, field, report);
    return one && [one];
  }
  const items = value as unknown[];
  const parsed = items.map((text, i) => selectorAt(text, [field, i], report));
  if (parsed.some((p) => !p)) return undefined;
  const list = parsed as Selector[];
  return disjoint(list.map((s, i) => ({ selector: s, path: [field, i] })), field, report) ? list : undefined;
}

/** Whether no series can be selected by two of `parts` (as far as a shared series can be named). */
function disjoint(parts: readonly { selector: Selector; path: (string | number)[] }[], what: string, report: Report): boolean {
  for (let j = 1; j < parts.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = parts[i]!.selector;
      const b = parts[j]!.selector;
      if (a.metric !== b.metric) continue;
      const shared = labelsFor([...a.matchers, ...b.matchers], {});
      if (!shared) continue;
      const example = Object.entries(shared).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
      report(parts[j]!.path, `${what} entries ${i + 1} and ${j + 1} both select ${a.metric}{${example}}, so its events would be counted twice`, `make them disjoint, e.g. add a matcher to one that the other's series fail (stage!="cny" beside stage="cny")`);
      return false;
    }
  }
  return true;
}

function checkBoundary(value: number, buckets: readonly number[] | undefined, path: (string | number)[], field: string, what: string, report: Report): void {
  if (!buckets) return;
  if (!buckets.includes(value)) {
    const sorted = [...buckets].sort((a, b) => a - b);
    const nearest = sorted.reduce((a, b) => (Math.abs(b - value) < Math.abs(a - value) ? b : a), sorted[0]!);
    report(path, `${field} ${formatNumber(value)}s is not a bucket boundary of ${what}`, `use a boundary, e.g. ${formatNumber(nearest)} (boundaries: ${sorted.map(formatNumber).join(', ')})`);
  }
}

function withMatchers(base: string, s: Selector, extra: Selector['matchers'] = []): Selector {
  return { metric: base, matchers: [...s.matchers, ...extra] };
}

const THRESHOLDS = { latency: ['threshold'], apdex: ['satisfied', 'tolerated'] } as const;

/**
 * The histograms of a latency or apdex SLI: `histogram` with its thresholds, or `histograms`,
 * each with its own (a combined SLI). Thresholds are checked against declared buckets, and an
 * apdex's tolerated must lie beyond its satisfied.
 */
function histogramParts(doc: SliDoc, report: Report): HistogramPart[] | undefined {
  const fields = THRESHOLDS[doc.kind as 'latency' | 'apdex'];
  const single = doc.histogram !== undefined || fields.some((f) => doc[f] !== undefined);
  if (single === (doc.histograms !== undefined)) {
    const both = single;
    report(both ? ['histograms'] : [], both ? 'give histogram with its thresholds, or histograms, not both' : `a ${doc.kind} SLI needs histogram (with ${fields.join(' and ')}) or histograms`, `keep histogram: and ${fields.join(': and ')}: for one histogram, or a histograms: list whose entries each give histogram: and ${fields.join(': and ')}:`);
    return undefined;
  }
  const entries = single ? [{ entry: doc, path: [] as (string | number)[] }] : (doc.histograms as SliDoc[]).map((entry, i) => ({ entry, path: ['histograms', i] as (string | number)[] }));
  const parts: HistogramPart[] = [];
  let ok = true;
  for (const { entry, path } of entries) {
    const missing = ['histogram', ...fields].filter((f) => entry[f] === undefined);
    if (missing.length) {
      report(path, `missing ${missing.map((f) => `"${f}"`).join(' and ')} ${path.length ? `in histograms entry ${(path[1] as number) + 1}` : `beside ${single && doc.histogram !== undefined ? 'histogram' : 'the thresholds'}`}`, `add ${missing.map((f) => `${f}:`).join(' and ')}`);
      ok = false;
      continue;
    }
    const at = (f: string) => [...path, f];
    const h = histogramSelector(entry.histogram, at('histogram'), report);
    const satisfied = entry[fields[0]] as number;
    const tolerated = doc.kind === 'apdex' ? (entry.tolerated as number) : undefined;
    if (tolerated !== undefined && tolerated <= satisfied) {
      report(at('tolerated'), `tolerated (${formatNumber(tolerated)}s) must be greater than satisfied (${formatNumber(satisfied)}s)`, 'apdex usually tolerates 4 times the satisfied threshold');
      ok = false;
      continue;
    }
    const declared = entry.buckets as number[] | undefined;
    for (const f of fields) checkBoundary(entry[f] as number, declared, at(f), f, 'the declared buckets', report);
    if (!h) ok = false;
    else parts.push({ histogram: h, satisfied, ...(tolerated !== undefined ? { tolerated } : {}) });
  }
  if (!ok) return undefined;
  return disjoint(parts.map((p, i) => ({ selector: p.histogram, path: single ? ['histogram'] : ['histograms', i, 'histogram'] })), 'histograms', report) ? parts : undefined;
}

/** A raw rate as slokit records it: a trailing `or vector(0)` dropped (see withoutOrVectorZero). */
const rawRate = (text: string) => withoutOrVectorZero(text) ?? text;

export function eventSource(doc: SliDoc, rawWindow: string, aggregationLabels: readonly string[], report: Report): EventSource | undefined {
  switch (doc.kind) {
    case 'error-ratio': {
      const hasBad = doc.bad !== undefined;
      const hasGood = doc.good !== undefined;
      if (hasBad === hasGood) {
        report(hasBad ? ['good'] : [], hasBad ? 'give either bad or good, not both' : 'an error-ratio SLI needs bad or good', 'keep one of bad: (failed events) or good: (successful events) next to total:');
        return undefined;
      }
      const total = selectorList(doc, 'total', report);
      const bad = hasBad ? selectorList(doc, 'bad', report) : undefined;
      const good = hasGood ? selectorList(doc, 'good', report) : undefined;
      if (!total || (hasBad && !bad) || (hasGood && !good)) return undefined;
      return { type: 'counters', total, ...(bad ? { bad } : {}), ...(good ? { good } : {}) };
    }
    case 'latency':
    case 'apdex': {
      const parts = histogramParts(doc, report);
      return parts && { type: 'histogram', parts };
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
      if (latency) checkBoundary(doc.threshold as number, contract.buckets, ['threshold'], 'threshold', `the standard metric ${contract.name}`, report);
      if (!s) return undefined;
      if (latency) return { type: 'histogram', parts: [{ histogram: withMatchers(contract.name, s), satisfied: doc.threshold as number }] };
      const total = withMatchers(`${contract.name}_count`, s);
      const bad =
        doc.kind === 'http'
          ? withMatchers(total.metric, s, [{ label: HTTP_LABEL.statusCode, op: '=~', value: HTTP_SERVER_ERROR_STATUS_REGEX }])
          : withMatchers(total.metric, s, [{ label: JOB_LABEL.outcome, op: '=', value: JOB_OUTCOME.failure }]);
      return { type: 'counters', total: [total], bad: [bad] };
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
