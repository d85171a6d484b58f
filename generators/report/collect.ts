/**
 * Asks Prometheus what a report needs, and fails closed: an unanswered query, or a period that
 * starts before the data Prometheus holds, is an error that says how much is missing. The number
 * of queries does not grow with the catalog, only with the incidents (one sum of bad events each).
 */
import type { Duration } from '../model/duration.js';
import type { Matcher, Model } from '../model/types.js';
import { journeyLeaves } from '../model/journeys.js';
import { SLI_LABELS } from '../naming.js';
import { inParallel } from '../in-parallel.js';
import { instantQuery, instantRangeQuery, prometheusVersion, rangeQuery, type VectorSample } from '../prometheus-api.js';
import { buildReport, firingByRow, firingGap, incidentId, insidePeriod, rowKey, stretchesOf, type Answers, type Report, type RowKey, type RowSums, type Slo } from './build.js';
import { durationText, formatInstant, type ReportPeriods } from './period.js';
import { closedRanges, ReportQueries } from './queries.js';

/** Prometheus holds too little of the period to report on it. */
export class MissingHistory extends Error {}

export interface ReportOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly team?: string;
  readonly service?: string;
  readonly environment?: string;
  /** Unix seconds; alerts firing up to a day after the period (or until now) tell whether an incident ended inside it. */
  readonly now?: number;
}

/** Most points Prometheus returns per series of a range query (11,000); the chart step grows so a year still fits. */
const MAX_POINTS = 10_000;
/**
 * Most points of a chart query across all SLOs: each point is a small array once parsed, and
 * hourly points for 1,000 SLOs held half a gigabyte. A large catalog's charts get a coarser step.
 */
const MAX_CHART_POINTS = 250_000;
const HOUR = 3600;
/** How far before the period its firing alerts are read: an incident that began before it says when. */
const FIRING_BEFORE = 7 * 86_400;

