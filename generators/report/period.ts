/**
 * The periods a report covers: a calendar month in a time zone (UTC unless told), or the last
 * N days up to now, each with the period before it for the trend. Bounds are unix seconds; a
 * period holds what happened after its start and up to its end, (start, end].
 */
import { parseDuration } from '../model/duration.js';

export interface Period {
  /** As a person names it: "2026-11" or "30d to 2026-12-06 10:00 UTC". */
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

export interface ReportPeriods {
  readonly current: Period;
  readonly previous: Period;
  readonly timezone: string;
}

export class PeriodError extends Error {}

/** Whether Intl knows the zone (an IANA name such as Europe/Berlin, or UTC). */
function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new PeriodError(`--timezone ${JSON.stringify(timezone)} is not a time zone: use an IANA name such as UTC, Europe/Berlin or America/New_York`);
  }
}

/** Milliseconds the zone's wall clock is ahead of UTC at `instant` (ms). */
function offsetAt(instant: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(instant / 1000) * 1000;
}

/** The instant (unix seconds) the zone's wall clock shows midnight starting the 1st of a month. */
function monthStart(year: number, month: number, timezone: string): number {
  const wall = Date.UTC(year, month - 1, 1);
  // Twice: the offset at the guess may differ from the one at the answer across a DST change.
  let t = wall - offsetAt(wall, timezone);
  t = wall - offsetAt(t, timezone);
  return t / 1000;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthPeriods(month: string, timezone = 'UTC'): ReportPeriods {
  const m = MONTH_RE.exec(month);
  if (!m) throw new PeriodError(`--month ${JSON.stringify(month)} is not a month: write it as YYYY-MM, e.g. 2026-11`);
  checkTimezone(timezone);
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const at = (y: number, mo: number) => (mo < 1 ? [y - 1, 12] : mo > 12 ? [y + 1, 1] : [y, mo]) as [number, number];
  const label = (y: number, mo: number) => `${y}-${String(mo).padStart(2, '0')}`;
  const bounds = (y: number, mo: number): Period => ({ label: label(y, mo), start: monthStart(y, mo, timezone), end: monthStart(...at(y, mo + 1), timezone) });
  return { current: bounds(year, mon), previous: bounds(...at(year, mon - 1)), timezone };
}

/** The last `span` (a Prometheus duration of whole minutes, e.g. 30d) up to `now` (unix seconds), rounded down to the minute. */
export function lastPeriods(span: string, now: number, timezone = 'UTC'): ReportPeriods {
  const d = parseDuration(span);
  if (!d || d.seconds % 60 !== 0 || d.seconds < 3600) throw new PeriodError(`--last ${JSON.stringify(span)} is not a span of at least an hour in whole minutes: write it as e.g. 30d, 7d or 12h`);
  checkTimezone(timezone);
  const end = Math.floor(now / 60) * 60;
  const label = (e: number) => `${d.text} to ${formatInstant(e, timezone)}`;
  return { current: { label: label(end), start: end - d.seconds, end }, previous: { label: label(end - d.seconds), start: end - 2 * d.seconds, end: end - d.seconds }, timezone };
}

/** "2026-11-30 23:05 UTC" in the report's zone. */
export function formatInstant(seconds: number, timezone: string): string {
  const local = new Date(seconds * 1000 + offsetAt(seconds * 1000, timezone));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())} ${timezone}`;
}

/** A span in words, to the minute: "19 days", "21 days 12 hours", "3 hours 7 minutes". */
export function durationText(seconds: number): string {
  const m = Math.round(seconds / 60);
  const part = (n: number, unit: string) => (n ? [`${n} ${unit}${n === 1 ? '' : 's'}`] : []);
  const words = [...part(Math.floor(m / 1440), 'day'), ...part(Math.floor((m % 1440) / 60), 'hour'), ...part(m % 60, 'minute')];
  return words.join(' ') || '0 minutes';
}
