/** Scenarios merged into lanes of one promtool group keep every check, or stay apart. */
import { describe, expect, it } from 'vitest';
import { inLanes, type Lane } from '../generators/emit/promtool-tests/lanes.js';
import type { AlertCheck, TestGroup } from '../generators/emit/promtool-tests/scenarios.js';

const alert = (cluster: string) => ({ exp_labels: { cluster, sli: 's' }, exp_annotations: { summary: `burning in ${cluster}` } });
const lane = (cluster: string, checks: AlertCheck[], extra: Partial<TestGroup> = {}): Lane => ({
  labels: { cluster, sli: 's' },
  group: { name: `svc/s: ${cluster}`, interval: '1m', input_series: [{ series: `x{cluster="${cluster}"}`, values: '0+1x10' }], alert_rule_test: checks, ...extra },
});

describe('inLanes', () => {
  it('checks an alert every lane checks once, for all lanes, and a lane quiet alone by its ALERTS series', () => {
    const merged = inLanes('svc/s: both', [
      lane('a', [
        { eval_time: '5m', alertname: 'Fast', exp_alerts: [] },
        { eval_time: '10m', alertname: 'Fast', exp_alerts: [alert('a')] },
      ]),
      lane('b', [{ eval_time: '10m', alertname: 'Fast', exp_alerts: [] }], { promql_expr_test: [{ expr: 'y{cluster="b"}', eval_time: '10m', exp_samples: [] }] }),
    ]);
    expect(merged).toEqual([
      {
        name: 'svc/s: both',
        interval: '1m',
        input_series: [
          { series: 'x{cluster="a"}', values: '0+1x10' },
          { series: 'x{cluster="b"}', values: '0+1x10' },
        ],
        alert_rule_test: [{ eval_time: '10m', alertname: 'Fast', exp_alerts: [alert('a')] }],
        promql_expr_test: [
          { expr: 'y{cluster="b"}', eval_time: '10m', exp_samples: [] },
          { expr: 'ALERTS{alertname="Fast", alertstate="firing", cluster="a", sli="s"}', eval_time: '5m', exp_samples: [] },
        ],
      },
    ]);
  });

  it('keeps scenarios apart when their lanes cannot be told apart or a lane alone expects an alert', () => {
    const same = [lane('a', [{ eval_time: '5m', alertname: 'Fast', exp_alerts: [] }]), lane('a', [{ eval_time: '5m', alertname: 'Fast', exp_alerts: [] }])];
    expect(inLanes('x', same)).toEqual(same.map((l) => l.group));
    const alone = [lane('a', [{ eval_time: '5m', alertname: 'Fast', exp_alerts: [alert('a')] }]), lane('b', [])];
    expect(inLanes('x', alone)).toEqual(alone.map((l) => l.group));
    const steps = [lane('a', []), { ...lane('b', []), group: { ...lane('b', []).group, interval: '30s' } }];
    expect(inLanes('x', steps)).toEqual(steps.map((l) => l.group));
  });
});
