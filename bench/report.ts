/** bench/RESULTS.md from the measured results: method, tables, and whether each goal is met. */
import type { ReportBenchRow } from './slo-report.bench.js';
import type { BenchRow } from './dashboards.bench.js';
import type { AlertTiming } from './detection.bench.js';
import type { CliRun } from './generation.bench.js';
import type { TestRun } from './test-pack.bench.js';
import type { RuleCostResult } from './rule-cost/rule-cost.bench.js';
import { SHAPE_STORIES } from './rule-cost/synthetic-traffic.js';

export interface Results {
  date: string;
  /** When each section (run.ts's names) was last measured. */
  sectionDates?: Record<string, string>;
  machine: { cpus: number; model: string; memoryGiB: number; node: string; prometheus: string; promtool: string };
  ruleCost?: RuleCostResult[];
  /** Accuracy on the step and burst shapes, at the middle scale. */
  accuracyShapes?: RuleCostResult[];
  detection?: AlertTiming[];
  generation?: { runs: CliRun[]; stages: { services?: number; seconds?: Record<string, number> } };
  test?: TestRun[];
  sdk?: BenchRow[];
  dashboards?: BenchRow[];
  serve?: BenchRow[];
  report?: ReportBenchRow[];
}

const LONG_WINDOWS = new Set(['1h', '6h', '1d', '3d', '30d']);

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number) => `${n >= 100 ? int(n) : n.toFixed(n >= 10 ? 1 : 2)}×`;
const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(n < 0.001 ? 3 : 2)}%`);
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const mib = (bytes: number) => int(bytes / 2 ** 20);

function duration(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 600) return `${int(seconds)} s`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(seconds < 36_000 ? 2 : 1)} h`;
  return `${(seconds / 86_400).toFixed(2)} d`;
}

