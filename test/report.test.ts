/**
 * slokit report against a real Prometheus holding backfilled history whose exact answers the
 * test works out itself, sample by sample: calendar months of 28, 30 and 31 days (samples sit
 * exactly on the month boundaries, so a boundary sample counted twice or never shows), an
 * incident that straddles February and March, SLOs with traffic a hundred times apart, an SLO
 * added in the middle of March, a time zone, and a Prometheus that lacks the period or cannot
 * be reached (exit 2, nothing written).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../generators/pipeline.js';
import type { Report, SloReport } from '../generators/report/build.js';
import { stretchesOf } from '../generators/report/build.js';
import { lastPeriods, monthPeriods } from '../generators/report/period.js';
import { closedRanges, rangeText } from '../generators/report/queries.js';
import { BUNDLED_CATALOG, cliAsync, copyCatalog, edit, ROOT, scratchDir } from './helpers/catalog.js';
import { freePort, startPrometheus, startServe, type Running } from './helpers/processes.js';
import { OpenMetrics } from './helpers/slo-history.js';
import { launchChromium } from './helpers/browser.js';
import { pathToFileURL } from 'node:url';

const utc = (iso: string) => Date.parse(iso) / 1000;
const STEP = 300;
const HISTORY_FROM = utc('2026-01-20T00:00:00Z');
const HISTORY_TO = utc('2026-05-01T00:00:00Z');
const place = { env: 'production', cluster: 'main' };
const model = loadModel(BUNDLED_CATALOG).model!;
const budgetOf = (service: string, sli: string) => model.services.find((s) => s.name === service)!.slis.find((x) => x.name === sli)!.errorBudget;

interface Slo {
  readonly service: string;
  readonly sli: string;
  readonly from: number;
  /** Events per second at t. */
  readonly traffic: (t: number) => number;
  /** Share of them failing at t. */
  readonly errors: (t: number) => number;
}

const daily = (base: number) => (t: number) => base * (1 + 0.6 * Math.sin((2 * Math.PI * t) / 86_400));
const between = (a: string, b: string) => (t: number) => t > utc(a) && t <= utc(b);
/** Registry: busy, a 5% outage across the February/March boundary and 2% for three hours in April. */
const registry: Slo = {
  service: 'registry',
  sli: 'requests',
  from: HISTORY_FROM,
  traffic: daily(80),
  errors: (t) => (between('2026-02-28T22:00:00Z', '2026-03-01T02:00:00Z')(t) ? 0.05 : between('2026-04-10T12:00:00Z', '2026-04-10T15:00:00Z')(t) ? 0.02 : 0.0002),
};
/** Gitaly: a hundredth of the traffic, and two bad hours in March that miss its objective. */
const gitaly: Slo = { service: 'gitaly', sli: 'grpc-requests', from: HISTORY_FROM, traffic: daily(0.8), errors: (t) => (between('2026-03-20T08:00:00Z', '2026-03-20T10:00:00Z')(t) ? 0.3 : 0.0001) };
/** Redis: its SLO was added on March 10th at noon. */
const redis: Slo = { service: 'redis', sli: 'commands', from: utc('2026-03-10T12:00:00Z'), traffic: () => 20, errors: () => 0.0004 };
const SLOS = [registry, gitaly, redis];

const times = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / STEP) + 1 }, (_, i) => from + i * STEP);

/** The alerts as Prometheus records them while firing: a sample a minute. */
const FIRING = [
  { alertname: 'SlokitErrorBudgetBurnFast', severity: 'critical', from: '2026-02-28T22:04:00Z', to: '2026-03-01T02:05:00Z', slo: registry },
  { alertname: 'SlokitErrorBudgetBurnModerate', severity: 'critical', from: '2026-02-28T22:31:00Z', to: '2026-03-01T02:40:00Z', slo: registry },
  { alertname: 'SlokitErrorBudgetBurnFast', severity: 'critical', from: '2026-04-10T12:06:00Z', to: '2026-04-10T15:03:00Z', slo: registry },
  { alertname: 'SlokitErrorBudgetBurnFast', severity: 'critical', from: '2026-03-20T08:03:00Z', to: '2026-03-20T10:04:00Z', slo: gitaly },
  { alertname: 'SlokitErrorBudgetBurnSlow', severity: 'warning', from: '2026-03-20T08:40:00Z', to: '2026-03-20T11:10:00Z', slo: gitaly },
];

