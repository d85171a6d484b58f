/**
 * A report as people read it: every number formatted once here, for the Markdown and the HTML
 * alike. Catalog text stays raw: each format escapes it for itself.
 */
import type { Incident, JourneyReport, Report, Rollup, SloReport } from './build.js';
import { durationText, formatInstant } from './period.js';

export const percent = (share: number | null, digits: number) => (share === null ? '–' : `${(share * 100).toFixed(digits)}%`.replace(/^-/, '−'));
/** Availability and objectives: three decimals tell 99.950% from 99.949%. */
export const availabilityText = (share: number | null) => percent(share, 3);
export const budgetText = (share: number | null) => percent(share, 1);

/** Change of availability in percentage points, signed. */
export function trendText(delta: number | null): string {
  if (delta === null) return '–';
  const pp = delta * 100;
  return `${pp >= 0 ? '+' : '−'}${Math.abs(pp).toFixed(3)} pp`;
}

export const VERDICT_TEXT = { met: 'met', missed: 'missed', 'no-data': 'no data' } as const;

export interface IncidentView {
  readonly began: string;
  readonly ended: string;
  readonly duration: string;
  readonly alerts: string;
  readonly paged: boolean;
  readonly share: string;
}

/** An SLO's or a journey's figures over the period, as read: against its objective, and the period before. */
export interface VerdictView {
  readonly objective: string;
  readonly availability: string;
  readonly budgetSpent: string;
  readonly budgetLeft: string;
  readonly verdict: string;
  readonly previous: string;
  readonly trend: string;
}

type Judged = Pick<SloReport, 'objective' | 'availability' | 'budgetSpent' | 'budgetLeft' | 'verdict' | 'trend'> & { readonly previous: Pick<SloReport['previous'], 'availability' | 'verdict'> };

function verdictView(r: Judged): VerdictView {
  return {
    objective: availabilityText(r.objective),
    availability: availabilityText(r.availability),
    budgetSpent: budgetText(r.budgetSpent),
    budgetLeft: budgetText(r.budgetLeft),
    verdict: VERDICT_TEXT[r.verdict],
    previous: r.previous.availability === null ? '–' : `${availabilityText(r.previous.availability)} (${VERDICT_TEXT[r.previous.verdict]})`,
    trend: trendText(r.trend),
  };
}

export interface SloView extends VerdictView {
  readonly report: SloReport;
  readonly notes: readonly string[];
  readonly incidents: readonly IncidentView[];
}

export interface RollupView {
  readonly name: string;
  readonly slos: number;
  readonly met: number;
  readonly missed: number;
  readonly noData: number;
  readonly median: string;
  readonly worst: string;
}

export interface JourneyView extends VerdictView {
  readonly report: JourneyReport;
  readonly name: string;
  /** "web/puma-requests ×1: 99.912%, 40.1% of the bad", one per component. */
  readonly components: readonly string[];
  readonly notes: readonly string[];
}

export interface ReportView {
  readonly title: string;
  readonly period: string;
  readonly compared: string;
  readonly source: string;
  readonly summary: { readonly slos: number; readonly met: number; readonly missed: number; readonly noData: number; readonly incidents: number; readonly pages: number };
  readonly teams: readonly RollupView[];
  readonly tiers: readonly RollupView[];
  readonly slos: readonly SloView[];
  readonly journeys: readonly JourneyView[];
}

export const sloName = (r: { service: string; sli: string; environment: string | null }) => `${r.service}/${r.sli}${r.environment ? ` (${r.environment})` : ''}`;

function incidentView(i: Incident, tz: string): IncidentView {
  return {
    began: `${formatInstant(i.start, tz)}${i.beganBefore ? ' (before the period)' : ''}`,
    ended: `${formatInstant(i.end, tz)}${i.endedAfter ? ' (after the period)' : ''}`,
    duration: durationText(i.seconds),
    alerts: i.alerts.map((a) => `${a.name} (${a.severity})`).join(', '),
    paged: i.paged,
    share: budgetText(i.budgetShare),
  };
}