function ruleCostSection(runs: RuleCostResult[], shapes: readonly RuleCostResult[]): string {
  const out = ['## 1. Rule evaluation cost', ''];
  out.push(
    'Synthetic data: one HTTP service, 60 s scrapes, 4 days, a daily traffic cycle (±60%), an error ratio that peaks when traffic is lowest, and a 2-hour incident at 2% errors 10 hours before the end; the series are instances × 4 routes × 5 status codes of `http_request_duration_seconds_count` (Sloth\'s getting-started SLO: 99.9% of requests not 5xx or 429). Written with `promtool tsdb create-blocks-from openmetrics`, loaded into a real Prometheus, and each rule set\'s recording rules backfilled with `promtool tsdb create-blocks-from rules` level by level, each as far back as the rules reading it need. Every rule expression is then queried at the end of the data with `stats=all`; its `totalQueryableSamples` times the runs per hour of its group is its cost (Sloth\'s groups have no interval: 1m, Prometheus\'s default). Prometheus 2.x under-counts subqueries wrapped in a function (prometheus/prometheus#16638), so each subquery is also queried bare and added: this over-counts slokit slightly, never under-counts it. The floor is reading every raw series once per minute over the 5m window.',
    '',
  );
  out.push(
    table(
      ['raw series', 'floor / h', 'slokit / h', 'slokit ÷ floor', 'Sloth / h', 'Sloth ÷ slokit', 'naive / h', 'naive ÷ slokit'],
      runs.map((r) => {
        const by = (name: string) => r.sets.find((s) => s.name === name)?.samplesPerHour;
        const slokit = by('slokit')!;
        const sloth = by('sloth');
        const naive = by('naive')!;
        return [int(r.rawSeries), int(r.floorPerHour), int(slokit), ratio(slokit / r.floorPerHour), sloth === undefined ? 'skipped' : int(sloth), sloth === undefined ? '–' : ratio(sloth / slokit), int(naive), ratio(naive / slokit)];
      }),
    ),
  );
  const slothRatios = runs.flatMap((r) => {
    const sloth = r.sets.find((s) => s.name === 'sloth');
    return sloth ? [sloth.samplesPerHour / r.sets.find((s) => s.name === 'slokit')!.samplesPerHour] : [];
  });
  if (runs.some((r) => r.slothSkipped)) out.push('', `Sloth row skipped: ${runs.find((r) => r.slothSkipped)!.slothSkipped}.`);
  if (slothRatios.length) out.push('', `Goal, at least 100× fewer samples per hour than Sloth: ${met(Math.min(...slothRatios) >= 100)} (${slothRatios.map(ratio).join(', ')}).`);

  const middle = runs[Math.floor((runs.length - 1) / 2)]!;
  const names = middle.sets.map((s) => s.name);
  out.push('', `### Accuracy at ${int(middle.rawSeries)} raw series`, '');
  out.push(
    'Each recorded ratio at the end of the data against the exact ratio of the counters over the window ending at that sample\'s own timestamp (groups run at an offset inside their interval). The data is timed so the end falls where the error ratio changes fastest, the hardest moment for a window that lags.',
    '',
  );
  out.push(
    table(
      ['window', 'long window of a pair', ...names.map((n) => `${n} error`)],
      middle.accuracy.map((a) => [a.window, LONG_WINDOWS.has(a.window) ? 'yes' : '', ...names.map((n) => pct(a.sets[n]?.relativeError ?? null))]),
    ),
  );
  const longErrors = runs.flatMap((r) => r.accuracy.filter((a) => LONG_WINDOWS.has(a.window)).map((a) => a.sets.slokit?.relativeError ?? 1));
  out.push('', `Goal, every long-window ratio within 1% of exact (all scales): ${met(Math.max(...longErrors) <= 0.01)} (worst ${pct(Math.max(...longErrors))}).`);
  const shortErrors = runs.flatMap((r) => r.accuracy.filter((a) => a.window !== '5m' && !LONG_WINDOWS.has(a.window)).map((a) => ({ series: r.rawSeries, w: a.window, e: a.sets.slokit?.relativeError ?? 1 })));
  const worst = shortErrors.sort((a, b) => b.e - a.e)[0];
  if (worst) out.push(`Short windows of a pair (30m, 2h): worst ${pct(worst.e)} (${worst.w} at ${int(worst.series)} raw series). The 5m window is equally noisy in every rule set: they all read the same raw samples.`);
  if (shapes.length) out.push('', shapeAccuracy(middle, shapes));
  const largest = runs[runs.length - 1]!;
  const top = [...largest.sets.find((s) => s.name === 'slokit')!.rules].sort((a, b) => b.perHour - a.perHour).slice(0, 5);
  out.push('', `Most expensive slokit rules at ${int(largest.rawSeries)} raw series:`, '');
  out.push(table(['rule', 'group', 'samples per evaluation', 'per hour'], top.map((r) => [`\`${r.name}\``, `\`${r.group}\``, int(r.perEvaluation), int(r.perHour)])));
  return out.join('\n');
}

