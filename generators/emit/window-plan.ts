/**
 * Which windows an SLI records and how each is computed. Only the raw window reads raw
 * series. Windows up to `fast_windows_up_to` average the raw-window rate at the fast
 * interval. A longer window averages non-overlapping tiles of a fast window through a
 * subquery whose step equals the tile, so a 30d window costs hundreds of samples, not tens
 * of thousands; when no fast window cuts it into enough tiles, it averages every recorded
 * raw-window rate in it, as the fast windows do.
 *
 * Tiles are never the raw window itself: a raw rate evaluated between scrapes sees one
 * scrape interval fewer than its length, so raw tiles laid end to end skip every fifth
 * interval (measured: 2.6% off the exact 2h ratio), while averages of rates taken every
 * minute weigh every interval alike and their tiles join without gaps or overlaps.
 */
import type { Duration } from '../model/duration.js';
import { CURRENT_WINDOW } from '../naming.js';
import type { Sli } from '../model/types.js';

export type WindowFamily = 'raw' | 'fast' | 'slow';

export interface PlannedWindow {
  readonly window: Duration;
  readonly family: WindowFamily;
  /** For slow windows cut into tiles: the fast window used as a tile (its rate sampled every tile). */
  readonly tile?: Duration;
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
  const plan: PlannedWindow[] = [];
  for (const window of windowsOf(sli)) {
    if (window.seconds === rawWindow.seconds) plan.push({ window: rawWindow, family: 'raw' });
    else if (window.seconds <= fastWindowsUpTo.seconds) plan.push({ window, family: 'fast' });
    else {
      // The longest fast window that divides this one into at least MIN_TILES tiles.
      const candidates = plan.filter((p) => p.family === 'fast' && window.seconds % p.window.seconds === 0 && window.seconds / p.window.seconds >= MIN_TILES);
      const tile = candidates[candidates.length - 1]?.window;
      plan.push(tile ? { window, family: 'slow', tile } : { window, family: 'slow' });
    }
  }
  return plan;
}

export function familyOf(sli: Sli, window: Duration): WindowFamily {
  return planWindows(sli).find((p) => p.window.seconds === window.seconds)?.family ?? 'slow';
}

