/**
 * Detection and reset time of the generated alerts on a real Prometheus: a 99.9% SLO at a
 * steady 100 requests per second, three days healthy, then a full outage, a 10× burn, a 2×
 * burn or a 1× burn, then healthy again. The recording rules are backfilled over the whole
 * timeline and every alert expression is evaluated at its group's interval across it; the
 * naive rule set (every window from raw series) runs on the same data for comparison.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertDefs } from '../generators/emit/alert-rules.js';
import { isAlert, type RuleGroup } from '../generators/emit/rule-types.js';
import type { Model } from '../generators/model/types.js';
import { backfillAll, intervalSeconds } from './rule-cost/backfill.js';
import { BenchPrometheus, importOpenMetrics } from './rule-cost/bench-prometheus.js';
import { modelWithService, naiveRuleSet, slokitRules, type RuleSet } from './rule-cost/rule-sets.js';

const DAY = 86_400;
const RPS = 100;
const WARM_UP = 3 * DAY;
const SPAN = 6 * DAY;

interface Scenario {
  readonly name: string;
  readonly errorRatio: number;
  readonly seconds: number;
  /** Traffic during the problem, times the usual (a burst). */
  readonly traffic?: number;
  /** The burn of the exact long windows, when it is not the error ratio (a burst is diluted by the rest of the window). */
  readonly exactBurn?: (longSeconds: number) => number;
  /** Seconds the problem starts after the warm-up (off the hour, off a tile seam). */
  readonly shift?: number;
}

/** One minute of 70 times the traffic, failing so that the exact 1h window burns 8.8x (the Fast page fires at 14.4x). */
const BURST_RATIO = (0.0088 * (59 + 70)) / 70;

export const SCENARIOS: readonly Scenario[] = [
  { name: 'outage', errorRatio: 1, seconds: 1800 },
  { name: 'burn-10x', errorRatio: 0.01, seconds: 12 * 3600 },
  { name: 'burn-2x', errorRatio: 0.002, seconds: 2 * DAY },
  { name: 'burn-1x', errorRatio: 0.001, seconds: 2 * DAY },
  { name: 'burst', errorRatio: BURST_RATIO, seconds: 60, traffic: 70, exactBurn: (long) => (BURST_RATIO * 70 * 60) / (long - 60 + 70 * 60) / 0.001 },
  { name: 'outage-5m-off-seam', errorRatio: 1, seconds: 300, shift: 17 * 60 + 30 },
];

export interface AlertTiming {
  readonly scenario: string;
  readonly alert: string;
  readonly severity: string;
  readonly long: string;
  readonly short: string;
  readonly factor: number;
  /** factor × (1 − objective) × long window / error ratio; null when the burn is under the factor. */
  readonly theoreticalSeconds: number | null;
  readonly slokit: { readonly firedAfter: number | null; readonly resolvedAfter: number | null; readonly firedBeforeProblem: boolean };
  readonly naive: { readonly firedAfter: number | null; readonly resolvedAfter: number | null; readonly firedBeforeProblem: boolean };
}

function openMetrics(start: number): string {
  let text = '';
  for (const s of SCENARIOS) {
    const from = start + WARM_UP + (s.shift ?? 0);
    let bad = 0;
    let total = 0;
    const good: string[] = [];
    const errors: string[] = [];
    for (let t = start; t <= start + SPAN; t += 60) {
      if (t > start) {
        const inProblem = t > from && t <= from + s.seconds;
        const requests = RPS * 60 * (inProblem ? (s.traffic ?? 1) : 1);
        const failed = inProblem ? requests * s.errorRatio : 0;
        bad += failed;
        total += requests;
      }
      good.push(`http_requests_total{job="detect",scenario="${s.name}",code="200"} ${total - bad} ${t}`);
      errors.push(`http_requests_total{job="detect",scenario="${s.name}",code="500"} ${bad} ${t}`);
    }
    text += `${good.join('\n')}\n${errors.join('\n')}\n`;
  }
  return `${text}# EOF\n`;
}

function detectionModel(scratch: string): Model {
  const slis = SCENARIOS.map((s) =>
    [
      `  - name: ${s.name}`,
      `    description: Requests of the ${s.name} scenario.`,
      '    kind: error-ratio',
      `    bad: 'http_requests_total{job="detect", scenario="${s.name}", code="500"}'`,
      `    total: 'http_requests_total{job="detect", scenario="${s.name}"}'`,
      '    objective: 99.9',
    ].join('\n'),
  );
  return modelWithService(scratch, 'detect', `description: Detection benchmark.\nteam: web-platform\ntier: 1\nslis:\n${slis.join('\n')}\n`);
}

