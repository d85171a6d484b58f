/**
 * Scenarios merged into one promtool test group, each in a lane of its own: its series, and so
 * its recorded series and alerts, set apart from the other lanes' by the value of one
 * aggregation label. promtool's time follows the steps it simulates times the rules it
 * evaluates at each, hardly the series, so lanes of one length cost about one scenario.
 *
 * Every check keeps its meaning. promtool's alert check lists every firing alert of a name, so:
 * - a time and alert name that every lane checks becomes one check of all their alerts;
 * - a lane's own check that nothing of a name fires becomes a check that its ALERTS series
 *   (firing, with the lane's labels) is empty at that time;
 * - expression checks must select their lane's series (name its labels) and are kept as they are.
 * The scenarios stay apart when their lanes cannot be told apart (the same labels: no label to
 * set them apart, or the SLI's selectors fix its value), or when a lane expects an alert at a time
 * and of a name that another lane does not check.
 */
import { seriesText } from '../../promql/escape.js';
import type { AlertCheck, ExprCheck, TestGroup } from './scenarios.js';

export interface Lane {
  readonly group: TestGroup;
  /** Labels on every series the lane's rules record and every alert they fire: its aggregation values and the SLI's identity. */
  readonly labels: Readonly<Record<string, string>>;
}

const alertKey = (c: AlertCheck) => `${c.eval_time}\0${c.alertname}`;

/** The lanes as one test group named `name`; the groups unmerged when that cannot keep every check. */
export function inLanes(name: string, lanes: readonly Lane[]): TestGroup[] {
  const groups = lanes.map((l) => l.group);
  if (lanes.length < 2) return groups;
  if (new Set(lanes.map((l) => seriesText('', l.labels))).size !== lanes.length) return groups;
  if (new Set(groups.map((g) => g.interval)).size !== 1) return groups;
  // Each time and name, in order of first appearance, with every lane's check of it.
  const byKey = new Map<string, Map<number, AlertCheck>>();
  for (const [i, g] of groups.entries()) {
    for (const c of g.alert_rule_test ?? []) {
      const lanesChecking = byKey.get(alertKey(c)) ?? new Map<number, AlertCheck>();
      const before = lanesChecking.get(i);
      if (before && JSON.stringify(before) !== JSON.stringify(c)) return groups;
      byKey.set(alertKey(c), lanesChecking.set(i, c));
    }
  }
  const alertChecks: AlertCheck[] = [];
  const exprChecks: ExprCheck[] = groups.flatMap((g) => g.promql_expr_test ?? []);
  for (const lanesChecking of byKey.values()) {
    const checks = [...lanesChecking.values()];
    const { eval_time, alertname } = checks[0]!;
    if (lanesChecking.size === lanes.length) {
      alertChecks.push({ eval_time, alertname, exp_alerts: checks.flatMap((c) => c.exp_alerts) });
      continue;
    }
    for (const [i, c] of lanesChecking) {
      if (c.exp_alerts.length) return groups;
      exprChecks.push({ expr: seriesText('ALERTS', { ...lanes[i]!.labels, alertname, alertstate: 'firing' }), eval_time, exp_samples: [] });
    }
  }
  return [
    {
      name,
      interval: groups[0]!.interval,
      input_series: groups.flatMap((g) => g.input_series),
      ...(alertChecks.length ? { alert_rule_test: alertChecks } : {}),
      ...(exprChecks.length ? { promql_expr_test: exprChecks } : {}),
    },
  ];
}