/** The same windows on the step and burst shapes, next to the smooth one. */
function shapeAccuracy(smooth: RuleCostResult, shapes: readonly RuleCostResult[]): string {
  const all = [smooth, ...shapes.filter((s) => s.rawSeries === smooth.rawSeries)];
  const names = smooth.sets.map((s) => s.name);
  const out = [`### Accuracy on step and burst shapes, ${int(smooth.rawSeries)} raw series`, ''];
  out.push(
    `The same data and measure, ${all.map((r) => `**${r.shape}**: ${SHAPE_STORIES[r.shape]}`).join('; ')}. ` +
      'A slokit window is built from 5m rates, so its edges are soft over the raw window, and a tiled one (3d: tiles of 25m, 30d: of 55m) ends at its newest tile: against one exact window it reads a short incident as if the window were up to 5 minutes shorter, and misses what happened since its newest tile. "Within" columns give how far it is outside every exact window it stands for (up to the raw window plus a tile shorter, a tile longer, ending up to the raw window plus a tile earlier; 0 inside), which is what the property tests hold to 2%.',
    '',
  );
  const at = (r: RuleCostResult, w: string) => r.accuracy.find((x) => x.window === w);
  out.push(
    table(
      ['window', ...all.map((r) => `slokit, ${r.shape}`), ...all.map((r) => `slokit within, ${r.shape}`), ...names.filter((n) => n !== 'slokit').flatMap((n) => all.map((r) => `${n}, ${r.shape}`))],
      smooth.accuracy.map((a) => [
        a.window,
        ...all.map((r) => pct(at(r, a.window)?.sets.slokit?.relativeError ?? null)),
        ...all.map((r) => pct(at(r, a.window)?.slokitOutsideEnvelope ?? null)),
        ...names.filter((n) => n !== 'slokit').flatMap((n) => all.map((r) => pct(at(r, a.window)?.sets[n]?.relativeError ?? null))),
      ]),
    ),
  );
  const longErrors = all.flatMap((r) => r.accuracy.filter((a) => LONG_WINDOWS.has(a.window)).map((a) => ({ shape: r.shape, w: a.window, e: a.sets.slokit?.relativeError ?? 1, within: a.slokitOutsideEnvelope ?? 1 })));
  const worst = [...longErrors].sort((a, b) => b.e - a.e)[0]!;
  const worstWithin = [...longErrors].sort((a, b) => b.within - a.within)[0]!;
  out.push(
    '',
    `Goal, every long-window ratio within 1% of the one exact window on every shape: ${met(worst.e <= 0.01)} (worst ${pct(worst.e)}, ${worst.w} on ${worst.shape}).`,
    `Every long-window ratio within 1% of the exact windows it stands for, on every shape: ${met(worstWithin.within <= 0.01)} (worst ${pct(worstWithin.within)}, ${worstWithin.w} on ${worstWithin.shape}).`,
  );
  return out.join('\n');
}

function detectionSection(rows: AlertTiming[]): string {
  const out = ['## 2. Detection and reset time', ''];
  out.push(
    'A 99.9% SLO at a steady 100 requests per second, 3 days healthy, then the problem (full outage for 30 minutes; 10× burn for 12 hours; 2× and 1× burn for 2 days; a burst: one minute of 70 times the traffic whose failures make the exact 1h window burn 8.8×; a 5-minute outage 17.5 minutes off the hour), then healthy again. slokit\'s generated recording rules are backfilled over the 6 days on a real Prometheus, and each alert expression is evaluated across the timeline at its group\'s interval with `query_range`; the naive rule set (every window from raw series, same pairs and thresholds) runs on the same data. Theory: factor × (1 − objective) × long window ÷ error ratio.',
    '',
  );
  out.push(
    table(
      ['scenario', 'alert', 'severity', 'long / short', 'theory', 'slokit fires after', 'naive fires after', 'slokit resolves after', 'naive resolves after'],
      rows.map((r) => [r.scenario, r.alert, r.severity, `${r.long} / ${r.short}`, duration(r.theoreticalSeconds), duration(r.slokit.firedAfter), duration(r.naive.firedAfter), r.slokit.firedAfter === null ? '–' : duration(r.slokit.resolvedAfter), r.naive.firedAfter === null ? '–' : duration(r.naive.resolvedAfter)]),
    ),
  );
  const outagePages = rows.filter((r) => r.scenario === 'outage' && r.severity === 'critical' && r.slokit.firedAfter !== null);
  const fastest = Math.min(...outagePages.map((r) => r.slokit.firedAfter!));
  const oneX = rows.filter((r) => r.scenario === 'burn-1x' && r.severity === 'critical' && r.slokit.firedAfter !== null);
  const falseAlarms = rows.filter((r) => r.slokit.firedBeforeProblem);
  const burstPages = rows.filter((r) => r.scenario === 'burst' && r.theoreticalSeconds === null && r.slokit.firedAfter !== null);
  const pages = rows.filter((r) => r.severity === 'critical' && r.slokit.firedAfter !== null);
  const slowResets = pages.filter((r) => r.slokit.resolvedAfter! > seconds(r.short));
  out.push(
    '',
    `- Fastest page on a full outage within 2 minutes: ${met(fastest <= 120)} (${duration(fastest)}; naive ${duration(Math.min(...outagePages.map((r) => r.naive.firedAfter ?? Infinity)))}).`,
    `- No page for a 1× burn: ${met(oneX.length === 0)}${oneX.length ? ` (${oneX.map((r) => r.alert).join(', ')})` : ''}.`,
    `- No alert for a burst whose exact long windows burn below the factor: ${met(burstPages.length === 0)}${burstPages.length ? ` (${burstPages.map((r) => r.alert).join(', ')})` : ''}.`,
    `- Every page resolves within its short window after recovery: ${met(slowResets.length === 0)}${slowResets.length ? ` (${slowResets.map((r) => `${r.scenario} ${r.alert}: ${duration(r.slokit.resolvedAfter)} for a ${r.short} window`).join('; ')})` : ''}.`,
    `- No alert fired during the healthy warm-up: ${met(falseAlarms.length === 0)}.`,
  );
  return out.join('\n');
}

