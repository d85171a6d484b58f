/** Safe PromQL text from values: the only way catalog values enter generated queries. */
import type { Matcher, Selector } from '../model/types.js';

/**
 * A PromQL double-quoted string literal. JSON escaping is a subset of Go's, which PromQL uses.
 * Prometheus's lexer refuses U+FFFD written as itself ("invalid UTF-8 rune"), so it is escaped
 * (validation still refuses it in label values: see UNREADABLE_RUNE).
 */
export function quote(value: string): string {
  return JSON.stringify(value).replaceAll('\ufffd', '\\ufffd');
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

export function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

function assertLabel(name: string): string {
  if (!LABEL_NAME.test(name)) throw new Error(`not a label name: ${JSON.stringify(name)}`);
  return name;
}

export function matcherText(m: Matcher): string {
  return `${assertLabel(m.label)}${m.op}${quote(m.value)}`;
}

export function matchersText(matchers: readonly Matcher[]): string {
  return `{${matchers.map(matcherText).join(', ')}}`;
}

/** `metric{a="b"}`; with extra matchers appended (e.g. le="1"). */
export function selectorText(s: Selector, extra: readonly Matcher[] = [], metricSuffix = ''): string {
  const metric = s.metric + metricSuffix;
  if (!METRIC_NAME.test(metric)) throw new Error(`not a metric name: ${JSON.stringify(metric)}`);
  const all = [...s.matchers, ...extra];
  return all.length ? `${metric}${matchersText(all)}` : metric;
}

export function byClause(labels: readonly string[]): string {
  return labels.length ? ` by (${labels.map(assertLabel).join(', ')})` : '';
}

/** Regex that matches a label value exactly (for =~ on values we hold). */
export function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A series in exposition style, labels sorted: `metric{a="1", b="2"}` (or just `{…}` without a metric). */
export function seriesText(metric: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${assertLabel(k)}=${quote(labels[k]!)}`);
  return pairs.length || !metric ? `${metric}{${pairs.join(', ')}}` : metric;
}
