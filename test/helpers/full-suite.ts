/**
 * The full scenario suite of a service's SLIs under their own names, against the service's
 * whole rule file: what the pack runs once per rule shape (and window suite) on canonical series, built here for
 * the tests that run the scenarios against rules the pack does not test that way (the split
 * rulers, the detection-time measurement).
 */
import { parsePackYaml } from '../../generators/pack-yaml.js';
import type { Pack } from '../../generators/emit/pack.js';
import { sliPeriodTestGroups, sliTestGroups, sliWindowTestGroups, type TestGroup } from '../../generators/emit/promtool-tests/scenarios.js';
import { serviceRules } from '../../generators/emit/rule-groups.js';
import type { Model } from '../../generators/model/types.js';
import { formatSeconds } from '../../generators/model/duration.js';

export interface SuiteFile {
  rule_files: string[];
  evaluation_interval: string;
  group_eval_order: string[];
  tests: TestGroup[];
}

export function fullSuite(model: Model, serviceName: string, which: 'main' | 'period' = 'main'): SuiteFile {
  const service = model.services.find((s) => s.name === serviceName)!;
  const rules = serviceRules(model, service);
  const step = which === 'main' ? Math.min(...service.slis.map((s) => s.evaluation.fastInterval.seconds)) : Math.min(...service.slis.map((s) => s.evaluation.rawWindow.seconds)) / 2;
  const tests = service.slis.flatMap((sli) => (which === 'main' ? [...sliTestGroups(model, service, sli, rules.alerts, step), ...sliWindowTestGroups(model, service, sli, step)] : sliPeriodTestGroups(model, service, sli, step)));
  return { rule_files: [`../rules/${service.name}.yml`], evaluation_interval: formatSeconds(step), group_eval_order: rules.groups.map((g) => g.name), tests };
}

/** Test group names of a pack's SLI's own tests file (slis/<service>/<sli>.test.yml), parsed. */
export function ownTests(pack: Pack, service: string, sli: string): SuiteFile {
  return parsePackYaml(pack.files.get(`prometheus/tests/slis/${service}/${sli}.test.yml`)!) as SuiteFile;
}
