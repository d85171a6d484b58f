/**
 * Each test group against only the rules it reads (rules-read.ts): the cut keeps what a check
 * reads and everything that feeds it, every rule of a shape is read by some check of its suite,
 * and `slokit test` running a shape's suite in parts gives the verdicts promtool gives the whole
 * file, failure for failure, when the rules are wrong.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { lastCheckSeconds, namesChecked, partsByRulesRead, rulesRead } from '../generators/emit/promtool-tests/rules-read.js';
import type { GroupObject } from '../generators/emit/promtool-tests/rule-slice.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { readFailures, testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { BUNDLED_CATALOG, scratchDir } from './helpers/catalog.js';

interface TestGroup {
  name: string;
  alert_rule_test?: { alertname: string; eval_time: string }[];
  promql_expr_test?: { expr: string; eval_time: string }[];
}

const names = (groups: readonly GroupObject[]) => groups.map((g) => `${g.name}: ${g.rules.map((r) => r.record ?? r.alert).join(' ')}`);

describe('rulesRead', () => {
  const groups: GroupObject[] = [
    { name: 'fast', interval: '1m', rules: [{ record: 'a', expr: 'sum(raw)' }, { record: 'b', expr: 'a * 2' }, { record: 'unread', expr: 'sum(other)' }, { alert: 'A', expr: 'b > 1' }] },
    { name: 'slow', interval: '5m', rules: [{ record: 'c', expr: 'avg_over_time(b[1h])' }, { alert: 'C', expr: 'c > 1 and on() a > 0' }] },
    { name: 'meta', interval: '1m', rules: [{ record: 'firing', expr: 'count(ALERTS)' }] },
  ];

  it('keeps what a check names and everything that feeds it, in its groups and order', () => {
    expect(names(rulesRead(groups, ['A']))).toEqual(['fast: a b A']);
    expect(names(rulesRead(groups, ['C']))).toEqual(['fast: a b', 'slow: c C']);
    expect(names(rulesRead(groups, ['raw', 'nothing-recorded']))).toEqual([]);
    // Reading ALERTS reads every alert.
    expect(names(rulesRead(groups, ['firing']))).toEqual(['fast: a b A', 'slow: c C', 'meta: firing']);
  });

  it('reads what alert and expression checks name', () => {
    expect(namesChecked({ alert_rule_test: [{ alertname: 'A' }], promql_expr_test: [{ expr: 'c / on() group_left sum(a)' }] })).toEqual(['A', 'c', 'a']);
  });

  it('puts the groups that read the same rules together, in order of first appearance', () => {
    const tests = [
      { name: '1', alert_rule_test: [{ alertname: 'C' }] },
      { name: '2', alert_rule_test: [{ alertname: 'A' }] },
      { name: '3', promql_expr_test: [{ expr: 'c > bool 0' }] },
      { name: '4', promql_expr_test: [{ expr: 'ALERTS{alertname="C"}' }] },
    ];
    const parts = partsByRulesRead(tests, groups).map((p) => ({ tests: p.tests.map((t) => t.name), rules: names(p.rules) }));
    expect(parts).toEqual([
      { tests: ['1'], rules: ['fast: a b', 'slow: c C'] },
      { tests: ['2'], rules: ['fast: a b A'] },
      { tests: ['3'], rules: ['fast: a b', 'slow: c'] },
      { tests: ['4'], rules: ['fast: a b A', 'slow: c C'] },
    ]);
  });
});

describe('a shape suite run in parts', () => {
  it("cuts the long scenarios' rules, leaves no rule unread, and gives the whole file's verdicts, failure for failure, on broken rules", { timeout: 600_000 }, async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const { model } = loadModel(BUNDLED_CATALOG);
    const pack = await generatePack(model!);
    const out = join(scratchDir('slokit-parts-'), 'out');
    writeOutput(out, pack.files);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as TestIndex;
    const id = index.slis.find((e) => e.service === 'registry' && e.sli === 'requests')!.shape;
    const dir = join(out, 'prometheus', 'tests', 'shapes', id);
    const rules = (parse(readFileSync(join(dir, 'rules.yml'), 'utf8')) as { groups: GroupObject[] }).groups;
    const suite = parse(readFileSync(join(dir, 'slo.test.yml'), 'utf8')) as { tests: TestGroup[] };

    // The scenario that waits 6h before a burn reads no 1d, 3d or 30d window; every rule is read by some check.
    const parts = partsByRulesRead(suite.tests, rules);
    expect(parts.length).toBeGreaterThan(2);
    const long = parts.find((p) => p.tests.some((t) => /6h healthy/.test(t.name)))!;
    expect(names(long.rules).join(' ')).not.toMatch(/rate(1d|3d|30d)\b/);
    const read = new Set(suite.tests.flatMap((t) => rulesRead(rules, namesChecked(t)).flatMap((g) => g.rules.map((r) => r.record ?? r.alert))));
    expect(rules.flatMap((g) => g.rules.map((r) => r.record ?? r.alert)).filter((n) => !read.has(n))).toEqual([]);

    // Break the 6h ratio, which some scenarios read and others do not, and run the scenarios of
    // up to two hours (the longer ones would only make this slower) as one file and in parts.
    const short = suite.tests.filter((t) => lastCheckSeconds(t) <= 7200);
    writeFileSync(join(dir, 'slo.test.yml'), stringify({ ...suite, tests: short }));
    const broken = rules.map((g) => ({ ...g, rules: g.rules.map((r) => (r.record === 'sli:error:ratio_rate6h' ? { ...r, expr: `3 * (${r.expr})` } : r)) }));
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups: broken }));

    const scenario = (group: string) => group.replace(/^shape [^:]*: /, '').replace(/^[^:]*: /, '');
    const r = spawnSync('promtool', ['test', 'rules', 'slo.test.yml'], { cwd: dir, encoding: 'utf8' });
    const whole = readFailures(`${r.stdout}${r.stderr}`, readFileSync(join(dir, 'slo.test.yml'), 'utf8')).map((f) => `${scenario(f.group)}: ${f.reason}`);
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === `shapes/${id}/slo.test.yml` });
    const inParts = results.flatMap((x) => x.failures.map((f) => `${scenario(f.group)}: ${f.reason}`));

    // Some scenarios fail and some pass: the break reaches only the groups that read the 6h ratio.
    const failing = new Set(readFailures(`${r.stdout}${r.stderr}`, readFileSync(join(dir, 'slo.test.yml'), 'utf8')).map((f) => f.group));
    expect(failing.size).toBeGreaterThan(0);
    expect(failing.size).toBeLessThan(short.length);
    expect([...inParts].sort()).toEqual([...whole].sort());
    // One result for the file, with all its groups.
    expect(results.map((x) => [x.file, x.status, x.groups])).toEqual([[`shapes/${id}/slo.test.yml`, 'failed', short.length]]);
  });
});
