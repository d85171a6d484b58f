/**
 * Each boundary where catalog text leaves slokit, attacked on purpose: PromQL, YAML and JSON
 * output, file paths, and the size of what it is asked to read. (Markdown, HTML and Go
 * templates: runbooks.test.ts; every boundary at once, at random: random-catalogs.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { MAX_SERVICE_FILES } from '../generators/load/catalog-files.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { unquotedStrings } from '../generators/promql/parse.js';
import { OutputError, OutputWriter } from '../generators/write/output-dir.js';
import { cli, copyCatalog, edit, scratchDir } from './helpers/catalog.js';

const svc = (dir: string, name: string) => join(dir, 'services', `${name}.yaml`);

/** The node types of a PromQL expression in order: its structure, whatever its strings say. */
function shape(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({ enter: (n) => void names.push(n.name) });
  return names;
}

function ruleExprs(rulesYaml: string): string[] {
  const doc = parse(rulesYaml) as { groups: { rules: { expr: string }[] }[] };
  return doc.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

async function packWith(change: (dir: string) => void) {
  const dir = copyCatalog();
  change(dir);
  const { model, problems } = loadModel(dir);
  expect(problems.map((p) => p.message)).toEqual([]);
  return generatePack(model!);
}

describe('PromQL boundary', () => {
  it('a label value cannot change the structure of any generated query', async () => {
    const hostile = String.raw`"} or vector(1) or up{x="\\" # ${'$'}window [5m] ) by (le` + '\u2028\u0001\u00e9';
    const withValue = (value: string) =>
      packWith((d) => edit(svc(d, 'registry'), (t) => t.replace('bad: registry_http_requests_total{code=~"5.."}', `bad: ${JSON.stringify(`registry_http_requests_total{code=~"5..", route!=${JSON.stringify(value)}}`)}`)));
    const benign = ruleExprs((await withValue('plain')).files.get('prometheus/rules/registry.yml')!);
    const attacked = ruleExprs((await withValue(hostile)).files.get('prometheus/rules/registry.yml')!);
    expect(attacked.length).toBe(benign.length);
    let carrying = 0;
    attacked.forEach((expr, i) => {
      expect(shape(expr), expr).toEqual(shape(benign[i]!));
      if (expr.includes('route!=')) {
        carrying++;
        // Written back as a PromQL string that means exactly the catalog's value.
        expect(unquotedStrings(expr)).toContain(hostile);
      }
    });
    expect(carrying).toBeGreaterThan(0);
    // And Prometheus reads it.
    if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
    const dir = scratchDir();
    writeFileSync(join(dir, 'registry.yml'), (await withValue(hostile)).files.get('prometheus/rules/registry.yml')!);
    const check = spawnSync('promtool', ['check', 'rules', 'registry.yml'], { cwd: dir, encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it('a label value holding U+FFFD, which no escaping gets through a Prometheus rule evaluation, is refused where it is written', () => {
    const dir = copyCatalog();
    edit(svc(dir, 'registry'), (t) => t.replace('bad: registry_http_requests_total{code=~"5.."}', 'bad: "registry_http_requests_total{code=~\\"5..\\", route=\\"a\\ufffdb\\"}"'));
    const { problems } = loadModel(dir);
    expect(problems.map((p) => `${p.file.replace(/.*\//, '')}:${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^registry\.yaml:\d+: .*the value of route holds U\+FFFD, which Prometheus cannot evaluate in a rule/),
    ]);
    expect(problems[0]!.hint).toMatch(/regular expression that leaves the character out/);
  });

  it('an expression where a selector belongs, or a selector with a function in it, is refused, not pasted', () => {
    for (const bad of ['registry_http_requests_total or vector(1)', 'rate(registry_http_requests_total[5m])', 'registry_http_requests_total{code=~"5.."} offset 1h']) {
      const dir = copyCatalog();
      edit(svc(dir, 'registry'), (t) => t.replace('total: registry_http_requests_total\n', `total: ${bad}\n`));
      const { model, problems } = loadModel(dir);
      expect(model, bad).toBeUndefined();
      expect(problems.some((p) => p.file.endsWith('registry.yaml') && /selector/.test(p.message)), bad).toBe(true);
    }
  });
});

describe('YAML and JSON boundary', () => {
  const injection = 'x"\n  injected: true\n---\nkind: Secret\n{"injected": 1} \\u0000 \u2028 # no comment';

  it('catalog text becomes one value: no new keys, no second document, and it reads back exactly', async () => {
    const pack = await packWith((d) => {
      edit(join(d, 'teams.yaml'), (t) => t.replace('pager: package-oncall', `pager: ${JSON.stringify(injection)}`));
      edit(svc(d, 'registry'), (t) => t.replace(/^description: .*$/m, `description: ${JSON.stringify(injection)}`));
    });
    let sawValue = 0;
    const values = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(values) : v && typeof v === 'object' ? Object.values(v).flatMap(values) : [v]);
    const keys = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(keys) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
    for (const [path, text] of pack.files) {
      let data: unknown;
      if (/\.ya?ml$/.test(path)) {
        const docs = parseAllDocuments(text);
        expect(Array.isArray(docs) ? docs.length : 1, path).toBe(1);
        data = parse(text);
        // Dashboards inside ConfigMaps are JSON in a YAML string: check them too.
        const configMapData = (data as { kind?: string; data?: Record<string, string> }).kind === 'ConfigMap' ? Object.values((data as { data: Record<string, string> }).data) : [];
        for (const v of configMapData) expect(keys(JSON.parse(v)), path).not.toContain('injected');
      } else if (path.endsWith('.json')) data = JSON.parse(text);
      else continue;
      expect(keys(data), path).not.toContain('injected');
      expect(keys(data), path).not.toContain('kind: Secret');
      sawValue += values(data).filter((v) => typeof v === 'string' && v.includes(injection)).length;
    }
    // The Alertmanager config or the dashboards carry the text verbatim somewhere.
    expect(sawValue).toBeGreaterThan(0);
  });
});

describe('file boundary', () => {
  it('the writer refuses any path that could leave out/ or touch its state', () => {
    const out = join(scratchDir(), 'out');
    const w = new OutputWriter(out);
    try {
      for (const bad of ['../x.yml', '/etc/passwd', 'a/../../x', 'a/./b', 'a//b', 'a\\b', 'nul\0.yml', '.slokit/current', '', 'a/']) {
        expect(() => w.add(bad, 'x'), JSON.stringify(bad)).toThrow(OutputError);
      }
      w.add('prometheus/rules/fine.yml', 'x');
      expect(() => w.add('prometheus/rules/fine.yml', 'y')).toThrow(/two generators wrote/);
    } finally {
      w.abort();
    }
  });

  it('service names that would be paths, reserved names, or non-ASCII are refused at validation', () => {
    for (const bad of ['../etc', '/abs', 'a/b', 'con', 'slo-overview', 'upgrades', 'Web', 'wéb', 'a--b', '-a']) {
      const dir = copyCatalog();
      edit(svc(dir, 'redis'), (t) => t.replace(/^name: redis$/m, `name: ${JSON.stringify(bad)}`));
      const { model, problems } = loadModel(dir);
      expect(model, bad).toBeUndefined();
      const atName = problems.filter((p) => p.file.endsWith('redis.yaml') && p.line === 2).map((p) => p.message);
      expect(atName, bad).toContainEqual(expect.stringMatching(/^name has an invalid value|^service name ".*" is reserved/));
    }
  });
});

describe('size limits', () => {
  it('100,000 SLIs in one service: a located size error, nothing written, no crash', () => {
    const dir = copyCatalog();
    const sli = (i: number) => `  - {name: s${i}, kind: error-ratio, bad: 'x_total{code="5"}', total: x_total}\n`;
    writeFileSync(svc(dir, 'redis'), `name: redis\ndescription: d\nteam: data-stores\ntier: 2\nslis:\n${Array.from({ length: 100_000 }, (_, i) => sli(i)).join('')}`);
    const out = join(scratchDir(), 'out');
    const r = cli(['generate', '--catalog', dir, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/redis\.yaml:1:1: error: file is \d+ bytes; the limit is 1048576/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('101 SLIs that fit in the file: the schema says at most 100, at the slis key', () => {
    const dir = copyCatalog();
    const sli = (i: number) => `  - {name: s${i}, kind: error-ratio, bad: 'x_total{code="5"}', total: x_total}\n`;
    writeFileSync(svc(dir, 'redis'), `name: redis\ndescription: d\nteam: data-stores\ntier: 2\nslis:\n${Array.from({ length: 101 }, (_, i) => sli(i)).join('')}`);
    const { model, problems } = loadModel(dir);
    expect(model).toBeUndefined();
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual(['5: slis has 101 entries; at most 100 are allowed']);
  });

  it(`more than ${MAX_SERVICE_FILES} service files: one clear error instead of minutes of work`, () => {
    const dir = copyCatalog();
    mkdirSync(join(dir, 'services'), { recursive: true });
    for (let i = 0; i <= MAX_SERVICE_FILES; i++) writeFileSync(join(dir, 'services', `s${i}.yaml`), '');
    const { model, problems } = loadModel(dir);
    expect(model).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(`services/ holds ${MAX_SERVICE_FILES + 9} files; the limit is ${MAX_SERVICE_FILES}`);
  });
});
