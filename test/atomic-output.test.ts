/**
 * `generate` killed with SIGKILL at random moments leaves out/ holding the old pack or the new
 * one, byte for byte, never a mix, and never loses a file slokit did not write.
 * SLOKIT_KILL_RUNS sets the number of kills (default 30); the seed is printed on failure.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cli, copyCatalog, keepServices, edit, scratchDir } from './helpers/catalog.js';
import { packTree } from './helpers/pack-tree.js';

const KILLS = Number(process.env.SLOKIT_KILL_RUNS ?? 30);
const SEED = Number(process.env.SLOKIT_KILL_SEED ?? 20261127);
/** Files the user keeps inside a generated folder: the swap has to carry them, which widens the commit. */
const FOREIGN = 1500;

function keepOnly(catalog: string, services: readonly string[]): string {
  keepServices(catalog, services);
  return catalog;
}

/** mulberry32: small, seeded, good enough to spread kill times. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs generate and SIGKILLs it after `delayMs`; resolves with whether it finished first. */
function generateKilledAfter(catalog: string, out: string, delayMs: number): Promise<{ finished: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const p = spawn(process.execPath, [CLI, 'generate', '--catalog', catalog, '--out', out], { stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ finished: signal === null && code === 0, ms: performance.now() - started });
    });
  });
}

/**
 * The spare pack the next run patches (out/.slokit/spare) must hold exactly what its manifest
 * says, plus the user's files it lists beside it: a run that trusted a spare that disagrees
 * would commit a pack whose files are not its manifest's.
 */
function expectSpareMatchesItsManifest(out: string, context: string): void {
  const spare = join(out, '.slokit', 'spare');
  if (!existsSync(spare)) return;
  const manifest = JSON.parse(readFileSync(join(spare, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
  const extras = JSON.parse(readFileSync(join(spare, '.extras.json'), 'utf8')) as string[];
  const tree = packTree(spare);
  delete tree['.extras.json'];
  delete tree['manifest.json'];
  expect(Object.keys(tree).sort(), context).toEqual([...manifest.files.map((f) => f.path), ...extras].sort());
  for (const f of manifest.files) expect(createHash('sha256').update(tree[f.path]!).digest('hex'), `${context}: ${f.path}`).toBe(f.sha256);
}

function withoutForeign(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([p]) => !p.startsWith('grafana/local/') && p !== 'NOTES.txt'));
}

describe('atomic output', () => {
  it(`SIGKILL at ${KILLS} random moments leaves the old pack or the new one, whole, and every foreign file`, async () => {
    const a = keepOnly(copyCatalog(), ['redis', 'postgres', 'registry']);
    const b = keepOnly(copyCatalog(), ['redis', 'postgres']);
    edit(join(b, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.95'));
    const packs = [a, b].map((catalog) => {
      const out = join(scratchDir(), 'out');
      const r = cli(['generate', '--catalog', catalog, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      return packTree(out);
    });
    expect(packs[0]).not.toEqual(packs[1]);

    const out = join(scratchDir(), 'out');
    const first = await generateKilledAfter(a, out, 60_000);
    expect(first.finished).toBe(true);
    mkdirSync(join(out, 'grafana', 'local'));
    for (let i = 0; i < FOREIGN; i++) writeFileSync(join(out, 'grafana', 'local', `f${i}.json`), `{"i":${i}}`);
    writeFileSync(join(out, 'NOTES.txt'), 'mine');
    const timed = await generateKilledAfter(b, out, 60_000);
    expect(timed.finished).toBe(true);

    const next = random(SEED);
    let expected = 1; // out/ now holds pack B
    const outcomes = { beforeWriting: 0, whileWriting: 0, writtenNotSwapped: 0, afterSwap: 0, finished: 0 };
    const stateNames = () => new Set([...readdirSync(join(out, '.slokit')), ...readdirSync(join(out, '.slokit', 'packs'))]);
    for (let k = 0; k < KILLS; k++) {
      const target = 1 - expected;
      // Half the kills anywhere in the run, half in its last third, where the pack is committed;
      // every fifth one late enough that the run has normally swapped (a loaded machine is slower).
      const delay = (k % 5 === 4 ? 3 : k % 2 ? next() : 0.67 + 0.5 * next()) * timed.ms;
      const before = stateNames();
      const run = await generateKilledAfter([a, b][target]!, out, delay);
      const seen = withoutForeign(packTree(out));
      const context = `seed ${SEED}, kill ${k} after ${delay.toFixed(0)} ms`;
      const now = seen['manifest.json'] === packs[target]!['manifest.json'] ? target : expected;
      expect(seen, context).toEqual(packs[now]);
      expect(readdirSync(join(out, 'grafana', 'local')), context).toHaveLength(FOREIGN);
      expect(existsSync(join(out, 'NOTES.txt')), context).toBe(true);
      expectSpareMatchesItsManifest(out, context);
      const left = [...stateNames()].filter((n) => !before.has(n));
      if (run.finished) outcomes.finished++;
      else if (now === target) outcomes.afterSwap++;
      else if (left.some((n) => n.startsWith('tmp-'))) outcomes.whileWriting++;
      else if (left.length) outcomes.writtenNotSwapped++;
      else outcomes.beforeWriting++;
      expected = now;
    }
    console.log(`atomic output: ${KILLS} kills (seed ${SEED}): ${JSON.stringify(outcomes)}`);
    // The kills must have landed both before and after the swap for the test to mean anything.
    expect(outcomes.whileWriting).toBeGreaterThan(0);
    expect(outcomes.afterSwap + outcomes.finished).toBeGreaterThan(0);

    // The next whole run clears what the killed ones left behind.
    expect((await generateKilledAfter(a, out, 60_000)).finished).toBe(true);
    expect(withoutForeign(packTree(out))).toEqual(packs[0]);
    expect(readdirSync(join(out, '.slokit')).sort()).toEqual(['current', 'packs', 'parsed-catalog.json', 'spare']);
    expect(readdirSync(join(out, '.slokit', 'packs'))).toHaveLength(1);
    expectSpareMatchesItsManifest(out, 'after the last run');
  }, 600_000);
});