function seconds(window: string): number {
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[window.slice(-1)] ?? 1;
  return Number(window.slice(0, -1)) * unit;
}

function generationSection(g: NonNullable<Results['generation']>): string {
  const out = ['## 3. Generation at scale', ''];
  out.push('Synthetic catalogs with 5 SLIs per service (error-ratio, latency, http, apdex and job kinds in turn), generated by the real CLI in a child process: wall time and peak resident memory (`process.resourceUsage().maxRSS`, reported at exit).', '');
  const configs = [...new Map(g.runs.map((r) => [`${r.outputs ?? ''} ${r.services}`, { services: r.services, outputs: r.outputs }])).values()];
  const run = (n: number, c: CliRun['command'], outputs?: string) => g.runs.find((r) => r.services === n && r.command === c && r.outputs === outputs)!;
  const sizes = configs.filter((x) => !x.outputs).map((x) => x.services);
  out.push(
    'The bundled defaults write every deployment form (`outputs: [grafana, kubernetes, mixin, mimir, thanos]`); the rows marked with one form are the same catalogs with `outputs` set to it.',
    '',
    table(
      ['services', 'SLIs', 'forms', 'validate', 'validate peak', 'generate', 'generate peak', 'output', 'again, one service changed', 'its peak'],
      configs.map(({ services: n, outputs: o }) => [
        int(n),
        int(n * 5),
        o ? `\`${o}\`` : 'all 5',
        `${run(n, 'validate', o).seconds.toFixed(1)} s`,
        `${mib(run(n, 'validate', o).peakBytes)} MiB`,
        `${run(n, 'generate', o).seconds.toFixed(1)} s`,
        `${mib(run(n, 'generate', o).peakBytes)} MiB`,
        `${mib(run(n, 'generate', o).outputBytes ?? 0)} MiB`,
        run(n, 'regenerate', o) ? `${run(n, 'regenerate', o).seconds.toFixed(1)} s` : '',
        run(n, 'regenerate', o) ? `${mib(run(n, 'regenerate', o).peakBytes)} MiB` : '',
      ]),
    ),
  );
  if (sizes.includes(1000) && sizes.includes(5000)) {
    const a = run(1000, 'generate');
    const b = run(5000, 'generate');
    out.push(
      '',
      `- Linear growth, 5,000 services in at most 5.5× the time of 1,000: ${met(b.seconds / a.seconds <= 5.5)} (${(b.seconds / a.seconds).toFixed(2)}×).`,
      `- 5,000 services in under 60 s: ${met(b.seconds < 60)} (${b.seconds.toFixed(1)} s).`,
      `- 5,000 services in under 2 GiB: ${met(b.peakBytes < 2 * 2 ** 30)} (${mib(b.peakBytes)} MiB).`,
      `- The 5,000-service pack under 400 MB: ${met((b.outputBytes ?? 0) < 400e6)} (${mib(b.outputBytes ?? 0)} MiB).`,
      ...(run(5000, 'regenerate') ? [`- 5,000 services again after one changed, in under 5 s: ${met(run(5000, 'regenerate').seconds < 5)} (${run(5000, 'regenerate').seconds.toFixed(1)} s; ${(b.seconds / run(5000, 'regenerate').seconds).toFixed(1)}× faster than cold).`] : []),
    );
    const one = configs.find((x) => x.outputs && x.services === 5000);
    if (one) {
      const c = run(5000, 'generate', one.outputs);
      const again = run(5000, 'regenerate', one.outputs);
      out.push(
        `- With one form (\`outputs: ${one.outputs}\`), 5,000 services: pack ${met((c.outputBytes ?? 0) < 400e6)} under 400 MB (${mib(c.outputBytes ?? 0)} MiB, ${((b.outputBytes ?? 0) / (c.outputBytes ?? 1)).toFixed(1)}× smaller than every form); generate ${c.seconds.toFixed(1)} s (${(b.seconds / c.seconds).toFixed(2)}× faster); again after one changed ${again.seconds.toFixed(1)} s.`,
      );
    }
  }
  const biggest = g.runs.filter((r) => r.command === 'generate' && r.outputParts).sort((x, y) => y.services - x.services || (x.outputs ? 1 : -1))[0];
  if (biggest?.outputParts) {
    const slis = biggest.services * 5;
    out.push(
      '',
      `What the ${int(biggest.services)}-service pack (${biggest.outputs ? `\`${biggest.outputs}\`` : 'every form'}) holds, part by part (a file hard-linked into two parts, such as a dashboard in grafana/ and mixin/, counts in the first), and per SLI:`,
      '',
      table(
        ['part', 'MiB', 'KB per SLI'],
        Object.entries(biggest.outputParts).map(([part, bytes]) => [`\`${part}/\``, mib(bytes), (bytes / slis / 1000).toFixed(1)]),
      ),
    );
  }
  if (g.stages.seconds) {
    const stages = Object.entries(g.stages.seconds).sort((x, y) => y[1] - x[1]);
    out.push('', `Stages at ${int(g.stages.services!)} services, in one process, without writing:`, '');
    out.push(table(['stage', 'seconds'], stages.map(([name, s]) => [name, s.toFixed(2)])));
  }
  return out.join('\n');
}

