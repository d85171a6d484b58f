/**
 * slokit import sloth: specs in the shapes of Sloth's published examples (written here for made-up services)
 * and our own specs. What converts must generate a pack that promtool accepts; what does not
 * must be reported at its line and column, and a refused import writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatFinding } from '../generators/import/draft.js';
import { importSloth } from '../generators/import/sloth.js';
import { loadModel } from '../generators/pipeline.js';
import { cli, copyCatalog, scratchDir } from './helpers/catalog.js';
import { FIXTURES as FIXTURE_ROOT, importFile, importWithCli, located, promtoolPasses } from './helpers/import.js';

const FIXTURES = join(FIXTURE_ROOT, 'sloth');


interface SliDoc { name: string; kind: string; bad?: string; good?: string; total?: string; histogram?: string; threshold?: number; objective: number }
interface ServiceDoc { name: string; team: string; tier: number; alerting?: { labels?: Record<string, string> }; slis: (SliDoc & { alerting?: Record<string, { labels?: Record<string, string>; annotations?: Record<string, string> } & Record<string, unknown>> })[] }



/** Specs in the shapes of Sloth's published examples, written here for made-up services. */
const PUBLISHED = join(FIXTURE_ROOT, 'sloth', 'published');

describe("Sloth specs in the shapes of its published examples", () => {
  it('getting-started shape: one error-ratio SLI; labels, alert labels and annotations kept or reported', () => {
    const r = importFile(importSloth, join(PUBLISHED, 'bookstore.yml'));
    expect(r.services).toHaveLength(1);
    const s = r.services[0]!;
    expect(s).toMatchObject({ name: 'bookstore', team: 'shelf-team', tier: 2, alerting: { labels: { repo: 'acme/bookstore' } } });
    expect(s.slis).toEqual([
      {
        name: 'orders-availability',
        description: 'Order pages answered without a server error.',
        kind: 'error-ratio',
        bad: 'bookstore_http_requests_total{handler="orders", code=~"(5..|429)"}',
        total: 'bookstore_http_requests_total{handler="orders"}',
        objective: 99.9,
        alerting: { labels: { category: 'availability' }, page: { labels: { routing_key: 'shelf-team' } }, ticket: { labels: { chat_channel: '#shelf-alerts' } } },
      },
    ]);
    expect(located(r.findings, 'note')).toEqual([
      expect.stringMatching(/^20:13 alert name BookstoreOrdersErrors is not kept/),
      expect.stringMatching(/^24:18 annotation summary is not kept/),
      expect.stringMatching(/^27:21 label severity is not kept/),
      expect.stringMatching(/^31:21 label severity is not kept/),
    ]);
    expect(located(r.findings, 'unsupported')).toEqual([]);
  });

  it('kubernetes-apiserver shape: availability and a latency histogram (total minus good bucket) convert, and the generated tests pass promtool', async () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(PUBLISHED, 'api-gateway.yml')], ['--team', 'platform']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services.map((s) => s.slis.map((x) => [x.name, x.kind, x.histogram ?? x.bad, x.threshold ?? x.total, x.objective]))).toEqual([
      [
        ['requests-availability', 'error-ratio', 'gateway_requests_total{code=~"(5..|429)"}', 'gateway_requests_total', 99.9],
        ['requests-latency', 'latency', 'gateway_request_duration_seconds{route!="stream"}', 0.25, 99],
      ],
    ]);
    // Sloth's labels cluster and component are slokit's own: reported, not silently dropped.
    expect(r.stderr).toMatch(/api-gateway\.yml:7:12: note: label cluster is not kept/);
    expect(r.stderr).toMatch(/api-gateway\.yml:8:14: note: label component is not kept/);
    expect(await promtoolPasses(r.catalog)).toEqual(['slis/api-gateway/requests-availability.test.yml', 'slis/api-gateway/requests-latency.test.yml']);
  }, 300_000);

  it('multifile shape: two services from one file; no-alerts shape: pages disabled gives tier 3', () => {
    expect(importFile(importSloth, join(PUBLISHED, 'two-services.yml')).services.map((s) => [s.name, s.team, s.tier, s.slis[0]!.objective])).toEqual([
      ['bookstore', 'shelf-team', 2, 99.9],
      ['checkout', 'till-team', 1, 99.99],
    ]);
    const quiet = importFile(importSloth, join(PUBLISHED, 'quiet.yml'));
    expect(quiet.services[0]!.tier).toBe(3);
    expect(located(quiet.findings, 'note').join('\n')).toMatch(/ticket alerts cannot be disabled/);
  });

  it('one SLO of a service with its page alert disabled opens tickets only (alerting.pages: false); the service and its other SLO still page', () => {
    const r = importFile(importSloth, join(PUBLISHED, 'night-batch.yml'));
    const [billing] = r.services;
    expect(billing!.tier).toBe(2);
    expect(billing!.slis.map((x) => [x.name, x.alerting?.pages])).toEqual([
      ['api-availability', undefined],
      ['invoice-runs', false],
    ]);
    expect(located(r.findings, 'note').join('\n')).toMatch(/some SLOs of billing disable page alerts: those SLIs open tickets only \(alerting\.pages: false\)/);
    // Every SLO quiet: the service's tier says it once, no SLI repeats it.
    const quiet = importFile(importSloth, join(PUBLISHED, 'quiet.yml'));
    expect(quiet.services[0]!.slis.every((x) => x.alerting?.pages === undefined)).toBe(true);
  });

  it('home-wifi shape (gauges), raw-home-wifi shape (an average of a gauge), 7d windows and OpenSLO files are refused where they are written', () => {
    expect(located(importFile(importSloth, join(PUBLISHED, 'gauges.yml'), 'platform').findings, 'unsupported')).toEqual([
      expect.stringMatching(/^14:22 SLO good-signal: the total query is not a counter/),
      expect.stringMatching(/^30:22 SLO usable-signal: the total query is not a counter/),
    ]);
    expect(located(importFile(importSloth, join(PUBLISHED, 'raw-average.yml'), 'platform').findings, 'unsupported')).toEqual([expect.stringMatching(/^13:28 SLO average-signal: this raw SLI's error ratio is not a ratio of counter rates/)]);
    // 40% of a 7d budget in 3d tickets at 0.93x the sustainable burn rate, which slokit refuses.
    expect(located(importFile(importSloth, join(PUBLISHED, 'windows-7d.yaml')).findings, 'unsupported')).toEqual([expect.stringMatching(/^22:27 ticket\.slow \(40% of the 7d budget in 3d\) fires at 0\.93x the sustainable burn rate/)]);
    const openslo = importFile(importSloth, join(PUBLISHED, 'openslo-v1alpha.yml'));
    expect(openslo.services).toEqual([]);
    expect(openslo.findings.map(formatFinding).join('\n')).toMatch(/this is an OpenSLO SLO document[\s\S]*slokit import openslo/);
  });
});

describe('our own Sloth specs', () => {
  it('a PrometheusServiceLevel object: total minus good counters, increase(), grouping, template-looking text; the generated tests of each SLI pass promtool', async () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'service-level-crd.yml')]);
    expect(r.code, r.stderr).toBe(0);
    const [s] = r.services;
    expect(s).toMatchObject({ name: 'checkout-api', team: 'payments', tier: 1 });
    expect(s!.slis.map((x) => [x.name, x.kind, x.good ?? x.histogram, x.total ?? x.threshold])).toEqual([
      ['requests-availability', 'error-ratio', 'checkout_requests_total{code!~"5.."}', 'checkout_requests_total'],
      ['latency', 'latency', 'checkout_duration_seconds{route="/pay"}', 0.5],
    ]);
    expect(r.stderr).toMatch(/service-level-crd\.yml:19:11: note: SLO requests-availability: the grouping by \(code\) is not kept/);
    expect(await promtoolPasses(r.catalog)).toHaveLength(2);
    // The annotation that looks like a template reaches the alert as text (the generated tests expect it verbatim).
    const rules = readFileSync(join(r.catalog, 'services', 'checkout-api.yaml'), 'utf8');
    expect(rules).toContain("note: '{{ $labels.instance }} is not a template here'");
  }, 300_000);

  it('a PrometheusServiceLevel is read in its own camelCase; the file form\'s spelling, plugins and a missing owner are each located, all in one run', () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'crd-mistakes.yml')]);
    expect(r.code).toBe(1);
    // The owner is missing, and the SLOs' own problems are reported in the same run.
    expect(r.stderr).toMatch(/crd-mistakes\.yml:8:3: error: service search has no owner label/);
    expect(r.stderr).toMatch(/crd-mistakes\.yml:14:24: error: error_query is how a prometheus\/v1 spec spells it; in a PrometheusServiceLevel it is errorQuery\n {2}hint: rename it to errorQuery \(Kubernetes drops a field its schema does not know\)/);
    expect(r.stderr).toMatch(/crd-mistakes\.yml:15:24: error: total_query is how a prometheus\/v1 spec spells it; in a PrometheusServiceLevel it is totalQuery/);
    expect(r.stderr).not.toMatch(/events needs/);
    expect(r.stderr).toMatch(/crd-mistakes\.yml:23:13: note: SLO indexing: SLO plugin sloth\.dev\/core\/debug\/v1 is not applied/);
    expect(r.stderr).toMatch(/crd-mistakes\.yml:24:13: note: SLO indexing: SLO plugin example\.com\/labels\/v1 with config \{"labels":\{"cost_center":"search"\}\} is not applied/);
    // Written in camelCase throughout, the same SLO imports: its raw ratio and its page and ticket labels are read.
    const camel = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'crd-camel.yml')]);
    expect(camel.code, camel.stderr).toBe(0);
    expect(camel.services[0]?.slis[0]).toMatchObject({
      name: 'indexing',
      kind: 'error-ratio',
      bad: 'search_index_errors_total',
      total: 'search_index_total',
      alerting: { page: { labels: { pager: 'search-oncall' } }, ticket: { labels: { channel: '#search' } } },
    });
  });

  it('two SLO names that cut to the same 30 characters get distinct SLI names, each change noted', () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'long-names.yml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services[0]!.slis.map((x) => x.name)).toEqual(['requests-availability-for-the', 'requests-availability-for-th-2']);
    expect(r.stderr).toMatch(/long-names\.yml:13:11: note: SLO "requests-availability-for-the-internal-api" is named requests-availability-for-th-2 in the catalog: requests-availability-for-the is taken by another SLO of myservice/);
  });

  it("specs that ran with Sloth's built-in 28d windows (--sloth-period 28d) get period 28d and the four-weeks policy, with what differs noted", () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'long-names.yml')], ['--sloth-period', '28d']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services[0]!.slis.map((x) => [(x as { period?: string }).period, (x as { alert_policy?: string }).alert_policy])).toEqual([['28d', 'four-weeks'], ['28d', 'four-weeks']]);
    expect(r.stderr).toMatch(/long-names\.yml:1:1: note: Sloth's built-in 28d windows become period 28d with the bundled four-weeks policy: .*3d ticket spends 11% of the budget, not 10%/);
    const wrong = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'long-names.yml')], ['--sloth-period', '7d']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--sloth-period takes 28d or 30d/);
  });

  it('refused SLOs (an average of a gauge, a plugin, gauges) are each located; by default nothing is written, and exit is 1', () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'refused.yml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused\.yml:11:28: unsupported: SLO ratio: this raw SLI's error ratio is not a ratio of counter rates/);
    expect(r.stderr).toMatch(/refused\.yml:16:9: unsupported: SLO plugin: Sloth SLI plugins are Go code/);
    expect(r.stderr).toMatch(/refused\.yml:22:22: unsupported: SLO gauges: the total query is not a counter/);
    expect(r.stderr).toMatch(/nothing was imported/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(r.catalog)).toBe(false);
  });

  it('raw SLIs that divide counter rates convert (bad over total, 1 - good over total, a histogram bucket over its count); an average of a gauge does not', () => {
    const r = importFile(importSloth, join(FIXTURES, 'raw-ratios.yml'));
    expect(r.services[0]!.slis.map((x) => [x.name, x.kind, x.bad ?? x.histogram, x.total ?? x.threshold])).toEqual([
      ['failures', 'error-ratio', 'upload_failures_total{bucket="media"}', 'uploads_total{bucket="media"}'],
      ['fast', 'latency', 'upload_seconds', 2],
    ]);
    expect(located(r.findings, 'unsupported')).toEqual([expect.stringMatching(/^24:28 SLO average: this raw SLI's error ratio is not a ratio of counter rates/)]);
  });

  it('queries that add up counters or histograms convert to combined SLIs, not raw PromQL, and their generated tests pass promtool', async () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'sums.yml')]);
    expect(r.code, r.stderr).toBe(0);
    const slis = r.services[0]!.slis as unknown as Record<string, unknown>[];
    expect(slis.map((x) => [x.name, x.kind])).toEqual([
      ['jobs', 'error-ratio'],
      ['staged', 'error-ratio'],
      ['calls', 'latency'],
    ]);
    expect(slis[0]).toMatchObject({ bad: ['worker_jobs_failed_total{job="worker"}', 'worker_jobs_interrupted_total{job="worker"}'], total: 'worker_jobs_completed_total{job="worker"}' });
    expect(slis[1]).toMatchObject({
      bad: ['worker_http_requests_total{stage="main", code=~"5.."}', 'worker_http_requests_total{stage="cny", code=~"5.."}'],
      total: ['worker_http_requests_total{stage="main"}', 'worker_http_requests_total{stage="cny"}'],
    });
    expect(slis[2]).toMatchObject({ histograms: [{ histogram: 'worker_grpc_seconds{grpc_type="unary"}', threshold: 1 }, { histogram: 'worker_grpc_seconds{grpc_type="stream"}', threshold: 10 }] });
    expect(await promtoolPasses(r.catalog)).toEqual(['slis/workers/jobs.test.yml', 'slis/workers/staged.test.yml', 'slis/workers/calls.test.yml']);
  }, 300_000);

  it('AlertWindows become an alert policy in the catalog that every SLO of the import uses', () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'odd-names.yml'), join(FIXTURES, 'windows-30d.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/windows-30d\.yaml:1:1: note: every imported SLO gets period 30d and alert policy sloth-30d/);
    const policy = parse(readFileSync(join(r.catalog, 'policies', 'sloth-30d.yaml'), 'utf8')) as { windows: { name: string; severity: string; budget_spent: number; long: string; short: string }[] };
    expect(policy.windows.map((w) => [w.name, w.severity, w.budget_spent, w.long, w.short])).toEqual([
      ['page-quick', 'critical', 0.02, '1h', '5m'],
      ['page-slow', 'critical', 0.05, '6h', '30m'],
      ['ticket-quick', 'warning', 0.1, '1d', '2h'],
      ['ticket-slow', 'warning', 0.1, '3d', '6h'],
    ]);
    const model = loadModel(r.catalog).model!;
    for (const s of model.services) for (const x of s.slis) expect([x.policyName, x.period.text, x.alerts.map((a) => a.name)]).toEqual(['sloth-30d', '30d', ['page-quick', 'page-slow', 'ticket-quick', 'ticket-slow']]);
  });

  it('a broken spec is an error with its location, even with --skip-unsupported', () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'broken.yml')], ['--skip-unsupported']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yml:2:1: error: service is missing or not text/);
    expect(existsSync(r.catalog)).toBe(false);
  });

  it('names become slokit names, two services come from one file, and --skip-unsupported imports the rest of a mixed batch', () => {
    const r = importWithCli<ServiceDoc>('sloth', [join(FIXTURES, 'odd-names.yml'), join(FIXTURES, 'refused.yml')], ['--skip-unsupported']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services.map((s) => [s.name, s.team, s.tier, s.slis.map((x) => x.name)])).toEqual([
      ['search-api', 'search-team', 2, ['queries']],
      ['search-indexer-eu', 'search-team', 2, ['docs-indexed-ok']],
    ]);
    expect(r.stderr).toMatch(/odd-names\.yml:3:10: note: service "Search\.Indexer \(EU\)" is named search-indexer-eu/);
    expect(r.stderr).toMatch(/odd-names\.yml:18:9: note: tier "5" is not a slokit tier/);
    expect(r.stdout).toMatch(/imported 2 service\(s\) with 2 SLI\(s\) .*\(3 part\(s\) skipped/);
    const teams = parse(readFileSync(join(r.catalog, 'teams.yaml'), 'utf8')) as { teams: { name: string; chat: string }[] };
    expect(teams.teams.map((t) => t.name)).toEqual(['search-team']);
    expect(loadModel(r.catalog).problems).toEqual([]);
  });

  it('a new catalog may be in a folder that does not exist yet', () => {
    const catalog = join(scratchDir(), 'teams', 'search', 'catalog');
    const r = cli(['import', 'sloth', join(FIXTURES, 'odd-names.yml'), '--catalog', catalog]);
    expect(r.code, r.stderr).toBe(0);
    expect(loadModel(catalog).model!.services.map((s) => s.name)).toEqual(['search-api', 'search-indexer-eu']);
  });

  it('into an existing catalog: the team must be listed there, and no service file is replaced', () => {
    const catalog = copyCatalog();
    const missingTeam = cli(['import', 'sloth', join(FIXTURES, 'odd-names.yml'), '--catalog', catalog]);
    expect(missingTeam.code).toBe(1);
    expect(missingTeam.stderr).toMatch(/team search-team of service search-api is not in .*teams\.yaml/);
    const ok = cli(['import', 'sloth', join(FIXTURES, 'odd-names.yml'), '--catalog', catalog, '--team', 'data-stores']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(loadModel(catalog).model!.services.map((s) => s.name)).toContain('search-indexer-eu');
    const again = cli(['import', 'sloth', join(FIXTURES, 'odd-names.yml'), '--catalog', catalog, '--team', 'data-stores']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/services\/search-api\.yaml already exists/);
  });
});
