/**
 * `npm run mutants`: do the generated promtool tests have teeth, and does testing by rule
 * shape lose any? Each mutation is a rule the way a person or a generator bug could get it
 * wrong (a factor, a window, a branch, a guard, a fallback, the SLO math). It is applied twice:
 *
 * - to one SLI's rules in its service's rule file (registry/requests of the bundled catalog):
 *   `slokit test` checks them against its shape, then runs its own tests on its slice;
 * - to that shape's canonical rules: `slokit test` checks their window rules against the
 *   shape's window suite, then the shape's full scenario suite runs against them;
 * - to the shape's and its window suite's rules at once, where the mutation touches a window
 *   rule (a generator bug reaches both, so the window check passes): the derived-window test
 *   and the shape's full suite run against them.
 *
 * A mutant is killed when a check or test fails; the shapes' split loses no teeth when every
 * mutant is killed on both sides (a raw-read mutant, whose rules are the SLI's own, applies to
 * the shape only where its canonical raw reads have the same text). Test groups run one per
 * promtool process, cheapest first, so a killed mutant stops at its first failure; two
 * processes at a time. SLOKIT_MUTANTS=kind,kind runs only those kinds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { toYaml } from '../generators/emit/yaml-text.js';
import { loadModel } from '../generators/pipeline.js';
import { PROJECT_ROOT } from '../generators/paths.js';
import { shapeDifference, sliceOf, type RuleIdentity } from '../generators/emit/promtool-tests/rule-slice.js';
import { namesChecked, rulesRead, testFileOver, type CheckedGroup, type TestFileHead } from '../generators/emit/promtool-tests/rules-read.js';
import { windowRules } from '../generators/emit/promtool-tests/shape.js';
import { matchersText } from '../generators/promql/escape.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { inParallel } from '../generators/in-parallel.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  interval: string;
  rules: Rule[];
}

const SERVICE = 'registry';
const SLI = 'requests';
const REGISTRY_REQUESTS = '{service="registry", sli="requests"}';

export interface Mutation {
  readonly kind: string;
  readonly what: string;
  /**
   * Changes one SLI's rules in place (`selector` picks its recorded series); false when it
   * found nothing to change (a broken mutation).
   */
  readonly apply: (rules: Rule[], selector?: string) => boolean;
  /** Why a survivor cannot change an alert, when that is known. */
  readonly equivalent?: string;
}

const alertNamed = (rules: Rule[], name: string) => rules.find((r) => r.alert === `Slokit${name}`);
const recordNamed = (rules: Rule[], name: string) => rules.find((r) => r.record === name);

/** Replaces `from` by `to` in one rule's expression; false when `from` is not there. */
function edit(rule: Rule | undefined, from: string | RegExp, to: string): boolean {
  if (!rule) return false;
  const next = rule.expr.replace(from, to);
  if (next === rule.expr) return false;
  rule.expr = next;
  return true;
}

const inAlert = (name: string, from: string | RegExp, to: string) => (rules: Rule[]) => edit(alertNamed(rules, name), from, to);
const inRecord = (name: string, from: string | RegExp, to: string) => (rules: Rule[]) => edit(recordNamed(rules, name), from, to);