function testSection(runs: readonly TestRun[]): string {
  const out = ['## 3b. slokit test at catalog speed', ''];
  out.push(
    'The real CLI in a child process, promtool on every core: each rule shape\'s full scenario suite, each window suite\'s derived-window test (shared by the shapes whose window rules are the same), each SLI\'s own tests on its slice after the shape check (8 to a promtool process), and the saturation tests; the groups of a shape\'s, window suite\'s, own-test or saturation file that read the same rules run together against just those rules, and a shape\'s scenarios of one length (the constant burn levels; traffic at the objective and the sustained burn) run as lanes of one group. Then `--changed` with nothing changed, and after one service changed (and the pack was generated again); last, the changed catalog generated into a new directory (a fresh CI checkout) and tested with `--cache` holding what the cold run passed.',
    '',
  );
  out.push(
    table(
      ['catalog', 'services', 'SLIs', 'rule shapes', 'generate', 'test files', 'cold', 'unchanged', 'one service changed', 'fresh checkout, cache kept'],
      runs.map((r) => [
        r.catalog,
        int(r.services),
        int(r.slis),
        int(r.shapes),
        r.generateSeconds === undefined ? '' : `${r.generateSeconds.toFixed(1)} s`,
        int(r.files),
        `${r.coldSeconds.toFixed(1)} s`,
        `${r.unchangedSeconds.toFixed(1)} s`,
        `${r.oneChangedSeconds.toFixed(1)} s (${r.oneChangedFiles} files)`,
        r.freshCheckoutSeconds === undefined || r.freshCheckoutCached === undefined ? '' : `${r.freshCheckoutSeconds.toFixed(1)} s (${int(r.files - r.freshCheckoutCached)} files run)`,
      ]),
    ),
  );
  const bundled = runs.find((r) => r.catalog === 'bundled');
  const big = runs.find((r) => r.services >= 1000);
  out.push('');
  if (bundled) out.push(`- The bundled catalog in under 60 s on ${bundled.jobs} cores: ${met(bundled.coldSeconds < 60)} (${bundled.coldSeconds.toFixed(1)} s).`);
  if (bundled?.wholeFilesSeconds && bundled.partsSeconds) {
    out.push(
      `- Each test group against only the rules it reads, against every file whole (the bundled pack in process, same run): ${bundled.partsSeconds.toFixed(1)} s against ${bundled.wholeFilesSeconds.toFixed(1)} s, ${(bundled.wholeFilesSeconds / bundled.partsSeconds).toFixed(2)}× faster.`,
    );
  }
  if (big) out.push(`- ${int(big.services)} services × 5 SLIs in under 10 minutes: ${met(big.coldSeconds < 600)} (${(big.coldSeconds / 60).toFixed(1)} min).`);
  return out.join('\n');
}

