/**
 * Objective sets (issue 24, item 8): the registry's requests SLI pages on its 99.9% objective
 * and also reports against a contractual 99.5% SLA and a stricter internal 99.95%. Each report
 * objective gets its objective and its budget left as recorded series, a line on the budget
 * panel and a sentence in the runbook, and no alert; the rule shape's generated test checks
 * each budget against its own, and fails when a report budget is computed against another.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { exportOpenSlo } from '../generators/export/openslo.js';
import { importOpenSlo } from '../generators/import/openslo.js';
import { parseYamlDocuments } from '../generators/load/yaml-source.js';
import { ownAlertLabels } from '../generators/model/alert-extras.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { openSloRoundTripDifferences } from './helpers/openslo-round-trip.js';
import { rulesIn, type Rule } from './helpers/rule-file.js';

const REPORTS = '    report_objectives:\n      - { name: sla, objective: 99.5 }\n      - { name: internal, objective: 99.95 }\n';

function catalogWith(reports: string): string {
  const catalog = copyCatalog();
  edit(join(catalog, 'services', 'registry.yaml'), (t) => t.replace('    objective: 99.9\n', `    objective: 99.9\n${reports}`));
  return catalog;
}

const { model, problems } = loadModel(catalogWith(REPORTS));
const pack = await generatePack(model!);
const plain = await generatePack(loadModel(copyCatalog()).model!);

const rulesOf = (files: ReadonlyMap<string, string>): Rule[] => rulesIn(files.get('prometheus/rules/registry.yml')!);

describe('report_objectives', () => {
  it('records each objective and the budget left against it, over the period, and alerts on none of them', () => {
    expect(problems).toEqual([]);
    const rules = rulesOf(pack.files);
    const report = (name: string, objective: string) => rules.filter((r) => r.labels?.objective_name === objective && r.record === name);
    expect(report('slo:report_objective:ratio', 'sla').map((r) => r.expr)).toEqual(['vector(0.995)']);
    expect(report('slo:report_error_budget_remaining:ratio', 'sla').map((r) => r.expr)).toEqual([expect.stringMatching(/^1 - last_over_time\(sli:error:ratio_rate30d\{service="registry", sli="requests"\}\[[^\]]+\]\) \/ 0\.005$/)]);
    expect(report('slo:report_error_budget_remaining:ratio', 'internal').map((r) => r.expr)).toEqual([expect.stringMatching(/ \/ 0\.0005$/)]);
    expect(report('slo:report_objective:ratio', 'sla')[0]!.labels).toEqual({ service: 'registry', sli: 'requests', component: 'registry', objective_name: 'sla' });
    // The alerts are the plain catalog's, to the letter.
    const alerts = (files: ReadonlyMap<string, string>) => rulesOf(files).filter((r) => r.alert);
    expect(alerts(pack.files)).toEqual(alerts(plain.files));
    expect(rules.filter((r) => r.alert && r.expr.includes('report'))).toEqual([]);
  });

  it('the budget panel draws each report budget beside the one that alerts; the runbook says what is reported', () => {
    const d = JSON.parse(pack.files.get('grafana/dashboards/registry.json')!) as { panels: { title: string; targets?: { expr: string; legendFormat: string }[] }[] };
    const budget = d.panels.find((p) => p.title === 'requests: error budget left')!;
    expect(budget.targets!.map((t) => t.legendFormat)).toEqual([expect.any(String), expect.stringMatching(/^sla \(99\.5%\)/), expect.stringMatching(/^internal \(99\.95%\)/)]);
    expect(budget.targets![1]!.expr).toMatch(/^slo:report_error_budget_remaining:ratio\{service="registry", sli="requests", sli=~"\$sli", objective_name="sla", env=~"\$environment", cluster=~"\$cluster"\}$/);
    expect(pack.files.get('runbooks/registry.md')).toMatch(/- \*\*requests\*\*: .* Also reported against sla \(99\.5%\), internal \(99\.95%\), never alerted on\./);
  });

  it("the rule shape's generated test checks each report budget against its own budget, and fails against another (the real promtool)", async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as { slis: { service: string; sli: string; shape: string }[] };
    const shape = index.slis.find((s) => s.service === 'registry' && s.sli === 'requests')!.shape;
    const suite = pack.files.get(`prometheus/tests/shapes/${shape}/slo.test.yml`)!;
    expect(suite).toContain('slo:report_error_budget_remaining:ratio');
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === 'slis/registry/requests.test.yml' || f.startsWith(`shapes/${shape}/`) });
    expect(results.length).toBeGreaterThanOrEqual(2);
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
    // Teeth: the SLA's budget computed against the internal objective's budget fails the suite.
    const dir = scratchDir('slokit-report-');
    cpSync(join(out, 'prometheus', 'tests', 'shapes', shape), dir, { recursive: true });
    const rules = readFileSync(join(dir, 'rules.yml'), 'utf8');
    const broken = rules.replace(/(record: slo:report_error_budget_remaining:ratio\n\s+expr: '1 - [^']+ \/ )0\.005'/, "$10.0005'");
    expect(broken).not.toBe(rules);
    writeFileSync(join(dir, 'rules.yml'), broken);
    // Only the scenario that reads the budgets (the whole suite passed above).
    const tests = parse(suite) as { tests: { name: string }[] };
    writeFileSync(join(dir, 'slo.test.yml'), stringify({ ...tests, tests: tests.tests.filter((t) => / the budget follows /.test(t.name)) }));
    const r = spawnSync('promtool', ['test', 'rules', 'slo.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/slo:report_error_budget_remaining:ratio/);
  }, 300_000);

  it('OpenSLO carries them as more objectives of the SLO, and they come back as report objectives', () => {
    const text = exportOpenSlo(model!).text;
    const slo = text.split('\n---\n').find((d) => d.includes('name: registry-requests\n'))!;
    expect((parse(slo) as { spec: { objectives: unknown[] } }).spec.objectives).toEqual([
      { displayName: 'requests', target: 0.999 },
      { displayName: 'sla', target: 0.995 },
      { displayName: 'internal', target: 0.9995 },
    ]);
    expect(openSloRoundTripDifferences(model!)).toEqual([]);
    const back = importOpenSlo(parseYamlDocuments('export.yaml', text).sources, { ownLabels: new Set(ownAlertLabels(model!.settings)) }).services;
    const requests = back.find((s) => s.name === 'registry')!.slis.filter((s) => s.name.startsWith('requests'));
    expect(requests.map((s) => [s.name, s.objective, s.report_objectives])).toEqual([['requests', 99.9, [{ name: 'sla', objective: 99.5 }, { name: 'internal', objective: 99.95 }]]]);
  });

  it('two objective sets of one name are refused where the second is written', () => {
    const r = loadModel(catalogWith('    report_objectives:\n      - { name: sla, objective: 99.5 }\n      - { name: sla, objective: 99 }\n'));
    expect(r.problems.map((p) => `${p.file.replace(/.*\//, '')}:${p.line}:${p.col}: ${p.message}`)).toEqual(['registry.yaml:24:17: report objective "sla" is listed twice']);
    const own = loadModel(catalogWith('    report_objectives:\n      - { name: requests, objective: 99.5 }\n'));
    expect(own.problems.map((p) => p.message)).toEqual(['report objective "requests" has the SLI\'s own name']);
  });
});
