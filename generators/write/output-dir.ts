/**
 * Writes the pack atomically: everything goes to a temporary directory beside out/, which
 * replaces out/ only when all of it was written. Files slokit did not generate are carried
 * over; files it generated before and no longer does are pruned. A directory that holds
 * other things and no manifest is never overwritten.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { outputPaths } from '../naming.js';
import { buildManifest, parseManifest, type Manifest } from './manifest.js';

export class OutputError extends Error {}

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split(sep).join('/')]))
    .sort();
}

function readManifest(outDir: string): Manifest | undefined {
  const path = join(outDir, outputPaths.manifest);
  return existsSync(path) ? parseManifest(readFileSync(path, 'utf8')) : undefined;
}

/** Refuses output directories that would overwrite the catalog, the project, or a stranger's files. */
export function checkOutputDir(outDir: string, protectedDirs: readonly string[]): void {
  const out = resolve(outDir);
  for (const p of protectedDirs.map((d) => resolve(d))) {
    if (out === p || p.startsWith(out + sep)) throw new OutputError(`refusing to write to ${outDir}: it would replace ${p}; choose a separate output directory such as out/`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new OutputError(`${outDir} exists and is not a directory`);
    if (listFiles(out).length && !readManifest(out)) {
      throw new OutputError(`${outDir} has files but no slokit manifest.json; refusing to replace it. Choose an empty directory, or remove it if it is an old pack`);
    }
  }
}

export function validateRelativePath(path: string): string {
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.includes('\\'))) {
    throw new OutputError(`refusing to write unsafe path ${JSON.stringify(path)}`);
  }
  return path;
}

export function writeOutput(outDir: string, files: ReadonlyMap<string, string>): { written: number; pruned: string[] } {
  const out = resolve(outDir);
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.slokit-tmp-${process.pid}-${Date.now()}`);
  const old = join(parent, `.slokit-old-${process.pid}-${Date.now()}`);
  const previous = readManifest(out);
  const previouslyGenerated = new Set(previous?.files.map((f) => f.path) ?? []);
  try {
    mkdirSync(tmp);
    for (const [path, text] of files) {
      const target = join(tmp, validateRelativePath(path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    writeFileSync(join(tmp, outputPaths.manifest), `${JSON.stringify(buildManifest(files), null, 2)}\n`);
    const pruned: string[] = [];
    for (const path of listFiles(out)) {
      if (path === outputPaths.manifest || files.has(path)) continue;
      if (previouslyGenerated.has(path)) {
        pruned.push(path);
        continue;
      }
      mkdirSync(dirname(join(tmp, path)), { recursive: true });
      cpSync(join(out, path), join(tmp, path));
    }
    if (existsSync(out)) renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
    return { written: files.size, pruned };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(out) && existsSync(old)) renameSync(old, out);
    throw e;
  }
}

/** Paths where out/ differs from what the catalog generates (for `generate --check`). */
export function diffOutput(outDir: string, files: ReadonlyMap<string, string>): string[] {
  const out = resolve(outDir);
  const diffs: string[] = [];
  for (const [path, text] of files) {
    const target = join(out, path);
    if (!existsSync(target)) diffs.push(`missing: ${path}`);
    else if (readFileSync(target, 'utf8') !== text) diffs.push(`differs: ${path}`);
  }
  const manifest = readManifest(out);
  for (const f of manifest?.files ?? []) if (!files.has(f.path)) diffs.push(`stale: ${f.path}`);
  const expectedManifest = `${JSON.stringify(buildManifest(files), null, 2)}\n`;
  const manifestPath = join(out, outputPaths.manifest);
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== expectedManifest) diffs.push(`differs: ${outputPaths.manifest}`);
  return diffs;
}
