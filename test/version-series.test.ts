/**
 * The recorded version series (service:version_instances:count), which the upgrade watch reads
 * for every service through one repeated row: one rule per service that knows its version
 * metric, the version under one label name whatever the metric calls it, and generated promtool
 * tests (a rolling upgrade, a series the selector does not pick) that fail when the rule is wrong.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAsync, promtoolAvailable } from '../generators/promtool.js';
import { formatProblem } from '../generators/validate/problems.js';
import { cli, copyCatalog, keepServices, edit, scratchDir } from './helpers/catalog.js';

type Rule = { record?: string; expr: string; labels?: Record<string, string> };
const versionRule = (text: string) =>
  (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.record === 'service:version_instances:count');

describe('the recorded version series', () => {
  it('is recorded under one label name and tested by a rolling upgrade; a wrong rule fails its promtool test', { timeout: 120_000 }, async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const catalog = copyCatalog();
    // web alone: generating the rest would prove nothing more here.
    keepServices(catalog, ['web']);
    rmSync(join(catalog, 'scales'), { recursive: true });
    edit(join(catalog, 'services', 'web.yaml'), (t) => t.replace('dependencies: [postgres, redis, gitaly]\n', ''));
    // The version in a label of another name, a selector that picks two jobs by RE2 regex, and only 17.x versions.
    edit(join(catalog, 'services', 'web.yaml'), (t) =>
      t.replace('  selector: gitlab_build_info{job="gitlab-rails"}\n  label: version\n', '  selector: gitlab_build_info{job=~"gitlab-(rails|puma)", gitlab_version=~"17\\\\..+"}\n  label: gitlab_version\n'),
    );
    const out = join(scratchDir(), 'out');
    const generated = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(generated.code, generated.stderr).toBe(0);
    const model = loadModel(catalog).model!;
    const tests = join(out, 'prometheus', 'tests');
    const rulesFile = join(out, 'prometheus', 'rules', 'web.yml');
    const good = readFileSync(rulesFile, 'utf8');
    const [rule] = versionRule(good);
    expect(rule).toEqual({
      record: 'service:version_instances:count',
      expr: 'count by (env, cluster, version) (label_replace(gitlab_build_info{job=~"gitlab-(rails|puma)", gitlab_version=~"17\\\\..+"}, "version", "$1", "gitlab_version", "(.*)"))',
      labels: { service: 'web' },
    });
    // Every service that knows its version metric has the rule and a test file; the others neither.
    for (const s of model.services) {
      expect(versionRule(readFileSync(join(out, 'prometheus', 'rules', `${s.name}.yml`), 'utf8')).length, s.name).toBe(s.versionMetric ? 1 : 0);
    }
    const testText = readFileSync(join(tests, 'web.version.test.yml'), 'utf8');
    // The series the regex leaves out (another job) is fed, with the version in gitlab_version.
    expect(testText).toMatch(/gitlab_build_info\{cluster="main", env="production", gitlab_version="17\.[^"]+", instance="i-other", job="[^"]+"\}/);
    // Two versions the regex accepts, one rolling to the other.
    expect(testText).toMatch(/a rolling upgrade from 17\.\S+ to 17\.\S+,/);
    const run = () => promtoolAsync(['test', 'rules', 'web.version.test.yml'], tests);
    const ok = await run();
    expect(ok.code, ok.output).toBe(0);
    // Teeth: each wrong rule fails the generated test.
    const mutants: [string, string][] = [
      ['the version read from the wrong label', good.replace('"gitlab_version", "(.*)"', '"version", "(.*)"')],
      ['the selector dropped', good.replace(/label_replace\(gitlab_build_info\{[^}]*\}/, 'label_replace(gitlab_build_info')],
      ['the environment aggregated away', good.replace('count by (env, cluster, version) (label_replace', 'count by (cluster, version) (label_replace')],
      ['instances summed instead of counted', good.replace('count by (env, cluster, version) (label_replace', 'sum by (env, cluster, version) (2 * label_replace')],
    ];
    for (const [what, text] of mutants) {
      expect(text, what).not.toBe(good);
      writeFileSync(rulesFile, text);
      const r = await run();
      expect(r.code, `${what}: ${r.output}`).toBe(1);
      expect(r.output, what).toMatch(/FAILED[\s\S]*expr: "service:version_instances:count/);
    }
    // `slokit test` runs them with the service's other files: test/cli.test.ts and test/promtool-pack.test.ts.
  });

  it('gets passing tests for version selectors written as teams write them: RE2-only regexes, negations, a pinned version', { timeout: 120_000 }, async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const catalog = copyCatalog();
    keepServices(catalog, ['web']);
    rmSync(join(catalog, 'scales'), { recursive: true });
    const web = readFileSync(join(catalog, 'services', 'web.yaml'), 'utf8').replace('dependencies: [postgres, redis, gitaly]\n', '');
    rmSync(join(catalog, 'services', 'web.yaml'));
    const selectors: [string, string][] = [
      ['build_info{job=~"(?i)GITLAB-.*", version!~"(?i)rc.*"}', 'version'],
      ['build_info{app="gitaly", git_version=~"[[:digit:]]+\\\\.[[:digit:]]+"}', 'git_version'],
      ['build_info{instance!="", version="17.1.0"}', 'version'],
      ['build_info{job="web", release=~"v[0-9]+\\\\.[0-9]+", release!="v1.0"}', 'release'],
      ['build_info{job="web", instance=~"i-.*"}', 'version'],
    ];
    selectors.forEach(([selector, label], i) => {
      const text = web.replace(/^name: web$/m, `name: web-${i}`).replace('  selector: gitlab_build_info{job="gitlab-rails"}\n  label: version\n', `  selector: '${selector}'\n  label: ${label}\n`);
      writeFileSync(join(catalog, 'services', `web-${i}.yaml`), text);
    });
    const out = join(scratchDir(), 'out');
    const generated = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(generated.code, generated.stderr).toBe(0);
    const tests = join(out, 'prometheus', 'tests');
    for (let i = 0; i < selectors.length; i++) {
      const r = await promtoolAsync(['test', 'rules', `web-${i}.version.test.yml`], tests);
      expect(r.code, `${selectors[i]![0]}: ${r.output}`).toBe(0);
    }
    // The pinned version rolls to itself: three instances counted under 17.1.0 throughout.
    expect(readFileSync(join(tests, 'web-2.version.test.yml'), 'utf8')).toMatch(/a rolling upgrade from 17\.1\.0 to 17\.1\.0/);
  });

  it('an environment or cluster label that slokit writes itself is a located error', () => {
    const catalog = copyCatalog();
    edit(join(catalog, 'defaults.yaml'), (t) => t.replace(/environment: \S+/, 'environment: version'));
    const { model, problems } = loadModel(catalog);
    expect(model).toBeUndefined();
    const text = problems.map(formatProblem).join('\n');
    expect(text).toMatch(/defaults\.yaml:\d+:\d+: .*the environment label cannot be "version": slokit writes that label/);
  });
});