interface RangeAnswer {
  status: string;
  error?: string;
  data: { result: { values: [number, string][] }[] };
}

/** Times at which an alert expression has at least one series, evaluated every `step` seconds. */
async function firingTimes(url: string, expr: string, start: number, end: number, step: number): Promise<{ times: number[]; all: number[] }> {
  const body = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
  const answer = (await (await fetch(`${url}/api/v1/query_range`, { method: 'POST', body })).json()) as RangeAnswer;
  if (answer.status !== 'success') throw new Error(`query_range failed: ${answer.error}\n${expr}`);
  const firing = new Set(answer.data.result.flatMap((r) => r.values.map((v) => v[0])));
  const all: number[] = [];
  for (let t = start; t <= end; t += step) all.push(t);
  return { times: all.filter((t) => firing.has(t)), all };
}

async function timing(url: string, group: RuleGroup, expr: string, problemStart: number, problemEnd: number, start: number, end: number) {
  const step = intervalSeconds(group);
  const { times } = await firingTimes(url, expr, start, end, step);
  const firedBeforeProblem = times.some((t) => t < problemStart);
  const first = times.find((t) => t >= problemStart);
  const lastFiringAfterRecovery = times.filter((t) => t >= problemEnd).pop();
  const firedDuring = first !== undefined && first <= problemEnd + 3 * DAY;
  return {
    firedAfter: firedDuring ? first - problemStart : null,
    // Resolved: the first evaluation after recovery at which it no longer fires.
    resolvedAfter: firedDuring ? (lastFiringAfterRecovery === undefined ? 0 : lastFiringAfterRecovery + step - problemEnd) : null,
    firedBeforeProblem,
  };
}

function findAlert(set: RuleSet, name: string, sli: string): { group: RuleGroup; expr: string } {
  for (const group of set.groups) {
    for (const r of group.rules) if (isAlert(r) && r.alert === name && r.labels.sli === sli) return { group, expr: r.expr };
  }
  throw new Error(`${set.name} has no alert ${name} for ${sli}`);
}

export async function measureDetection(log: (line: string) => void): Promise<AlertTiming[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'slokit-detection-'));
  const dataDir = join(scratch, 'data');
  mkdirSync(dataDir);
  const prometheus = new BenchPrometheus(dataDir, scratch);
  try {
    const end = Math.floor(Date.now() / 3_600_000) * 3600 - 3600;
    const start = end - SPAN;
    const file = join(scratch, 'detect.om');
    writeFileSync(file, openMetrics(start));
    await importOpenMetrics([file], dataDir);
    await prometheus.restart();
    const model = detectionModel(join(scratch, 'catalog'));
    const slokit = slokitRules(model);
    const naive = naiveRuleSet(model);
    const problemStartOf = (s: Scenario) => start + WARM_UP + (s.shift ?? 0);
    const problemStart = start + WARM_UP;
    const observeFrom = problemStart - DAY;
    const { levels, promtoolRuns } = await backfillAll([slokit, naive], prometheus, { end, maxHistory: SPAN, alertHistory: end - observeFrom, dataDir, scratch });
    log(`  detection: ${SCENARIOS.length} scenarios over ${SPAN / DAY} days, ${levels} backfill levels, ${promtoolRuns} promtool runs`);

    const timings: AlertTiming[] = [];
    for (const s of SCENARIOS) {
      const sli = model.services[0]!.slis.find((x) => x.name === s.name)!;
      const begins = problemStartOf(s);
      const problemEnd = begins + s.seconds;
      for (const a of sli.alerts) {
        const def = alertDefs(model, model.services[0]!, sli).find((d) => d.burn?.name === a.name)!;
        const ours = findAlert(slokit, def.rule.alert, s.name);
        const theirs = findAlert(naive, `Naive${a.name}`, s.name);
        timings.push({
          scenario: s.name,
          alert: a.name,
          severity: a.severity,
          long: a.long.text,
          short: a.short.text,
          factor: a.factor,
          theoreticalSeconds: s.exactBurn
            ? s.exactBurn(a.long.seconds) > a.factor
              ? s.seconds
              : null
            : s.errorRatio > a.threshold
              ? (a.factor * sli.errorBudget * a.long.seconds) / s.errorRatio
              : null,
          slokit: await timing(prometheus.url, ours.group, ours.expr, begins, problemEnd, observeFrom, end),
          naive: await timing(prometheus.url, theirs.group, theirs.expr, begins, problemEnd, observeFrom, end),
        });
      }
    }
    return timings;
  } finally {
    await prometheus.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
