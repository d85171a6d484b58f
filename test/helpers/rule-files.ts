/** A pack's Prometheus rule files, parsed once per pack: several checks read the same files. */
import { parsePackYaml } from '../../generators/pack-yaml.js';
import type { MixinGroup } from './mixin.js';

export interface RuleFile { groups: MixinGroup[] }

const parsed = new WeakMap<ReadonlyMap<string, string>, Map<string, RuleFile>>();

/** `prometheus/rules/*.yml` of a pack's files, by path, parsed. */
export function ruleFiles(files: ReadonlyMap<string, string>): Map<string, RuleFile> {
  let rules = parsed.get(files);
  if (!rules) {
    rules = new Map([...files].filter(([p]) => p.startsWith('prometheus/rules/')).map(([p, text]) => [p, parsePackYaml(text) as RuleFile]));
    parsed.set(files, rules);
  }
  return rules;
}