export const MUTATIONS: readonly Mutation[] = [
  { kind: 'fast-factor-up', what: 'Fast fires at 1.5x its factor', apply: inAlert('ErrorBudgetBurnFast', /0\.0144 \+/g, '0.0216 +') },
  { kind: 'fast-factor-down', what: 'Fast fires at half its factor', apply: inAlert('ErrorBudgetBurnFast', /0\.0144 \+/g, '0.0072 +') },
  { kind: 'moderate-factor-up', what: 'Moderate fires at 1.5x its factor', apply: inAlert('ErrorBudgetBurnModerate', /0\.006 \+/g, '0.009 +') },
  { kind: 'moderate-factor-down', what: 'Moderate fires at half its factor', apply: inAlert('ErrorBudgetBurnModerate', /0\.006 \+/g, '0.003 +') },
  { kind: 'slow-factor-up', what: 'Slow fires at 1.5x its factor', apply: inAlert('ErrorBudgetBurnSlow', /0\.003 \+/g, '0.0045 +') },
  { kind: 'slow-factor-down', what: 'Slow fires at half its factor', apply: inAlert('ErrorBudgetBurnSlow', /0\.003 \+/g, '0.0015 +') },
  { kind: 'gradual-factor-up', what: 'Gradual fires at 1.5x its factor', apply: inAlert('ErrorBudgetBurnGradual', /0\.001 \+/g, '0.0015 +') },
  { kind: 'gradual-factor-down', what: 'Gradual fires at half its factor', apply: inAlert('ErrorBudgetBurnGradual', /0\.001 \+/g, '0.0005 +') },
  { kind: 'fast-long-window', what: 'Fast reads 6h as its long window', apply: inAlert('ErrorBudgetBurnFast', /ratio_rate1h/g, 'ratio_rate6h') },
  { kind: 'fast-short-window', what: 'Fast reads 30m as its short window', apply: inAlert('ErrorBudgetBurnFast', /^\(sli:error:ratio_rate5m/, '(sli:error:ratio_rate30m') },
  { kind: 'moderate-long-window', what: 'Moderate reads 1d as its long window', apply: inAlert('ErrorBudgetBurnModerate', /ratio_rate6h/g, 'ratio_rate1d') },
  { kind: 'moderate-short-window', what: 'Moderate reads 2h as its short window', apply: inAlert('ErrorBudgetBurnModerate', /^\(sli:error:ratio_rate30m/, '(sli:error:ratio_rate2h') },
  { kind: 'fast-no-short', what: 'Fast without its short-window condition', apply: inAlert('ErrorBudgetBurnFast', /^\([^\n]*\)\nand\n/, '') },
  { kind: 'fast-no-bound', what: 'Fast without its fast bound (long average only)', apply: inAlert('ErrorBudgetBurnFast', /\nor\n(?:[^\n]*\n){2}[^\n]*0\.64[^\n]*\n/, '\n') },
  { kind: 'fast-bound-only', what: 'Fast with its bound but not the long average', apply: inAlert('ErrorBudgetBurnFast', /\(\n {2}\(sli:error:ratio_rate1h[^\n]*\)\nor\n/, '(\n') },
  {
    kind: 'fast-unsafe-bound',
    what: "the old bound: short-window bad events over the long average's events",
    apply: inAlert('ErrorBudgetBurnFast', /\(0\.64 \* ([^*]+?) \* 300 \/ \(([^*]+?) \* 3300 [^\n]*\) > /, '($1 * 300 / ($2 * 3600) > '),
  },
  { kind: 'fast-no-min-events', what: 'Fast without its min_events guard', apply: inAlert('ErrorBudgetBurnFast', /\nand\n\(sli:events_total:rate1h[^\n]*>= 20\)$/, '') },
  { kind: 'fast-min-events-raised', what: 'Fast needs 2,000,000 events instead of 20', apply: inAlert('ErrorBudgetBurnFast', />= 20\)$/, '>= 2000000)') },
  { kind: 'moderate-no-min-events', what: 'Moderate without its min_events guard', apply: inAlert('ErrorBudgetBurnModerate', /\nand\n\([^\n]*rate6h[^\n]*>= 20\)$/, '') },
  { kind: 'bad-no-fallback', what: 'the 5m bad rate without its `or 0 * total` fallback', apply: inRecord('sli:events_bad:rate5m', / or 0 \* sum by \(env, cluster\) \(sli:events_total:rate5m[^)]*\)\)$/, ')') },
  { kind: 'bad-selects-all', what: 'the 5m bad rate counts every request', apply: inRecord('sli:events_bad:rate5m', '{code=~"5.."}', '') },
  { kind: 'ratio-1h-average-of-ratios', what: '1h ratio as an average of 5m ratios', apply: (rules, selector = REGISTRY_REQUESTS) => setExpr(recordNamed(rules, 'sli:error:ratio_rate1h'), `avg_over_time(sli:error:ratio_rate5m${selector}[54m30s])`) },
  { kind: 'span-1h-wrong', what: '1h window averages 25m of 5m rates (a 30m window)', apply: (rules) => ['sli:events_total:rate1h', 'sli:events_bad:rate1h'].every((n) => edit(recordNamed(rules, n), '[54m30s]', '[24m30s]')) },
  { kind: 'span-6h-wrong', what: '6h window averages 2h of 5m rates', apply: (rules) => ['sli:events_total:rate6h', 'sli:events_bad:rate6h'].every((n) => edit(recordNamed(rules, n), '[5h54m30s]', '[1h54m30s]')) },
  { kind: 'period-30d-as-3d', what: 'the 30d window tiles only 3 days', apply: (rules) => ['sli:events_total:rate30d', 'sli:events_bad:rate30d'].every((n) => edit(recordNamed(rules, n), '[29d23h59m30s:55m]', '[2d23h59m30s:55m]')) },
  { kind: 'period-bad-only-3d', what: "the 30d window's bad events over 3 days only", apply: inRecord('sli:events_bad:rate30d', '[29d23h59m30s:55m]', '[2d23h59m30s:55m]') },
  { kind: 'budget-remaining-3d', what: 'budget remaining from the 3d ratio', apply: inRecord('slo:error_budget_remaining:ratio', /ratio_rate30d/, 'ratio_rate3d') },
  { kind: 'burn-rate-wrong-budget', what: '1h burn rate divided by 0.01 instead of 0.001', apply: inRecord('slo:burn_rate:rate1h', '/ 0.001', '/ 0.01') },
  { kind: 'exhausted-threshold-up', what: 'budget exhausted at twice the budget', apply: inAlert('ErrorBudgetExhausted', /0\.001 \+/, '0.002 +') },
  { kind: 'exhausted-window-3d', what: 'budget exhausted judged over 3d', apply: inAlert('ErrorBudgetExhausted', /rate30d/g, 'rate3d') },
  { kind: 'cessation-silence-2h', what: 'cessation waits for 2h of silence', apply: inAlert('TrafficCessation', /rate30m/g, 'rate2h') },
  { kind: 'cessation-expects-more', what: 'cessation needs 10,000 expected events', apply: inAlert('TrafficCessation', '>= 100)', '>= 10000)') },
  { kind: 'vanished-never', what: 'vanished checks the 30m rate instead of the 5m one', apply: inAlert('SLIVanished', /\nsli:events_total:rate5m/, '\nsli:events_total:rate30m') },
  { kind: 'vanished-no-baseline', what: 'vanished without its baseline (fires for SLIs that never had traffic too)', apply: inAlert('SLIVanished', /^\(last_over_time[^\n]*\)/, 'vector(1)') },
  { kind: 'vanished-slow', what: 'vanished waits 30m', apply: (rules) => setFor(alertNamed(rules, 'SLIVanished'), '30m') },
  { kind: 'low-traffic-inverted', what: 'low-traffic ticket when traffic is high', apply: inAlert('ErrorBudgetBurnLowTraffic', '< 20)', '>= 20)') },
  { kind: 'low-traffic-bad-min', what: 'low-traffic ticket needs 200 bad events', apply: inAlert('ErrorBudgetBurnLowTraffic', '>= 2)', '>= 200)') },
  { kind: 'fast-severity', what: 'Fast labelled warning', apply: (rules) => setLabel(alertNamed(rules, 'ErrorBudgetBurnFast'), 'severity', 'warning') },
  { kind: 'raw-window-10m', what: 'the raw window reads 10m of raw series', apply: (rules) => ['sli:events_total:rate5m', 'sli:events_bad:rate5m'].every((n) => edit(recordNamed(rules, n), /\[5m\]/g, '[10m]')) },
  { kind: 'drops-cluster', what: 'the raw total aggregates away the cluster label', apply: inRecord('sli:events_total:rate5m', 'sum by (env, cluster)', 'sum by (env)') },
];

function setExpr(rule: Rule | undefined, expr: string): boolean {
  if (!rule || rule.expr === expr) return false;
  rule.expr = expr;
  return true;
}

function setFor(rule: Rule | undefined, value: string): boolean {
  if (!rule || rule.for === value) return false;
  rule.for = value;
  return true;
}

function setLabel(rule: Rule | undefined, name: string, value: string): boolean {
  if (!rule?.labels || rule.labels[name] === value) return false;
  rule.labels[name] = value;
  return true;
}

function promtool(dir: string, file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', ['test', 'rules', file], { cwd: dir });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', (e) => reject(new Error(`promtool could not run (${e.message}); install Debian's prometheus package: apt-get install prometheus`)));
    p.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

export interface SideResult {
  readonly status: 'killed' | 'survived' | 'not applied';
  readonly by?: string;
}

export interface MutantResult {
  readonly kind: string;
  readonly what: string;
  /** Applied to the SLI's rules in its service's file: its shape check and own tests. */
  readonly sli: SideResult;
  /** Applied to its shape's canonical rules: the window check, then the shape's full suite. */
  readonly shape: SideResult;
  /** Applied to the shape's and its window suite's rules at once: the window check, the derived-window test and the shape's suite ("not applied" when it touches no window rule). */
  readonly windows: SideResult;
  readonly equivalent?: string;
}

interface TestFile extends TestFileHead {
  tests: ({ name: string; input_series?: { values: string }[] } & CheckedGroup)[];
}

/** The selector of an SLI's recorded series, as its rules write it. */
const selectorOf = (identity: RuleIdentity) => matchersText([{ label: 'service', op: '=', value: identity.labels.service! }, { label: 'sli', op: '=', value: identity.labels.sli! }]);

/** One file per test group, cheapest first, so a killed mutant stops at its first failure. */
function oneGroupEach(files: readonly TestFile[]): TestFile[] {
  const cost = (t: TestFile['tests'][number]) => (t.input_series ?? []).reduce((n, x) => n + x.values.length, 0);
  return files.flatMap((f) => f.tests.map((t) => ({ ...f, tests: [t] }))).sort((a, b) => cost(a.tests[0]!) - cost(b.tests[0]!));
}

/** The first failing test group's name (promtool prints it before each failure), shortened. */
function firstFailure(output: string): string {
  const failed = [...output.matchAll(/^\s*name: ([^\n]+?),?\s*$/gm)].map((x) => x[1]!.replace(/^[^:]*: /, '').slice(0, 70));
  return failed[0] ?? output.split('\n').find((l) => /expr:|error/i.test(l))?.trim().slice(0, 70) ?? 'promtool';
}

/** Runs the SLI's own tests on its mutated slice (after the shape check) and the shape's suite on its mutated rules. */
export async function runMutants(mutations: readonly Mutation[], log: (line: string) => void = () => undefined): Promise<MutantResult[]> {
  const { model } = loadModel(join(PROJECT_ROOT, 'catalog'));
  const pack = await generatePack(model!);
  const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as TestIndex;
  const entry = index.slis.find((e) => e.service === SERVICE && e.sli === SLI)!;
  const groupsIn = (path: string) => (parse(pack.files.get(path)!) as { groups: Group[] }).groups;
  const serviceGroups = groupsIn(`prometheus/rules/${SERVICE}.yml`);
  const shapeGroups = groupsIn(`prometheus/tests/shapes/${entry.shape}/rules.yml`);
  const testsOf = (paths: readonly string[]) => oneGroupEach(paths.map((p) => parse(pack.files.get(`prometheus/tests/${p}`)!) as TestFile));
  const ownTests = testsOf([entry.test]);
  const shapeTests = testsOf(index.shapes[entry.shape]!.files.filter((f) => f.endsWith('.test.yml')));
  const suite = index.windows[index.shapes[entry.shape]!.windows!]!;
  const windowGroups = groupsIn(`prometheus/tests/${suite.files.find((f) => f.endsWith('/rules.yml'))!}`);
  const windowNames = new Set(windowGroups.flatMap((g) => g.rules.map((r) => r.record!)));
  const windowTests = testsOf(suite.files.filter((f) => f.endsWith('.test.yml')));
  const dir = mkdtempSync(join(tmpdir(), 'slokit-mutants-'));
  const runIn = async (name: string, rules: readonly Group[], tests: readonly TestFile[]) => {
    const sub = mkdtempSync(join(dir, `${name}-`));
    let last = { code: 0, output: '' };
    // As `slokit test` runs them: a shape's and a window suite's groups against the rules each
    // reads, an SLI's own tests against its whole slice.
    const wholeSlice = tests === ownTests;
    for (const [i, t] of tests.entries()) {
      const read = wholeSlice ? [...rules] : rulesRead(rules, t.tests.flatMap(namesChecked));
      writeFileSync(join(sub, `rules-${i}.yml`), toYaml({ groups: read }));
      writeFileSync(join(sub, `tests-${i}.yml`), toYaml(testFileOver(t, t.tests, read, `rules-${i}.yml`)));
      last = await promtool(sub, `tests-${i}.yml`);
      if (last.code !== 0) return last;
    }
    return last;
  };
  const sliSlice = (groups: readonly Group[]) => sliceOf(groups as never, SERVICE, SLI) as unknown as Group[];
  type Which = 'sli' | 'shape' | 'windows';
  const side = async (m: Mutation, which: Which): Promise<SideResult> => {
    const mutated = structuredClone(which === 'sli' ? serviceGroups : shapeGroups);
    const [service, sli, selector] = which === 'sli' ? [SERVICE, SLI, selectorOf(entry)] : [index.canonical.labels.service!, index.canonical.labels.sli!, selectorOf(index.canonical)];
    const own = (groups: Group[]) => groups.flatMap((g) => g.rules).filter((r) => r.labels?.sli === sli && r.labels?.service === service);
    if (!m.apply(own(mutated), selector)) return { status: 'not applied' };
    if (which === 'windows') {
      const windows = structuredClone(windowGroups);
      if (!m.apply(own(windows), selector)) return { status: 'not applied' };
      const difference = shapeDifference(windowRules(mutated as never, windowNames), windows as never, index.canonical, index.canonical, entry.rawReads);
      if (difference) return { status: 'killed', by: `window check: ${difference.slice(0, 60)}` };
      const w = await runIn(`${m.kind}-windows`, windows, windowTests);
      if (w.code !== 0) return { status: 'killed', by: firstFailure(w.output) };
      const r = await runIn(`${m.kind}-both`, mutated, shapeTests);
      return r.code === 0 ? { status: 'survived' } : { status: 'killed', by: `shape suite: ${firstFailure(r.output)}` };
    }
    if (which === 'shape') {
      const difference = shapeDifference(windowRules(mutated as never, windowNames), windowGroups as never, index.canonical, index.canonical, entry.rawReads);
      if (difference) return { status: 'killed', by: `window check: ${difference.slice(0, 60)}` };
      const r = await runIn(`${m.kind}-shape`, mutated, shapeTests);
      return r.code === 0 ? { status: 'survived' } : { status: 'killed', by: firstFailure(r.output) };
    }
    const slice = sliSlice(mutated);
    const difference = shapeDifference(slice as never, shapeGroups as never, entry, index.canonical, entry.rawReads);
    if (difference) return { status: 'killed', by: `shape check: ${difference.slice(0, 60)}` };
    const r = await runIn(`${m.kind}-sli`, slice, ownTests);
    return r.code === 0 ? { status: 'survived' } : { status: 'killed', by: firstFailure(r.output) };
  };
  try {
    for (const [name, groups, tests] of [['unmutated-sli', sliSlice(serviceGroups), ownTests], ['unmutated-shape', shapeGroups, shapeTests], ['unmutated-windows', windowGroups, windowTests]] as const) {
      const clean = await runIn(name, groups, tests);
      if (clean.code !== 0) throw new Error(`the unmutated rules fail their own tests (${name}):\n${clean.output.slice(0, 3000)}`);
    }
    const jobs = mutations.flatMap((m, i) => (['sli', 'shape', 'windows'] as const).map((which) => ({ m, i, which })));
    const sides: { sli?: SideResult; shape?: SideResult; windows?: SideResult }[] = mutations.map(() => ({}));
    await inParallel(jobs, 2, async ({ m, i, which }) => {
      sides[i]![which] = await side(m, which);
      log(`${m.kind} on the ${which === 'sli' ? "SLI's" : which === 'shape' ? "shape's" : "shape's and window suite's"} rules: ${sides[i]![which]!.status}${sides[i]![which]!.by ? ` (${sides[i]![which]!.by})` : ''}`);
    });
    return mutations.map((m, i) => ({ kind: m.kind, what: m.what, sli: sides[i]!.sli!, shape: sides[i]!.shape!, windows: sides[i]!.windows!, ...(m.equivalent ? { equivalent: m.equivalent } : {}) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function mutantTable(results: readonly MutantResult[]): string {
  const cell = (r: SideResult) => `${r.status}${r.by ? ` (${r.by})` : ''}`;
  const score = (which: 'sli' | 'shape' | 'windows') => {
    const applied = results.filter((r) => r[which].status !== 'not applied');
    const killed = applied.filter((r) => r[which].status === 'killed').length;
    return `${killed} of ${applied.length} (${((100 * killed) / Math.max(1, applied.length)).toFixed(0)}%)`;
  };
  const lines = [
    "| kind | mutation | on the SLI's rules: shape check, own tests | on its shape's rules: window check, full suite | on the shape's and its window suite's rules at once: derived-window test, shape suite |",
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.kind} | ${r.what} | ${cell(r.sli)} | ${cell(r.shape)}${r.equivalent && (r.sli.status === 'survived' || r.shape.status === 'survived') ? `; ${r.equivalent}` : ''} | ${cell(r.windows)} |`),
    '',
    `Killed on the SLI's rules: ${score('sli')}; on the shape's rules: ${score('shape')}; on the shape's and window suite's rules at once (mutations that touch a window rule): ${score('windows')}. A mutant of the SLI's own raw reads has no counterpart in the shape's canonical ones when their text differs ("not applied" there).`,
  ];
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('mutants.js')) {
  const only = process.env.SLOKIT_MUTANTS?.split(',');
  const chosen = only ? MUTATIONS.filter((m) => only.includes(m.kind)) : MUTATIONS;
  const results = await runMutants(chosen, (l) => console.error(l));
  console.log(mutantTable(results));
  const notApplied = results.filter((r) => r.sli.status === 'not applied');
  if (notApplied.length) {
    console.error(`mutations that found nothing to change in the SLI's rules (fix them): ${notApplied.map((r) => r.kind).join(', ')}`);
    process.exit(1);
  }
}
