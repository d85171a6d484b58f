/**
 * `slokit capacity`: per service and saturation resource, utilisation (measured now, or what
 * the scale's reference architecture expects), headroom to the hard threshold and the date
 * last week's trend reaches it; per service, traffic against what the scale expects.
 */
import { formatNumber, formatPercent } from '../model/decimal.js';
import type { Model, Scale } from '../model/types.js';
import { SATURATION_LABELS, series, SLI_LABELS, CURRENT_WINDOW } from '../naming.js';
import { instantQuery, type VectorSample } from '../prometheus-api.js';
import { mdText } from '../emit/runbooks/markdown.js';

export interface ResourceCapacity {
  readonly service: string;
  readonly resource: string;
  readonly title: string;
  readonly soft: number;
  readonly hard: number;
  /** What the scale expects at peak, when it says. */
  readonly expected: number | undefined;
  /** Measured now (worst instance), when a Prometheus was asked and has the series. */
  readonly current: number | undefined;
  /** Utilisation change per day over the forecast lookback, when measured. */
  readonly trendPerDay: number | undefined;
  /** hard − (current, else expected). */
  readonly headroom: number | undefined;
  /** ISO date the trend reaches hard; 'now' when already above; undefined when flat, falling or unknown. */
  readonly reachesHard: string | undefined;
  readonly status: 'ok' | 'above-soft' | 'above-hard' | 'unknown';
  readonly addCapacity: readonly string[];
}

export interface ServiceTraffic {
  readonly service: string;
  readonly expectedPerSecond: number | undefined;
  readonly currentPerSecond: number | undefined;
}

export interface CapacityReport {
  readonly scale: Scale;
  readonly measuredAt: string | undefined;
  readonly resources: readonly ResourceCapacity[];
  readonly traffic: readonly ServiceTraffic[];
}

type Key = string;
const key = (service: string, resource: string): Key => `${service}\0${resource}`;

function byKey(samples: readonly VectorSample[]): Map<Key, number> {
  const out = new Map<Key, number>();
  for (const s of samples) out.set(key(s.metric[SATURATION_LABELS.service] ?? '', s.metric[SATURATION_LABELS.resource] ?? ''), s.value);
  return out;
}

