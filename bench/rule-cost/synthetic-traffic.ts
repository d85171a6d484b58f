/**
 * Deterministic request-counter data for the rule-cost benchmark: one HTTP service scraped
 * every 60 s, a daily traffic cycle, an error ratio that is highest when traffic is lowest
 * (so an unweighted average of ratios is visibly wrong), and one two-hour incident.
 *
 * Counters are integers (the floor of the expected cumulative count), so the exact number of
 * events in any window is known here without sampling noise, and is what every rule set's
 * ratio is compared with.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export const METRIC = 'http_request_duration_seconds_count';
export const JOB = 'myservice';
export const SCRAPE_SECONDS = 60;
const DAY = 86_400;
const ROUTES = [
  ['/api/v4/projects', 0.4],
  ['/api/v4/merge_requests', 0.3],
  ['/api/v4/users', 0.2],
  ['/-/health', 0.1],
] as const;
// Within good and bad requests, how the codes share them. 5xx and 429 are bad, as in Sloth's example.
const GOOD_CODES = [
  ['200', 0.8],
  ['201', 0.15],
  ['404', 0.05],
] as const;
const BAD_CODES = [
  ['500', 0.7],
  ['503', 0.3],
] as const;
export const CODES_PER_ROUTE = GOOD_CODES.length + BAD_CODES.length;
export const ROUTES_PER_INSTANCE = ROUTES.length;

export interface TrafficShape {
  /** Unix seconds of the first and last scrape. */
  readonly start: number;
  readonly end: number;
  readonly instances: number;
  /** Requests per second over all series, averaged over a day. */
  readonly meanRps: number;
  readonly baseErrorRatio: number;
  /** The incident: [from, to) in unix seconds and its error ratio. */
  readonly incident: { readonly from: number; readonly to: number; readonly errorRatio: number };
  /** A second problem near the end, which the accuracy shapes add: [from, to), traffic multiplied, error ratio. */
  readonly extra?: { readonly from: number; readonly to: number; readonly trafficFactor: number; readonly errorRatio: number };
}

/** The data shapes accuracy is measured on: the smooth cycle alone, or with a step or a burst near the end. */
export const ACCURACY_SHAPES = ['smooth', 'step', 'burst'] as const;
export type AccuracyShape = (typeof ACCURACY_SHAPES)[number];

/** The 3d window's tiles are 25 minutes apart (see window-plan.ts); the step straddles one of their seams. */
const TILE_SEAM_SECONDS = 1500;

export const SHAPE_STORIES: Readonly<Record<AccuracyShape, string>> = {
  smooth: 'the daily cycle and the 2-hour incident only',
  step: 'plus a 5-minute full outage about 40 minutes before the end, straddling a 3d tile seam',
  burst: 'plus one minute of 70 times the traffic with 1.6% errors 20 minutes before the end',
};

export function withShape(shape: TrafficShape, name: AccuracyShape): TrafficShape {
  if (name === 'step') {
    const seam = Math.floor((shape.end - 40 * 60) / TILE_SEAM_SECONDS) * TILE_SEAM_SECONDS;
    return { ...shape, extra: { from: seam - 120, to: seam + 180, trafficFactor: 1, errorRatio: 1 } };
  }
  if (name === 'burst') return { ...shape, extra: { from: shape.end - 20 * 60, to: shape.end - 19 * 60, trafficFactor: 70, errorRatio: 115 / 7000 } };
  return shape;
}

const inExtra = (shape: TrafficShape, t: number) => shape.extra !== undefined && t >= shape.extra.from && t < shape.extra.to;

/** The shape used by the benchmark: `days` of data ending at `end`, an incident 10h before the end. */
export function benchShape(end: number, days: number, rawSeries: number): TrafficShape {
  const perInstance = ROUTES.length * CODES_PER_ROUTE;
  if (rawSeries % perInstance !== 0) throw new Error(`raw series must be a multiple of ${perInstance}`);
  return {
    start: end - days * DAY,
    end,
    instances: rawSeries / perInstance,
    meanRps: 1000,
    baseErrorRatio: 0.0005,
    incident: { from: end - 10 * 3600, to: end - 8 * 3600, errorRatio: 0.02 },
  };
}

// The cycle is timed from the end of the data, so every run measures the same shape: the
// end falls where traffic rises fastest and the error ratio falls fastest, the hardest
// moment for any window that lags behind the present.
function cycle(shape: TrafficShape, t: number): number {
  return Math.sin((2 * Math.PI * (t - shape.end)) / DAY);
}

function trafficAt(shape: TrafficShape, t: number): number {
  return shape.meanRps * (1 + 0.6 * cycle(shape, t)) * (inExtra(shape, t) ? shape.extra!.trafficFactor : 1);
}

function errorRatioAt(shape: TrafficShape, t: number): number {
  if (inExtra(shape, t)) return shape.extra!.errorRatio;
  if (t >= shape.incident.from && t < shape.incident.to) return shape.incident.errorRatio;
  // Errors peak in the night trough, as batch clients retry against a quiet service.
  return shape.baseErrorRatio * (1 - 0.8 * cycle(shape, t));
}

export function scrapeCount(shape: TrafficShape): number {
  return Math.floor((shape.end - shape.start) / SCRAPE_SECONDS) + 1;
}

/** Expected good and bad requests in each scrape interval (index 0 is empty: counters start at 0). */
function expectedPerInterval(shape: TrafficShape): { good: Float64Array; bad: Float64Array } {
  const n = scrapeCount(shape);
  const good = new Float64Array(n);
  const bad = new Float64Array(n);
  for (let k = 1; k < n; k++) {
    const mid = shape.start + (k - 0.5) * SCRAPE_SECONDS;
    const requests = trafficAt(shape, mid) * SCRAPE_SECONDS;
    const e = errorRatioAt(shape, mid);
    good[k] = requests * (1 - e);
    bad[k] = requests * e;
  }
  return { good, bad };
}

