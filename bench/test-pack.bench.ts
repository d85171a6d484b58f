/**
 * `slokit test` at catalog speed: the real CLI in a child process on the bundled catalog and on
 * a synthetic one (5 SLIs per service), cold, then with --changed after nothing changed and
 * after one service changed, and in a fresh checkout of the changed catalog with the verdict
 * cache the cold run filled (CI with a kept cache). Counts the test files, the rule shapes and the SLIs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUNDLED_CATALOG, PROJECT_ROOT } from '../generators/paths.js';
import { promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { VERDICT_CACHE_ENV } from '../generators/verdict-cache.js';
import { writeSyntheticCatalog } from './synthetic-catalog.js';
import { SLIS_PER_SERVICE } from './generation.bench.js';

export interface TestRun {
  readonly catalog: string;
  readonly services: number;
  readonly slis: number;
  readonly shapes: number;
  readonly files: number;
  readonly jobs: number;
  /** `slokit generate` of the catalog into an empty directory. */
  readonly generateSeconds?: number;
  readonly coldSeconds: number;
  readonly unchangedSeconds: number;
  readonly oneChangedSeconds: number;
  readonly oneChangedFiles: number;
  /** The changed catalog generated into a new directory, tested with the cold run's verdict cache. */
  readonly freshCheckoutSeconds?: number;
  readonly freshCheckoutCached?: number;
  /** In-process runs of the same pack, same run: every file whole (as before test groups ran against the rules they read), and in parts. */
  readonly wholeFilesSeconds?: number;
  readonly partsSeconds?: number;
}

function slokit(args: string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  // Every run measured is promtool's own: no verdict cache from the environment.
  const env = { ...process.env };
  delete env[VERDICT_CACHE_ENV];
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'generators', 'cli.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`slokit ${args.join(' ')} exited ${r.status}:\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  return { seconds, stdout: r.stdout };
}

const passedFiles = (stdout: string) => Number(/(\d+) file\(s\) passed/.exec(stdout)?.[1] ?? NaN);
const cachedFiles = (stdout: string) => Number(/(\d+) passed before with the same inputs/.exec(stdout)?.[1] ?? NaN);

/** The same pack's tests in process, every file whole and then in parts: the baseline for running groups against the rules they read. */
async function wholeAndParts(out: string, jobs: number): Promise<{ wholeFilesSeconds: number; partsSeconds: number }> {
  const time = async (wholeFiles: boolean) => {
    const t0 = performance.now();
    const results = await testPack(out, { jobs, changedOnly: false, promtoolVersion: promtoolVersion(), wholeFiles, cacheDir: '' });
    const failed = results.filter((r) => r.status !== 'passed');
    if (failed.length) throw new Error(`slokit test failed ${failed.map((r) => r.file).join(', ')}`);
    return (performance.now() - t0) / 1000;
  };
  const wholeFilesSeconds = await time(true);
  return { wholeFilesSeconds, partsSeconds: await time(false) };
}

async function measure(name: string, catalog: string, dir: string, change: () => void, baseline = false): Promise<TestRun> {
  const out = join(dir, 'out');
  const jobs = availableParallelism();
  const generated = slokit(['generate', '--catalog', catalog, '--out', out]);
  const index = JSON.parse(readFileSync(join(out, 'prometheus', 'tests', 'index.json'), 'utf8')) as { slis: { service: string }[]; shapes: Record<string, unknown> };
  const compared = baseline ? await wholeAndParts(out, jobs) : {};
  // The cold run fills a verdict cache (an empty file per pass: nothing the time would show).
  const cache = join(dir, 'verdicts');
  const cold = slokit(['test', '--out', out, '--jobs', String(jobs), '--cache', cache]);
  const unchanged = slokit(['test', '--out', out, '--jobs', String(jobs), '--changed']);
  change();
  slokit(['generate', '--catalog', catalog, '--out', out]);
  const one = slokit(['test', '--out', out, '--jobs', String(jobs), '--changed']);
  const checkout = join(dir, 'checkout');
  slokit(['generate', '--catalog', catalog, '--out', checkout]);
  const fresh = slokit(['test', '--out', checkout, '--jobs', String(jobs), '--cache', cache]);
  return {
    catalog: name,
    services: new Set(index.slis.map((s) => s.service)).size,
    slis: index.slis.length,
    shapes: Object.keys(index.shapes).length,
    files: passedFiles(cold.stdout),
    jobs,
    generateSeconds: generated.seconds,
    coldSeconds: cold.seconds,
    unchangedSeconds: unchanged.seconds,
    oneChangedSeconds: one.seconds,
    oneChangedFiles: passedFiles(one.stdout),
    freshCheckoutSeconds: fresh.seconds,
    freshCheckoutCached: cachedFiles(fresh.stdout),
    ...compared,
  };
}

export const EXAMPLE = 'example platform (catalog/examples/platform)';

export async function benchTestPack(syntheticServices: number): Promise<TestRun[]> {
  const runs: TestRun[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'slokit-test-bench-'));
  try {
    const bundled = join(dir, 'bundled');
    spawnSync('cp', ['-r', BUNDLED_CATALOG, bundled]);
    const edit = (file: string, from: RegExp, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
    runs.push(await measure('bundled', bundled, join(dir, 'b'), () => edit(join(bundled, 'services', 'redis.yaml'), /^tier: (\d)$/m, 'tier: $1\nmin_events: 33'), true));
    // The example of a large platform: every catalog feature, as such a platform writes them.
    const example = join(dir, 'example');
    spawnSync('cp', ['-r', join(BUNDLED_CATALOG, 'examples', 'platform'), example]);
    runs.push(await measure(EXAMPLE, example, join(dir, 'e'), () => edit(join(example, 'services', 'redis.yaml'), /^tier: (\d)$/m, 'tier: $1\nmin_events: 33')));
    const synthetic = writeSyntheticCatalog(BUNDLED_CATALOG, join(dir, 's'), syntheticServices, SLIS_PER_SERVICE);
    runs.push(await measure(`${syntheticServices} synthetic services`, synthetic, join(dir, 's'), () => edit(join(synthetic, 'services', 'svc-0.yaml'), /^tier: (\d)$/m, 'tier: $1\nmin_events: 33')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}
