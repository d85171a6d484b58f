/** The pack depends on what the catalog says, not on how its files order their keys. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { loadCatalogSources } from '../generators/load/catalog-files.js';
import { buildModel } from '../generators/model/build.js';
import { BUNDLED_POLICIES, BUNDLED_RESOURCES } from '../generators/paths.js';
import { copyCatalog } from './helpers/catalog.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(f) ? [path] : [];
  });
}

/** Reverses the keys of every mapping, leaving sequences (whose order is meaningful) alone. */
function reverseKeys(node: Node | null | undefined): void {
  if (isMap(node)) {
    node.items.reverse();
    for (const pair of node.items) reverseKeys(pair.value as Node);
  } else if (isSeq(node)) {
    for (const item of node.items) reverseKeys(item as Node);
  }
}

describe('output determinism', () => {
  it('is byte-identical from another directory, with every mapping of every catalog file listing its keys in reverse', async () => {
    const original = copyCatalog();
    const reordered = copyCatalog();
    let changed = 0;
    for (const file of yamlFiles(reordered)) {
      const doc = parseDocument(readFileSync(file, 'utf8'));
      const before = doc.toString();
      reverseKeys(doc.contents as Node);
      if (doc.toString() !== before) changed++;
      writeFileSync(file, doc.toString());
    }
    expect(changed).toBeGreaterThanOrEqual(10);
    const a = await generatePack(loadModel(original).model!);
    const b = await generatePack(loadModel(reordered).model!);
    expect([...b.files.keys()]).toEqual([...a.files.keys()]);
    for (const [path, text] of a.files) expect(b.files.get(path), path).toBe(text);
  });

  it('does not depend on the order the service files are read in (reversed, rotated)', async () => {
    const { sources } = loadCatalogSources(copyCatalog(), BUNDLED_POLICIES, BUNDLED_RESOURCES);
    const n = sources.services.length;
    const orders = [sources.services, [...sources.services].reverse(), [...sources.services.slice(3), ...sources.services.slice(0, 3)]];
    const packs = await Promise.all(orders.map(async (services) => (await generatePack(buildModel({ ...sources, services }).model!)).files));
    expect(n).toBeGreaterThanOrEqual(7);
    for (const other of packs.slice(1)) {
      expect([...other.keys()]).toEqual([...packs[0]!.keys()]);
      for (const [path, text] of packs[0]!) expect(other.get(path), path).toBe(text);
    }
  });
});
