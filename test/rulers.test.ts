/**
 * Distributed rulers (out/prometheus/rulers/): each Prometheus records the raw-window rates of
 * its own series, a Mimir or Thanos ruler sums them and evaluates the rest. The union of both
 * halves must pass the very promtool tests of the single-Prometheus rules, and the global sum
 * must add up what several Prometheus servers recorded.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { partsByRulesRead, testFileOver } from '../generators/emit/promtool-tests/rules-read.js';
import { inParallel } from '../generators/in-parallel.js';
import { loadModel } from '../generators/pipeline.js';
import { metricNamesRead } from '../generators/promql/parse.js';
import { promtoolAsync, PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { toYaml } from '../generators/emit/yaml-text.js';
import { isOutageScenario } from './helpers/outage-scenario.js';
import { fullSuite, type SuiteFile } from './helpers/full-suite.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';

interface Rule { record?: string; alert?: string; expr: string; labels?: Record<string, string> }
interface Group { name: string; interval: string; partial_response_strategy?: string; rules: Rule[] }

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);
const services = model.services.map((s) => s.name);
const groupsOf = (path: string) => (parse(pack.files.get(path)!) as { groups: Group[] }).groups;
const isRaw = (name: string) => !name.includes(':');
/**
 * Services whose union runs every generated scenario: a raw SLI and an error-ratio one. The
 * others run the full-outage scenario of each SLI, which covers every kind's raw-window rules,
 * the only rules the split changes (every scenario of every service takes promtool over 6
 * minutes). SLOKIT_RULERS_FULL=1 runs everything.
 */
const FULL = process.env.SLOKIT_RULERS_FULL === '1' ? services : ['postgres', 'redis'];

/** The union of a service's halves, as one Prometheus would load it, next to its unchanged tests. */
function writeUnion(dir: string, service: string, parts: { local: boolean; global: boolean }, outageOnly = false): string {
  const files: string[] = [];
  if (parts.local) {
    writeFileSync(join(dir, `${service}.local.yml`), pack.files.get(`prometheus/rulers/local/${service}.yml`)!);
    files.push(`${service}.local.yml`);
  }
  if (parts.global) {
    // The Mimir file without its namespace is a plain Prometheus rule file.
    const { namespace: _, ...plain } = parse(pack.files.get(`prometheus/rulers/mimir/${service}.yml`)!) as { namespace: string };
    writeFileSync(join(dir, `${service}.global.yml`), toYaml(plain));
    files.push(`${service}.global.yml`);
  }
  const tests: { rule_files: string[]; group_eval_order?: string[]; tests: { name: string }[] } = fullSuite(model, service);
  tests.rule_files = files;
  // The halves' groups are not the single-Prometheus ones: local first (it writes what the global sums), then the global in file order.
  const names = (text: string) => (parse(text) as { groups: { name: string }[] }).groups.map((g) => g.name);
  tests.group_eval_order = [
    ...(parts.local ? names(pack.files.get(`prometheus/rulers/local/${service}.yml`)!) : []),
    ...(parts.global ? names(pack.files.get(`prometheus/rulers/mimir/${service}.yml`)!) : []),
  ];
  if (outageOnly) tests.tests = tests.tests.filter(isOutageScenario);
  // The service's version series too: each Prometheus counts its own instances, the global ruler sums them.
  const versions = pack.files.get(`prometheus/tests/${service}.version.test.yml`);
  if (versions) tests.tests.push(...(parse(versions) as { tests: SuiteFile['tests'] }).tests);
  writeFileSync(join(dir, `${service}.test.yml`), toYaml(tests));
  return `${service}.test.yml`;
}

/**
 * The union's tests in parts, each group against only the rules it reads, as `slokit test` runs
 * a shape's suite (see rules-read.ts): the test files, one per part.
 */
function unionInParts(dir: string, service: string, outageOnly: boolean): string[] {
  const suite = parse(readFileSync(join(dir, writeUnion(dir, service, { local: true, global: true }, outageOnly)), 'utf8')) as SuiteFile;
  const groups = suite.rule_files.flatMap((f) => (parse(readFileSync(join(dir, f), 'utf8')) as { groups: Group[] }).groups);
  return partsByRulesRead(suite.tests, groups).map((part, i) => {
    const rules = `${service}.part-${i}.rules.yml`;
    writeFileSync(join(dir, rules), toYaml({ groups: part.rules }));
    writeFileSync(join(dir, `${service}.part-${i}.test.yml`), toYaml(testFileOver(suite, part.tests, part.rules, rules)));
    return `${service}.part-${i}.test.yml`;
  });
}

