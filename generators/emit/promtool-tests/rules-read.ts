/**
 * The rules a promtool test group can see: the ones its checks name and every rule those
 * read, transitively. promtool evaluates every rule of its files at every step of every group,
 * so a group that checks one alert over 12 simulated hours pays for the 30d window's subquery
 * at each of its 720 steps. Run against only the rules it reads, it gets the same answers:
 * a rule's value depends on the rules it reads and nothing else, and the rules kept keep
 * their groups, intervals and order.
 */
import { parseDuration } from '../../model/duration.js';
import { metricNamesRead } from '../../promql/parse.js';
import type { GroupObject } from './rule-slice.js';

/** The series Prometheus writes for every alert rule: reading them reads every alert. */
const ALERT_SERIES = new Set(['ALERTS', 'ALERTS_FOR_STATE']);

const ruleName = (r: GroupObject['rules'][number]) => (r.record ?? r.alert)!;

/** `groups` cut down to the rules named in `wanted` and every rule they read; empty groups dropped. */
export function rulesRead(groups: readonly GroupObject[], wanted: Iterable<string>): GroupObject[] {
  const rules = groups.flatMap((g) => g.rules);
  const kept = new Set<string>();
  const pending = [...wanted];
  while (pending.length) {
    const name = pending.pop()!;
    if (kept.has(name)) continue;
    kept.add(name);
    if (ALERT_SERIES.has(name)) pending.push(...rules.filter((r) => r.alert !== undefined).map(ruleName));
    for (const r of rules) if (ruleName(r) === name) pending.push(...metricNamesRead(r.expr));
  }
  return groups.map((g) => ({ ...g, rules: g.rules.filter((r) => kept.has(ruleName(r))) })).filter((g) => g.rules.length > 0);
}

export interface CheckedGroup {
  readonly alert_rule_test?: readonly { readonly alertname: string; readonly eval_time?: string }[];
  readonly promql_expr_test?: readonly { readonly expr: string; readonly eval_time?: string }[];
}

/** Seconds to a group's last check: promtool evaluates its rules up to there. */
export function lastCheckSeconds(group: CheckedGroup): number {
  const at = (text: string | undefined) => (text === undefined ? 0 : (parseDuration(text)?.seconds ?? 0));
  return Math.max(0, ...[...(group.alert_rule_test ?? []), ...(group.promql_expr_test ?? [])].map((c) => at(c.eval_time)));
}

/** What a promtool test group's checks read: the alerts they name and the series their expressions select. */
export function namesChecked(group: CheckedGroup): string[] {
  return [...(group.alert_rule_test ?? []).map((c) => c.alertname), ...(group.promql_expr_test ?? []).flatMap((c) => metricNamesRead(c.expr))];
}

/** A test file's groups by the rules they read: the groups that read the same rules together, in order of first appearance. */
export function partsByRulesRead<T extends CheckedGroup>(tests: readonly T[], rules: readonly GroupObject[]): { rules: GroupObject[]; tests: T[] }[] {
  const parts = new Map<string, { rules: GroupObject[]; tests: T[] }>();
  for (const t of tests) {
    const read = rulesRead(rules, namesChecked(t));
    const key = read.map((g) => `${g.name}\0${g.rules.map(ruleName).join('\0')}`).join('\0\0');
    const part = parts.get(key) ?? { rules: read, tests: [] };
    part.tests.push(t);
    parts.set(key, part);
  }
  return [...parts.values()];
}

/** The fields of a promtool test file that say how to run its groups. */
export interface TestFileHead {
  readonly rule_files?: readonly string[];
  readonly evaluation_interval?: string;
  readonly group_eval_order?: readonly string[];
}

/** A test file that runs `tests` against `rules` alone (written to `ruleFile`), its rule groups in the same order. */
export function testFileOver<T>(head: TestFileHead, tests: readonly T[], rules: readonly GroupObject[], ruleFile: string): TestFileHead & { tests: readonly T[] } {
  const kept = new Set(rules.map((g) => g.name));
  const order = head.group_eval_order?.filter((g) => kept.has(g));
  return { ...head, rule_files: [ruleFile], ...(order ? { group_eval_order: order } : {}), tests };
}
