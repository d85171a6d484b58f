/**
 * One incident, end to end: the SDK example service (webhook-relay) is a dependency of three
 * synthetic services of other teams (three more instances of the example, scraped under their
 * own jobs), all four with the alert policy compressed 60 times. A real Prometheus evaluates the
 * generated rules and sends to two real Alertmanagers at once: one with the generated routing,
 * and one with the routing slokit generated before dependency-aware inhibition (a page held back
 * only the tickets of its own SLI; pages grouped by alert and SLI). The dependency breaks and
 * every service burns; then the dependency recovers while the dependents still burn. The webhook
 * receiver counts what reaches each side.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { COMPRESSED_POLICY, startExample, startWebhookReceiver, waitFor as waitForIt, type Notification } from './helpers/compressed-e2e.js';
import { startAlertmanager, startPrometheus, startServe, type Running } from './helpers/processes.js';


const DEPENDENCY = 'webhook-relay';
const DEPENDENTS = [
  { name: 'checkout', team: 'web-platform' },
  { name: 'mirror', team: 'package' },
  { name: 'notify', team: 'background-jobs' },
];
const SERVICES = [DEPENDENCY, ...DEPENDENTS.map((d) => d.name)];

/** Which Alertmanager sent it: the generated routing's receivers are under /new/, the previous routing's under /old/. */
const sideOf = (n: Notification): 'new' | 'old' => (n.path.startsWith('/old/') ? 'old' : 'new');

const started: Running[] = [];
const examples: ChildProcess[] = [];
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
let loadRunning = true;
let loadLoop: Promise<void> | undefined;

afterAll(async () => {
  loadRunning = false;
  await loadLoop;
  for (const e of examples) e.kill('SIGTERM');
  for (const r of started) await r.stop();
  webhook?.close();
}, 60_000);

const logs = () => started.map((r) => `--- ${r.name} log ---\n${r.logs()}`).join('\n');

const waitFor = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number) => waitForIt(what, probe, timeoutMs, logs);

/** The catalog: the example service with no dependencies of its own, and three services of other teams that depend on it. */
function incidentCatalog(webhookPort: number): string {
  const catalog = copyCatalog();
  mkdirSync(join(catalog, 'policies'));
  writeFileSync(join(catalog, 'policies', 'e2e.yaml'), COMPRESSED_POLICY);
  edit(join(catalog, 'defaults.yaml'), (t) =>
    t
      .replace('period: 30d', 'period: 12h')
      .replace('alert_policy: default', 'alert_policy: e2e')
      .replace(/receiver_url: \S+/, `receiver_url: http://127.0.0.1:${webhookPort}/new/{team}/{kind}`)
      .replace('group_wait: 30s', 'group_wait: 1s\n  dependency_wait: 5s')
      .replace('group_interval: 5m', 'group_interval: 1s'),
  );
  const relay = join(catalog, 'services', `${DEPENDENCY}.yaml`);
  edit(relay, (t) => t.replace('dependencies: [postgres, redis]', 'dependencies: []'));
  const text = readFileSync(relay, 'utf8');
  for (const d of DEPENDENTS) {
    // The same SLIs over the example's metrics, under the dependent's own job.
    const own = text
      .replace(`name: ${DEPENDENCY}`, `name: ${d.name}`)
      .replace('team: integrations', `team: ${d.team}`)
      .replace('dependencies: []', `dependencies: [${DEPENDENCY}]`)
      .replaceAll(`job="${DEPENDENCY}"`, `job="${d.name}"`);
    writeFileSync(join(catalog, 'services', `${d.name}.yaml`), own);
  }
  return catalog;
}

async function startInstance(): Promise<string> {
  const { url, process } = await startExample();
  examples.push(process);
  return url;
}

