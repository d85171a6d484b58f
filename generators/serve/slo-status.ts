/**
 * The state of every SLO, from the recorded series the generated rules write: budget left,
 * availability over the period, burn rate per alert window and the SLI's alerts. A handful of
 * queries answer for the whole catalog, whatever its size: each asks for one recorded series
 * across every SLI, reduced to the worst environment and cluster.
 */
import { alertDefs, type AlertKind } from '../emit/alert-rules.js';
import type { Duration } from '../model/duration.js';
import type { Matcher, Model, Service, Sli } from '../model/types.js';
import { isCauseAlert } from '../emit/alertmanager/inhibition.js';
import { dashboardUrl, SATURATION_LABELS, series, SLI_LABELS } from '../naming.js';
import { PrometheusUnavailable, type VectorSample } from '../prometheus-api.js';
import { matchersText, regexEscape } from '../promql/escape.js';
import type { QueryCache } from './query-cache.js';

/** Below this share of budget left an SLO is at risk even when nothing burns: a quarter, as `preflight` requires. */
export const AT_RISK_BUDGET = 0.25;

export type SloState = 'exhausted' | 'burning' | 'at-risk' | 'healthy' | 'no-data' | 'unknown';

/** Worst first; the order of the state filter and of ties in the list. */
export const SLO_STATES: readonly SloState[] = ['burning', 'exhausted', 'at-risk', 'healthy', 'no-data', 'unknown'];

export type AlertState = 'firing' | 'pending' | 'inactive' | 'unknown';

export interface SloAlert {
  readonly name: string;
  readonly kind: AlertKind;
  readonly severity: string;
  /** Window pair, e.g. 1h and 5m. */
  readonly long: string;
  readonly short: string;
  /** Burn-rate factor of burn and low-traffic alerts. */
  readonly factor: number | null;
  readonly state: AlertState;
  /** Heading of the service's runbook. */
  readonly anchor: string;
}

export interface SloRow {
  readonly service: string;
  readonly sli: string;
  /** The SLI's owner (its own team, or its service's). */
  readonly team: string;
  /** Recorded and drawn, never alerted on. */
  readonly experimental: boolean;
  readonly tier: number;
  readonly kind: string;
  readonly description: string;
  readonly objective: number;
  readonly period: string;
  readonly state: SloState;
  readonly availability: number | null;
  readonly budgetRemaining: number | null;
  /** Burn rate over every window an alert of this SLI reads, shortest first, with the lowest factor an alert reading it fires at. */
  readonly burnRates: readonly { readonly window: string; readonly value: number | null; readonly alertAt: number }[];
  readonly alerts: readonly SloAlert[];
  readonly firing: readonly string[];
  /**
   * Dependencies of the service whose burn or saturation page fires, while this SLO burns or
   * alerts: the likely cause, and what Alertmanager holds this SLO's alerts back for.
   */
  readonly likelyCause: readonly string[];
  readonly links: { readonly detail: string; readonly runbook: string; readonly dashboard: string };
}

/** Another alert of the service that no SLI owns (saturation), while it fires or is pending. */
export interface ServiceAlert {
  readonly name: string;
  readonly severity: string;
  readonly resource: string;
  readonly state: AlertState;
}

export interface Snapshot {
  /** Milliseconds; when the answers were asked for. */
  readonly at: number;
  /** Why there are no numbers; undefined when Prometheus answered every query. */
  readonly error: string | undefined;
  readonly rows: readonly SloRow[];
  readonly serviceAlerts: ReadonlyMap<string, readonly ServiceAlert[]>;
  /** Environments the recorded series name (values of the catalog's environment label). */
  readonly environments: readonly string[];
  /** The one these numbers are for; undefined: the worst of all. */
  readonly environment: string | undefined;
}

const key = (service: string, sli: string) => `${service}\u0000${sli}`;

