/**
 * HTML pages from the snapshot: numbers formatted here, placed by the handlebars templates of
 * ui/templates, which HTML-escape every value (catalog text included). Only runbook HTML, made
 * safe by micromark, and chart data, made safe for a script element, go in unescaped.
 */
import type { JourneyRow } from './journey-status.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { formatPercent } from '../model/decimal.js';
import type { Model } from '../model/types.js';
import { UI_DIR } from '../paths.js';
import type { RunbookPage } from './runbook-html.js';
import { CHART_RANGES, type SloDetail } from './slo-detail.js';
import { AT_RISK_BUDGET, detailPath, pairAbove, runbookPath, SLO_STATES, type AlertState, type SloRow, type SloState, type Snapshot } from './slo-status.js';

/** Symbol and word for each state, so the list reads the same without colour. */
export const STATE_LABELS: Record<SloState, { readonly symbol: string; readonly text: string }> = {
  exhausted: { symbol: '✖', text: 'budget exhausted' },
  burning: { symbol: '▲', text: 'burning' },
  'at-risk': { symbol: '◆', text: 'at risk' },
  healthy: { symbol: '✔', text: 'healthy' },
  'no-data': { symbol: '–', text: 'no data' },
  unknown: { symbol: '?', text: 'unknown' },
};

const ALERT_STATE_SYMBOL: Record<AlertState, string> = { firing: '▲ firing', pending: '◆ pending', inactive: '✔ inactive', unknown: '? unknown' };

export interface ListFilter {
  /** Environment whose numbers to show ('' for the worst of all); applied by the queries, not here. */
  readonly env: string;
  readonly team: string;
  readonly tier: string;
  readonly state: string;
  readonly q: string;
}

