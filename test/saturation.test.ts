/**
 * Saturation resources: the bundled catalog declares them for every service, and each becomes a
 * recording rule, three alerts, promtool tests (which really fail when a rule is wrong), a
 * dashboard panel and runbook sections; catalog mistakes are located errors.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAsync, promtoolAvailable } from '../generators/promtool.js';
import { formatProblem } from '../generators/validate/problems.js';
import { cli, copyCatalog, keepServices, edit, scratchDir } from './helpers/catalog.js';

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);

type Rule = { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const rulesOf = (service: string) => (parse(pack.files.get(`prometheus/rules/${service}.yml`)!) as { groups: { name: string; rules: Rule[] }[] }).groups;

describe('saturation in the bundled catalog', () => {
  it('every service declares saturation resources, each with a recording rule and three alerts', () => {
    for (const s of model.services) {
      expect(s.saturation.length, s.name).toBeGreaterThan(0);
      const rules = rulesOf(s.name).filter((g) => g.name.startsWith(`slokit:${s.name}:saturation`)).flatMap((g) => g.rules);
      for (const r of s.saturation) {
        const mine = rules.filter((x) => x.labels?.resource === r.name);
        expect(mine.filter((x) => x.record === 'saturation:utilisation:ratio'), `${s.name} ${r.name}`).toHaveLength(1);
        expect(mine.filter((x) => x.alert).map((x) => x.alert).sort()).toEqual(['SlokitCapacityForecast', 'SlokitSaturationCritical', 'SlokitSaturationHigh']);
        const record = mine.find((x) => x.record)!;
        expect(record.expr).toMatch(/^clamp\(\n {2}max by \(env, cluster\) \(/);
        expect(record.expr).toContain(r.usage.metric);
        const high = mine.find((x) => x.alert === 'SlokitSaturationHigh')!;
        expect(high.expr).toBe(`saturation:utilisation:ratio{service="${s.name}", resource="${r.name}"} > ${r.soft}`);
        expect(high.for).toBe('30m');
        const page = mine.find((x) => x.alert === 'SlokitSaturationCritical')!;
        expect(page.labels!.severity).toBe(s.pages ? 'critical' : 'warning');
        expect(page.expr).toMatch(new RegExp(`> ${r.hard}$`));
        const forecast = mine.find((x) => x.alert === 'SlokitCapacityForecast')!;
        expect(forecast.expr).toContain(`predict_linear(saturation:utilisation:ratio{service="${s.name}", resource="${r.name}"}[1w], ${r.forecast.seconds}) > ${r.hard}`);
        expect(forecast.annotations!.runbook_url).toMatch(new RegExp(`/${s.name}\\.md#saturation-${r.name}-forecast$`));
      }
    }
  });

  it('catalog overrides win over the library: gitaly warns earlier on disk, postgres forecasts its disk 28 days out', () => {
    const gitalyDisk = model.services.find((s) => s.name === 'gitaly')!.saturation.find((r) => r.name === 'node-disk')!;
    expect([gitalyDisk.soft, gitalyDisk.hard]).toEqual([0.75, 0.9]);
    expect(model.services.find((s) => s.name === 'postgres')!.saturation.find((r) => r.name === 'node-disk')!.forecast.text).toBe('28d');
  });

  it('dashboards get a saturation row with a panel per resource; runbooks a section per alert', () => {
    for (const s of model.services) {
      const d = JSON.parse(pack.files.get(`grafana/dashboards/${s.name}.json`)!) as { panels: { type: string; title: string; targets?: { expr: string }[]; fieldConfig?: { defaults: { unit: string; max?: number } } }[] };
      const row = d.panels.findIndex((p) => p.type === 'row' && p.title === 'Saturation');
      expect(row, s.name).toBeGreaterThan(0);
      const panels = d.panels.slice(row + 1, row + 1 + s.saturation.length);
      expect(panels.map((p) => p.title)).toEqual(s.saturation.map((r) => `${r.title} (${r.name})`));
      for (const p of panels) {
        expect(p.fieldConfig!.defaults.unit).toBe('percentunit');
        expect(p.targets![1]!.expr).toMatch(/^clamp\(predict_linear\(saturation:utilisation:ratio\{/);
      }
      const runbook = pack.files.get(`runbooks/${s.name}.md`)!;
      for (const r of s.saturation) {
        for (const level of ['high', 'critical', 'forecast']) expect(runbook).toContain(`### saturation ${r.name} ${level}\n`);
      }
      expect(runbook).toContain('#### Add capacity');
    }
  });

  it('the saturation tests of every service cover each resource with a levels and a forecast scenario', () => {
    for (const s of model.services) {
      const tests = parse(pack.files.get(`prometheus/tests/${s.name}.saturation.test.yml`)!) as { evaluation_interval: string; group_eval_order: string[]; tests: { name: string }[] };
      expect(tests.evaluation_interval).toBe('10m');
      expect(tests.group_eval_order).toEqual(rulesOf(s.name).map((g) => g.name));
      expect(tests.tests).toHaveLength(2 * s.saturation.length);
    }
  });
});

describe('saturation tests can fail', () => {
  it('a wrong soft threshold or a broken forecast in the rules makes promtool fail', { timeout: 120_000 }, async () => {
    if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
    const catalog = copyCatalog();
    keepServices(catalog, ['redis']);
    rmSync(join(catalog, 'scales'), { recursive: true });
    // A title that looks like a template: the alert must show it as written (promtool compares exactly).
    edit(join(catalog, 'services', 'redis.yaml'), (t) => t.replace('  - resource: redis-memory\n', '  - resource: redis-memory\n    title: \'Memory {{ $value }} "used" | {{ .Labels }}\'\n'));
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const rules = join(out, 'prometheus', 'rules', 'redis.yml');
    const good = readFileSync(rules, 'utf8');
    const summaries = (parse(good) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.alert && r.labels?.resource === 'redis-memory').map((r) => r.annotations!.summary);
    expect(summaries[0]).toBe('Saturation of Memory {{ "{{" }} $value }} "used" | {{ "{{" }} .Labels }} in redis is above its soft threshold of 80%.');
    const run = () => promtoolAsync(['test', 'rules', 'redis.saturation.test.yml'], join(out, 'prometheus', 'tests'));
    const ok = await run();
    expect(ok.code, ok.output).toBe(0);
    writeFileSync(rules, good.replace('resource="redis-memory"} > 0.8', 'resource="redis-memory"} > 0.9'));
    const wrongSoft = await run();
    expect(wrongSoft.code).toBe(1);
    expect(wrongSoft.output).toMatch(/redis saturation redis-memory: worst instance/);
    writeFileSync(rules, good.replace(/offset 1d\)/g, 'offset 1h)'));
    const earlyForecast = await run();
    expect(earlyForecast.code).toBe(1);
    expect(earlyForecast.output).toMatch(/alertname: SlokitCapacityForecast, time: 23h50m/);
  });
});

describe('saturation mistakes are located errors', () => {
  it('an unknown resource, soft above hard, a custom resource without capacity, a bad selector', () => {
    const catalog = copyCatalog();
    edit(join(catalog, 'services', 'redis.yaml'), (t) =>
      t.replace(
        '  - resource: redis-clients\n    selector: job="redis"\n',
        '  - resource: redis-client\n  - resource: open-fds\n    soft: 0.95\n  - name: my-pool\n    usage: pool_in_use\n    soft: 0.5\n    hard: 0.8\n  - resource: node-cpu\n    selector: job=redis\n',
      ),
    );
    const problems = loadModel(catalog).problems.map(formatProblem).join('\n');
    expect(problems).toMatch(/redis\.yaml:\d+:\d+: error: resource "redis-client" is not a bundled or catalog resource\n {2}fix: did you mean "redis-clients"\?/);
    expect(problems).toMatch(/redis\.yaml:\d+:\d+: error: soft threshold 0\.95 must be below the hard threshold 0\.9/);
    expect(problems).toMatch(/redis\.yaml:\d+:\d+: error: resource "my-pool" has no capacity\n {2}fix: a custom resource needs usage, capacity, soft and hard/);
    expect(problems).toMatch(/redis\.yaml:\d+:\d+: error: selector does not parse/);
  });
});
