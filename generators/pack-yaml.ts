/**
 * Reads YAML that slokit wrote itself (rule files, promtool test files): with js-yaml's core
 * schema, about eight times faster than the yaml package, whose documents keep every node's
 * place in the text. The catalog loader keeps those, for located errors; a generated file
 * needs none, and `slokit test` reads megabytes of them (a 100 KB rule file per service).
 * The core schema resolves scalars as the yaml package's default does (no timestamps, no
 * YAML 1.1 booleans), so both read a pack the same (tested on every generated file).
 */
import jsyaml from 'js-yaml';

export function parsePackYaml(text: string): unknown {
  return jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
}