function history(): OpenMetrics {
  const om = new OpenMetrics();
  om.constant('up', { job: 'prometheus', instance: '127.0.0.1:9090' }, 1, times(HISTORY_FROM, HISTORY_TO));
  for (const s of SLOS) {
    const ts = times(s.from, HISTORY_TO);
    const id = { service: s.service, sli: s.sli, ...place };
    om.series('sli:events_total:rate5m', id, ts.map((t) => [t, s.traffic(t)] as const));
    om.series('sli:events_bad:rate5m', id, ts.map((t) => [t, s.traffic(t) * s.errors(t)] as const));
  }
  for (const f of FIRING) {
    const ts = Array.from({ length: (utc(f.to) - utc(f.from)) / 60 + 1 }, (_, i) => utc(f.from) + i * 60);
    om.constant('ALERTS', { alertname: f.alertname, alertstate: 'firing', severity: f.severity, service: f.slo.service, sli: f.slo.sli, ...place }, 1, ts);
  }
  return om;
}

/** The exact answer: sums of the samples in (start, end], as the test wrote them. */
function exact(s: Slo, start: number, end: number) {
  let total = 0;
  let bad = 0;
  for (const t of times(s.from, HISTORY_TO)) {
    if (t > start && t <= end) {
      total += s.traffic(t);
      bad += s.traffic(t) * s.errors(t);
    }
  }
  return { total, bad, availability: total > 0 ? 1 - bad / total : null };
}

interface TestJourney {
  readonly name: string;
  readonly weighting: 'events' | 'components';
  readonly objective: number;
  readonly components: readonly { readonly slo: Slo; readonly weight: number }[];
}
const JOURNEYS: readonly TestJourney[] = [
  { name: 'pull-by-events', weighting: 'events', objective: 99.9, components: [{ slo: registry, weight: 1 }, { slo: gitaly, weight: 3 }] },
  { name: 'pull-by-components', weighting: 'components', objective: 99.9, components: [{ slo: registry, weight: 1 }, { slo: gitaly, weight: 3 }] },
  { name: 'registry-with-cache', weighting: 'events', objective: 99.9, components: [{ slo: registry, weight: 1 }, { slo: redis, weight: 1 }] },
];

/** A journey's exact availability from the samples, by its definition (not by slokit's code). */
function exactJourney(j: TestJourney, start: number, end: number): { availability: number; shares: number[] } {
  const parts = j.components.map((c) => ({ weight: c.weight, ...exact(c.slo, start, end) }));
  if (j.weighting === 'events') {
    const bad = parts.reduce((n, p) => n + p.weight * p.bad, 0);
    const total = parts.reduce((n, p) => n + p.weight * p.total, 0);
    return { availability: 1 - bad / total, shares: parts.map((p) => (p.total > 0 ? (p.weight * p.bad) / bad : NaN)) };
  }
  const measured = parts.filter((p) => p.total > 0);
  const weighted = measured.reduce((n, p) => n + p.weight * (p.bad / p.total), 0);
  return { availability: 1 - weighted / measured.reduce((n, p) => n + p.weight, 0), shares: parts.map((p) => (p.total > 0 ? (p.weight * (p.bad / p.total)) / weighted : NaN)) };
}

let prometheus: Running | undefined;
let serve: Running | undefined;
let catalog = '';
const reports = new Map<string, Report>();