/** The routing slokit generated before: a page held back only the tickets of its own SLI, and pages were grouped by alert and SLI. */
function previousRouting(config: string): string {
  const c = parse(config) as { route: { routes: { routes: { matchers: string[]; receiver: string }[] }[] }; inhibit_rules: unknown[]; receivers: { webhook_configs?: { url: string }[] }[] };
  for (const team of c.route.routes) team.routes = [{ matchers: ['severity="critical"'], receiver: team.routes.at(-1)!.receiver }];
  c.inhibit_rules = [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service', 'sli', 'resource'] }];
  for (const r of c.receivers) for (const w of r.webhook_configs ?? []) w.url = w.url.replace('/new/', '/old/');
  return stringify(c);
}

describe('one page per incident, end to end', () => {
  it('a broken dependency that three services need pages its own team once, naming them; they page once it recovers while they still burn', { timeout: 600_000 }, async () => {
    const dir = scratchDir('slokit-incident-');
    webhook = await startWebhookReceiver();
    const { notifications, port: webhookPort } = webhook;

    const catalog = incidentCatalog(webhookPort);
    const { model, problems } = loadModel(catalog);
    if (!model) throw new Error(JSON.stringify(problems));
    const out = join(dir, 'out');
    const pack = await generatePack(model);
    writeOutput(out, pack.files);
    const oldConfig = join(dir, 'alertmanager-before.yml');
    writeFileSync(oldConfig, previousRouting(pack.files.get('alertmanager/alertmanager.yml')!));

    const urls = new Map<string, string>();
    for (const s of SERVICES) urls.set(s, await startInstance());
    loadLoop = (async () => {
      while (loadRunning) {
        await Promise.all([...urls.values()].flatMap((u) => [fetch(`${u}/hooks/1`).catch(() => undefined), fetch(`${u}/hooks/1/deliveries`, { method: 'POST' }).catch(() => undefined)]));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const amNew = await startAlertmanager(join(out, 'alertmanager', 'alertmanager.yml'), join(dir, 'am-new'));
    started.push(amNew);
    const amOld = await startAlertmanager(oldConfig, join(dir, 'am-old'));
    started.push(amOld);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${SERVICES.map((s) => `"${join(out, 'prometheus', 'rules', `${s}.yml`)}"`).join(', ')}]`,
        `alerting: { alertmanagers: [ { static_configs: [ { targets: ["${amNew.url.replace('http://', '')}", "${amOld.url.replace('http://', '')}"] } ] } ] }`,
        'scrape_configs:',
        ...SERVICES.flatMap((s) => [`  - job_name: ${s}`, `    static_configs: [ { targets: ["${urls.get(s)!.replace('http://', '')}"], labels: { env: production, cluster: e2e } } ]`]),
        '',
      ].join('\n'),
    );
    const prometheus = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'prom-data'), ['--rules.alert.resend-delay=1s']);
    started.push(prometheus);
    const query = async (expr: string) =>
      ((await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    const firingPages = async (services: readonly string[]) => (await query(`ALERTS{alertstate="firing", severity="critical", service=~"${services.join('|')}"}`)).map((r) => r.metric);

    // Warm-up: every service recorded, nothing firing.
    await waitFor('every service recorded', async () => ((await query('sli:error:ratio_rate1m{sli="api"}')).length === SERVICES.length ? true : undefined), 90_000);
    await new Promise((r) => setTimeout(r, 20_000));
    expect(await query('ALERTS{alertname=~"Slokit.*"}')).toEqual([]);

    // The dependency breaks, and every service burns with it.
    const brokeAt = Date.now();
    await Promise.all([...urls.values()].map((u) => fetch(`${u}/-/fault?error_rate=0.5`, { method: 'POST' })));
    const firstPage = await waitFor('the first page', () => notifications.find((n) => sideOf(n) === 'new' && n.receiver.endsWith('-page') && n.status === 'firing'), 120_000);
    // Every dependent's burn pages fire in Prometheus, and both Alertmanagers have had time to send them.
    await waitFor('every dependent paging in Prometheus', async () => {
      const pages = await firingPages(DEPENDENTS.map((d) => d.name));
      return DEPENDENTS.every((d) => pages.some((p) => p.service === d.name && p.burn_tier === 'moderate')) ? true : undefined;
    }, 240_000);
    await new Promise((r) => setTimeout(r, 15_000));
    const during = (side: 'new' | 'old') => notifications.filter((n) => sideOf(n) === side && n.status === 'firing' && n.at >= brokeAt);
    const pagesOf = (side: 'new' | 'old') => during(side).filter((n) => n.receiver.endsWith('-page'));
    const incidents = (side: 'new' | 'old') => new Set(pagesOf(side).map((n) => `${n.receiver} ${n.groupKey}`)).size;
    const pageAlerts = (side: 'new' | 'old') => new Set(pagesOf(side).flatMap((n) => n.alerts.filter((a) => a.status === 'firing').map((a) => `${a.labels.service}/${a.labels.sli}/${a.labels.alertname}`)));
    console.log(
      `one dependency and ${DEPENDENTS.length} dependents burning: before, ${pagesOf('old').length} page notifications (${incidents('old')} incidents, ${pageAlerts('old').size} page alerts: ${[...pageAlerts('old')].sort().join(', ')}) and ${during('old').length - pagesOf('old').length} ticket notifications; ` +
        `now ${pagesOf('new').length} page notifications (${incidents('new')} incident, ${pageAlerts('new').size} page alerts: ${[...pageAlerts('new')].sort().join(', ')}) and ${during('new').length - pagesOf('new').length} ticket notifications; first page ${((firstPage.at - brokeAt) / 1000).toFixed(1)} s after the fault`,
    );
    // Now: one incident, on the dependency's team, naming the services it hurts; none of theirs.
    expect(new Set(pagesOf('new').map((n) => n.receiver))).toEqual(new Set(['integrations-page']));
    expect(incidents('new')).toBe(1);
    expect(pagesOf('new').flatMap((n) => n.alerts).every((a) => a.labels.service === DEPENDENCY)).toBe(true);
    const named = pagesOf('new').flatMap((n) => n.alerts).find((a) => a.labels.burn_tier === 'fast')!;
    expect(named.annotations.dependents).toBe('checkout, mirror, notify depend on webhook-relay: while this page fires, their burn alerts are held back as likely caused by it.');
    expect(pageAlerts('new').has(`${DEPENDENCY}/api/SlokitErrorBudgetBurnModerate`)).toBe(false);
    expect(during('new').filter((n) => DEPENDENTS.some((d) => n.alerts.some((a) => a.labels.service === d.name)))).toEqual([]);
    // Tickets wait for the page that holds them back: none reaches anyone.
    expect(during('new').filter((n) => n.receiver.endsWith('-ticket'))).toEqual([]);
    // Before: every service's team paged, fast and moderate apart.
    expect(new Set(pagesOf('old').map((n) => n.receiver))).toEqual(new Set(['integrations-page', ...DEPENDENTS.map((d) => `${d.team}-page`)]));
    expect(incidents('old')).toBeGreaterThan(DEPENDENTS.length + 1);

    // The dependents' alerts are held back at Alertmanager, and say which dependency pages: Prometheus
    // renders the annotation at each evaluation (and resends it to Alertmanager every second here).
    type ActiveAlert = { labels: Record<string, string>; annotations: Record<string, string>; state?: string; status?: { state: string } };
    const held = (await (await fetch(`${amNew.url}/api/v2/alerts?filter=${encodeURIComponent('alertname="SlokitErrorBudgetBurnFast"')}`)).json()) as ActiveAlert[];
    for (const d of DEPENDENTS) expect(held.find((x) => x.labels.service === d.name && x.labels.sli === 'api')!.status!.state, d.name).toBe('suppressed');
    const active = ((await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: ActiveAlert[] } }).data.alerts;
    for (const d of DEPENDENTS) {
      const a = active.find((x) => x.labels.alertname === 'SlokitErrorBudgetBurnFast' && x.labels.service === d.name && x.labels.sli === 'api')!;
      expect(a.annotations.likely_cause, d.name).toBe(`dependency paging: ${DEPENDENCY}`);
    }
    expect(active.find((x) => x.labels.service === DEPENDENCY)!.annotations.likely_cause).toBeUndefined();

    // slokit serve names the likely cause on the dependents' burning SLOs, from the same ALERTS.
    const ui = await startServe(catalog, prometheus.url, ['--cache-ttl', '0']);
    started.push(ui);
    const listed = (await (await fetch(`${ui.url}/api/slos?env=production`)).json()) as { slos: { service: string; sli: string; state: string; likelyCause: string[] }[] };
    for (const d of DEPENDENTS) expect(listed.slos.find((s) => s.service === d.name && s.sli === 'api'), d.name).toMatchObject({ state: 'burning', likelyCause: [DEPENDENCY] });
    expect(listed.slos.find((s) => s.service === DEPENDENCY && s.sli === 'api')!.likelyCause).toEqual([]);
    const page = await (await fetch(`${ui.url}/slo/${DEPENDENTS[0]!.name}/api?env=production`)).text();
    expect(page).toContain(`Likely cause: <a href="/runbooks/${DEPENDENCY}">${DEPENDENCY}</a>, a dependency of ${DEPENDENTS[0]!.name}, is paging.`);
    await ui.stop();

    // The dependency recovers while its dependents still burn: their pages must arrive.
    const recoveredAt = Date.now();
    await fetch(`${urls.get(DEPENDENCY)!}/-/fault?error_rate=0`, { method: 'POST' });
    // Pages are grouped by service: the group stays firing while any of its pages does; the fast page's own status says it resolved.
    await waitFor("the dependency's fast page to resolve", () => notifications.find((n) => sideOf(n) === 'new' && n.at >= recoveredAt && n.alerts.some((a) => a.labels.service === DEPENDENCY && a.labels.alertname === 'SlokitErrorBudgetBurnFast' && a.status === 'resolved')), 180_000);
    const released = await waitFor("every dependent's page", () => {
      const paged = DEPENDENTS.filter((d) => notifications.some((n) => sideOf(n) === 'new' && n.at >= recoveredAt && n.receiver === `${d.team}-page` && n.alerts.some((a) => a.labels.service === d.name && a.status === 'firing')));
      return paged.length === DEPENDENTS.length ? Date.now() : undefined;
    }, 120_000);
    console.log(`dependency recovered, dependents still burning: all ${DEPENDENTS.length} dependents paged ${((released - recoveredAt) / 1000).toFixed(1)} s later`);
  });
});
