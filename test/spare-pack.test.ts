/**
 * The writer patches the pack it replaced last time (out/.slokit/spare) into the new one. Packs
 * share unchanged files as hard links, so patching must replace a file, never write into it:
 * otherwise the pack readers see changes under them, and the spare stops matching its
 * manifest. These runs drive the writer through reuse, change, removal, a user's file and a
 * run that changes nothing, and check after each what a reader sees and what the spare holds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputWriter } from '../generators/write/output-dir.js';
import { scratchDir } from './helpers/catalog.js';
import { packTree } from './helpers/pack-tree.js';

type Run = { add?: Record<string, string>; reuse?: string[] };

/** One generate: reused paths first (as emitPack takes unchanged services), then the written ones. */
function run(out: string, { add = {}, reuse = [] }: Run, beforeCommit?: () => void): void {
  const w = new OutputWriter(out);
  try {
    if (reuse.length) expect(w.reuse(reuse)).toBe(true);
    for (const [path, text] of Object.entries(add)) w.add(path, text);
  } catch (e) {
    w.abort();
    throw e;
  }
  beforeCommit?.();
  w.commit();
}

function spareState(out: string): { tree: Record<string, string>; manifest: Record<string, string>; extras: string[] } {
  const spare = join(out, '.slokit', 'spare');
  const tree = packTree(spare);
  const manifest = Object.fromEntries((JSON.parse(tree['manifest.json']!) as { files: { path: string; sha256: string }[] }).files.map((f) => [f.path, f.sha256]));
  const extras = JSON.parse(tree['.extras.json']!) as string[];
  delete tree['manifest.json'];
  delete tree['.extras.json'];
  return { tree, manifest, extras };
}

function expectSpareHonest(out: string): void {
  const { tree, manifest, extras } = spareState(out);
  expect(Object.keys(tree).sort()).toEqual([...Object.keys(manifest), ...extras].sort());
  for (const [path, hash] of Object.entries(manifest)) expect(createHash('sha256').update(tree[path]!).digest('hex'), path).toBe(hash);
}

const readerSees = (out: string) => {
  const tree = packTree(out);
  delete tree['manifest.json'];
  return tree;
};

describe('the spare pack', () => {
  it('is patched into the next pack without touching the pack readers see, and always matches its manifest', () => {
    const out = join(scratchDir(), 'out');
    run(out, { add: { 'p/a.yml': 'a1', 'p/b.yml': 'b1', 'p/gone/c.yml': 'c1' } });
    // The first pack replaces none: its spare is a copy of it, made of hard links.
    expectSpareHonest(out);
    expect(spareState(out).tree).toEqual(readerSees(out));
    expect(statSync(join(out, '.slokit/spare/p/b.yml')).ino).toBe(statSync(join(out, 'p/b.yml')).ino);

    // a is taken unchanged (a hard link shared by both packs); the old pack becomes the spare.
    run(out, { reuse: ['p/a.yml'], add: { 'p/b.yml': 'b2', 'p/gone/c.yml': 'c1' } });
    expect(readerSees(out)).toEqual({ 'p/a.yml': 'a1', 'p/b.yml': 'b2', 'p/gone/c.yml': 'c1' });
    expect(statSync(join(out, 'p/a.yml')).ino, 'a is shared with the spare').toBe(statSync(join(out, '.slokit/spare/p/a.yml')).ino);
    expectSpareHonest(out);

    // a user's file inside a generated folder is carried along.
    writeFileSync(join(out, 'p', 'mine.txt'), 'user');

    // a changes: the spare's a is that same inode, and must be replaced, not written into.
    run(out, { add: { 'p/a.yml': 'a3', 'p/b.yml': 'b2' } }, () => {
      expect(readerSees(out), 'the current pack while the next one is written').toEqual({ 'p/a.yml': 'a1', 'p/b.yml': 'b2', 'p/gone/c.yml': 'c1', 'p/mine.txt': 'user' });
    });
    expect(readerSees(out)).toEqual({ 'p/a.yml': 'a3', 'p/b.yml': 'b2', 'p/mine.txt': 'user' });
    expect(existsSync(join(out, '.slokit', 'current', 'p', 'gone')), 'a folder left empty goes').toBe(false);
    expectSpareHonest(out);
    expect(spareState(out).tree['p/a.yml']).toBe('a1');

    // Nothing changed: the patched spare stays the spare, with the user's file listed.
    run(out, { add: { 'p/a.yml': 'a3', 'p/b.yml': 'b2' } });
    expect(readerSees(out)).toEqual({ 'p/a.yml': 'a3', 'p/b.yml': 'b2', 'p/mine.txt': 'user' });
    expectSpareHonest(out);
    expect(spareState(out).extras).toEqual(['p/mine.txt']);

    // The user removes their file: it does not come back from the spare.
    rmSync(join(out, 'p', 'mine.txt'));
    run(out, { add: { 'p/a.yml': 'a5', 'p/b.yml': 'b2' } });
    expect(readerSees(out)).toEqual({ 'p/a.yml': 'a5', 'p/b.yml': 'b2' });
    expectSpareHonest(out);
  });

  it('is not trusted without its manifest: the run builds its pack from nothing', () => {
    const out = join(scratchDir(), 'out');
    run(out, { add: { 'p/a.yml': 'a1' } });
    run(out, { add: { 'p/a.yml': 'a2' } });
    writeFileSync(join(out, '.slokit', 'spare', 'manifest.json'), 'not a manifest');
    writeFileSync(join(out, '.slokit', 'spare', 'p', 'a.yml'), 'tampered');
    run(out, { add: { 'p/a.yml': 'a1', 'p/b.yml': 'b3' } });
    expect(readerSees(out)).toEqual({ 'p/a.yml': 'a1', 'p/b.yml': 'b3' });
    expect(readFileSync(join(out, '.slokit', 'spare', 'p', 'a.yml'), 'utf8')).toBe('a2');
    expectSpareHonest(out);
  });
});
