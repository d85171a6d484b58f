/**
 * Checks PromQL from the catalog with the Prometheus project's own grammar
 * (@prometheus-io/lezer-promql) and turns selectors into structured data, so that what we
 * emit is rebuilt from parts, never pasted.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { Matcher, Selector } from '../model/types.js';
import { regexError } from './re2.js';
import { selectorMemo } from './selector-memo.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string; offset: number };

function firstError(text: string, tree = parser.parse(text)): { offset: number } | undefined {
  let found: { offset: number } | undefined;
  tree.iterate({
    enter(n) {
      if (found) return false;
      if (n.type.isError) {
        found = { offset: n.from };
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/** A whole PromQL expression: parses, or says where it stops making sense. */
export function checkExpression(text: string): ParseResult<string> {
  if (!text.trim()) return { ok: false, error: 'empty expression', offset: 0 };
  const err = firstError(text);
  if (err) return { ok: false, error: `PromQL does not parse near ${JSON.stringify(text.slice(err.offset, err.offset + 20) || 'the end')}`, offset: err.offset };
  return { ok: true, value: text };
}

/** Aggregations that return input series rather than a new one, so they keep every label. */
const SELECTING_AGGREGATIONS = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);

/**
 * The first aggregation in `text` whose result no longer has all of `labels` (sum(...) with
 * no `by`, a `by` that leaves one out, a `without` that names one), with what it drops.
 */
export function aggregationDropping(text: string, labels: readonly string[]): { aggregation: string; dropped: string[] } | undefined {
  let found: { aggregation: string; dropped: string[] } | undefined;
  parser.parse(text).iterate({
    enter: (n) => {
      if (found || n.name !== 'AggregateExpr') return;
      const op = n.node.getChild('AggregateOp');
      if (op && SELECTING_AGGREGATIONS.has(text.slice(op.from, op.to))) return;
      const modifier = n.node.getChild('AggregateModifier');
      const grouping = new Set(modifier?.getChild('GroupingLabels')?.getChildren('LabelName').map((l) => text.slice(l.from, l.to)) ?? []);
      const without = modifier?.getChild('Without') != null;
      const dropped = labels.filter((l) => (without ? grouping.has(l) : !grouping.has(l)));
      if (dropped.length) found = { aggregation: text.slice(n.from, n.to), dropped };
    },
  });
  return found;
}

/**
 * The expression without a trailing `or vector(0)` (or `or on() vector(0)`), the idiom teams
 * write so a rate is 0 rather than absent. slokit records 0 bad events wherever there are
 * events already, and vector(0) carries no labels: kept, it adds a series without the
 * environment and cluster that no ratio or alert can use. Undefined when there is none.
 */
export function withoutOrVectorZero(text: string): string | undefined {
  // `$window` (a raw SLI's range) parsed as a duration of the same length, so offsets hold.
  const top = parser.parse(text.replaceAll('$window', '999999m')).topNode.firstChild;
  if (top?.name !== 'BinaryExpr' || !top.getChild('Or')) return undefined;
  const right = top.lastChild;
  if (right?.name !== 'FunctionCall' || text.slice(right.from, right.to).replace(/\s+/g, '') !== 'vector(0)') return undefined;
  const modifier = top.getChild('MatchingModifierClause');
  if (modifier && text.slice(modifier.from, modifier.to).replace(/\s+/g, '') !== 'on()') return undefined;
  const left = top.firstChild!;
  return text.slice(left.from, left.to);
}

/** Go-style unquoting of a PromQL string literal ('..', "..", or `..`). */
export function unquote(literal: string): string {
  const q = literal[0];
  const body = literal.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (n !== undefined && n in simple) out += simple[n];
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else if (n !== undefined && /[0-7]/.test(n)) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else out += n ?? '';
  }
  return out;
}

const OPS: Record<string, Matcher['op']> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

