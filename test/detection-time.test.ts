/**
 * Measures, with the real promtool, how many minutes after a full outage begins the fastest
 * page fires for a 99.9% SLI, and what the lower-bound branch of the long-window condition
 * buys: the same rules with that branch removed are measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { copyCatalog, scratchDir } from './helpers/catalog.js';
import { fullSuite } from './helpers/full-suite.js';

interface TestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: { name: string; interval: string; input_series: unknown[]; promql_expr_test?: { expr: string; eval_time: string; exp_samples: unknown[] }[] }[];
}

const { model } = loadModel(copyCatalog());
const pack = await generatePack(model!);
const rules = pack.files.get('prometheus/rules/registry.yml')!;
const tests = fullSuite(model!, 'registry') as unknown as TestFile;
const outage = tests.tests.find((t) => t.name.startsWith('registry/requests: full outage'))!;
const alertsCheck = outage.promql_expr_test![0]!;
const outageStart = 60; // minutes of healthy warm-up before the outage, as generated

/** Rules without the lower-bound branch: the long window must be crossed by the derived ratio alone. */
const derivedOnly = rules.replace(/\n {10}or\n {12}# Bad events[^\n]*\n[^\n]*\n {12}\(0\.64 \* sli:events_bad[^\n]*\n/g, '\n');

function firesAt(ruleText: string, minute: number): boolean {
  const dir = scratchDir('slokit-detect-');
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'r.yml'), ruleText);
  const file: TestFile = {
    rule_files: ['rules/r.yml'],
    evaluation_interval: '1m',
    tests: [{ ...outage, promql_expr_test: [{ ...alertsCheck, eval_time: `${outageStart + minute}m` }] }],
  };
  delete (file.tests[0] as { alert_rule_test?: unknown }).alert_rule_test;
  writeFileSync(join(dir, 't.yml'), stringify(file));
  return spawnSync('promtool', ['test', 'rules', 't.yml'], { cwd: dir }).status === 0;
}

function firstMinute(ruleText: string, max = 15): number {
  for (let m = 0; m <= max; m++) if (firesAt(ruleText, m)) return m;
  return Infinity;
}

describe('detection time of the fastest page, full outage at 99.9% (registry/requests)', () => {
  it('pages within 2 minutes, and the lower bound is what makes it that fast', () => {
    expect(derivedOnly).not.toEqual(rules);
    expect(derivedOnly).not.toMatch(/0\.64 \*/);
    const withBound = firstMinute(rules);
    const derived = firstMinute(derivedOnly);
    console.log(`fastest page after a full outage at 99.9%: ${withBound} min with the lower bound, ${derived} min from derived windows alone`);
    expect(withBound).toBeLessThanOrEqual(2);
    expect(derived).toBeGreaterThan(withBound);
    // No page before the outage.
    expect(firesAt(rules, 0)).toBe(false);
  });
});
