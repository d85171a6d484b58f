/**
 * How `slokit test` runs the journeys' tests at catalog speed. promtool evaluates every rule of
 * the file for every test group, and every journey's rules read series named alike, so the
 * split by series read (rules-read.ts) keeps them together: 50 journeys' tests took over ten
 * minutes. A journey's test is run against the rules of the journeys that can see what it
 * feeds (those sharing an SLI with it, whose alerts it expects) and of the journeys those
 * contain, read from the rule file itself: the rest see no series and could not fire.
 */
import type { CheckedGroup } from '../promtool-tests/rules-read.js';
import type { GroupObject } from '../promtool-tests/rule-slice.js';
import { JOURNEY_LABEL } from '../../naming.js';

/** The journey a generated test group is about, from its name ("journey NAME (...): ..."). */
const journeyOfTest = (name: string) => /^journey ([a-z0-9-]+) \(/.exec(name)?.[1];

interface Reads {
  readonly slis: Set<string>;
  readonly journeys: Set<string>;
}

/** What each journey's rules read: SLIs (service/sli) and the journeys it contains. */
function readsOf(rules: readonly GroupObject[]): Map<string, Reads> {
  const out = new Map<string, Reads>();
  for (const g of rules)
    for (const r of g.rules) {
      const own = r.labels?.[JOURNEY_LABEL];
      if (own === undefined) continue;
      const reads = out.get(own) ?? { slis: new Set<string>(), journeys: new Set<string>() };
      out.set(own, reads);
      for (const m of r.expr.matchAll(/service="([^"]+)", sli="([^"]+)"/g)) reads.slis.add(`${m[1]}/${m[2]}`);
      for (const m of r.expr.matchAll(/\bjourney="([^"]+)"/g)) if (m[1] !== own) reads.journeys.add(m[1]!);
    }
  return out;
}

/** The test groups by the journeys whose rules they need, each part with those rules only (in file order). */
export function partsByJourney<T extends CheckedGroup & { readonly name: string }>(tests: readonly T[], rules: readonly GroupObject[]): { rules: GroupObject[]; tests: T[] }[] {
  const reads = readsOf(rules);
  const leaves = new Map<string, Set<string>>();
  const leavesOf = (j: string, seen = new Set<string>()): Set<string> => {
    const known = leaves.get(j);
    if (known) return known;
    const r = reads.get(j);
    const out = new Set(r?.slis ?? []);
    if (r) for (const child of r.journeys) if (!seen.has(child)) for (const l of leavesOf(child, new Set([...seen, j]))) out.add(l);
    leaves.set(j, out);
    return out;
  };
  const withContained = (names: Iterable<string>): Set<string> => {
    const out = new Set<string>();
    const add = (j: string) => {
      if (out.has(j)) return;
      out.add(j);
      for (const c of reads.get(j)?.journeys ?? []) add(c);
    };
    for (const n of names) add(n);
    return out;
  };
  const parts = new Map<string, { rules: GroupObject[]; tests: T[] }>();
  for (const t of tests) {
    const j = journeyOfTest(t.name);
    // A test of no known journey runs against every rule, as promtool would run it.
    const needed = j === undefined || !reads.has(j) ? new Set(reads.keys()) : withContained([...reads.keys()].filter((x) => [...leavesOf(x)].some((l) => leavesOf(j).has(l))));
    const key = [...needed].sort().join('\0');
    let part = parts.get(key);
    if (!part) {
      const kept = rules.map((g) => ({ ...g, rules: g.rules.filter((r) => needed.has(r.labels?.[JOURNEY_LABEL] ?? '')) })).filter((g) => g.rules.length);
      part = { rules: kept, tests: [] };
      parts.set(key, part);
    }
    part.tests.push(t);
  }
  return [...parts.values()];
}
