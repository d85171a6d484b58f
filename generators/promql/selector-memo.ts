/**
 * What each selector text parsed to, kept between runs in the parse cache: a catalog of 25,000
 * SLIs has tens of thousands of selectors, and parsing them (grammar and RE2 checks) took
 * 0.4 s of every regeneration. A result is a function of the text and the generator, so the
 * cache keeps them under the generator's version (generator-version.ts). Results are shared:
 * callers never change them.
 */
import type { Selector } from '../model/types.js';

export type SelectorResult = { ok: true; value: Selector } | { ok: false; error: string; offset: number };

const OPS = new Set(['=', '!=', '=~', '!~']);
const isString = (x: unknown): x is string => typeof x === 'string';

/** Whether a saved entry has the shape parseSelector gives (a damaged cache file is not trusted). */
function wellFormed(x: unknown): x is SelectorResult {
  if (!x || typeof x !== 'object') return false;
  const r = x as { ok?: unknown; value?: { metric?: unknown; matchers?: unknown }; error?: unknown; offset?: unknown };
  if (r.ok === false) return isString(r.error) && Number.isInteger(r.offset);
  if (r.ok !== true || !r.value || !isString(r.value.metric) || !Array.isArray(r.value.matchers)) return false;
  return r.value.matchers.every((m: { label?: unknown; op?: unknown; value?: unknown }) => !!m && isString(m.label) && isString(m.value) && OPS.has(m.op as string));
}

/** Saved by an earlier run, not yet asked for in this one. */
let seeded = new Map<string, unknown>();
/** Asked for in this run: what the next cache holds, so it never grows stale. */
const used = new Map<string, SelectorResult>();
/** Of `used`: how many came from `seeded`. */
let fromSeeded = 0;

export const selectorMemo = {
  key: (text: string, matchersOnly: boolean) => `${matchersOnly ? 'm' : 's'}${text}`,
  get(key: string): SelectorResult | undefined {
    const mine = used.get(key);
    if (mine) return mine;
    const saved = seeded.get(key);
    if (!wellFormed(saved)) return undefined;
    used.set(key, saved);
    fromSeeded++;
    return saved;
  },
  set(key: string, result: SelectorResult): void {
    used.set(key, result);
  },
  /** Starts a run: results a previous run saved (from `entries`), for the same generator version. */
  seed(entries: Readonly<Record<string, unknown>>): void {
    seeded = new Map(Object.entries(entries));
    used.clear();
    fromSeeded = 0;
  },
  /** How far this run's results are from the seeded ones: results parsed anew plus seeded ones not asked for. */
  changes(): number {
    return used.size - fromSeeded + (seeded.size - fromSeeded);
  },
  /** This run's results, sorted by key. */
  entries(): Record<string, SelectorResult> {
    return Object.fromEntries([...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  },
};
