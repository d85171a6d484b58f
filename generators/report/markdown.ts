/** The report as Markdown that renders on GitLab and GitHub: tables, catalog text escaped. */
import { mdText } from '../emit/runbooks/markdown.js';
import type { Report } from './build.js';
import { reportView, sloName, type RollupView } from './view.js';

const row = (cells: readonly (string | number)[]) => `| ${cells.map((c) => (typeof c === 'number' ? String(c) : c)).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

function rollups(title: string, what: string, rs: readonly RollupView[]): string {
  return `## ${title}\n\n${table([what, 'SLOs', 'Met', 'Missed', 'No data', 'Median budget spent', 'Most budget spent'], rs.map((r) => [mdText(r.name), r.slos, r.met, r.missed, r.noData, r.median, mdText(r.worst)]))}\n`;
}

export function reportMarkdown(report: Report): string {
  const v = reportView(report);
  const s = v.summary;
  const out: string[] = [
    `# ${mdText(v.title)}`,
    '',
    `${mdText(v.period)}, compared with ${mdText(v.compared)}. ${mdText(v.source)}.`,
    '',
    `**${s.slos} SLOs: ${s.met} met, ${s.missed} missed, ${s.noData} without data.** ${s.incidents} incident${s.incidents === 1 ? '' : 's'} spent budget, ${s.pages} of them paged.`,
    '',
    rollups('By team', 'Team', v.teams),
    rollups('By tier', 'Tier', v.tiers),
    '## SLOs',
    '',
    'Most budget spent first. Availability is the share of good events over the period; the budget is the bad events the objective allows.',
    '',
    table(
      ['SLO', 'Team', 'Objective', 'Availability', 'Budget spent', 'Budget left', 'Verdict', 'Previous period', 'Trend', 'Incidents'],
      v.slos.map((x) => [mdText(sloName(x.report)), mdText(x.report.team), x.objective, x.availability, x.budgetSpent, x.budgetLeft, x.verdict === 'missed' ? '**missed**' : x.verdict, x.previous, x.trend, x.incidents.length]),
    ),
    '',
  ];
  const noted = v.slos.filter((x) => x.notes.length);
  if (noted.length) out.push(...noted.map((x) => `- ${mdText(sloName(x.report))}: ${mdText(x.notes.join('; '))}.`), '');
  if (v.journeys.length) {
    out.push(
      '## User journeys',
      '',
      "Each journey from its components' events over the period; a component's share is how much of the journey's bad it contributed.",
      '',
      table(
        ['Journey', 'Team', 'Objective', 'Availability', 'Budget spent', 'Verdict', 'Previous period', 'Trend', 'Components', 'Notes'],
        v.journeys.map((j) => [mdText(j.name), mdText(j.report.team), j.objective, j.availability, j.budgetSpent, j.verdict === 'missed' ? '**missed**' : j.verdict, j.previous, j.trend, j.components.map(mdText).join('<br>'), mdText(j.notes.join('; '))]),
      ),
      '',
    );
  }
  const withIncidents = v.slos.filter((x) => x.incidents.length);
  out.push('## Incidents', '');
  if (!withIncidents.length) out.push('No slokit alert fired in the period.', '');
  for (const x of withIncidents) {
    out.push(`### ${mdText(sloName(x.report))}`, '');
    out.push(table(['Began', 'Ended', 'Inside the period', 'Alerts', 'Paged', 'Budget spent'], x.incidents.map((i) => [mdText(i.began), mdText(i.ended), i.duration, mdText(i.alerts), i.paged ? 'yes' : 'no', i.share])), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
