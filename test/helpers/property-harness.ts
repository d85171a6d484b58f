/**
 * The differential property harness: the real generated rules of one SLI (registry/requests,
 * 99.9%, the default policy), evaluated by the real promtool on seeded random traffic
 * timelines, checked against the exact oracle of oracle.ts. Every timeline is its own
 * cluster, so one promtool run evaluates a whole batch with the same rules at once.
 *
 * Properties, for the alert rows and recorded windows a test names:
 * - no alert unless an exact long window and an exact short window are within 5% of the
 *   threshold (the exact windows a recorded window can stand for: see windowEnvelope);
 * - an alert within its detection time once both exact windows have been 10% above it;
 * - every alert resolved within its short window (plus the raw window's soft edge) of the last bad event;
 * - every recorded ratio within 2% of the exact windows it stands for, once they hold min_events;
 * - budget remaining within 1 percentage point of the exact one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePackYaml } from '../../generators/pack-yaml.js';
import { generatePack } from '../../generators/emit/pack.js';
import { planWindows } from '../../generators/emit/window-plan.js';
import { toYaml } from '../../generators/emit/yaml-text.js';
import { alertNames } from '../../generators/naming.js';
import { loadModel } from '../../generators/pipeline.js';
import { metricNamesRead } from '../../generators/promql/parse.js';
import { rulesRead } from '../../generators/emit/promtool-tests/rules-read.js';
import { BUNDLED_CATALOG, scratchDir } from './catalog.js';
import { windowEnvelope, windowEvents, type Observed, type Row } from './oracle.js';
import { countersOf, disturbances, promtoolValues, type Timeline } from './timelines.js';

const { model } = loadModel(BUNDLED_CATALOG);
const service = model!.services.find((s) => s.name === 'registry')!;
export const sli = service.slis.find((s) => s.name === 'requests')!;
const pack = await generatePack(model!);

interface RuleDoc {
  groups: { name: string; rules: { record?: string; alert?: string; labels?: Record<string, string>; expr: string }[] }[];
}

/**
 * The bundled registry rule file cut down to this SLI's rules, groups and their order kept:
 * promtool evaluates every rule at every step, and the other SLI's would only slow it down.
 */
export function sliRules(text: string): string {
  const doc = parsePackYaml(text) as RuleDoc;
  for (const g of doc.groups) g.rules = g.rules.filter((r) => r.labels?.service === 'registry' && r.labels?.sli === 'requests');
  doc.groups = doc.groups.filter((g) => g.rules.length);
  return toYaml(doc);
}

export const ruleText = sliRules(pack.files.get('prometheus/rules/registry.yml')!);

/**
 * The rules a harness reads (its alerts and recorded windows) and every rule those read (see
 * rules-read.ts): the page harness runs in a third of the time without the 1d, 3d and 30d
 * windows it does not check (ticket-properties.test.ts checks them).
 */
function readBy(text: string, h: Harness): string {
  const doc = parsePackYaml(text) as RuleDoc;
  return toYaml({ groups: rulesRead(doc.groups, [...h.rows.map((r) => r.alert), ...h.windows.flatMap((w) => metricNamesRead(w.expr))]) });
}

export const RAW = sli.evaluation.rawWindow.seconds / 60;
const minutes = (seconds: number) => seconds / 60;
const plan = planWindows(sli);
/** How far a tiled window's newest tile may end before now: its subquery step. */
export const lagOf = (windowMinutes: number) => minutes(plan.find((p) => p.window.seconds === windowMinutes * 60)?.tile?.step.seconds ?? 0);

/** The SLI's burn alerts of one severity, as the oracle decides them. */
export function rowsOf(severity: 'critical' | 'warning'): Row[] {
  return sli.alerts
    .filter((a) => a.severity === severity)
    .map((a) => {
      const shortIsRaw = a.short.seconds === sli.evaluation.rawWindow.seconds;
      const slowLong = a.long.seconds > sli.evaluation.fastWindowsUpTo.seconds;
      const slowShort = a.short.seconds > sli.evaluation.fastWindowsUpTo.seconds;
      const slowPace = minutes(sli.evaluation.slowInterval.seconds);
      return {
        alert: alertNames.burn(model!.settings, a),
        long: minutes(a.long.seconds),
        short: minutes(a.short.seconds),
        threshold: a.threshold,
        minEvents: sli.minEvents,
        lag: lagOf(minutes(a.long.seconds)),
        // The raw window's soft edge, the slow group's pace when a window is slow, one evaluation.
        detection: RAW + (slowLong ? slowPace : 0) + 1,
        resolution: minutes(a.short.seconds) + (shortIsRaw ? 0 : RAW) + (slowShort ? slowPace : 0) + 1,
      };
    });
}

