/**
 * slokit serve against a real Prometheus holding backfilled recorded series (a burning, an
 * exhausted and healthy SLOs, with a day and a period of history), through its JSON API and
 * in Debian's Chromium driven by playwright-core: order, filters, charts, runbook anchors,
 * escaping, the shared cache, and what the pages say when Prometheus stops answering.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, copyCatalog, edit, scratchDir, ROOT } from './helpers/catalog.js';
import { loadModel } from '../generators/pipeline.js';
import { freePort, startPrometheus, startServe as startServeProcess, type Running } from './helpers/processes.js';
import { launchChromium } from './helpers/browser.js';
import { averageRatio, OpenMetrics, sampleTimes, type SliHistory } from './helpers/slo-history.js';

const RESULTS = join(ROOT, 'test-results');
/** Every SLO the bundled catalog declares: the list shows each one, known or not. */
const SLOS = loadModel(BUNDLED_CATALOG).model!.services.reduce((n, s) => n + s.slis.length, 0);
const HOSTILE = '<img src=x onerror="alert(1)"> & </script>';

const thisMinute = () => Math.floor(Date.now() / 60_000) * 60;
const now = thisMinute();
const PERIOD = 30 * 86_400;
const WINDOWS = [
  { text: '5m', seconds: 300 },
  { text: '30m', seconds: 1800 },
  { text: '1h', seconds: 3600 },
  { text: '2h', seconds: 7200 },
  { text: '6h', seconds: 21_600 },
  { text: '1d', seconds: 86_400 },
  { text: '3d', seconds: 259_200 },
];
const main = { env: 'production', cluster: 'main' };
const history = (service: string, sli: string, errorBudget: number, steps: SliHistory['steps'], labels = main): SliHistory => ({
  service,
  sli,
  labels,
  errorBudget,
  eventsPerSecond: 50,
  steps,
  period: PERIOD,
  burnWindows: WINDOWS,
});

/** Gitaly has failed 1.2% of calls for the last 90 minutes, after a month at 0.03%: burning. Its SLA (99.9%) is reported too. */
const gitaly = {
  ...history('gitaly', 'grpc-requests', 0.0005, [
    { from: now - PERIOD, ratio: 0.0003 },
    { from: now - 90 * 60, ratio: 0.012 },
  ]),
  reportBudgets: { sla: 0.001 },
};
const recent = sampleTimes(now, 15 * 60);
/** Redis failed 5% of commands for a day, ten days ago: its budget is spent, and it burns no more. */
const redis = history('redis', 'commands', 0.001, [
  { from: now - PERIOD, ratio: 0.0001 },
  { from: now - 10 * 86_400, ratio: 0.05 },
  { from: now - 9 * 86_400, ratio: 0.0001 },
]);
const steady = (service: string, sli: string, errorBudget: number, ratio: number, labels = main) => history(service, sli, errorBudget, [{ from: now - PERIOD, ratio }], labels);

function scenario(): OpenMetrics {
  const om = new OpenMetrics();
  om.sli(gitaly, sampleTimes(now, 86_400), sampleTimes(now, PERIOD));
  om.sli(redis, recent); // exhausted ten days ago, quiet since
  om.sli(steady('web', 'puma-requests', 0.001, 0.00005), recent); // 95% left in one cluster
  om.sli(steady('web', 'puma-requests', 0.001, 0.0003, { env: 'production', cluster: 'east' }), recent); // 70% in the other
  om.sli(steady('registry', 'requests', 0.001, 0.0001), recent);
  om.sli(steady('registry', 'requests', 0.001, 0.0005, { env: 'staging', cluster: 'main' }), recent); // half its budget spent in staging
  om.sli(steady('registry', 'request-latency', 0.01, 0.002), recent);
  const alert = (labels: Record<string, string>) => om.constant('ALERTS', { ...labels, ...main }, 1, recent);
  alert({ alertname: 'SlokitErrorBudgetBurnFast', alertstate: 'firing', service: 'gitaly', sli: 'grpc-requests', component: 'gitaly', severity: 'critical', team: 'gitaly', long: '1h', short: '5m' });
  alert({ alertname: 'SlokitErrorBudgetBurnModerate', alertstate: 'pending', service: 'gitaly', sli: 'grpc-requests', component: 'gitaly', severity: 'critical', team: 'gitaly', long: '6h', short: '30m' });
  alert({ alertname: 'SlokitErrorBudgetExhausted', alertstate: 'firing', service: 'redis', sli: 'commands', component: 'redis', severity: 'warning', team: 'data-stores', long: '30d', short: '30d' });
  alert({ alertname: 'SlokitSaturationHigh', alertstate: 'firing', service: 'web', resource: 'puma-threads', severity: 'warning', team: 'web-platform' });
  return om;
}