/** Every distinct window of the SLIs' alerts, and of their periods. */
function windowsOf(model: Model): { burn: Duration[]; periods: Duration[] } {
  const burn = new Map<number, Duration>();
  const periods = new Map<number, Duration>();
  for (const s of model.services)
    for (const sli of s.slis) {
      for (const a of sli.alerts) for (const w of [a.long, a.short]) burn.set(w.seconds, w);
      periods.set(sli.period.seconds, sli.period);
    }
  const sorted = (m: Map<number, Duration>) => [...m.values()].sort((a, b) => a.seconds - b.seconds);
  return { burn: sorted(burn), periods: sorted(periods) };
}

const BY_SLI = `${SLI_LABELS.service}, ${SLI_LABELS.sli}`;

/** Matchers that keep one environment's series, or none. */
export function environmentMatchers(model: Model, environment: string | undefined): Matcher[] {
  const label = model.settings.environmentLabel;
  return label && environment ? [{ label, op: '=', value: environment }] : [];
}

/**
 * The instant queries behind the list; their number does not grow with the catalog. With an
 * environment, only its series count; the environments themselves come from the budget series.
 */
export function snapshotQueries(
  model: Model,
  environment?: string,
): { budget: string; availability: Map<string, string>; burn: Map<string, string>; alerts: string; environments: string | undefined } {
  const { burn, periods } = windowsOf(model);
  const env = environmentMatchers(model, environment);
  const sel = env.length ? matchersText(env) : '';
  const label = model.settings.environmentLabel;
  return {
    budget: `min by (${BY_SLI}) (${series.budgetRemaining}${sel})`,
    availability: new Map(periods.map((p) => [p.text, `max by (${BY_SLI}) (${series.errorRatio(p)}${sel})`])),
    burn: new Map(burn.map((w) => [w.text, `max by (${BY_SLI}) (${series.burnRate(w)}${sel})`])),
    alerts: `ALERTS${matchersText([{ label: 'alertname', op: '=~', value: `${regexEscape(model.settings.alertPrefix)}.+` }, ...env])}`,
    environments: label ? `count by (${label}) (${series.budgetRemaining})` : undefined,
  };
}

interface Readings {
  readonly budget: ReadonlyMap<string, number>;
  readonly availability: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly burn: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly alerts: readonly VectorSample[];
}

function bySli(samples: readonly VectorSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const service = s.metric[SLI_LABELS.service];
    const sli = s.metric[SLI_LABELS.sli];
    if (service !== undefined && sli !== undefined && Number.isFinite(s.value)) out.set(key(service, sli), s.value);
  }
  return out;
}

/** Asks Prometheus (through the cache) for everything the list shows, for one environment or all. */
export async function readSnapshot(model: Model, cache: QueryCache, environment?: string): Promise<Snapshot> {
  const at = cache.now();
  const q = snapshotQueries(model, environment);
  const perWindow = async (queries: Map<string, string>) =>
    new Map(await Promise.all([...queries].map(async ([w, expr]) => [w, bySli(await cache.instant(expr))] as const)));
  const label = model.settings.environmentLabel;
  const environments = async () =>
    q.environments && label ? [...new Set((await cache.instant(q.environments)).map((s) => s.metric[label]).filter((e): e is string => !!e))].sort() : [];
  try {
    const [budget, availability, burn, alerts, envs] = await Promise.all([cache.instant(q.budget).then(bySli), perWindow(q.availability), perWindow(q.burn), cache.instant(q.alerts), environments()]);
    return { ...snapshotOf(model, at, { budget, availability, burn, alerts }), environments: envs, environment: q.environments ? environment : undefined };
  } catch (e) {
    if (!(e instanceof PrometheusUnavailable)) throw e;
    return snapshotOf(model, at, undefined, e.message);
  }
}

const STATE_RANK: Record<string, number> = { firing: 2, pending: 1 };

/** Firing or pending alerts by their identity; firing wins over pending across environments. */
function alertStates(samples: readonly VectorSample[]): Map<string, 'firing' | 'pending'> {
  const out = new Map<string, 'firing' | 'pending'>();
  for (const s of samples) {
    const state = s.metric.alertstate;
    if (state !== 'firing' && state !== 'pending') continue;
    const id = alertId(s.metric.alertname ?? '', s.metric[SLI_LABELS.service] ?? '', s.metric[SLI_LABELS.sli] ?? '', s.metric.long ?? '', s.metric.short ?? '');
    if ((STATE_RANK[out.get(id) ?? ''] ?? 0) < STATE_RANK[state]!) out.set(id, state);
  }
  return out;
}

