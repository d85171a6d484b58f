/**
 * Which windows an SLI records and how each is computed. Only the raw window reads raw
 * series. Every other window averages the raw-window rates recorded every minute over
 * (window − raw window): each of those rates covers the raw window before it, so together
 * they cover exactly the window, with every scrape interval weighed alike and soft edges
 * that are symmetric, which keeps the window centred where the exact one is (averaging over
 * the whole window would reach a raw window further back: a page on a 30m window then took
 * 35 minutes to resolve, and short windows lagged the exact ratio by 2.5 minutes).
 *
 * A long window instead averages tiles of a fast window through a subquery whose step is that
 * tile's averaged range, so a 30d window costs hundreds of samples, not tens of thousands:
 * tiles sampled at that step overlap exactly where their soft edges fade, so they join
 * without gaps. Tiles are never the raw window itself: a raw rate evaluated between scrapes
 * sees one scrape interval fewer than its length, so raw tiles laid end to end skip every
 * fifth interval (measured: 2.6% off the exact 2h ratio).
 *
 * Every range over recorded series stops half an evaluation interval short of a whole number
 * of intervals (`[54m30s]`, `[30d-30s:55m]`): recorded samples and subquery steps sit on whole
 * intervals, so no sample is ever on a range's edge, and Prometheus 2's closed ranges and 3's
 * left-open ones hold the same samples. A whole `[55m]` holds 56 samples under 2 and 55 under
 * 3, and counted the sample on a tile seam in both tiles (a 5-minute outage on a 3d seam read
 * 15.8% high).
 */
import { durationOf, formatRange, type Duration } from '../model/duration.js';
import { CURRENT_WINDOW } from '../naming.js';
import type { Sli } from '../model/types.js';

export type WindowFamily = 'raw' | 'fast' | 'slow';

export interface PlannedWindow {
  readonly window: Duration;
  readonly family: WindowFamily;
  /** Windows read from the raw-window rate: the range averaged (window − raw window). */
  readonly span?: Duration;
  /** Tiled slow windows: the fast window used as a tile, and the step it is sampled at (its span). */
  readonly tile?: { readonly window: Duration; readonly step: Duration };
}

/** Fewest tiles a slow window is cut into; more tiles, finer edges. */
export const MIN_TILES = 100;

export function windowsOf(sli: Sli): Duration[] {
  const all = new Map<number, Duration>();
  const add = (d: Duration) => {
    if (!all.has(d.seconds)) all.set(d.seconds, d);
  };
  add(sli.evaluation.rawWindow);
  for (const a of sli.alerts) {
    add(a.long);
    add(a.short);
  }
  add(sli.trafficCessation.silence);
  add(sli.trafficCessation.baseline);
  add(sli.period);
  add(CURRENT_WINDOW);
  return [...all.values()].sort((a, b) => a.seconds - b.seconds);
}

export function planWindows(sli: Sli): PlannedWindow[] {
  const { rawWindow, fastWindowsUpTo } = sli.evaluation;
  const spanOf = (w: Duration) => durationOf(w.seconds - rawWindow.seconds);
  const plan: PlannedWindow[] = [];
  for (const window of windowsOf(sli)) {
    if (window.seconds === rawWindow.seconds) plan.push({ window: rawWindow, family: 'raw' });
    else if (window.seconds <= fastWindowsUpTo.seconds) plan.push({ window, family: 'fast', span: spanOf(window) });
    else {
      // The longest fast window whose span cuts this one into at least MIN_TILES tiles.
      const candidates = plan.filter((p) => p.family === 'fast' && window.seconds / spanOf(p.window).seconds >= MIN_TILES);
      const tile = candidates[candidates.length - 1]?.window;
      plan.push(tile ? { window, family: 'slow', tile: { window: tile, step: spanOf(tile) } } : { window, family: 'slow', span: spanOf(window) });
    }
  }
  return plan;
}

export function familyOf(sli: Sli, window: Duration): WindowFamily {
  return planWindows(sli).find((p) => p.window.seconds === window.seconds)?.family ?? 'slow';
}


/** A range of `seconds` less half an interval: no sample recorded every `interval` sits on its edge. */
export function offEdgeRange(seconds: number, interval: Duration): string {
  return formatRange(seconds - interval.seconds / 2);
}

/** How a derived window's rate is read from the recorded rates it averages. */
export function derivedRangeOf(sli: Sli, p: PlannedWindow): { readonly source: Duration; readonly range: string } {
  const f = sli.evaluation.fastInterval;
  if (p.tile) return { source: p.tile.window, range: `${offEdgeRange(p.window.seconds, f)}:${p.tile.step.text}` };
  return { source: sli.evaluation.rawWindow, range: offEdgeRange(p.span!.seconds, f) };
}

/** How far back a fast reader looks for a slow group's last write. */
export function readSlack(sli: Pick<Sli, 'evaluation'>): string {
  return formatRange(2 * sli.evaluation.slowInterval.seconds + sli.evaluation.fastInterval.seconds / 2);
}

/** A series read by an alert or rule of `readerFamily`, with slack when another, slower group writes it. */
export function readSeries(sli: Sli, name: string, sel: string, window: Duration, readerFamily: WindowFamily | 'slo'): string {
  const writer = familyOf(sli, window);
  if (writer !== 'slow' || readerFamily === 'slow') return `${name}${sel}`;
  // A slow group's write lands once per slow interval; read at the fast pace, a write that is
  // late or missed would empty the expression at the lookback's edge (and Prometheus 3's
  // left-open lookback drops a sample exactly one slow interval old), resolving a page
  // mid-incident. Two slow intervals and half a fast one keep the last write through one miss.
  return `last_over_time(${name}${sel}[${readSlack(sli)}])`;
}
