/**
 * Layer one of validation: every document against the catalog schema. Ajv's errors become
 * located problems with a fix, including the near match for a misspelt field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import type { TSchema } from '@sinclair/typebox';
import { closest, distance } from 'fastest-levenshtein';
import { positionOf, type PathSegment, type SourceFile } from '../load/yaml-source.js';
import { DefaultsSchema, JourneySchema, MaturitySchema, PATTERN_HINTS, PolicySchema, ResourceSchema, ScaleSchema, SLI_KINDS, SLI_SCHEMAS, TeamsSchema, type SliKind } from '../schema/catalog-schema.js';
import { DOCUMENT_SCHEMAS, schemaHash, ServiceShell } from './document-schemas.js';
import type { Problem } from './problems.js';

/** Ajv's options, shared with the build step that precompiles the validators. */
export const AJV_OPTIONS = { allErrors: true, strict: false } as const;
/** Where the build writes the precompiled validators, beside this module (CommonJS: loaded synchronously). */
export const PRECOMPILED_FILE = './document-validators.cjs';

const compiled = new Map<TSchema, ValidateFunction>();
let ajv: Ajv | undefined;

type Precompiled = Record<string, ValidateFunction> & { hashes?: Record<string, string> };
let precompiled: Precompiled | null | undefined;

/** The build's validators (precompile-validators.ts); none when running from the sources. */
function loadPrecompiled(): Precompiled | null {
  try {
    return createRequire(import.meta.url)(PRECOMPILED_FILE) as Precompiled;
  } catch {
    return null;
  }
}

function validatorFor(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (v) return v;
  if (precompiled === undefined) precompiled = loadPrecompiled();
  const name = [...DOCUMENT_SCHEMAS].find(([, s]) => s === schema)?.[0];
  const ready = name === undefined ? undefined : precompiled?.[name];
  // Used only if made from this very schema: a stale build compiles instead of checking against an old one.
  v = ready && precompiled?.hashes?.[name!] === schemaHash(schema) ? ready : (ajv ??= new Ajv(AJV_OPTIONS)).compile(schema);
  compiled.set(schema, v);
  return v;
}

