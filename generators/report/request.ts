/**
 * What a report is asked for, checked in one place for `slokit report` (options) and for
 * slokit serve's /report and /api/report (query parameters): the period, the team and the
 * service. Errors name the option as the asker wrote it (`--month 2026-13`, or `month=2026-13`).
 */
import type { Model } from '../model/types.js';
import { collectReport } from './collect.js';
import type { Report } from './build.js';
import { lastPeriods, monthPeriods, PeriodError, type ReportPeriods } from './period.js';

export class ReportRequestError extends Error {}

export interface ReportRequest {
  readonly month?: string;
  readonly last?: string;
  readonly timezone?: string;
  readonly team?: string;
  readonly service?: string;
  readonly environment?: string;
}

/** Who asks: the command (`--month 2026-11`) or a URL (`month=2026-11`), for the messages. */
export type Asker = 'command' | 'url';
const named = (asker: Asker, option: string, value: string) => (asker === 'url' ? `${option}=${value}` : `--${option} ${value}`);

/** The calendar month before the one `now` (unix seconds) falls in, in UTC: "2026-11" on any day of December 2026. */
export function lastMonth(now: number): string {
  const d = new Date(now * 1000);
  const m = d.getUTCMonth() === 0 ? [d.getUTCFullYear() - 1, 12] : [d.getUTCFullYear(), d.getUTCMonth()];
  return `${m[0]}-${String(m[1]).padStart(2, '0')}`;
}

/** Query parameters as a request (the first value of each; empty ones are absent). */
export function requestOfQuery(query: Record<string, unknown>): ReportRequest {
  const one = (name: string) => {
    const v = query[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  return { month: one('month'), last: one('last'), timezone: one('timezone'), team: one('team'), service: one('service'), environment: one('environment') };
}

/**
 * The periods of a valid request. Without a period: the last calendar month when
 * `defaultToLastMonth`, an error otherwise (the command asks for one).
 */
export function checkRequest(model: Model, request: ReportRequest, now: number, asker: Asker, defaultToLastMonth: boolean): ReportPeriods {
  const both = `${named(asker, 'month', 'YYYY-MM')} (a calendar month) or ${named(asker, 'last', '30d')}`;
  if (request.month && request.last) throw new ReportRequestError(`give one period, not two: ${both}`);
  if (!request.month && !request.last && !defaultToLastMonth) throw new ReportRequestError(`give one period: ${both}`);
  if (request.service && !model.services.some((s) => s.name === request.service)) throw new ReportRequestError(`${named(asker, 'service', request.service)} is not in the catalog`);
  if (request.team && !model.services.some((s) => s.slis.some((sli) => sli.team.name === request.team))) throw new ReportRequestError(`${named(asker, 'team', request.team)} owns no SLI of the catalog`);
  let periods: ReportPeriods;
  try {
    periods = request.last ? lastPeriods(request.last, now, request.timezone) : monthPeriods(request.month ?? lastMonth(now), request.timezone);
  } catch (e) {
    // Period errors name the command's options (--month "2026-13"); a URL says month="2026-13".
    if (e instanceof PeriodError) throw new ReportRequestError(asker === 'url' ? e.message.replace(/--(\w+) /g, '$1=') : e.message);
    throw e;
  }
  if (periods.current.end > now + 60) throw new ReportRequestError(`${periods.current.label} has not ended yet: report on a past month, or use ${named(asker, 'last', '30d')}`);
  return periods;
}

export async function reportFor(model: Model, request: ReportRequest, options: { prometheusUrl: string; timeoutMs: number; now: number; asker: Asker; defaultToLastMonth: boolean }): Promise<Report> {
  const periods = checkRequest(model, request, options.now, options.asker, options.defaultToLastMonth);
  return collectReport(model, periods, { url: options.prometheusUrl, timeoutMs: options.timeoutMs, team: request.team, service: request.service, environment: request.environment, now: options.now });
}
