/**
 * Generated dashboards: Grafana's own dashboard model (type-checked against @grafana/schema),
 * dashboard-linter-style checks, cross-references to rules, runbooks and alert links,
 * delivery files, and admin overrides.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { CHECKS, lintDashboard, withVariablesResolved, type DashboardJson } from '../generators/lint/dashboard-lint.js';
import type { Model } from '../generators/model/types.js';
import { loadModel } from '../generators/pipeline.js';
import { metricNamesRead } from '../generators/promql/parse.js';
import { cli, copyCatalog, scratchDir } from './helpers/catalog.js';
import { typeCheckDashboards } from './helpers/grafana-types.js';

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);
const dashboards = new Map(
  [...pack.files].filter(([p]) => p.startsWith('grafana/dashboards/')).map(([p, text]) => [p.replace('grafana/dashboards/', ''), JSON.parse(text) as DashboardJson & Record<string, unknown>]),
);

/** Raw metric names the catalog declares (selectors, histograms, raw expressions, version metrics). */
function declaredMetrics(m: Model): Set<string> {
  const out = new Set<string>(['ALERTS']);
  for (const s of m.services) {
    if (s.versionMetric) out.add(s.versionMetric.selector.metric);
    for (const sli of s.slis) {
      const ev = sli.events;
      if (ev.type === 'counters') [...(ev.bad ?? []), ...(ev.good ?? []), ...ev.total].forEach((x) => out.add(x.metric));
      if (ev.type === 'histogram') ev.parts.forEach((p) => ['_bucket', '_count'].forEach((suffix) => out.add(p.histogram.metric + suffix)));
      if (ev.type === 'gauge') out.add(ev.gauge.metric);
      if (ev.type === 'raw') [ev.badRate, ev.totalRate].forEach((e) => metricNamesRead(e.replaceAll('$window', '5m')).forEach((n) => out.add(n)));
    }
  }
  return out;
}

function recordedMetrics(): Set<string> {
  const out = new Set<string>();
  for (const [path, text] of pack.files) {
    if (!path.startsWith('prometheus/rules/')) continue;
    for (const g of (parse(text) as { groups: { rules: { record?: string }[] }[] }).groups) for (const r of g.rules) if (r.record) out.add(r.record);
  }
  return out;
}

const panelsOf = (d: DashboardJson) => (d.panels ?? []) as (DashboardJson['panels'] & object)[number][];