/** A recorded series read back and held to the exact windows: a ratio (±2%) or budget remaining (±1 point). */
export interface WindowCheck {
  readonly window: number;
  readonly expr: string;
  /** Minutes between reads. */
  readonly every: number;
  readonly budget?: boolean;
}

export const windowName = (w: number) => (w % 1440 === 0 ? `${w / 1440}d` : w >= 60 ? `${w / 60}h` : `${w}m`);
const sel = `service="registry", sli="requests"`;
export const ratioCheck = (w: number, every: number): WindowCheck => ({
  window: w,
  every,
  expr: `sum by (cluster) (sli:error:ratio_rate${windowName(w)}{${sel}})`,
});
export const budgetCheck = (every: number): WindowCheck => ({
  window: minutes(sli.period.seconds),
  every,
  budget: true,
  expr: `sum by (cluster) (slo:error_budget_remaining:ratio{${sel}})`,
});
const alertQuery = `count by (cluster, alertname) (ALERTS{alertstate="firing", ${sel}})`;

export interface Harness {
  readonly minutes: number;
  readonly rows: readonly Row[];
  readonly windows: readonly WindowCheck[];
  /** Timelines per promtool run; two runs go in parallel on two cores. */
  readonly batch: number;
}

export interface Results {
  /** cluster -> minute -> firing alert names */
  firing: Map<string, Map<number, Set<string>>>;
  /** cluster -> expr -> minute -> value */
  values: Map<string, Map<string, Map<number, number>>>;
}

function testFile(h: Harness, timelines: readonly Timeline[], rules: string): string {
  const input_series = timelines.flatMap((t) =>
    countersOf(t)
      .filter((c) => c.counter.values.some((v) => v !== undefined))
      .map((c) => ({
        series: `registry_http_requests_total{env="production", cluster="t${t.seed}", instance="${c.pod}", code="${c.code}"}`,
        values: promtoolValues(c.counter.values),
      })),
  );
  const exprs: { expr: string; eval_time: string; exp_samples: never[] }[] = [];
  for (let m = 1; m <= h.minutes; m++) {
    exprs.push({ expr: alertQuery, eval_time: `${m}m`, exp_samples: [] });
    for (const w of h.windows) if (m % w.every === 0 && (w.budget || m >= w.window)) exprs.push({ expr: w.expr, eval_time: `${m}m`, exp_samples: [] });
  }
  return toYaml({
    rule_files: ['registry.yml'],
    evaluation_interval: '1m',
    group_eval_order: (parsePackYaml(rules) as RuleDoc).groups.map((g) => g.name),
    tests: [{ interval: '1m', input_series, promql_expr_test: exprs }],
  });
}

