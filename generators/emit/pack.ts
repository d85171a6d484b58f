/**
 * The whole pack as a map from path (relative to out/) to file content: a function of the
 * model (and an optional dashboard override file) only, so output is byte-identical run to run.
 */
import type { Model } from '../model/types.js';
import { alertmanagerPaths, dashboardPaths, kubernetesPaths, mixinPaths, outputPaths, rulerPaths, runbookPaths } from '../naming.js';
import { alertmanagerYaml, routeCasesYaml } from './alertmanager/routing.js';
import { runbookRenderer } from './runbooks/render.js';
import { configMapYaml, dashboardFolderOf, dashboardFolders, provisioningYaml } from './dashboards/delivery.js';
import { streamDashboards } from './dashboards/evaluate.js';
import { ShapeRegistry } from './promtool-tests/shape.js';
import { sliTestFileText, TestIndexBuilder } from './promtool-tests/test-file.js';
import { saturationTestFileText, saturationTestGroups } from './promtool-tests/saturation.js';
import { kustomizationYaml } from './kubernetes/kustomization.js';
import { prometheusRuleYaml } from './kubernetes/prometheus-rule.js';
import { mixinConfig, mixinLibsonnet, mixinRulesJson } from './mixin/mixin.js';
import { ruleFileText } from './rule-file.js';
import { localRulesText, mimirRulesText, thanosRulesText } from './rulers/files.js';
import { splitServiceRules } from './rulers/split.js';
import { serviceRules } from './rule-groups.js';
import { isAlert } from './rule-types.js';

export interface PackSummary {
  services: number;
  slis: number;
  saturationResources: number;
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

function runbookPath([file, text]: [string, string]): [string, string] {
  return [runbookPaths.file(file), text];
}

function countPanels(d: Readonly<Record<string, unknown>>): number {
  return Array.isArray(d.panels) ? d.panels.filter((p: { type?: string }) => p.type !== 'row').length : 0;
}

function countCases(groups: readonly { alert_rule_test?: readonly unknown[]; promql_expr_test?: readonly unknown[] }[]): number {
  return groups.reduce((n, g) => n + (g.alert_rule_test?.length ?? 0) + (g.promql_expr_test?.length ?? 0), 0);
}

/** Receives each generated file as soon as it exists (paths relative to out/). */
export type FileSink = (path: string, text: string) => void;

export async function generatePack(model: Model, options: PackOptions = {}): Promise<Pack> {
  const files = new Map<string, string>();
  const summary = await emitPack(model, options, (path, text) => files.set(path, text));
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, summary };
}

/**
 * Generates the pack file by file into `sink`, so memory stays bounded: the dashboards are
 * evaluated on jsonnet's worker threads while this thread writes each service's rules, tests
 * and runbook, and each dashboard is written as soon as its piece is done.
 */
export async function emitPack(model: Model, options: PackOptions, sink: FileSink): Promise<PackSummary> {
  const summary: PackSummary = { services: 0, slis: 0, saturationResources: 0, recordingRules: 0, alertRules: 0, ruleGroups: 0, testGroups: 0, testCases: 0, dashboards: 0, panels: 0, runbooks: 0, runbookSections: 0 };
  const folderOf = dashboardFolderOf(model);
  const runbooks = runbookRenderer(model);
  const dashboardFiles: string[] = [];
  const shapes = new ShapeRegistry(model);
  const testIndex = new TestIndexBuilder(shapes);
  const dashboards = streamDashboards(model, options.dashboardOverrides, (file, dashboard) => {
    const json = `${JSON.stringify(dashboard, null, 2)}\n`;
    sink(dashboardPaths.dashboard(file), json);
    sink(dashboardPaths.configMap(file), configMapYaml(file, folderOf(file), dashboard, json, model.settings.kubernetes.namespace));
    sink(mixinPaths.dashboard(file), json);
    dashboardFiles.push(file);
    summary.dashboards++;
    summary.panels += countPanels(dashboard);
  });
  // Awaited below; this only keeps an early failure from counting as unhandled meanwhile.
  dashboards.catch(() => undefined);
  for (const service of model.services) {
    const rules = serviceRules(model, service);
    sink(outputPaths.rules(service), ruleFileText(model, service, rules.groups));
    sink(kubernetesPaths.prometheusRule(service), prometheusRuleYaml(model, service, rules.groups));
    sink(mixinPaths.rules(service.name), mixinRulesJson(rules.groups));
    if (model.settings.splitRulers) {
      const split = splitServiceRules(model, service);
      sink(rulerPaths.local(service), localRulesText(service, split.local));
      sink(rulerPaths.mimir(service), mimirRulesText(service, split.global));
      sink(rulerPaths.thanos(service), thanosRulesText(service, split.global));
    }
    for (const sli of service.slis) {
      const own = sliTestFileText(model, service, sli, rules);
      sink(outputPaths.sliTests(service, sli), own.text);
      const shape = shapes.shapeOf(service, sli);
      for (const [path, text] of testIndex.add(service, sli, shape)) {
        sink(path, text);
        summary.testGroups += shape.groups;
        summary.testCases += shape.cases;
      }
      summary.testGroups += own.groups.length;
      summary.testCases += countCases(own.groups);
    }
    const saturationTests = saturationTestGroups(model, service, rules.saturationAlerts);
    if (saturationTests.length) sink(outputPaths.saturationTests(service), saturationTestFileText(service, rules.groups.map((g) => g.name), saturationTests));
    summary.services++;
    summary.slis += service.slis.length;
    summary.ruleGroups += rules.groups.length;
    for (const g of rules.groups) for (const r of g.rules) isAlert(r) ? summary.alertRules++ : summary.recordingRules++;
    summary.saturationResources += service.saturation.length;
    summary.testGroups += saturationTests.length;
    summary.testCases += countCases(saturationTests);
    sink(...runbookPath(runbooks.service(service)));
    summary.runbooks++;
    // Let finished dashboard pieces be written and new ones start.
    await new Promise((resolve) => setImmediate(resolve));
  }
  sink(outputPaths.testIndex, testIndex.text());
  sink(alertmanagerPaths.config, alertmanagerYaml(model));
  sink(alertmanagerPaths.routeTests, routeCasesYaml(model));
  sink(...runbookPath(runbooks.index()));
  summary.runbookSections = summary.alertRules;
  await dashboards;
  sink(dashboardPaths.provisioning, provisioningYaml(dashboardFolders(model, dashboardFiles.sort())));
  const kubernetesObjects = [...model.services.map((s) => kubernetesPaths.prometheusRule(s)), ...dashboardFiles.map((f) => dashboardPaths.configMap(f))];
  sink(kubernetesPaths.kustomization, kustomizationYaml(kubernetesObjects, model.settings.kubernetes.namespace));
  sink(mixinPaths.config, mixinConfig(model));
  sink(mixinPaths.main, mixinLibsonnet(model, model.services.map((s) => s.name), dashboardFiles));
  return summary;
}
