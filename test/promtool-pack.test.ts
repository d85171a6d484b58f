/**
 * The generated pack under the real promtool: rule files (and the rule shapes' canonical
 * rules) pass `promtool check rules` with no warnings; every SLI's rules are its shape's under
 * its own name, and every generated test passes (`slokit test`'s runner: shapes' full suites,
 * each SLI's own tests on its slice, saturation tests), promtool running on every core.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { checkPackRules, testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, keepServices, edit, scratchDir } from './helpers/catalog.js';

const out = join(scratchDir(), 'out');
const { model } = loadModel(copyCatalog());
const pack = await generatePack(model!);
writeOutput(out, pack.files);
const rulesDir = join(out, 'prometheus', 'rules');
const testsDir = join(out, 'prometheus', 'tests');
const index = JSON.parse(readFileSync(join(testsDir, 'index.json'), 'utf8')) as TestIndex;

beforeAll(() => {
  if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
});

describe('promtool check rules', () => {
  it("passes on every rule file and every shape's rules with no warnings", async () => {
    const files = readdirSync(rulesDir).sort();
    // A rule file per service, and the journeys'.
    expect(files.length).toBe(model!.services.length + 1);
    const r = await checkPackRules(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion() });
    expect(r.output).not.toMatch(/warning|Might cause/i);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length + Object.keys(index.shapes).length);
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

  it("each SLI's own tests fire one of its burn alerts, with the labels and annotations of its rule", () => {
    for (const service of model!.services) {
      for (const sli of service.slis) {
        const fired = firedIn(`slis/${service.name}/${sli.name}.test.yml`);
        expect(fired, `${service.name}/${sli.name}`).toHaveLength(1);
        const hit = fired[0]!;
        const rule = alertsOf(service.name).find((r) => r.alert === hit.alertname && r.labels!.sli === sli.name)!;
        expect(rule, `${service.name}/${sli.name}: ${hit.alertname}`).toBeDefined();
        expect(hit.exp_annotations.runbook_url).toBe(rule.annotations!.runbook_url);
        expect(hit.exp_annotations.summary).toBe(rule.annotations!.summary);
        expect(hit.exp_annotations.dashboard_url).toMatch(/\/d\/slokit-[a-z0-9-]+\/[a-z0-9-]+\?from=now-\w+&to=now&var-sli=[a-z0-9-]+&var-environment=production&var-cluster=main$/);
        for (const label of ['severity', 'team', 'service', 'component', 'sli', 'long', 'short']) expect(hit.exp_labels[label]).toBe(rule.labels![label]);
      }
    }
  });

  it("each alert rule of each shape is expected to fire, with the labels and annotations of its rule, in the shape's full suite", () => {
    for (const [id, shape] of Object.entries(index.shapes)) {
      const fired = shape.files.filter((f) => f.endsWith('.test.yml')).flatMap(firedIn);
      const rules = (parse(readFileSync(join(testsDir, 'shapes', id, 'rules.yml'), 'utf8')) as { groups: { rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] }).groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert);
      expect(rules.length, id).toBeGreaterThanOrEqual(7);
      for (const rule of rules) {
        const hit = fired.find((f) => f.alertname === rule.alert);
        expect(hit, `shape ${id} (${shape.slis.join(', ')}): ${rule.alert} never fires`).toBeDefined();
        expect(hit!.exp_annotations.runbook_url).toBe(rule.annotations!.runbook_url);
        expect(hit!.exp_annotations.summary).toBe(rule.annotations!.summary);
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

describe('slokit test', () => {
  it('every SLI has its own tests and a shape; every test file passes, on every core', { timeout: 900_000 }, async () => {
    const slis = model!.services.flatMap((s) => s.slis.map((x) => `${s.name}/${x.name}`));
    expect(index.slis.map((e) => `${e.service}/${e.sli}`)).toEqual(slis);
    expect(Object.values(index.shapes).flatMap((s) => s.slis).sort()).toEqual([...slis].sort());
    // Fewer shapes than SLIs: the bundled catalog repeats objectives and kinds; fewer window
    // suites than shapes: its shapes differ in objectives and kinds, not in their windows.
    expect(Object.keys(index.shapes).length).toBeLessThan(slis.length);
    expect(Object.keys(index.windows).length).toBeLessThan(Object.keys(index.shapes).length);
    expect(Object.values(index.windows).flatMap((w) => w.shapes).sort()).toEqual(Object.keys(index.shapes).sort());
    const results = await testPack(out, { jobs: availableParallelism(), changedOnly: false, promtoolVersion: promtoolVersion() });
    const failed = results.filter((r) => r.status !== 'passed');
    expect(failed.map((r) => `${r.file}: ${r.failures.map((f) => `${f.group}: ${f.reason}`).join('; ')}${r.raw ?? ''}`)).toEqual([]);
    expect(results.map((r) => r.file).sort()).toEqual(
      [
        ...index.slis.map((e) => e.test),
        ...Object.values(index.shapes).flatMap((s) => s.files.filter((f) => f.endsWith('.test.yml'))),
        ...Object.values(index.windows).flatMap((w) => w.files.filter((f) => f.endsWith('.test.yml'))),
        ...model!.services.filter((s) => s.saturation.length).map((s) => `${s.name}.saturation.test.yml`),
        ...model!.services.filter((s) => s.versionMetric).map((s) => `${s.name}.version.test.yml`),
        'journeys.test.yml',
      ].sort(),
    );
  });
});

describe('a page whose long window outlasts the warm-up', () => {
  it("quiet failures keep to too few bad events for the hour the window holds: a 99.99% objective paged on 6h gets 0.1% traffic, and promtool agrees nothing pages", async () => {
    // Found by the random-catalog property (seed 77): 1% of an hour's traffic failing is above a 99.99% page factor over 6h.
    const dir = copyCatalog();
    keepServices(dir, ['redis']);
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'six-hours.yaml'),
      'name: six-hours\ndescription: Pages on a 5% spend in 6h.\nevaluation: { raw_window: 5m, fast_interval: 1m, slow_interval: 5m, fast_windows_up_to: 1h }\nwindows:\n  - { name: fast, severity: critical, budget_spent: 0.05, long: 6h, short: 30m }\n  - { name: slow, severity: warning, budget_spent: 0.1, long: 3d, short: 6h }\ntraffic_cessation: { silence: 30m, baseline: 6h, min_expected_events: 100 }\n',
    );
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.99\n    alert_policy: six-hours'));
    const { model: m, problems } = loadModel(dir);
    expect(problems).toEqual([]);
    const p = await generatePack(m!);
    const shapeDir = `prometheus/tests/shapes/${(JSON.parse(p.files.get('prometheus/tests/index.json')!) as TestIndex).slis[0]!.shape}`;
    const suite = parse(p.files.get(`${shapeDir}/slo.test.yml`)!) as { tests: { name: string }[] };
    const quiet = suite.tests.filter((t) => /traffic drops to/.test(t.name));
    expect(quiet.map((t) => t.name.replace(/^[^:]*: /, ''))).toEqual(['traffic drops to 0.1% for 5m and all of it fails: the long windows hold too few bad events to page']);
    const scratch = scratchDir();
    writeFileSync(join(scratch, 'rules.yml'), p.files.get(`${shapeDir}/rules.yml`)!);
    writeFileSync(join(scratch, 'quiet.test.yml'), stringify({ ...suite, tests: quiet }));
    const r = spawnSync('promtool', ['test', 'rules', 'quiet.test.yml'], { cwd: scratch, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
    // At the old 1% (100 of 10,000 a step, all failing) the page fires: the check has teeth.
    const onePercent = stringify({ ...suite, tests: quiet }).replace('0+0x60 10+10x4 50+0x9', '0+0x60 100+100x4 500+0x9').replace('0+10000x60 600010+10x4 610050+10000x9', '0+10000x60 600100+100x4 610500+10000x9');
    expect(onePercent).toContain('0+0x60 100+100x4 500+0x9');
    expect(onePercent).toContain('0+10000x60 600100+100x4 610500+10000x9');
    writeFileSync(join(scratch, 'quiet.test.yml'), onePercent);
    const old = spawnSync('promtool', ['test', 'rules', 'quiet.test.yml'], { cwd: scratch, encoding: 'utf8' });
    expect(`${old.stdout}${old.stderr}`).toMatch(/alertname: SlokitErrorBudgetBurnFast, time: 1h\d+m/);
  });
});
