/** The JSON Schema files editors use, emitted from the TypeBox source of truth. */
import { CATALOG_SCHEMAS } from './catalog-schema.js';

export function jsonSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, schema] of Object.entries(CATALOG_SCHEMAS).sort(([a], [b]) => a.localeCompare(b))) {
    files.set(name, `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`);
  }
  return files;
}
