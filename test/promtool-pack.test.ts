/**
 * The generated pack under the real promtool: rule files pass `promtool check rules` with no
 * warnings, and every generated unit test passes `promtool test rules`. Runs a file per test,
 * concurrently, since promtool is single-threaded per file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAsync, promtoolAvailable } from '../generators/promtool.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, scratchDir } from './helpers/catalog.js';

const out = join(scratchDir(), 'out');
const { model } = loadModel(copyCatalog());
const pack = await generatePack(model!);
writeOutput(out, pack.files);
const rulesDir = join(out, 'prometheus', 'rules');
const testsDir = join(out, 'prometheus', 'tests');
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')).sort();

beforeAll(() => {
  if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
});

describe('promtool check rules', () => {
  it('passes on every rule file with no warnings', async () => {
    const files = readdirSync(rulesDir).sort();
    expect(files.length).toBe(model!.services.length);
    const r = await promtoolAsync(['check', 'rules', ...files], rulesDir);
    expect(r.output).not.toMatch(/warning|Might cause/i);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length);
  });
});

describe('generated tests cover every alert rule', () => {
  type Fired = { alertname: string; exp_labels: Record<string, string>; exp_annotations: Record<string, string> };
  const firedIn = (file: string): Fired[] => {
    const tests = parse(readFileSync(join(testsDir, file), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[] }[];
    };
    return tests.tests.flatMap((t) => t.alert_rule_test ?? []).flatMap((c) => c.exp_alerts.map((a) => ({ alertname: c.alertname, ...a })));
  };
  const alertsOf = (service: string) =>
    (parse(readFileSync(join(rulesDir, `${service}.yml`), 'utf8')) as { groups: { rules: { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] }).groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert);

  it('each alert rule of each SLI is expected to fire, with exact labels and annotations, in some test', () => {
    for (const service of model!.services) {
      const fired = firedIn(`${service.name}.test.yml`);
      for (const rule of alertsOf(service.name).filter((r) => r.labels!.sli !== undefined)) {
        const hit = fired.find((f) => f.alertname === rule.alert && f.exp_labels.sli === rule.labels!.sli);
        expect(hit, `${service.name}: ${rule.alert} for SLI ${rule.labels!.sli} is never expected to fire`).toBeDefined();
        expect(hit!.exp_annotations.runbook_url).toBe(rule.annotations!.runbook_url);
        expect(hit!.exp_annotations.summary).toBe(rule.annotations!.summary);
        expect(hit!.exp_annotations.dashboard_url).toMatch(/\/d\/slokit-[a-z0-9-]+\/[a-z0-9-]+\?from=now-\w+&to=now&var-sli=[a-z0-9-]+&var-environment=production&var-cluster=main$/);
        for (const label of ['severity', 'team', 'service', 'component', 'sli', 'long', 'short']) expect(hit!.exp_labels[label]).toBe(rule.labels![label]);
      }
    }
  });

  it('each saturation alert of each resource is expected to fire, with exact labels and annotations, in its saturation tests', () => {
    let checked = 0;
    for (const service of model!.services) {
      const rules = alertsOf(service.name).filter((r) => r.labels!.resource !== undefined);
      expect(rules.length, service.name).toBe(3 * service.saturation.length);
      const fired = firedIn(`${service.name}.saturation.test.yml`);
      for (const rule of rules) {
        const hit = fired.find((f) => f.alertname === rule.alert && f.exp_labels.resource === rule.labels!.resource);
        expect(hit, `${service.name}: ${rule.alert} for resource ${rule.labels!.resource} is never expected to fire`).toBeDefined();
        expect(hit!.exp_annotations.runbook_url).toBe(rule.annotations!.runbook_url);
        expect(hit!.exp_annotations.summary).toBe(rule.annotations!.summary);
        for (const label of ['severity', 'team', 'service', 'resource']) expect(hit!.exp_labels[label]).toBe(rule.labels![label]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * model!.services.length);
  });
});

describe.concurrent('promtool test rules', () => {
  for (const file of testFiles) {
    it(`passes ${file}`, { timeout: 900_000 }, async () => {
      const r = await promtoolAsync(['test', 'rules', file], testsDir);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/SUCCESS/);
    });
  }
});
