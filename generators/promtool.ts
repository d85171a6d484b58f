/** Runs the real promtool on a generated pack. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PROMTOOL_MISSING =
  "promtool not found on PATH. Install Debian's 'prometheus' package (apt-get install prometheus), or put promtool from a Prometheus release on PATH.";

export function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** promtool's version line: a test that passed under one version is run again under another. */
export function promtoolVersion(): string {
  return (spawnSync('promtool', ['--version'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0]!.trim();
}

export interface PromtoolRun {
  readonly ok: boolean;
  readonly output: string;
}

/** promtool without blocking the caller, for running several at once. */
export function promtoolAsync(args: string[], cwd: string): Promise<PromtoolRun & { readonly code: number }> {
  return new Promise((resolve) => {
    const p = spawn('promtool', args, { cwd });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    // Without this, a promtool that cannot be started (not on the PATH) threw out of the event loop.
    p.on('error', (e) => resolve({ ok: false, code: -1, output: `${output}promtool could not run: ${e.message}\n${PROMTOOL_MISSING}` }));
    p.on('close', (code) => resolve({ ok: code === 0, code: code ?? -1, output }));
  });
}

function yamlFiles(dir: string, suffix: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).sort() : [];
}

/** The rule files `promtool check rules` reads, relative to the pack's prometheus/rules/ (where it runs). */
export function ruleFilesToCheck(outDir: string): { dir: string; files: string[] } {
  const dir = join(outDir, 'prometheus', 'rules');
  const shapes = join(outDir, 'prometheus', 'tests', 'shapes');
  // The rule shapes' canonical rules are rule files too: their tests prove every SLI that has them.
  const shapeFiles = existsSync(shapes) ? readdirSync(shapes).sort().map((id) => join('..', 'tests', 'shapes', id, 'rules.yml')) : [];
  return { dir, files: [...yamlFiles(dir, '.yml'), ...shapeFiles] };
}

/**
 * `promtool check rules` on `files` (relative to `dir`) in up to `jobs` processes at once, each
 * on a run of consecutive files, their output joined in file order; warnings count as failures.
 * Reading 1,000 rule files took one process about 50 s.
 */
export async function checkRulesAsync(dir: string, files: readonly string[], jobs: number): Promise<PromtoolRun> {
  if (!files.length) return { ok: true, output: '' };
  const per = Math.ceil(files.length / Math.max(1, Math.min(jobs, files.length)));
  const chunks = Array.from({ length: Math.ceil(files.length / per) }, (_, i) => files.slice(i * per, (i + 1) * per));
  const runs = await Promise.all(chunks.map((chunk) => promtoolAsync(['check', 'rules', ...chunk], dir)));
  const output = runs.map((r) => r.output).join('');
  return { ok: runs.every((r) => r.ok) && !/warning/i.test(output), output };
}