const alertId = (...parts: string[]) => parts.join('\u0000');

/** Builds the rows; `readings` is undefined when Prometheus could not answer. */
export function snapshotOf(model: Model, at: number, readings: Readings | undefined, error?: string): Snapshot {
  const states = readings ? alertStates(readings.alerts) : new Map<string, 'firing' | 'pending'>();
  const paging = readings ? pagingServices(model, readings.alerts) : new Set<string>();
  const rows = sliFacts(model).map((facts) => rowOf(facts, readings, states, paging));
  return {
    at,
    error: readings ? undefined : (error ?? 'Prometheus did not answer'),
    rows: sortRows(rows),
    serviceAlerts: readings ? serviceAlertsOf(model, readings.alerts) : new Map(),
    environments: [],
    environment: undefined,
  };
}

/** What a row needs from the catalog, worked out once per model: alert rules are not cheap to build. */
interface SliFacts {
  readonly service: Service;
  readonly sli: Sli;
  readonly burnWindows: readonly { readonly window: Duration; readonly alertAt: number }[];
  readonly alerts: readonly Omit<SloAlert, 'state'>[];
  readonly links: SloRow['links'];
}

const factsByModel = new WeakMap<Model, readonly SliFacts[]>();

function sliFacts(model: Model): readonly SliFacts[] {
  let facts = factsByModel.get(model);
  if (facts) return facts;
  facts = model.services.flatMap((service) =>
    service.slis.map((sli) => {
      const defs = alertDefs(model, service, sli);
      const windows = [...new Map(sli.alerts.flatMap((a) => [a.long, a.short]).map((w) => [w.seconds, w])).values()].sort((a, b) => a.seconds - b.seconds);
      return {
        service,
        sli,
        burnWindows: windows.map((window) => ({ window, alertAt: Math.min(...sli.alerts.filter((a) => a.long.seconds === window.seconds || a.short.seconds === window.seconds).map((a) => a.factor)) })),
        alerts: defs.map((def) => {
          const labels = def.rule.labels ?? {};
          return { name: def.rule.alert, kind: def.kind, severity: labels.severity ?? '', long: labels.long ?? '', short: labels.short ?? '', factor: def.burn?.factor ?? null, anchor: def.anchor };
        }),
        links: {
          detail: detailPath(service.name, sli.name),
          // An experimental SLI has no alert sections: its runbook from the top.
          runbook: runbookPath(service.name, defs[0]?.anchor),
          dashboard: dashboardUrl(model.settings, service, { from: 'now-6h', sli: sli.name }),
        },
      };
    }),
  );
  factsByModel.set(model, facts);
  return facts;
}

/** Both windows of a pair above its factor: what the alert says, minus its event-count guard. */
export function pairAbove(burnRates: SloRow['burnRates'], long: string, short: string, factor: number): boolean {
  const rate = (w: string) => burnRates.find((b) => b.window === w)?.value ?? null;
  const l = rate(long);
  const sh = rate(short);
  return l !== null && sh !== null && l > factor && sh > factor;
}

/** Services with a firing page that holds back their dependents' alerts (see emit/alertmanager/inhibition.ts). */
function pagingServices(model: Model, samples: readonly VectorSample[]): Set<string> {
  const out = new Set<string>();
  for (const s of samples) if (s.metric.alertstate === 'firing' && isCauseAlert(model, s.metric)) out.add(s.metric[SLI_LABELS.service] ?? '');
  return out;
}

