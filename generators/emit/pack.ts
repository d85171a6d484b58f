/**
 * The whole pack as a map from path (relative to out/) to file content: a function of the
 * model (and an optional dashboard override file) only, so output is byte-identical run to run.
 */
import type { Model } from '../model/types.js';
import { alertmanagerPaths, dashboardPaths, outputPaths, runbookPaths } from '../naming.js';
import { alertmanagerYaml, routeCasesYaml } from './alertmanager/routing.js';
import { renderRunbooks } from './runbooks/render.js';
import { configMapYaml, dashboardFolders, provisioningYaml } from './dashboards/delivery.js';
import { renderDashboards } from './dashboards/evaluate.js';
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
  dashboards: number;
  panels: number;
  runbooks: number;
  runbookSections: number;
}

export interface Pack {
  readonly files: ReadonlyMap<string, string>;
  readonly summary: PackSummary;
}

export interface PackOptions {
  /** A jsonnet file merged onto the dashboards (monitoring-mixin style). */
  readonly dashboardOverrides?: string;
}

function countPanels(d: Readonly<Record<string, unknown>>): number {
  return Array.isArray(d.panels) ? d.panels.filter((p: { type?: string }) => p.type !== 'row').length : 0;
}

/** Receives each generated file as soon as it exists (paths relative to out/). */
export type FileSink = (path: string, text: string) => void;

export async function generatePack(model: Model, options: PackOptions = {}): Promise<Pack> {
  const files = new Map<string, string>();
  const summary = await emitPack(model, options, (path, text) => files.set(path, text));
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, summary };
}

/** Generates the pack file by file into `sink`, service by service, so memory stays bounded. */
export async function emitPack(model: Model, options: PackOptions, sink: FileSink): Promise<PackSummary> {
  const files = { set: sink };
  const summary: PackSummary = { services: 0, slis: 0, recordingRules: 0, alertRules: 0, ruleGroups: 0, testGroups: 0, testCases: 0, dashboards: 0, panels: 0, runbooks: 0, runbookSections: 0 };
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
  const dashboards = await renderDashboards(model, options.dashboardOverrides);
  const folders = dashboardFolders(model, [...dashboards.keys()]);
  for (const [file, dashboard] of dashboards) {
    const json = `${JSON.stringify(dashboard, null, 2)}\n`;
    files.set(dashboardPaths.dashboard(file), json);
    files.set(dashboardPaths.configMap(file), configMapYaml(file, folders.get(file)!, dashboard, json));
    summary.dashboards++;
    summary.panels += countPanels(dashboard);
  }
  files.set(dashboardPaths.provisioning, provisioningYaml(folders));
  files.set(alertmanagerPaths.config, alertmanagerYaml(model));
  files.set(alertmanagerPaths.routeTests, routeCasesYaml(model));
  const runbooks = renderRunbooks(model);
  for (const [file, text] of runbooks) files.set(runbookPaths.file(file), text);
  summary.runbooks = runbooks.size - 1;
  summary.runbookSections = summary.alertRules;
  return summary;
}
