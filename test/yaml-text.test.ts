/** The YAML writer for generated files: whatever goes in comes back out, from Go's YAML 1.1 view too. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { BUNDLED_CATALOG } from './helpers/catalog.js';
import { toYaml, YamlMapping } from '../generators/emit/yaml-text.js';
import { parsePackYaml } from '../generators/pack-yaml.js';

// Text that tries to break out: quotes, newlines, comment and anchor marks, YAML 1.1 booleans,
// numbers, template braces, control characters and wide unicode.
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('yes', 'No', 'on', 'OFF', 'y', 'null', '~', '1e3', '0x1f', '10:30', '1_000', '- a', 'a: b', 'a #b', '&x', '*x', '<<', '!!str', '|', '>', '%TAG', '{{ $labels.x }}', 'line\n', 'two\n\n', 'para\n\nnext', ' lead', 'trail ', '\ttab', 'a\r\nb', '\u0085', '\u2028', '5m', '1h30m', 'sum by (a) (rate(x{y="z"}[5m]))\n/\nsum(x)', '--- \n...'),
);
const scalarValue = fc.oneof(hostileText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, scalarValue, tie('array'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 4 }),
  object: fc.dictionary(hostileText, tie('tree'), { maxKeys: 4 }),
}));

describe('toYaml', () => {
  it('round-trips any plain data through a YAML parser, in YAML 1.1 too, and through the reader of generated files', () => {
    fc.assert(
      fc.property(fc.dictionary(hostileText, tree, { maxKeys: 5 }), (value) => {
        const text = toYaml(value, 'header\nsecond line');
        // -0 has no YAML spelling apart from 0.
        const expected = JSON.parse(JSON.stringify(value));
        expect(JSON.parse(JSON.stringify(parse(text)))).toEqual(expected);
        expect(JSON.parse(JSON.stringify(parse(text, { version: '1.1' })))).toEqual(expected);
        // slokit reads its own files back with js-yaml (pack-yaml.ts), which must agree.
        expect(JSON.parse(JSON.stringify(parsePackYaml(text)))).toEqual(expected);
      }),
      { numRuns: 500, seed: 20261127 },
    );
  });

  it('writes a mapping written once (YamlMapping) byte for byte as it writes it in place, at any depth and in lists', () => {
    // Every object of the tree becomes a YamlMapping, innermost first: the shared rule YAML of rule-file.ts.
    const prewritten = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(prewritten);
      if (v && typeof v === 'object') return new YamlMapping(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, prewritten(x)])));
      return v;
    };
    fc.assert(
      fc.property(fc.dictionary(hostileText, tree, { maxKeys: 5 }), fc.array(fc.dictionary(hostileText, tree, { maxKeys: 3 }), { maxLength: 3 }), (value, items) => {
        const plain = { value, items, nested: { deeper: [{ value }] } };
        const shared = { value: prewritten(value), items: items.map(prewritten), nested: { deeper: [{ value: prewritten(value) }] } };
        expect(toYaml(shared, 'h')).toBe(toYaml(plain, 'h'));
      }),
      { numRuns: 300, seed: 20261204 },
    );
  });

  it('writes PromQL as a literal block and durations and names plain', () => {
    const text = toYaml({ groups: [{ name: 'slokit:web:fast', interval: '1m', rules: [{ record: 'a:b', expr: 'sum(x)\n/\nsum(y)' }] }] });
    expect(text).toBe(['groups:', '  - name: slokit:web:fast', '    interval: 1m', '    rules:', '      - record: a:b', '        expr: |-', '          sum(x)', '          /', '          sum(y)', ''].join('\n'));
  });

  it('is read back the same by the reader of generated files as by the yaml package, for every YAML file of the bundled pack', async () => {
    const pack = await generatePack(loadModel(BUNDLED_CATALOG).model!);
    const files = [...pack.files].filter(([p]) => /\.ya?ml$/.test(p) && !/^---$/m.test(pack.files.get(p)!));
    expect(files.length).toBeGreaterThan(50);
    const differ = files.filter(([, text]) => JSON.stringify(parsePackYaml(text)) !== JSON.stringify(parse(text))).map(([p]) => p);
    expect(differ).toEqual([]);
  });
});
