/**
 * The cache of parsed catalog files that `slokit generate` keeps in out/.slokit: a hit gives
 * what parsing gives, problems in files that came from it are still located, and what it
 * cannot hold exactly (or another parser wrote) is parsed again.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadParseCache, parseYamlSource, positionOf } from '../generators/load/yaml-source.js';
import { survivesJson } from '../generators/load/parse-cache.js';
import { PARSED_CATALOG } from '../generators/write/output-dir.js';
import { loadModel } from '../generators/pipeline.js';
import { generatorVersion } from '../generators/generator-version.js';
import { parseSelector } from '../generators/promql/parse.js';
import { cli, copyCatalog, edit, scratchDir } from './helpers/catalog.js';

describe('the parse cache', () => {
  it('gives a file the data it parsed to before, without parsing it again, and keeps only what this run used', () => {
    const path = join(scratchDir(), 'parsed.json');
    const first = loadParseCache(path);
    const text = 'name: a\nslis:\n  - {name: x, objective: 99.9}\n';
    const parsed = parseYamlSource('a.yaml', text, first);
    first.save(path);
    // Causality: a hit is taken from the cache, not parsed (the saved data is changed behind its back).
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { entries: Record<string, string> };
    expect(Object.values(saved.entries).map((e) => JSON.parse(e) as unknown)).toEqual([parsed.source.data]);
    const [hash] = Object.keys(saved.entries);
    saved.entries[hash!] = JSON.stringify({ ...(JSON.parse(saved.entries[hash!]!) as object), name: 'from-the-cache' });
    writeFileSync(path, JSON.stringify(saved));
    const second = loadParseCache(path);
    const hit = parseYamlSource('a.yaml', text, second);
    expect(hit.source.data).toEqual({ name: 'from-the-cache', slis: [{ name: 'x', objective: 99.9 }] });
    expect(hit.source.parsed).toBe(true);
    // Its document is parsed when a position is asked for, and it is the file's own.
    expect(positionOf(hit.source, ['slis', 0, 'objective'], true)).toEqual({ line: 3, col: 15 });
    // Each hit is the caller's own copy.
    (parseYamlSource('a.yaml', text, second).source.data as { name: string }).name = 'changed';
    expect((parseYamlSource('a.yaml', text, second).source.data as { name: string }).name).toBe('from-the-cache');
    // A run that does not read the file drops it.
    parseYamlSource('b.yaml', 'name: b\n', second);
    second.save(path);
    const third = JSON.parse(readFileSync(path, 'utf8')) as { entries: Record<string, string> };
    expect(Object.values(third.entries)).toHaveLength(2);
    expect(Object.values(third.entries).map((e) => JSON.parse(e) as unknown)).toEqual(expect.arrayContaining([{ name: 'from-the-cache', slis: [{ name: 'x', objective: 99.9 }] }, { name: 'b' }]));
  });

  it('does not hold what JSON would change (.inf, .nan, -0), nor files with YAML problems', () => {
    expect(survivesJson({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
    for (const bad of [Infinity, -Infinity, NaN, -0]) expect(survivesJson({ a: [bad] })).toBe(false);
    const path = join(scratchDir(), 'parsed.json');
    const cache = loadParseCache(path);
    expect(parseYamlSource('inf.yaml', 'x: .inf\n', cache).source.data).toEqual({ x: Infinity });
    expect(parseYamlSource('zero.yaml', 'x: -0\n', cache).problems).toEqual([]);
    expect(parseYamlSource('bad.yaml', 'x: [1\n', cache).problems.length).toBeGreaterThan(0);
    cache.save(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).entries).toEqual({});
  });

  it('ignores a damaged cache and one another parser version wrote', () => {
    const path = join(scratchDir(), 'parsed.json');
    const text = 'name: a\n';
    const cache = loadParseCache(path);
    parseYamlSource('a.yaml', text, cache);
    cache.save(path);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { version: string; entries: Record<string, unknown> };
    for (const k of Object.keys(saved.entries)) saved.entries[k] = JSON.stringify({ name: 'stale' });
    writeFileSync(path, JSON.stringify({ ...saved, version: `${saved.version} (older)` }));
    expect(parseYamlSource('a.yaml', text, loadParseCache(path)).source.data).toEqual({ name: 'a' });
    writeFileSync(path, '{"version": ');
    expect(parseYamlSource('a.yaml', text, loadParseCache(path)).source.data).toEqual({ name: 'a' });
    // A damaged entry is parsed again.
    writeFileSync(path, JSON.stringify({ ...saved, entries: Object.fromEntries(Object.keys(saved.entries).map((k) => [k, '{"name": '])) }));
    expect(parseYamlSource('a.yaml', text, loadParseCache(path)).source.data).toEqual({ name: 'a' });
  });

  it('keeps what each selector parsed to under the generator version: a hit is not parsed again, a damaged entry or another generator is', () => {
    const path = join(scratchDir(), 'parsed.json');
    const first = loadParseCache(path);
    const parsed = parseSelector('http_requests_total{job="a", code=~"5.."}');
    expect(parseSelector('x{', false).ok).toBe(false);
    first.save(path);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { generator: string; selectors: Record<string, unknown> };
    expect(saved.generator).toBe(generatorVersion());
    expect(Object.keys(saved.selectors).sort()).toEqual(['shttp_requests_total{job="a", code=~"5.."}', 'sx{']);
    expect(saved.selectors['shttp_requests_total{job="a", code=~"5.."}']).toEqual(parsed);
    // Causality: the saved result, changed behind its back, is what the next run gets.
    const changed = { ok: true, value: { metric: 'from_the_cache', matchers: [] } };
    writeFileSync(path, JSON.stringify({ ...saved, selectors: { ...saved.selectors, 'shttp_requests_total{job="a", code=~"5.."}': changed } }));
    loadParseCache(path);
    expect(parseSelector('http_requests_total{job="a", code=~"5.."}')).toEqual(changed);
    // Only what this run asked for is saved again.
    const path2 = join(scratchDir(), 'parsed.json');
    loadParseCache(path2).save(path2);
    expect((JSON.parse(readFileSync(path2, 'utf8')) as { selectors: object }).selectors).toEqual({});
    // Another generator's results, and a damaged one, are not used.
    for (const selectors of [{ 'shttp_requests_total{job="a", code=~"5.."}': changed, generator: 'another' }, { 'shttp_requests_total{job="a", code=~"5.."}': { ok: true, value: { metric: 1 } } }]) {
      const { generator, ...entries } = selectors as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...saved, generator: generator ?? saved.generator, selectors: entries }));
      loadParseCache(path);
      expect(parseSelector('http_requests_total{job="a", code=~"5.."}')).toEqual(parsed);
    }
  });

  it('is not rewritten for a change in at most 1% of its entries, and the changed file still reads as it is now', () => {
    const path = join(scratchDir(), 'parsed.json');
    const texts = Array.from({ length: 200 }, (_, i) => `name: svc-${i}\nobjective: 99.9\n`);
    const first = loadParseCache(path);
    for (const [i, t] of texts.entries()) parseYamlSource(`s${i}.yaml`, t, first);
    first.save(path);
    const written = readFileSync(path, 'utf8');
    expect(Object.keys((JSON.parse(written) as { entries: object }).entries)).toHaveLength(200);
    // One file of 200 changed: the cache is left as it was (its old entry unused, the new one parsed).
    const changed = texts.map((t, i) => (i === 7 ? t.replace('99.9', '99.95') : t));
    const second = loadParseCache(path);
    expect(changed.map((t, i) => parseYamlSource(`s${i}.yaml`, t, second).source.data)[7]).toEqual({ name: 'svc-7', objective: 99.95 });
    second.save(path);
    expect(readFileSync(path, 'utf8')).toBe(written);
    // And the run after it reads the changed file as it is, not as the cache last held it.
    expect(parseYamlSource('s7.yaml', changed[7]!, loadParseCache(path)).source.data).toEqual({ name: 'svc-7', objective: 99.95 });
    // Three changed files (over 1%, counting the unused entries) rewrite it, with this run's entries only.
    const third = loadParseCache(path);
    for (const [i, t] of changed.entries()) parseYamlSource(`s${i}.yaml`, i < 3 ? `${t}# edited\n` : t, third);
    third.save(path);
    const entries = (JSON.parse(readFileSync(path, 'utf8')) as { entries: Record<string, string> }).entries;
    expect(Object.values(entries).map((e) => JSON.parse(e) as { objective: number }).filter((d) => d.objective === 99.95)).toHaveLength(1);
    expect(Object.keys(entries)).toHaveLength(200);
  });

  it('gives the same model as parsing, and problems in unchanged files keep their file:line:col', () => {
    const catalog = copyCatalog();
    const path = join(scratchDir(), 'parsed.json');
    const fill = loadParseCache(path);
    const cold = loadModel(catalog, {}, undefined, fill);
    fill.save(path);
    expect(loadModel(catalog, {}, undefined, loadParseCache(path))).toEqual(cold);
    // registry.yaml is unchanged (its data comes from the cache); the service it depends on goes.
    rmSync(join(catalog, 'services', 'redis.yaml'));
    const uncached = loadModel(catalog).problems;
    const cached = loadModel(catalog, {}, undefined, loadParseCache(path)).problems;
    const registry = readFileSync(join(catalog, 'services', 'registry.yaml'), 'utf8').split('\n');
    const line = registry.findIndex((l) => l.startsWith('dependencies:')) + 1;
    expect(cached.find((p) => p.file.endsWith('registry.yaml'))).toMatchObject({ line, message: expect.stringMatching(/redis/) });
    expect(cached).toEqual(uncached);
  });

  it('is written by generate next to the pack and makes the next run read the same catalog the same way', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const entries = Object.keys((JSON.parse(readFileSync(join(out, PARSED_CATALOG), 'utf8')) as { entries: object }).entries);
    // Every catalog file, bundled policies and resources included.
    expect(entries.length).toBeGreaterThanOrEqual(10 + 2);
    edit(join(catalog, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.95'));
    const again = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'prometheus', 'rules', 'redis.yml'), 'utf8')).toMatch(/99\.95%/);
    const after = Object.keys((JSON.parse(readFileSync(join(out, PARSED_CATALOG), 'utf8')) as { entries: object }).entries);
    expect(after.filter((h) => !entries.includes(h))).toHaveLength(1);
    expect(after).toHaveLength(entries.length);
  });
});
