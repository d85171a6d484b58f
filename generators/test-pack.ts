/**
 * `slokit test`: each rule shape's full scenario suite (its derived windows in a window suite
 * that shapes with the same window rules share), each SLI's own tests against its slice
 * of the service's rule file (after checking the slice is its shape's rules under its own
 * name), and the saturation and version tests, run by promtool in parallel: the groups of a file that
 * read the same rules together against just those rules (see rules-read.ts), costliest first
 * so the long ones do not finish last; each failure named by its test group (service/SLI, or
 * the shape and the SLIs that share it) and a one-line reason; with `changedOnly`, files whose
 * inputs passed before unchanged are not run again, and with a verdict cache, no promtool run
 * whose exact inputs passed before, wherever they came from.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { sliceOf, shapeDifference, type GroupObject } from './emit/promtool-tests/rule-slice.js';
import { partsByJourney } from './emit/journeys/test-parts.js';
import { journeyPaths } from './naming.js';
import { lastCheckSeconds, partsByRulesRead, testFileOver, type CheckedGroup, type TestFileHead } from './emit/promtool-tests/rules-read.js';
import type { TestIndex } from './emit/promtool-tests/test-file.js';
import { windowRules } from './emit/promtool-tests/shape.js';
import { toYaml } from './emit/yaml-text.js';
import { inParallel } from './in-parallel.js';
import { parseDuration } from './model/duration.js';
import { parsePackYaml } from './pack-yaml.js';
import { checkRulesAsync, promtoolAsync, ruleFilesToCheck, type PromtoolRun } from './promtool.js';
import { statePath, writeWhole } from './write/state-file.js';
import { VerdictCache, verdictCacheDir, verdictKey } from './verdict-cache.js';

export interface Failure {
  /** The test group, "service/sli: scenario". */
  readonly group: string;
  readonly reason: string;
}

export interface FileResult {
  readonly file: string;
  readonly status: 'passed' | 'failed' | 'unchanged';
  readonly groups: number;
  readonly seconds: number;
  readonly failures: readonly Failure[];
  /** promtool's own words when its output could not be read as test failures. */
  readonly raw?: string;
  /** Passed without running promtool: exactly these inputs passed before (see verdict-cache.ts). */
  readonly cached?: boolean;
}

export interface PackTestOptions {
  readonly jobs: number;
  readonly changedOnly: boolean;
  readonly promtoolVersion: string;
  readonly onFile?: (r: FileResult, done: number, of: number) => void;
  /** Only the test files (relative to prometheus/tests/) this accepts; all of them when absent. */
  readonly select?: (file: string) => boolean;
  /** Each file whole against all its rules, as promtool reads it: the benchmark's baseline. */
  readonly wholeFiles?: boolean;
  /** Where passes are remembered by what promtool read (verdict-cache.ts); $SLOKIT_TEST_CACHE when absent; '' for none. */
  readonly cacheDir?: string;
}

const TESTS = join('prometheus', 'tests');
/** Own-test files run by one promtool process at most, whatever their services (a failing batch runs again file by file). */
const OWN_TESTS_PER_PROCESS = 8;
/** What passed, by the hash of everything it read; kept next to the packs slokit writes. */
const STATE = statePath('tested.json');
/** The rule files `promtool check rules` passed, by the hash of each. */
const CHECKED = statePath('checked.json');

interface State {
  readonly promtool: string;
  readonly passed: Record<string, string>;
}

/** The hash of a test file, the rule files it names and promtool's version: what decides its verdict. */
function inputsHash(dir: string, text: string, promtool: string): string {
  const block = /^rule_files:\n((?:\s+- .*\n)+)/m.exec(text)?.[1] ?? '';
  const rules = [...block.matchAll(/- '?([^'\n]+?)'?\s*$/gm)].map((m) => resolve(dir, m[1]!)).map((path) => (existsSync(path) ? readFileSync(path) : 'missing'));
  return verdictKey(promtool, text, ...rules);
}

/**
 * Failures promtool printed for one file, each with its group and a one-line reason. promtool
 * names the group only before an alert check; an expression check is placed by its expression
 * and time, looked up in the test file's text when it is given.
 */