interface Api {
  prometheus: { url: string; reachable: boolean; error?: string };
  slos: {
    service: string;
    sli: string;
    state: string;
    team: string;
    tier: number;
    budgetRemaining: number | null;
    availability: number | null;
    burnRates: { window: string; value: number | null; alertAt: number }[];
    alerts: { name: string; long: string; short: string; factor: number | null; state: string; anchor: string }[];
    firing: string[];
  }[];
}

interface Chart {
  timestamps: number[];
  series: { name: string; values: (number | null)[] }[];
  thresholds: { name: string; value: number }[];
}

let prometheus: Running | undefined;
let serve: Running | undefined;
let unreachable: Running | undefined;
let browser: Browser | undefined;
const get = async <T>(base: Running, path: string): Promise<{ status: number; body: T; headers: Headers }> => {
  const res = await fetch(`${base.url}${path}`);
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
};
const text = async (base: Running, path: string) => (await fetch(`${base.url}${path}`)).text();

/** A short cache period and timeout, so the tests can wait them out. */
const startServe = (catalog: string, prometheusUrl: string) => startServeProcess(catalog, prometheusUrl, ['--cache-ttl', '1s', '--timeout', '2s']);

beforeAll(async () => {
  const dir = scratchDir('slokit-serve-');
  const tsdb = scenario().backfill(dir);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  prometheus = await startPrometheus(join(dir, 'prometheus.yml'), tsdb, ['--storage.tsdb.retention.time=60d']);
  const catalog = copyCatalog();
  edit(join(catalog, 'services', 'registry.yaml'), (t) => t.replace('Registry HTTP API requests that did not fail with a server error.', JSON.stringify(HOSTILE)));
  edit(join(catalog, 'services', 'gitaly.yaml'), (t) => t.replace('    objective: 99.95\n', '    objective: 99.95\n    report_objectives: [{ name: sla, objective: 99.9 }]\n'));
  serve = await startServe(catalog, prometheus.url);
  unreachable = await startServe(catalog, `http://127.0.0.1:${await freePort()}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([serve?.stop(), unreachable?.stop(), prometheus?.stop()]);
});

describe('slokit serve: JSON API over a real Prometheus', () => {
  it('lists every SLO, burning first then worst budget first, from the recorded series, with state, burn rates and alerts', async () => {
    const asked = thisMinute();
    const { status, body, headers } = await get<Api>(serve!, '/api/slos');
    const answered = thisMinute();
    expect(status, serve!.logs()).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body.prometheus).toEqual({ url: prometheus!.url, reachable: true });
    expect(body.slos).toHaveLength(SLOS);
    const order = body.slos.map((s) => `${s.service}/${s.sli}:${s.state}`);
    expect(order.slice(0, 5)).toEqual(['gitaly/grpc-requests:burning', 'redis/commands:exhausted', 'registry/requests:healthy', 'web/puma-requests:healthy', 'registry/request-latency:healthy']);
    expect(order.slice(5).every((s) => s.endsWith(':no-data')), order.join(' ')).toBe(true);

    const [gitalyRow, redisRow, , web] = body.slos;
    const spent = averageRatio(redis.steps, now - PERIOD, now); // the same at every sample time: nothing in the window changes
    expect(spent).toBeGreaterThan(0.0017);
    expect(redisRow!.budgetRemaining).toBeCloseTo(1 - spent / 0.001, 6);
    expect(redisRow!.availability).toBeCloseTo(1 - spent, 9);
    expect(redisRow!.burnRates.every((b) => b.value !== null && b.value < 0.2)).toBe(true);
    expect(redisRow!.firing).toEqual(['SlokitErrorBudgetExhausted']);
    // Budget left as the recording rule had it at the minute of the query.
    expect(gitalyRow!.budgetRemaining).toBeCloseTo(gitalyBudgetDuring(gitalyRow!.budgetRemaining, asked, answered), 6);
    expect(gitalyRow!.budgetRemaining!).toBeGreaterThan(0.3);
    expect(gitalyRow!.budgetRemaining!).toBeLessThan(0.4);
    const burn = Object.fromEntries(gitalyRow!.burnRates.map((b) => [b.window, b.value]));
    expect(burn['5m']).toBeCloseTo(24, 6);
    expect(burn['1h']).toBeCloseTo(24, 6);
    expect(burn['3d']).toBeGreaterThan(1);
    expect(gitalyRow!.burnRates.find((b) => b.window === '1h')!.alertAt).toBe(14.4);
    expect(gitalyRow!.alerts.map((a) => `${a.name} ${a.long}/${a.short} ${a.factor ?? '-'} ${a.state}`)).toEqual([
      'SlokitErrorBudgetBurnFast 1h/5m 14.4 firing',
      'SlokitErrorBudgetBurnModerate 6h/30m 6 pending',
      'SlokitErrorBudgetBurnSlow 1d/2h 3 inactive',
      'SlokitErrorBudgetBurnGradual 3d/6h 1 inactive',
      'SlokitErrorBudgetBurnLowTraffic 6h/6h 6 inactive',
      'SlokitTrafficCessation 6h/30m - inactive',
      'SlokitSLIVanished 6h/5m - inactive',
      'SlokitErrorBudgetExhausted 30d/30d - inactive',
    ]);
    expect(gitalyRow!.firing).toEqual(['SlokitErrorBudgetBurnFast']);
    // Two clusters, two environments: the list shows the worse.
    expect(web!.service).toBe('web');
    expect(web!.budgetRemaining).toBeCloseTo(0.7, 6);
    expect(body.slos[2]!.budgetRemaining).toBeCloseTo(0.5, 6);
    expect(Object.fromEntries(web!.burnRates.map((b) => [b.window, b.value]))['1h']).toBeCloseTo(0.3, 6);
    const none = body.slos.find((s) => s.service === 'postgres')!;
    expect(none).toMatchObject({ state: 'no-data', budgetRemaining: null, availability: null });
  });

  it('filters by team, tier, state and text, as the page does', async () => {
    const names = async (query: string) => (await get<Api>(serve!, `/api/slos?${query}`)).body.slos.map((s) => `${s.service}/${s.sli}`);
    expect(await names('team=gitaly')).toEqual(['gitaly/grpc-requests', 'gitaly/grpc-latency']);
    expect((await names('tier=2')).every((n) => /^(redis|sidekiq|webhook-relay)\//.test(n))).toBe(true);
    expect(await names('state=burning')).toEqual(['gitaly/grpc-requests']);
    expect(await names('q=LATENCY&tier=1')).toEqual(['registry/request-latency', 'gitaly/grpc-latency', 'web/puma-latency']);
    expect(await names('q=SlokitErrorBudgetExhausted')).toEqual(['redis/commands']);
  });

  it('one environment: its numbers only, and the environments there are', async () => {
    const all = (await get<Api & { environments: string[]; environment: string | null }>(serve!, '/api/slos')).body;
    expect(all.environments).toEqual(['production', 'staging']);
    expect(all.environment).toBeNull();
    const production = (await get<Api & { environment: string | null }>(serve!, '/api/slos?env=production')).body;
    expect(production.environment).toBe('production');
    expect(production.slos.find((s) => s.service === 'registry' && s.sli === 'requests')!.budgetRemaining).toBeCloseTo(0.9, 6);
    const staging = (await get<Api>(serve!, '/api/slos?env=staging')).body;
    expect(staging.slos.filter((s) => s.state !== 'no-data').map((s) => `${s.service}/${s.sli}`)).toEqual(['registry/requests']);
    expect(staging.slos[0]!.budgetRemaining).toBeCloseTo(0.5, 6);
    // A hostile environment is a label value in the query, nothing more.
    const odd = await get<Api>(serve!, `/api/slos?env=${encodeURIComponent('"} or vector(1) #')}`);
    expect(odd.status).toBe(200);
    expect(odd.body.prometheus.reachable).toBe(true);
    expect(odd.body.slos.every((s) => s.state === 'no-data')).toBe(true);
    const chart = (await get<{ charts: Record<string, Chart> }>(serve!, '/api/slos/registry/requests?env=staging&range=6h')).body.charts;
    expect(chart.burnRates!.series[0]!.values.filter((v) => v !== null).at(-1)).toBeCloseTo(0.5, 6);
  });

  it('one SLI: charts from range queries of recorded series, thresholds, dependencies with their state', async () => {
    const { status, body } = await get<{ slo: Api['slos'][number]; range: string; charts: Record<string, Chart>; dependencies: { service: string; state: string; budgetRemaining: number | null }[]; serviceAlerts: { name: string; resource: string }[] }>(
      serve!,
      '/api/slos/gitaly/grpc-requests?range=6h',
    );
    expect(status).toBe(200);
    expect(body.range).toBe('6h');
    expect(body.slo.state).toBe('burning');
    const { budget, burnRates, events } = body.charts;
    expect(budget!.timestamps.length).toBeGreaterThanOrEqual(240);
    expect(budget!.timestamps.at(-1)! - budget!.timestamps[0]!).toBe(PERIOD);
    const budgetValues = budget!.series[0]!.values.filter((v): v is number => v !== null);
    expect(budgetValues.length).toBeGreaterThanOrEqual(240); // no gaps: a point at every step
    expect(budgetValues[0]).toBeCloseTo(0.4, 3); // a month ago: 0.03% of 0.05% spent
    // The chart ends this minute (or the one before, when a minute turned since the query), and
    // its last point is the budget at that time: compared at the chart's own time, not the clock's.
    const end = budget!.timestamps.at(-1)!;
    expect(thisMinute() - end).toBeLessThanOrEqual(60);
    expect(budgetValues.at(-1)!).toBeCloseTo(gitalyBudget(end), 6);
    // Its SLA's budget beside it, against the SLA's own budget (0.1%), at the same time.
    expect(budget!.series.map((s) => s.name)).toEqual(['budget remaining', 'budget remaining against sla (99.9%)']);
    expect(budget!.series[1]!.values.filter((v) => v !== null).at(-1)).toBeCloseTo(1 - averageRatio(gitaly.steps, end - PERIOD, end) / 0.001, 6);
    expect(burnRates!.series.map((s) => s.name)).toEqual(['burn rate 1h', 'burn rate 6h', 'burn rate 1d', 'burn rate 3d']);
    expect(burnRates!.thresholds.map((t) => t.value)).toEqual([14.4, 6, 3, 1]);
    expect(burnRates!.timestamps.at(-1)! - burnRates!.timestamps[0]!).toBe(6 * 3600);
    expect(burnRates!.series[0]!.values.filter((v) => v !== null).at(-1)).toBeCloseTo(24, 6);
    expect(burnRates!.series[0]!.values.find((v) => v !== null)).toBeCloseTo(0.6, 6); // 0.03% of 0.05% before the incident
    expect(events!.series.map((s) => s.name)).toEqual(['events/s (5m rate)', 'failed/s']);
    expect(events!.series[1]!.values.filter((v) => v !== null).at(-1)).toBeCloseTo(50 * 0.012, 6);
    expect(body.charts.errorRatio!.series[0]!.values.filter((v) => v !== null).at(-1)).toBeCloseTo(0.012, 9);
    expect(body.charts.errorRatio!.thresholds).toEqual([{ name: 'the 0.05% the objective allows', value: 0.0005, series: 'share failed (5m)' }]);

    const asked = thisMinute();
    const web = (await get<typeof body>(serve!, '/api/slos/web/puma-latency')).body;
    const gitalyLeft = gitalyBudgetDuring(web.dependencies[0]?.budgetRemaining ?? null, asked, thisMinute());
    expect(web.dependencies).toEqual([
      { service: 'gitaly', known: true, state: 'burning', budgetRemaining: expect.closeTo(gitalyLeft, 6), link: '/slo/gitaly/grpc-requests' },
      { service: 'postgres', known: true, state: 'no-data', budgetRemaining: null, link: '/slo/postgres/transactions' },
      { service: 'redis', known: true, state: 'exhausted', budgetRemaining: expect.closeTo(1 - averageRatio(redis.steps, now - PERIOD, now) / 0.001, 6), link: '/slo/redis/commands' },
    ]);
    expect(web.serviceAlerts).toEqual([{ name: 'SlokitSaturationHigh', severity: 'warning', resource: 'puma-threads', state: 'firing' }]);
    expect(web.charts.events!.series[1]!.name).toBe('slower than 1s/s');
    expect(web.charts.errorRatio!.series[0]!.name).toBe('share slower than 1s (5m)');

    const missing = await get<{ error: string }>(serve!, '/api/slos/gitaly/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('no SLI nope of gitaly in the catalog');
  });

  it('many open pages share one set of queries: Prometheus sees each query once per cache period', async () => {
    const served = async () => {
      const metrics = await (await fetch(`${prometheus!.url}/metrics`)).text();
      return Number(/^prometheus_http_requests_total\{code="200",handler="\/api\/v1\/query"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    await new Promise((r) => setTimeout(r, 1100)); // let the cache of the earlier tests expire
    const before = await served();
    const pages = await Promise.all(Array.from({ length: 40 }, () => fetch(`${serve!.url}/api/slos`).then((r) => r.json() as Promise<Api>)));
    const after = await served();
    expect(pages.every((p) => p.slos[0]!.service === 'gitaly' && p.slos[1]!.service === 'redis')).toBe(true);
    // Budget, one availability window, 7 burn-rate windows, ALERTS and the environments: 11 queries, not 440.
    expect(after - before).toBe(11);
  });

  it('HTML-escapes catalog text in pages and runbooks; pages forbid inline and foreign scripts', async () => {
    const list = await fetch(`${serve!.url}/?q=registry`);
    expect(list.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await list.text();
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt; &amp; &lt;/script&gt;');
    const runbook = await text(serve!, '/runbooks/registry');
    expect(runbook).not.toContain('<img src=x');
    expect(runbook).toContain('&lt;img src=x onerror=');
    expect(runbook).toMatch(/<h3 id="requests-burn-fast">/);
  });

  it("every alert's runbook anchor is a heading id of the served runbook", async () => {
    const { body } = await get<Api>(serve!, '/api/slos');
    const missing: string[] = [];
    for (const service of new Set(body.slos.map((s) => s.service))) {
      const html = await text(serve!, `/runbooks/${service}`);
      const ids = new Set([...html.matchAll(/<h[1-6] id="([^"]+)"/g)].map((m) => m[1]));
      for (const slo of body.slos.filter((s) => s.service === service)) for (const a of slo.alerts) if (!ids.has(a.anchor)) missing.push(`${service}#${a.anchor}`);
    }
    expect(body.slos.flatMap((s) => s.alerts)).toHaveLength(15 * 8);
    expect(missing).toEqual([]);
  });

  it('a Prometheus that never answers: the list gives up after --timeout and says so; runbooks do not wait for it', async () => {
    const silent = createServer(() => undefined); // accepts connections, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const hung = await startServe(BUNDLED_CATALOG, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    try {
      // Order, not speed: a runbook asked for after the list answers while the list still waits.
      const order: string[] = [];
      const t = performance.now();
      const list = get<Api>(hung, '/api/slos').then((r) => (order.push('list'), r));
      const runbook = await fetch(`${hung.url}/runbooks/web`);
      order.push('runbook');
      expect(runbook.status).toBe(200);
      const { body } = await list;
      expect(order).toEqual(['runbook', 'list']);
      expect(performance.now() - t).toBeGreaterThanOrEqual(1900); // gave up no sooner than --timeout 2s
      expect(body.prometheus.reachable).toBe(false);
      expect(body.prometheus.error).toMatch(/^cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: no answer within 2000 ms$/);
    } finally {
      await hung.stop();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${serve!.url}/api/slos`);
        request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status('evil.example:80')).toBe(421);
    expect(await status(`localhost:${new URL(serve!.url).port}`)).toBe(200);
    expect(await status(`127.0.0.1:${new URL(serve!.url).port}`)).toBe(200);
  });

  it('when Prometheus cannot be reached: the catalog without numbers, and an error that says so', async () => {
    const { body } = await get<Api>(unreachable!, '/api/slos');
    expect(body.prometheus.reachable).toBe(false);
    expect(body.prometheus.error).toMatch(/^cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/);
    expect(body.slos).toHaveLength(SLOS);
    expect(body.slos.every((s) => s.state === 'unknown' && s.budgetRemaining === null && s.burnRates.every((b) => b.value === null) && s.alerts.every((a) => a.state === 'unknown'))).toBe(true);
    expect(body.slos.map((s) => s.service)).toEqual([...body.slos.map((s) => s.service)].sort());
  });
});

/** Gitaly's budget left at `t` (seconds, default this minute), from the fed steps. */
function gitalyBudget(t: number): number {
  return 1 - averageRatio(gitaly.steps, t - PERIOD, t) / 0.0005;
}

/**
 * Gitaly's budget at the minute, of those a request spanned, whose exact value is nearest to
 * what was served. It spends 0.05% of its budget a minute, so a minute turning between the
 * query and the check must not fail the test, and a wrong value at any minute still does.
 */
function gitalyBudgetDuring(served: number | null, from: number, to: number): number {
  const minutes = Array.from({ length: (to - from) / 60 + 1 }, (_, i) => from + i * 60);
  return minutes.map(gitalyBudget).reduce((best, b) => (Math.abs(b - (served ?? NaN)) < Math.abs(best - (served ?? NaN)) ? b : best));
}

describe('slokit serve in Chromium', () => {
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  async function open(path: string, base = serve!, beforeLoad: (page: Page) => Promise<void> = async () => undefined): Promise<Page> {
    browser ??= await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await beforeLoad(page);
    await page.goto(`${base.url}${path}`);
    return page;
  }

  beforeAll(() => mkdirSync(RESULTS, { recursive: true }));

  it('the list shows the burning SLO first, then the exhausted one, readable without colour', async () => {
    const page = await open('/');
    const rows = page.locator('#slos tbody tr:not([hidden])');
    expect(await rows.count()).toBe(SLOS);
    expect(await rows.nth(0).getAttribute('data-service')).toBe('gitaly');
    expect(await rows.nth(0).getAttribute('data-sli')).toBe('grpc-requests');
    expect(await rows.nth(0).locator('td').first().innerText()).toBe('▲ burning');
    expect(await rows.nth(1).getAttribute('data-service')).toBe('redis');
    expect(await rows.nth(1).locator('td').first().innerText()).toBe('✖ budget exhausted');
    // The long window of each alert pair; ▲ where both windows are above the pair's factor.
    // (6h, 1d and 3d still climb as the incident goes on.)
    const chips = await rows.nth(0).locator('.burn').allInnerTexts();
    expect(chips).toHaveLength(4);
    expect(chips[0]).toBe('1h 24.0× ▲');
    expect(chips[1]).toMatch(/^6h 6\.\d\d× ▲$/);
    expect(chips[2]).toMatch(/^1d 2\.\d\d×$/);
    expect(chips[3]).toMatch(/^3d 1\.\d\d× ▲$/);
    expect(await rows.nth(0).locator('.firing').innerText()).toBe('SlokitErrorBudgetBurnFast');
    expect(await rows.nth(1).locator('.burn.hot').count()).toBe(0); // spent ten days ago, quiet now
    await page.screenshot({ path: join(RESULTS, 'slo-list.png'), fullPage: true });
    await page.close();
  });

  it('filters by team, tier and text as you type, and keeps them in the URL', async () => {
    const page = await open('/');
    const visible = () => page.locator('#slos tbody tr:not([hidden])').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-service')}/${tr.getAttribute('data-sli')}`));
    await page.selectOption('#filter-tier', '2');
    expect((await visible())[0]).toBe('redis/commands'); // no burning SLO in tier 2: the least budget leads
    await page.selectOption('#filter-tier', '1');
    expect((await visible())[0]).toBe('gitaly/grpc-requests');
    await page.selectOption('#filter-team', 'gitaly');
    expect(await visible()).toEqual(['gitaly/grpc-requests', 'gitaly/grpc-latency']);
    await page.fill('#filter-text', 'latency');
    expect(await visible()).toEqual(['gitaly/grpc-latency']);
    expect(await page.locator('#shown').innerText()).toBe('1 of 15 SLOs');
    expect(new URL(page.url()).search).toBe('?team=gitaly&tier=1&q=latency');
    await page.reload();
    expect(await visible()).toEqual(['gitaly/grpc-latency']); // the server applies the URL's filters
    await page.fill('#filter-text', 'no such slo');
    expect(await page.locator('#empty').isVisible()).toBe(true);
    // Another environment reloads with its own numbers, and links keep it.
    await page.fill('#filter-text', '');
    await page.selectOption('#filter-team', '');
    await page.selectOption('#filter-tier', '');
    await Promise.all([page.waitForURL(/env=staging/), page.selectOption('#filter-env', 'staging')]);
    expect((await visible())[0]).toBe('registry/requests');
    expect(await page.locator('#slos tbody tr').first().locator('.budget-text').innerText()).toBe('50.0%');
    expect(await page.locator('#slos tbody tr').first().locator('a').getAttribute('href')).toBe('/slo/registry/requests?env=staging');
    await page.close();
  });

  it('the detail page draws its charts, with the alert thresholds, and its tables', async () => {
    const page = await open('/');
    await page.click('a[href="/slo/gitaly/grpc-requests"]');
    await page.waitForSelector('#chart-events[data-drawn]');
    const drawn = await page.locator('[data-chart]').evaluateAll((els) =>
      els.map((el) => {
        const canvas = el.querySelector('canvas');
        // A drawn canvas has pixels that are not transparent.
        const ctx = canvas?.getContext('2d');
        const pixels = ctx ? ctx.getImageData(0, 0, canvas!.width, canvas!.height).data : new Uint8ClampedArray();
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked += 1;
        return { chart: el.getAttribute('data-chart'), lines: el.getAttribute('data-drawn'), inked, legend: [...el.querySelectorAll('.u-legend th, .u-legend .u-label')].map((l) => l.textContent).filter(Boolean) };
      }),
    );
    // The budget, its SLA's budget (a report objective) and the line at exhausted.
    expect(drawn.map((d) => `${d.chart}:${d.lines}`)).toEqual(['budget:3', 'burnRates:8', 'events:2', 'errorRatio:2']);
    expect(drawn[0]!.legend).toEqual(expect.arrayContaining(['budget remaining', 'budget remaining against sla (99.9%)']));
    for (const d of drawn) expect(d.inked, d.chart!).toBeGreaterThan(1000);
    expect(drawn[1]!.legend).toEqual(expect.arrayContaining(['burn rate 1h', '1h/5m alert at 14.4×', '3d/6h alert at 1×']));
    expect(await page.locator('#state').innerText()).toBe('▲ burning');
    expect(await page.locator('tr[data-alert="SlokitErrorBudgetBurnFast"] .alert-state').innerText()).toBe('▲ firing');
    expect(await page.locator('#dependency-table').count()).toBe(0); // gitaly depends on nothing
    expect(await page.getAttribute('#dashboard-link', 'href')).toBe('https://grafana.example.com/d/slokit-gitaly/gitaly?from=now-6h&to=now&var-sli=grpc-requests');
    await page.screenshot({ path: join(RESULTS, 'slo-detail.png'), fullPage: true });
    await page.close();
    const web = await open('/slo/web/puma-requests');
    expect(await web.locator('#dependency-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.split('\t').slice(0, 2).join(' ')))).toEqual([
      'gitaly ▲ burning',
      'postgres – no data',
      'redis ✖ budget exhausted',
    ]);
    await web.close();
  });

  it('a runbook link of the alert table lands on its heading of the rendered runbook', async () => {
    const page = await open('/slo/gitaly/grpc-requests');
    await page.click('tr[data-alert="SlokitErrorBudgetBurnModerate"] a');
    await page.waitForURL(/\/runbooks\/gitaly#grpc-requests-burn-moderate$/);
    const target = page.locator(':target');
    expect(await target.getAttribute('id')).toBe('grpc-requests-burn-moderate');
    expect(await target.innerText()).toBe('#grpc-requests burn moderate');
    expect(await target.isVisible()).toBe(true);
    const box = await target.boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(200); // scrolled to the top of the window
    // Links between runbooks go to the served pages.
    await page.goto(`${serve!.url}/runbooks/web`);
    await page.click('#runbook a[href="/runbooks/gitaly"]');
    expect(new URL(page.url()).pathname).toBe('/runbooks/gitaly');
    await page.close();
  });

  it('says when Prometheus cannot be reached, and shows the catalog without numbers', async () => {
    const page = await open('/', unreachable!);
    expect(await page.locator('#unreachable').innerText()).toMatch(/Prometheus cannot be reached\. cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const rows = page.locator('#slos tbody tr');
    expect(await rows.count()).toBe(SLOS);
    expect(await rows.locator('.budget-text').allInnerTexts()).toEqual(Array(SLOS).fill('–'));
    expect(await rows.nth(0).locator('td').first().innerText()).toBe('? unknown');
    expect(await rows.locator('.firing').allInnerTexts()).toEqual(Array(SLOS).fill('–')); // not "none": nobody knows
    await page.screenshot({ path: join(RESULTS, 'slo-list-unreachable.png'), fullPage: true });
    await page.goto(`${unreachable!.url}/slo/gitaly/grpc-requests`);
    expect(await page.locator('#no-charts').innerText()).toBe('No history: Prometheus did not answer.');
    expect(await page.locator('#budget').innerText()).toBe('–');
    await page.close();
  });

  it('made no request beyond slokit, and no script error', () => {
    const foreign = requests.filter((u) => !u.startsWith(serve!.url) && !u.startsWith(unreachable!.url));
    expect(requests.length).toBeGreaterThan(10);
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('never shows numbers once Prometheus stops answering, and open pages say so when slokit stops', async () => {
    // Pages opened while everything answers, with a clock the test moves.
    const fakeClock = (page: Page) => page.clock.install();
    const list = await open('/', serve!, fakeClock);
    const detail = await open('/slo/gitaly/grpc-requests', serve!, fakeClock);
    await detail.waitForSelector('#chart-events[data-drawn]');
    expect(await list.locator('#slos tbody tr').first().locator('.budget-text').innerText()).toMatch(/%$/);

    await prometheus!.stop();
    await new Promise((r) => setTimeout(r, 1100)); // one cache period
    const { body } = await get<Api>(serve!, '/api/slos');
    expect(body.prometheus.reachable).toBe(false);
    expect(body.slos.every((s) => s.budgetRemaining === null && s.state === 'unknown')).toBe(true);

    // Their next refresh (30 s for the list, 60 s for a detail page) drops the numbers.
    await list.clock.fastForward(30_000);
    await list.waitForSelector('#unreachable');
    expect(new Set(await list.locator('#slos tbody .budget-text').allInnerTexts())).toEqual(new Set(['–']));
    await detail.clock.fastForward(60_000);
    await detail.waitForSelector('#no-charts');
    expect(await detail.locator('#budget').innerText()).toBe('–');
    expect(await detail.locator('#state').innerText()).toBe('? unknown');

    // With slokit itself gone, the page says its numbers are not current.
    await serve!.stop();
    await list.clock.fastForward(30_000);
    await expect.poll(() => list.locator('#source').innerText()).toContain('slokit is not answering: these numbers are not current');
    await Promise.all([list.close(), detail.close()]);
  });
});
