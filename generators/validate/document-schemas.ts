/**
 * Every schema a catalog document is checked against, by a stable name: the checker compiles
 * them (schema-check.ts), and the build writes them precompiled (precompile-validators.ts).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import { DefaultsSchema, JourneySchema, MaturitySchema, PolicySchema, ResourceSchema, ScaleSchema, ServiceSchema, oneOf, SLI_KINDS, SLI_SCHEMAS, TeamsSchema } from '../schema/catalog-schema.js';

/** The service schema with SLIs checked only for `kind`: each SLI is then checked against its kind alone,
 *  so a mistake in one SLI yields one clear error instead of one per kind. */
export const ServiceShell = Type.Object(
  {
    ...ServiceSchema.properties,
    slis: Type.Array(Type.Object({ kind: oneOf(SLI_KINDS, 'SLI kind.') }), {
      minItems: ServiceSchema.properties.slis.minItems,
      maxItems: ServiceSchema.properties.slis.maxItems,
    }),
  },
  { additionalProperties: false },
);

export const DOCUMENT_SCHEMAS: ReadonlyMap<string, TSchema> = new Map<string, TSchema>([
  ['defaults', DefaultsSchema],
  ['teams', TeamsSchema],
  ['policy', PolicySchema],
  ['resource', ResourceSchema],
  ['scale', ScaleSchema],
  ['maturity', MaturitySchema],
  ['journey', JourneySchema],
  ['service', ServiceShell],
  ...SLI_KINDS.map((kind): [string, TSchema] => [`sli-${kind}`, SLI_SCHEMAS[kind]]),
]);

/** What a compiled validator was made from: a precompiled one is used only for the schema it was compiled from. */
export function schemaHash(schema: TSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32);
}
