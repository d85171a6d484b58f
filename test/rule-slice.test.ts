/**
 * Tests by rule shape: an SLI's slice of its service's rule file, the check that it is its
 * shape's rules under its own name (with teeth: each way a rule can differ is caught, and the
 * raw reads, which are the SLI's own, are left to its own tests), and overlapping selectors
 * (a whole-service SLI and a per-route one over the same counter, and two SLIs over the same
 * events with two objectives) whose own tests pass because each runs on its own slice.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { shapeDifference, sliceOf, type GroupObject, type RuleObject } from '../generators/emit/promtool-tests/rule-slice.js';
import { canonicalOf, windowRules } from '../generators/emit/promtool-tests/shape.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { formatProblem } from '../generators/validate/problems.js';
import { testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, scratchDir } from './helpers/catalog.js';

const { model } = loadModel(copyCatalog());
const pack = await generatePack(model!);
const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as TestIndex;
const groupsOf = (path: string) => (parse(pack.files.get(path)!) as { groups: GroupObject[] }).groups;
const entry = index.slis.find((e) => e.service === 'registry' && e.sli === 'requests')!;
const slice = sliceOf(groupsOf('prometheus/rules/registry.yml'), 'registry', 'requests');
const shape = groupsOf(`prometheus/tests/shapes/${entry.shape}/rules.yml`);
const differs = (s: GroupObject[]) => shapeDifference(s, shape, entry, index.canonical, entry.rawReads);

/** The slice with one rule changed. */
function changed(name: string, change: (r: RuleObject) => RuleObject): GroupObject[] {
  let hit = 0;
  const out = slice.map((g) => ({ ...g, rules: g.rules.map((r) => (r.alert === name || r.record === name ? (hit++, change(r)) : r)) }));
  expect(hit, name).toBe(1);
  return out;
}

describe('the canonical SLI of a shape', () => {
  it('leaves out what tells services and SLIs apart but not their rules: names, team, dependencies, significant labels', () => {
    // The shape registry keys its work on the canonical service: a field that differs between
    // services sharing a shape (as the dependencies once did) builds the full suite once per SLI.
    const registry = model!.services.find((s) => s.name === 'registry')!;
    const sli = registry.slis[0]!;
    const other = {
      ...registry,
      name: 'elsewhere',
      team: { ...registry.team, name: 'another-team' },
      dependencies: ['gitaly'],
      heldBackBy: ['gitaly'],
      externalDependencies: ['managed-db'],
      slis: registry.slis.map((s) => ({ ...s, significantLabels: ['shard'] })),
    };
    const otherSli = other.slis[0]!;
    expect(JSON.stringify(canonicalOf(other, otherSli))).toBe(JSON.stringify(canonicalOf(registry, sli)));
  });
});

