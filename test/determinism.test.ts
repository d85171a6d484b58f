/** The pack depends on what the catalog says, not on how its files order their keys. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
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
});
