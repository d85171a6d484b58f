/**
 * Differential property test of the tickets and the budget: the real generated rules of one
 * SLI evaluated by the real promtool on seeded random timelines of 80 hours, so the 1d and 3d
 * windows fill, with incidents of minutes to two days near the tickets' thresholds, against
 * the exact oracle (see helpers/property-harness.ts for the properties). Budget remaining is
 * read all along: with less than 30 days of data its window holds all of it, so every 55m
 * tile seam of the 30d window passes under incidents.
 *
 * promtool evaluates every group every minute for the whole run, so each timeline costs as
 * much as 10 page timelines; SLOKIT_TICKET_RUNS runs more (default 12).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../generators/emit/yaml-text.js';
import { MUTATIONS } from '../bench/mutants.js';
import { observe } from './helpers/oracle.js';
import { budgetCheck, check, ratioCheck, report, ruleText, rowsOf, runBatches, runVariants, type Disturbed, type Harness } from './helpers/property-harness.js';
import { countersOf, randomTimeline, TICKET_LENGTHS } from './helpers/timelines.js';

const RUNS = Number(process.env.SLOKIT_TICKET_RUNS ?? 12);
const FIRST_SEED = Number(process.env.SLOKIT_PROPERTY_SEED ?? 1);

const harness: Harness = {
  minutes: 80 * 60,
  rows: rowsOf('warning'),
  windows: [ratioCheck(1440, 30), ratioCheck(4320, 30), budgetCheck(30)],
  // One promtool run for every timeline: its cost is mostly the 4,800 evaluations, whatever the
  // lanes. Two runs of half, side by side, finished sooner alone but cost 17 CPU-seconds more,
  // which the whole suite pays on its two cores.
  batch: RUNS,
};

function mutated(kind: string): string {
  const m = MUTATIONS.find((x) => x.kind === kind)!;
  const doc = parse(ruleText) as { groups: { rules: { labels?: Record<string, string>; expr: string }[] }[] };
  expect(m.apply(doc.groups.flatMap((g) => g.rules) as never), `mutation ${kind} applies`).toBe(true);
  return toYaml(doc);
}

const timelines = Array.from({ length: RUNS }, (_, i) => randomTimeline(FIRST_SEED + i, harness.minutes, harness.rows.map((r) => r.threshold), TICKET_LENGTHS));
const violationsOf = (results: ReturnType<typeof runBatches>, disturbed: Disturbed = { held: 0, checked: 0, outside: 0, worst: 0 }) => {
  return timelines.flatMap((t) => check(harness, t, observe(countersOf(t).map((c) => c.counter), harness.minutes), results, disturbed));
};

describe(`tickets and budget against the exact oracle on ${RUNS} random 80-hour timelines`, () => {
  it('tickets only on real burns, in time, resolve after recovery; 1d and 3d within 2% of exact, budget within a point', { timeout: 1_200_000 }, () => {
    expect(harness.rows.map((r) => r.alert)).toEqual(['SlokitErrorBudgetBurnSlow', 'SlokitErrorBudgetBurnGradual']);
    const results = runBatches(harness, timelines);
    const ticketed = timelines.filter((t) => results.firing.has(`t${t.seed}`)).length;
    // The harness itself has teeth: some timelines ticket, some do not, and every window came back.
    expect(ticketed).toBeGreaterThan(0);
    expect(ticketed).toBeLessThan(RUNS);
    for (const w of harness.windows) expect([...results.values.values()].every((r) => r.has(w.expr)), w.expr).toBe(true);
    const disturbed: Disturbed = { held: 0, checked: 0, outside: 0, worst: 0 };
    const violations = violationsOf(results, disturbed);
    console.log(`${RUNS} timelines of 80h, ${ticketed} ticketed, ${violations.length} violations in ${new Set(violations.map((v) => v.seed)).size} timelines`);
    console.log(`1d and 3d ratios and budget readings: ${disturbed.held} held to their bound; where counter creations, resets, ends or missed scrapes carry over 1% of the events: ${disturbed.outside} of ${disturbed.checked} outside ±2% of exact, worst ${(disturbed.worst * 100).toFixed(1)}%`);
    expect(report(timelines, violations)).toBe('');
  });

  it('has teeth: the same timelines catch a Gradual ticket at half its factor and budget remaining read over 3d', { timeout: 1_200_000 }, () => {
    // One promtool run per mutant over every timeline, the two in parallel: a run's cost is
    // mostly its 4,800 evaluations of the rules, whatever the number of timelines.
    const kinds = ['gradual-factor-down', 'budget-remaining-3d'];
    const results = runVariants({ ...harness, batch: RUNS }, timelines, kinds.map(mutated));
    kinds.forEach((kind, i) => {
      const violations = violationsOf(results[i]!);
      console.log(`mutant ${kind}: ${violations.length} violations in timelines ${[...new Set(violations.map((v) => v.seed))].join(', ')} of ${RUNS}`);
      expect(violations.length, kind).toBeGreaterThan(0);
    });
  });
});