function decodePointer(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `slis[1].objective`: how a person would point at a field. */
export function pathText(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function toProblem(source: SourceFile, base: readonly PathSegment[], err: ErrorObject, schema: TSchema): Problem | undefined {
  const path = [...base, ...decodePointer(err.instancePath)];
  // Named as the file writes it: a templated SLI is the entry it was made from.
  const where = path.length ? pathText(source.remap ? source.remap(path) : path) : 'the document';
  const at = (p: readonly PathSegment[], key = false) => ({ file: source.file, ...positionOf(source, p, key) });
  switch (err.keyword) {
    case 'additionalProperties': {
      const field = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = allowedKeys(schema, decodePointer(err.instancePath));
      const near = allowed.length ? closest(field, allowed) : undefined;
      const suggest = near && distance(field, near) <= Math.max(2, Math.floor(field.length / 3));
      return {
        ...at([...path, field], true),
        message: `unknown field "${field}" in ${where}`,
        hint: suggest ? `did you mean "${near}"?` : `allowed fields: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const field = String((err.params as { missingProperty: string }).missingProperty);
      return { ...at(path), message: `missing required field "${field}" in ${where}`, hint: `add "${field}:" (see catalog/schema/ for what it takes)` };
    }
    case 'type': {
      const expected = String((err.params as { type: string }).type);
      return { ...at(path), message: `${where} must be ${article(expected)}, found ${describeType(valueAt(source.data, path))}`, hint: `write ${article(expected)} here` };
    }
    case 'pattern': {
      const pattern = String((err.params as { pattern: string }).pattern);
      return { ...at(path), message: `${where} has an invalid value ${JSON.stringify(valueAt(source.data, path))}`, hint: `use ${PATTERN_HINTS[pattern] ?? `a value matching ${pattern}`}` };
    }
    case 'const':
    case 'enum': {
      const allowed = err.keyword === 'const' ? [(err.params as { allowedValue: unknown }).allowedValue] : (err.params as { allowedValues: unknown[] }).allowedValues;
      return { ...at(path), message: `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, hint: 'pick one of the listed values' };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = err.params as { comparison: string; limit: number };
      return { ...at(path), message: `${where} must be ${comparison} ${limit}, found ${JSON.stringify(valueAt(source.data, path))}`, hint: `use a value ${comparison} ${limit}` };
    }
    case 'minItems':
      return { ...at(path), message: `${where} must not be empty`, hint: 'add at least one entry' };
    case 'maxItems': {
      const found = (valueAt(source.data, path) as unknown[] | undefined)?.length;
      return { ...at(path, true), message: `${where} has ${found} entries; at most ${(err.params as { limit: number }).limit} are allowed`, hint: 'split it (another service or team file) or remove entries' };
    }
    case 'minLength':
      return { ...at(path), message: `${where} must not be empty`, hint: 'write a value' };
    case 'maxLength': {
      // Named as it is: a templated name (for_each, signals) is not written anywhere whole.
      const value = valueAt(source.data, path);
      const shown = typeof value === 'string' && value.length <= 80 ? ` ("${value}", ${value.length})` : '';
      return { ...at(path), message: `${where} is too long${shown}: at most ${(err.params as { limit: number }).limit} characters`, hint: 'shorten it' };
    }
    case 'anyOf':
      return undefined; // the branch errors say it better
    default:
      return { ...at(path), message: `${where}: ${err.message ?? 'invalid'}`, hint: 'see catalog/schema/ for the allowed shape' };
  }
}

function article(type: string): string {
  const name = type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** Property names allowed at a path of a schema (for "did you mean"). */
function allowedKeys(schema: TSchema, path: readonly PathSegment[]): string[] {
  let s: TSchema | undefined = schema;
  for (const seg of path) {
    if (!s) return [];
    if (typeof seg === 'number') s = (s as { items?: TSchema }).items;
    else s = (s as { properties?: Record<string, TSchema> }).properties?.[seg];
  }
  return Object.keys((s as { properties?: Record<string, TSchema> } | undefined)?.properties ?? {}).sort();
}

function check(source: SourceFile, schema: TSchema, data: unknown, base: readonly PathSegment[] = []): Problem[] {
  const validate = validatorFor(schema);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const err of validate.errors ?? []) {
    const p = toProblem(source, base, err, schema);
    if (!p) continue;
    const key = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return problems;
}

export function checkDefaults(source: SourceFile): Problem[] {
  return check(source, DefaultsSchema, source.data);
}

export function checkTeams(source: SourceFile): Problem[] {
  return check(source, TeamsSchema, source.data);
}

export function checkPolicy(source: SourceFile): Problem[] {
  return check(source, PolicySchema, source.data);
}

export function checkResource(source: SourceFile): Problem[] {
  return check(source, ResourceSchema, source.data);
}

export function checkScale(source: SourceFile): Problem[] {
  return check(source, ScaleSchema, source.data);
}

export function checkMaturity(source: SourceFile): Problem[] {
  return check(source, MaturitySchema, source.data);
}

export function checkJourney(source: SourceFile): Problem[] {
  return check(source, JourneySchema, source.data);
}

export interface ServiceCheck {
  readonly problems: Problem[];
  /** Service-level fields are valid and every SLI has a known kind. */
  readonly shellOk: boolean;
  /** SLIs (by index) that failed their kind's schema. */
  readonly invalidSlis: ReadonlySet<number>;
}

/** Checks a service; reports which parts are sound enough for the semantic checks to look at. */
export function checkService(source: SourceFile): ServiceCheck {
  const shell = check(source, ServiceShell, source.data);
  const problems = [...shell];
  const invalidSlis = new Set<number>();
  const slis = (source.data as { slis?: unknown } | null)?.slis;
  if (Array.isArray(slis)) {
    slis.forEach((sli, i) => {
      const kind = (sli as { kind?: unknown } | null)?.kind;
      if (typeof kind === 'string' && (SLI_KINDS as readonly string[]).includes(kind)) {
        const sliProblems = check(source, SLI_SCHEMAS[kind as SliKind], sli, ['slis', i]);
        if (sliProblems.length) invalidSlis.add(i);
        problems.push(...sliProblems);
      } else invalidSlis.add(i);
    });
  }
  return { problems, shellOk: shell.length === 0, invalidSlis };
}
