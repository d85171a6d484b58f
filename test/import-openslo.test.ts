/**
 * slokit import openslo and slokit export openslo: OpenSLO v1 documents (and the v1alpha SLOs of
 * Sloth's examples) into the catalog, every part not converted reported where it is written,
 * and a round trip of the bundled catalog that keeps what OpenSLO can express, down to the
 * recording rules generated from it.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { exportOpenSlo } from '../generators/export/openslo.js';
import { importOpenSlo } from '../generators/import/openslo.js';
import { loadModel } from '../generators/pipeline.js';
import { promtoolAsync, PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { cli, copyCatalog, ROOT, scratchDir } from './helpers/catalog.js';
import { FIXTURES as FIXTURE_ROOT, importFile, importWithCli, located, promtoolPasses } from './helpers/import.js';
import { openSloCanSay } from './helpers/openslo-round-trip.js';

const FIXTURES = join(FIXTURE_ROOT, 'openslo');


interface SliDoc { name: string; description?: string; kind: string; bad?: string; good?: string; total?: string; histogram?: string; threshold?: number; objective: number; period?: string; alert_policy?: string }
interface ServiceDoc { name: string; description: string; team: string; tier: number; slis: SliDoc[] }


describe('OpenSLO v1alpha as Sloth reads it', () => {
  it('converts: availability over good events, and two latency objectives of one SLO as two SLIs', () => {
    const r = importFile(importOpenSlo, join(FIXTURE_ROOT, 'sloth', 'published', 'openslo-v1alpha.yml'), 'platform');
    expect(located(r.findings, 'unsupported')).toEqual([]);
    expect(r.services.map((s) => s.slis.map((x) => [x.name, x.kind, x.good ?? x.histogram, x.total ?? x.threshold, x.objective, x.period]))).toEqual([
      [
        ['gateway-availability', 'error-ratio', 'gateway_requests_total{code!~"(5..|429)"}', 'gateway_requests_total', 99.9, '30d'],
        ['gateway-latency-1', 'latency', 'gateway_request_duration_seconds{route!="stream"}', 0.25, 99, '30d'],
        ['gateway-latency-2', 'latency', 'gateway_request_duration_seconds{route!="stream"}', 2, 99.9, '30d'],
      ],
    ]);
  });
});

describe('our own OpenSLO v1 documents', () => {
  it('Service, DataSource, SLI and SLO documents convert (team and tier labels, 28d with the four-weeks policy, a histogram threshold); the generated tests of each SLI pass promtool', async () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'checkout.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services).toEqual([
      {
        name: 'checkout',
        description: 'Checkout API that takes payments.',
        team: 'payments',
        tier: 1,
        slis: [
          { name: 'availability', description: 'Checkout requests that did not fail.', kind: 'error-ratio', good: 'checkout_requests_total{code!~"5.."}', total: 'checkout_requests_total', objective: 99.95, period: '28d', alert_policy: 'four-weeks' },
          { name: 'latency', description: 'Payments answered within 300 ms.', kind: 'latency', histogram: 'checkout_duration_seconds{route="/pay"}', threshold: 0.3, objective: 99, period: '30d' },
        ],
      },
    ]);
    expect(r.stderr).toMatch(/checkout\.yaml:80:18: note: SLO latency: alert policies are not converted/);
    expect(r.stderr).toMatch(/checkout\.yaml:83:7: note: AlertPolicy is not converted/);
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    expect(await promtoolPasses(r.catalog)).toContain('slis/checkout/availability.test.yml');
  }, 300_000);

  it('calendar windows, timeslices, other sources and thresholds on gauges are refused where they are written', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'refused.yaml')], ['--team', 'ledger']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('unsupported:'));
    expect(lines).toEqual([
      expect.stringMatching(/refused\.yaml:18:9: unsupported: calendar-aligned windows are not supported/),
      expect.stringMatching(/refused\.yaml:38:20: unsupported: SLO timeslices: budgeting method Timeslices is not supported/),
      expect.stringMatching(/refused\.yaml:57:39: unsupported: metric source "Datadog" is not Prometheus/),
      expect.stringMatching(/refused\.yaml:58:40: unsupported: metric source "Datadog" is not Prometheus/),
      expect.stringMatching(/refused\.yaml:76:58: unsupported: SLO gauge-threshold: a threshold on this query counts points in time, not events/),
    ]);
    expect(existsSync(r.catalog)).toBe(false);
  });

  it('broken documents are errors with their location; nothing is written', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'broken.yaml')], ['--team', 'ledger', '--skip-unsupported']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:7:3: error: SLO orphan names no service/);
    expect(r.stderr).toMatch(/broken\.yaml:25:15: error: objective target 1\.5 is not a share between 0 and 1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(r.catalog)).toBe(false);
  });

  it('a Sloth spec given to the OpenSLO importer is an error that names the right command', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(ROOT, 'test', 'fixtures', 'sloth', 'odd-names.yml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/odd-names\.yml:2:1: error: not an OpenSLO document[\s\S]*slokit import sloth/);
  });
});

describe('export openslo, and back', () => {
  const original = loadModel(copyCatalog()).model!;
  const exported = exportOpenSlo(original);

  it('writes a Service per service and an SLO per expressible SLI, and lists the rest', () => {
    const docs = parseAllDocuments(exported.text).map((d) => d.toJS() as { kind: string });
    expect(docs.filter((d) => d.kind === 'Service').length).toBe(original.services.length);
    // An SLO per expressible SLI, a composite SLO per journey, and an SLI document for each SLI a journey crosses.
    expect(docs.filter((d) => d.kind === 'SLO').length).toBe(original.services.reduce((n, s) => n + s.slis.length, 0) - 2 + original.journeys.length);
    expect(docs.filter((d) => d.kind === 'SLI').length).toBe(new Set(original.journeys.flatMap((j) => j.components.map((c) => (c.type === 'sli' ? `${c.service}/${c.sli}` : '')))).size);
    const composite = docs.find((d) => (d as { metadata?: { name?: string } }).metadata?.name === 'journey-webhook-delivery') as unknown as { spec: { objectives: { compositeWeight: number; indicatorRef: string; target: number }[] } };
    expect(composite.spec.objectives.map((o) => [o.indicatorRef, o.compositeWeight])).toEqual([['web-puma-requests', 1], ['sidekiq-jobs', 1], ['webhook-relay-deliveries', 2]]);
    expect(exported.skipped).toEqual([
      expect.stringMatching(/^postgres\/transactions: a raw SLI/),
      expect.stringMatching(/^workhorse\/request-apdex: apdex counts tolerated events as half/),
    ]);
    const stdout = cli(['export', 'openslo']);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toBe(exported.text);
  });

  it('round trip: names, descriptions, team, tier, objectives, periods, significant labels, user_facing and the generated raw-window rules survive', async () => {
    const file = join(scratchDir(), 'exported.yaml');
    expect(cli(['export', 'openslo', '--out', file]).code).toBe(0);
    const r = importWithCli<ServiceDoc>('openslo', [file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: service postgres is not imported: none of its SLOs converted/);
    const back = loadModel(r.catalog).model!;
    const expressible = original.services
      .map((s) => ({ ...s, slis: s.slis.filter(openSloCanSay) }))
      .filter((s) => s.slis.length);
    expect(back.services.map((s) => s.name)).toEqual(expressible.map((s) => s.name));
    const pick = (m: typeof original.services) =>
      m.map((s) => ({ name: s.name, description: s.description, team: s.team.name, tier: s.tier, slis: s.slis.map((x) => ({ name: x.name, description: x.description, objective: x.objective, period: x.period.text, events: x.events, significantLabels: x.significantLabels, userFacing: x.userFacing })) }));
    expect(pick(back.services)).toEqual(pick(expressible));
    // Both kinds of SLI travel: some with labels to drill down by, some not facing users.
    expect(expressible.some((s) => s.slis.some((x) => x.significantLabels.length))).toBe(true);
    expect(expressible.some((s) => s.slis.some((x) => !x.userFacing))).toBe(true);
    // What slokit generates from the events is the same, rule for rule.
    const rawRules = async (model: typeof original, names: Set<string>) => {
      const pack = await generatePack(model);
      return [...pack.files].filter(([p]) => p.startsWith('prometheus/rules/') && names.has(p.replace(/.*\/|\.yml$/g, ''))).map(([p, t]) => [p, (parse(t) as { groups: { rules: { record?: string; expr: string; labels?: { sli?: string } }[] }[] }).groups.flatMap((g) => g.rules).filter((x) => x.record === 'sli:events_total:rate5m' || x.record === 'sli:events_bad:rate5m').filter((x) => expressible.some((s) => s.slis.some((y) => y.name === x.labels?.sli))).map((x) => x.expr)]);
    };
    // Journeys come back as journeys: composite SLOs over the SLOs imported with them.
    const journeys = (m: typeof original) => m.journeys.map((j) => ({ name: j.name, description: j.description, team: j.team.name, objective: j.objective, period: j.period.text, weighting: j.weighting, components: j.components, burnAlerts: j.burnAlerts, pages: j.pages }));
    expect(journeys(back)).toEqual(journeys(original));
    expect(r.stdout).toMatch(/and 2 journey\(s\)/);
    const names = new Set(expressible.map((s) => s.name));
    const before = await rawRules(original, names);
    expect(before.flatMap(([, exprs]) => exprs as string[]).length).toBe(2 * expressible.reduce((n, x) => n + x.slis.length, 0));
    expect(await rawRules(back, names)).toEqual(before);
  });
});

describe('OpenSLO composite SLOs from other tools', () => {
  const slo = (name: string, service: string, good: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name}, labels: { team: [checkout] } }
spec:
  service: ${service}
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  indicator:
    metadata: { name: ${name}-ratio }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: '${good}_total{code!~"5.."}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: '${good}_total' } } }
  objectives: [{ displayName: ${name}, target: 0.999 }]
`;
  const composite = (objectives: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-flow, labels: { team: [checkout] } }
spec:
  description: A shopper pays for a basket.
  service: cart
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives:
${objectives}`;

  it('a composite SLO becomes a journey over the SLOs it combines: compositeWeight the weights, events counted, its objective its lowest target (noted)', () => {
    const file = join(scratchDir(), 'checkout.yaml');
    const text = [slo('cart-requests', 'cart', 'cart_http_requests'), slo('payment-requests', 'payments', 'payment_http_requests'), composite('    - { displayName: cart, target: 0.999, compositeWeight: 1, indicatorRef: cart-requests-ratio }\n    - { displayName: payment, target: 0.995, compositeWeight: 4, indicatorRef: payment-requests-ratio }\n')].join('---\n');
    writeFileSync(file, text);
    const r = importWithCli<ServiceDoc>('openslo', [file], ['--team', 'checkout']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/checkout\.yaml:\d+:\d+: note: composite SLO checkout-flow: its objective is taken as its lowest target, 99\.5%/);
    const model = loadModel(r.catalog).model!;
    expect(model.journeys.map((j) => ({ name: j.name, weighting: j.weighting, objective: j.objective, components: j.components }))).toEqual([
      { name: 'checkout-flow', weighting: 'events', objective: 0.995, components: [{ type: 'sli', service: 'cart', sli: 'cart-requests', weight: 1 }, { type: 'sli', service: 'payments', sli: 'payment-requests', weight: 4 }] },
    ]);
  });

  it('a weight of zero, and an objective whose indicator no imported SLO measures, are errors where they are written; nothing is written', () => {
    const file = join(scratchDir(), 'checkout.yaml');
    const text = [slo('cart-requests', 'cart', 'cart_http_requests'), composite('    - { displayName: cart, target: 0.999, compositeWeight: 0, indicatorRef: cart-requests-ratio }\n    - { displayName: payment, target: 0.995, indicatorRef: payment-requests-ratio }\n')].join('---\n');
    writeFileSync(file, text);
    const r = importWithCli<ServiceDoc>('openslo', [file]);
    expect(r.code).toBe(1);
    const lines = text.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(r.stderr).toMatch(new RegExp(`checkout\\.yaml:${lineOf('compositeWeight: 0')}:\\d+: error: compositeWeight 0 is not a number above 0`));
    expect(r.stderr).toMatch(new RegExp(`checkout\\.yaml:${lineOf('indicatorRef: payment-requests-ratio')}:\\d+: error: composite SLO checkout-flow: objective 2 measures "payment-requests-ratio", which no SLO among the imported documents measures`));
    expect(existsSync(r.catalog)).toBe(false);
  });
});

describe('OpenSLO as its tools write it', () => {
  it('a YAML list of objects, openslo.com/v1 and a quoted target import; a target that is no number is located inside the list', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'list-form.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/list-form\.yaml:68:17: error: objective target "ninety-nine" is not a share between 0 and 1 \(exclusive\), e.g\. 0\.99/);
    expect(r.stderr).not.toMatch(/not an OpenSLO document|is not read/);
    // The items that are right convert: the service, and the SLO under openslo.com/v1 with its quoted target.
    const ok = importFile(importOpenSlo, join(FIXTURES, 'list-form.yaml'));
    expect(ok.services.map((s) => [s.name, s.team, s.slis.map((x) => [x.name, x.objective, x.kind])])).toEqual([['search', 'search', [['queries', 99.5, 'error-ratio']]]]);
  });

  it('a metricSourceRef to a DataSource not among the files given says so, where it is written', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'missing-datasource.yaml')], ['--team', 'storage']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing-datasource\.yaml:16:30: error: DataSource "thanos-global" is not in the files given\n {2}hint: pass the file that defines it too, or give the metric source type: Prometheus/);
    expect(r.stderr).not.toMatch(/is not Prometheus/);
    // With files that define other DataSources, the error names them.
    const withSource = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'missing-datasource.yaml'), join(FIXTURES, 'checkout.yaml')], ['--team', 'storage']);
    expect(withSource.stderr).toMatch(/DataSource "thanos-global" is not in the files given \(they define "prometheus-main"\)/);
  });

  it('counter: false (gauges) is refused where it is written, not rate()d as counters', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'gauges.yaml')], ['--team', 'storage']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gauges\.yaml:13:18: unsupported: SLO gauges: counter: false says good and total are gauges/);
  });

  it('two SLO names that cut to the same 30 characters get distinct SLI names, each change noted', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'long-names.yaml')], ['--team', 'search']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services[0]!.slis.map((x) => x.name)).toEqual(['search-queries-answered-within', 'search-queries-answered-with-2']);
    expect(r.stderr).toMatch(/long-names\.yaml:34:9: note: SLO "search-queries-answered-within-1s-partner" is named search-queries-answered-with-2 in the catalog: search-queries-answered-within is taken/);
  });

  it('a 4w window is the 28 days the four-weeks policy is for, as 28d is', () => {
    const r = importWithCli<ServiceDoc>('openslo', [join(FIXTURES, 'four-weeks.yaml')], ['--team', 'storage']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.services[0]!.slis[0]).toMatchObject({ name: 'four-weeks', period: '4w', alert_policy: 'four-weeks' });
  });
});