/** Queries the live numbers; every series is read in one query each (not one per resource). */
async function measure(model: Model, prometheusUrl: string, timeoutMs: number) {
  const lookbacks = [...new Set(model.services.flatMap((s) => s.saturation.map((r) => r.forecastLookback.text)))];
  const current = byKey(await instantQuery(prometheusUrl, `max by (service, resource) (${series.saturation})`, timeoutMs));
  const trend = new Map<string, Map<Key, number>>();
  for (const w of lookbacks) trend.set(w, byKey(await instantQuery(prometheusUrl, `max by (service, resource) (deriv(${series.saturation}[${w}]))`, timeoutMs)));
  const rate = await instantQuery(prometheusUrl, `max by (${SLI_LABELS.service}) (${series.totalRate(CURRENT_WINDOW)})`, timeoutMs);
  const traffic = new Map(rate.map((s) => [s.metric[SLI_LABELS.service] ?? '', s.value] as const));
  return { current, trend, traffic };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export async function capacityReport(model: Model, options: { prometheusUrl?: string; timeoutMs?: number; now?: number } = {}): Promise<CapacityReport> {
  const scale = model.scale!;
  const now = options.now ?? Date.now();
  const live = options.prometheusUrl ? await measure(model, options.prometheusUrl, options.timeoutMs ?? 10_000) : undefined;
  const resources: ResourceCapacity[] = [];
  for (const service of model.services) {
    for (const r of service.saturation) {
      const expected = scale.services[service.name]?.expected[r.name];
      const current = live?.current.get(key(service.name, r.name));
      const perSecond = live?.trend.get(r.forecastLookback.text)?.get(key(service.name, r.name));
      const u = current ?? expected;
      let reachesHard: string | undefined;
      if (current !== undefined && current > r.hard) reachesHard = 'now';
      else if (current !== undefined && perSecond !== undefined && perSecond > 0) reachesHard = isoDate(now + ((r.hard - current) / perSecond) * 1000);
      resources.push({
        service: service.name,
        resource: r.name,
        title: r.title,
        soft: r.soft,
        hard: r.hard,
        expected,
        current,
        trendPerDay: perSecond === undefined ? undefined : perSecond * 86_400,
        headroom: u === undefined ? undefined : r.hard - u,
        reachesHard,
        status: u === undefined ? 'unknown' : u > r.hard ? 'above-hard' : u > r.soft ? 'above-soft' : 'ok',
        addCapacity: r.addCapacity,
      });
    }
  }
  const traffic = model.services.map((s) => ({ service: s.name, expectedPerSecond: scale.services[s.name]?.requestsPerSecond, currentPerSecond: live?.traffic.get(s.name) }));
  return { scale, measuredAt: live ? new Date(now).toISOString() : undefined, resources, traffic };
}

const pct = (v: number | undefined) => (v === undefined ? '-' : formatPercent(Math.round(v * 1000) / 1000));
const STATUS_TEXT = { ok: 'ok', 'above-soft': 'ABOVE SOFT', 'above-hard': 'ABOVE HARD', unknown: 'unknown' } as const;

function utilisation(r: ResourceCapacity): string {
  return r.current !== undefined ? `${pct(r.current)} now` : r.expected !== undefined ? `${pct(r.expected)} expected` : '-';
}

function forecastText(r: ResourceCapacity, measured: boolean): string {
  if (r.reachesHard) return r.reachesHard;
  if (!measured) return 'needs --prometheus';
  return r.current === undefined ? 'no data' : 'not on current trend';
}

function trafficShare(t: ServiceTraffic): string {
  if (t.expectedPerSecond === undefined) return '';
  const cur = t.currentPerSecond;
  return cur === undefined ? `expects ${formatNumber(t.expectedPerSecond)}/s` : `${formatNumber(Math.round(cur * 10) / 10)}/s of ${formatNumber(t.expectedPerSecond)}/s expected (${formatPercent(Math.round((cur / t.expectedPerSecond) * 100) / 100)})`;
}

export function capacityTable(report: CapacityReport): string {
  const measured = report.measuredAt !== undefined;
  const rows = [['SERVICE', 'RESOURCE', 'UTILISATION', 'SOFT', 'HARD', 'HEADROOM', 'REACHES HARD', 'STATUS']];
  for (const r of report.resources) rows.push([r.service, r.resource, utilisation(r), pct(r.soft), pct(r.hard), pct(r.headroom), forecastText(r, measured), STATUS_TEXT[r.status]]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  const traffic = report.traffic.filter((t) => t.expectedPerSecond !== undefined).map((t) => `  ${t.service}: ${trafficShare(t)}`);
  return [
    `Scale ${report.scale.name}: ${report.scale.description}`,
    measured ? `Measured at ${report.measuredAt}.` : 'Expected utilisation from the reference architecture (pass --prometheus URL for live numbers and forecasts).',
    '',
    ...lines,
    ...(traffic.length ? ['', 'Traffic (busiest SLI, events per second):', ...traffic] : []),
  ].join('\n');
}

/** Capacity planning guidance an admin can hand to a customer. */
export function capacityMarkdown(report: CapacityReport, nextScale: Scale | undefined): string {
  const s = report.scale;
  const measured = report.measuredAt !== undefined;
  const out = [
    `# Capacity plan: ${mdText(s.name)} (up to ${s.users.toLocaleString('en-US')} users)`,
    '',
    mdText(s.description),
    '',
    measured
      ? `Utilisation measured at ${report.measuredAt} (worst instance of each resource); dates are where the trend of the last week reaches the hard threshold.`
      : 'Utilisation is what this reference architecture is expected to reach at peak. Measure your own with `slokit capacity --prometheus URL` once it runs.',
    '',
    '| Service | Resource | Utilisation | Soft | Hard | Headroom | Reaches hard | Status |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.resources.map((r) => `| ${r.service} | ${mdText(r.title)} | ${utilisation(r)} | ${pct(r.soft)} | ${pct(r.hard)} | ${pct(r.headroom)} | ${forecastText(r, measured)} | ${STATUS_TEXT[r.status]} |`),
    '',
  ];
  const act = report.resources.filter((r) => r.status === 'above-soft' || r.status === 'above-hard' || (r.reachesHard !== undefined && r.reachesHard !== 'now'));
  out.push('## What to do', '');
  const unknown = report.resources.filter((r) => r.status === 'unknown');
  if (!act.length) out.push(`Every resource with a number is below its soft threshold, and no measured trend reaches a hard threshold.${unknown.length ? ` No number yet for: ${unknown.map((r) => `${r.service} ${r.resource}`).join(', ')}.` : ''} Review again after the next large change in users or usage.`, '');
  for (const r of act) {
    const why = r.status === 'above-hard' ? 'is above its hard threshold now' : r.status === 'above-soft' ? 'is above its soft threshold' : `reaches its hard threshold around ${r.reachesHard}`;
    out.push(`### ${r.service}: ${mdText(r.title)}`, '', `${mdText(r.title)} ${why}. To add capacity:`, '');
    out.push(...(r.addCapacity.length ? r.addCapacity.map((step) => `1. ${mdText(step)}`) : ['1. The team has written no capacity steps for this resource; ask its owners.']), '');
  }
  const traffic = report.traffic.filter((t) => t.expectedPerSecond !== undefined);
  if (traffic.length) {
    out.push('## Traffic against this size', '', '| Service | Events per second (busiest SLI) |', '| --- | --- |', ...traffic.map((t) => `| ${t.service} | ${trafficShare(t)} |`), '');
    const over = traffic.filter((t) => t.currentPerSecond !== undefined && t.currentPerSecond > t.expectedPerSecond!);
    if (over.length) {
      out.push(`${over.map((t) => t.service).join(', ')} already ${over.length === 1 ? 'serves' : 'serve'} more than this size expects${nextScale ? `; plan the move to the ${mdText(nextScale.name)} reference architecture (up to ${nextScale.users.toLocaleString('en-US')} users)` : ''}.`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