function readMatchers(text: string, node: SyntaxNode): Matcher[] | string {
  const matchers: Matcher[] = [];
  for (let m = node.firstChild; m; m = m.nextSibling) {
    if (m.name !== 'UnquotedLabelMatcher') return 'only plain label matchers like name="value" are allowed';
    const label = m.getChild('LabelName');
    const op = m.getChild('MatchOp')?.firstChild;
    const str = m.getChild('StringLiteral');
    if (!label || !op || !str) return 'incomplete label matcher';
    const opText = OPS[op.name];
    if (!opText) return `unknown match operator ${text.slice(op.from, op.to)}`;
    matchers.push({ label: text.slice(label.from, label.to), op: opText, value: unquote(text.slice(str.from, str.to)) });
  }
  return matchers;
}

/**
 * U+FFFD: Prometheus evaluates a rule by printing its query and parsing it again, prints this
 * character as itself, and its lexer then refuses it. No escaping survives that round trip.
 */
export const UNREADABLE_RUNE = '\ufffd';
export const UNREADABLE_WHY = 'which Prometheus cannot evaluate in a rule (it prints the query back with the character and then refuses it as "invalid UTF-8 rune")';

/**
 * A series selector: `metric{a="b", c=~"d"}` and nothing else (no functions, offsets or
 * operators). With `matchersOnly`, the text is just the matchers (`job="x"` or `{job="x"}`).
 */
export function parseSelector(text: string, matchersOnly = false): ParseResult<Selector> {
  const key = selectorMemo.key(text, matchersOnly);
  const known = selectorMemo.get(key);
  if (known) return known;
  const result = parseSelectorText(text, matchersOnly);
  selectorMemo.set(key, result);
  return result;
}

function parseSelectorText(text: string, matchersOnly: boolean): ParseResult<Selector> {
  const trimmed = text.trim();
  const source = matchersOnly ? `__slokit__${trimmed.startsWith('{') ? trimmed : `{${trimmed}}`}` : trimmed;
  const shift = matchersOnly ? source.length - trimmed.length - (trimmed.startsWith('{') ? 0 : 1) : 0;
  // One parse for the error and the structure: a catalog of 25,000 SLIs has tens of thousands of selectors.
  const tree = parser.parse(source);
  const err = firstError(source, tree);
  if (err) return { ok: false, error: `selector does not parse near ${JSON.stringify(source.slice(err.offset, err.offset + 20) || 'the end')}`, offset: Math.max(0, err.offset - shift) };
  const top = tree.topNode.firstChild;
  if (!top || top.name !== 'VectorSelector' || top.nextSibling) {
    return { ok: false, error: matchersOnly ? 'expected only label matchers, e.g. job="my-service"' : 'expected a series selector such as metric_name{label="value"}, not an expression', offset: 0 };
  }
  const ident = top.getChild('Identifier');
  if (!ident) return { ok: false, error: 'the selector needs a metric name', offset: 0 };
  const lm = top.getChild('LabelMatchers');
  const matchers = lm ? readMatchers(source, lm) : [];
  if (typeof matchers === 'string') return { ok: false, error: matchers, offset: 0 };
  for (const m of matchers) {
    const why = m.op === '=~' || m.op === '!~' ? regexError(m.value) : undefined;
    if (why) return { ok: false, error: `the regex of ${m.label} is not one Prometheus accepts (RE2: ${why.replace(/^error parsing regexp: /, '')}); write it in RE2 syntax: no lookarounds or backreferences`, offset: 0 };
  }
  const unreadable = matchers.find((m) => m.value.includes(UNREADABLE_RUNE));
  if (unreadable) return { ok: false, error: `the value of ${unreadable.label} holds U+FFFD, ${UNREADABLE_WHY}`, offset: 0 };
  return { ok: true, value: { metric: matchersOnly ? '' : source.slice(ident.from, ident.to), matchers } };
}

/** The values of every string literal in an expression. */
export function unquotedStrings(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({ enter: (n) => void (n.name === 'StringLiteral' && out.push(unquote(expr.slice(n.from, n.to)))) });
  return out;
}

/** Metric names an expression reads, in order of appearance (raw ones have no colon). */
export function metricNamesRead(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.name !== 'VectorSelector') return;
      const id = n.node.getChild('Identifier');
      if (id) names.push(expr.slice(id.from, id.to));
    },
  });
  return names;
}
