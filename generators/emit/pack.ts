/**
 * The whole pack as a map from path (relative to out/) to file content: a function of the
 * model (and an optional dashboard override file) only, so output is byte-identical run to run.
 */
import { readFileSync } from 'node:fs';
import type { Model } from '../model/types.js';
import type { OutputForm } from '../schema/catalog-schema.js';
import type { PackRecords, ServiceRecord, SuiteRecord } from '../write/manifest.js';
import { packKey, serviceKey } from './service-key.js';
import { alertmanagerPaths, dashboardPaths, journeyPaths, kubernetesPaths, mixinPaths, outputPaths, rulerPaths, runbookPaths } from '../naming.js';
import { inhibitionCasesYaml } from './alertmanager/inhibition-cases.js';
import { alertmanagerYaml, routeCasesYaml } from './alertmanager/routing.js';
import { runbookRenderer } from './runbooks/render.js';
import { configMapYaml, dashboardFolderOf, dashboardFolders, provisioningYaml } from './dashboards/delivery.js';
import { streamDashboards } from './dashboards/evaluate.js';
import { knownShape, ShapeRegistry } from './promtool-tests/shape.js';
import { sliTestFileText, TestIndexBuilder } from './promtool-tests/test-file.js';
import { saturationTestFileText, saturationTestGroups } from './promtool-tests/saturation.js';
import { versionTestFileText, versionTestGroups } from './promtool-tests/versions.js';
import { kustomizationYaml } from './kubernetes/kustomization.js';
import { journeysPrometheusRuleYaml, prometheusRuleYaml } from './kubernetes/prometheus-rule.js';
import { journeyRuleGroups, journeyRulesText } from './journeys/rules.js';
import { journeyTestFileText, journeyTestGroups } from './journeys/tests.js';
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
  /** What each service and test suite contributed (recorded in the manifest for the next run's reuse). */
  readonly records: PackRecords;
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

/**
 * The journeys' files: one rule file for all of them (they read several services' series), in
 * every form the rules are written in (the global half only, when split: they read only
 * recorded series), their tests and their runbook.
 */
function emitJourneys(model: Model, sink: FileSink, summary: PackSummary, runbooks: ReturnType<typeof runbookRenderer>): void {
  const groups = journeyRuleGroups(model);
  const own = { name: journeyPaths.name };
  sink(journeyPaths.rules, journeyRulesText(groups));
  if (writes(model, 'kubernetes')) sink(kubernetesPaths.prometheusRule(own), journeysPrometheusRuleYaml(model, groups));
  if (writes(model, 'mixin')) sink(mixinPaths.rules(journeyPaths.name), mixinRulesJson(groups));
  if (writes(model, 'mimir')) sink(rulerPaths.mimir(own), mimirRulesText(own, groups));
  if (writes(model, 'thanos')) sink(rulerPaths.thanos(own), thanosRulesText(own, groups));
  const tests = journeyTestGroups(model);
  sink(journeyPaths.tests, journeyTestFileText(tests));
  sink(...runbookPath(runbooks.journeys()));
  summary.runbooks++;
  summary.ruleGroups += groups.length;
  for (const g of groups) for (const r of g.rules) isAlert(r) ? summary.alertRules++ : summary.recordingRules++;
  summary.testGroups += tests.length;
  summary.testCases += countCases(tests);
}

/** Receives each generated file as soon as it exists (paths relative to out/). */
export type FileSink = (path: string, text: string) => void;

/** The pack being replaced, for reuse: its services' records, and a way to take their files unchanged. */
export interface Previous {
  readonly services: Readonly<Record<string, ServiceRecord>>;
  /** Its test suites, which reused services' SLIs point at. */
  readonly suites: Readonly<Record<string, SuiteRecord>>;
  /** Takes these files from the previous pack as they are; false (and nothing taken) when one is missing. */
  readonly reuse: (paths: readonly string[]) => boolean;
}

export async function generatePack(model: Model, options: PackOptions = {}): Promise<Pack> {
  const files = new Map<string, string>();
  const { summary, records } = await emitPack(model, options, (path, text) => files.set(path, text));
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, summary, records };
}

/** Counts of PackSummary one service adds (the shapes' tests and the runbook index are the pack's own). */
type ServiceCounts = Pick<PackSummary, 'slis' | 'saturationResources' | 'recordingRules' | 'alertRules' | 'ruleGroups' | 'testGroups' | 'testCases' | 'dashboards' | 'panels'>;
const noCounts = (): ServiceCounts => ({ slis: 0, saturationResources: 0, recordingRules: 0, alertRules: 0, ruleGroups: 0, testGroups: 0, testCases: 0, dashboards: 0, panels: 0 });

