/**
 * Grouped SLIs (issue 24, item 2): the registry's requests SLI with one SLO per route, at most
 * two routes per environment and cluster. A route's outage pages for that route, with the
 * route on the alert; the series are bounded (the busiest routes are kept, the quietest are
 * not in the SLO, and its failures page no one); the split rulers bound the groups again over
 * every Prometheus; the generated tests of the SLI pass; misuse is refused where it is written.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { promtoolTest } from './helpers/promtool-file.js';
import { rulesIn, type Rule } from './helpers/rule-file.js';

function grouped(groupBy: string): string {
  const catalog = copyCatalog();
  edit(join(catalog, 'services', 'registry.yaml'), (t) => t.replace('    significant_labels: [route, method]\n', `    significant_labels: [route, method]\n    group_by: ${groupBy}\n`));
  return catalog;
}

const { model, problems } = loadModel(grouped('{ labels: [route], max_values: 2 }'));
const pack = await generatePack(model!);

const rulesOf = (path: string): Rule[] => rulesIn(pack.files.get(path)!);

describe('group_by', () => {
  it('records the busiest routes of each place, the bad rate only for those, reading the raw series once', () => {
    expect(problems).toEqual([]);
    const rules = rulesOf('prometheus/rules/registry.yml').filter((r) => r.labels?.sli === 'requests');
    const total = rules.find((r) => r.record === 'sli:events_total:rate5m')!;
    const bad = rules.find((r) => r.record === 'sli:events_bad:rate5m')!;
    expect(total.expr).toBe('topk by (env, cluster) (2, sum by (env, cluster, route) (rate(registry_http_requests_total[5m])))');
    expect(bad.expr).toMatch(/^\(\(sum by \(env, cluster, route\) \(rate\(registry_http_requests_total\{code=~"5\.\."\}\[5m\]\)\) or .*\) and on \(env, cluster, route\) sli:events_total:rate5m\{service="registry", sli="requests"\}$/);
    // The other SLI of the service is not grouped.
    expect(rulesOf('prometheus/rules/registry.yml').find((r) => r.record === 'sli:events_total:rate5m' && r.labels?.sli === 'request-latency')!.expr).not.toMatch(/topk|route\)/);
    // The global half of split rulers bounds the groups again: each Prometheus kept its own busiest.
    const global = rulesOf('prometheus/rulers/thanos/registry.yml').find((r) => r.record === 'sli:events_total:rate5m' && r.labels?.sli === 'requests')!;
    expect(global.expr).toBe('topk by (env, cluster) (2, sum by (env, cluster, route) (sli_local:events_total:rate5m{service="registry", sli="requests"}))');
  });

  it("the dashboard's SLO panels name each series' route", () => {
    const d = JSON.parse(pack.files.get('grafana/dashboards/registry.json')!) as { panels: { title: string; targets?: { legendFormat: string }[] }[] };
    const legends = (title: string) => d.panels.find((p) => p.title === title)!.targets!.map((t) => t.legendFormat);
    expect(legends('requests: error budget left')).toEqual(['{{env}} {{cluster}} {{route}}']);
    expect(legends('requests: burn rate per alert window')[0]).toBe('1h {{env}} {{cluster}} {{route}}');
    // The SLI that is not grouped keeps its legend.
    expect(legends('request-latency: error budget left')).toEqual(['{{env}} {{cluster}}']);
  });

  it("a route's outage pages for that route only; failures of a route beyond max_values page no one (promtool on the generated rules)", () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const dir = scratchDir('slokit-grouping-');
    const series = (route: string, code: string, perMinute: number) => ({
      series: `registry_http_requests_total{env="production", cluster="main", route="${route}", code="${code}"}`,
      values: `0+${perMinute}x60`,
    });
    const fast = 'count by (route) (ALERTS{alertname="SlokitErrorBudgetBurnFast", alertstate="firing", sli="requests"})';
    const rules = pack.files.get('prometheus/rules/registry.yml')!;
    const r = promtoolTest(dir, { 'registry.yml': rules }, [
      {
        interval: '1m',
        input_series: [
          // /v2/blobs fails completely; /v2/manifests is healthy; /v2/tags is the quietest, beyond max_values, and fails too.
          series('/v2/blobs', '200', 0), series('/v2/blobs', '503', 600),
          series('/v2/manifests', '200', 600), series('/v2/manifests', '503', 0),
          series('/v2/tags', '200', 0), series('/v2/tags', '503', 60),
        ],
        promql_expr_test: [
          { expr: fast, eval_time: '30m', exp_samples: [{ labels: '{route="/v2/blobs"}', value: 1 }] },
          { expr: 'count by (route) (sli:events_total:rate5m{service="registry", sli="requests"})', eval_time: '30m', exp_samples: [{ labels: '{route="/v2/blobs"}', value: 1 }, { labels: '{route="/v2/manifests"}', value: 1 }] },
          { expr: 'sli:error:ratio_rate5m{service="registry", sli="requests"}', eval_time: '30m', exp_samples: [
            { labels: 'sli:error:ratio_rate5m{service="registry", sli="requests", component="registry", env="production", cluster="main", route="/v2/blobs"}', value: 1 },
            { labels: 'sli:error:ratio_rate5m{service="registry", sli="requests", component="registry", env="production", cluster="main", route="/v2/manifests"}', value: 0 },
          ] },
        ],
      },
    ]);
    expect(r.ok, r.output).toBe(true);
    // Teeth: without the bound on the bad rate, the dropped route's failures still record a bad rate of their own.
    const unbounded = rules.replace(/ and on \(env, cluster, route\) sli:events_total:rate5m\{service="registry", sli="requests"\}'/, "'");
    expect(unbounded).not.toBe(rules);
    const badCount = [{ interval: '1m', input_series: [series('/v2/blobs', '200', 600), series('/v2/manifests', '200', 600), series('/v2/tags', '503', 60)], promql_expr_test: [{ expr: 'count(sli:events_bad:rate5m{service="registry", sli="requests"})', eval_time: '30m', exp_samples: [{ labels: '{}', value: 2 }] }] }];
    expect(promtoolTest(dir, { 'registry.yml': rules }, badCount, 'bad.yml').ok).toBe(true);
    expect(promtoolTest(dir, { 'registry.yml': unbounded }, badCount, 'bad.yml').ok, 'the unbounded bad rate records the dropped route').toBe(false);
  });

  it("a route whose series end does not page as vanished while the place's other routes are measured; the whole place vanishing does", () => {
    const dir = scratchDir('slokit-grouping-vanished-');
    const rules = pack.files.get('prometheus/rules/registry.yml')!;
    const vanished = 'count by (route) (ALERTS{alertname="SlokitSLIVanished", alertstate="firing", sli="requests"})';
    const route = (name: string, values: string) => ({ series: `registry_http_requests_total{env="production", cluster="main", route="${name}", code="200"}`, values });
    const oneGone = [{ interval: '1m', input_series: [route('/v2/blobs', '0+600x90'), route('/v2/tags', '0+600x40 stale')], promql_expr_test: [{ expr: vanished, eval_time: '80m', exp_samples: [] }] }];
    const allGone = [{ interval: '1m', input_series: [route('/v2/blobs', '0+600x40 stale'), route('/v2/tags', '0+600x40 stale')], promql_expr_test: [{ expr: vanished, eval_time: '80m', exp_samples: [{ labels: '{route="/v2/blobs"}', value: 1 }, { labels: '{route="/v2/tags"}', value: 1 }] }] }];
    for (const [tests, name] of [[oneGone, 'one route gone'], [allGone, 'every route gone']] as const) {
      const r = promtoolTest(dir, { 'registry.yml': rules }, tests);
      expect(r.ok, `${name}: ${r.output}`).toBe(true);
    }
    // Teeth: judged per route, the route that ended pages as vanished.
    const perRoute = rules.replace(/unless on \(env, cluster\)\n(\s+)sli:events_total:rate5m\{service="registry", sli="requests"\}/, 'unless\n$1sli:events_total:rate5m{service="registry", sli="requests"}');
    expect(perRoute).not.toBe(rules);
    expect(promtoolTest(dir, { 'registry.yml': perRoute }, oneGone).ok).toBe(false);
  });

  it('the generated tests of the grouped SLI pass: its own, and its shape\'s full suite', async () => {
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as { slis: { service: string; sli: string; shape: string }[] };
    const shape = index.slis.find((s) => s.service === 'registry' && s.sli === 'requests')!.shape;
    // The series the tests feed carry a route, and the alerts they expect name it.
    expect(pack.files.get(`prometheus/tests/shapes/${shape}/slo.test.yml`)).toMatch(/route: a\n/);
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === 'slis/registry/requests.test.yml' || f.startsWith(`shapes/${shape}/`) });
    expect(results.map((r) => r.file)).toContain('slis/registry/requests.test.yml');
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
  }, 300_000);

  it('is refused where it is written: on a raw SLI, by an aggregation label, without max_values', () => {
    const messages = (groupBy: string) => loadModel(grouped(groupBy)).problems.map((p) => `${p.file.replace(/.*\//, '')}:${p.line}:${p.col}: ${p.message}`);
    expect(messages('{ labels: [env], max_values: 5 }')).toEqual([expect.stringMatching(/^registry\.yaml:23:26: "env" is an aggregation label of the catalog: every SLI is per env already$/)]);
    expect(messages('{ labels: [route] }')).toEqual([expect.stringMatching(/^registry\.yaml:23:15: missing required field "max_values"/)]);
    const raw = copyCatalog();
    edit(join(raw, 'services', 'registry.yaml'), (t) =>
      t.concat(`  - name: raw-grouped
    kind: raw
    group_by: { labels: [route], max_values: 5 }
    bad_rate: sum by (env, cluster, route) (rate(registry_http_requests_total{code=~"5.."}[$window]))
    total_rate: sum by (env, cluster, route) (rate(registry_http_requests_total[$window]))
    test_series: { bad: 'registry_http_requests_total{code="500"}', total: registry_http_requests_total }
`),
    );
    expect(loadModel(raw).problems.map((p) => p.message)).toEqual(['a raw SLI groups in its own expressions']);
  });
});