export async function collectReport(model: Model, periods: ReportPeriods, options: ReportOptions): Promise<Report> {
  const { current, previous } = periods;
  const env = model.settings.environmentLabel;
  let queries = 0;
  const count = <T>(p: Promise<T>) => {
    queries++;
    return p;
  };
  const version = await count(prometheusVersion(options.url, options.timeoutMs));
  const closed = closedRanges(version);
  const q = new ReportQueries(model, { environment: options.environment }, closed);
  const selected = model.services
    .filter((s) => !options.service || s.name === options.service)
    .flatMap((service) => service.slis.map((sli) => ({ service, sli })))
    .filter(({ sli }) => !options.team || sli.team.name === options.team);
  // Journeys of the team, or crossing the service; their SLIs' sums are read whatever the filters.
  const journeys = model.journeys.filter((j) => (!options.team || j.team.name === options.team) && (!options.service || journeyLeaves(model.journeys, j).some((l) => l.service === options.service)));
  const journeySlis = journeys.flatMap((j) => journeyLeaves(model.journeys, j)).map((l) => {
    const service = model.services.find((s) => s.name === l.service)!;
    return { service, sli: service.slis.find((s) => s.name === l.sli)! };
  });
  const read = [...selected, ...journeySlis];
  const raws = [...new Map(read.map(({ sli }) => [sli.evaluation.rawWindow.text, sli.evaluation.rawWindow])).values()];
  const length = current.end - current.start;
  const step = HOUR * Math.max(1, Math.ceil(length / HOUR / MAX_POINTS), Math.ceil((selected.length * length) / HOUR / MAX_CHART_POINTS));
  const instant = (expr: string) => count(instantQuery(options.url, expr, options.timeoutMs));
  const rowOf = (metric: Readonly<Record<string, string>>) => rowKey(metric[SLI_LABELS.service] ?? '', metric[SLI_LABELS.sli] ?? '', env ? (metric[env] ?? null) : null);
  /** A row's SLO, without its environment (what the catalog names). */
  const sloOf = (key: RowKey) => key.split('\u0000').slice(0, 2).join('\u0000');
  const byRow = (samples: readonly VectorSample[]) => new Map(samples.map((s) => [rowOf(s.metric), s.value]));
  const sums = async (raw: Duration, seconds: number, at: number) => {
    const [total, bad] = await Promise.all([instant(q.sum('total', raw, seconds, at)), instant(q.sum('bad', raw, seconds, at))]);
    const badByRow = byRow(bad);
    return new Map([...byRow(total)].map(([k, t]): [RowKey, RowSums] => [k, { total: t, bad: badByRow.get(k) ?? 0 }]));
  };
  const perRaw = await Promise.all(
    raws.map(async (raw) => {
      const [now, before, total, bad] = await Promise.all([
        sums(raw, length, current.end),
        sums(raw, previous.end - previous.start, previous.end),
        count(rangeQuery(options.url, q.stepSum('total', raw, step), { start: current.start + step, end: current.end, step }, options.timeoutMs)),
        count(rangeQuery(options.url, q.stepSum('bad', raw, step), { start: current.start + step, end: current.end, step }, options.timeoutMs)),
      ]);
      return { raw, now, before, total, bad };
    }),
  );
  const lookahead = Math.min(current.end + 86_400, Math.max(current.end, Math.floor(options.now ?? Date.now() / 1000)));
  const [anyAtStart, firingSeries] = await Promise.all([
    instant(q.anyData(raws, HOUR, current.start + HOUR)),
    count(instantRangeQuery(options.url, q.firing(lookahead - (current.start - FIRING_BEFORE), lookahead), options.timeoutMs)),
  ]);

  // Each SLO reads the sums of its own raw window.
  const rawOf = new Map(read.map(({ service, sli }) => [`${service.name}\u0000${sli.name}`, sli.evaluation.rawWindow.text]));
  const mine = <T>(m: (r: (typeof perRaw)[number]) => ReadonlyMap<RowKey, T>) => {
    const out = new Map<RowKey, T>();
    for (const r of perRaw) for (const [k, v] of m(r)) if (rawOf.get(sloOf(k)) === r.raw.text) out.set(k, v);
    return out;
  };
  const stepsOf = (r: (typeof perRaw)[number]) => {
    const bad = new Map(r.bad.map((s) => [rowOf(s.metric), new Map(s.values)]));
    return new Map(
      r.total.map((s) => {
        const key = rowOf(s.metric);
        return [key, s.values.map(([t, total]) => [t, total, bad.get(key)?.get(t) ?? 0] as const)];
      }),
    );
  };
  const answersNow = mine((r) => r.now);
  const steps = mine(stepsOf);

  // Fail closed: the period must start inside what Prometheus holds (its targets' `up` or an SLO's samples).
  if (!anyAtStart.length || !(anyAtStart[0]!.value > 0)) {
    const firstStep = Math.min(...[...steps.values()].flatMap((s) => (s.length ? [s[0]![0]] : [])));
    if (!Number.isFinite(firstStep)) throw new MissingHistory(`Prometheus at ${options.url} holds no recorded SLO samples in ${current.label} (${formatInstant(current.start, periods.timezone)} to ${formatInstant(current.end, periods.timezone)}): the whole period is missing`);
    const [exactFirst] = await instant(q.firstAnySample(raws, step, firstStep));
    const first = exactFirst?.value ?? firstStep - step;
    throw new MissingHistory(
      `Prometheus at ${options.url} holds nothing from the start of ${current.label} (${formatInstant(current.start, periods.timezone)}) until ${formatInstant(first, periods.timezone)}: ${durationText(first - current.start)} of the period are missing (its retention, or it started later); report on a later period`,
    );
  }

  // Rows: every selected SLO in every environment its samples name (or the one asked for).
  const environmentsOf = (service: string, sli: string): (string | null)[] => {
    if (!env) return [null];
    if (options.environment) return [options.environment];
    const seen = new Set<string>();
    for (const m of [answersNow, steps, mine((r) => r.before)]) for (const k of m.keys()) {
      const [s, i, e] = k.split('\u0000');
      if (s === service && i === sli && e) seen.add(e);
    }
    return seen.size ? [...seen].sort() : [null];
  };
  const slos: Slo[] = selected.flatMap(({ service, sli }) => environmentsOf(service.name, sli.name).map((environment) => ({ service, sli, environment })));
  const journeyRows = journeys.flatMap((journey) => {
    const envs = [...new Set(journeyLeaves(model.journeys, journey).flatMap((l) => environmentsOf(l.service, l.sli)))];
    const named = envs.filter((e) => e !== null);
    return (named.length ? named.sort() : [null]).map((environment) => ({ journey, environment }));
  });

  // Each incident's bad events, inside the period.
  const fired = firingSeries.map((s) => ({ labels: s.metric, times: s.values.map(([t]) => t) }));
  const firing = firingByRow(model, fired);
  const incidentBad = new Map<string, number>();
  const asks: { id: string; raw: Duration; from: number; to: number; only: Matcher[] }[] = [];
  for (const { service, sli, environment } of slos) {
    const key = rowKey(service.name, sli.name, environment);
    for (const s of stretchesOf(firing.get(key) ?? [], firingGap(sli))) {
      const inside = insidePeriod(s, current);
      if (!inside) continue;
      const only: Matcher[] = [
        { label: SLI_LABELS.service, op: '=', value: service.name },
        { label: SLI_LABELS.sli, op: '=', value: sli.name },
        ...(env && environment ? [{ label: env, op: '=' as const, value: environment }] : []),
      ];
      asks.push({ id: incidentId(key, s.start), raw: sli.evaluation.rawWindow, from: inside.from, to: inside.to, only });
    }
  }
  await inParallel(asks, 8, async (a) => {
    const r = await instant(q.sum('bad', a.raw, a.to - a.from, a.to, a.only));
    incidentBad.set(a.id, r.reduce((n, s) => n + s.value, 0));
  });

  // When an SLO's samples begin inside the period: the first one's own time (one query per first step).
  const firstSample = new Map<RowKey, number>();
  const lateStarts = new Map<string, { raw: Duration; at: number }>();
  const rawNamed = new Map(raws.map((r) => [r.text, r]));
  for (const [key, s] of steps) {
    const raw = rawNamed.get(rawOf.get(sloOf(key))!);
    if (raw && s.length && s[0]![0] - step > current.start) lateStarts.set(`${raw.text}\u0000${s[0]![0]}`, { raw, at: s[0]![0] });
  }
  await inParallel([...lateStarts.values()], 8, async ({ raw, at }) => {
    for (const [key, t] of byRow(await instant(q.firstSample(raw, step, at)))) if (steps.get(key)?.[0]?.[0] === at) firstSample.set(key, t);
  });

  const answers: Answers = { current: answersNow, previous: mine((r) => r.before), steps, firing: fired, incidentBad, firstSample };
  return buildReport(model, periods, slos, answers, {
    url: options.url,
    version,
    closedRanges: closed,
    queries,
    chartStep: step,
    filters: { team: options.team ?? null, service: options.service ?? null, environment: options.environment ?? null },
  }, journeyRows);
}