describe('rules split between every Prometheus and a global ruler', () => {
  it('local rules read only raw series; global rules read only recorded series', () => {
    for (const service of services) {
      // Saturation groups move whole to the local half (checked below); the rest is the SLO split.
      const isSaturation = (g: { name: string }) => g.name.includes(':saturation');
      const localGroups = groupsOf(`prometheus/rulers/local/${service}.yml`);
      const local = localGroups.filter((g) => !isSaturation(g)).flatMap((g) => g.rules);
      const declared = model.services.find((s) => s.name === service)!;
      expect(local.length).toBe(2 * declared.slis.length + (declared.versionMetric ? 1 : 0));
      for (const r of local) {
        if (r.record === 'service_local:version_instances:count') {
          expect(metricNamesRead(r.expr)).toEqual([declared.versionMetric!.selector.metric]);
          continue;
        }
        expect(r.record).toMatch(/^sli_local:events_(total|bad):rate5m$/);
        // Raw series, and the local total just recorded (the fallback when no bad series exists yet).
        expect(metricNamesRead(r.expr).filter((n) => !isRaw(n) && n !== 'sli_local:events_total:rate5m'), r.expr).toEqual([]);
        expect(metricNamesRead(r.expr).some(isRaw), r.expr).toBe(true);
      }
      const global = groupsOf(`prometheus/rulers/mimir/${service}.yml`).flatMap((g) => g.rules);
      for (const r of global) expect(metricNamesRead(r.expr).filter(isRaw), r.expr).toEqual([]);
      // Every alert is evaluated globally, over every Prometheus' data.
      const singleGroups = groupsOf(`prometheus/rules/${service}.yml`);
      const single = singleGroups.filter((g) => !isSaturation(g)).flatMap((g) => g.rules);
      expect(global.filter((r) => r.alert).length).toBe(single.filter((r) => r.alert).length);
      expect(global.length).toBe(single.length);
      expect(localGroups.filter(isSaturation)).toEqual(singleGroups.filter(isSaturation));
      expect(localGroups.filter(isSaturation).length).toBeGreaterThan(0);
    }
  });

  it('the Mimir and Thanos files hold the same groups; Thanos aborts on partial responses; Mimir has a namespace per service', () => {
    for (const service of services) {
      const mimir = parse(pack.files.get(`prometheus/rulers/mimir/${service}.yml`)!) as { namespace: string; groups: Group[] };
      const thanos = groupsOf(`prometheus/rulers/thanos/${service}.yml`);
      expect(mimir.namespace).toBe(`slokit-${service}`);
      expect(thanos.every((g) => g.partial_response_strategy === 'abort')).toBe(true);
      expect(thanos.map(({ partial_response_strategy: _, ...g }) => g)).toEqual(mimir.groups);
    }
  });

  it('the union of both halves passes the single-Prometheus promtool tests; either half alone fails them', { timeout: 900_000 }, async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const dir = scratchDir();
    const union = services.flatMap((s) => unionInParts(dir, s, !FULL.includes(s)));
    const check = await promtoolAsync(['check', 'rules', ...services.flatMap((s) => [`${s}.local.yml`, `${s}.global.yml`])], dir);
    expect(check.ok, check.output).toBe(true);
    expect(check.output).not.toMatch(/warning/i);
    const results: Awaited<ReturnType<typeof promtoolAsync>>[] = [];
    await inParallel(union.map((f, i) => [f, i] as const), availableParallelism(), async ([f, i]) => void (results[i] = await promtoolAsync(['test', 'rules', f], dir)));
    results.forEach((r, i) => expect(r.ok, `${union[i]}:\n${r.output.slice(-3000)}`).toBe(true));
    expect(results.map((r) => r.output).join('')).toMatch(/SUCCESS/);

    // Teeth: without the local half there are no rates to sum, without the global half no alerts.
    const alone = join(dir, 'alone');
    mkdirSync(alone);
    for (const parts of [{ local: false, global: true }, { local: true, global: false }]) {
      const r = await promtoolAsync(['test', 'rules', writeUnion(alone, 'redis', parts, true)], alone);
      expect(r.ok, JSON.stringify(parts)).toBe(false);
    }
  });

  it('the global sum adds up the rates and version counts several Prometheus servers recorded, whatever labels identify them', async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const dir = scratchDir();
    writeUnion(dir, 'redis', { local: false, global: true });
    const sli = model.services.find((s) => s.name === 'redis')!.slis[0]!.name;
    const id = `service="redis", sli="${sli}", component="redis"`;
    const test = {
      rule_files: ['redis.global.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // Two shards in one cluster, and a replica label the querier did not deduplicate.
            { series: `sli_local:events_total:rate5m{${id}, env="production", cluster="a", prometheus="shard-0"}`, values: '10x10' },
            { series: `sli_local:events_total:rate5m{${id}, env="production", cluster="a", prometheus="shard-1"}`, values: '30x10' },
            { series: `sli_local:events_bad:rate5m{${id}, env="production", cluster="a", prometheus="shard-0"}`, values: '1x10' },
            { series: `sli_local:events_bad:rate5m{${id}, env="production", cluster="a", prometheus="shard-1"}`, values: '3x10' },
            { series: `sli_local:events_total:rate5m{${id}, env="production", cluster="b", prometheus="b"}`, values: '5x10' },
            { series: `sli_local:events_bad:rate5m{${id}, env="production", cluster="b", prometheus="b"}`, values: '0x10' },
            // Instances per version, counted by each shard.
            { series: 'service_local:version_instances:count{service="redis", env="production", cluster="a", version="7.2", prometheus="shard-0"}', values: '2x10' },
            { series: 'service_local:version_instances:count{service="redis", env="production", cluster="a", version="7.2", prometheus="shard-1"}', values: '1x10' },
            { series: 'service_local:version_instances:count{service="redis", env="production", cluster="a", version="7.4", prometheus="shard-1"}', values: '1x10' },
          ],
          promql_expr_test: [
            {
              expr: `sli:events_total:rate5m{service="redis", sli="${sli}"}`,
              eval_time: '5m',
              exp_samples: [
                { labels: `sli:events_total:rate5m{${id}, env="production", cluster="a"}`, value: 40 },
                { labels: `sli:events_total:rate5m{${id}, env="production", cluster="b"}`, value: 5 },
              ],
            },
            {
              expr: `sli:error:ratio_rate5m{service="redis", sli="${sli}"}`,
              eval_time: '5m',
              exp_samples: [
                { labels: `sli:error:ratio_rate5m{${id}, env="production", cluster="a"}`, value: 0.1 },
                { labels: `sli:error:ratio_rate5m{${id}, env="production", cluster="b"}`, value: 0 },
              ],
            },
            {
              expr: 'service:version_instances:count{service="redis"}',
              eval_time: '5m',
              exp_samples: [
                { labels: 'service:version_instances:count{service="redis", env="production", cluster="a", version="7.2"}', value: 3 },
                { labels: 'service:version_instances:count{service="redis", env="production", cluster="a", version="7.4"}', value: 1 },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'sum.test.yml'), stringify(test));
    const r = await promtoolAsync(['test', 'rules', 'sum.test.yml'], dir);
    expect(r.ok, r.output).toBe(true);
  });

  it('is off unless the catalog asks for it', async () => {
    const dir = copyCatalog();
    edit(`${dir}/defaults.yaml`, (t) => t.replace('outputs: [grafana, kubernetes, mixin, mimir, thanos]\n', 'outputs: [grafana, kubernetes, mixin]\n'));
    const p = await generatePack(loadModel(dir).model!);
    expect([...p.files.keys()].filter((f) => f.startsWith('prometheus/rulers/'))).toEqual([]);
    // Local, Mimir and Thanos per service; the journeys have only the global halves (they read recorded series only).
    expect([...pack.files.keys()].filter((f) => f.startsWith('prometheus/rulers/')).length).toBe(3 * services.length + 2);
    expect(readFileSync(`${dir}/defaults.yaml`, 'utf8')).toContain('outputs: [grafana, kubernetes, mixin]\n');
  });
});
