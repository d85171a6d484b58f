/**
 * Seeded random traffic timelines shaped like real incidents, as raw counters per pod scraped
 * once a minute: bursts, error steps and ramps, full outages that start and stop on and off
 * 5-minute seams, near-threshold burns, counter resets (a pod restarts), pods that appear and
 * disappear, scrape gaps, error series created at the first error, and quiet stretches.
 */
import { seededRandom } from '../../bench/rule-cost/synthetic-traffic.js';
import type { RawCounter } from './oracle.js';

export interface Pod {
  readonly name: string;
  /** Events counted per minute; index m arrives between the samples at m − 1 and m. */
  readonly total: number[];
  readonly bad: number[];
  /** Minutes with no sample of this pod. */
  readonly missing: boolean[];
  /** Minutes at which the pod restarted: its counters start again from 0. */
  readonly resets: Set<number>;
  /** The bad counter exists only from the first error on (as client libraries create labelled series). */
  readonly lazyBad: boolean;
}

export interface Timeline {
  readonly seed: number;
  readonly minutes: number;
  readonly pods: readonly Pod[];
  /** What was drawn, for the failure message. */
  readonly story: readonly string[];
}

/** How long an incident shape lasts, in minutes: short ones for pages, up to days for tickets. */
export const PAGE_LENGTHS = [1, 3, 5, 7, 12, 20, 45, 90, 240] as const;
export const TICKET_LENGTHS = [5, 45, 240, 720, 1440, 2160, 3000] as const;

/**
 * `thresholds` are the error ratios of the alerts the near-threshold shapes aim at, so a good
 * share of timelines sits right around a decision.
 */
export function randomTimeline(seed: number, minutes: number, thresholds: readonly number[], lengths: readonly number[] = PAGE_LENGTHS): Timeline {
  // Seeded, so a failing timeline is reproduced from its seed.
  const r = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const story: string[] = [];
  const podCount = int(1, 3);
  const base = pick([0, 3, 40, 200, 1500]);
  const noise = pick([0, 0.0001, 0.0005]);
  story.push(`${podCount} pod(s), ${base} requests/min each, background error ratio ${noise}`);
  // Per-minute demand and error ratio for the whole service, before it is split over pods.
  const demand = Array.from({ length: minutes + 1 }, () => base);
  const errors = Array.from({ length: minutes + 1 }, () => noise);
  const shapes = int(1, 4);
  for (let i = 0; i < shapes; i++) {
    const start = r() < 0.5 ? 5 * int(1, Math.floor(minutes / 5) - 1) : int(1, minutes - 1);
    const kind = pick(['burst', 'step', 'ramp', 'outage', 'near', 'quiet', 'surge']);
    const len = pick(lengths);
    const end = Math.min(minutes, start + len - 1);
    const near = pick(thresholds) * pick([0.8, 0.9, 0.95, 1.05, 1.1, 1.3, 2]);
    const ratio = Math.min(1, near);
    switch (kind) {
      case 'burst': {
        const size = pick([500, 7000, 30000]);
        demand[start]! += size;
        errors[start] = pick([0, 115 / 7000, 0.02, 0.5]);
        story.push(`burst of ${size} at ${start}m, error ratio ${errors[start]}`);
        break;
      }
      case 'step':
      case 'near':
        for (let m = start; m <= end; m++) errors[m] = kind === 'near' ? ratio : pick([0.01, 0.05, 0.1]);
        story.push(`${kind} ${kind === 'near' ? ratio.toPrecision(3) : errors[start]} errors ${start}m–${end}m`);
        break;
      case 'ramp':
        for (let m = start; m <= end; m++) errors[m] = (ratio * 2 * (m - start + 1)) / (end - start + 1);
        story.push(`ramp to ${(ratio * 2).toPrecision(3)} errors ${start}m–${end}m`);
        break;
      case 'outage':
        for (let m = start; m <= end; m++) errors[m] = 1;
        story.push(`outage ${start}m–${end}m`);
        break;
      case 'quiet':
        for (let m = start; m <= end; m++) demand[m] = 0;
        story.push(`no traffic ${start}m–${end}m`);
        break;
      case 'surge':
        for (let m = start; m <= end; m++) demand[m]! *= 10;
        story.push(`10x traffic ${start}m–${end}m`);
        break;
    }
  }
  const pods: Pod[] = [];
  for (let p = 0; p < podCount; p++) {
    const total: number[] = [0];
    const bad: number[] = [0];
    for (let m = 1; m <= minutes; m++) {
      const t = Math.round(demand[m]! / podCount);
      total.push(t);
      bad.push(Math.min(t, Math.round(t * errors[m]!)));
    }
    const missing = new Array<boolean>(minutes + 1).fill(false);
    const resets = new Set<number>();
    // A pod that appears late or disappears early.
    if (r() < 0.25) {
      const from = int(1, minutes - 30);
      const late = r() < 0.5;
      for (let m = 0; m <= minutes; m++) if (late ? m < from : m > from) missing[m] = true;
      story.push(`pod ${p} ${late ? 'appears' : 'disappears'} at ${from}m`);
    }
    if (r() < 0.3) {
      const at = int(10, minutes - 1);
      resets.add(at);
      story.push(`pod ${p} restarts at ${at}m`);
    }
    if (r() < 0.2) {
      const from = int(5, minutes - 10);
      const len = int(1, 8);
      for (let m = from; m < from + len && m <= minutes; m++) missing[m] = true;
      story.push(`pod ${p} not scraped ${from}m–${from + len - 1}m`);
    }
    pods.push({ name: `pod-${p}`, total, bad, missing, resets, lazyBad: r() < 0.5 });
  }
  return { seed, minutes, pods, story };
}