interface SeriesSpec {
  readonly labels: string;
  readonly bad: boolean;
  readonly share: number;
  /** Fraction of an event already counted at the start. */
  readonly phase: number;
}

/** A small seeded generator (mulberry32), so every run writes the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seriesOf(shape: TrafficShape): SeriesSpec[] {
  // Instances differ by ±30% in load and start their counters at different fractions, as
  // real ones do; identical instances would make every counter tick in step.
  const random = seededRandom(shape.instances);
  const out: SeriesSpec[] = [];
  for (let i = 0; i < shape.instances; i++) {
    for (const [route, routeShare] of ROUTES) {
      for (const [codes, bad] of [
        [GOOD_CODES, false],
        [BAD_CODES, true],
      ] as const) {
        for (const [code, codeShare] of codes) {
          out.push({
            labels: `{job="${JOB}",instance="10.0.${Math.floor(i / 250)}.${i % 250}:8080",route="${route}",code="${code}"}`,
            bad,
            share: ((routeShare * codeShare) / shape.instances) * (0.7 + 0.6 * random()),
            phase: random(),
          });
        }
      }
    }
  }
  return out;
}

/** Cumulative bad and total events over every series at each scrape, as the counters say. */
export interface ExactCounts {
  readonly bad: Float64Array;
  readonly total: Float64Array;
}

// promtool re-reads its whole input for every two-hour block it cuts, so one file per block
// keeps the import linear in the data (one 4-day file took 49 passes).
const BLOCK_SECONDS = 7200;

/**
 * Writes one OpenMetrics file per two-hour block (series after series, each in time order, as
 * promtool's importer wants) and returns the files and the exact cumulative counts they hold.
 */
export async function writeOpenMetricsBlocks(shape: TrafficShape, dir: string): Promise<{ files: string[]; counts: ExactCounts }> {
  const n = scrapeCount(shape);
  const expected = expectedPerInterval(shape);
  const series = seriesOf(shape);
  const cumulative = Float64Array.from(series, (s) => s.phase);
  const bad = new Float64Array(n);
  const total = new Float64Array(n);
  const files: string[] = [];
  for (let k0 = 0; k0 < n; ) {
    const blockEnd = (Math.floor((shape.start + k0 * SCRAPE_SECONDS) / BLOCK_SECONDS) + 1) * BLOCK_SECONDS;
    const k1 = Math.min(n, Math.ceil((blockEnd - shape.start) / SCRAPE_SECONDS));
    const file = join(dir, `block-${String(files.length).padStart(3, '0')}.om`);
    files.push(file);
    const out = createWriteStream(file);
    let buffer = '';
    series.forEach((s, i) => {
      const perInterval = s.bad ? expected.bad : expected.good;
      for (let k = k0; k < k1; k++) {
        cumulative[i] = cumulative[i]! + perInterval[k]! * s.share;
        const value = Math.floor(cumulative[i]!);
        total[k] = total[k]! + value;
        if (s.bad) bad[k] = bad[k]! + value;
        buffer += `${METRIC}${s.labels} ${value} ${shape.start + k * SCRAPE_SECONDS}\n`;
      }
      if (buffer.length > 1 << 20) {
        out.write(buffer);
        buffer = '';
      }
    });
    out.end(`${buffer}# EOF\n`);
    await once(out, 'finish');
    k0 = k1;
  }
  return { files, counts: { bad, total } };
}

/**
 * The exact error ratio of the window of `seconds` ending at the last scrape at or before
 * `at` (clamped to the start of the data): what a rule evaluated at `at` should report.
 */
export function exactRatio(shape: TrafficShape, counts: ExactCounts, seconds: number, at = shape.end): number {
  const last = Math.min(counts.total.length - 1, Math.floor((at - shape.start) / SCRAPE_SECONDS));
  const first = Math.max(0, last - Math.round(seconds / SCRAPE_SECONDS));
  return (counts.bad[last]! - counts.bad[first]!) / (counts.total[last]! - counts.total[first]!);
}

/**
 * The least and greatest exact ratio of the windows a ratio recorded from `rawSeconds` rates
 * stands for (see test/helpers/oracle.ts, windowEnvelope): windows up to a raw window (plus a
 * tile step `lagSeconds`, for tiled windows) shorter, or a tile step longer, ending up to a
 * raw window plus a tile step before `at`.
 */
export function exactEnvelope(shape: TrafficShape, counts: ExactCounts, seconds: number, at: number, rawSeconds: number, lagSeconds: number): { min: number; max: number } {
  const step = (x: number) => Math.round(x / SCRAPE_SECONDS);
  const last = Math.min(counts.total.length - 1, Math.floor((at - shape.start) / SCRAPE_SECONDS));
  let min = Infinity;
  let max = -Infinity;
  for (let end = last - step(rawSeconds + lagSeconds); end <= last; end++) {
    for (let len = step(seconds - rawSeconds - lagSeconds); len <= step(seconds + lagSeconds); len++) {
      const first = Math.max(0, end - len);
      const total = counts.total[end]! - counts.total[first]!;
      if (end < 0 || total <= 0) continue;
      const r = (counts.bad[end]! - counts.bad[first]!) / total;
      min = Math.min(min, r);
      max = Math.max(max, r);
    }
  }
  return { min, max };
}
