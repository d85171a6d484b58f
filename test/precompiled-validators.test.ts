/**
 * The validators the build writes as code (generators/validate/precompile-validators.ts) are
 * what the CLI checks documents with: they must be the checker's schemas of this very build,
 * and say of every document, valid or broken, exactly what compiling the schema says.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { expandSignals } from '../generators/load/sli-signals.js';
import { expandSliTemplates } from '../generators/load/sli-templates.js';
import { parseYamlSource } from '../generators/load/yaml-source.js';
import { BUNDLED_POLICIES, BUNDLED_RESOURCES, PROJECT_ROOT } from '../generators/paths.js';
import { DOCUMENT_SCHEMAS, schemaHash } from '../generators/validate/document-schemas.js';
import { AJV_OPTIONS, PRECOMPILED_FILE } from '../generators/validate/schema-check.js';
import { BUNDLED_CATALOG } from './helpers/catalog.js';

const BUILT = join(PROJECT_ROOT, 'dist', 'generators', 'validate', PRECOMPILED_FILE);

type Precompiled = Record<string, ValidateFunction> & { hashes: Record<string, string> };

function loadBuilt(): Precompiled {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run make build (it writes the precompiled validators)`);
  return createRequire(import.meta.url)(BUILT) as Precompiled;
}

const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);

/** Service documents as the checker gets them: SLI templates and signals expanded by the loader. */
const servicesIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const { source } = parseYamlSource(f, readFileSync(join(dir, f), 'utf8'));
      return expandSignals(expandSliTemplates(source).source).source.data as Record<string, unknown>;
    });

/** Documents of each schema as the bundled catalog and the example platform write them. */
function documents(): [string, unknown][] {
  const example = join(BUNDLED_CATALOG, 'examples', 'platform');
  const services = [...servicesIn(join(BUNDLED_CATALOG, 'services')), ...servicesIn(join(example, 'services'))];
  return [
    ['defaults', parse(readFileSync(join(BUNDLED_CATALOG, 'defaults.yaml'), 'utf8'))],
    ['teams', parse(readFileSync(join(BUNDLED_CATALOG, 'teams.yaml'), 'utf8'))],
    ['maturity', parse(readFileSync(join(BUNDLED_CATALOG, 'maturity.yaml'), 'utf8'))],
    ...yamlIn(BUNDLED_POLICIES).map((d): [string, unknown] => ['policy', d]),
    ...yamlIn(BUNDLED_RESOURCES).map((d): [string, unknown] => ['resource', d]),
    ...yamlIn(join(BUNDLED_CATALOG, 'scales')).map((d): [string, unknown] => ['scale', d]),
    ...services.map((d): [string, unknown] => ['service', d]),
    ...services.flatMap((d) => (d.slis as Record<string, unknown>[]).map((sli): [string, unknown] => [`sli-${String(sli.kind)}`, sli])),
  ];
}

/** Broken copies of a mapping: each field missing, of the wrong type, and a misspelt field beside it. */
function broken(doc: unknown): unknown[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [42, 'text', []];
  const d = doc as Record<string, unknown>;
  return Object.keys(d).flatMap((k) => {
    const { [k]: value, ...rest } = d;
    const wrong = typeof value === 'string' ? 42 : typeof value === 'number' ? 'ninety-nine' : Array.isArray(value) ? { not: 'a list' } : [value];
    return [rest, { ...d, [k]: wrong }, { ...d, [`${k}s`]: value }, ...(Array.isArray(value) && value.length ? [{ ...d, [k]: [...value, 7] }] : [])];
  });
}

describe('precompiled document validators', () => {
  it('are the schemas of this build, one for every document schema', () => {
    const built = loadBuilt();
    expect(Object.keys(built.hashes).sort()).toEqual([...DOCUMENT_SCHEMAS.keys()].sort());
    for (const [name, schema] of DOCUMENT_SCHEMAS) {
      expect(built.hashes[name], `${name} was precompiled from another schema: run make build`).toBe(schemaHash(schema));
      expect(typeof built[name], name).toBe('function');
    }
  });

  it('accept and refuse every document, valid or broken, with the errors compiling the schema gives', () => {
    const built = loadBuilt();
    const ajv = new Ajv(AJV_OPTIONS);
    const compiled = new Map([...DOCUMENT_SCHEMAS].map(([name, schema]) => [name, ajv.compile(schema)]));
    let valid = 0;
    let refused = 0;
    for (const [name, doc] of documents()) {
      expect(compiled.has(name), `no schema ${name}`).toBe(true);
      for (const [i, d] of [doc, ...broken(doc)].entries()) {
        const reference = compiled.get(name)!;
        const ok = reference(d);
        expect(built[name]!(d), `${name} document ${i}`).toBe(ok);
        expect(built[name]!.errors ?? null, `${name} document ${i}`).toEqual(reference.errors ?? null);
        if (i === 0) expect(ok, `the bundled ${name} document is valid: ${JSON.stringify(reference.errors)}`).toBe(true);
        if (ok) valid++;
        else refused++;
      }
    }
    // Teeth: both verdicts occur, many times.
    expect(valid).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(500);
  });
});
