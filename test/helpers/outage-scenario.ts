/**
 * The generated promtool tests cut down to each SLI's full-outage scenario: it asserts that the
 * pages fire with their exact labels and annotations, so it proves the SLI's selectors match the
 * series the test feeds, at about 1 s of promtool per SLI instead of about 35 s for every
 * scenario. Used where the scenarios themselves are tested elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parsePackYaml } from '../../generators/pack-yaml.js';
import { toYaml } from '../../generators/emit/yaml-text.js';

export const isOutageScenario = (test: { name: string }) => / full outage pages /.test(test.name);

/** Writes `<name>.outage.yml` next to a test file and returns its path. */
export function outageOnly(testFile: string): string {
  const doc = parsePackYaml(readFileSync(testFile, 'utf8')) as { rule_files: string[]; tests: { name: string }[] };
  const out = testFile.replace(/\.test\.yml$/, '.outage.yml');
  // Our own writer: the yaml package leaves U+2028 unquoted, which promtool's YAML 1.1 reads as a line break.
  writeFileSync(out, toYaml({ ...doc, tests: doc.tests.filter(isOutageScenario) }));
  return out;
}
