/**
 * Rule evaluation cost and accuracy of slokit, Sloth and the naive rule set for one SLO, on
 * identical synthetic data in a real Prometheus: samples loaded per hour of rule evaluation
 * (totalQueryableSamples of every rule, weighted by its group's interval), the floor of
 * reading each raw series once per evaluation, and every window's ratio against the exact
 * ratio of the counters.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planWindows } from '../../generators/emit/window-plan.js';
import { backfillAll } from './backfill.js';
import { BenchPrometheus, importOpenMetrics } from './bench-prometheus.js';
import { latestSample, ruleSetCost, samplesPerEvaluation, type RuleCost } from './measure.js';
import { naiveRuleSet, SLOTH_REFERENCE, slokitRuleSet, slothRuleSet, TOTAL_SELECTOR, type RuleSet } from './rule-sets.js';
import { benchShape, exactEnvelope, exactRatio, withShape, writeOpenMetricsBlocks, type AccuracyShape } from './synthetic-traffic.js';

const DAYS = 4;
const FLOOR_WINDOW = '5m';

export interface SetResult {
  readonly name: string;
  readonly samplesPerHour: number;
  readonly rules: readonly RuleCost[];
}

export interface SetAccuracy {
  /** The recorded ratio at the end of the data. */
  readonly value: number | null;
  /** The exact ratio of the window ending at that sample's timestamp. */
  readonly exact: number | null;
  readonly relativeError: number | null;
}

export interface WindowAccuracy {
  readonly window: string;
  /** How far slokit's ratio is outside the exact windows it stands for (0 inside them). */
  readonly slokitOutsideEnvelope: number | null;
  readonly sets: Readonly<Record<string, SetAccuracy>>;
}

export interface RuleCostResult {
  readonly rawSeries: number;
  /** The data's shape; runs on other shapes than the smooth one measure accuracy only. */
  readonly shape: AccuracyShape;
  readonly days: number;
  readonly floorPerHour: number;
  readonly sets: readonly SetResult[];
  readonly accuracy: readonly WindowAccuracy[];
  readonly backfill: { readonly levels: number; readonly promtoolRuns: number; readonly seconds: number };
  readonly slothSkipped?: string;
}

export async function measureRuleCost(rawSeries: number, log: (line: string) => void, shapeName: AccuracyShape = 'smooth'): Promise<RuleCostResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'slokit-rule-cost-'));
  let prometheus: BenchPrometheus | undefined;
  try {
    const dataDir = join(scratch, 'data');
    const openMetricsDir = join(scratch, 'openmetrics');
    mkdirSync(dataDir);
    mkdirSync(openMetricsDir);
    // End on an hour boundary an hour ago, so every group's steps land on it and nothing is in the future.
    const end = Math.floor(Date.now() / 3_600_000) * 3600 - 3600;
    const shape = withShape(benchShape(end, DAYS, rawSeries), shapeName);
    const { files, counts } = await writeOpenMetricsBlocks(shape, openMetricsDir);
    await importOpenMetrics(files, dataDir);
    rmSync(openMetricsDir, { recursive: true });
    log(`  ${rawSeries} raw series × ${DAYS} days imported (${files.length} promtool runs)`);

    prometheus = new BenchPrometheus(dataDir, scratch);
    await prometheus.restart();
    const { set: slokit, model } = slokitRuleSet(join(scratch, 'catalog'));
    const sloth = slothRuleSet();
    const sets: RuleSet[] = [slokit, ...(sloth ? [sloth] : []), naiveRuleSet(model)];

    const backfillStart = Date.now();
    const { levels, promtoolRuns } = await backfillAll(sets, prometheus, { end, maxHistory: end - shape.start, dataDir, scratch });
    const backfillSeconds = (Date.now() - backfillStart) / 1000;
    log(`  backfilled ${levels} levels with ${promtoolRuns} promtool runs in ${backfillSeconds.toFixed(0)} s`);

    const results: SetResult[] = [];
    for (const set of shapeName === 'smooth' ? sets : []) {
      const rules = await ruleSetCost(prometheus.url, set, end);
      results.push({ name: set.name, samplesPerHour: rules.reduce((a, r) => a + r.perHour, 0), rules });
    }
    const floorPerHour = (await samplesPerEvaluation(prometheus.url, `${TOTAL_SELECTOR}[${FLOOR_WINDOW}]`, end)) * 60;

    // Each recorded ratio is compared with the exact ratio of the window ending at its own
    // timestamp: rule groups run at an offset inside their interval, as they do in Prometheus.
    const sli = model.services[0]!.slis[0]!;
    const accuracy: WindowAccuracy[] = [];
    for (const { window: w, tile } of planWindows(sli)) {
      const perSet: Record<string, SetAccuracy> = {};
      let slokitOutsideEnvelope: number | null = null;
      for (const set of sets) {
        const sample = await latestSample(prometheus.url, set.ratioRecord(w.text), end);
        const exact = sample ? exactRatio(shape, counts, w.seconds, sample.timestamp) : undefined;
        if (set.name === 'slokit' && sample) {
          const env = exactEnvelope(shape, counts, w.seconds, sample.timestamp, sli.evaluation.rawWindow.seconds, tile?.step.seconds ?? 0);
          slokitOutsideEnvelope = sample.value < env.min ? env.min / sample.value - 1 : sample.value > env.max ? sample.value / env.max - 1 : 0;
        }
        perSet[set.name] = sample && exact !== undefined ? { value: sample.value, exact, relativeError: Math.abs(sample.value - exact) / exact } : { value: null, exact: null, relativeError: null };
      }
      accuracy.push({ window: w.text, slokitOutsideEnvelope, sets: perSet });
    }
    return {
      rawSeries,
      shape: shapeName,
      days: DAYS,
      floorPerHour,
      sets: results,
      accuracy,
      backfill: { levels, promtoolRuns, seconds: backfillSeconds },
      ...(sloth ? {} : { slothSkipped: `${SLOTH_REFERENCE} is absent` }),
    };
  } finally {
    await prometheus?.stop();
    // SLOKIT_BENCH_KEEP=1 keeps the data and rules for a look with a Prometheus of your own.
    if (process.env.SLOKIT_BENCH_KEEP) log(`  kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}
