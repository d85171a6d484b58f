/** Recording rules and alerts as data: structure, conventions, and the SLO math in their PromQL. */
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { alertDefs, alertLabelSets } from '../generators/emit/alert-rules.js';
import { MAX_RULES_PER_GROUP, serviceRules } from '../generators/emit/rule-groups.js';
import { isAlert, type AlertingRule, type RecordingRule } from '../generators/emit/rule-types.js';
import { planWindows } from '../generators/emit/window-plan.js';
import { loadModel } from '../generators/pipeline.js';
import { checkExpression, metricNamesRead } from '../generators/promql/parse.js';
import { copyCatalog } from './helpers/catalog.js';

const { model } = loadModel(copyCatalog());
const m = model!;
const all = m.services.map((s) => ({ service: s, rules: serviceRules(m, s) }));
// SLO rules; the saturation groups (which read raw series by design) are covered by saturation.test.ts.
const sloGroups = (x: (typeof all)[number]) => x.rules.groups.filter((g) => !g.name.includes(':saturation'));
const recording = all.flatMap((x) => sloGroups(x).flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r))));
const alerts = all.flatMap((x) => sloGroups(x).flatMap((g) => g.rules.filter(isAlert)));

const parses = (expr: string) => checkExpression(expr).ok;

describe('rule groups', () => {
  it('have unique names, an explicit interval and at most 20 rules', () => {
    const groups = all.flatMap((x) => x.rules.groups);
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
    for (const g of groups) {
      expect(g.interval).toMatch(/^\d+[smhd]$/);
      expect(g.rules.length).toBeLessThanOrEqual(MAX_RULES_PER_GROUP);
      expect(g.name).toMatch(/^slokit:[a-z0-9-]+:(fast|slow|slo|service|saturation)(:\d+)?$/);
    }
  });

  it('every expression parses as PromQL', () => {
    for (const r of [...recording, ...alerts]) expect(parses(r.expr), r.expr).toBe(true);
  });
});

