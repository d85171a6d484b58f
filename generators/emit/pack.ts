/**
 * The whole pack as a map from path (relative to out/) to file content: a pure function of
 * the model, so output is byte-identical run to run.
 */
import type { Model } from '../model/types.js';
import { outputPaths } from '../naming.js';
import { serviceTestGroups, testFileText } from './promtool-tests/test-file.js';
import { ruleFileText } from './rule-file.js';
import { serviceRules } from './rule-groups.js';
import { isAlert } from './rule-types.js';

export interface PackSummary {
  services: number;
  slis: number;
  recordingRules: number;
  alertRules: number;
  ruleGroups: number;
  testGroups: number;
  testCases: number;
}

export interface Pack {
  readonly files: ReadonlyMap<string, string>;
  readonly summary: PackSummary;
}

export function generatePack(model: Model): Pack {
  const files = new Map<string, string>();
  const summary: PackSummary = { services: 0, slis: 0, recordingRules: 0, alertRules: 0, ruleGroups: 0, testGroups: 0, testCases: 0 };
  for (const service of model.services) {
    const rules = serviceRules(model, service);
    files.set(outputPaths.rules(service), ruleFileText(model, service, rules.groups));
    const tests = serviceTestGroups(model, service, rules.alerts);
    files.set(outputPaths.tests(service), testFileText(service, tests.step, tests.groups));
    summary.services++;
    summary.slis += service.slis.length;
    summary.ruleGroups += rules.groups.length;
    for (const g of rules.groups) for (const r of g.rules) isAlert(r) ? summary.alertRules++ : summary.recordingRules++;
    summary.testGroups += tests.groups.length;
    summary.testCases += tests.groups.reduce((n, g) => n + (g.alert_rule_test?.length ?? 0) + (g.promql_expr_test?.length ?? 0), 0);
  }
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, summary };
}
