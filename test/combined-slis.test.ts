/**
 * Combined SLIs (issue 24, item 3): events summed over several selectors or histograms, as
 * real catalogs declare them, without raw PromQL. Sidekiq counts two metrics of failures;
 * Workhorse sums its main and canary stages; Rails' apdex takes requests and SQL queries, each
 * against thresholds of its own; Gitaly's latency holds unary calls to 1s and streams to 10s.
 *
 * Proven: the recorded rates equal the exact sum of hand-written raw series (promtool), also
 * where two parts' series have the same labels and where one part has no series in a place;
 * the generated tests pass and have teeth (a rule that drops a part, or loses the tags that
 * keep parts apart, fails them); misuse is refused where it is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { exportOpenSlo } from '../generators/export/openslo.js';
import { loadModel } from '../generators/pipeline.js';
import { PART_LABEL } from '../generators/promql/sli-events.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { formatProblem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { BUNDLED_CATALOG, copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { promtoolTest } from './helpers/promtool-file.js';
import { rulesIn, type Rule } from './helpers/rule-file.js';

const SIDEKIQ_BAD = `    bad:
      - sidekiq_jobs_failed_total{job="gitlab-sidekiq"}
      - sidekiq_jobs_interrupted_total{job="gitlab-sidekiq"}
`;
const WORKHORSE = `  - name: staged-requests
    description: Workhorse requests of the main and canary stages that did not fail with a server error.
    kind: error-ratio
    bad:
      - gitlab_workhorse_http_requests_total{job="gitlab-workhorse", stage="main", code=~"5.."}
      - gitlab_workhorse_http_requests_total{job="gitlab-workhorse", stage="cny", code=~"5.."}
    total:
      - gitlab_workhorse_http_requests_total{job="gitlab-workhorse", stage="main"}
      - gitlab_workhorse_http_requests_total{job="gitlab-workhorse", stage="cny"}
    objective: 99.9
`;
const WEB = `  - name: rails-apdex
    description: Apdex of Rails requests and of their SQL queries, each against its own thresholds.
    kind: apdex
    histograms:
      - histogram: http_request_duration_seconds{job="gitlab-rails"}
        satisfied: 1
        tolerated: 10
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25]
      - histogram: gitlab_sql_duration_seconds{job="gitlab-rails"}
        satisfied: 0.05
        tolerated: 0.25
    objective: 99
`;
const GITALY = `  - name: call-latency
    description: Gitaly unary calls within 1 second and streaming calls within 10.
    kind: latency
    histograms:
      - histogram: grpc_server_handling_seconds{job="gitaly", grpc_type="unary"}
        threshold: 1
      - histogram: grpc_server_handling_seconds{job="gitaly", grpc_type!="unary"}
        threshold: 10
    objective: 99
`;

function combinedCatalog(): string {
  const catalog = copyCatalog();
  edit(join(catalog, 'services', 'sidekiq.yaml'), (t) => t.replace('    bad: sidekiq_jobs_failed_total{job="gitlab-sidekiq"}\n', SIDEKIQ_BAD));
  edit(join(catalog, 'services', 'workhorse.yaml'), (t) => t + WORKHORSE);
  edit(join(catalog, 'services', 'web.yaml'), (t) => t + WEB);
  edit(join(catalog, 'services', 'gitaly.yaml'), (t) => t + GITALY);
  return catalog;
}

const catalog = combinedCatalog();
const { model, problems } = loadModel(catalog);
const pack = await generatePack(model!);

const rulesText = (service: string) => pack.files.get(`prometheus/rules/${service}.yml`)!;
const rulesOf = (service: string): Rule[] => rulesIn(rulesText(service));
const rawRead = (service: string, sli: string, what: 'bad' | 'total') => rulesOf(service).find((r) => r.record === `sli:events_${what}:rate5m` && r.labels?.sli === sli)!;

beforeAll(() => {
  if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
});

describe('combined SLIs', () => {
  it('validate, and each raw read sums every part in one expression that reads each series once', () => {
    expect(problems).toEqual([]);
    const jobs = model!.services.find((s) => s.name === 'sidekiq')!.slis.find((s) => s.name === 'jobs')!;
    expect(jobs.events).toMatchObject({ type: 'counters', bad: [{ metric: 'sidekiq_jobs_failed_total' }, { metric: 'sidekiq_jobs_interrupted_total' }], total: [{ metric: 'sidekiq_jobs_completion_seconds_count' }] });
    const bad = rawRead('sidekiq', 'jobs', 'bad').expr;
    for (const metric of ['sidekiq_jobs_failed_total', 'sidekiq_jobs_interrupted_total']) expect(bad.split(metric).length - 1, metric).toBe(1);
    expect(bad).toContain(`"${PART_LABEL}", "2"`);
    // Apdex: each histogram's count once in the total, and its own satisfied and tolerated buckets.
    const apdexBad = rawRead('web', 'rails-apdex', 'bad').expr;
    for (const bucket of ['http_request_duration_seconds_bucket{job="gitlab-rails", le=~"1|1\\\\.0"}', 'http_request_duration_seconds_bucket{job="gitlab-rails", le=~"10|10\\\\.0"}', 'gitlab_sql_duration_seconds_bucket{job="gitlab-rails", le=~"0\\\\.05"}', 'gitlab_sql_duration_seconds_bucket{job="gitlab-rails", le=~"0\\\\.25"}']) {
      expect(apdexBad.split(bucket).length - 1, bucket).toBe(1);
    }
    const apdexTotal = rawRead('web', 'rails-apdex', 'total').expr;
    expect(apdexTotal).toContain('http_request_duration_seconds_count');
    expect(apdexTotal).toContain('gitlab_sql_duration_seconds_count');
    // A plain SLI's raw read is unchanged: one rate, no tags.
    expect(rawRead('web', 'puma-requests', 'bad').expr).not.toContain(PART_LABEL);
  });

  it('record the exact sum of their parts: parts whose series have the same labels, and a place where one part has no series (promtool)', () => {
    const dir = scratchDir('slokit-combined-');
    const at = (labels: string) => `{job="gitlab-sidekiq", env="production", ${labels}}`;
    // Cluster a: failures and interruptions carry the same labels, so only their tags keep both.
    // Cluster b: no interruption series at all.
    const input = [
      { series: `sidekiq_jobs_completion_seconds_count${at('cluster="a", worker="w"')}`, values: '0+600x30' },
      { series: `sidekiq_jobs_failed_total${at('cluster="a", worker="w"')}`, values: '0+12x30' },
      { series: `sidekiq_jobs_interrupted_total${at('cluster="a", worker="w"')}`, values: '0+30x30' },
      { series: `sidekiq_jobs_completion_seconds_count${at('cluster="b", worker="w"')}`, values: '0+300x30' },
      { series: `sidekiq_jobs_failed_total${at('cluster="b", worker="w"')}`, values: '0+6x30' },
    ];
    const recorded = (what: 'bad' | 'total', perMinute: Record<string, number>) => ({
      expr: `sum by (cluster) (sli:events_${what}:rate5m{service="sidekiq", sli="jobs"})`,
      eval_time: '20m',
      exp_samples: Object.entries(perMinute).map(([cluster, n]) => ({ labels: `{cluster="${cluster}"}`, value: n / 60 })),
    });
    const expectations = [recorded('bad', { a: 12 + 30, b: 6 }), recorded('total', { a: 600, b: 300 })];
    const rules = { 'sidekiq.yml': rulesText('sidekiq') };
    const r = promtoolTest(dir, rules, [{ interval: '1m', input_series: input, promql_expr_test: expectations }]);
    expect(r.ok, r.output).toBe(true);
    // The same test against the rules without the tags fails: `or` drops cluster a's interruptions.
    const untagged = rulesText('sidekiq').replaceAll(/label_replace\((rate\([^)]*\[[^\]]*\]\)), "slokit_part", "\d+", "", ""\)/g, '$1');
    expect(untagged).not.toBe(rulesText('sidekiq'));
    const broken = promtoolTest(dir, { 'sidekiq.yml': untagged }, [{ interval: '1m', input_series: input, promql_expr_test: expectations }], 'untagged.test.yml');
    expect(broken.ok).toBe(false);
    expect(broken.output).toMatch(/events_bad:rate5m/);
  });

  it("pass their generated tests, which fail when a rule loses a part or the tags that keep parts apart", async () => {
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as TestIndex;
    const combined = [
      ['sidekiq', 'jobs'],
      ['workhorse', 'staged-requests'],
      ['web', 'rails-apdex'],
      ['gitaly', 'call-latency'],
    ];
    const entries = combined.map(([service, sli]) => index.slis.find((e) => e.service === service && e.sli === sli)!);
    // Summed counters keep the shape of one selector: the two counter SLIs have shapes of the
    // bundled pack, whose full suites test/promtool-pack.test.ts runs. Only the histograms with
    // thresholds of their own make shapes of their own, and only their suites run again here.
    const bundled = JSON.parse((await generatePack(loadModel(BUNDLED_CATALOG).model!)).files.get('prometheus/tests/index.json')!) as TestIndex;
    const known = new Set(Object.keys(bundled.shapes));
    expect(entries.map((e) => known.has(e.shape))).toEqual([true, true, false, false]);
    const results = await testPack(out, {
      jobs: 2,
      changedOnly: false,
      promtoolVersion: promtoolVersion(),
      select: (f) => entries.some((e) => f === e.test || f === `shapes/${e.shape}/rules.yml` || (!known.has(e.shape) && f.startsWith(`shapes/${e.shape}/`))),
    });
    expect(results.filter((r) => r.file.startsWith('slis/')).map((r) => r.file).sort()).toEqual(entries.map((e) => e.test).sort());
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');

    // Mutations of the written rules: each must fail the SLI's own test.
    const file = join(out, 'prometheus', 'rules', 'sidekiq.yml');
    const original = readFileSync(file, 'utf8');
    const mutations: Record<string, (t: string) => string> = {
      'a part dropped': (t) => t.replaceAll(/ or label_replace\(rate\(sidekiq_jobs_interrupted_total[^)]*\[[^\]]*\]\), "slokit_part", "2", "", ""\)/g, ''),
      'both parts under one tag': (t) => t.replaceAll('"slokit_part", "2"', '"slokit_part", "1"'),
    };
    for (const [name, mutate] of Object.entries(mutations)) {
      const mutated = mutate(original);
      expect(mutated, name).not.toBe(original);
      writeFileSync(file, mutated);
      const failed = (await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === entries[0]!.test })).find((r) => r.file === entries[0]!.test)!;
      expect(failed.status, name).toBe('failed');
    }
    writeFileSync(file, original);
  }, 600_000);

  it('say what a bad event is per histogram in alerts, and draw each histogram on the dashboard and in the runbook', () => {
    const burn = rulesOf('gitaly').find((r) => r.alert === 'SlokitErrorBudgetBurnFast' && r.labels?.sli === 'call-latency')!;
    expect(burn.annotations!.description).toContain(
      "slower than each histogram's threshold (1s, 10s)",
    );
    const dashboard = [...pack.files.entries()].find(([name]) => /grafana.*gitaly.*\.json$/.test(name))![1];
    for (const sel of ['grpc_type=\\"unary\\"', 'grpc_type!=\\"unary\\"']) expect(dashboard).toMatch(new RegExp(`histogram_quantile\\(0\\.99, sum by \\(le\\) \\(rate\\(grpc_server_handling_seconds_bucket\\{[^}]*${sel.replace(/[()|.\\"!]/g, (c) => `\\${c}`)}`));
    const runbook = [...pack.files.entries()].find(([name]) => /runbooks\/gitaly\.md$/.test(name))![1];
    expect(runbook).toMatch(/99th percentile latency now of grpc_server_handling_seconds, against the 1s threshold/);
    expect(runbook).toMatch(/99th percentile latency now of grpc_server_handling_seconds, against the 10s threshold/);
  });

  it('are reported, not exported, by the OpenSLO export', () => {
    const exported = exportOpenSlo(model!);
    for (const name of ['sidekiq/jobs', 'workhorse/staged-requests', 'web/rails-apdex', 'gitaly/call-latency']) {
      expect(exported.skipped.find((s) => s.startsWith(`${name}:`))).toMatch(/combined SLI sums several series selectors/);
    }
  });
});

describe('combined SLIs: misuse', () => {
  const problemsWith = (file: string, change: (t: string) => string) => {
    const c = combinedCatalog();
    edit(join(c, 'services', file), change);
    return loadModel(c).problems.map((p) => formatProblem(p).split('\n').slice(0, 2).join(' | ').replace(/^.*services\//, ''));
  };

  it('parts that can select one series are refused at the second one, with the series they share', () => {
    expect(problemsWith('workhorse.yaml', (t) => t.replace('stage="cny"}\n    objective', 'stage=~"main|cny"}\n    objective'))).toEqual([
      expect.stringMatching(/^workhorse\.yaml:\d+:9: error: total entries 1 and 2 both select gitlab_workhorse_http_requests_total\{.*stage="main".*\}, so its events would be counted twice \| .*make them disjoint/),
    ]);
    expect(problemsWith('gitaly.yaml', (t) => t.replace('grpc_type!="unary"}\n        threshold: 10', 'grpc_type=~".+"}\n        threshold: 10'))).toEqual([
      expect.stringMatching(/^gitaly\.yaml:\d+:20: error: histograms entries 1 and 2 both select grpc_server_handling_seconds/),
    ]);
  });

  it('a broken selector is located at its entry; histogram beside histograms, a missing threshold and a bucket that is no boundary are each said where written', () => {
    expect(problemsWith('sidekiq.yaml', (t) => t.replace('- sidekiq_jobs_interrupted_total{job="gitlab-sidekiq"}', '- sidekiq_jobs_interrupted_total{job=}'))).toEqual([
      expect.stringMatching(/^sidekiq\.yaml:\d+:9: error: .*\| .*series selector/),
    ]);
    expect(problemsWith('web.yaml', (t) => t.replace('  - name: rails-apdex\n', '  - name: rails-apdex\n    histogram: http_request_duration_seconds\n'))).toEqual([
      expect.stringMatching(/^web\.yaml:\d+:\d+: error: give histogram with its thresholds, or histograms, not both/),
    ]);
    expect(problemsWith('web.yaml', (t) => t.replace('        tolerated: 0.25\n', ''))).toEqual([
      expect.stringMatching(/^web\.yaml:\d+:9: error: missing required field "tolerated" in slis\[2\]\.histograms\[1\]/),
    ]);
    expect(problemsWith('web.yaml', (t) => t.replace('        satisfied: 1\n', '        satisfied: 0.75\n'))).toEqual([
      expect.stringMatching(/^web\.yaml:\d+:20: error: satisfied 0\.75s is not a bucket boundary of the declared buckets \| .*e\.g\. (0\.5|1) /),
    ]);
    expect(problemsWith('web.yaml', (t) => t.replace('        tolerated: 0.25\n', '        tolerated: 0.01\n'))).toEqual([
      expect.stringMatching(/^web\.yaml:\d+:20: error: tolerated \(0\.01s\) must be greater than satisfied \(0\.05s\)/),
    ]);
  });
});
