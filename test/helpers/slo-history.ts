/**
 * Recorded SLO series as the generated rules would have written them, for a real Prometheus
 * to hold (promtool tsdb create-blocks-from openmetrics): an SLI's error ratio is given as
 * steps in time, and every recorded series (windowed ratios, burn rates, budget remaining,
 * event rates) is worked out from it exactly, so charts and numbers agree with each other.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ErrorRatioStep {
  /** Unix seconds from which this ratio holds (until the next step). */
  readonly from: number;
  readonly ratio: number;
}

export interface SliHistory {
  readonly service: string;
  readonly sli: string;
  readonly labels: Readonly<Record<string, string>>;
  /** 1 − objective. */
  readonly errorBudget: number;
  readonly eventsPerSecond: number;
  /** Sorted by `from`; the first step also holds before its `from`. */
  readonly steps: readonly ErrorRatioStep[];
  /** Period of the SLO in seconds (30d). */
  readonly period: number;
  readonly burnWindows: readonly { readonly text: string; readonly seconds: number }[];
  /** Report objectives' error budgets by name: their budget left is recorded over the period too. */
  readonly reportBudgets?: Readonly<Record<string, number>>;
}

/** Average error ratio over [a, b]. */
export function averageRatio(steps: readonly ErrorRatioStep[], a: number, b: number): number {
  let sum = 0;
  for (let i = 0; i < steps.length; i++) {
    const from = i === 0 ? -Infinity : steps[i]!.from;
    const to = i + 1 < steps.length ? steps[i + 1]!.from : Infinity;
    const overlap = Math.min(b, to) - Math.max(a, from);
    if (overlap > 0) sum += overlap * steps[i]!.ratio;
  }
  return sum / (b - a);
}

const labelText = (labels: Readonly<Record<string, string>>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',')}}`;

/**
 * Sample times from `span` ago to a little into the future (so instant queries find a sample
 * however long the test takes): every minute over the last day, every 4 minutes before, which
 * stays inside Prometheus' 5-minute lookback as a rule evaluated every minute would.
 */
export function sampleTimes(now: number, span: number, ahead = 20 * 60): number[] {
  const times: number[] = [];
  const dayAgo = now - Math.min(span, 86_400);
  for (let t = now - span; t < dayAgo; t += 240) times.push(t);
  for (let t = dayAgo; t <= now + ahead; t += 60) times.push(t);
  return times;
}

export class OpenMetrics {
  private readonly families = new Map<string, string[]>();

  series(name: string, labels: Readonly<Record<string, string>>, points: readonly (readonly [number, number])[]): this {
    const lines = this.families.get(name) ?? [];
    const l = labelText(labels);
    for (const [t, v] of points) lines.push(`${name}${l} ${Number.isFinite(v) ? v.toPrecision(10) : v} ${t}`);
    this.families.set(name, lines);
    return this;
  }

  /** A constant value at every time given. */
  constant(name: string, labels: Readonly<Record<string, string>>, value: number, times: readonly number[]): this {
    return this.series(
      name,
      labels,
      times.map((t) => [t, value] as const),
    );
  }

  /** The SLI's recorded series: the budget over `periodTimes` (its chart spans the period), the rest over `times`. */
  sli(h: SliHistory, times: readonly number[], periodTimes = times): this {
    const id = { service: h.service, sli: h.sli, ...h.labels };
    const at = (f: (t: number) => number, ts = times) => ts.map((t) => [t, f(t)] as const);
    const ratio = (w: number) => (t: number) => averageRatio(h.steps, t - w, t);
    this.series('sli:events_total:rate5m', id, at(() => h.eventsPerSecond));
    this.series('sli:events_bad:rate5m', id, at((t) => h.eventsPerSecond * ratio(300)(t)));
    this.series('sli:error:ratio_rate5m', id, at(ratio(300)));
    this.series('sli:error:ratio_rate30d', id, at(ratio(h.period)));
    for (const w of h.burnWindows) this.series(`slo:burn_rate:rate${w.text}`, id, at((t) => ratio(w.seconds)(t) / h.errorBudget));
    this.series('slo:error_budget_remaining:ratio', id, at((t) => 1 - ratio(h.period)(t) / h.errorBudget, periodTimes));
    for (const [name, budget] of Object.entries(h.reportBudgets ?? {})) {
      this.series('slo:report_error_budget_remaining:ratio', { ...id, objective_name: name }, at((t) => 1 - ratio(h.period)(t) / budget, periodTimes));
    }
    return this;
  }

  text(): string {
    return `${[...this.families].map(([name, lines]) => `# TYPE ${name} gauge\n${lines.join('\n')}`).join('\n')}\n# EOF\n`;
  }

  /** Writes the blocks of a TSDB under dir/data and returns that path. */
  backfill(dir: string): string {
    const tsdb = join(dir, 'data');
    mkdirSync(tsdb, { recursive: true });
    writeFileSync(join(dir, 'data.om'), this.text());
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=768h', join(dir, 'data.om'), tsdb], { encoding: 'utf8' });
    if (r.error) throw new Error(`promtool is missing (${r.error.message}): install Debian's prometheus package (apt-get install prometheus)`);
    if (r.status !== 0) throw new Error(`backfill failed: ${r.stdout}${r.stderr}`);
    return tsdb;
  }
}
