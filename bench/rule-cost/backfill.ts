/**
 * Backfills a rule set's recording rules with `promtool tsdb create-blocks-from rules`, so that
 * every rule can be measured at the end of the data as it would run in steady state.
 *
 * promtool cannot backfill a rule from another rule it is backfilling, so rules go in
 * dependency levels, with a Prometheus restart between levels to load the new blocks. Each
 * rule is backfilled only as far back as the rules reading it need (a 3d window read only by
 * an alert needs just the last minutes), which keeps the backfill of the naive and Sloth sets
 * from costing hours.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { isAlert, type RecordingRule, type RuleGroup } from '../../generators/emit/rule-types.js';
import { parseDuration } from '../../generators/model/duration.js';
import { metricNamesRead } from '../../generators/promql/parse.js';
import type { RuleSet } from './rule-sets.js';

const run = promisify(execFile);
/** Prometheus's default lookback for instant selectors. */
const LOOKBACK_SECONDS = 300;

export interface PlannedRule {
  readonly group: RuleGroup;
  readonly rule: RecordingRule;
  readonly level: number;
  /** Seconds of history before the measurement time that this rule must have been recorded for. */
  readonly history: number;
}

export function intervalSeconds(group: RuleGroup): number {
  return parseDuration(group.interval)!.seconds;
}

/** How far back an expression reads: its longest range or subquery, plus the instant lookback. */
function reach(expr: string): number {
  // Ranges are compound ("54m30s", "2d23h59m30s:25m"), and an offset reads further back still.
  const unit = '(?:\\d+(?:ms|[smhdwy]))+';
  let longest = 0;
  for (const m of expr.matchAll(new RegExp(`\\[(${unit})(?::${unit})?\\]`, 'g'))) longest = Math.max(longest, rangeSeconds(m[1]!));
  let offset = 0;
  for (const m of expr.matchAll(new RegExp(`offset (${unit})`, 'g'))) offset = Math.max(offset, rangeSeconds(m[1]!));
  return longest + offset + LOOKBACK_SECONDS;
}

function rangeSeconds(text: string): number {
  return [...text.matchAll(/(\d+)(ms|[smhdwy])/g)].reduce((sum, [, n, u]) => sum + parseDuration(`${n}${u}`)!.seconds, 0);
}

/** `alertHistory`: how long before the measurement time alerts are evaluated (0: only at it). */
export function planBackfill(set: RuleSet, maxHistory: number, alertHistory = 0): PlannedRule[] {
  const entries = set.groups.flatMap((group) => group.rules.map((rule) => ({ group, rule })));
  const recorded = new Set(entries.flatMap((e) => (isAlert(e.rule) ? [] : [e.rule.record])));
  const reads = entries.map((e) => metricNamesRead(e.rule.expr).filter((n) => recorded.has(n)));
  // Level: 0 for rules reading only raw series, else one above the highest rule they read.
  const level = new Map<string, number>();
  for (let changed = true; changed; ) {
    changed = false;
    entries.forEach((e, i) => {
      if (isAlert(e.rule)) return;
      const l = Math.max(-1, ...reads[i]!.map((n) => level.get(n) ?? 0)) + 1;
      if (l > 40) throw new Error(`${set.name}: recording rules read each other in a cycle at ${e.rule.record}`);
      if ((level.get(e.rule.record) ?? -1) < l) {
        level.set(e.rule.record, l);
        changed = true;
      }
    });
  }
  // History: what the readers of a record need, plus how far they reach back (alerts need none).
  const history = new Map<string, number>();
  const byLevelDesc = [...entries.keys()].sort((a, b) => levelOf(entries[b]!) - levelOf(entries[a]!));
  function levelOf(e: (typeof entries)[number]): number {
    return isAlert(e.rule) ? Infinity : level.get(e.rule.record)!;
  }
  for (const i of byLevelDesc) {
    const e = entries[i]!;
    const own = isAlert(e.rule) ? alertHistory : (history.get(e.rule.record) ?? 0);
    for (const n of reads[i]!) history.set(n, Math.max(history.get(n) ?? 0, Math.min(maxHistory, own + reach(e.rule.expr))));
  }
  return entries.flatMap((e) =>
    isAlert(e.rule) ? [] : [{ group: e.group, rule: e.rule, level: level.get(e.rule.record)!, history: history.get(e.rule.record) ?? LOOKBACK_SECONDS }],
  );
}

// promtool, like Prometheus, offsets each group's evaluations inside its interval by a hash
// that includes the rule file's path: a fixed path keeps the offsets, and so the measured
// lags, the same from run to run.
const RULE_FILES = join(tmpdir(), 'slokit-bench-backfill-rules');

/**
 * Backfills one level: one promtool run per distinct start time, blocks moved into `dataDir`.
 * Starts are rounded down to the hour so every group's steps land on `end`.
 */
export async function backfillLevel(rules: readonly PlannedRule[], label: string, url: string, end: number, dataDir: string, scratch: string): Promise<number> {
  const byStart = new Map<number, PlannedRule[]>();
  for (const r of rules) {
    const start = Math.floor((end - r.history) / 3600) * 3600;
    byStart.set(start, [...(byStart.get(start) ?? []), r]);
  }
  mkdirSync(RULE_FILES, { recursive: true });
  let runs = 0;
  for (const [start, batch] of [...byStart].sort((a, b) => a[0] - b[0])) {
    const blocks = join(scratch, `backfill-${label}-${runs}`);
    mkdirSync(blocks, { recursive: true });
    const groups = new Map<RuleGroup, RecordingRule[]>();
    for (const r of batch) groups.set(r.group, [...(groups.get(r.group) ?? []), r.rule]);
    const file = join(RULE_FILES, `${label}-${runs++}.yml`);
    writeFileSync(
      file,
      stringify({
        groups: [...groups].map(([g, rs]) => ({ name: g.name, interval: g.interval, rules: rs.map((r) => ({ record: r.record, expr: r.expr, ...(r.labels ? { labels: r.labels } : {}) })) })),
      }),
    );
    await run('promtool', ['tsdb', 'create-blocks-from', 'rules', '-q', `--url=${url}`, `--start=${start}`, `--end=${end}`, `--output-dir=${blocks}`, file], {
      maxBuffer: 1 << 26,
    });
    for (const block of readdirSync(blocks)) renameSync(join(blocks, block), join(dataDir, block));
    rmSync(blocks, { recursive: true, force: true });
  }
  return runs;
}

/** Backfills every rule set level by level, restarting Prometheus after each level to load its blocks. */
export async function backfillAll(
  sets: readonly RuleSet[],
  prometheus: { readonly url: string; restart(): Promise<void> },
  opts: { readonly end: number; readonly maxHistory: number; readonly alertHistory?: number; readonly dataDir: string; readonly scratch: string },
): Promise<{ levels: number; promtoolRuns: number }> {
  const plans = sets.map((set) => ({ set, rules: planBackfill(set, opts.maxHistory, opts.alertHistory) }));
  const levels = Math.max(...plans.flatMap((p) => p.rules.map((r) => r.level))) + 1;
  let promtoolRuns = 0;
  for (let level = 0; level < levels; level++) {
    for (const { set, rules } of plans) {
      const atLevel = rules.filter((r) => r.level === level);
      if (atLevel.length) promtoolRuns += await backfillLevel(atLevel, `${set.name}-level${level}`, prometheus.url, opts.end, opts.dataDir, opts.scratch);
    }
    await prometheus.restart();
  }
  return { levels, promtoolRuns };
}