function percent(ratio: number | null, digits = 2): string {
  if (ratio === null) return '–';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function burnText(value: number | null): string {
  if (value === null) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** Digits enough to tell the availability from its objective: 99.9 -> 3 decimals. */
function availabilityDigits(objective: number): number {
  const budget = 1 - objective;
  return Math.min(5, Math.max(2, Math.ceil(-Math.log10(budget * 100)) + 2));
}

function timeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

export function matchesFilter(row: SloRow, f: ListFilter): boolean {
  if (f.team && row.team !== f.team) return false;
  if (f.tier && String(row.tier) !== f.tier) return false;
  if (f.state && row.state !== f.state) return false;
  return !f.q || searchText(row).includes(f.q.trim().toLowerCase());
}

function searchText(row: SloRow): string {
  return [row.service, row.sli, row.team, row.kind, row.description, ...row.firing].join(' ').toLowerCase();
}

/** A page path with the environment kept, so following links does not silently widen the numbers. */
export function withEnv(path: string, env: string | undefined): string {
  if (!env) return path;
  const [base, hash] = path.split('#', 2);
  return `${base}${base!.includes('?') ? '&' : '?'}env=${encodeURIComponent(env)}${hash === undefined ? '' : `#${hash}`}`;
}

const safeHref = (url: string) => (/^(https?:\/\/|\/)/.test(url) ? url : undefined);

function stateView(state: SloState) {
  return { state, ...STATE_LABELS[state] };
}

/** Clamped to 0–1, for bars: a budget overspent is an empty bar, not a negative one. */
const unit = (ratio: number) => Math.max(0, Math.min(1, ratio));

/** Objective, availability and budget as the list shows them, for an SLO's row and a journey's alike. */
function budgetCells(row: { readonly objective: number; readonly availability: number | null; readonly budgetRemaining: number | null }) {
  return {
    objective: formatPercent(row.objective),
    availability: percent(row.availability, availabilityDigits(row.objective)),
    budget: percent(row.budgetRemaining, 1),
    // A tenth-step class rather than a width: the content security policy allows no inline style.
    budgetBar: row.budgetRemaining === null ? undefined : `f${Math.round(unit(row.budgetRemaining) * 10)} ${row.budgetRemaining < AT_RISK_BUDGET ? 'low' : 'ok'}`,
  };
}

function rowView(row: SloRow, env: string | undefined) {
  return {
    ...stateView(row.state),
    service: row.service,
    sli: row.sli,
    team: row.team,
    tier: row.tier,
    kind: row.experimental ? `${row.kind}, experimental: never alerts` : row.kind,
    description: row.description,
    search: searchText(row),
    detail: withEnv(row.links.detail, env),
    ...budgetCells(row),
    period: row.period,
    budgetMeter: row.budgetRemaining === null ? undefined : unit(row.budgetRemaining).toFixed(3),
    burnRates: row.burnRates.map((b) => ({ window: b.window, text: burnText(b.value), hot: b.value !== null && b.value > b.alertAt, alertAt: burnText(b.alertAt) })),
    pairs: burnPairs(row),
    firing: row.firing,
    likelyCause: row.likelyCause.map((service) => ({ service, runbook: runbookPath(service) })),
    unknown: row.state === 'unknown',
  };
}

/** Each burn alert's long window with its burn rate, hot when both its windows are above the alert's factor. */
function burnPairs(row: SloRow) {
  return row.alerts
    .filter((a) => a.kind === 'burn' && a.factor !== null)
    .map((a) => ({
      window: a.long,
      short: a.short,
      text: burnText(row.burnRates.find((b) => b.window === a.long)?.value ?? null),
      factor: burnText(a.factor),
      hot: pairAbove(row.burnRates, a.long, a.short, a.factor!),
    }));
}

/** Everything the pages have in common: the Prometheus line, the time of the numbers. */
function chrome(snapshot: Snapshot, prometheusUrl: string, title: string, page: string) {
  return {
    ...pageChrome(prometheusUrl, title, page),
    asOf: timeText(snapshot.at),
    asOfIso: new Date(snapshot.at).toISOString(),
    environment: snapshot.environment,
    error: snapshot.error,
    // Prometheus answers but holds nothing slokit records: most likely the rules are not loaded.
    noRecordedSeries: !snapshot.error && snapshot.rows.length > 0 && snapshot.rows.every((r) => r.state === 'no-data'),
  };
}

/** A page that shows no numbers (runbooks, not found), so it never waits for Prometheus. */
export function pageChrome(prometheusUrl: string, title: string, page: string) {
  return { title, page, prometheusUrl };
}

/** A journey's row of the list: the same states, numbers and links as an SLO's. */
function journeyView(row: JourneyRow) {
  return {
    ...stateView(row.state),
    journey: row.journey,
    description: row.description,
    team: row.team,
    weighting: row.weighting,
    ...budgetCells(row),
    period: row.period,
    errorRatio: percent(row.errorRatio, 3),
    components: row.components.join(', '),
    firing: row.firing,
    unknown: row.state === 'unknown',
    runbook: row.links.runbook,
    dashboard: safeHref(row.links.dashboard),
  };
}

export function listView(model: Model, snapshot: Snapshot, prometheusUrl: string, filter: ListFilter, journeys: readonly JourneyRow[] = []) {
  const rows = snapshot.rows.map((r) => ({ ...rowView(r, snapshot.environment), hidden: !matchesFilter(r, filter) }));
  const counts = SLO_STATES.map((s) => ({ ...stateView(s), count: snapshot.rows.filter((r) => r.state === s).length })).filter((c) => c.count > 0);
  const option = (value: string, text: string, selected: string) => ({ value, text, selected: value === selected });
  return {
    ...chrome(snapshot, prometheusUrl, 'SLOs', 'list'),
    rows,
    shown: rows.filter((r) => !r.hidden).length,
    total: rows.length,
    counts,
    filter,
    teams: [...new Set(model.services.flatMap((s) => s.slis.map((sli) => sli.team.name)))].sort().map((t) => option(t, t, filter.team)),
    tiers: ['1', '2', '3'].map((t) => option(t, `tier ${t}`, filter.tier)),
    states: SLO_STATES.map((s) => option(s, `${STATE_LABELS[s].symbol} ${STATE_LABELS[s].text}`, filter.state)),
    journeys: journeys.filter((j) => !filter.team || j.team === filter.team).map(journeyView),
    environmentLabel: model.settings.environmentLabel,
    environments: [...new Set([...snapshot.environments, ...(filter.env ? [filter.env] : [])])].sort().map((e) => option(e, e, filter.env)),
  };
}

/** JSON for a script element: `<` escaped so no string in it can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function detailView(model: Model, snapshot: Snapshot, prometheusUrl: string, detail: SloDetail) {
  const row = detail.slo;
  const service = model.services.find((s) => s.name === row.service)!;
  return {
    ...chrome(snapshot, prometheusUrl, `${row.service} / ${row.sli}`, 'detail'),
    slo: rowView(row, snapshot.environment),
    listHref: withEnv('/', snapshot.environment),
    objectiveText: detail.objectiveText,
    badEvents: detail.badEvents,
    serviceDescription: service.description,
    pager: (service.slis.find((s) => s.name === row.sli)?.team ?? service.team).pager,
    dashboard: safeHref(row.links.dashboard),
    runbook: row.links.runbook,
    ranges: CHART_RANGES.map((r) => ({ range: r, href: withEnv(`${detailPath(row.service, row.sli)}?range=${r}`, snapshot.environment), current: r === detail.range })),
    range: detail.range,
    periodText: row.period,
    alerts: row.alerts.map((a) => ({
      ...a,
      pair: a.kind === 'burn' || a.kind === 'low-traffic' ? `${a.long} / ${a.short}` : a.kind === 'budget-exhausted' ? a.long : `${a.short} silent (${a.long} baseline)`,
      factorText: a.factor === null ? '–' : burnText(a.factor),
      stateText: ALERT_STATE_SYMBOL[a.state],
      runbook: runbookPath(row.service, a.anchor),
    })),
    dependencies: detail.dependencies.map((d) => ({ ...d, ...stateView(d.state), link: d.link && withEnv(d.link, snapshot.environment), budget: percent(d.budgetRemaining, 1), runbook: d.known ? runbookPath(d.service) : undefined })),
    hasDependencies: detail.dependencies.length > 0,
    serviceAlerts: detail.serviceAlerts.map((a) => ({ ...a, stateText: ALERT_STATE_SYMBOL[a.state] })),
    charts: detail.charts !== undefined,
    chartJson: detail.charts ? scriptJson(detail.charts) : undefined,
  };
}

export function runbookView(prometheusUrl: string, name: string, page: RunbookPage, services: readonly string[]) {
  return {
    ...pageChrome(prometheusUrl, page.title, 'runbook'),
    name,
    html: page.html,
    services: services.map((s) => ({ name: s, href: runbookPath(s), current: s === name })),
  };
}

export type PageName = 'list' | 'detail' | 'runbook' | 'not-found';

/** The compiled templates of ui/templates. */
export function pageRenderer(assetUrl: (name: string) => string): (page: PageName, view: object) => string {
  const hb = Handlebars.create();
  hb.registerHelper('asset', (name: string) => assetUrl(name));
  const read = (name: string) => readFileSync(join(UI_DIR, 'templates', name), 'utf8');
  hb.registerPartial('layout', read('layout.html.hbs'));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const pages = new Map((['list', 'detail', 'runbook', 'not-found'] as const).map((p) => [p, hb.compile(read(`${p}.html.hbs`), { strict: false })]));
  return (page, view) => pages.get(page)!(view);
}
