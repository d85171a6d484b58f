/**
 * Writes the pack atomically: everything goes to a temporary directory beside out/, which
 * replaces out/ only when all of it was written. Files slokit did not generate are carried
 * over; files it generated before and no longer does are pruned. A directory that holds
 * other things and no manifest is never overwritten.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { outputPaths } from '../naming.js';
import { buildManifest, manifestOf, parseManifest, sha256, type Manifest } from './manifest.js';

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

/**
 * Writes files into a temporary directory beside out/ as they are generated (so a large pack
 * is never held in memory whole), then swaps it in on commit(); abort() leaves out/ as it was.
 */
export class OutputWriter {
  private readonly out: string;
  private readonly tmp: string;
  private readonly old: string;
  private readonly written = new Map<string, string>();

  constructor(outDir: string) {
    this.out = resolve(outDir);
    const parent = dirname(this.out);
    mkdirSync(parent, { recursive: true });
    this.tmp = join(parent, `.slokit-tmp-${process.pid}-${Date.now()}`);
    this.old = join(parent, `.slokit-old-${process.pid}-${Date.now()}`);
    mkdirSync(this.tmp);
  }

  add(path: string, text: string): void {
    if (this.written.has(path)) throw new OutputError(`two generators wrote ${path}`);
    const target = join(this.tmp, validateRelativePath(path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    this.written.set(path, sha256(text));
  }

  commit(): { written: number; pruned: string[] } {
    try {
      const previous = readManifest(this.out);
      const previouslyGenerated = new Set(previous?.files.map((f) => f.path) ?? []);
      writeFileSync(join(this.tmp, outputPaths.manifest), `${JSON.stringify(manifestOf(this.written), null, 2)}\n`);
      const pruned: string[] = [];
      for (const path of listFiles(this.out)) {
        if (path === outputPaths.manifest || this.written.has(path)) continue;
        if (previouslyGenerated.has(path)) {
          pruned.push(path);
          continue;
        }
        mkdirSync(dirname(join(this.tmp, path)), { recursive: true });
        cpSync(join(this.out, path), join(this.tmp, path));
      }
      if (existsSync(this.out)) renameSync(this.out, this.old);
      renameSync(this.tmp, this.out);
      rmSync(this.old, { recursive: true, force: true });
      return { written: this.written.size, pruned };
    } catch (e) {
      this.abort();
      if (!existsSync(this.out) && existsSync(this.old)) renameSync(this.old, this.out);
      throw e;
    }
  }

  abort(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function writeOutput(outDir: string, files: ReadonlyMap<string, string>): { written: number; pruned: string[] } {
  const writer = new OutputWriter(outDir);
  try {
    for (const [path, text] of files) writer.add(path, text);
  } catch (e) {
    writer.abort();
    throw e;
  }
  return writer.commit();
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
