/**
 * Random damage to a valid catalog (deleted and duplicated lines, truncation, values of the
 * wrong type, swapped lines, random bytes) must always end in `file:line:col` errors and exit
 * 1 with nothing written, or, when the damage happens to leave a valid catalog, in a pack.
 * Never an internal error or a stack trace. Seeded; SLOKIT_FUZZ_RUNS raises the count, and
 * fast-check prints the seed and path of any failure to replay it.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../generators/cli.js';
import { copyCatalog, scratchDir } from './helpers/catalog.js';

const RUNS = Number(process.env.SLOKIT_FUZZ_RUNS ?? 200);
const pristine = copyCatalog();
const files = [
  'defaults.yaml',
  'teams.yaml',
  ...readdirSync(join(pristine, 'services')).map((f) => `services/${f}`),
  ...readdirSync(join(pristine, 'journeys')).map((f) => `journeys/${f}`),
];

type Mutation =
  | { kind: 'delete-line'; at: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'swap-lines'; at: number; with: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'retype-value'; at: number; value: string }
  | { kind: 'insert-bytes'; at: number; bytes: number[] };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: position }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: position }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: position, with: position }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('retype-value' as const),
    at: position,
    value: fc.constantFrom('[]', '{}', '123', '-1', '1e400', 'null', '~', 'true', '"x"', "''", '[1, [2, {a: 3}]]', '&a x', '*nothing', '!!binary aGk=', '"\\u0000"', '99.99999999999999999'),
  }),
  fc.record({ kind: fc.constant('insert-bytes' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) }),
);

/** Works on latin1 text so that bytes it does not touch stay exactly as they were. */
function mutate(text: string, m: Mutation): Buffer {
  const lines = text.split('\n');
  const line = (p: number) => Math.floor(p * lines.length);
  switch (m.kind) {
    case 'delete-line':
      lines.splice(line(m.at), 1);
      break;
    case 'duplicate-line':
      lines.splice(line(m.at), 0, lines[line(m.at)]!);
      break;
    case 'swap-lines': {
      const [a, b] = [line(m.at), line(m.with)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      break;
    }
    case 'truncate':
      return Buffer.from(text.slice(0, Math.floor(m.at * text.length)), 'latin1');
    case 'retype-value': {
      // The value of a key: line, keeping the key (the first "key:" on a line that has one).
      const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*(- )?[A-Za-z_]+:/.test(l));
      if (!keyed.length) break;
      const [l, i] = keyed[Math.floor(m.at * keyed.length)]!;
      lines[i] = l.replace(/^(\s*(- )?[A-Za-z_]+:).*$/, `$1 ${m.value}`);
      break;
    }
    case 'insert-bytes': {
      const buf = Buffer.from(text, 'latin1');
      const at = Math.floor(m.at * buf.length);
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    }
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

async function generateCapturing(catalog: string, out: string): Promise<{ code: number; output: string }> {
  let output = '';
  const collect = (...args: unknown[]) => {
    output += `${args.map(String).join(' ')}\n`;
  };
  const spies = [vi.spyOn(console, 'error').mockImplementation(collect), vi.spyOn(console, 'log').mockImplementation(collect), vi.spyOn(console, 'warn').mockImplementation(collect)];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    return { code: await main(['generate', '--catalog', catalog, '--out', out]), output };
  } finally {
    for (const s of spies) s.mockRestore();
    write.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('a damaged catalog', () => {
  it(`ends in located errors and writes nothing, for ${RUNS} random mutations`, async () => {
    let located = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (file, mutations) => {
        const dir = scratchDir('slokit-mutation-');
        const catalog = join(dir, 'catalog');
        cpSync(pristine, catalog, { recursive: true });
        let bytes: Buffer = readFileSync(join(catalog, file));
        for (const m of mutations) bytes = mutate(bytes.toString('latin1'), m);
        writeFileSync(join(catalog, file), bytes);
        const out = join(dir, 'out');
        const { code, output } = await generateCapturing(catalog, out);
        expect(output).not.toMatch(/internal error/);
        expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
        if (code === 0) {
          expect(existsSync(join(out, 'manifest.json'))).toBe(true);
          return;
        }
        expect(code, output).toBe(1);
        expect(output).toMatch(/^slokit: \S+:\d+:\d+: error: .+$/m);
        expect(output).toMatch(/^ {2}fix: .+$/m);
        expect(existsSync(out), 'nothing written').toBe(false);
        expect(readdirSync(dir).filter((f) => f.startsWith('.slokit-'))).toEqual([]);
        located++;
      }),
      { numRuns: RUNS, seed: 7_2026_11_27 },
    );
    // Most damage is not harmless: the property must have seen real errors.
    expect(located).toBeGreaterThan(RUNS / 2);
  }, 600_000);
});
