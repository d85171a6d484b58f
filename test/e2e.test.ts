/**
 * End to end, the way an admin runs the pack: the SDK example service under load, a real
 * Prometheus scraping it every second with the generated rules, a real Alertmanager with the
 * generated routing, and a webhook receiver here. The alert policy is compressed 60x through a
 * catalog override (windows of seconds and minutes, a 12h period), so the scenario takes minutes.
 * Last, a reload switches Prometheus to a pack whose saturation thresholds the service exceeds.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { COMPRESSED_POLICY, startExample, startWebhookReceiver, waitFor as waitForIt, type Notification } from './helpers/compressed-e2e.js';
import { startAlertmanager, startPrometheus, startServe, type Running } from './helpers/processes.js';



let notifications: Notification[] = [];
const started: Running[] = [];
let example: ChildProcess | undefined;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
let e2eCatalog = '';
let prometheus: Running;
let serviceUrl = '';
let alertmanagerUrl = '';
let loadRunning = true;
let loadLoop: Promise<void> | undefined;
let prometheusConfig: (rules: 'normal' | 'saturated') => void = () => undefined;
let relaySlis: string[] = [];
let upgradeWatch: { panels: { type: string; title: string; repeat?: string; targets?: { expr: string }[] }[] } | undefined;

function logs(): string {
  return started.map((r) => `--- ${r.name} log ---\n${r.logs()}`).join('\n');
}

const waitFor = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number) =>
  waitForIt(what, probe, timeoutMs, () => `notifications: ${JSON.stringify(notifications.map((n) => [n.path, n.status, n.alerts.map((a) => `${a.labels.alertname}/${a.labels.sli}/${a.status}`)]))}\n${logs()}`);

interface AlertmanagerAlert {
  readonly fingerprint: string;
  readonly labels: Record<string, string>;
  readonly status: { readonly state: string; readonly inhibitedBy: readonly string[] };
}

/** The alerts Alertmanager holds now, with whether and by what each is inhibited. */
async function alertmanagerAlerts(filters: readonly string[]): Promise<AlertmanagerAlert[]> {
  const r = await fetch(`${alertmanagerUrl}/api/v2/alerts?${filters.map((f) => `filter=${encodeURIComponent(f)}`).join('&')}`);
  return (await r.json()) as AlertmanagerAlert[];
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

function firstNotification(alertname: string, sli: string, status: string, after: number): Notification | undefined {
  return notifications.find((n) => n.at >= after && n.alerts.some((a) => a.labels.alertname === alertname && a.labels.sli === sli && a.status === status));
}

beforeAll(async () => {
  const dir = scratchDir('slokit-e2e-');
  // The webhook receiver: Alertmanager posts every notification here.
  webhook = await startWebhookReceiver();
  notifications = webhook.notifications;
  const webhookPort = webhook.port;

  // The catalog, with the compressed policy as an override and the receivers pointed here.
  const catalog = copyCatalog();
  e2eCatalog = catalog;
  mkdirSync(join(catalog, 'policies'));
  writeFileSync(join(catalog, 'policies', 'e2e.yaml'), COMPRESSED_POLICY);
  edit(join(catalog, 'defaults.yaml'), (t) =>
    t
      .replace('period: 30d', 'period: 12h')
      .replace('alert_policy: default', 'alert_policy: e2e')
      .replace(/receiver_url: \S+/, `receiver_url: http://127.0.0.1:${webhookPort}/{team}/{kind}`)
      .replace('group_wait: 30s', 'group_wait: 1s')
      .replace('group_interval: 5m', 'group_interval: 1s'),
  );
  const { model, problems } = loadModel(catalog);
  if (!model) throw new Error(JSON.stringify(problems));
  const out = join(dir, 'out');
  const pack = await generatePack(model);
  writeOutput(out, pack.files);
  relaySlis = model.services.find((s) => s.name === 'webhook-relay')!.slis.map((s) => s.name).sort();
  upgradeWatch = JSON.parse(pack.files.get('grafana/dashboards/upgrades.json')!) as typeof upgradeWatch;
  // A second pack for the saturation step: open-fds thresholds below what any process uses,
  // and its timings compressed. Prometheus switches to it with a reload.
  edit(join(catalog, 'defaults.yaml'), (t) => t.replace('labels:\n', 'saturation: { warn_after: 20s, page_after: 5s }\nlabels:\n'));
  edit(join(catalog, 'services', 'webhook-relay.yaml'), (t) =>
    t.replace('  - resource: open-fds\n    selector: job="webhook-relay"\n', '  - resource: open-fds\n    selector: job="webhook-relay"\n    soft: 0.000001\n    hard: 0.000002\n'),
  );
  const saturated = loadModel(catalog);
  if (!saturated.model) throw new Error(JSON.stringify(saturated.problems));
  const outSaturated = join(dir, 'out-saturated');
  writeOutput(outSaturated, (await generatePack(saturated.model)).files);
  expect(saturated.model.services.find((s) => s.name === 'webhook-relay')!.saturation.find((r) => r.name === 'open-fds')!.hard).toBe(0.000002);

  // The SDK example service, and load against it.
  const relay = await startExample();
  example = relay.process;
  serviceUrl = relay.url;
  loadLoop = (async () => {
    while (loadRunning) {
      await Promise.all([fetch(`${serviceUrl}/hooks/1`).catch(() => undefined), fetch(`${serviceUrl}/hooks/1/deliveries`, { method: 'POST' }).catch(() => undefined)]);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  const alertmanager = await startAlertmanager(join(out, 'alertmanager', 'alertmanager.yml'), join(dir, 'am-data'));
  started.push(alertmanager);
  alertmanagerUrl = alertmanager.url;
  prometheusConfig = (rules: 'normal' | 'saturated') =>
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ["${join(rules === 'normal' ? out : outSaturated, 'prometheus', 'rules', 'webhook-relay.yml')}"]`,
        `alerting: { alertmanagers: [ { static_configs: [ { targets: ["${alertmanager.url.replace('http://', '')}"] } ] } ] }`,
        'scrape_configs:',
        '  - job_name: webhook-relay',
        `    static_configs: [ { targets: ["${serviceUrl.replace('http://', '')}"], labels: { env: production, cluster: e2e } } ]`,
        '',
      ].join('\n'),
    );
  prometheusConfig('normal');
  prometheus = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'prom-data'));
  started.push(prometheus);
}, 120_000);

afterAll(async () => {
  loadRunning = false;
  await loadLoop;
  example?.kill('SIGTERM');
  for (const r of started) await r.stop();
  webhook?.close();
}, 60_000);

describe('end to end on a real Prometheus and Alertmanager', () => {
  it('stays quiet while healthy, pages the right team on errors, on latency and on saturation, and resolves', { timeout: 600_000 }, async () => {
    try {
      await scenario();
    } catch (e) {
      // Whatever failed, the Prometheus and Alertmanager logs travel with it.
      (e as Error).message += `\n${logs()}`;
      throw e;
    }
  });
});

async function scenario(): Promise<void> {
  {
    // Healthy warm-up: the rules produce data, and nothing fires.
    await waitFor('recorded SLI ratios', async () => ((await query('sli:error:ratio_rate1m{service="webhook-relay", sli="api"}')).length ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await query('ALERTS{alertname=~"Slokit.*"}'), logs()).toEqual([]);
    expect(notifications).toEqual([]);
    // The upgrade watch, its row repeated for webhook-relay as Grafana would: the running
    // version (the SDK's build info, recorded per service) and the burn of its SLIs.
    const [row, versions, burn] = upgradeWatch!.panels;
    expect(row).toMatchObject({ type: 'row', repeat: 'service' });
    const asGrafana = (expr: string) => expr.replaceAll('$service', 'webhook-relay').replaceAll('$environment', 'production').replaceAll('$cluster', '.*');
    const running = await query(asGrafana(versions!.targets![0]!.expr));
    expect(running.map((r) => [r.metric.version, r.metric.env, r.metric.cluster, r.value[1]])).toEqual([['1.4.2', 'production', 'e2e', '1']]);
    const burning = await query(asGrafana(burn!.targets![0]!.expr));
    expect(burning.map((r) => r.metric.sli).sort()).toEqual(relaySlis);

    // Fault 1: half the requests fail.
    const errorsAt = Date.now();
    await fetch(`${serviceUrl}/-/fault?error_rate=0.5`, { method: 'POST' });
    const page = await waitFor('the error page', () => firstNotification('SlokitErrorBudgetBurnFast', 'api', 'firing', errorsAt), 90_000);
    const errorPageSeconds = (page.at - errorsAt) / 1000;
    console.log(`fault injection to page at the webhook: ${errorPageSeconds.toFixed(1)} s (errors)`);
    expect(page.path).toBe('/integrations/page');
    expect(page.receiver).toBe('integrations-page');
    const alert = page.alerts.find((a) => a.labels.alertname === 'SlokitErrorBudgetBurnFast' && a.labels.sli === 'api')!;
    expect(alert.labels).toMatchObject({ severity: 'critical', team: 'integrations', service: 'webhook-relay', component: 'webhook-relay', sli: 'api', long: '1m', short: '5s', env: 'production', cluster: 'e2e' });
    expect(alert.annotations.runbook_url).toBe('https://gitlab.example.com/platform/runbooks/-/blob/main/runbooks/webhook-relay.md#api-burn-fast');
    expect(alert.annotations.dashboard_url).toBe('https://grafana.example.com/d/slokit-webhook-relay/webhook-relay?from=now-6h&to=now&var-sli=api&var-environment=production&var-cluster=e2e');
    expect(alert.annotations.description).toMatch(/^\d+(\.\d+)?% of api events were bad \(failed\) over the last 5s/);
    const ratio = Number((await query('sli:error:ratio_rate5s{service="webhook-relay", sli="api"}'))[0]!.value[1]);
    expect(ratio).toBeGreaterThan(0.25);
    expect(ratio).toBeLessThan(0.75);
    // The page inhibits the tickets of the same SLI: Alertmanager holds them suppressed by it.
    // With windows compressed 60 times, a ticket's pair can cross within a second of the page's
    // and reach Alertmanager first, and be notified before the page can inhibit it (seen once in
    // four runs); after the page's notification none may arrive.
    const apiAlerts = async () => alertmanagerAlerts(['sli="api"', 'alertname=~"SlokitErrorBudgetBurn.*"']);
    const tickets = await waitFor('the api tickets to reach Alertmanager', async () => {
      const slow = (await apiAlerts()).filter((a) => a.labels.severity === 'warning');
      return slow.some((a) => a.labels.alertname === 'SlokitErrorBudgetBurnSlow') ? slow : undefined;
    }, 60_000);
    const pages = new Set((await apiAlerts()).filter((a) => a.labels.severity === 'critical').map((a) => a.fingerprint));
    for (const t of tickets) {
      expect(t.status.state, t.labels.alertname).toBe('suppressed');
      expect(t.status.inhibitedBy.length, t.labels.alertname).toBeGreaterThan(0);
      for (const by of t.status.inhibitedBy) expect(pages.has(by), `${t.labels.alertname} is inhibited by a page of the api SLI`).toBe(true);
    }
    expect(notifications.filter((n) => n.at > page.at && n.path === '/integrations/ticket' && n.alerts.some((a) => a.labels.sli === 'api' && a.status === 'firing'))).toEqual([]);

    // The period's budget is tiled from 1m rates, so it moves within a minute.
    const budgetLeft = await waitFor('the 12h budget to drop', async () => {
      const v = Number((await query('slo:error_budget_remaining:ratio{service="webhook-relay", sli="api"}'))[0]?.value[1]);
      return v < 1 ? v : undefined;
    }, 90_000);
    expect(budgetLeft).toBeGreaterThan(-1000);

    // slokit serve reads the series these rules record, not ones a test wrote: the burning SLO
    // leads its list, with the page firing, and its detail draws from the same series.
    const ui = await startServe(e2eCatalog, prometheus!.url, ['--cache-ttl', '0']);
    started.push(ui);
    type Slo = { service: string; sli: string; state: string; budgetRemaining: number | null; firing: string[]; burnRates: { window: string; value: number | null }[] };
    const listed = (await (await fetch(`${ui.url}/api/slos?env=production`)).json()) as { prometheus: { reachable: boolean }; environments: string[]; slos: Slo[] };
    expect(listed.prometheus.reachable).toBe(true);
    expect(listed.environments).toEqual(['production']);
    expect(listed.slos[0]).toMatchObject({ service: 'webhook-relay', sli: 'api', state: 'burning' });
    expect(listed.slos[0]!.firing).toContain('SlokitErrorBudgetBurnFast');
    expect(listed.slos[0]!.budgetRemaining!).toBeLessThan(1);
    expect(listed.slos[0]!.burnRates.find((b) => b.window === '1m')!.value!).toBeGreaterThan(14.4);
    // Charts are read at whole minutes: the first point exists once a minute boundary has passed with data.
    type Detail = { charts: { events: { series: { values: (number | null)[] }[] } } };
    const points = await waitFor('a point on the detail chart', async () => {
      const detail = (await (await fetch(`${ui.url}/api/slos/webhook-relay/api?range=6h`)).json()) as Detail;
      const n = detail.charts.events.series[0]!.values.filter((v) => v !== null).length;
      return n > 0 ? n : undefined;
    }, 90_000);
    expect(points).toBeGreaterThan(0);
    await ui.stop();

    const healedAt = Date.now();
    await fetch(`${serviceUrl}/-/fault?error_rate=0`, { method: 'POST' });
    const resolved = await waitFor('the error page to resolve', () => firstNotification('SlokitErrorBudgetBurnFast', 'api', 'resolved', healedAt), 90_000);
    console.log(`recovery to resolved notification: ${((resolved.at - healedAt) / 1000).toFixed(1)} s`);

    // Fault 2: every request slower than the 250ms threshold.
    const slowAt = Date.now();
    await fetch(`${serviceUrl}/-/fault?latency_ms=400`, { method: 'POST' });
    const latencyPage = await waitFor('the latency page', () => firstNotification('SlokitErrorBudgetBurnFast', 'api-latency', 'firing', slowAt), 120_000);
    console.log(`fault injection to page at the webhook: ${((latencyPage.at - slowAt) / 1000).toFixed(1)} s (latency)`);
    expect(latencyPage.receiver).toBe('integrations-page');
    const fastAgainAt = Date.now();
    await fetch(`${serviceUrl}/-/fault?latency_ms=0`, { method: 'POST' });
    await waitFor('the latency page to resolve', () => firstNotification('SlokitErrorBudgetBurnFast', 'api-latency', 'resolved', fastAgainAt), 90_000);

    // Fault 3: the service stops answering (its scrapes fail, its series vanish): no burn alert
    // can see that, the vanished page does, and it resolves when the service is back.
    const stoppedAt = Date.now();
    example!.kill('SIGSTOP');
    let vanished: Notification;
    try {
      vanished = await waitFor('the vanished page', () => firstNotification('SlokitSLIVanished', 'api', 'firing', stoppedAt), 120_000);
    } finally {
      example!.kill('SIGCONT');
    }
    console.log(`service stopped to vanished page at the webhook: ${((vanished.at - stoppedAt) / 1000).toFixed(1)} s`);
    expect(vanished.path).toBe('/integrations/page');
    expect(vanished.alerts.find((a) => a.labels.alertname === 'SlokitSLIVanished' && a.labels.sli === 'api')!.annotations.runbook_url).toBe(
      'https://gitlab.example.com/platform/runbooks/-/blob/main/runbooks/webhook-relay.md#api-vanished',
    );
    const backAt = Date.now();
    await waitFor('the vanished page to resolve', () => firstNotification('SlokitSLIVanished', 'api', 'resolved', backAt), 120_000);
    console.log(`service back to resolved notification: ${((Date.now() - backAt) / 1000).toFixed(1)} s`);
  }
  {
    // Saturation: reload Prometheus with the pack whose open-fds thresholds every process exceeds.
    const reloadedAt = Date.now();
    prometheusConfig('saturated');
    prometheus.proc.kill('SIGHUP');
    const isSaturation = (a: Notification['alerts'][number], alertname: string) => a.labels.alertname === alertname && a.labels.resource === 'open-fds' && a.status === 'firing';
    const page = await waitFor('the saturation page', () => notifications.find((n) => n.at >= reloadedAt && n.alerts.some((a) => isSaturation(a, 'SlokitSaturationCritical'))), 90_000);
    console.log(`reload to saturation page at the webhook: ${((page.at - reloadedAt) / 1000).toFixed(1)} s (page_after 5s)`);
    expect(page.path).toBe('/integrations/page');
    const alert = page.alerts.find((a) => isSaturation(a, 'SlokitSaturationCritical'))!;
    expect(alert.labels).toEqual({ alertname: 'SlokitSaturationCritical', severity: 'critical', team: 'integrations', service: 'webhook-relay', resource: 'open-fds', env: 'production', cluster: 'e2e' });
    expect(alert.annotations.runbook_url).toBe('https://gitlab.example.com/platform/runbooks/-/blob/main/runbooks/webhook-relay.md#saturation-open-fds-critical');
    expect(alert.annotations.summary).toBe('Saturation of Open file descriptors in webhook-relay is above its hard threshold of 0.0002%.');
    expect(alert.annotations.description).toMatch(/^Open file descriptors \(open-fds\) is at \d[\d.e+-]*% on the busiest instance of webhook-relay, above 0\.0002% for 5s\./);
    // The recorded utilisation is the real one: a few dozen descriptors of a limit in the thousands or more.
    const used = Number((await query('saturation:utilisation:ratio{service="webhook-relay", resource="open-fds"}'))[0]!.value[1]);
    expect(used).toBeGreaterThan(0.000002);
    expect(used).toBeLessThan(0.05);
    // The soft-threshold ticket fires in Prometheus too, but the page inhibits it at Alertmanager.
    await waitFor('the saturation ticket to fire in Prometheus', async () => ((await query('ALERTS{alertname="SlokitSaturationHigh", resource="open-fds", alertstate="firing"}')).length ? true : undefined), 90_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(notifications.filter((n) => n.alerts.some((a) => isSaturation(a, 'SlokitSaturationHigh')))).toEqual([]);
  }
}