async function report(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliAsync(['report', '--catalog', catalog, '--prometheus', prometheus!.url, ...args]);
}

async function json(args: string[]): Promise<Report> {
  const key = args.join(' ');
  if (!reports.has(key)) {
    const r = await report([...args, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    reports.set(key, JSON.parse(r.stdout) as Report);
  }
  return reports.get(key)!;
}

const row = (r: Report, s: Slo) => r.slos.find((x) => x.service === s.service && x.sli === s.sli && x.environment === 'production');
const close = (a: number | null | undefined, b: number, what: string) => {
  expect(a, what).not.toBeNull();
  expect(Math.abs(a! - b), `${what}: ${a} against exactly ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
};

function expectExact(r: Report, s: Slo, what: string): SloReport {
  const got = row(r, s)!;
  expect(got, what).toBeDefined();
  const e = exact(s, r.period.start, r.period.end);
  close(got.availability, e.availability!, `${what} availability`);
  close(got.budgetSpent, e.bad / e.total / budgetOf(s.service, s.sli), `${what} budget spent`);
  return got;
}

beforeAll(async () => {
  const dir = scratchDir('slokit-report-');
  const tsdb = history().backfill(dir);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  prometheus = await startPrometheus(join(dir, 'prometheus.yml'), tsdb, ['--storage.tsdb.retention.time=5y']);
  catalog = copyCatalog();
  edit(join(catalog, 'services', 'gitaly.yaml'), (t) => t.replace(/(- name: grpc-requests\n\s+description: )[^\n]*/, '$1"<script>alert(1)</script> | [x](javascript:alert(1))"'));
  // An SLA the catalog reports and never alerts on: the report judges the month against it too.
  edit(join(catalog, 'services', 'gitaly.yaml'), (t) => t.replace('    objective: 99.95\n', '    objective: 99.95\n    report_objectives: [{ name: sla, objective: 99.8 }]\n'));
  // Journeys over components a hundred times apart in traffic, weighted both ways, and one with redis (added mid-March).
  for (const j of JOURNEYS) {
    const components = j.components.map((c) => `  - { service: ${c.slo.service}, sli: ${c.slo.sli}, weight: ${c.weight} }`).join('\n');
    writeFileSync(join(catalog, 'journeys', `${j.name}.yaml`), `name: ${j.name}\ndescription: ${j.name}\nteam: gitaly\nobjective: ${j.objective}\nweighting: ${j.weighting}\ncomponents:\n${components}\n`);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([serve?.stop(), prometheus?.stop()]);
});

describe('report periods and ranges (no Prometheus)', () => {
  it('calendar months of 28, 30 and 31 days, in UTC and across a daylight-saving change, each with the month before', () => {
    const feb = monthPeriods('2026-02');
    expect([feb.current.start, feb.current.end]).toEqual([utc('2026-02-01T00:00:00Z'), utc('2026-03-01T00:00:00Z')]);
    expect((feb.current.end - feb.current.start) / 86_400).toBe(28);
    expect(feb.previous).toMatchObject({ label: '2026-01', start: utc('2026-01-01T00:00:00Z'), end: feb.current.start });
    expect((monthPeriods('2026-04').current.end - monthPeriods('2026-04').current.start) / 86_400).toBe(30);
    expect((monthPeriods('2026-03').current.end - monthPeriods('2026-03').current.start) / 86_400).toBe(31);
    expect(monthPeriods('2026-01').previous.label).toBe('2025-12');
    // New York: EST until March 8th, EDT after; March is 31 days less the hour the clocks skip.
    const ny = monthPeriods('2026-03', 'America/New_York');
    expect([ny.current.start, ny.current.end]).toEqual([utc('2026-03-01T05:00:00Z'), utc('2026-04-01T04:00:00Z')]);
    expect(lastPeriods('30d', utc('2026-12-06T10:00:30Z'))).toMatchObject({ current: { start: utc('2026-11-06T10:00:00Z'), end: utc('2026-12-06T10:00:00Z') }, previous: { start: utc('2026-10-07T10:00:00Z') } });
    for (const [bad, message] of [
      [() => monthPeriods('2026-13'), /YYYY-MM/],
      [() => monthPeriods('2026-03', 'Mars/Olympus'), /not a time zone/],
      [() => lastPeriods('30', 0), /--last/],
    ] as const)
      expect(bad).toThrow(message);
  });

  it('a range holds (start, end] under Prometheus 2 (closed) and 3 (left-open) alike', () => {
    expect(closedRanges('2.42.0')).toBe(true);
    expect(closedRanges('3.1.0')).toBe(false);
    expect(closedRanges(undefined)).toBe(false);
    expect(rangeText(28 * 86_400, true)).toBe('27d23h59m59s999ms');
    expect(rangeText(28 * 86_400, false)).toBe('28d');
  });

  it("an incident is the union of an SLO's alerts firing, split where they stop for longer than two evaluations", () => {
    const s = (name: string, severity: string, times: number[]) => ({ labels: { alertname: name, severity }, times });
    const got = stretchesOf([s('Fast', 'critical', [0, 60, 120, 1000, 1060]), s('Slow', 'warning', [100, 400, 700, 5000])], 600);
    expect(got).toEqual([
      { start: 0, end: 1060, alerts: [{ name: 'Fast', severity: 'critical' }, { name: 'Slow', severity: 'warning' }] },
      { start: 5000, end: 5000, alerts: [{ name: 'Slow', severity: 'warning' }] },
    ]);
  });
});

describe('slokit report on a real Prometheus with backfilled history', () => {
  it('February (28 days): exact availability and budget for SLOs a hundred times apart in traffic; the straddling incident ends after the month', async () => {
    const r = await json(['--month', '2026-02']);
    expect(r.prometheus.closedRanges).toBe(true);
    expect(r.period).toMatchObject({ label: '2026-02', start: utc('2026-02-01T00:00:00Z'), end: utc('2026-03-01T00:00:00Z') });
    const reg = expectExact(r, registry, 'registry February');
    expectExact(r, gitaly, 'gitaly February');
    expect(row(r, redis)).toBeUndefined(); // not measured in February: no row for its environment
    expect(r.slos.find((x) => x.service === 'redis' && x.sli === 'commands')!.verdict).toBe('no-data');
    expect(reg.incidents).toHaveLength(1);
    const i = reg.incidents[0]!;
    expect(i).toMatchObject({ start: utc('2026-02-28T22:04:00Z'), end: utc('2026-03-01T02:40:00Z'), beganBefore: false, endedAfter: true, paged: true, seconds: 2 * 3600 - 4 * 60 });
    expect(i.alerts.map((a) => a.name)).toEqual(['SlokitErrorBudgetBurnFast', 'SlokitErrorBudgetBurnModerate']);
    // Its share: the bad events from its first firing sample to the end of February.
    const month = exact(registry, r.period.start, r.period.end);
    const during = exact(registry, utc('2026-02-28T22:04:00Z') - 1, r.period.end);
    close(i.budgetShare, during.bad / (month.total * budgetOf('registry', 'requests')), 'incident share');
    // The month before is missing in part (history starts January 20th): its trend is still a number.
    expect(reg.previous.availability).not.toBeNull();
  });

  it('March (31 days): the incident began before it; redis, added on the 10th, is measured over the part of the month it existed', async () => {
    const r = await json(['--month', '2026-03']);
    const reg = expectExact(r, registry, 'registry March');
    expect(reg.incidents[0]).toMatchObject({ beganBefore: true, endedAfter: false, start: utc('2026-02-28T22:04:00Z') });
    const month = exact(registry, r.period.start, r.period.end);
    close(reg.incidents[0]!.budgetShare, exact(registry, r.period.start, utc('2026-03-01T02:40:00Z')).bad / (month.total * budgetOf('registry', 'requests')), 'straddling share in March');
    const red = expectExact(r, redis, 'redis March');
    expect(red.measuredFrom).toBe(utc('2026-03-10T12:00:00Z'));
    expect(red.coverage).toBeGreaterThan(0.99);
    expect(red.previous.verdict).toBe('no-data');
    expect(red.trend).toBeNull();
    const g = expectExact(r, gitaly, 'gitaly March');
    expect(g.incidents.map((x) => [x.paged, x.alerts.map((a) => a.severity)])).toEqual([[true, ['critical', 'warning']]]);
    expect(g.verdict).toBe('missed');
    const march = exact(gitaly, r.period.start, r.period.end);
    expect(g.reportObjectives).toHaveLength(1);
    expect(g.reportObjectives[0]).toMatchObject({ name: 'sla', objective: 0.998, verdict: 'met' });
    close(g.reportObjectives[0]!.budgetSpent, march.bad / march.total / 0.002, 'gitaly budget spent against its SLA');
    expect(reg.verdict).toBe('met');
    // Trend against February, exactly.
    close(reg.trend, exact(registry, r.period.start, r.period.end).availability! - exact(registry, r.previous.start, r.previous.end).availability!, 'registry trend');
    // Roll-ups count each SLO once, by the team that owns it.
    const pkg = r.teams.find((t) => t.name === 'package')!;
    expect(pkg.slos).toBe(r.slos.filter((x) => x.team === 'package').length);
    expect(pkg.met + pkg.missed + pkg.noData).toBe(pkg.slos);
    expect(r.tiers.map((t) => t.name)).toEqual(['tier 1', 'tier 2']);
  });

  it('April (30 days): an incident inside the month, and the verdicts against each objective', async () => {
    const r = await json(['--month', '2026-04']);
    const reg = expectExact(r, registry, 'registry April');
    expect(reg.incidents.map((i) => [i.start, i.end, i.beganBefore, i.endedAfter])).toEqual([[utc('2026-04-10T12:06:00Z'), utc('2026-04-10T15:03:00Z'), false, false]]);
    for (const s of SLOS) {
      const got = row(r, s)!;
      expect(got.verdict, `${s.service}/${s.sli}`).toBe(got.availability! >= got.objective ? 'met' : 'missed');
    }
  });

  it("journeys: exact for components a hundred times apart, events- and components-weighted; each component's share of the bad; a component added mid-month is said", async () => {
    for (const month of ['2026-02', '2026-03', '2026-04']) {
      const r = await json(['--month', month]);
      for (const j of JOURNEYS) {
        const got = r.journeys.find((x) => x.journey === j.name && x.environment === 'production')!;
        expect(got, `${j.name} ${month}`).toBeDefined();
        const e = exactJourney(j, r.period.start, r.period.end);
        close(got.availability, e.availability, `${j.name} ${month} availability`);
        close(got.budgetSpent, (1 - e.availability) / 0.001, `${j.name} ${month} budget spent`);
        expect(got.verdict).toBe(e.availability >= 0.999 ? 'met' : 'missed');
        e.shares.forEach((share, i) => (Number.isNaN(share) ? expect(got.components[i]!.share).toBeNull() : close(got.components[i]!.share, share, `${j.name} ${month} share ${i}`)));
        close(got.trend, e.availability - exactJourney(j, r.previous.start, r.previous.end).availability, `${j.name} ${month} trend`);
      }
    }
    const march = await json(['--month', '2026-03']);
    const byName = (name: string) => march.journeys.find((x) => x.journey === name && x.environment === 'production')!;
    // Gitaly's bad March hours: a hundredth of the events, so events weighting barely moves while components weighting misses.
    expect([byName('pull-by-events').verdict, byName('pull-by-components').verdict]).toEqual(['met', 'missed']);
    expect(byName('registry-with-cache').measuredFrom).toEqual([{ name: 'redis/commands', from: utc('2026-03-10T12:00:00Z') }]);
    expect(byName('pull-by-events').measuredFrom).toEqual([]);
    // --team keeps the journeys the team owns; --service the journeys that cross it.
    expect((await json(['--month', '2026-03', '--team', 'package'])).journeys.map((x) => x.journey)).toEqual([]);
    expect(new Set((await json(['--month', '2026-03', '--service', 'redis'])).journeys.map((x) => x.journey))).toEqual(new Set(['registry-with-cache']));
    const md = await report(['--month', '2026-03']);
    expect(md.stdout).toContain('## User journeys');
    expect(md.stdout).toMatch(/\| pull-by-components \(production\) \| gitaly \| 99\.900% \| 9\d\.\d{3}% \| [\d.]+% \| \*\*missed\*\* \|/);
    expect(md.stdout).toContain('redis/commands measured from 2026-03-10 12:00 UTC (added during the period)');
  });

  it('a month in another time zone begins at its own midnight', async () => {
    const r = await json(['--month', '2026-03', '--timezone', 'America/New_York']);
    expect(r.period.start).toBe(utc('2026-03-01T05:00:00Z'));
    expectExact(r, registry, 'registry, March in New York');
    expectExact(r, gitaly, 'gitaly, March in New York');
  });

  it('Markdown for GitLab and GitHub, and one HTML file that loads nothing and escapes catalog text', async () => {
    const md = await report(['--month', '2026-03']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^# SLO report 2026-03\n/);
    expect(md.stdout).toContain('| SLO | Team | Objective | Availability | Budget spent | Budget left | Verdict | Previous period | Trend | Incidents |');
    expect(md.stdout).toContain('- redis/commands (production): measured from 2026-03-10 12:00 UTC (added during the period)');
    expect(md.stdout).toContain('### registry/requests (production)');
    expect(md.stdout).toMatch(/- gitaly\/grpc-requests \(production\): against its reported objective sla \(99\.800%\): met, \d+\.\d% of that budget spent\./);
    expect(md.stdout).toContain('2026-02-28 22:04 UTC (before the period)');
    const out = join(scratchDir('slokit-report-html-'), 'march.html');
    const html = await report(['--month', '2026-03', '--format', 'html', '--output', out]);
    expect(html.code, html.stderr).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain("default-src 'none'");
    expect(page).not.toMatch(/<(script|link|img)\b/i);
    expect(page).not.toMatch(/\bsrc=|href="http/);
    expect(page.match(/<svg class="burn"/g)?.length).toBe((await json(['--month', '2026-03'])).slos.filter((x) => x.verdict !== 'no-data').length);
    // The hostile description (a tooltip of its SLO) stays text.
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('title="&lt;script&gt;alert(1)&lt;/script&gt; | [x](javascript:alert(1))"');
    expect(page).toContain('registry/requests (production)');
    // It opens from disk in a browser, asks for nothing, and draws a chart per SLO; kept with the Markdown for the README.
    const results = join(ROOT, 'test-results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'report-2026-03.md'), md.stdout);
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const requests: string[] = [];
      tab.on('request', (r) => requests.push(r.url()));
      await tab.goto(pathToFileURL(out).href);
      expect(requests).toEqual([pathToFileURL(out).href]);
      expect(await tab.locator('svg.burn polyline').count()).toBeGreaterThan(2);
      const march = await json(['--month', '2026-03']);
      expect(await tab.locator('tr.verdict-missed').count()).toBe([...march.slos, ...march.journeys].filter((x) => x.verdict === 'missed').length);
      await tab.screenshot({ path: join(results, 'report-2026-03.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('--team and --service keep their SLOs; a team with none, or an unknown service, is an error', async () => {
    const team = await json(['--month', '2026-03', '--team', 'gitaly']);
    expect(new Set(team.slos.map((s) => s.team))).toEqual(new Set(['gitaly']));
    const service = await json(['--month', '2026-03', '--service', 'registry']);
    expect(new Set(service.slos.map((s) => s.service))).toEqual(new Set(['registry']));
    expectExact(service, registry, 'registry alone');
    const production = await json(['--month', '2026-03', '--environment', 'production']);
    expect(new Set(production.slos.map((s) => s.environment))).toEqual(new Set(['production']));
    expectExact(production, gitaly, 'gitaly in production');
    const staging = await json(['--month', '2026-03', '--environment', 'staging']);
    expect(staging.slos.every((s) => s.verdict === 'no-data' && s.environment === 'staging')).toBe(true);
    // The last 30 days, up to now: this Prometheus holds nothing of them.
    const last = await report(['--last', '30d']);
    expect([last.code, last.stderr]).toEqual([2, expect.stringMatching(/no recorded SLO samples in 30d to \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/)]);
    expect((await report(['--month', '2026-03', '--team', 'nobody'])).code).toBe(2);
    expect((await report(['--month', '2026-03', '--service', 'nothing'])).stderr).toMatch(/--service nothing is not in the catalog/);
  });

  it('fails closed: exit 2 saying how much is missing, or that Prometheus cannot answer; nothing written', async () => {
    const out = join(scratchDir('slokit-report-missing-'), 'r.md');
    const january = await report(['--month', '2026-01', '--output', out]);
    expect(january.code).toBe(2);
    expect(january.stderr).toMatch(/holds nothing from the start of 2026-01 \(2026-01-01 00:00 UTC\) until 2026-01-20 00:00 UTC: 19 days of the period are missing/);
    expect(existsSync(out)).toBe(false);
    const before = await report(['--month', '2025-06']);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/no recorded SLO samples in 2025-06.*the whole period is missing/);
    const down = await cliAsync(['report', '--catalog', catalog, '--prometheus', `http://127.0.0.1:${await freePort()}`, '--month', '2026-03', '--timeout', '2s']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach Prometheus/);
    expect(`${january.stderr}${down.stderr}`).not.toMatch(/\n\s+at /);
    const future = await report(['--month', '2030-01']);
    expect([future.code, future.stderr]).toEqual([2, expect.stringMatching(/has not ended yet/)]);
  });
});

