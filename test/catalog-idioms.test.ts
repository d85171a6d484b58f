/**
 * Idioms real catalogs are written in (issue 24, item 9). Templated SLIs: one entry for the
 * SLIs of every Sidekiq shard, as GitLab's catalog declares them, expanded right after parsing;
 * the expanded SLIs are plain SLIs to every generator (their rules read their own shard, their
 * generated tests pass promtool), and what is wrong in a template is reported once, where it
 * is written. And `or vector(0)` after a raw rate, which slokit drops.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { withoutOrVectorZero } from '../generators/promql/parse.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { formatProblem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';

const SHARDS = ['catchall', 'urgent-cpu-bound', 'database-throttled'];
const TEMPLATE = `  - name: jobs
    for_each:
      shard: [${SHARDS.join(', ')}]
    description: Sidekiq jobs of the {shard} shard that completed without raising.
    kind: error-ratio
    bad: sidekiq_jobs_failed_total{job="gitlab-sidekiq", shard="{shard}"}
    total: sidekiq_jobs_completion_seconds_count{job="gitlab-sidekiq", shard="{shard}"}
    objective: 99.5
    significant_labels: [worker, queue]
    user_facing: false
    runbook:
      steps:
        - Look at the {shard} shard's busiest workers first.
`;
const PLAIN = /  - name: jobs\n(?:    .*\n)+?(?=  - name: job-execution)/;

function templated(change: (t: string) => string = (t) => t): string {
  const catalog = copyCatalog();
  edit(join(catalog, 'services', 'sidekiq.yaml'), (t) => t.replace(PLAIN, change(TEMPLATE)));
  // webhook-delivery crosses sidekiq/jobs, which the template replaces with one SLI per shard: it does without.
  edit(join(catalog, 'journeys', 'webhook-delivery.yaml'), (t) => t.replace('  - { service: sidekiq, sli: jobs, weight: 1 }\n', ''));
  return catalog;
}

describe('for_each', () => {
  it('makes one SLI per shard, named after it, each reading its own shard; the service keeps its other SLIs', async () => {
    const { model, problems } = loadModel(templated());
    expect(problems).toEqual([]);
    const sidekiq = model!.services.find((s) => s.name === 'sidekiq')!;
    expect(sidekiq.slis.map((s) => s.name)).toEqual(['jobs-catchall', 'jobs-urgent-cpu-bound', 'jobs-database-throttled', 'job-execution']);
    const urgent = sidekiq.slis[1]!;
    expect(urgent.description).toBe('Sidekiq jobs of the urgent-cpu-bound shard that completed without raising.');
    expect(urgent.runbook.steps).toEqual(["Look at the urgent-cpu-bound shard's busiest workers first."]);
    expect(urgent.events).toMatchObject({ type: 'counters', total: [{ metric: 'sidekiq_jobs_completion_seconds_count', matchers: [{ label: 'job', op: '=', value: 'gitlab-sidekiq' }, { label: 'shard', op: '=', value: 'urgent-cpu-bound' }] }] });
    const pack = await generatePack(model!);
    const rules = (parse(pack.files.get('prometheus/rules/sidekiq.yml')!) as { groups: { rules: { record?: string; expr: string; labels?: Record<string, string> }[] }[] }).groups.flatMap((g) => g.rules);
    for (const shard of SHARDS) {
      const raw = rules.find((r) => r.record === 'sli:events_total:rate5m' && r.labels?.sli === `jobs-${shard}`)!;
      expect(raw.expr).toContain(`shard="${shard}"`);
      for (const other of SHARDS.filter((s) => s !== shard)) expect(raw.expr).not.toContain(other);
    }
    // Their generated tests pass: the three SLIs' own tests and their (shared) shape's full suite.
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as { slis: { service: string; sli: string; shape: string }[] };
    const shards = index.slis.filter((s) => s.service === 'sidekiq' && s.sli.startsWith('jobs-'));
    expect(new Set(shards.map((s) => s.shape)).size).toBe(1);
    const results = await testPack(out, {
      jobs: 2,
      changedOnly: false,
      promtoolVersion: promtoolVersion(),
      select: (f) => f.startsWith('slis/sidekiq/jobs-') || f.startsWith(`shapes/${shards[0]!.shape}/`),
    });
    expect(results.map((r) => r.file).filter((f) => f.startsWith('slis/')).sort()).toEqual(SHARDS.map((s) => `slis/sidekiq/jobs-${s}.test.yml`).sort());
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
  }, 300_000);

  it('several placeholders make every combination', () => {
    const { model, problems } = loadModel(
      templated((t) => t.replace(`      shard: [${SHARDS.join(', ')}]`, '      shard: [catchall, urgent]\n      stage: [main, cny]').replace('shard="{shard}"}\n    objective', 'shard="{shard}", stage="{stage}"}\n    objective')),
    );
    expect(problems).toEqual([]);
    expect(model!.services.find((s) => s.name === 'sidekiq')!.slis.map((s) => s.name)).toEqual(['jobs-catchall-main', 'jobs-catchall-cny', 'jobs-urgent-main', 'jobs-urgent-cny', 'job-execution']);
  });

  it('what is wrong is reported once, where the template writes it', () => {
    const text = (change: (t: string) => string) => loadModel(templated(change)).problems.map((p) => formatProblem(p).split('\n')[0]!.replace(/^.*services\//, ''));
    // A value that is no slug, an unused placeholder, a placeholder name that is no name.
    expect(text((t) => t.replace('urgent-cpu-bound', 'Urgent CPU'))).toEqual([expect.stringMatching(/^sidekiq\.yaml:49:25: error: value "Urgent CPU" of shard is not a slug/)]);
    expect(text((t) => t.replace(`      shard: [${SHARDS.join(', ')}]`, `      shard: [${SHARDS.join(', ')}]\n      zone: [a, b]`))).toEqual([expect.stringMatching(/^sidekiq\.yaml:50:7: error: placeholder \{zone\} is used nowhere in the entry/)]);
    // An error inside the template, made three times over by the expansion, is one problem at the template's line.
    const objective = text((t) => t.replace('objective: 99.5', 'objective: 150'));
    expect(objective).toHaveLength(1);
    expect(objective[0]).toMatch(/^sidekiq\.yaml:54:16: error: slis\[0\]\.objective must be < 100/);
    // An entry after the template is named by its place in the file, not among the SLIs it made.
    const after = templated();
    edit(join(after, 'services', 'sidekiq.yaml'), (t) => t.replace('objective: 95', 'objective: 150'));
    expect(loadModel(after).problems.map((p) => p.message)).toEqual(['slis[1].objective must be < 100, found 150']);
    // Two entries that make the same SLI name.
    expect(text((t) => `${t}  - name: jobs-catchall\n    kind: error-ratio\n    total: sidekiq_jobs_total\n    bad: sidekiq_jobs_failed_total\n`)).toEqual([expect.stringMatching(/^sidekiq\.yaml:\d+:\d+: error: SLI "jobs-catchall" is declared twice in service "sidekiq"/)]);
  });

  it('more than 50 SLIs from one entry is refused', () => {
    const many = Array.from({ length: 51 }, (_, i) => `s${i}`).join(', ');
    const { problems } = loadModel(templated((t) => t.replace(`      shard: [${SHARDS.join(', ')}]`, `      shard: [${many}]`)));
    expect(problems.map((p) => p.message)).toEqual([`for_each makes 51 SLIs; one entry may make at most 50`]);
  });
});

describe('or vector(0) after a raw rate', () => {
  it('is dropped: no series without environment and cluster, and the SLI\'s generated tests pass', async () => {
    const catalog = copyCatalog();
    edit(join(catalog, 'services', 'registry.yaml'), (t) =>
      t.concat(`  - name: manifests
    kind: raw
    bad_rate: sum by (env, cluster) (rate(registry_http_requests_total{route="/v2/manifests", code=~"5.."}[$window])) or vector(0)
    total_rate: sum by (env, cluster) (rate(registry_http_requests_total{route="/v2/manifests"}[$window])) or on() vector(0)
    test_series:
      bad: registry_http_requests_total{route="/v2/manifests", code="500"}
      total: registry_http_requests_total{route="/v2/manifests"}
`),
    );
    const { model, problems } = loadModel(catalog);
    expect(problems).toEqual([]);
    const pack = await generatePack(model!);
    const rules = pack.files.get('prometheus/rules/registry.yml')!;
    expect(rules).toContain('route="/v2/manifests"');
    expect(rules).not.toMatch(/vector\(0\)/);
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as { slis: { service: string; sli: string; shape: string }[] };
    const shape = index.slis.find((s) => s.service === 'registry' && s.sli === 'manifests')!.shape;
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === 'slis/registry/manifests.test.yml' || f.startsWith(`shapes/${shape}/`) });
    expect(results.map((r) => r.file)).toContain('slis/registry/manifests.test.yml');
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
  }, 300_000);

  it('only where it is the whole right side of a trailing or', () => {
    expect(withoutOrVectorZero('sum(rate(x[$window])) or vector(0)')).toBe('sum(rate(x[$window]))');
    expect(withoutOrVectorZero('sum(rate(x[$window]))   or  on ( )  vector( 0 )')).toBe('sum(rate(x[$window]))');
    expect(withoutOrVectorZero('sum(rate(x[$window])) or vector(1)')).toBeUndefined();
    expect(withoutOrVectorZero('sum(rate(x[$window])) or on(env) vector(0)')).toBeUndefined();
    expect(withoutOrVectorZero('sum(rate(x[$window])) or sum(rate(y[$window]))')).toBeUndefined();
    expect(withoutOrVectorZero('(sum(rate(x[$window])) or vector(0)) / 2')).toBeUndefined();
  });
});