export function readFailures(output: string, testFileText?: string): Failure[] {
  const groupOf = testFileText ? groupsByCheck(testFileText) : new Map<string, string>();
  const out: Failure[] = [];
  let group = '';
  let head: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (head !== undefined) out.push({ group, reason: reasonOf(head, body) });
    head = undefined;
    body = [];
  };
  for (const line of output.split('\n')) {
    const name = /^ {4}name: (.*),\s*$/.exec(line);
    if (name) {
      flush();
      group = name[1]!;
      continue;
    }
    const start = /^ {4}((?:alertname: \S+|expr: (".*")), time: (\S+)),\s*$/.exec(line);
    if (start) {
      flush();
      head = start[1]!;
      if (start[2] !== undefined) group = groupOf.get(checkKey(goString(start[2]), start[3]!)) ?? group;
      continue;
    }
    if (head !== undefined) body.push(line);
  }
  flush();
  return out;
}

const checkKey = (expr: string, time: string) => `${expr}\0${time}`;

/** A string as Go's %q prints it (JSON's escapes and Go's agree on what promtool prints). */
function goString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** Each expression check's group, by expression and time. */
function groupsByCheck(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const doc = parsePackYaml(text) as { tests?: { name?: string; promql_expr_test?: { expr: string; eval_time: string }[] }[] } | null;
  for (const g of doc?.tests ?? []) for (const c of g.promql_expr_test ?? []) map.set(checkKey(c.expr, c.eval_time), g.name ?? '');
  return map;
}

/**
 * Alerts (promtool's label sets) by what sets them apart from every alert listed with them, such
 * as a lane's cluster (see lanes.ts); by all their labels but the name when nothing does.
 */
function namedApart(what: string, labelSets: readonly string[], all: readonly string[]): string {
  if (!labelSets.length) return '';
  const pairs = (set: string) => [...set.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => m[0]).filter((p) => !p.startsWith('alertname='));
  const shared = pairs(all[0]!).filter((p) => all.every((set) => pairs(set).includes(p)));
  const apart = labelSets.flatMap((set) => {
    const own = pairs(set).filter((p) => !shared.includes(p));
    const named = own.length ? own : pairs(set);
    return named.length ? [labelSetText(named)] : [];
  });
  return apart.length ? `; ${what} ${apart.join(' ')}` : '';
}

/** A label set on one line of at most about `max` characters, cut between labels (`, …}`), never inside one. */
function labelSetText(pairs: readonly string[], max = 200): string {
  let out = '';
  for (const p of pairs) {
    const next = out ? `${out}, ${p}` : p;
    if (out && next.length + 2 > max) return `{${out}, …}`;
    out = next;
  }
  return `{${out}}`;
}

function reasonOf(head: string, body: readonly string[]): string {
  const text = body.join('\n');
  const exp = /exp:\s*([\s\S]*?)\n\s*got:/.exec(text)?.[1] ?? '';
  const got = /got:\s*([\s\S]*)$/.exec(text)?.[1] ?? '';
  const where = head.replace(/^(alertname|expr): /, '').replace(/, time: /, ' at ');
  if (head.startsWith('alertname:')) {
    const sets = (s: string) => [...s.matchAll(/Labels:(\{.*\})/g)].map((m) => m[1]!);
    const [expected, gotten] = [sets(exp), sets(got)];
    const missing = expected.filter((x) => !gotten.includes(x));
    const unexpected = gotten.filter((x) => !expected.includes(x));
    const which = missing.length || unexpected.length ? `${namedApart('missing', missing, [...expected, ...gotten])}${namedApart('unexpected', unexpected, [...expected, ...gotten])}` : expected.length ? '; the labels match, the annotations differ' : '';
    return `${where}: expected ${expected.length} firing alert(s), got ${gotten.length}${which}`;
  }
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 160) || 'nothing';
  return `${where}: expected ${oneLine(exp)}, got ${oneLine(got)}`;
}

function readState(out: string, promtool: string, file = STATE): State {
  try {
    const s = JSON.parse(readFileSync(join(out, file), 'utf8')) as State;
    if (s.promtool === promtool && typeof s.passed === 'object') return s;
  } catch {
    // No state, or one from another version: everything runs.
  }
  return { promtool, passed: {} };
}

