/** Alert policy data -> burn-rate alerts with their numbers for one SLI. */
import { clean } from './decimal.js';
import { parseDuration, type Duration } from './duration.js';
import type { AlertPolicy, BurnAlert, SloTarget } from './types.js';

interface PolicyDoc {
  name: string;
  evaluation: { raw_window: string; fast_interval: string; slow_interval: string; fast_windows_up_to: string };
  windows: { name: string; severity: 'critical' | 'warning'; budget_spent: number; long: string; short: string }[];
  traffic_cessation: { silence: string; baseline: string; min_expected_events: number };
}

/** Converts a schema-valid policy document; durations were checked by the schema. */
export function policyFromDoc(doc: unknown): AlertPolicy {
  const p = doc as PolicyDoc;
  const d = (s: string): Duration => parseDuration(s)!;
  return {
    name: p.name,
    evaluation: {
      rawWindow: d(p.evaluation.raw_window),
      fastInterval: d(p.evaluation.fast_interval),
      slowInterval: d(p.evaluation.slow_interval),
      fastWindowsUpTo: d(p.evaluation.fast_windows_up_to),
    },
    windows: p.windows.map((w) => ({ name: w.name, severity: w.severity, budgetSpent: w.budget_spent, long: d(w.long), short: d(w.short) })),
    trafficCessation: {
      silence: d(p.traffic_cessation.silence),
      baseline: d(p.traffic_cessation.baseline),
      minExpectedEvents: p.traffic_cessation.min_expected_events,
    },
  };
}

/** Factor = share of budget spent × period / long window (14.4 for 2% over 1h of 30d). */
export function burnFactor(budgetSpent: number, period: Duration, long: Duration): number {
  return clean((budgetSpent * period.seconds) / long.seconds);
}

export function burnAlerts(policy: AlertPolicy, period: Duration, errorBudget: number, pages: boolean): BurnAlert[] {
  return policy.windows.map((w) => {
    const factor = burnFactor(w.budgetSpent, period, w.long);
    return {
      name: w.name,
      declaredSeverity: w.severity,
      severity: w.severity === 'critical' && !pages ? 'warning' : w.severity,
      budgetSpent: w.budgetSpent,
      long: w.long,
      short: w.short,
      factor,
      threshold: clean(factor * errorBudget),
    };
  });
}

/** An SLO's target from its objective in percent, its period and policy: objective, budget and each row's numbers. */
export function sloTarget(policy: AlertPolicy, policyName: string, period: Duration, objectivePercent: number, pages: boolean): SloTarget {
  const errorBudget = clean((100 - objectivePercent) / 100);
  return { objective: clean(objectivePercent / 100), errorBudget, period, policyName, evaluation: policy.evaluation, alerts: burnAlerts(policy, period, errorBudget, pages) };
}

/** Problems with the policy itself (independent of any SLI). */
export function policyInconsistencies(policy: AlertPolicy): { path: (string | number)[]; message: string; hint: string }[] {
  const out: { path: (string | number)[]; message: string; hint: string }[] = [];
  const e = policy.evaluation;
  if (e.fastInterval.seconds > e.rawWindow.seconds) {
    out.push({ path: ['evaluation', 'fast_interval'], message: `fast_interval ${e.fastInterval.text} is longer than raw_window ${e.rawWindow.text}`, hint: 'evaluate at least once per raw window' });
  }
  if (e.slowInterval.seconds < e.fastInterval.seconds) {
    out.push({ path: ['evaluation', 'slow_interval'], message: 'slow_interval is shorter than fast_interval', hint: 'make slow_interval at least fast_interval' });
  }
  const names = new Set<string>();
  policy.windows.forEach((w, i) => {
    if (names.has(w.name)) out.push({ path: ['windows', i, 'name'], message: `window name "${w.name}" is used twice`, hint: 'give each row its own name (it becomes part of the alert name)' });
    names.add(w.name);
    if (w.short.seconds >= w.long.seconds) out.push({ path: ['windows', i, 'short'], message: `short window ${w.short.text} is not shorter than long window ${w.long.text}`, hint: 'use a short window of about 1/12 of the long one' });
    for (const [key, win] of [['long', w.long], ['short', w.short]] as const) {
      if (win.seconds < e.rawWindow.seconds) out.push({ path: ['windows', i, key], message: `${key} window ${win.text} is shorter than raw_window ${e.rawWindow.text}`, hint: 'lower raw_window or lengthen the window' });
    }
  });
  const tc = policy.trafficCessation;
  if (tc.silence.seconds >= tc.baseline.seconds) out.push({ path: ['traffic_cessation', 'silence'], message: 'silence window is not shorter than the baseline window', hint: 'use a baseline several times longer than the silence window' });
  if (tc.silence.seconds < e.rawWindow.seconds) out.push({ path: ['traffic_cessation', 'silence'], message: `silence window is shorter than raw_window ${e.rawWindow.text}`, hint: 'lengthen the silence window' });
  return out;
}
