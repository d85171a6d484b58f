/**
 * `slokit test`'s verdict cache (generators/verdict-cache.ts): a promtool run whose inputs, byte
 * for byte, passed before is not run again, in this pack or another; anything else runs, and a
 * failure is never remembered. Proven by taking promtool away: what is cached still passes,
 * what is not cannot.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack, type FileResult } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, keepServices, scratchDir } from './helpers/catalog.js';

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

beforeAll(() => {
  if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
});

async function redisPack(): Promise<string> {
  const catalog = copyCatalog();
  keepServices(catalog, ['redis']);
  const { model } = loadModel(catalog);
  const out = join(scratchDir(), 'out');
  writeOutput(out, (await generatePack(model!)).files);
  return out;
}

const summary = (rs: readonly FileResult[]) => rs.map((r) => `${r.file} ${r.status}${r.cached ? ' cached' : ''}`);

describe('the verdict cache of slokit test', () => {
  it('skips exactly the runs whose inputs passed before, in any pack; runs the rest; never remembers a failure', { timeout: 300_000 }, async () => {
    const [first, second] = [await redisPack(), await redisPack()];
    const cacheDir = join(scratchDir(), 'verdicts');
    const version = promtoolVersion();
    const run = (out: string, select?: (f: string) => boolean, promtool = version) => testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtool, cacheDir, ...(select ? { select } : {}) });

    const cold = await run(first);
    expect(cold.length).toBeGreaterThanOrEqual(5);
    expect(summary(cold)).toEqual(cold.map((r) => `${r.file} passed`));
    const remembered = readdirSync(cacheDir).length;
    expect(remembered).toBeGreaterThanOrEqual(cold.length);

    // Another pack of the same catalog, with promtool gone: every run is a remembered pass.
    process.env.PATH = '/nonexistent';
    const warm = await run(second);
    expect(summary(warm)).toEqual(cold.map((r) => `${r.file} passed cached`));
    expect(warm.every((r) => r.seconds === 0)).toBe(true);

    // Another promtool version remembers nothing: with promtool gone, each run fails.
    const otherVersion = await run(second, (f) => f.endsWith('.saturation.test.yml'), 'promtool, version 9.9.9');
    expect(summary(otherVersion)).toEqual(['redis.saturation.test.yml failed']);
    process.env.PATH = PATH;

    // The shape's suite with the fast page at ten times its threshold: its run has inputs never
    // seen, so promtool runs it, and it fails; failing again, it is run again.
    const shapeTest = cold.find((r) => /^shapes\/[^/]+\/slo\.test\.yml$/.test(r.file))!.file;
    const rules = join(second, 'prometheus', 'tests', shapeTest.replace('slo.test.yml', 'rules.yml'));
    const text = readFileSync(rules, 'utf8');
    const broken = text.replace(/(alert: SlokitErrorBudgetBurnFast\n\s+expr: \|-\n\s+\(sli:error:ratio_rate5m\{[^}]*\} > )0\.0144/, '$10.144');
    expect(broken).not.toBe(text);
    writeFileSync(rules, broken);
    // (The suite runs in parts by the rules each reads: parts the change leaves passing are remembered.)
    const onShape = (f: string) => f === shapeTest;
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await run(second, onShape);
      expect(summary(r)).toEqual([`${shapeTest} failed`]);
      expect(r.find((x) => x.file === shapeTest)!.failures.some((f) => /SlokitErrorBudgetBurnFast/.test(f.reason))).toBe(true);
      counts.push(readdirSync(cacheDir).length);
    }
    expect(counts[1]).toBe(counts[0]);
    expect(counts[0]).toBeGreaterThanOrEqual(remembered);

    // Put back, it is a remembered pass again.
    writeFileSync(rules, text);
    process.env.PATH = '/nonexistent';
    expect(summary(await run(second, onShape))).toEqual([`${shapeTest} passed cached`]);
  });
});
