/** The text of a promtool test file. */
import { formatSeconds } from '../../model/duration.js';
import { toYaml } from '../yaml-text.js';
import type { TestGroup } from './scenarios.js';

export function testFileYaml(o: { ruleFiles: readonly string[]; step: number; groupOrder: readonly string[]; groups: readonly TestGroup[]; header: string }): string {
  return toYaml(
    {
      rule_files: o.ruleFiles,
      evaluation_interval: formatSeconds(o.step),
      // The order Prometheus would be least kind with is not knowable; a fixed one makes every
      // run evaluate the same way (without it, cross-group reads varied between runs).
      group_eval_order: o.groupOrder,
      tests: o.groups,
    },
    o.header,
  );
}
