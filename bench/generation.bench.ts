/**
 * `slokit generate` and `slokit validate` on synthetic catalogs of growing size (5 SLIs per
 * service): wall time and peak memory of the real CLI in a child process, and, for one size,
 * the time of each stage in this process, to name the slowest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderDashboards } from '../generators/emit/dashboards/evaluate.js';
import { ShapeRegistry } from '../generators/emit/promtool-tests/shape.js';
import { sliTestFileText } from '../generators/emit/promtool-tests/test-file.js';
import { ruleFileText } from '../generators/emit/rule-file.js';
import { serviceRules } from '../generators/emit/rule-groups.js';
import { renderRunbooks } from '../generators/emit/runbooks/render.js';
import { BUNDLED_CATALOG, PROJECT_ROOT } from '../generators/paths.js';
import { loadModel } from '../generators/pipeline.js';
import { writeSyntheticCatalog } from './synthetic-catalog.js';

export const SLIS_PER_SERVICE = 5;
/** The one deployment form the benchmark also measures a pack in. */
export const ONE_FORM = '[grafana]';

export interface CliRun {
  readonly services: number;
  /** regenerate: generate again into the same pack after one service changed. */
  readonly command: 'generate' | 'validate' | 'regenerate';
  readonly seconds: number;
  readonly peakBytes: number;
  readonly outputBytes?: number;
  /** Bytes per part of the pack (PACK_PARTS), a file hard-linked into several counted in the first. */
  readonly outputParts?: Record<string, number>;
  /** The catalog's `outputs` when not the bundled defaults' (every form). */
  readonly outputs?: string;
}

function timedCli(args: string[], dir: string): { seconds: number; peakBytes: number } {
  const rssFile = join(dir, `rss-${args[0]}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', join(PROJECT_ROOT, 'dist', 'bench', 'peak-rss.js'), join(PROJECT_ROOT, 'dist', 'generators', 'cli.js'), ...args], {
    env: { ...process.env, SLOKIT_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`slokit ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-2000)}`);
  return { seconds, peakBytes: Number(readFileSync(rssFile, 'utf8')) };
}

function directoryBytes(dir: string): number {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

/** The parts of a pack the report breaks its size into, in the order du attributes shared files. */
export const PACK_PARTS = ['prometheus/rules', 'prometheus/rulers', 'prometheus/tests', 'grafana', 'kubernetes', 'mixin', 'runbooks', 'alertmanager'] as const;

/** One du over every part: a file hard-linked into several parts (a dashboard in grafana/ and mixin/) counts once, in the first. */
function partBytes(pack: string): Record<string, number> {
  const present = PACK_PARTS.filter((p) => existsSync(join(pack, p)));
  const r = spawnSync('du', ['-sb', ...present.map((p) => join(pack, p))], { encoding: 'utf8' });
  const bytes = r.stdout.trim().split('\n').map((l) => Number(l.split('\t')[0]));
  return Object.fromEntries(present.map((p, i) => [p, bytes[i]!]));
}

/** `outputs` replaces the bundled defaults' list of deployment forms (all of them), e.g. '[grafana]'. */
export function measureCli(services: number, outputs?: string): CliRun[] {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-gen-bench-'));
  try {
    const catalog = writeSyntheticCatalog(BUNDLED_CATALOG, dir, services, SLIS_PER_SERVICE);
    if (outputs) {
      const defaults = join(catalog, 'defaults.yaml');
      const text = readFileSync(defaults, 'utf8');
      if (!/^outputs: .*$/m.test(text)) throw new Error('the bundled defaults.yaml has no outputs line to replace');
      writeFileSync(defaults, text.replace(/^outputs: .*$/m, `outputs: ${outputs}`));
    }
    const out = join(dir, 'out');
    const validate = timedCli(['validate', '--catalog', catalog], dir);
    const generate = timedCli(['generate', '--catalog', catalog, '--out', out], dir);
    // The pack itself: out/.slokit/current is a link to it.
    const packBytes = () => directoryBytes(realpathSync(join(out, '.slokit', 'current')));
    const outputBytes = packBytes();
    const outputParts = partBytes(realpathSync(join(out, '.slokit', 'current')));
    // One service's objective changes: the others' files come from the pack just written.
    const svc = join(catalog, 'services', 'svc-0.yaml');
    writeFileSync(svc, readFileSync(svc, 'utf8').replace(/^tier: (\d)$/m, 'tier: $1\nmin_events: 33'));
    const regenerate = timedCli(['generate', '--catalog', catalog, '--out', out], dir);
    const forms = outputs ? { outputs } : {};
    return [
      { services, command: 'validate', ...validate, ...forms },
      { services, command: 'generate', ...generate, outputBytes, outputParts, ...forms },
      { services, command: 'regenerate', ...regenerate, outputBytes: packBytes(), ...forms },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds per stage for one catalog size, measured in this process (no writing). */
export async function measureStages(services: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-gen-stages-'));
  try {
    const catalog = writeSyntheticCatalog(BUNDLED_CATALOG, dir, services, SLIS_PER_SERVICE);
    const stages: Record<string, number> = {};
    const time = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const result = await work();
      stages[name] = (performance.now() - t0) / 1000;
      return result;
    };
    const { model } = await time('load and validate', () => loadModel(catalog));
    const m = model!;
    const rules = await time('recording and alert rules', () => m.services.map((s) => ({ s, rules: serviceRules(m, s) })));
    await time('rule files (YAML)', () => rules.map(({ s, rules: r }) => ruleFileText(m, s, r.groups)));
    await time('promtool tests', () => {
      const shapes = new ShapeRegistry(m);
      return rules.map(({ s, rules: r }) => s.slis.map((sli) => sliTestFileText(m, s, sli, r).text.length + shapes.shapeOf(s, sli).id.length));
    });
    await time('dashboards (jsonnet)', () => renderDashboards(m));
    await time('runbooks', () => renderRunbooks(m));
    return stages;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
