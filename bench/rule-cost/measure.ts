/**
 * What a rule costs Prometheus: the samples its expression loads (`stats=all`,
 * totalQueryableSamples) at one evaluation, times how often its group runs.
 *
 * Prometheus 2.x does not count the samples a subquery reads when a function wraps it
 * (prometheus/prometheus#16638: `avg_over_time(x[1d:5m])` reports only the 289 points it
 * averages). Each subquery is therefore also queried bare, which that code path counts
 * correctly, and added; this over-counts a little (the points are counted twice), never under.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { isAlert, type RuleGroup } from '../../generators/emit/rule-types.js';
import { intervalSeconds } from './backfill.js';
import type { RuleSet } from './rule-sets.js';

interface QueryAnswer {
  status: string;
  error?: string;
  data: { result: { value: [number, string] }[]; stats?: { samples: { totalQueryableSamples: number } } };
}

async function query(url: string, expr: string, time: number): Promise<QueryAnswer['data']> {
  const body = new URLSearchParams({ query: expr, time: String(time), stats: 'all' });
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
  const answer = (await res.json()) as QueryAnswer;
  if (answer.status !== 'success') throw new Error(`query failed: ${answer.error}\n${expr}`);
  return answer.data;
}

function subqueries(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.name === 'SubqueryExpr') out.push(expr.slice(n.from, n.to));
    },
  });
  return out;
}

export async function samplesPerEvaluation(url: string, expr: string, time: number): Promise<number> {
  let samples = (await query(url, expr, time)).stats!.samples.totalQueryableSamples;
  for (const sub of subqueries(expr)) samples += (await query(url, sub, time)).stats!.samples.totalQueryableSamples;
  return samples;
}

/** The latest sample of a one-series selector at or before `time` (within the lookback), with its timestamp. */
export async function latestSample(url: string, selector: string, time: number): Promise<{ value: number; timestamp: number } | undefined> {
  const one = async (expr: string) => {
    const result = (await query(url, expr, time)).result;
    if (result.length > 1) throw new Error(`expected at most one series from ${expr}, got ${result.length}`);
    return result[0] ? Number(result[0].value[1]) : undefined;
  };
  const value = await one(selector);
  const timestamp = await one(`timestamp(${selector})`);
  return value === undefined || timestamp === undefined ? undefined : { value, timestamp };
}

export interface RuleCost {
  readonly group: string;
  readonly name: string;
  readonly perEvaluation: number;
  readonly perHour: number;
}

export async function ruleSetCost(url: string, set: RuleSet, time: number): Promise<RuleCost[]> {
  const costs: RuleCost[] = [];
  for (const g of set.groups as RuleGroup[]) {
    const runsPerHour = 3600 / intervalSeconds(g);
    for (const r of g.rules) {
      const perEvaluation = await samplesPerEvaluation(url, r.expr, time);
      costs.push({ group: g.name, name: isAlert(r) ? r.alert : r.record, perEvaluation, perHour: perEvaluation * runsPerHour });
    }
  }
  return costs;
}