/** Whether the catalog asked for this deployment form (defaults.yaml `outputs`). */
const writes = (model: Model, form: OutputForm) => model.settings.outputs.includes(form);

/** Where a dashboard goes, in every form the catalog writes. */
function dashboardPathsOf(model: Model, file: string): string[] {
  return [
    ...(writes(model, 'grafana') ? [dashboardPaths.dashboard(file)] : []),
    ...(writes(model, 'kubernetes') ? [dashboardPaths.configMap(file)] : []),
    ...(writes(model, 'mixin') ? [mixinPaths.dashboard(file)] : []),
  ];
}

/**
 * Generates the pack file by file into `sink`, so memory stays bounded: the dashboards are
 * evaluated on jsonnet's worker threads while this thread writes each service's rules, tests
 * and runbook, and each dashboard is written as soon as its piece is done. With `previous`, a
 * service whose key (service-key.ts) is the one it had there takes its files from it instead.
 */
export async function emitPack(model: Model, options: PackOptions, sink: FileSink, previous?: Previous): Promise<{ summary: PackSummary; records: PackRecords; reused: ReadonlySet<string> }> {
  const summary: PackSummary = { services: 0, slis: 0, saturationResources: 0, recordingRules: 0, alertRules: 0, ruleGroups: 0, testGroups: 0, testCases: 0, dashboards: 0, panels: 0, runbooks: 0, runbookSections: 0 };
  const records = new Map<string, ServiceRecord>();
  const counts = new Map<string, ServiceCounts>();
  const base = packKey(model, options.dashboardOverrides ? readFileSync(options.dashboardOverrides, 'utf8') : undefined);
  const keys = new Map(model.services.map((s) => [s.name, serviceKey(base, model, s)]));
  // Reused services first, before any dashboard is evaluated: theirs are among the files taken.
  const reused = new Set<string>();
  for (const service of model.services) {
    const before = previous?.services[service.name];
    if (before && before.key === keys.get(service.name) && previous!.reuse(before.files)) {
      reused.add(service.name);
      records.set(service.name, before);
      counts.set(service.name, { ...noCounts(), ...before.counts });
    }
  }
  // Counts exist before any dashboard arrives: pieces come back from the worker threads in any order.
  for (const service of model.services) if (!reused.has(service.name)) counts.set(service.name, noCounts());
  const folderOf = dashboardFolderOf(model);
  const runbooks = runbookRenderer(model);
  const dashboardFiles: string[] = model.services.filter((s) => reused.has(s.name)).map((s) => `${s.name}.json`);
  const shapes = new ShapeRegistry(model);
  const testIndex = new TestIndexBuilder(shapes);
  const dashboards = streamDashboards(
    model,
    options.dashboardOverrides,
    (file, dashboard) => {
      const json = `${JSON.stringify(dashboard, null, 2)}\n`;
      if (writes(model, 'grafana')) sink(dashboardPaths.dashboard(file), json);
      if (writes(model, 'kubernetes')) sink(dashboardPaths.configMap(file), configMapYaml(file, folderOf(file), dashboard, json, model.settings.kubernetes.namespace));
      if (writes(model, 'mixin')) sink(mixinPaths.dashboard(file), json);
      dashboardFiles.push(file);
      const c = counts.get(file.replace(/\.json$/, ''));
      if (c) {
        c.dashboards++;
        c.panels += countPanels(dashboard);
      } else {
        summary.dashboards++;
        summary.panels += countPanels(dashboard);
      }
    },
    reused,
  );
  // Awaited below; this only keeps an early failure from counting as unhandled meanwhile.
  dashboards.catch(() => undefined);
  for (const service of model.services) {
    summary.services++;
    summary.runbooks++;
    // Every SLI's index entry, reused or not: shapes are the pack's, shared by services. A
    // reused service's SLIs keep the shapes its record names, whose suites are taken from the
    // previous pack when no SLI built in this run brings them (building one's key cost 0.8 s
    // at 25,000 SLIs).
    const before = reused.has(service.name) ? previous!.services[service.name]!.shapes : undefined;
    const shapeIds: string[] = [];
    service.slis.forEach((sli, i) => {
      const known = before?.[i] === undefined ? undefined : knownShape(previous!.suites, before[i]!);
      const shape = known && previous!.reuse(testIndex.missing(known)) ? known : shapes.shapeOf(service, sli);
      const { fresh, brought } = testIndex.add(service, sli, shape);
      for (const [path, text] of fresh) sink(path, text);
      // Counted once per suite, the first time an SLI brings it.
      for (const suite of brought) {
        summary.testGroups += suite.groups;
        summary.testCases += suite.cases;
      }
      shapeIds.push(shape.id);
    });
    if (reused.has(service.name)) continue;
    const c = counts.get(service.name)!;
    const files: string[] = dashboardPathsOf(model, `${service.name}.json`);
    const emit: FileSink = (path, text) => {
      files.push(path);
      sink(path, text);
    };
    const rules = serviceRules(model, service);
    emit(outputPaths.rules(service), ruleFileText(model, service, rules.groups));
    if (writes(model, 'kubernetes')) emit(kubernetesPaths.prometheusRule(service), prometheusRuleYaml(model, service, rules.groups));
    if (writes(model, 'mixin')) emit(mixinPaths.rules(service.name), mixinRulesJson(rules.groups));
    if (writes(model, 'mimir') || writes(model, 'thanos')) {
      const split = splitServiceRules(model, service, rules.groups);
      emit(rulerPaths.local(service), localRulesText(service, split.local));
      if (writes(model, 'mimir')) emit(rulerPaths.mimir(service), mimirRulesText(service, split.global));
      if (writes(model, 'thanos')) emit(rulerPaths.thanos(service), thanosRulesText(service, split.global));
    }
    for (const sli of service.slis) {
      const own = sliTestFileText(model, service, sli, rules);
      emit(outputPaths.sliTests(service, sli), own.text);
      c.testGroups += own.groups.length;
      c.testCases += countCases(own.groups);
    }
    const saturationTests = saturationTestGroups(model, service, rules.saturationAlerts);
    if (saturationTests.length) emit(outputPaths.saturationTests(service), saturationTestFileText(service, rules.groups.map((g) => g.name), saturationTests));
    const versionTests = versionTestGroups(model, service);
    if (versionTests.length) emit(outputPaths.versionTests(service), versionTestFileText(service, versionTests));
    c.slis += service.slis.length;
    c.ruleGroups += rules.groups.length;
    for (const g of rules.groups) for (const r of g.rules) isAlert(r) ? c.alertRules++ : c.recordingRules++;
    c.saturationResources += service.saturation.length;
    c.testGroups += saturationTests.length + versionTests.length;
    c.testCases += countCases(saturationTests) + countCases(versionTests);
    emit(...runbookPath(runbooks.service(service)));
    records.set(service.name, { key: keys.get(service.name)!, files, counts: c, shapes: shapeIds });
    // Let finished dashboard pieces be written and new ones start.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (model.journeys.length) emitJourneys(model, sink, summary, runbooks);
  sink(outputPaths.testIndex, testIndex.text());
  sink(alertmanagerPaths.config, alertmanagerYaml(model));
  sink(alertmanagerPaths.routeTests, routeCasesYaml(model));
  sink(alertmanagerPaths.inhibitionTests, inhibitionCasesYaml(model));
  sink(...runbookPath(runbooks.index()));
  await dashboards;
  for (const c of counts.values()) for (const [k, v] of Object.entries(c) as [keyof ServiceCounts, number][]) summary[k] += v;
  summary.runbookSections = summary.alertRules;
  // Pieces arrive in any order: every file listing them lists them sorted.
  dashboardFiles.sort();
  if (writes(model, 'grafana')) sink(dashboardPaths.provisioning, provisioningYaml(dashboardFolders(model, dashboardFiles)));
  if (writes(model, 'kubernetes')) {
    const journeys = model.journeys.length ? [kubernetesPaths.prometheusRule({ name: journeyPaths.name })] : [];
    const kubernetesObjects = [...model.services.map((s) => kubernetesPaths.prometheusRule(s)), ...journeys, ...dashboardFiles.map((f) => dashboardPaths.configMap(f))];
    sink(kubernetesPaths.kustomization, kustomizationYaml(kubernetesObjects, model.settings.kubernetes.namespace));
  }
  if (writes(model, 'mixin')) {
    sink(mixinPaths.config, mixinConfig(model));
    sink(mixinPaths.main, mixinLibsonnet(model, [...model.services.map((s) => s.name), ...(model.journeys.length ? [journeyPaths.name] : [])], dashboardFiles));
  }
  return { summary, records: { services: records, suites: testIndex.records() }, reused };
}