describe('the report page of slokit serve', () => {
  it('shows the report the command writes, for the month asked (the last one by default), and says why when there is none', async () => {
    serve = await startServe(catalog, prometheus!.url);
    const api = await fetch(`${serve.url}/api/report?month=2026-03`);
    expect(api.status, serve.logs()).toBe(200);
    const served = (await api.json()) as Report;
    const cli = await json(['--month', '2026-03']);
    expect({ ...served, prometheus: { ...served.prometheus, queries: 0 } }).toEqual({ ...cli, prometheus: { ...cli.prometheus, queries: 0 } });
    const page = await fetch(`${serve.url}/report?month=2026-03&service=registry`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'unsafe-inline'/);
    const body = await page.text();
    expect(body).toContain('SLO report 2026-03, service registry');
    expect(body).toContain(`<td class="num">${(row(cli, registry)!.availability! * 100).toFixed(3)}%</td>`);
    // The list links to it.
    expect(await (await fetch(`${serve.url}/`)).text()).toContain('<a href="/report">Report</a>');
    const january = await fetch(`${serve.url}/report?month=2026-01`);
    expect(january.status).toBe(503);
    expect(await january.text()).toMatch(/19 days of the period are missing/);
    expect((await fetch(`${serve.url}/api/report?month=2026-13`)).status).toBe(400);
    // By default the last calendar month, which this Prometheus does not hold.
    const latest = await fetch(`${serve.url}/api/report`);
    expect(latest.status).toBe(503);
    expect(((await latest.json()) as { error: string }).error).toMatch(/no recorded SLO samples in \d{4}-\d{2}/);
  });
});
