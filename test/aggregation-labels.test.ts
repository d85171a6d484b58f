/**
 * Aggregation by more than environment and cluster (issue 24, item 1): the bundled catalog
 * with `labels.also: [region]`, as a platform that runs each environment in several regions
 * would set it. Each region gets its own ratios, burn rates, budget and alerts; a region's
 * outage pages for that region only (the real promtool on the generated rules); a dependency's
 * page holds back its dependents' alerts in the same region only (a real Alertmanager); the
 * dashboards and every alert's dashboard link carry a region variable; and the generated tests
 * pass.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { InhibitionCase } from '../generators/emit/alertmanager/inhibition-cases.js';
import { generatePack } from '../generators/emit/pack.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { promtoolTest } from './helpers/promtool-file.js';
import { heldBack } from './helpers/inhibition-cases.js';
import { rulesIn, type Rule } from './helpers/rule-file.js';

const catalog = copyCatalog();
edit(join(catalog, 'defaults.yaml'), (t) => t.replace(/^( {2}cluster: cluster .*)$/m, '$1\n  also: [region]').replace(/receiver_url: \S+/, 'receiver_url: http://127.0.0.1:9/{team}/{kind}'));
const { model, problems } = loadModel(catalog);
const pack = await generatePack(model!);
const out = join(scratchDir(), 'out');
writeOutput(out, pack.files);

const rulesOf = (service: string): Rule[] => rulesIn(pack.files.get(`prometheus/rules/${service}.yml`)!);

beforeAll(() => {
  if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
});

describe('labels.also: [region]', () => {
  it('the catalog validates; every raw read sums by environment, cluster and region', () => {
    expect(problems).toEqual([]);
    expect(model!.settings.aggregationLabels).toEqual(['env', 'cluster', 'region']);
    const raw = model!.services.flatMap((s) => rulesOf(s.name)).filter((r) => r.record === 'sli:events_total:rate5m');
    expect(raw.length).toBe(model!.services.reduce((n, s) => n + s.slis.length, 0));
    for (const r of raw) expect(r.expr, r.labels?.sli).toMatch(/sum by \(env, cluster, region\)/);
  });

  it("a region's outage pages for that region only, with the region on the alert (promtool on the generated rules)", () => {
    const dir = scratchDir('slokit-region-');
    const series = (region: string, code: string, perMinute: number) => ({
      series: `grpc_server_handled_total{job="gitaly", env="production", cluster="main", region="${region}", grpc_code="${code}"}`,
      values: `0+${perMinute}x60`,
    });
    const alerts = 'count by (region, sli, severity) (ALERTS{alertname="SlokitErrorBudgetBurnFast", alertstate="firing"})';
    const tests = [
      {
        interval: '1m',
        input_series: [series('eu', 'OK', 0), series('eu', 'Unavailable', 600), series('us', 'OK', 600), series('us', 'Unavailable', 0)],
        promql_expr_test: [
          { expr: alerts, eval_time: '30m', exp_samples: [{ labels: '{region="eu", severity="critical", sli="grpc-requests"}', value: 1 }] },
          { expr: 'sli:error:ratio_rate5m{service="gitaly", sli="grpc-requests"}', eval_time: '30m', exp_samples: [
            { labels: 'sli:error:ratio_rate5m{service="gitaly", sli="grpc-requests", component="gitaly", env="production", cluster="main", region="eu"}', value: 1 },
            { labels: 'sli:error:ratio_rate5m{service="gitaly", sli="grpc-requests", component="gitaly", env="production", cluster="main", region="us"}', value: 0 },
          ] },
        ],
      },
    ];
    const rules = pack.files.get('prometheus/rules/gitaly.yml')!;
    const r = promtoolTest(dir, { 'gitaly.yml': rules }, tests);
    expect(r.ok, r.output).toBe(true);
    // The check has teeth: summed over regions (the rules before this setting), us's traffic dilutes eu's outage to 50%,
    // which still pages, but as one alert without a region.
    expect(promtoolTest(dir, { 'gitaly.yml': rules.replaceAll('sum by (env, cluster, region)', 'sum by (env, cluster)') }, tests).ok).toBe(false);
  });

  it("dashboards have a region variable every recorded query applies, and every alert's dashboard link sets it", () => {
    const d = JSON.parse(pack.files.get('grafana/dashboards/registry.json')!) as { templating: { list: { name: string; query?: unknown }[] }; panels: { targets?: { expr: string }[] }[] };
    expect(d.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['environment', 'cluster', 'region']));
    const exprs = d.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr).filter((e) => e.includes('slo:') || e.includes('sli:'));
    expect(exprs.length).toBeGreaterThan(3);
    for (const e of exprs) expect(e).toContain('region=~"$region"');
    const alerts = model!.services.flatMap((s) => rulesOf(s.name)).filter((r) => r.alert);
    for (const a of alerts) expect(a.annotations!.dashboard_url, a.alert).toContain('&var-region={{ $labels.region | urlquery }}');
  });

  it('Alertmanager groups pages by region and holds back a dependent\'s alerts in the same region only (a real Alertmanager)', async () => {
    const config = parse(pack.files.get('alertmanager/alertmanager.yml')!) as { route: { routes: { routes: { group_by: string[] }[] }[] }; inhibit_rules: { equal: string[] }[] };
    expect(config.route.routes[0]!.routes[0]!.group_by).toEqual(['service', 'journey', 'env', 'cluster', 'region']);
    expect(config.inhibit_rules.every((r) => ['env', 'cluster', 'region'].every((l) => r.equal.includes(l)))).toBe(true);
    const { cases } = parse(pack.files.get('alertmanager/inhibitions.test.yml')!) as { cases: InhibitionCase[] };
    // Each case in its own region: the last aggregation label sets them apart, and "another region" is a case too.
    expect(cases.filter((c) => / -> [^:]+: not from another region$/.test(c.name)).length).toBeGreaterThan(0);
    expect(cases.every((c) => c.target.region?.startsWith('case-'))).toBe(true);
    const file = join(scratchDir(), 'alertmanager.yml');
    writeFileSync(file, pack.files.get('alertmanager/alertmanager.yml')!);
    const r = await heldBack(file, cases);
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(cases.length);
  });

  it("the generated tests pass: every SLI's own tests, one shape's full suite (the labels are handled alike for every shape), a service's saturation and version tests", async () => {
    const index = JSON.parse(readFileSync(join(out, 'prometheus', 'tests', 'index.json'), 'utf8')) as TestIndex;
    const shapes = new Set(index.slis.filter((s) => s.service === 'gitaly' && s.sli === 'grpc-requests').map((s) => s.shape));
    const results = await testPack(out, {
      jobs: 2,
      changedOnly: false,
      promtoolVersion: promtoolVersion(),
      select: (f) => f.startsWith('slis/') || [...shapes].some((id) => f.startsWith(`shapes/${id}/`)) || /^gitaly\.(saturation|version)\.test\.yml$/.test(f),
    });
    expect(results.filter((r) => r.file.startsWith('slis/')).length).toBe(index.slis.length);
    expect(results.filter((r) => /\.(saturation|version)\.test\.yml$/.test(r.file)).map((r) => r.file).sort()).toEqual(['gitaly.saturation.test.yml', 'gitaly.version.test.yml']);
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
    // The series they feed carry the region.
    expect(readFileSync(join(out, 'prometheus', 'tests', 'slis', 'gitaly', 'grpc-requests.test.yml'), 'utf8')).toMatch(/region="main"/);
  });
});

describe('labels.also misuse is refused where it is written', () => {
  it('a label slokit writes, the environment label again, and a dashboard variable name', () => {
    const dir = copyCatalog();
    edit(join(dir, 'defaults.yaml'), (t) => t.replace(/^( {2}cluster: cluster .*)$/m, '$1\n  also: [region, sli, env, datasource]'));
    const r = loadModel(dir);
    expect(r.model).toBeUndefined();
    const text = r.problems.map((p) => `${p.file.replace(/.*\//, '')}:${p.line}:${p.col}: ${p.message}`);
    expect(text).toEqual([
      expect.stringMatching(/^defaults\.yaml:\d+:\d+: SLIs cannot be aggregated by "sli": slokit writes that label/),
      expect.stringMatching(/^defaults\.yaml:\d+:\d+: "env" is the environment label already/),
      expect.stringMatching(/^defaults\.yaml:\d+:\d+: "datasource" names a dashboard variable slokit has/),
    ]);
    const cols = r.problems.map((p) => p.col);
    expect(new Set(cols).size).toBe(3); // each points at its own item
  });

  it("a saturation resource's instance label that is an aggregation label", () => {
    const dir = copyCatalog();
    edit(join(dir, 'defaults.yaml'), (t) => t.replace(/^( {2}cluster: cluster .*)$/m, '$1\n  also: [name]'));
    const r = loadModel(dir);
    expect(r.problems.map((p) => `${p.file.replace(/.*\//, '')}:${p.line}:${p.col}: ${p.message}`)).toEqual([
      'sidekiq.yaml:29:9: by lists name, which the catalog aggregates by already (defaults labels): each of its values is a place of its own, not an instance',
      'sidekiq.yaml:41:9: by lists name, which the catalog aggregates by already (defaults labels): each of its values is a place of its own, not an instance',
    ]);
  });
});
