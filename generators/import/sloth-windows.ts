/**
 * Sloth `AlertWindows` as a slokit alert policy: Sloth's page quick/slow and ticket quick/slow
 * windows become the policy's burn windows (critical and warning); evaluation and traffic
 * cessation come from the bundled default policy. A window that would fire while the
 * objective is met (budget share × period ÷ long window below 1) is refused where it is set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PathSegment, SourceFile } from '../load/yaml-source.js';
import { parseDuration } from '../model/duration.js';
import { BUNDLED_POLICIES } from '../paths.js';
import { toYaml } from '../emit/yaml-text.js';
import { FindingSink, isObj, safeName, type Obj } from './draft.js';

export interface PolicyDraft {
  readonly name: string;
  readonly period: string;
  readonly text: string;
  readonly from: string;
}


const ROWS = [
  ['page', 'quick', 'critical'],
  ['page', 'slow', 'critical'],
  ['ticket', 'quick', 'warning'],
  ['ticket', 'slow', 'warning'],
] as const;

export function slothWindowsPolicy(sink: FindingSink, source: SourceFile, doc: Obj): PolicyDraft | undefined {
  const spec = isObj(doc.spec) ? doc.spec : {};
  const period = typeof spec.sloPeriod === 'string' ? parseDuration(spec.sloPeriod) : undefined;
  if (!period) {
    sink.add(source, ['spec', 'sloPeriod'], 'error', `sloPeriod ${JSON.stringify(spec.sloPeriod ?? null)} is not a duration such as 30d`);
    return undefined;
  }
  const name = safeName(`sloth-${period.text}`)!;
  const windows: object[] = [];
  let ok = true;
  for (const [group, speed, severity] of ROWS) {
    const at: PathSegment[] = ['spec', group, speed];
    const w = isObj(spec[group]) && isObj((spec[group] as Obj)[speed]) ? ((spec[group] as Obj)[speed] as Obj) : undefined;
    const long = typeof w?.longWindow === 'string' ? parseDuration(w.longWindow) : undefined;
    const short = typeof w?.shortWindow === 'string' ? parseDuration(w.shortWindow) : undefined;
    const percent = w?.errorBudgetPercent;
    if (!w || !long || !short || typeof percent !== 'number' || percent <= 0 || percent > 100) {
      sink.add(source, at, 'error', `${group}.${speed} needs errorBudgetPercent (0-100], shortWindow and longWindow`);
      ok = false;
      continue;
    }
    const factor = ((percent / 100) * period.seconds) / long.seconds;
    if (factor < 1) {
      sink.add(source, [...at, 'errorBudgetPercent'], 'unsupported', `${group}.${speed} (${percent}% of the ${period.text} budget in ${long.text}) fires at ${Math.round(factor * 100) / 100}x the sustainable burn rate: it would fire while the objective is met`, `spend at least ${Math.ceil((long.seconds / period.seconds) * 10_000) / 100}% of the budget in ${long.text}`);
      ok = false;
      continue;
    }
    windows.push({ name: `${group}-${speed}`, severity, budget_spent: Number((percent / 100).toPrecision(12)), long: long.text, short: short.text });
  }
  if (!ok) return undefined;
  const base = parse(readFileSync(join(BUNDLED_POLICIES, 'default.yaml'), 'utf8')) as { evaluation: object; traffic_cessation: object };
  const text = toYaml(
    {
      name,
      description: `Sloth's alert windows for a ${period.text} SLO period (page quick and slow, ticket quick and slow).`,
      evaluation: base.evaluation,
      windows,
      traffic_cessation: base.traffic_cessation,
    },
    `yaml-language-server: $schema=../schema/policy.schema.json\nImported by slokit import sloth from ${source.file}; evaluation and traffic cessation are the bundled default policy's.`,
  );
  return { name, period: period.text, text, from: source.file };
}