/** promtool prints what every failed (here: every non-empty) expression returned; read it back. */
function parseOutput(text: string, results: Results): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^\s*expr: "(.*)", time: ((?:\d+[dhms])+),\s*$/.exec(lines[i]!);
    if (!head) continue;
    const got = lines.slice(i + 1, i + 3).find((l) => /^\s*got: /.test(l));
    if (!got) continue;
    const minute = [...head[2]!.matchAll(/(\d+)([dhms])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * { d: 1440, h: 60, m: 1, s: 1 / 60 }[unit as 'd' | 'h' | 'm' | 's'], 0);
    const expr = head[1]!.replace(/\\"/g, '"');
    for (const s of got.matchAll(/\{([^}]*)\} ([-+0-9.eE]+|NaN|[+-]Inf)/g)) {
      const labels = Object.fromEntries([...s[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
      const cluster = labels.cluster!;
      if (expr === alertQuery) {
        const byMinute = results.firing.get(cluster) ?? new Map<number, Set<string>>();
        results.firing.set(cluster, byMinute);
        const set = byMinute.get(minute) ?? new Set<string>();
        set.add(labels.alertname!);
        byMinute.set(minute, set);
      } else {
        const byExpr = results.values.get(cluster) ?? new Map<string, Map<number, number>>();
        results.values.set(cluster, byExpr);
        const byMinute = byExpr.get(expr) ?? new Map<number, number>();
        byExpr.set(expr, byMinute);
        byMinute.set(minute, Number(s[2]));
      }
    }
  }
}

/** Every timeline through promtool, two runs at a time: each runs its own evaluation from the start. */
export function runBatches(h: Harness, timelines: readonly Timeline[], rules = ruleText): Results {
  return runVariants(h, timelines, [rules])[0]!;
}

/** The same timelines against several rule files (mutants), every promtool run two at a time. */
export function runVariants(h: Harness, timelines: readonly Timeline[], variants: readonly string[]): Results[] {
  const jobs: { dir: string; file: string; variant: number }[] = [];
  variants.forEach((rules, variant) => {
    const dir = scratchDir('slokit-properties-');
    const read = readBy(rules, h);
    writeFileSync(join(dir, 'registry.yml'), read);
    for (let i = 0; i < timelines.length; i += h.batch) {
      const file = `batch-${i / h.batch}.test.yml`;
      writeFileSync(join(dir, file), testFile(h, timelines.slice(i, i + h.batch), read));
      jobs.push({ dir, file, variant });
    }
  });
  const lines: string[] = [];
  for (let i = 0; i < jobs.length; i += 2) {
    lines.push(jobs.slice(i, i + 2).map((j) => `(cd '${j.dir}' && promtool test rules ${j.file} > ${j.file}.out 2>&1) &`).join('\n'), 'wait');
  }
  const r = spawnSync('bash', ['-c', lines.join('\n')], { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool could not run (${r.error.message}); install Debian's prometheus package: apt-get install prometheus`);
  const results = variants.map((): Results => ({ firing: new Map(), values: new Map() }));
  for (const j of jobs) {
    const out = readFileSync(join(j.dir, `${j.file}.out`), 'utf8');
    // Evaluated means: every expression ran, and the only failures are the ones asked for.
    if (!/^\s*(FAILED|SUCCESS)/m.test(out) || /^\s*(could not|error|Error)/m.test(out.split('\n').slice(0, 4).join('\n'))) {
      throw new Error(`promtool did not evaluate ${j.file}; is Debian's prometheus package installed (apt-get install prometheus)? ${out.slice(0, 2000)}`);
    }
    parseOutput(out, results[j.variant]!);
  }
  return results;
}

export interface Violation {
  readonly seed: number;
  readonly what: string;
}

/**
 * Recorded windows where counter creations, resets, ends or missed scrapes carry more than 1%
 * of the window's bad or total events: how many strayed beyond ±2%, and how far. Prometheus
 * extrapolates such a counter's rate over the part of a range it is missing, so no window
 * read from raw rates can be exact there; elsewhere the extrapolation moves a ratio by less
 * than 2% and the window is held to it.
 */
export interface Disturbed {
  /** Windows held to the bound. */
  held: number;
  checked: number;
  outside: number;
  worst: number;
}

export function check(h: Harness, t: Timeline, o: Observed, results: Results, disturbed: Disturbed): Violation[] {
  const out: Violation[] = [];
  const cluster = `t${t.seed}`;
  const firing = results.firing.get(cluster) ?? new Map<number, Set<string>>();
  const fires = (row: Row, m: number) => firing.get(m)?.has(row.alert) ?? false;
  for (const row of h.rows) {
    for (let m = 1; m <= h.minutes; m++) {
      if (fires(row, m)) {
        const long = windowEnvelope(o, m, row.long, RAW, row.lag);
        const short = windowEnvelope(o, m, row.short, RAW);
        if (!long || !short || long.max < row.threshold * 0.95 || short.max < row.threshold * 0.95) {
          out.push({ seed: t.seed, what: `${row.alert} fires at ${m}m while the exact long window is at most ${fmt(long?.max)} and the short at most ${fmt(short?.max)} (threshold ${row.threshold})` });
        }
        const lastBad = lastBadBefore(o, m);
        if (lastBad !== undefined && m - lastBad >= row.resolution) {
          out.push({ seed: t.seed, what: `${row.alert} still fires at ${m}m, ${m - lastBad} minutes after the last bad event (resolves within ${row.resolution})` });
        }
      }
      if (m >= row.long + row.detection) {
        let held = true;
        for (let k = m - row.detection; k <= m && held; k++) held = burning(o, row, k);
        if (held && !fires(row, m)) {
          out.push({ seed: t.seed, what: `${row.alert} silent at ${m}m although both exact windows have been 10% above its threshold for ${row.detection} minutes` });
        }
      }
    }
  }
  const values = results.values.get(cluster);
  const marks = disturbances(t, RAW);
  for (const w of h.windows) {
    const lag = lagOf(w.window);
    for (const [m, value] of values?.get(w.expr) ?? []) {
      if (!w.budget && m < w.window + RAW) continue;
      const env = windowEnvelope(o, m, w.window, RAW, lag);
      if (!env || env.events < sli.minEvents || !Number.isFinite(value)) continue;
      // Budget remaining is 1 − ratio / budget. Once more than the whole budget is spent, a
      // point is finer than the ratio itself can be known: there it is 1% of what was spent.
      const budget = 1 - sli.objective;
      const [lo, hi] = w.budget ? [1 - env.max / budget, 1 - env.min / budget] : [env.min, env.max];
      const tol = w.budget ? 0.01 * Math.max(1, 1 - value) : 0.02;
      const off = w.budget
        ? value < lo - tol - 1e-9 ? lo - value : value > hi + tol + 1e-9 ? value - hi : 0
        : value < lo * (1 - tol) - 1e-12 ? lo / value - 1 : value > hi * (1 + tol) + 1e-12 ? value / hi - 1 : 0;
      // The raw rates behind the window reach back a further raw window.
      const near = marks.filter((d) => d.minute > m - w.window - lag - 2 * RAW && d.minute <= m);
      const events = windowEvents(o, m, w.window);
      const stake = near.reduce((s, d) => ({ bad: s.bad + d.bad, total: s.total + d.total }), { bad: 0, total: 0 });
      if (stake.bad > 0.01 * events.bad || stake.total > 0.01 * events.total) {
        disturbed.checked++;
        if (off > 0) disturbed.outside++;
        disturbed.worst = Math.max(disturbed.worst, w.budget ? 0 : off);
        continue;
      }
      disturbed.held++;
      if (off > 0 && w.budget) out.push({ seed: t.seed, what: `budget remaining ${fmt(value)} at ${m}m outside the exact ${fmt(lo)}–${fmt(hi)} (±${fmt(tol * 100)} points)` });
      if (off > 0 && !w.budget) out.push({ seed: t.seed, what: `recorded ${windowName(w.window)} ratio ${fmt(value)} at ${m}m outside the exact windows' ${fmt(lo)}–${fmt(hi)} (±2%)` });
    }
  }
  return out;
}

/** Every exact window the recorded long and short windows can stand for is 10% above the threshold. */
function burning(o: Observed, row: Row, m: number): boolean {
  const long = windowEnvelope(o, m, row.long, RAW, row.lag);
  const short = windowEnvelope(o, m, row.short, RAW);
  // A window with no events at all has no ratio to burn with: a quiet stretch inside an incident pauses it.
  if (!long || !short || long.someEmpty || short.someEmpty) return false;
  return long.events >= 2 * row.minEvents && long.min > row.threshold * 1.1 && short.min > row.threshold * 1.1;
}

function lastBadBefore(o: Observed, m: number): number | undefined {
  for (let k = m; k >= 1; k--) if (o.bad[k]! > 0) return k;
  return undefined;
}

/** Violations grouped by timeline, with each timeline's story: what a failure prints. */
export function report(timelines: readonly Timeline[], violations: readonly Violation[]): string {
  const bySeed = new Map<number, string[]>();
  for (const v of violations) bySeed.set(v.seed, [...(bySeed.get(v.seed) ?? []), v.what]);
  return [...bySeed]
    .slice(0, 8)
    .map(([seed, whats]) => {
      const t = timelines.find((x) => x.seed === seed)!;
      return `seed ${seed} (${t.story.join('; ')}):\n  ${whats.slice(0, 4).join('\n  ')}`;
    })
    .join('\n\n');
}

export const fmt = (x: number | undefined) => (x === undefined ? 'none' : x.toPrecision(4));