function rowsSection(title: string, rows: BenchRow[]): string {
  return [`## ${title}`, '', table(['measure', 'value', 'note'], rows.map((r) => [r.name, `${r.value} ${r.unit}`, r.note]))].join('\n');
}

function reportSection(rows: readonly ReportBenchRow[]): string {
  const spacing = rows[0]!.spacing;
  return [
    '## Error budget report',
    `\`slokit report --month 2026-11 --format json\` (the real CLI in a child process) against a real Prometheus holding October and November 2026 of recorded SLO series, backfilled a sample every ${spacing / 60} minutes (the rules record every minute: Prometheus reads ${spacing / 60} times fewer samples per query than in production; slokit's own work is the same); every tenth SLO has a two-hour incident paged a sample a minute. Peak memory is the CLI's (\`process.resourceUsage().maxRSS\`).`,
    table(
      ['catalog', 'SLOs', 'journeys', 'samples', 'incidents', 'time', 'Prometheus queries', 'peak memory'],
      rows.map((x) => [x.catalog, int(x.slos), int(x.journeys ?? 0), int(x.samples), int(x.incidents), `${x.seconds.toFixed(2)} s`, int(x.queries), `${mib(x.peakBytes)} MiB`]),
    ),
    `- Queries: ${rows.map((x) => `${int(x.queries)} for ${int(x.slos)} SLOs`).join(', ')}: a fixed handful for the whole catalog, plus one per incident (its bad events). Journeys cost no query of their own: each is worked out from its components' sums.`,
  ].join('\n\n');
}

export function renderResults(r: Results): string {
  const m = r.machine;
  const parts = [
    '# slokit benchmark results',
    `Last measured ${r.date} on ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node.js ${m.node}, ${m.prometheus}, ${m.promtool}. Regenerate with \`npm run bench\` (or one section: \`node dist/bench/run.js rule-cost|detection|generation|test|sdk|dashboards|serve|report\`). Ratios compare figures measured in the same run; a section run alone says when it was measured.`,
  ];
  const measured = (section: string, text: string) => {
    const date = r.sectionDates?.[section];
    return date && date !== r.date ? text.replace(/^(## .*)\n/, `$1\n\nMeasured ${date}.\n`) : text;
  };
  if (r.ruleCost?.length) parts.push(measured('rule-cost', ruleCostSection(r.ruleCost, r.accuracyShapes ?? [])));
  if (r.detection?.length) parts.push(measured('detection', detectionSection(r.detection)));
  if (r.generation?.runs.length) parts.push(measured('generation', generationSection(r.generation)));
  if (r.test?.length) parts.push(measured('test', testSection(r.test)));
  if (r.sdk?.length) parts.push(measured('sdk', rowsSection('4. SDK overhead', r.sdk)));
  if (r.dashboards?.length) parts.push(measured('dashboards', rowsSection('Dashboard evaluation', r.dashboards)));
  if (r.serve?.length) parts.push(measured('serve', rowsSection('Web UI: the SLO list of `slokit serve`', r.serve)));
  if (r.report?.length) parts.push(measured('report', reportSection(r.report)));
  return `${parts.join('\n\n')}\n`;
}
