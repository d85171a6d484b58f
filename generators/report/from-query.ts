/**
 * A report asked for by URL (slokit serve's /report and /api/report): the command's options as
 * query parameters, the last calendar month (UTC) when no period is given.
 */
import type { Model } from '../model/types.js';
import { collectReport } from './collect.js';
import type { Report } from './build.js';
import { lastPeriods, monthPeriods, PeriodError, type ReportPeriods } from './period.js';

export class ReportRequestError extends Error {}

const one = (query: Record<string, unknown>, name: string): string | undefined => {
  const v = query[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The calendar month before the one `now` (unix seconds) falls in, in UTC: "2026-11" on any day of December 2026. */
export function lastMonth(now: number): string {
  const d = new Date(now * 1000);
  const m = d.getUTCMonth() === 0 ? [d.getUTCFullYear() - 1, 12] : [d.getUTCFullYear(), d.getUTCMonth()];
  return `${m[0]}-${String(m[1]).padStart(2, '0')}`;
}

export function periodsOf(query: Record<string, unknown>, now: number): ReportPeriods {
  const tz = one(query, 'timezone') ?? 'UTC';
  const last = one(query, 'last');
  try {
    const periods = last ? lastPeriods(last, now, tz) : monthPeriods(one(query, 'month') ?? lastMonth(now), tz);
    if (periods.current.end > now + 60) throw new ReportRequestError(`${periods.current.label} has not ended yet`);
    return periods;
  } catch (e) {
    if (e instanceof PeriodError) throw new ReportRequestError(e.message.replace(/--(\w+)/g, '$1='));
    throw e;
  }
}

export async function reportFromQuery(model: Model, query: Record<string, unknown>, options: { prometheusUrl: string; timeoutMs: number; now: number }): Promise<Report> {
  const periods = periodsOf(query, options.now);
  const service = one(query, 'service');
  const team = one(query, 'team');
  if (service && !model.services.some((s) => s.name === service)) throw new ReportRequestError(`no service ${service} in the catalog`);
  if (team && !model.services.some((s) => s.slis.some((sli) => sli.team.name === team))) throw new ReportRequestError(`team ${team} owns no SLI of the catalog`);
  return collectReport(model, periods, { url: options.prometheusUrl, timeoutMs: options.timeoutMs, team, service, environment: one(query, 'environment'), now: options.now });
}
