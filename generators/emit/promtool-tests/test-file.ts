/** out/prometheus/tests/<service>.test.yml: promtool unit tests for every alert of a service. */
import type { Model, Service } from '../../model/types.js';
import { formatSeconds } from '../../model/duration.js';
import { outputPaths } from '../../naming.js';
import type { AlertDef } from '../alert-rules.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { sliPeriodTestGroups, sliTestGroups, type TestGroup } from './scenarios.js';

export function serviceTestGroups(model: Model, service: Service, alerts: readonly { sliName: string; def: AlertDef }[]): { step: number; groups: TestGroup[] } {
  const step = Math.min(...service.slis.map((s) => s.evaluation.fastInterval.seconds));
  const groups = service.slis.flatMap((sli) =>
    sliTestGroups(model, service, sli, alerts, step),
  );
  return { step, groups };
}

export function testFileText(service: Service, step: number, groups: readonly TestGroup[], groupOrder: readonly string[]): string {
  return toYaml(
    {
      rule_files: [outputPaths.rulesFromTests(service)],
      evaluation_interval: formatSeconds(step),
      // The order Prometheus would be least kind with is not knowable; a fixed one makes every
      // run evaluate the same way (without it, cross-group reads varied between runs).
      group_eval_order: groupOrder,
      tests: groups,
    },
    `${GENERATED_HEADER}\nRun: promtool test rules ${outputPaths.tests(service).replace(/^prometheus\//, '')}`,
  );
}

/** The period scenarios, at half the shortest raw window: days of data at a cheaper step. */
export function servicePeriodTestGroups(model: Model, service: Service): { step: number; groups: TestGroup[] } {
  const step = Math.min(...service.slis.map((s) => s.evaluation.rawWindow.seconds)) / 2;
  return { step, groups: service.slis.flatMap((sli) => sliPeriodTestGroups(model, service, sli, step)) };
}