function rowOf(facts: SliFacts, readings: Readings | undefined, states: Map<string, 'firing' | 'pending'>, paging: ReadonlySet<string>): SloRow {
  const { service, sli } = facts;
  const k = key(service.name, sli.name);
  const read = (m: ReadonlyMap<string, number> | undefined) => (readings ? (m?.get(k) ?? null) : null);
  const burnRates = facts.burnWindows.map((b) => ({ window: b.window.text, value: read(readings?.burn.get(b.window.text)), alertAt: b.alertAt }));
  const errorRatio = read(readings?.availability.get(sli.period.text));
  const alerts: SloAlert[] = facts.alerts.map((a) => ({ ...a, state: readings ? (states.get(alertId(a.name, service.name, sli.name, a.long, a.short)) ?? 'inactive') : 'unknown' }));
  const budgetRemaining = read(readings?.budget);
  const pairBurning = sli.alerts.some((a) => pairAbove(burnRates, a.long.text, a.short.text, a.factor));
  const firing = alerts.filter((a) => a.state === 'firing');
  // Burning comes first: an incident going on now is what the responder acts on, whatever the
  // budget, even before the period's window has any (a new SLO, a Prometheus just started);
  // exhausted means spent earlier and not burning now.
  const state: SloState = !readings
    ? 'unknown'
    : pairBurning || firing.some((a) => a.kind === 'burn' || a.kind === 'low-traffic')
      ? 'burning'
      : budgetRemaining === null
        ? 'no-data'
        : budgetRemaining <= 0
          ? 'exhausted'
          : budgetRemaining < AT_RISK_BUDGET || firing.length
            ? 'at-risk'
            : 'healthy';
  return {
    service: service.name,
    sli: sli.name,
    team: sli.team.name,
    experimental: sli.experimental,
    tier: service.tier,
    kind: sli.kind,
    description: sli.description,
    objective: sli.objective,
    period: sli.period.text,
    state,
    availability: errorRatio === null ? null : 1 - errorRatio,
    budgetRemaining,
    burnRates,
    alerts,
    firing: firing.map((a) => a.name),
    likelyCause: state === 'burning' || firing.length ? service.dependencies.filter((d) => paging.has(d)) : [],
    links: facts.links,
  };
}

export function detailPath(service: string, sli: string): string {
  return `/slo/${encodeURIComponent(service)}/${encodeURIComponent(sli)}`;
}

export function runbookPath(service: string, anchor?: string): string {
  return `/runbooks/${encodeURIComponent(service)}${anchor ? `#${encodeURIComponent(anchor)}` : ''}`;
}

/**
 * Burning SLOs first (an incident going on now, whatever budget it has left), then worst budget
 * first; SLOs without numbers last, by name.
 */
export function sortRows(rows: SloRow[]): SloRow[] {
  const burningFirst = (r: SloRow) => (r.state === 'burning' ? 0 : 1);
  const budget = (r: SloRow) => r.budgetRemaining ?? Number.POSITIVE_INFINITY;
  return rows.sort(
    (a, b) =>
      burningFirst(a) - burningFirst(b) ||
      budget(a) - budget(b) ||
      SLO_STATES.indexOf(a.state) - SLO_STATES.indexOf(b.state) ||
      a.service.localeCompare(b.service) ||
      a.sli.localeCompare(b.sli),
  );
}

function serviceAlertsOf(model: Model, samples: readonly VectorSample[]): Map<string, ServiceAlert[]> {
  const known = new Set(model.services.map((s) => s.name));
  const out = new Map<string, ServiceAlert[]>();
  for (const s of samples) {
    const service = s.metric[SATURATION_LABELS.service];
    const resource = s.metric[SATURATION_LABELS.resource];
    const state = s.metric.alertstate;
    if (!service || !known.has(service) || resource === undefined || s.metric[SLI_LABELS.sli] !== undefined) continue;
    if (state !== 'firing' && state !== 'pending') continue;
    const list = out.get(service) ?? [];
    const name = s.metric.alertname ?? '';
    const same = list.find((a) => a.name === name && a.resource === resource);
    if (!same) list.push({ name, severity: s.metric.severity ?? '', resource, state });
    else if (state === 'firing' && same.state !== 'firing') list.splice(list.indexOf(same), 1, { ...same, state });
    out.set(service, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.resource.localeCompare(b.resource) || a.name.localeCompare(b.name));
  return out;
}
