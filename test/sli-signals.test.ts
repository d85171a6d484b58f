/**
 * One SLI, several signals (issue 24, item 4), as GitLab's metrics catalog declares an SLI: a
 * request rate, an error rate over it, and an apdex over a histogram, another metric than the
 * errors'. One `kind: signals` entry makes an errors SLI and an apdex (or latency) SLI that
 * share its other fields; what is wrong is said where the entry writes it, and the SLIs it
 * makes pass their generated tests.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePack } from '../generators/emit/pack.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { formatProblem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';

const ENTRY = `  - name: rails
    kind: signals
    description: Rails requests served by Puma.
    requests: http_requests_total{job="gitlab-rails"}
    errors: http_requests_total{job="gitlab-rails", status=~"5.."}
    apdex:
      histogram: http_request_duration_seconds{job="gitlab-rails"}
      satisfied: 1
      tolerated: 10
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25]
    objectives: { errors: 99.9, apdex: 99 }
    significant_labels: [method, feature_category]
    team: web-platform
    alerting:
      traffic_cessation: false
`;

function withEntry(change: (t: string) => string = (t) => t): string {
  const catalog = copyCatalog();
  edit(join(catalog, 'services', 'web.yaml'), (t) => t + change(ENTRY));
  return catalog;
}

const problemsOf = (catalog: string) => loadModel(catalog).problems.map((p) => formatProblem(p).split('\n').slice(0, 2).join(' | ').replace(/^.*services\//, ''));

describe('kind: signals', () => {
  it('makes an errors SLI over the request counter and an apdex SLI over the histogram, sharing every other field', () => {
    const { model, problems } = loadModel(withEntry());
    expect(problems).toEqual([]);
    const web = model!.services.find((s) => s.name === 'web')!;
    const errors = web.slis.find((s) => s.name === 'rails-errors')!;
    const apdex = web.slis.find((s) => s.name === 'rails-apdex')!;
    expect(errors.kind).toBe('error-ratio');
    expect(errors.objective).toBe(0.999);
    expect(errors.events).toEqual({
      type: 'counters',
      total: [{ metric: 'http_requests_total', matchers: [{ label: 'job', op: '=', value: 'gitlab-rails' }] }],
      bad: [{ metric: 'http_requests_total', matchers: [{ label: 'job', op: '=', value: 'gitlab-rails' }, { label: 'status', op: '=~', value: '5..' }] }],
    });
    expect(apdex.kind).toBe('apdex');
    expect(apdex.objective).toBe(0.99);
    expect(apdex.events).toEqual({ type: 'histogram', parts: [{ histogram: { metric: 'http_request_duration_seconds', matchers: [{ label: 'job', op: '=', value: 'gitlab-rails' }] }, satisfied: 1, tolerated: 10 }] });
    for (const sli of [errors, apdex]) {
      expect(sli.description).toMatch(/^Rails requests served by Puma\. \((errors over all requests|apdex)\)$/);
      expect(sli.significantLabels).toEqual(['method', 'feature_category']);
      expect(sli.team.name).toBe('web-platform');
      expect(sli.cessationAlert).toBe(false);
    }
  });

  it('an apdex block with threshold makes a latency SLI; an entry may have errors or apdex alone', () => {
    const latency = loadModel(withEntry((t) => t.replace('      satisfied: 1\n      tolerated: 10\n', '      threshold: 1\n')));
    expect(latency.problems).toEqual([]);
    expect(latency.model!.services.find((s) => s.name === 'web')!.slis.filter((s) => s.name.startsWith('rails-')).map((s) => `${s.name}:${s.kind}`)).toEqual(['rails-errors:error-ratio', 'rails-latency:latency']);
    const errorsOnly = loadModel(withEntry((t) => t.replace(/ {4}apdex:\n(?: {6}.*\n)+/, '')));
    expect(errorsOnly.problems).toEqual([]);
    expect(errorsOnly.model!.services.find((s) => s.name === 'web')!.slis.filter((s) => s.name.startsWith('rails-')).map((s) => s.name)).toEqual(['rails-errors']);
  });

  it('what is wrong is said where the entry writes it', () => {
    expect(problemsOf(withEntry((t) => t.replace('      satisfied: 1\n', '      satisfied: 0.75\n')))).toEqual([expect.stringMatching(/^web\.yaml:\d+:18: error: satisfied 0\.75s is not a bucket boundary/)]);
    expect(problemsOf(withEntry((t) => t.replace('apdex: 99 }', 'apdex: 199 }')))).toEqual([expect.stringMatching(/^web\.yaml:\d+:40: error: slis\[2\]\.objectives\.apdex must be < 100, found 199/)]);
    expect(problemsOf(withEntry((t) => t.replace('status=~"5.."}', 'status=~"5.."')))).toEqual([expect.stringMatching(/^web\.yaml:\d+:13: error: .*\| .*series selector/)]);
    expect(problemsOf(withEntry((t) => t.replace('    requests: http_requests_total{job="gitlab-rails"}\n', '')))).toEqual([expect.stringMatching(/^web\.yaml:\d+:5: error: errors needs requests/)]);
    expect(problemsOf(withEntry((t) => t.replace('    objectives: { errors: 99.9, apdex: 99 }', '    objectives: { errors: 99.9, latency: 99 }')))).toEqual([expect.stringMatching(/objectives maps errors and apdex to their objectives/)]);
    // A field the entry shares with both SLIs is reported once.
    expect(problemsOf(withEntry((t) => t.replace('    team: web-platform\n', '    teem: web-platform\n')))).toEqual([expect.stringMatching(/^web\.yaml:\d+:5: error: unknown field "teem" .*\| .*did you mean "team"/)]);
  });

  it('the SLIs it makes pass their generated tests', async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const { model } = loadModel(withEntry());
    const pack = await generatePack(model!);
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as TestIndex;
    const entries = index.slis.filter((e) => e.service === 'web' && e.sli.startsWith('rails-'));
    expect(entries.map((e) => e.sli)).toEqual(['rails-errors', 'rails-apdex']);
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => entries.some((e) => f === e.test || f.startsWith(`shapes/${e.shape}/`)) });
    expect(results.filter((r) => r.file.startsWith('slis/')).length).toBe(2);
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
  }, 300_000);
});

describe('a name made too long', () => {
  it('is reported with the name that was made, at the entry', () => {
    const catalog = copyCatalog();
    edit(join(catalog, 'services', 'web.yaml'), (t) => t + ENTRY.replace('  - name: rails\n', '  - name: rails-requests-served-by-puma\n'));
    expect(problemsOf(catalog)).toEqual([
      expect.stringMatching(/^web\.yaml:\d+:11: error: slis\[2\]\.name is too long \("rails-requests-served-by-puma-apdex", 35\): at most 30 characters/),
      expect.stringMatching(/^web\.yaml:\d+:11: error: slis\[2\]\.name is too long \("rails-requests-served-by-puma-errors", 36\): at most 30 characters/),
    ]);
  });
});