describe('recording rules follow the SLO math', () => {
  it('read raw series only in the raw (5m) window, and in the version count of each service that knows its version metric', () => {
    const slo = recording.filter((r) => r.record !== 'service:version_instances:count');
    expect(slo.filter((r) => metricNamesRead(r.expr).some((n) => !n.includes(':'))).length).toBe(2 * 15);
    expect(recording.length - slo.length).toBe(m.services.filter((s) => s.versionMetric).length);
    for (const r of slo) {
      const raw = metricNamesRead(r.expr).filter((n) => !n.includes(':'));
      if (raw.length) expect(r.record, r.expr).toMatch(/^sli:events_(bad|total):rate5m$/);
      else expect(metricNamesRead(r.expr).length, r.expr).toBeGreaterThan(r.expr.startsWith('vector(') ? -1 : 0);
    }
  });

  it('names are level:metric:operations, and `:` only in recorded names', () => {
    for (const r of recording) expect(r.record).toMatch(/^(sli|slo|service):[a-z_]+:[a-z0-9_]+$/);
  });

  it('keep numerator and denominator apart: every ratio is a quotient of two recorded rates of the same window', () => {
    for (const r of recording.filter((x) => x.record.startsWith('sli:error:ratio_rate'))) {
      const w = r.record.replace('sli:error:ratio_rate', '');
      expect(r.expr).toMatch(new RegExp(`^sli:events_bad:rate${w}\\{[^}]+\\}\\n/\\nsli:events_total:rate${w}\\{[^}]+\\}$`));
    }
  });

  it('read each raw series once per evaluation: the raw bad rule reuses the total recorded just before it', () => {
    const selectorsRead = (expr: string): string[] => {
      const out: string[] = [];
      parser.parse(expr).iterate({ enter: (n) => { if (n.name === 'VectorSelector') out.push(expr.slice(n.from, n.to)); } });
      return out;
    };
    let checked = 0;
    for (const { service, rules } of all) {
      for (const sli of service.slis.filter((x) => x.events.type !== 'raw')) {
        const group = rules.groups.find((g) => g.rules.some((r) => !isAlert(r) && r.record === 'sli:events_bad:rate5m' && r.labels?.sli === sli.name))!;
        const index = (name: string) => group.rules.findIndex((r) => !isAlert(r) && r.record === name && r.labels?.sli === sli.name);
        expect(index('sli:events_total:rate5m'), `${service.name}/${sli.name}`).toBeLessThan(index('sli:events_bad:rate5m'));
        const raw = [index('sli:events_total:rate5m'), index('sli:events_bad:rate5m')]
          .flatMap((i) => selectorsRead(group.rules[i]!.expr))
          .filter((sel) => !/^[a-z_]+:/.test(sel));
        expect(new Set(raw).size, raw.join('\n')).toBe(raw.length);
        checked++;
      }
    }
    expect(checked).toBe(14);
  });

  it('derive windows by averaging the 5m rate, or tiles of a fast window when 100 of them fit (no average of ratios)', () => {
    const registry = m.services.find((s) => s.name === 'registry')!;
    const sli = registry.slis[0]!;
    expect(planWindows(sli).map((p) => [p.window.text, p.family, p.span?.text ?? null, p.tile ? `${p.tile.window.text} every ${p.tile.step.text}` : null])).toEqual([
      ['5m', 'raw', null, null],
      ['30m', 'fast', '25m', null],
      ['1h', 'fast', '55m', null],
      ['2h', 'slow', '115m', null],
      ['6h', 'slow', '355m', null],
      ['1d', 'slow', '1435m', null],
      ['3d', 'slow', null, '30m every 25m'],
      ['30d', 'slow', null, '1h every 55m'],
    ]);
    const byName = (name: string) => recording.find((r) => r.record === name && r.labels?.service === 'registry' && r.labels?.sli === 'requests')!;
    // Averaging (window − 5m) of 5m rates covers exactly the window; every range stops half an
    // evaluation short, so no recorded sample or subquery step sits on its edge (Prometheus 2 and 3 agree).
    expect(byName('sli:events_bad:rate1h').expr).toBe('avg_over_time(sli:events_bad:rate5m{service="registry", sli="requests"}[54m30s])');
    expect(byName('sli:events_total:rate1d').expr).toBe('avg_over_time(sli:events_total:rate5m{service="registry", sli="requests"}[23h54m30s])');
    expect(byName('sli:events_total:rate30d').expr).toBe('avg_over_time(sli:events_total:rate1h{service="registry", sli="requests"}[29d23h59m30s:55m])');
    expect(byName('sli:events_bad:rate5m').expr).toBe(
      '(sum by (env, cluster) (rate(registry_http_requests_total{code=~"5.."}[5m])) or 0 * sum by (env, cluster) (sli:events_total:rate5m{service="registry", sli="requests"}))',
    );
    expect(recording.some((r) => /avg_over_time\(sli:error:ratio/.test(r.expr))).toBe(false);
  });

  it('latency SLIs count events above a bucket boundary, matching le written either way', () => {
    const r = recording.find((x) => x.record === 'sli:events_bad:rate5m' && x.labels?.sli === 'puma-latency')!;
    expect(r.expr).toBe(
      'sum by (env, cluster) (sli:events_total:rate5m{service="web", sli="puma-latency"}) - sum by (env, cluster) (rate(http_request_duration_seconds_bucket{job="gitlab-rails", le=~"1|1\\\\.0"}[5m]))',
    );
  });

  it('apdex counts tolerated events as half good', () => {
    const r = recording.find((x) => x.record === 'sli:events_bad:rate5m' && x.labels?.sli === 'request-apdex')!;
    const sel = 'job="gitlab-workhorse", route!~"^/-/(health|readiness|liveness)$"';
    const h = 'gitlab_workhorse_http_request_duration_seconds';
    expect(r.expr).toBe(
      `sum by (env, cluster) (sli:events_total:rate5m{service="workhorse", sli="request-apdex"}) - (sum by (env, cluster) (rate(${h}_bucket{${sel}, le=~"1|1\\\\.0"}[5m])) + sum by (env, cluster) (rate(${h}_bucket{${sel}, le=~"10|10\\\\.0"}[5m]))) / 2`,
    );
  });

  it('record objective, error budget, burn rate per alert window, budget remaining and a traffic-weighted service roll-up', () => {
    const names = new Set(recording.filter((r) => r.labels?.service === 'registry').map((r) => r.record));
    for (const n of ['slo:objective:ratio', 'slo:error_budget:ratio', 'slo:burn_rate:rate1h', 'slo:burn_rate:rate5m', 'slo:burn_rate:rate3d', 'slo:error_budget_remaining:ratio', 'service:error:ratio_rate5m', 'service:error:ratio_rate30d']) {
      expect(names.has(n), n).toBe(true);
    }
    const rollup = recording.find((r) => r.record === 'service:events_bad:rate1h' && r.labels?.service === 'registry')!;
    expect(rollup.expr).toBe('sum by (service, env, cluster) (sli:events_bad:rate1h{service="registry"})');
  });
});

describe('alerts', () => {
  const registry = m.services.find((s) => s.name === 'registry')!;
  const defs = alertDefs(m, registry, registry.slis[0]!);

  it("alert label sets (what the inhibition cases are written from) are the rules' names and labels, for every alert of the bundled catalog", () => {
    let checked = 0;
    for (const service of model!.services) {
      for (const sli of service.slis) {
        const defs = alertDefs(model!, service, sli);
        const sets = alertLabelSets(model!, service, sli);
        expect(sets.map((s) => [s.kind, s.name, s.severity, s.burn?.name])).toEqual(defs.map((d) => [d.kind, d.rule.alert, d.rule.labels.severity, d.burn?.name]));
        const place = { env: 'production', cluster: 'c1' };
        sets.forEach((s, i) => expect(s.expectedLabels(place)).toEqual(defs[i]!.expectedLabels(place)));
        checked += sets.length;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('one rule per window pair, with the conventional labels and annotations', () => {
    const burn = defs.filter((d) => d.kind === 'burn');
    expect(burn.map((d) => [d.rule.alert, d.rule.labels.long, d.rule.labels.short, d.rule.labels.severity])).toEqual([
      ['SlokitErrorBudgetBurnFast', '1h', '5m', 'critical'],
      ['SlokitErrorBudgetBurnModerate', '6h', '30m', 'critical'],
      ['SlokitErrorBudgetBurnSlow', '1d', '2h', 'warning'],
      ['SlokitErrorBudgetBurnGradual', '3d', '6h', 'warning'],
    ]);
    // burn_tier names the policy row, for routing and tier inhibition; only burn alerts have one.
    expect(burn.map((d) => d.rule.labels.burn_tier)).toEqual(['fast', 'moderate', 'slow', 'gradual']);
    for (const a of alerts as AlertingRule[]) {
      const tier = a.alert.startsWith('SlokitErrorBudgetBurn') && !a.alert.endsWith('LowTraffic') ? ['burn_tier'] : [];
      expect(Object.keys(a.labels).sort()).toEqual([...tier, 'component', 'long', 'service', 'severity', 'short', 'sli', 'team']);
      expect(a.alert).toMatch(/^Slokit[A-Z][A-Za-z]+$/);
      expect(a.annotations.summary).toMatch(/^[A-Z][^{}]+\.$/);
      expect(a.annotations.runbook_url).toMatch(/^https:\/\/gitlab\.example\.com\/platform\/runbooks\/-\/blob\/main\/runbooks\/[a-z0-9-]+\.md#[a-z0-9-]+$/);
      expect(a.annotations.dashboard_url).toMatch(/^https:\/\/grafana\.example\.com\/d\/slokit-[a-z0-9-]+\/[a-z0-9-]+\?/);
    }
  });

  it('page on the fast pair: short over threshold, long over threshold or a bound never above it, enough events', () => {
    expect(defs[0]!.rule.expr).toContain('(sli:error:ratio_rate5m{service="registry", sli="requests"} > 0.0144 + 1e-12)');
    // Bad events the raw window is sure of, over the long average plus both of its edges.
    expect(defs[0]!.rule.expr).toContain(
      '(0.64 * sli:events_bad:rate5m{service="registry", sli="requests"} * 300 / (sli:events_total:rate1h{service="registry", sli="requests"} * 3300 + sli:events_total:rate5m{service="registry", sli="requests"} * 300 + (sli:events_total:rate5m{service="registry", sli="requests"} offset 55m or 0 * sli:events_total:rate5m{service="registry", sli="requests"}) * 300) > 0.0144 + 1e-12)',
    );
    // Moderate's short window is not the raw one: no bound, and its slow long window is read with slack for a late write.
    expect(defs[1]!.rule.expr).not.toContain('0.64');
    expect(defs[1]!.rule.expr).toContain('(last_over_time(sli:error:ratio_rate6h{service="registry", sli="requests"}[10m30s]) > 0.006 + 1e-12)');
    expect(defs[0]!.rule.expr).toContain('(sli:events_total:rate1h{service="registry", sli="requests"} * 3600 >= 20)');
    expect(defs[0]!.anchor).toBe('requests-burn-fast');
    expect(defs[0]!.rule.annotations.description).toContain('{{ $value | humanizePercentage }}');
  });

  it('traffic cessation does not page and lets go of a series after the baseline window', () => {
    const tc = defs.find((d) => d.kind === 'traffic-cessation')!;
    expect(tc.rule.labels.severity).toBe('warning');
    expect(tc.rule.expr).toBe(
      '(sli:events_total:rate6h{service="registry", sli="requests"} * 1800 >= 100)\nunless\n(sli:events_total:rate30m{service="registry", sli="requests"} > 0)',
    );
  });

  it('an SLI whose series vanish pages where its burn rows page, unless it never had traffic', () => {
    const v = defs.find((d) => d.kind === 'vanished')!;
    expect(v.rule.alert).toBe('SlokitSLIVanished');
    expect(v.rule.labels.severity).toBe('critical');
    expect(v.rule.for).toBe('3m');
    expect(v.rule.expr).toBe(
      '(last_over_time(sli:events_total:rate6h{service="registry", sli="requests"}[10m30s]) * 1800 >= 100)\nunless\nsli:events_total:rate5m{service="registry", sli="requests"}',
    );
  });

  it('annotations render for tests exactly as Prometheus would', () => {
    const e = defs[0]!.expected({ env: 'prod uction', cluster: 'a&b' }, 0.0045);
    expect(e.annotations.description!.startsWith('0.45% of requests events were bad (failed) over the last 5m')).toBe(true);
    expect(e.annotations.dashboard_url).toMatch(/var-environment=prod\+uction&var-cluster=a%26b$/);
    expect(e.labels).toMatchObject({ env: 'prod uction', severity: 'critical', long: '1h' });
  });
});
