/** Test helpers: a scratch copy of the bundled catalog to break on purpose, and the CLI as a process. */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const BUNDLED_CATALOG = join(ROOT, 'catalog');
export const CLI = join(ROOT, 'dist', 'generators', 'cli.js');

/** A fresh directory under this test run's folder (see ../scratch-root.ts), or the temporary directory outside Vitest. */
export function scratchDir(prefix = 'slokit-test-'): string {
  const root = process.env.SLOKIT_SCRATCH_ROOT;
  if (root) mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root ?? tmpdir(), prefix));
}

/** A copy of the bundled catalog in a fresh temporary directory. */
export function copyCatalog(): string {
  const dir = join(scratchDir(), 'catalog');
  cpSync(BUNDLED_CATALOG, dir, { recursive: true });
  return dir;
}

/** Trims a catalog copy to these services; its journeys go too (they cross services, most of them gone). */
export function keepServices(catalog: string, keep: readonly string[]): void {
  for (const f of readdirSync(join(catalog, 'services'))) if (!keep.includes(f.replace(/\.yaml$/, ''))) rmSync(join(catalog, 'services', f));
  rmSync(join(catalog, 'journeys'), { recursive: true, force: true });
}

/** Changes a catalog file; a change that changes nothing (its text was not found) fails, or the test would pass untested. */
export function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing: the text it replaces is not in the file`);
  writeFileSync(file, after);
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function cli(args: string[], cwd = ROOT): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI without blocking this process (for tests that serve HTTP to it themselves). */
export function cliAsync(args: string[], cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
