/**
 * Draws the detail page's charts with uPlot (loaded by the page as a global) from the JSON the
 * server embedded: each series as a line, each threshold as a dashed line in its series' colour,
 * and draws them again when the page's numbers refresh.
 */
import { refreshEvery } from './refresh.js';

interface ChartData {
  readonly timestamps: number[];
  readonly series: { readonly name: string; readonly values: (number | null)[] }[];
  readonly thresholds: { readonly name: string; readonly value: number; readonly series?: string }[];
}

const PALETTE = ['#1f5fbf', '#c43c00', '#1c6b2a', '#7a3db8', '#8a6100', '#0b7b8b', '#b8336a'];

const FORMATS: Record<string, (v: number) => string> = {
  percent: (v) => `${+(v * 100).toPrecision(3)}%`,
  burn: (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`,
  rate: (v) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3)),
};

function draw(el: HTMLElement, chart: ChartData): uPlot {
  const format = FORMATS[el.dataset.unit ?? ''] ?? String;
  const show = (_: uPlot, v: number | null) => (v === null || v === undefined ? '–' : format(v));
  const series: uPlot.Series[] = [{}];
  const data: (number | null)[][] = [chart.timestamps];
  chart.series.forEach((s, i) => {
    series.push({ label: s.name, stroke: PALETTE[i % PALETTE.length], width: 2, value: show, spanGaps: false });
    data.push(s.values);
  });
  for (const t of chart.thresholds) {
    const i = chart.series.findIndex((s) => s.name === t.series);
    series.push({ label: t.name, stroke: i >= 0 ? PALETTE[i % PALETTE.length] : '#8f1010', width: 1.5, dash: [6, 4], value: show, points: { show: false } });
    data.push(chart.timestamps.map(() => t.value));
  }
  const opts: uPlot.Options = {
    width: Math.max(320, el.clientWidth),
    height: 240,
    series,
    axes: [{}, { values: (_u, ticks) => ticks.map(format), size: 60 }],
    scales: { x: { time: true } },
    legend: { live: true },
  };
  return new uPlot(opts, data as uPlot.AlignedData, el);
}

const REFRESH_MS = 60_000;
const drawn: { el: HTMLElement; plot: uPlot }[] = [];

function drawAll(source: Element | null): void {
  for (const { plot } of drawn.splice(0)) plot.destroy();
  if (!source?.textContent) return;
  const charts = JSON.parse(source.textContent) as Record<string, ChartData>;
  for (const el of document.querySelectorAll<HTMLElement>('[data-chart]')) {
    const chart = charts[el.dataset.chart ?? ''];
    if (!chart) continue;
    drawn.push({ el, plot: draw(el, chart) });
    // Tests and people both read this: how many lines the chart holds.
    el.dataset.drawn = String(chart.series.length + chart.thresholds.length);
  }
}

drawAll(document.getElementById('chart-data'));
addEventListener('resize', () => {
  for (const { el, plot } of drawn) plot.setSize({ width: Math.max(320, el.clientWidth), height: 240 });
});
// The history is swapped whole (charts, or the note that there is none) and drawn again.
refreshEvery(REFRESH_MS, ['#state', '#likely-cause', '#now', '#history', '#alert-table', '#service-alerts', '#dependency-table'], () => drawAll(document.getElementById('chart-data')));
