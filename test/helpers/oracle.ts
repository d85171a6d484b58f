/**
 * The exact answer, computed from raw counter samples the way Prometheus' `increase` sees
 * them, independent of slokit's rules: per series, each sample adds its rise over the sample
 * before (after a counter reset, its whole value); a series' first sample adds nothing, since
 * nothing can know what it counted before it was first scraped. Windows are sums of those
 * rises, so every ratio is a ratio of sums over exactly the window.
 */

/** One raw counter as scraped once per minute; `undefined` where no sample was taken. */
export interface RawCounter {
  readonly bad: boolean;
  readonly values: readonly (number | undefined)[];
}

/** Per-minute events the scrapes observed, index m for the sample at minute m. */
export interface Observed {
  readonly bad: readonly number[];
  readonly total: readonly number[];
  /** Prefix sums: events observed in minutes 1..m. */
  readonly badSum: readonly number[];
  readonly totalSum: readonly number[];
}

export function observe(counters: readonly RawCounter[], minutes: number): Observed {
  const bad = new Array<number>(minutes + 1).fill(0);
  const total = new Array<number>(minutes + 1).fill(0);
  for (const c of counters) {
    let last: number | undefined;
    for (let m = 0; m <= minutes; m++) {
      const v = c.values[m];
      if (v === undefined) continue;
      if (last !== undefined) {
        const rise = v >= last ? v - last : v;
        total[m]! += rise;
        if (c.bad) bad[m]! += rise;
      }
      last = v;
    }
  }
  const prefix = (a: number[]) => a.reduce<number[]>((acc, x, i) => (acc.push((i ? acc[i - 1]! : 0) + x), acc), []);
  return { bad, total, badSum: prefix(bad), totalSum: prefix(total) };
}

/** Bad and total events observed in (t − w, t], in whole minutes; clipped at the start of the data. */
export function windowEvents(o: Observed, t: number, w: number): { bad: number; total: number } {
  const from = Math.max(0, t - w);
  return { bad: o.badSum[t]! - o.badSum[from]!, total: o.totalSum[t]! - o.totalSum[from]! };
}

export function windowRatio(o: Observed, t: number, w: number): number | undefined {
  const e = windowEvents(o, t, w);
  return e.total > 0 ? e.bad / e.total : undefined;
}

/**
 * The exact ratios a window recorded from a raw window of `raw` minutes can stand for: every
 * window of `w − raw` to `w` minutes that ends up to `raw` minutes before t. A raw rate covers
 * its window with soft edges, so an average of raw rates is a mix (a ratio of sums) of those
 * exact windows; its ratio lies between their least and greatest. A tiled window (a subquery
 * of tiles `lag` minutes apart) ends at its newest tile, up to `lag` minutes before t, and
 * holds a whole number of tiles: up to `lag` minutes shorter or longer.
 */
export function windowEnvelope(o: Observed, t: number, w: number, raw: number, lag = 0): { min: number; max: number; events: number; someEmpty: boolean } | undefined {
  let min = Infinity;
  let max = -Infinity;
  let events = Infinity;
  let someEmpty = false;
  for (let end = t - raw - lag; end <= t; end++) {
    if (end < 0) continue;
    for (let len = w - raw - lag; len <= w + lag; len++) {
      // Before the data began there is nothing to count: a window reaching back further is clipped, as Prometheus' is.
      const e = windowEvents(o, end, len);
      events = Math.min(events, e.total);
      if (e.total === 0) {
        someEmpty = true;
        continue;
      }
      const r = e.bad / e.total;
      min = Math.min(min, r);
      max = Math.max(max, r);
    }
  }
  return min === Infinity ? undefined : { min, max, events, someEmpty };
}

/** A burn alert row as the oracle decides it. */
export interface Row {
  readonly alert: string;
  readonly long: number;
  readonly short: number;
  /** Error ratio it fires above: factor × (1 − objective). */
  readonly threshold: number;
  readonly minEvents: number;
  /** How far the long window's newest tile may end before now (0 unless it is tiled). */
  readonly lag: number;
  /** Minutes by which a burn held in both exact windows must have paged. */
  readonly detection: number;
  /** Minutes after the last bad event by which it must have resolved. */
  readonly resolution: number;
}

/** The ideal decision: both exact windows above the threshold, with enough events in the long one. */
export function ideal(o: Observed, row: Row, t: number, margin: number): boolean {
  if (t < row.long) return false;
  const long = windowEvents(o, t, row.long);
  const short = windowEvents(o, t, row.short);
  if (long.total < row.minEvents || short.total === 0) return false;
  return long.bad / long.total > row.threshold * margin && short.bad / short.total > row.threshold * margin;
}
