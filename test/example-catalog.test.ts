/**
 * The example catalog of a large platform (catalog/examples/platform, issue 24): at least 10
 * services and 40 SLIs, written as such a platform's metrics catalog declares them, using every
 * catalog feature and no raw PromQL. It validates, its pack lints clean (dashboards, the
 * Alertmanager configuration) and passes every generated test (promtool check and the tests).
 * The features are counted from the files as written, not from the model built from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { lintDashboard, type DashboardJson } from '../generators/lint/dashboard-lint.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { formatProblem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { ROOT, scratchDir } from './helpers/catalog.js';
import { amtool } from './helpers/amtool.js';

const CATALOG = join(ROOT, 'catalog', 'examples', 'platform');
type Entry = Record<string, unknown>;
const files = readdirSync(join(CATALOG, 'services')).filter((f) => f.endsWith('.yaml'));
const entries: Entry[] = files.flatMap((f) => (parse(readFileSync(join(CATALOG, 'services', f), 'utf8')) as { slis: Entry[] }).slis);
const defaults = parse(readFileSync(join(CATALOG, 'defaults.yaml'), 'utf8')) as { labels: { also?: string[] } };
const { model, problems } = loadModel(CATALOG);

beforeAll(() => {
  if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
});

describe('the example platform catalog', () => {
  it('validates: at least 10 services and 40 SLIs, none of them raw', () => {
    expect(problems.map(formatProblem)).toEqual([]);
    const slis = model!.services.flatMap((s) => s.slis);
    expect(model!.services.length).toBeGreaterThanOrEqual(10);
    expect(slis.length).toBeGreaterThanOrEqual(40);
    expect(slis.filter((s) => s.kind === 'raw').map((s) => s.name)).toEqual([]);
  });

  it('uses every catalog feature, as written in its files', () => {
    const alerting = (e: Entry) => (e.alerting ?? {}) as { pages?: boolean; traffic_cessation?: boolean };
    const list = (e: Entry) => ['bad', 'good', 'total', 'errors', 'requests'].some((k) => Array.isArray(e[k])) || Array.isArray(e.histograms) || Array.isArray((e.apdex as Entry | undefined)?.histograms);
    const features: Record<string, number> = {
      'aggregation labels beyond environment and cluster': defaults.labels.also?.length ?? 0,
      'grouped SLIs (group_by)': entries.filter((e) => e.group_by !== undefined).length,
      'combined SLIs (lists of selectors or histograms)': entries.filter(list).length,
      'several signals in one SLI (kind: signals)': entries.filter((e) => e.kind === 'signals').length,
      'an owner other than the service team': entries.filter((e) => e.team !== undefined).length,
      'owners read from a metric label (owners_by)': entries.filter((e) => e.owners_by !== undefined).length,
      'tickets only (alerting.pages: false)': entries.filter((e) => alerting(e).pages === false).length,
      'no traffic-cessation ticket': entries.filter((e) => alerting(e).traffic_cessation === false).length,
      'experimental SLIs': entries.filter((e) => e.experimental === true).length,
      'bool-gauge SLIs': entries.filter((e) => e.kind === 'bool-gauge').length,
      'report objectives': entries.filter((e) => e.report_objectives !== undefined).length,
      'templated SLIs (for_each)': entries.filter((e) => e.for_each !== undefined).length,
      'templated SLIs with several signals': entries.filter((e) => e.for_each !== undefined && e.kind === 'signals').length,
      'user journeys weighted by events': model!.journeys.filter((j) => j.weighting === 'events').length,
      'user journeys weighted by components': model!.journeys.filter((j) => j.weighting === 'components').length,
      'a journey inside another': model!.journeys.filter((j) => j.components.some((c) => c.type === 'journey')).length,
    };
    for (const [feature, n] of Object.entries(features)) expect(n, feature).toBeGreaterThan(0);
  });

  it('generates a pack whose dashboards and Alertmanager configuration lint clean and whose every generated test passes', async () => {
    const pack = await generatePack(model!);
    const dashboards = [...pack.files].filter(([p]) => p.startsWith('grafana/dashboards/'));
    expect(dashboards.length).toBeGreaterThanOrEqual(model!.services.length);
    expect(dashboards.flatMap(([p, text]) => lintDashboard(JSON.parse(text) as DashboardJson).map((f) => `${p}: ${JSON.stringify(f)}`))).toEqual([]);
    const out = join(scratchDir('slokit-example-'), 'out');
    writeOutput(out, pack.files);
    const check = amtool(['check-config', join(out, 'alertmanager', 'alertmanager.yml')]);
    expect(check.code, check.output).toBe(0);
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion() });
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as { slis: unknown[] };
    expect(index.slis.length).toBe(model!.services.reduce((n, s) => n + s.slis.length, 0));
    expect(results.filter((r) => r.file.startsWith('slis/')).length).toBe(index.slis.length);
    expect(results.filter((r) => r.file === 'journeys.test.yml').map((r) => r.status)).toEqual(['passed']);
    expect(results.filter((r) => r.status !== 'passed').map((r) => `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`)).toEqual([]);
  }, 600_000);
});
