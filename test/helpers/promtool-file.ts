/** A promtool unit-test file written by hand next to the rule files it reads, run by the real promtool. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes `rules` (file name to text) and a test file of `tests` (one minute evaluations) into `dir`; promtool's verdict. */
export function promtoolTest(dir: string, rules: Readonly<Record<string, string>>, tests: readonly object[], file = 'test.yml'): { ok: boolean; output: string } {
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, file), stringify({ rule_files: Object.keys(rules), evaluation_interval: '1m', tests }));
  const r = spawnSync('promtool', ['test', 'rules', file], { cwd: dir, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
