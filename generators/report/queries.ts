/**
 * The PromQL of a report. Every number is a sum of recorded samples over a fixed range ending
 * at a fixed instant (`@`), so a report for November reads the same on December 2nd as a year
 * later. A period holds the samples after its start and up to its end, (start, end]: Prometheus
 * 3 reads a range that way (left-open), Prometheus 2 includes a sample exactly at the start
 * (closed), so against 2.x every range is one millisecond shorter, which on millisecond
 * timestamps is the same set of samples. A sample on a boundary then belongs to one period,
 * never two, under either version.
 */
import type { Duration } from '../model/duration.js';
import { formatRange } from '../model/duration.js';
import type { Matcher, Model } from '../model/types.js';
import { SLI_LABELS, series } from '../naming.js';
import { matchersText, regexEscape } from '../promql/escape.js';

/** Whether this server reads ranges closed at the start (Prometheus before 3.0); unknown versions are taken as 3.x. */
export function closedRanges(version: string | undefined): boolean {
  const major = version ? Number(/^v?(\d+)\./.exec(version)?.[1]) : NaN;
  return Number.isFinite(major) && major < 3;
}

/** A range holding exactly the samples of (t − seconds, t] on this server. */
export function rangeText(seconds: number, closed: boolean): string {
  return formatRange(closed ? seconds - 0.001 : seconds);
}

export interface ReportScope {
  readonly environment: string | undefined;
}

/** What one report row is: an SLO in one environment (when the catalog names an environment label). */
export function groupLabels(model: Model): string[] {
  const env = model.settings.environmentLabel;
  return [SLI_LABELS.service, SLI_LABELS.sli, ...(env ? [env] : [])];
}

function scopeMatchers(model: Model, scope: ReportScope): Matcher[] {
  const label = model.settings.environmentLabel;
  return label && scope.environment ? [{ label, op: '=', value: scope.environment }] : [];
}

export class ReportQueries {
  private readonly by: string;
  private readonly scope: Matcher[];

  constructor(
    private readonly model: Model,
    scope: ReportScope,
    private readonly closed: boolean,
  ) {
    this.by = groupLabels(model).join(', ');
    this.scope = scopeMatchers(model, scope);
  }

  private sel(extra: readonly Matcher[] = []): string {
    const all = [...this.scope, ...extra];
    return all.length ? matchersText(all) : '';
  }

  /** Sum of an SLI's recorded event rate over (at − seconds, at], per row. */
  sum(which: 'total' | 'bad', raw: Duration, seconds: number, at: number, only: readonly Matcher[] = []): string {
    const name = which === 'total' ? series.totalRate(raw) : series.badRate(raw);
    return `sum by (${this.by}) (sum_over_time(${name}${this.sel(only)}[${rangeText(seconds, this.closed)}] @ ${at}))`;
  }

  /** The same sum over each step before a range query's evaluation times (for the charts). */
  stepSum(which: 'total' | 'bad', raw: Duration, step: number): string {
    const name = which === 'total' ? series.totalRate(raw) : series.badRate(raw);
    return `sum by (${this.by}) (sum_over_time(${name}${this.sel()}[${rangeText(step, this.closed)}]))`;
  }

  /**
   * The first sample's time in (at − seconds, at], per row: timestamp() at every minute of the
   * step, whose smallest value is the first sample's own time (samples are a minute or more apart).
   */
  firstSample(raw: Duration, seconds: number, at: number): string {
    return `min by (${this.by}) (min_over_time(timestamp(${series.totalRate(raw)}${this.sel()})[${rangeText(seconds, this.closed)}:1m] @ ${at}))`;
  }

  /** The same for anything Prometheus holds of `up` or the SLIs' recorded rates. */
  firstAnySample(raws: readonly Duration[], seconds: number, at: number): string {
    return `min(min_over_time(timestamp(${this.anySelector(raws)})[${rangeText(seconds, this.closed)}:1m] @ ${at}))`;
  }

  private anySelector(raws: readonly Duration[]): string {
    const names = ['up', ...raws.map((r) => series.totalRate(r))].map(regexEscape).join('|');
    return `{__name__=~"${names}"}`;
  }

  /** Every raw sample of slokit's firing alerts in (at − seconds, at]. */
  firing(seconds: number, at: number): string {
    const m: Matcher[] = [
      { label: 'alertstate', op: '=', value: 'firing' },
      { label: 'alertname', op: '=~', value: `${regexEscape(this.model.settings.alertPrefix)}.+` },
      ...this.scope,
    ];
    return `ALERTS${matchersText(m)}[${rangeText(seconds, this.closed)}] @ ${at}`;
  }

  /** How many series Prometheus holds samples of in (at − seconds, at]: the targets' `up`, or any SLI's recorded rate. */
  anyData(raws: readonly Duration[], seconds: number, at: number): string {
    return `count(count_over_time(${this.anySelector(raws)}[${rangeText(seconds, this.closed)}] @ ${at}))`;
  }
}
