/** slokit test's reading of promtool's failures: each named by its test group, with a one-line reason. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { readFailures } from '../generators/test-pack.js';
import { scratchDir } from './helpers/catalog.js';

describe('readFailures', () => {
  it('names the group of every failed alert and expression check, with what was expected and what came', () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const dir = scratchDir('slokit-failures-');
    writeFileSync(join(dir, 'r.yml'), 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x > 1\n  - record: y\n    expr: x * 2\n');
    writeFileSync(
      join(dir, 't.test.yml'),
      `rule_files: [r.yml]
tests:
- interval: 1m
  name: 'svc/sli: outage, two checks wrong'
  input_series: [{series: x, values: '0 5 5'}]
  alert_rule_test: [{eval_time: 2m, alertname: A, exp_alerts: []}]
  promql_expr_test: [{expr: y, eval_time: 2m, exp_samples: [{labels: y, value: 3}]}]
- interval: 1m
  name: 'svc/sli: quiet, right'
  input_series: [{series: x, values: '0 0'}]
  alert_rule_test: [{eval_time: 1m, alertname: A, exp_alerts: []}]
- interval: 1m
  name: 'svc/sli: an expression check alone'
  input_series: [{series: x, values: '0 5 5'}]
  promql_expr_test: [{expr: y, eval_time: 1m, exp_samples: [{labels: y, value: 3}]}]
- interval: 1m
  name: 'svc/other: missing alert'
  input_series: [{series: x, values: '0 0'}]
  alert_rule_test: [{eval_time: 1m, alertname: A, exp_alerts: [{}]}]
- interval: 1m
  name: 'svc/sli: two lanes, one quiet'
  input_series: [{series: 'x{cluster="a"}', values: '0 5'}, {series: 'x{cluster="b"}', values: '0 0'}]
  alert_rule_test: [{eval_time: 1m, alertname: A, exp_alerts: [{exp_labels: {cluster: a}}, {exp_labels: {cluster: b}}]}]
- interval: 1m
  name: 'svc/sli: right alert, wrong annotation'
  input_series: [{series: x, values: '0 5'}]
  alert_rule_test: [{eval_time: 1m, alertname: A, exp_alerts: [{exp_annotations: {summary: s}}]}]
`,
    );
    const r = spawnSync('promtool', ['test', 'rules', 't.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const text = readFileSync(join(dir, 't.test.yml'), 'utf8');
    expect(readFailures(`${r.stdout}${r.stderr}`, text)).toEqual([
      { group: 'svc/sli: outage, two checks wrong', reason: 'A at 2m: expected 0 firing alert(s), got 1' },
      { group: 'svc/sli: outage, two checks wrong', reason: '"y" at 2m: expected {__name__="y"} 3E+00, got {__name__="y"} 1E+01' },
      // promtool names no group before an expression check: it is found by its expression and time.
      { group: 'svc/sli: an expression check alone', reason: '"y" at 1m: expected {__name__="y"} 3E+00, got {__name__="y"} 1E+01' },
      { group: 'svc/other: missing alert', reason: 'A at 1m: expected 1 firing alert(s), got 0' },
      // Alerts in lanes (lanes.ts) are named by what sets them apart.
      { group: 'svc/sli: two lanes, one quiet', reason: 'A at 1m: expected 2 firing alert(s), got 1; missing {cluster="b"}' },
      { group: 'svc/sli: right alert, wrong annotation', reason: 'A at 1m: expected 1 firing alert(s), got 1; the labels match, the annotations differ' },
    ]);
  });
});