/** The raw counters a timeline's pods expose: a bad (5xx) and a good (2xx) counter each. */
export function countersOf(t: Timeline): { pod: string; code: string; counter: RawCounter }[] {
  const out: { pod: string; code: string; counter: RawCounter }[] = [];
  for (const pod of t.pods) {
    for (const code of ['500', '200'] as const) {
      const isBad = code === '500';
      const values: (number | undefined)[] = [];
      let value = 0;
      let created = !(isBad && pod.lazyBad);
      for (let m = 0; m <= t.minutes; m++) {
        if (m > 0) {
          if (pod.resets.has(m)) value = 0;
          const inc = isBad ? pod.bad[m]! : pod.total[m]! - pod.bad[m]!;
          value += inc;
          // The series is created when the first error is counted, and first scraped with it.
          if (isBad && inc > 0) created = true;
        }
        values.push(!pod.missing[m] && created ? value : undefined);
      }
      out.push({ pod: pod.name, code, counter: { bad: isBad, values } });
    }
  }
  return out;
}

/** promtool's notation for a series with gaps: `_` for a minute without a sample. */
export function promtoolValues(values: readonly (number | undefined)[]): string {
  return values.map((v) => (v === undefined ? '_' : String(v))).join(' ');
}

/** A counter's creation, reset, missed scrape or end, and the events it counted around it. */
export interface Disturbance {
  readonly minute: number;
  /** Events the counter counted from a raw window before to a raw window after. */
  readonly bad: number;
  readonly total: number;
}

/**
 * Where some counter is created, reset, misses a scrape or ends: there Prometheus' `rate`
 * extrapolates over a partial range or cannot see a rise at all, so a window read from raw
 * rates can miscount the events that counter had around that minute (at most one scrape
 * interval of them per raw window), and only those.
 */
export function disturbances(t: Timeline, raw: number): Disturbance[] {
  const out: Disturbance[] = [];
  for (const pod of t.pods) {
    for (const { code, counter } of countersOf(t).filter((c) => c.pod === pod.name)) {
      const present = counter.values.map((v, m) => (v === undefined ? -1 : m)).filter((m) => m >= 0);
      if (!present.length) continue;
      const first = present[0]!;
      const last = present[present.length - 1]!;
      const minutes = new Set<number>();
      if (first > 0) minutes.add(first);
      if (last < t.minutes) minutes.add(last + 1);
      for (let m = first + 1; m <= last; m++) {
        const v = counter.values[m];
        if (v === undefined || v < (counter.values[m - 1] ?? -Infinity)) minutes.add(m);
      }
      for (const minute of minutes) {
        let events = 0;
        for (let m = Math.max(1, minute - raw); m <= Math.min(t.minutes, minute + raw); m++) {
          events += code === '500' ? pod.bad[m]! : pod.total[m]! - pod.bad[m]!;
        }
        out.push({ minute, bad: code === '500' ? events : 0, total: events });
      }
    }
  }
  return out.sort((a, b) => a.minute - b.minute);
}