function writeState(out: string, state: State, file = STATE): void {
  const sorted = Object.fromEntries(Object.entries(state.passed).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeWhole(join(out, file), `${JSON.stringify({ promtool: state.promtool, passed: sorted }, null, 2)}\n`);
}

/**
 * `promtool check rules` on the pack's rule files and shapes' rules, `jobs` processes at once;
 * with `changedOnly`, only the files it has not passed before with the same content and promtool.
 */
export async function checkPackRules(out: string, opts: Pick<PackTestOptions, 'jobs' | 'changedOnly' | 'promtoolVersion'>): Promise<PromtoolRun & { readonly checked: number; readonly files: number }> {
  const { dir, files } = ruleFilesToCheck(out);
  if (!files.length) return { ok: false, output: `no rule files in ${dir}`, checked: 0, files: 0 };
  const hashes = new Map(files.map((f) => [f, verdictKey(opts.promtoolVersion, readFileSync(join(dir, f)))]));
  const before = readState(out, opts.promtoolVersion, CHECKED);
  const todo = opts.changedOnly ? files.filter((f) => before.passed[f] !== hashes.get(f)) : files;
  const run = await checkRulesAsync(dir, todo, opts.jobs);
  if (run.ok) writeState(out, { promtool: opts.promtoolVersion, passed: Object.fromEntries(hashes) }, CHECKED);
  return { ...run, checked: todo.length, files: files.length };
}

/** One promtool run: a test file in place, or an SLI's own tests next to its slice in a scratch directory. */
interface Unit {
  /** Relative to prometheus/tests/. */
  readonly file: string;
  readonly groups: number;
  readonly size: number;
  readonly hash: string;
  /** The hash of exactly what promtool reads for this unit: a pass under it is a pass for any unit with the same. */
  readonly verdict: string;
  /** Where promtool runs and which file it reads there. */
  readonly cwd: string;
  readonly run: string;
  /** Set when the SLI's rules are not its shape's: reported without running promtool. */
  readonly mismatch?: Failure;
  /** Renames promtool's group names in failures (a shape's groups by the SLIs that share it). */
  readonly rename?: (group: string) => string;
  /** Writes what promtool reads into `cwd` (an SLI's test file and slice), only for units that run. */
  readonly prepare?: () => void;
  /** How many units run parts of this file (one when absent): its result waits for all of them. */
  readonly parts?: number;
  /** An SLI's own tests (or a part of them): small, so several run in one promtool process. */
  readonly batched?: boolean;
  /** Simulated steps times rules evaluated at each: what promtool's time follows, for running the long ones first. */
  readonly cost?: number;
}

const groupCount = (text: string) => (text.match(/^ {2}- name: /gm) ?? []).length;

interface TestFileObject extends TestFileHead {
  readonly tests?: readonly CheckedGroup[];
}

/** promtool evaluates every rule at every step of a group up to its last check. */
function costOf(doc: TestFileObject, tests: readonly CheckedGroup[], rules: readonly GroupObject[]): number {
  const step = parseDuration(doc.evaluation_interval ?? '')?.seconds || 60;
  const ruleCount = rules.reduce((n, g) => n + g.rules.length, 0);
  return tests.reduce((n, t) => n + Math.ceil(lastCheckSeconds(t) / step) * ruleCount, 0);
}

function readIndex(dir: string): TestIndex {
  const path = join(dir, 'index.json');
  if (!existsSync(path)) throw new Error(`${path} is missing; run slokit generate again`);
  return JSON.parse(readFileSync(path, 'utf8')) as TestIndex;
}

/** Renames a shared suite's test groups (canonical names) by the suite and the first few that share it. */
function sharedBy(suite: string, users: readonly string[]): (group: string) => string {
  const listed = users.length > 3 ? `${users.slice(0, 3).join(', ')} and ${users.length - 3} more` : users.join(', ');
  return (group) => `${suite} (${listed}): ${group.replace(/^[^:]*: /, '')}`;
}

/** A service's own test files beside the shapes' (outputPaths.saturationTests, outputPaths.versionTests). */
const SERVICE_TEST_FILE = /(\.(saturation|version)|^journeys)\.test\.yml$/;

/** Every unit of the pack: shapes', saturation and version files in place, each SLI's own tests on its slice. */
/**
 * `unchanged` says a file passed before with these inputs: such a file is not cut into parts,
 * since it will not run.
 */
function unitsOf(dir: string, scratch: string, promtool: string, selected: (file: string) => boolean, wholeFiles: boolean, unchanged: (file: string, hash: string) => boolean): Unit[] {
  const index = readIndex(dir);
  const units: Unit[] = [];
  const inPlace = (file: string, rename?: Unit['rename'], text = readFileSync(join(dir, file), 'utf8'), hash = inputsHash(dirname(join(dir, file)), text, promtool)) => {
    units.push({ file, groups: groupCount(text), size: text.length, hash, verdict: hash, cwd: dirname(join(dir, file)), run: basename(file), ...(rename ? { rename } : {}) });
  };
  const parsed = new Map<string, GroupObject[]>();
  const groupsOf = (path: string) => {
    let g = parsed.get(path);
    if (!g) {
      g = ((parsePackYaml(readFileSync(path, 'utf8')) as { groups?: GroupObject[] } | null)?.groups ?? []) as GroupObject[];
      parsed.set(path, g);
    }
    return g;
  };
  // A test file's groups that read the same rules run together against just those rules (see
  // rules-read.ts), in a scratch directory; one file's parts are reported as that file.
  const byRulesRead = (file: string, rename?: Unit['rename']) => {
    if (!selected(file)) return;
    if (wholeFiles) return inPlace(file, rename);
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const hash = inputsHash(dirname(path), text, promtool);
    if (unchanged(file, hash)) return inPlace(file, rename, text, hash);
    const doc = parsePackYaml(text) as TestFileObject;
    const ruleFiles = (doc.rule_files ?? []).map((f) => resolve(dirname(path), f));
    // promtool itself reports what is wrong with a file that reads several rule files or none.
    if (ruleFiles.length !== 1 || !existsSync(ruleFiles[0]!) || !doc.tests?.length) return inPlace(file, rename, text, hash);
    // The journeys' tests share series names: split by the journeys each needs (journeys/test-parts.ts).
    const parts = basename(file) === basename(journeyPaths.tests) ? partsByJourney(doc.tests as (CheckedGroup & { name: string })[], groupsOf(ruleFiles[0]!)) : partsByRulesRead(doc.tests, groupsOf(ruleFiles[0]!));
    parts.forEach((part, i) => {
      // Under a name no service can have (the SLIs' own tests are in scratch/<service>/<sli>).
      const cwd = join(scratch, '.parts', dirname(file), `${basename(file, '.test.yml')}-${i}`);
      const run = basename(file);
      const partText = toYaml(testFileOver(doc, part.tests, part.rules, 'rules.yml'));
      const rulesText = toYaml({ groups: part.rules });
      const prepare = () => {
        mkdirSync(cwd, { recursive: true });
        writeFileSync(join(cwd, run), partText);
        writeFileSync(join(cwd, 'rules.yml'), rulesText);
      };
      const cost = costOf(doc, part.tests, part.rules);
      const verdict = verdictKey(promtool, partText, rulesText);
      units.push({ file, groups: part.tests.length, size: partText.length, hash, verdict, cwd, run, prepare, parts: parts.length, cost, ...(rename ? { rename } : {}) });
    });
  };
  for (const [id, shape] of Object.entries(index.shapes)) {
    const rename = sharedBy(`shape ${id}`, shape.slis);
    for (const file of shape.files.filter((f) => f.endsWith('.test.yml'))) byRulesRead(file, rename);
  }
  for (const file of readdirSync(dir).filter((f) => SERVICE_TEST_FILE.test(f)).sort()) byRulesRead(file);
  // A window suite tests the derived windows of every shape that shares it: each one's window
  // rules must be the suite's (raw reads aside, which its SLIs' own tests prove).
  for (const [id, suite] of Object.entries(index.windows ?? {})) {
    for (const file of suite.files.filter((f) => f.endsWith('.test.yml'))) byRulesRead(file, sharedBy(`windows ${id}`, suite.shapes.map((x) => `shape ${x}`)));
    const checked = suite.shapes.filter((x) => selected(`shapes/${x}/rules.yml`));
    if (!checked.length) continue;
    const suiteRules = groupsOf(join(dir, suite.files.find((f) => f.endsWith('/rules.yml'))!));
    const names = new Set(suiteRules.flatMap((g) => g.rules.flatMap((r) => (r.record === undefined ? [] : [r.record]))));
    for (const shapeId of checked) {
      const shapeRules = index.shapes[shapeId]?.files.find((f) => f.endsWith('/rules.yml'));
      const rawReads = index.slis.find((e) => e.shape === shapeId)?.rawReads ?? [];
      const difference = shapeRules ? shapeDifference(windowRules(groupsOf(join(dir, shapeRules)), names), suiteRules, index.canonical, index.canonical, rawReads) : `shape ${shapeId} is not in index.json`;
      if (difference) units.push({ file: `shapes/${shapeId}/rules.yml`, groups: 0, size: 0, hash: '', verdict: '', cwd: dir, run: '', mismatch: { group: `shape ${shapeId}: its window rules are window suite ${id}'s`, reason: difference } });
    }
  }
  for (const e of index.slis.filter((x) => selected(x.test))) {
    const text = readFileSync(join(dir, e.test), 'utf8');
    const slice = sliceOf(groupsOf(join(dir, e.rules)), e.service, e.sli);
    const shapeRules = index.shapes[e.shape]?.files.find((f) => f.endsWith('/rules.yml'));
    const difference = shapeRules
      ? slice.length
        ? shapeDifference(slice, groupsOf(join(dir, shapeRules)), e, index.canonical, e.rawReads)
        : `${e.rules} has no rules of this SLI`
      : `shape ${e.shape} is not in index.json`;
    const sliceText = toYaml({ groups: slice });
    const cwd = join(scratch, e.service, e.sli);
    const run = basename(e.test);
    const hash = verdictKey(promtool, text, sliceText, shapeRules ? readFileSync(join(dir, shapeRules)) : '');
    const unit: Unit = { file: e.test, groups: groupCount(text), size: text.length, hash, verdict: '', cwd, run };
    if (difference) {
      units.push({ ...unit, mismatch: { group: `${e.service}/${e.sli}: its rules are shape ${e.shape}'s under its own name`, reason: difference } });
      continue;
    }
    if (unchanged(e.test, hash)) {
      units.push(unit);
      continue;
    }
    // Its groups that read the same rules run together against just those (a few of the
    // slice's: its shape's suite proves the rest); the slice whole as the benchmark's baseline.
    const doc = parsePackYaml(text) as TestFileObject;
    const parts = wholeFiles || !doc.tests?.length ? [{ rules: slice, tests: doc.tests ?? [] }] : partsByRulesRead(doc.tests, slice);
    const ruleFile = doc.rule_files?.[0] ?? 'rules.yml';
    parts.forEach((part, i) => {
      const partText = parts.length === 1 && part.rules === slice ? text : toYaml(testFileOver(doc, part.tests, part.rules, ruleFile));
      const rulesText = part.rules === slice ? sliceText : toYaml({ groups: part.rules });
      // One directory per part, inside the SLI's (an SLI's name is one path segment).
      const partDir = join(cwd, String(i));
      const prepare = () => {
        mkdirSync(partDir, { recursive: true });
        writeFileSync(join(partDir, run), partText);
        writeFileSync(join(partDir, ruleFile), rulesText);
      };
      units.push({ ...unit, groups: part.tests.length, size: partText.length, verdict: verdictKey(promtool, partText, rulesText), cwd: partDir, prepare, parts: parts.length, batched: true });
    });
  }
  return units;
}

/** One file's result from its parts' (in their order). */
function mergeParts(parts: readonly FileResult[]): FileResult {
  if (parts.length === 1) return parts[0]!;
  const raw = parts.flatMap((p) => (p.raw === undefined ? [] : [p.raw])).join('\n');
  return {
    file: parts[0]!.file,
    status: parts.some((p) => p.status === 'failed') ? 'failed' : parts.every((p) => p.status === 'unchanged') ? 'unchanged' : 'passed',
    groups: parts.reduce((n, p) => n + p.groups, 0),
    seconds: parts.reduce((n, p) => n + p.seconds, 0),
    failures: parts.flatMap((p) => p.failures),
    ...(raw ? { raw } : {}),
    ...(parts.every((p) => p.cached) ? { cached: true } : {}),
  };
}

export async function testPack(out: string, opts: PackTestOptions): Promise<FileResult[]> {
  const dir = join(out, TESTS);
  if (!existsSync(dir)) throw new Error(`no test files in ${dir}; run slokit generate first`);
  const scratch = mkdtempSync(join(tmpdir(), 'slokit-test-'));
  try {
    const state = readState(out, opts.promtoolVersion);
    const cacheDir = verdictCacheDir(opts.cacheDir);
    const cache = cacheDir ? new VerdictCache(cacheDir) : undefined;
    const unchanged = (file: string, hash: string) => opts.changedOnly && state.passed[file] === hash;
    const units = unitsOf(dir, scratch, opts.promtoolVersion, (f) => opts.select?.(f) ?? true, opts.wholeFiles ?? false, unchanged);
    const passed: Record<string, string> = {};
    const results = new Map<string, FileResult>();
    const todo: Unit[] = [];
    const unitsOfFile = new Map<string, Unit[]>();
    for (const u of units) unitsOfFile.set(u.file, [...(unitsOfFile.get(u.file) ?? []), u]);
    let done = 0;
    // A file run in parts is one result, once every part is in, its parts in their order.
    const partsIn = new Map<string, Map<Unit, FileResult>>();
    const finish = (u: Unit, r: FileResult) => {
      const got = partsIn.get(u.file) ?? new Map<Unit, FileResult>();
      partsIn.set(u.file, got.set(u, r));
      if (got.size < (u.parts ?? 1)) return;
      const whole = mergeParts(unitsOfFile.get(u.file)!.map((x) => got.get(x)!));
      if (whole.status !== 'failed') passed[u.file] = u.hash;
      results.set(u.file, whole);
      opts.onFile?.(whole, ++done, unitsOfFile.size);
    };
    for (const u of units) {
      if (u.mismatch) finish(u, { file: u.file, status: 'failed', groups: u.groups, seconds: 0, failures: [u.mismatch] });
      else if (unchanged(u.file, u.hash)) finish(u, { file: u.file, status: 'unchanged', groups: u.groups, seconds: 0, failures: [] });
      else if (cache?.passed(u.verdict)) finish(u, { file: u.file, status: 'passed', groups: u.groups, seconds: 0, failures: [], cached: true });
      else todo.push(u);
    }
    const runOne = async (u: Unit) => {
      u.prepare?.();
      const started = performance.now();
      const run = await promtoolAsync(['test', 'rules', u.run], u.cwd);
      const seconds = (performance.now() - started) / 1000;
      if (run.ok) cache?.remember(u.verdict);
      const failures = run.ok ? [] : readFailures(run.output, readFileSync(join(u.cwd, u.run), 'utf8')).map((f) => (u.rename ? { ...f, group: u.rename(f.group) } : f));
      finish(u, {
        file: u.file,
        status: run.ok ? 'passed' : 'failed',
        groups: u.groups,
        seconds,
        failures,
        ...(run.ok || failures.length ? {} : { raw: run.output.trim().split('\n').slice(0, 20).join('\n') }),
      });
    };
    // SLIs' own tests are small: one promtool process runs several (of any services), since starting
    // one costs about as much as such a test. promtool does not say which file a failure is in
    // (its verdicts go to stdout, failures to stderr), so a batch that fails runs again file by file.
    const runBatch = async (batch: readonly Unit[]) => {
      if (batch.length === 1) return runOne(batch[0]!);
      for (const u of batch) u.prepare!();
      const started = performance.now();
      const run = await promtoolAsync(['test', 'rules', ...batch.map((u) => relative(scratch, join(u.cwd, u.run)))], scratch);
      if (!run.ok) {
        for (const u of batch) await runOne(u);
        return;
      }
      const seconds = (performance.now() - started) / 1000 / batch.length;
      for (const u of batch) cache?.remember(u.verdict);
      for (const u of batch) finish(u, { file: u.file, status: 'passed', groups: u.groups, seconds, failures: [] });
    };
    // The costliest first, so the long ones do not finish last (a unit of unknown cost counts as costliest).
    const costliest = (u: Unit) => u.cost ?? Infinity;
    const solo = todo.filter((u) => !u.batched).sort((a, b) => costliest(b) - costliest(a) || b.size - a.size || (a.file < b.file ? -1 : 1));
    const own = todo.filter((u) => u.batched);
    const batches = Array.from({ length: Math.ceil(own.length / OWN_TESTS_PER_PROCESS) }, (_, i) => own.slice(i * OWN_TESTS_PER_PROCESS, (i + 1) * OWN_TESTS_PER_PROCESS));
    await inParallel([...solo.map((u) => [u]), ...batches], opts.jobs, runBatch);
    writeState(out, { promtool: opts.promtoolVersion, passed });
    return [...unitsOfFile.keys()].map((f) => results.get(f)!);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