describe('an SLI slice and its shape', () => {
  it("holds only the SLI's rules, in file order, in groups named as in the file", () => {
    const all = groupsOf('prometheus/rules/registry.yml');
    expect(slice.flatMap((g) => g.rules).every((r) => r.labels?.service === 'registry' && r.labels?.sli === 'requests')).toBe(true);
    const inFile = all.flatMap((g) => g.rules).filter((r) => r.labels?.sli === 'requests');
    expect(slice.flatMap((g) => g.rules)).toEqual(inFile);
    expect(slice.map((g) => g.name)).toEqual(all.filter((g) => g.rules.some((r) => r.labels?.sli === 'requests')).map((g) => g.name));
  });

  it('every SLI of the bundled catalog is its shape under its own name', () => {
    for (const e of index.slis) {
      const own = sliceOf(groupsOf(`prometheus/rules/${e.service}.yml`), e.service, e.sli);
      expect(shapeDifference(own, groupsOf(`prometheus/tests/shapes/${e.shape}/rules.yml`), e, index.canonical, e.rawReads), `${e.service}/${e.sli}`).toBeUndefined();
    }
  });

  it('says which rule differs and how, for every way a rule can differ', () => {
    expect(differs(slice)).toBeUndefined();
    const cases: [GroupObject[], RegExp][] = [
      [changed('SlokitErrorBudgetBurnFast', (r) => ({ ...r, expr: r.expr.replace('0.0144', '0.0145') })), /alert SlokitErrorBudgetBurnFast\): its expression is not the shape's/],
      [changed('SlokitSLIVanished', (r) => ({ ...r, for: '30m' })), /alert SlokitSLIVanished\): for 30m, the shape 3m/],
      [changed('SlokitErrorBudgetBurnFast', (r) => ({ ...r, labels: { ...r.labels, severity: 'warning' } })), /label severity is "warning", expected "critical"/],
      [changed('SlokitErrorBudgetBurnFast', (r) => ({ ...r, labels: { ...r.labels, team: 'someone-else' } })), /label team is "someone-else", expected "package"/],
      [changed('SlokitErrorBudgetBurnFast', (r) => ({ ...r, annotations: { summary: 'x' } })), /alert SlokitErrorBudgetBurnFast\): annotation dashboard_url is missing, expected "https:\/\/grafana/],
      // Annotations are the shape's with the SLI's names in place: a runbook link to another SLI's section is caught.
      [changed('SlokitSLIVanished', (r) => ({ ...r, annotations: { ...r.annotations, runbook_url: r.annotations!.runbook_url!.replace('#requests-', '#request-latency-') } })), /alert SlokitSLIVanished\): annotation runbook_url is ".*#request-latency-vanished", expected ".*#requests-vanished"/],
      [changed('SlokitErrorBudgetBurnLowTraffic', (r) => ({ ...r, annotations: { ...r.annotations, summary: r.annotations!.summary!.replace('registry', 'web') } })), /annotation summary is "The requests SLI of web/],
      // Reads another SLI's recorded series: not its own selector, so not the shape's.
      [changed('sli:error:ratio_rate1h', (r) => ({ ...r, expr: r.expr.replaceAll('sli="requests"', 'sli="request-latency"') })), /record sli:error:ratio_rate1h\): its expression is not the shape's/],
      [slice.map((g, i) => (i === 0 ? { ...g, interval: '2m' } : g)), /evaluated every 2m, the shape every 1m/],
      [slice.map((g, i) => (i === 0 ? { ...g, rules: g.rules.slice(1) } : g)), /has \d+ rules, its shape \d+/],
    ];
    for (const [s, reason] of cases) expect(differs(s)).toMatch(reason);
    // The raw reads are the SLI's own (its own tests prove them): a different selector there is no difference.
    expect(differs(changed('sli:events_total:rate5m', (r) => ({ ...r, expr: r.expr.replace('registry_http_requests_total', 'other_total') })))).toBeUndefined();
  });
});

