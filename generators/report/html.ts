/**
 * The report as one HTML file that opens without a server: the stylesheet inlined, the charts
 * inline SVG drawn from numbers only, every catalog string escaped by Handlebars, and a policy
 * that lets the page load nothing at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { UI_DIR } from '../paths.js';
import type { Report, SloReport } from './build.js';
import { reportView, sloName } from './view.js';

const W = 220;
const H = 56;

/** Budget spent so far across the period (solid), against spending it evenly (dashed) and all of it (red). */
export function burnChart(r: SloReport, report: Report): string {
  if (r.budgetSpent === null) return '–';
  const { start, end } = report.period;
  const top = Math.max(1, ...r.burn.map(([, v]) => v));
  const x = (t: number) => (((t - start) / (end - start)) * W).toFixed(1);
  const y = (v: number) => (H - (Math.max(0, v) / top) * H).toFixed(1);
  const points = r.burn.map(([t, v]) => `${x(t)},${y(v)}`).join(' ');
  const spent = r.budgetSpent === null ? 'no data' : `${(r.budgetSpent * 100).toFixed(1)}% of the budget spent`;
  return (
    `<svg class="burn" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Budget burn: ${spent}">` +
    `<line x1="0" y1="${y(1)}" x2="${W}" y2="${y(1)}" stroke="#c62828" stroke-width="1"/>` +
    `<line x1="0" y1="${H}" x2="${W}" y2="${y(1)}" stroke="#8a8f99" stroke-width="1" stroke-dasharray="3 3"/>` +
    (points ? `<polyline points="${points}" fill="none" stroke="#1f5fbf" stroke-width="1.6"/>` : '') +
    `</svg>`
  );
}

let template: Handlebars.TemplateDelegate | undefined;

function compiled(): Handlebars.TemplateDelegate {
  if (!template) {
    const hb = Handlebars.create();
    hb.registerPartial(
      'rollups',
      '<table><thead><tr><th>{{what}}</th><th>SLOs</th><th>Met</th><th>Missed</th><th>No data</th><th>Median budget spent</th><th>Most budget spent</th></tr></thead><tbody>{{#each rows}}<tr><th scope="row">{{name}}</th><td class="num">{{slos}}</td><td class="num">{{met}}</td><td class="num">{{missed}}</td><td class="num">{{noData}}</td><td class="num">{{median}}</td><td>{{worst}}</td></tr>{{/each}}</tbody></table>',
    );
    template = hb.compile(readFileSync(join(UI_DIR, 'templates', 'report.html.hbs'), 'utf8'), { strict: false });
  }
  return template;
}

export function reportHtml(report: Report): string {
  const v = reportView(report);
  const slos = v.slos.map((s) => ({ ...s, name: sloName(s.report), chart: burnChart(s.report, report) }));
  return compiled()({ ...v, css: readFileSync(join(UI_DIR, 'assets', 'report.css'), 'utf8'), slos, incidentSlos: slos.filter((s) => s.incidents.length) });
}