describe('the generated dashboards', () => {
  it('cover every service plus the overview, upgrade and journeys dashboards, with stable uids of at most 40 characters', () => {
    expect([...dashboards.keys()]).toEqual([...model.services.map((s) => `${s.name}.json`), 'slo-overview.json', 'upgrades.json', 'journeys.json'].sort());
    for (const [, d] of dashboards) {
      expect(d.uid.length).toBeLessThanOrEqual(40);
      expect(d.uid).toMatch(/^slokit-[a-z0-9-]+$/);
    }
    expect(new Set([...dashboards.values()].map((d) => d.uid)).size).toBe(dashboards.size);
  });

  it("type-check against Grafana's Dashboard model (@grafana/schema)", () => {
    const r = typeCheckDashboards(Object.fromEntries(dashboards));
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('the model check fails on a field Grafana does not know and on a wrong type', () => {
    const d = structuredClone(dashboards.get('registry.json')!) as Record<string, unknown> & { panels: { gridPos: unknown }[] };
    const unknownField = { ...d, refreshEvery: '1m' };
    expect(typeCheckDashboards({ x: unknownField }).output).toMatch(/refreshEvery/);
    d.panels[1]!.gridPos = { x: 0, y: 0, w: 'wide', h: 4 };
    expect(typeCheckDashboards({ x: d }).ok).toBe(false);
  });

  it('pass every lint check', () => {
    for (const [name, d] of dashboards) expect(lintDashboard(d), name).toEqual([]);
  });

  it('every lint check can fail', () => {
    const good = dashboards.get('registry.json')!;
    const broken: Record<string, (d: DashboardJson) => void> = {
      'template-datasource': (d) => d.templating!.list!.push({ name: 'ds2', type: 'datasource', query: 'prometheus' }),
      'panel-datasource': (d) => (d.panels![1]!.datasource = { uid: 'prom-1' }),
      'target-rate-interval': (d) => (d.panels![9]!.targets![0]!.expr = 'sum(rate(foo_total[5m]))'),
      'target-promql': (d) => (d.panels![9]!.targets![0]!.expr = 'sum(rate(foo_total[$__rate_interval])'),
      'panel-units': (d) => delete d.panels![1]!.fieldConfig!.defaults!.unit,
      'panel-title-description': (d) => delete d.panels![1]!.description,
      'panel-ids-unique': (d) => (d.panels![2]!.id = d.panels![1]!.id),
      'grid-no-overlap': (d) => (d.panels![2]!.gridPos = { ...d.panels![1]!.gridPos! }),
    };
    expect(Object.keys(broken).sort()).toEqual(Object.keys(CHECKS).sort());
    for (const [check, breakIt] of Object.entries(broken)) {
      const d = structuredClone(good);
      breakIt(d);
      expect(lintDashboard(d).map((f) => f.check), check).toContain(check);
    }
  });

  it('query only series the rules record or the catalog declares', () => {
    const known = new Set([...declaredMetrics(model), ...recordedMetrics()]);
    const queried = new Set<string>();
    for (const [, d] of dashboards) {
      for (const p of panelsOf(d)) for (const t of p.targets ?? []) metricNamesRead(withVariablesResolved(t.expr!)).forEach((n) => queried.add(n));
      for (const v of (d.templating?.list ?? []) as { query?: { query?: string } }[]) {
        const q = v.query?.query?.match(/^label_values\((.+), \w+\)$/)?.[1];
        if (q) metricNamesRead(q).forEach((n) => queried.add(n));
      }
    }
    expect(queried.size).toBeGreaterThan(20);
    for (const n of queried) expect(known.has(n), `${n} is neither recorded nor declared`).toBe(true);
  });

  it('every link resolves to a generated dashboard or to a runbook of a catalog service', () => {
    const uids = new Set([...dashboards.values()].map((d) => d.uid));
    const runbooks = new Set(model.services.map((s) => `${model.settings.runbookBaseUrl}/${s.name}.md`));
    const urls: string[] = [];
    for (const [, d] of dashboards) {
      for (const l of (d.links ?? []) as { url: string }[]) urls.push(l.url);
      for (const p of panelsOf(d) as { options?: { content?: string } }[]) for (const m of (p.options?.content ?? '').matchAll(/\]\(([^)]+)\)/g)) urls.push(m[1]!);
    }
    expect(urls.length).toBeGreaterThan(10);
    for (const u of urls) {
      const uid = u.match(/^\/d\/([^/]+)\//)?.[1];
      if (uid) expect(uids.has(uid), u).toBe(true);
      else expect(runbooks.has(u), u).toBe(true);
    }
  });

  it("every alert's dashboard_url names an existing uid and only variables that dashboard has", () => {
    const byUid = new Map([...dashboards.values()].map((d) => [d.uid, d]));
    let checked = 0;
    for (const [path, text] of pack.files) {
      if (!path.startsWith('prometheus/rules/')) continue;
      for (const g of (parse(text) as { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] }).groups) {
        for (const r of g.rules.filter((x) => x.alert)) {
          const url = new URL(r.annotations!.dashboard_url!.replace(/\{\{[^}]+\}\}/g, 'x'));
          const uid = url.pathname.split('/')[2]!;
          const d = byUid.get(uid);
          expect(d, r.annotations!.dashboard_url).toBeDefined();
          const vars = new Set(((d!.templating?.list ?? []) as { name: string }[]).map((v) => v.name));
          for (const key of url.searchParams.keys()) if (key.startsWith('var-')) expect(vars.has(key.slice(4)), `${uid} has no variable ${key}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBe(pack.summary.alertRules);
  });

  it('use $__rate_interval in every rate and put a unit and a description on every panel', () => {
    let rates = 0;
    for (const [, d] of dashboards) {
      for (const p of panelsOf(d).filter((x) => x.type !== 'row')) {
        expect(p.fieldConfig?.defaults?.unit, `${d.uid}: ${p.title}`).toBeTruthy();
        expect(p.description, `${d.uid}: ${p.title}`).toBeTruthy();
        for (const t of p.targets ?? []) rates += (t.expr!.match(/\[\$__rate_interval\]/g) ?? []).length;
      }
    }
    expect(rates).toBeGreaterThan(50);
  });
});

describe('delivery', () => {
  it('a ConfigMap per dashboard for the Grafana sidecar, holding exactly the dashboard JSON', () => {
    for (const [file] of dashboards) {
      const cm = parse(pack.files.get(`kubernetes/dashboards/${file.replace('.json', '')}.yaml`)!) as { kind: string; metadata: { labels: Record<string, string>; annotations: Record<string, string> }; data: Record<string, string> };
      expect(cm.kind).toBe('ConfigMap');
      expect(cm.metadata.labels.grafana_dashboard).toBe('1');
      expect(cm.metadata.annotations.grafana_folder).toMatch(/^[a-z0-9-]+$/);
      expect(cm.data[file]).toBe(pack.files.get(`grafana/dashboards/${file}`));
    }
  });

  it('file provisioning with one folder per team and one for the platform dashboards', () => {
    const prov = parse(pack.files.get('grafana/provisioning/dashboards.yaml')!) as { apiVersion: number; providers: { folder: string; type: string; options: { path: string } }[] };
    expect(prov.apiVersion).toBe(1);
    expect(prov.providers.map((p) => p.folder).sort()).toEqual([...new Set(model.services.map((s) => s.team.name)), 'slo-platform'].sort());
    for (const p of prov.providers) expect(p.options.path.endsWith(`/${p.folder}`)).toBe(true);
  });
});

describe('overrides', () => {
  it('an override file changes a generated dashboard without forking the templates', async () => {
    const file = join(scratchDir(), 'overrides.libsonnet');
    writeFileSync(
      file,
      `{
  grafanaDashboards+: {
    'registry.json'+: {
      refresh: '30s',
      tags+: ['team-owned'],
      panels+: [{ type: 'text', title: 'On-call notes', description: 'Added by the admin.', gridPos: { w: 24, h: 3 }, fieldConfig: { defaults: { unit: 'none' }, overrides: [] }, options: { mode: 'markdown', content: 'Ask #g_package first.' } }],
    },
  },
}
`,
    );
    const overridden = await generatePack(model, { dashboardOverrides: file });
    const d = JSON.parse(overridden.files.get('grafana/dashboards/registry.json')!) as DashboardJson & { refresh: string; tags: string[] };
    expect(d.refresh).toBe('30s');
    expect(d.tags).toContain('team-owned');
    expect(d.panels!.at(-1)!.title).toBe('On-call notes');
    // Placed like the template's panels: its size kept, below everything, numbered last.
    const others = d.panels!.slice(0, -1);
    expect(d.panels!.at(-1)!.gridPos).toEqual({ h: 3, w: 24, x: 0, y: Math.max(...others.map((p) => p.gridPos!.y + p.gridPos!.h)) });
    expect(d.panels!.at(-1)!.id).toBe(d.panels!.length);
    expect(overridden.files.get('grafana/dashboards/gitaly.json')).toBe(pack.files.get('grafana/dashboards/gitaly.json'));
    expect(lintDashboard(d)).toEqual([]);
    // Through the command line too, and a broken override is a clear error.
    const out = join(scratchDir(), 'out');
    const ok = cli(['generate', '--catalog', copyCatalog(), '--out', out, '--dashboard-overrides', file]);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = join(scratchDir(), 'bad.libsonnet');
    writeFileSync(bad, '{ grafanaDashboards+: { ');
    const r = cli(['generate', '--catalog', copyCatalog(), '--out', join(scratchDir(), 'out'), '--dashboard-overrides', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dashboard templates failed to evaluate with overrides .*bad\.libsonnet/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // A panel added without a size cannot be placed: the error names the dashboard, the panel and the fix.
    const unsized = join(scratchDir(), 'unsized.libsonnet');
    writeFileSync(unsized, "{ grafanaDashboards+: { 'registry.json'+: { panels+: [{ type: 'text', title: 'Notes' }] } } }");
    const u = cli(['generate', '--catalog', copyCatalog(), '--out', join(scratchDir(), 'out'), '--dashboard-overrides', unsized]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/registry\.json \(with overrides .*unsized\.libsonnet\): panel \d+ \("Notes"\) has no size: give it gridPos: \{ w: WIDTH, h: HEIGHT \}/);
    expect(u.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('dashboards of a large catalog', () => {
  it('are evaluated in chunks as one evaluation of the whole would give them, and the upgrade watch does not grow with the catalog', async () => {
    const { Jsonnet } = await import('@hanazuki/node-jsonnet');
    const { writeSyntheticCatalog } = await import('../bench/synthetic-catalog.js');
    const { renderDashboards } = await import('../generators/emit/dashboards/evaluate.js');
    const { dashboardViewModel } = await import('../generators/emit/dashboards/view-model.js');
    const { placeOnGrid } = await import('../generators/emit/dashboards/layout.js');
    const { BUNDLED_CATALOG, DASHBOARDS_DIR } = await import('../generators/paths.js');
    const big = loadModel(writeSyntheticCatalog(BUNDLED_CATALOG, scratchDir(), 60, 3)).model!;
    const chunked = await renderDashboards(big);
    expect(chunked.size).toBe(62);
    const whole = JSON.parse(
      await new Jsonnet().setMaxStack(100_000).addJpath(DASHBOARDS_DIR).extCode('model', JSON.stringify(dashboardViewModel(big))).evaluateSnippet("(import 'main.jsonnet').grafanaDashboards"),
    ) as Record<string, { panels: { type: string; gridPos: { w: number; h: number } }[] }>;
    expect(Object.keys(whole).sort()).toEqual([...chunked.keys()]);
    for (const [file, d] of Object.entries(whole)) expect(chunked.get(file), file).toEqual({ ...d, panels: placeOnGrid(d.panels) });
    // One row repeated by service: the same dashboard for the bundled catalog and for 60 services.
    const upgrades = chunked.get('upgrades.json') as DashboardJson;
    expect(upgrades).toEqual(dashboards.get('upgrades.json'));
    expect(panelsOf(upgrades).map((p) => p.type)).toEqual(['row', 'timeseries', 'timeseries']);
  });
});
