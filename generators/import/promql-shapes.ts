/**
 * Recognises the PromQL shapes other SLO tools write, so an imported SLI becomes a slokit kind
 * (counters or a histogram) whose rules, dashboards and tests slokit builds itself, rather than
 * an opaque expression. Read with the Prometheus grammar, never with regular expressions.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { matchersText } from '../promql/escape.js';
import { parseSelector } from '../promql/parse.js';
import type { Selector } from '../model/types.js';

/** A counter read as a rate: `sum [by (...)] (rate|increase(SELECTOR[range]))`, `rate(...)`, or a bare selector (OpenSLO counters). */
export interface CounterRate {
  readonly selector: Selector;
  /** Labels of a `by` grouping (slokit groups by environment and cluster instead). */
  readonly grouping: readonly string[];
}

/** Strips parentheses around the whole expression. */
function unwrap(node: SyntaxNode | null): SyntaxNode | null {
  while (node?.name === 'ParenExpr') node = node.firstChild;
  return node;
}

function selectorAt(text: string, node: SyntaxNode): Selector | undefined {
  const parsed = parseSelector(text.slice(node.from, node.to));
  return parsed.ok ? parsed.value : undefined;
}

function counterAt(text: string, node: SyntaxNode | null): CounterRate | undefined {
  node = unwrap(node);
  if (!node) return undefined;
  let grouping: string[] = [];
  if (node.name === 'AggregateExpr') {
    const op = node.getChild('AggregateOp');
    if (!op || text.slice(op.from, op.to) !== 'sum') return undefined;
    const modifier = node.getChild('AggregateModifier');
    if (modifier?.getChild('Without')) return undefined;
    grouping = modifier?.getChild('GroupingLabels')?.getChildren('LabelName').map((l) => text.slice(l.from, l.to)) ?? [];
    const body = node.getChild('FunctionCallBody');
    const inner = body?.firstChild;
    if (!inner || inner.nextSibling) return undefined;
    node = unwrap(inner);
    if (!node) return undefined;
  }
  if (node.name === 'VectorSelector') {
    const selector = selectorAt(text, node);
    return selector && { selector, grouping };
  }
  if (node.name !== 'FunctionCall') return undefined;
  const fn = node.getChild('FunctionIdentifier');
  if (!fn || !['rate', 'increase'].includes(text.slice(fn.from, fn.to))) return undefined;
  const arg = node.getChild('FunctionCallBody')?.firstChild;
  if (!arg || arg.name !== 'MatrixSelector' || arg.nextSibling) return undefined;
  const vs = arg.getChild('VectorSelector');
  const selector = vs ? selectorAt(text, vs) : undefined;
  return selector && { selector, grouping };
}

/**
 * Counter rates added up, `A + B + ...` (a service that counts its events in several places),
 * as their list; one counter rate is a list of one. A `+` with vector matching (on, ignoring,
 * group_left) says more than a sum, and is not one.
 */
function counterSumAt(text: string, node: SyntaxNode | null): CounterRate[] | undefined {
  node = unwrap(node);
  if (node?.name === 'BinaryExpr') {
    const [left, op, right] = [node.firstChild, node.firstChild?.nextSibling, node.lastChild];
    if (!left || !op || !right || op.name !== 'Add' || op.nextSibling?.from !== right.from) return undefined;
    const a = counterSumAt(text, left);
    const b = counterSumAt(text, right);
    return a && b ? [...a, ...b] : undefined;
  }
  const one = counterAt(text, node);
  return one && [one];
}

function parsedTop(query: string): SyntaxNode | null {
  const top = parser.parse(query).topNode;
  let error = false;
  top.cursor().iterate((n) => {
    if (n.type.isError) error = true;
  });
  const expr = top.firstChild;
  return error || !expr || expr.nextSibling ? null : expr;
}

/** `query` as one counter rate, or undefined. */
export function counterRate(query: string): CounterRate | undefined {
  const expr = parsedTop(query);
  return expr ? counterAt(query, expr) : undefined;
}

/** `query` as a sum of one or more counter rates, or undefined. */
export function counterSum(query: string): CounterRate[] | undefined {
  const expr = parsedTop(query);
  return expr ? counterSumAt(query, expr) : undefined;
}

/** `A - B` of two counter rates, or sums of them (Sloth's "total minus good"), or undefined. */
export function counterDifference(query: string): { minuend: CounterRate[]; subtrahend: CounterRate[] } | undefined {
  const top = unwrap(parser.parse(query).topNode.firstChild);
  if (!top || top.name !== 'BinaryExpr') return undefined;
  const [left, op, right] = [top.firstChild, top.firstChild?.nextSibling, top.lastChild];
  if (!left || !op || !right || op.name !== 'Sub' || op.nextSibling?.from !== right.from) return undefined;
  const minuend = counterSumAt(query, left);
  const subtrahend = counterSumAt(query, right);
  return minuend && subtrahend ? { minuend, subtrahend } : undefined;
}

function sameMatchers(a: Selector, b: Selector, except: string): boolean {
  const key = (s: Selector) => matchersText(s.matchers.filter((m) => m.label !== except).slice().sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0)));
  return key(a) === key(b);
}

/**
 * A histogram threshold: `good` is `H_bucket{M, le="T"}` and `total` is `H_count{M}` with the
 * same matchers M. Returns the histogram `H{M}` and T.
 */
export function histogramThreshold(good: Selector, total: Selector): { histogram: Selector; threshold: number } | undefined {
  if (!good.metric.endsWith('_bucket') || !total.metric.endsWith('_count')) return undefined;
  const base = good.metric.slice(0, -'_bucket'.length);
  if (total.metric.slice(0, -'_count'.length) !== base) return undefined;
  const le = good.matchers.filter((m) => m.label === 'le');
  if (le.length !== 1 || le[0]!.op !== '=') return undefined;
  const threshold = Number(le[0]!.value);
  if (!Number.isFinite(threshold) || threshold <= 0 || !sameMatchers(good, total, 'le')) return undefined;
  return { histogram: { metric: base, matchers: total.matchers }, threshold };
}

/**
 * An error ratio written as a ratio of counter rates (or of sums of them): `bad / total`, or
 * `1 - good / total`. Returns the two sides and which kind of events the numerator counts.
 */
export function counterRatio(query: string): { numerator: CounterRate[]; denominator: CounterRate[]; counts: 'bad' | 'good' } | undefined {
  const top = unwrap(parser.parse(query).topNode.firstChild);
  if (!top || top.name !== 'BinaryExpr') return undefined;
  const op = top.firstChild?.nextSibling;
  const division = (node: SyntaxNode | null) => {
    node = unwrap(node);
    if (!node || node.name !== 'BinaryExpr' || node.firstChild?.nextSibling?.name !== 'Div') return undefined;
    const numerator = counterSumAt(query, node.firstChild);
    const denominator = counterSumAt(query, node.lastChild);
    return numerator && denominator ? { numerator, denominator } : undefined;
  };
  if (op?.name === 'Div') {
    const d = division(top);
    return d && { ...d, counts: 'bad' };
  }
  const one = unwrap(top.firstChild);
  if (op?.name === 'Sub' && one?.name === 'NumberDurationLiteral' && Number(query.slice(one.from, one.to)) === 1) {
    const d = division(top.lastChild);
    return d && { ...d, counts: 'good' };
  }
  return undefined;
}