describe('window suites', () => {
  const [suiteId, suite] = Object.entries(index.windows).find(([, w]) => w.shapes.includes(entry.shape))!;
  const suiteRules = groupsOf(`prometheus/tests/${suite.files.find((f) => f.endsWith('/rules.yml'))!}`);
  const names = new Set(suiteRules.flatMap((g) => g.rules.map((r) => r.record!)));

  it("hold the derived windows, raw window to period, and nothing an objective or an alert decides; every shape's are its suite's", () => {
    expect(suiteRules.flatMap((g) => g.rules).every((r) => r.record !== undefined && /^sli:/.test(r.record))).toBe(true);
    expect([...names].sort()).toEqual(['1d', '1h', '2h', '30d', '30m', '3d', '5m', '6h'].flatMap((w) => [`sli:error:ratio_rate${w}`, `sli:events_bad:rate${w}`, `sli:events_total:rate${w}`]).sort());
    for (const [id, s] of Object.entries(index.shapes)) {
      expect(s.windows, id).toBeDefined();
      const own = groupsOf(`prometheus/tests/${s.files.find((f) => f.endsWith('/rules.yml'))!}`);
      const e = index.slis.find((x) => x.shape === id)!;
      expect(shapeDifference(windowRules(own, names), groupsOf(`prometheus/tests/${index.windows[s.windows!]!.files.find((f) => f.endsWith('/rules.yml'))!}`), index.canonical, index.canonical, e.rawReads), id).toBeUndefined();
    }
    // The period's window is tested only in the suite: a shape whose period tiles 3 days is not its suite's.
    const own = groupsOf(`prometheus/tests/shapes/${entry.shape}/rules.yml`);
    const threeDays = own.map((g) => ({ ...g, rules: g.rules.map((r) => (r.record === 'sli:events_bad:rate30d' ? { ...r, expr: r.expr.replace('[29d23h59m30s:55m]', '[2d23h59m30s:55m]') } : r)) }));
    expect(JSON.stringify(threeDays)).not.toBe(JSON.stringify(own));
    expect(shapeDifference(windowRules(threeDays, names), suiteRules, index.canonical, index.canonical, entry.rawReads)).toMatch(/record sli:events_bad:rate30d\): its expression is not the shape's/);
  });

  it('slokit test fails a shape whose window rules are not its suite\'s, naming both, without running promtool', async () => {
    const out = scratchDir();
    writeOutput(out, pack.files);
    const path = join(out, 'prometheus/tests/shapes', entry.shape, 'rules.yml');
    const text = pack.files.get(`prometheus/tests/shapes/${entry.shape}/rules.yml`)!;
    expect(text).toContain('[54m30s]');
    writeFileSync(path, text.replace('[54m30s]', '[55m]'));
    const results = await testPack(out, { jobs: 1, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f.endsWith('/rules.yml') });
    expect(results.map((r) => [r.file, r.status, r.seconds])).toEqual([[`shapes/${entry.shape}/rules.yml`, 'failed', 0]]);
    expect(results[0]!.failures).toEqual([{ group: `shape ${entry.shape}: its window rules are window suite ${suiteId}'s`, reason: expect.stringMatching(/record sli:events_total:rate1h\): its expression is not the shape's/) }]);
  });
});

describe("a service's own tests, several per promtool process", () => {
  it('pass together; when one fails, the batch runs again file by file and only that file fails, with its reason', async () => {
    const out = scratchDir();
    writeOutput(out, pack.files);
    const own = (f: string) => f.startsWith('slis/registry/');
    const clean = await testPack(out, { jobs: 1, changedOnly: false, promtoolVersion: promtoolVersion(), select: own });
    expect(clean.map((r) => [r.file, r.status])).toEqual([['slis/registry/requests.test.yml', 'passed'], ['slis/registry/request-latency.test.yml', 'passed']]);
    const rules = join(out, 'prometheus/rules/registry.yml');
    const text = pack.files.get('prometheus/rules/registry.yml')!;
    expect(text).toContain('rate(registry_http_requests_total[5m])');
    writeFileSync(rules, text.replace('rate(registry_http_requests_total[5m])', 'rate(registry_http_requests_total{code="200"}[5m])'));
    const broken = await testPack(out, { jobs: 1, changedOnly: false, promtoolVersion: promtoolVersion(), select: own });
    expect(broken.map((r) => [r.file, r.status])).toEqual([['slis/registry/requests.test.yml', 'failed'], ['slis/registry/request-latency.test.yml', 'passed']]);
    expect(broken[0]!.failures[0]).toEqual({ group: expect.stringMatching(/^registry\/requests: reads its own series/), reason: expect.stringMatching(/sli:events_total:rate5m/) });
  }, 120_000);
});

describe('overlapping selectors', () => {
  it("a whole-service SLI, a per-route one and two SLIs over the same events each pass their own tests, on their own slice", { timeout: 300_000 }, async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const catalog = copyCatalog();
    writeFileSync(
      join(catalog, 'services', 'registry.yaml'),
      `name: registry
description: Container registry API.
team: package
tier: 1
slis:
  - name: requests
    description: Every registry request.
    kind: error-ratio
    bad: registry_http_requests_total{code=~"5.."}
    total: registry_http_requests_total
    objective: 99.9
  - name: manifests
    description: Manifest requests only (a subset of requests).
    kind: error-ratio
    bad: registry_http_requests_total{route="/v2/{name}/manifests/{reference}", code=~"5.."}
    total: registry_http_requests_total{route="/v2/{name}/manifests/{reference}"}
    objective: 99.5
  - name: requests-contract
    description: The same events as requests, at the contractual objective.
    kind: error-ratio
    bad: registry_http_requests_total{code=~"5.."}
    total: registry_http_requests_total
    objective: 99
`,
    );
    const { model: m, problems } = loadModel(catalog);
    expect(problems.map(formatProblem)).toEqual([]);
    const out = scratchDir();
    writeOutput(out, (await generatePack(m!)).files);
    const results = await testPack(out, { jobs: availableParallelism(), changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f.startsWith('slis/registry/') });
    expect(results.map((r) => [r.file, r.status, r.failures]).sort()).toEqual(
      ['manifests', 'requests', 'requests-contract'].map((s) => [`slis/registry/${s}.test.yml`, 'passed', []]).sort(),
    );
  });
});

describe('raw SLIs over histograms', () => {
  const combined = (badRate: string, testSeries: string) => `name: registry
description: Container registry API.
team: package
tier: 1
slis:
  - name: combined-apdex
    description: API and git requests within their thresholds, as one apdex.
    kind: raw
    bad_rate: >-
      ${badRate}
    total_rate: >-
      sum by (env, cluster) (rate(api_duration_seconds_count{job="api"}[$window])) + sum by (env, cluster) (rate(git_duration_seconds_count[$window]))
    test_series:
${testSeries}
`;
  const histograms = `      histograms:
        - { histogram: 'api_duration_seconds{job="api"}', le: [0.5] }
        - { histogram: git_duration_seconds, le: [2] }`;
  const badRate = (apiLe: string) =>
    `sum by (env, cluster) (rate(api_duration_seconds_count{job="api"}[$window])) - sum by (env, cluster) (rate(api_duration_seconds_bucket{job="api", le="${apiLe}"}[$window])) + sum by (env, cluster) (rate(git_duration_seconds_count[$window])) - sum by (env, cluster) (rate(git_duration_seconds_bucket{le="2"}[$window]))`;

  async function ownTests(serviceYaml: string) {
    const catalog = copyCatalog();
    writeFileSync(join(catalog, 'services', 'registry.yaml'), serviceYaml);
    const { model: m, problems } = loadModel(catalog);
    expect(problems.map(formatProblem)).toEqual([]);
    const out = scratchDir();
    writeOutput(out, (await generatePack(m!)).files);
    return testPack(out, { jobs: 1, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f.startsWith('slis/registry/') });
  }

  it('feed every histogram listed, buckets and count together: a combined apdex passes, and reading the wrong bucket fails', { timeout: 120_000 }, async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const right = await ownTests(combined(badRate('0.5'), histograms));
    expect(right.map((r) => [r.file, r.status, r.failures])).toEqual([['slis/registry/combined-apdex.test.yml', 'passed', []]]);
    // Teeth: a bad rate that reads the api histogram's 1s bucket, which the tests never fill.
    const wrong = await ownTests(combined(badRate('1'), histograms));
    expect(wrong[0]!.status).toBe('failed');
    expect(wrong[0]!.failures.map((f) => f.group)).toContain('registry/combined-apdex: reads its own series: 1000 events per 1m, none failing, then 250 failing, recorded exactly');
  });

  it('are refused where test_series mixes the two forms or names a histogram by one of its series', () => {
    const problemsOf = (testSeries: string) => {
      const catalog = copyCatalog();
      writeFileSync(join(catalog, 'services', 'registry.yaml'), combined(badRate('0.5'), testSeries));
      return loadModel(catalog).problems.map(formatProblem).join('\n');
    };
    expect(problemsOf(`${histograms}\n      bad: api_errors_total`)).toMatch(/registry\.yaml:\d+:\d+: error: test_series takes histograms or counters \(bad with good or total\), not both/);
    expect(problemsOf(`      histograms:\n        - { histogram: api_duration_seconds_bucket, le: [0.5] }`)).toMatch(/registry\.yaml:\d+:\d+: error: histogram names the histogram, not its _bucket series\n {2}fix: write api_duration_seconds\{\.\.\.\}/);
    expect(problemsOf(`      total: api_total`)).toMatch(/registry\.yaml:\d+:\d+: error: test_series needs bad \(with good or total\) or histograms/);
  });
});
