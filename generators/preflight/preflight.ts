/**
 * The upgrade preflight gate: from a live Prometheus, per service, the error budget left, the
 * current burn rates, the firing SLO alerts and version skew; safe to upgrade only when every
 * check passes. Fails closed: missing data is a reason, an unreachable Prometheus an error.
 */
import type { Model, Service } from '../model/types.js';
import { CURRENT_WINDOW, series } from '../naming.js';
import { regexEscape, selectorText } from '../promql/escape.js';
import { formatPercent } from '../model/decimal.js';
import { instantQuery, type VectorSample } from '../prometheus-api.js';

export interface PreflightOptions {
  readonly services?: readonly string[];
  /** Smallest share of the error budget that must be left, 0..1 (default 0.25). */
  readonly minBudget?: number;
  readonly timeoutMs?: number;
}

export interface ServiceVerdict {
  readonly service: string;
  readonly safe: boolean;
  readonly reasons: readonly string[];
  readonly budgetRemaining: readonly { readonly sli: string; readonly value: number }[];
  readonly burnRates: readonly { readonly sli: string; readonly window: string; readonly value: number }[];
  readonly firing: readonly { readonly alertname: string; readonly sli: string; readonly severity: string }[];
  readonly versions: readonly string[] | null;
}

function worstBy(samples: readonly VectorSample[], key: (s: VectorSample) => string, pick: (a: number, b: number) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const k = key(s);
    out.set(k, out.has(k) ? pick(out.get(k)!, s.value) : s.value);
  }
  return out;
}

export async function runPreflight(model: Model, prometheusUrl: string, options: PreflightOptions = {}): Promise<ServiceVerdict[]> {
  const minBudget = options.minBudget ?? 0.25;
  const timeout = options.timeoutMs ?? 10_000;
  const services: Service[] = options.services?.length ? options.services.map((n) => model.services.find((s) => s.name === n)!) : [...model.services];
  const serviceRe = services.map((s) => regexEscape(s.name)).join('|');
  const sel = (extra: string) => `{service=~"${serviceRe}"${extra}}`;
  const burnPrefix = series.burnRate({ text: '', seconds: 0 });
  const [budget, burn, alerts] = await Promise.all([
    instantQuery(prometheusUrl, `${series.budgetRemaining}${sel('')}`, timeout),
    instantQuery(prometheusUrl, `{__name__=~"${regexEscape(burnPrefix)}.+", service=~"${serviceRe}"}`, timeout),
    instantQuery(prometheusUrl, `ALERTS${sel(`, alertstate="firing", alertname=~"${regexEscape(model.settings.alertPrefix)}.*"`)}`, timeout),
  ]);
  const verdicts: ServiceVerdict[] = [];
  for (const service of services) {
    const mine = (s: VectorSample) => s.metric.service === service.name;
    const budgets = worstBy(budget.filter(mine), (s) => s.metric.sli ?? '', Math.min);
    // Every recorded burn-rate window, worst over environments and clusters; the verdict uses the current one.
    const windowOf = (s: VectorSample) => (s.metric.__name__ ?? '').slice(burnPrefix.length);
    const allBurns = worstBy(burn.filter(mine), (s) => `${s.metric.sli ?? ''}\u0000${windowOf(s)}`, Math.max);
    const burns = new Map([...allBurns].filter(([k]) => k.endsWith(`\u0000${CURRENT_WINDOW.text}`)).map(([k, v]) => [k.split('\u0000')[0]!, v]));
    const firing = alerts.filter(mine).map((a) => ({ alertname: a.metric.alertname ?? '', sli: a.metric.sli ?? '', severity: a.metric.severity ?? '' }));
    let versions: string[] | null = null;
    if (service.versionMetric) {
      const vm = service.versionMetric;
      const r = await instantQuery(prometheusUrl, `count by (${vm.label}) (${selectorText(vm.selector)})`, timeout);
      versions = r.map((s) => s.metric[vm.label] ?? '').sort();
    }
    const reasons: string[] = [];
    for (const sli of service.slis) {
      const b = budgets.get(sli.name);
      if (b === undefined) reasons.push(`${sli.name}: no error budget data in Prometheus (are the slokit rules loaded?)`);
      else if (b < minBudget) reasons.push(`${sli.name}: ${formatPercent(Math.max(b, -99))} of the error budget left, below the ${formatPercent(minBudget)} required`);
      const r = burns.get(sli.name);
      if (r !== undefined && r > 1) reasons.push(`${sli.name}: burning the budget ${r.toFixed(1)}x faster than sustainable over the last ${CURRENT_WINDOW.text}`);
    }
    for (const f of firing) reasons.push(`${f.sli}: ${f.alertname} (${f.severity}) is firing`);
    if (versions && versions.length > 1) reasons.push(`${versions.length} versions running at once (${versions.join(', ')}): finish the current rollout first`);
    verdicts.push({
      service: service.name,
      safe: reasons.length === 0,
      reasons,
      budgetRemaining: [...budgets].map(([sli, value]) => ({ sli, value })),
      burnRates: [...allBurns].map(([key, value]) => {
        const [sli, window] = key.split('\u0000');
        return { sli: sli!, window: window!, value };
      }),
      firing,
      versions,
    });
  }
  return verdicts;
}

export function preflightTable(verdicts: readonly ServiceVerdict[]): string {
  const lines = verdicts.map((v) => {
    const budget = v.budgetRemaining.length ? Math.min(...v.budgetRemaining.map((b) => b.value)) : NaN;
    const current = v.burnRates.filter((b) => b.window === CURRENT_WINDOW.text);
    const burn = current.length ? Math.max(...current.map((b) => b.value)) : NaN;
    const head = `${v.safe ? 'SAFE   ' : 'BLOCKED'} ${v.service.padEnd(20)} budget left ${Number.isNaN(budget) ? '   n/a' : formatPercent(Math.round(budget * 1000) / 1000).padStart(6)}  burn ${Number.isNaN(burn) ? 'n/a' : `${burn.toFixed(2)}x`}  firing ${v.firing.length}  versions ${v.versions ? v.versions.join(',') || 'none seen' : 'n/a'}`;
    return [head, ...v.reasons.map((r) => `        - ${r}`)].join('\n');
  });
  return lines.join('\n');
}