function rollupView(r: Rollup): RollupView {
  return { name: r.name, slos: r.slos, met: r.met, missed: r.missed, noData: r.noData, median: budgetText(r.medianBudgetSpent), worst: r.worst ? `${sloName(r.worst)} ${budgetText(r.worst.budgetSpent)}` : '–' };
}

function notesOf(r: SloReport, report: Report): string[] {
  const notes: string[] = [];
  for (const o of r.reportObjectives) notes.push(`against its reported objective ${o.name} (${availabilityText(o.objective)}): ${VERDICT_TEXT[o.verdict]}, ${budgetText(o.budgetSpent)} of that budget spent`);
  if (r.measuredFrom !== null) notes.push(`measured from ${formatInstant(r.measuredFrom, report.timezone)} (added during the period): availability over the ${durationText(report.period.end - r.measuredFrom)} it existed`);
  if (r.verdict !== 'no-data' && r.coverage < 0.995) notes.push(`samples for ${(r.coverage * 100).toFixed(1)}% of the time since it was first measured`);
  if (r.verdict === 'no-data') notes.push('no recorded samples in the period');
  return notes;
}

function journeyView(j: JourneyReport, report: Report): JourneyView {
  return {
    report: j,
    name: `${j.journey}${j.environment ? ` (${j.environment})` : ''}`,
    ...verdictView(j),
    components: j.components.map((c) => `${c.name} ×${c.weight}: ${availabilityText(c.availability)}${c.share === null ? '' : `, ${budgetText(c.share)} of the bad`}`),
    notes: [
      `weighted by ${j.weighting}`,
      ...j.measuredFrom.map((m) => `${m.name} measured from ${formatInstant(m.from, report.timezone)} (added during the period)`),
      ...(j.verdict === 'no-data' ? ['no recorded samples of its components in the period'] : []),
    ],
  };
}

export function reportView(report: Report): ReportView {
  const tz = report.timezone;
  const slos = [...report.slos].sort((a, b) => (b.budgetSpent ?? -1) - (a.budgetSpent ?? -1) || a.service.localeCompare(b.service) || a.sli.localeCompare(b.sli));
  const filters = [report.filters.team && `team ${report.filters.team}`, report.filters.service && `service ${report.filters.service}`, report.filters.environment && `environment ${report.filters.environment}`].filter(Boolean);
  const v = report.prometheus.version;
  return {
    title: `SLO report ${report.period.label}${filters.length ? `, ${filters.join(', ')}` : ''}`,
    period: `${formatInstant(report.period.start, tz)} to ${formatInstant(report.period.end, tz)}`,
    compared: `${report.previous.label} (${formatInstant(report.previous.start, tz)} to ${formatInstant(report.previous.end, tz)})`,
    source: `Prometheus at ${report.prometheus.url}${v ? ` (${v})` : ''}, ${report.prometheus.queries} queries; recorded event rates summed over the period`,
    summary: {
      slos: slos.length,
      met: slos.filter((r) => r.verdict === 'met').length,
      missed: slos.filter((r) => r.verdict === 'missed').length,
      noData: slos.filter((r) => r.verdict === 'no-data').length,
      incidents: slos.reduce((n, r) => n + r.incidents.length, 0),
      pages: slos.reduce((n, r) => n + r.incidents.filter((i) => i.paged).length, 0),
    },
    teams: report.teams.map(rollupView),
    tiers: report.tiers.map(rollupView),
    slos: slos.map((r) => ({
      report: r,
      ...verdictView(r),
      notes: notesOf(r, report),
      incidents: r.incidents.map((i) => incidentView(i, tz)),
    })),
    journeys: [...report.journeys].sort((a, b) => (b.budgetSpent ?? -1) - (a.budgetSpent ?? -1) || a.journey.localeCompare(b.journey)).map((j) => journeyView(j, report)),
  };
}
