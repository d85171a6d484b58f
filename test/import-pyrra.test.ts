/** slokit import pyrra: Pyrra's ServiceLevelObjective objects, written here from its published CRD format. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './helpers/catalog.js';
import { FIXTURES, importWithCli, promtoolPasses } from './helpers/import.js';

interface SliDoc { name: string; kind: string; team?: string; experimental?: boolean; gauge?: string; bad?: string; total?: string; histogram?: string; threshold?: number; objective: number; period?: string; alert_policy?: string; significant_labels?: string[] }
interface ServiceDoc { name: string; team: string; slis: SliDoc[] }

const SLOS = join(FIXTURES, 'pyrra', 'slos.yaml');

describe('slokit import pyrra', () => {
  it("ratio, latency and bool_gauge indicators convert (target as text); Pyrra's windows for each period become an alert policy; the generated tests of each SLI pass promtool", async () => {
    const r = importWithCli<ServiceDoc>('pyrra', [SLOS], ['--skip-unsupported']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services.map((x) => x.name)).toEqual(['monitoring', 'prometheus']);
    const [probes, s] = r.services;
    expect(s!.name).toBe('prometheus');
    expect(s!.team).toBe('observability');
    expect(s!.slis).toEqual([
      expect.objectContaining({ name: 'prometheus-api-errors', kind: 'error-ratio', bad: 'prometheus_http_requests_total{job="prometheus-k8s", handler=~"/api.*", code=~"5.."}', total: 'prometheus_http_requests_total{job="prometheus-k8s", handler=~"/api.*"}', objective: 99.5, period: '4w', alert_policy: 'pyrra-4w', significant_labels: ['handler'] }),
      expect.objectContaining({ name: 'prometheus-api-latency', kind: 'latency', histogram: 'prometheus_http_request_duration_seconds{job="prometheus-k8s", handler=~"/api.*"}', threshold: 1, objective: 99, period: '30d', alert_policy: 'pyrra-30d' }),
    ]);
    // A probe's 0/1 gauge: each sample an event, the ones at 0 bad (its own tests prove the reads).
    expect(probes!.slis).toEqual([expect.objectContaining({ name: 'probe-success', kind: 'bool-gauge', gauge: 'probe_success{job="blackbox"}', objective: 99, period: '30d', alert_policy: 'pyrra-30d' })]);
    // Pyrra's four windows, scaled from 28 days by the period and rounded to the minute, as budget shares.
    const policy = (name: string) => parse(readFileSync(join(r.catalog, 'policies', `${name}.yaml`), 'utf8')) as { windows: { name: string; severity: string; budget_spent: number; long: string; short: string }[] };
    expect(policy('pyrra-4w').windows).toEqual([
      { name: 'page-fast', severity: 'critical', budget_spent: 0.020833333334, long: '1h', short: '5m' },
      { name: 'page-slow', severity: 'critical', budget_spent: 0.0625, long: '6h', short: '30m' },
      { name: 'ticket-fast', severity: 'warning', budget_spent: 0.071428571429, long: '1d', short: '2h' },
      { name: 'ticket-slow', severity: 'warning', budget_spent: 0.142857142858, long: '4d', short: '6h' },
    ]);
    expect(policy('pyrra-30d').windows.map((w) => [w.long, w.short])).toEqual([['1h4m', '5m'], ['6h26m', '32m'], ['1d1h43m', '2h9m'], ['4d6h51m', '6h26m']]);
    expect(r.stderr).toMatch(/slos\.yaml:13:11: note: SLO prometheus-api-errors: Pyrra's burn-rate windows for 4w become alert policy pyrra-4w \(policies\/pyrra-4w\.yaml\)/);
    expect(r.stderr).toMatch(/slos\.yaml:22:9: note: SLO prometheus-api-errors: the grouping by \(handler\) becomes group_by: an SLO per group, at most 20 groups per environment and cluster/);
    expect(s!.slis[0]).toMatchObject({ group_by: { labels: ['handler'], max_values: 20 } });
    // Every test of the catalog, the full suites of the shapes Pyrra's windows make included,
    // and each window suite's period test (Pyrra's longest window, 4d, is shorter than its periods).
    const files = await promtoolPasses(r.catalog, true);
    expect(files.filter((f) => f.startsWith('shapes/'))).toHaveLength(3);
    const suites = new Set(files.filter((f) => f.startsWith('windows/')).map((f) => f.split('/')[1]!));
    expect(suites.size).toBeGreaterThan(1);
    expect(files.filter((f) => f.startsWith('windows/')).sort()).toEqual([...suites].flatMap((id) => [`windows/${id}/period.test.yml`, `windows/${id}/windows.test.yml`]).sort());
  }, 300_000);

  it('SLOs of one application owned by two teams keep their owners; alerting disabled makes an experimental SLI; the catalog validates and its own tests pass promtool', async () => {
    const r = importWithCli<ServiceDoc>('pyrra', [join(FIXTURES, 'pyrra', 'owners.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const [web] = r.services;
    expect(web!.team).toBe('web-platform');
    expect(web!.slis.map((x) => [x.name, x.team, x.experimental])).toEqual([
      ['webservice-requests', undefined, undefined],
      ['webservice-imports', 'import-export', undefined],
      ['webservice-graphql', undefined, true],
    ]);
    expect(r.stderr).toMatch(/owners\.yaml:60:15: note: SLO webservice-graphql: alerting is disabled in Pyrra, so the SLI is experimental: recorded and drawn, never alerted on/);
    // The new catalog's teams.yaml lists the SLI's owner too.
    expect(readFileSync(join(r.catalog, 'teams.yaml'), 'utf8')).toMatch(/name: import-export/);
    expect((await promtoolPasses(r.catalog)).sort()).toEqual(['slis/webservice/webservice-graphql.test.yml', 'slis/webservice/webservice-imports.test.yml', 'slis/webservice/webservice-requests.test.yml']);
  }, 300_000);

  it('latencyNative is refused where it is written; by default nothing is imported', () => {
    const r = importWithCli<ServiceDoc>('pyrra', [SLOS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/slos\.yaml:56:7: unsupported: SLO apiserver-native-latency: latencyNative reads native histograms/);
    expect(r.stderr).not.toMatch(/bool_gauge/);
    expect(r.services).toEqual([]);
  });

  it('another document, a target that is no percentage and a missing team are located errors', () => {
    const sloth = importWithCli<ServiceDoc>('pyrra', [join(FIXTURES, 'sloth', 'long-names.yml')]);
    expect(sloth.code).toBe(1);
    expect(sloth.stderr).toMatch(/long-names\.yml:2:1: error: not a Pyrra SLO: expected apiVersion: pyrra\.dev\/v1alpha1 and kind: ServiceLevelObjective/);
    const file = join(scratchDir(), 'bad.yaml');
    writeFileSync(file, readFileSync(SLOS, 'utf8').split('---')[0]!.replace('target: "99.5"', 'target: "ninety-nine"').replace('    team: observability\n', ''));
    const bad = importWithCli<ServiceDoc>('pyrra', [file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml:9:5: error: SLO prometheus-api-errors has no team or owner label to take its team from\n {2}hint: add a team label, or pass --team TEAM/);
    expect(bad.stderr).toMatch(/bad\.yaml:11:11: error: target "ninety-nine" is not a percentage between 0 and 100 \(exclusive\), e\.g\. "99\.9"/);
  });
});
