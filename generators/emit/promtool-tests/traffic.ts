/** Per-step event counts for the generated scenarios; exact integers so ratios are exact. */
import { clean, formatNumber } from '../../model/decimal.js';
import type { Traffic } from './input-series.js';

/** Smallest power of ten, at least `min`, that makes `ratio × total` a whole number. */
export function totalFor(ratio: number, min = 1000): number {
  const text = formatNumber(ratio);
  const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
  return Math.max(min, 10 ** decimals);
}

export function constant(steps: number, total: number, bad: number): Traffic {
  return { total: Array.from({ length: steps + 1 }, () => total), bad: Array.from({ length: steps + 1 }, () => bad) };
}

/** Concatenates phases; the result has one sample per step from 0 to the sum of their lengths. */
export function phases(...parts: { steps: number; total: number; bad: number }[]): Traffic {
  const total = [0];
  const bad = [0];
  for (const p of parts) {
    for (let i = 0; i < p.steps; i++) {
      total.push(p.total);
      bad.push(p.bad);
    }
  }
  return { total, bad };
}

/** One event every `every` steps, all bad. */
export function sparseFailures(steps: number, every: number): Traffic {
  const total = Array.from({ length: steps + 1 }, (_, m) => (m > 0 && m % every === 0 ? 1 : 0));
  return { total, bad: [...total] };
}

/**
 * Traffic that follows a daily cycle (busy days, quiet nights) with an error share that
 * peaks at a different hour: the case where averaging ratios instead of summing events goes wrong.
 */
export function dailyCycle(steps: number, stepsPerDay: number, base: number, errorRatio: number): Traffic {
  // Every SLI with the same objective and policy gets the same cycle: compute it once.
  const key = `${steps}/${stepsPerDay}/${base}/${errorRatio}`;
  let traffic = cycles.get(key);
  if (!traffic) {
    traffic = computeDailyCycle(steps, stepsPerDay, base, errorRatio);
    cycles.set(key, traffic);
  }
  return traffic;
}

const cycles = new Map<string, Traffic>();

function computeDailyCycle(steps: number, stepsPerDay: number, base: number, errorRatio: number): Traffic {
  const total = [0];
  const bad = [0];
  for (let m = 1; m <= steps; m++) {
    const phase = (2 * Math.PI * m) / stepsPerDay;
    const t = Math.round(base * (1 + 0.6 * Math.sin(phase)));
    const r = clean(errorRatio * (1 + 0.8 * Math.cos(phase)));
    total.push(t);
    bad.push(Math.min(t, Math.round(t * r)));
  }
  return { total, bad };
}

/** Traffic whose series are scraped, then gone for `goneSteps`, then back: a crash loop or a failed scrape. */
export function vanishing(before: number, goneSteps: number, after: number, total: number): Traffic {
  const t = phases({ steps: before, total, bad: 0 }, { steps: goneSteps, total: 0, bad: 0 }, { steps: after, total, bad: 0 });
  return { ...t, gone: t.total.map((_, m) => m > before && m <= before + goneSteps) };
}
