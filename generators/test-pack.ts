/**
 * `slokit test`: the pack's promtool test files run in parallel (promtool runs a file's groups
 * one after another, so files are the unit), largest first so the long ones do not finish
 * last; each failure named by its test group (which starts with service/SLI) and a one-line
 * reason; with `changedOnly`, files whose test and rule files passed before unchanged are not
 * run again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inParallel } from './in-parallel.js';
import { promtoolAsync } from './promtool.js';

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
}

export interface PackTestOptions {
  readonly jobs: number;
  readonly changedOnly: boolean;
  readonly promtoolVersion: string;
  readonly onFile?: (r: FileResult, done: number, of: number) => void;
}

const TESTS = join('prometheus', 'tests');
/** What passed, by the hash of everything it read; kept next to the packs slokit writes. */
const STATE = join('.slokit', 'tested.json');

interface State {
  readonly promtool: string;
  readonly passed: Record<string, string>;
}

/** The hash of a test file, the rule files it names and promtool's version: what decides its verdict. */
function inputsHash(dir: string, text: string, promtool: string): string {
  const h = createHash('sha256').update(promtool).update('\0').update(text);
  const block = /^rule_files:\n((?:\s+- .*\n)+)/m.exec(text)?.[1] ?? '';
  for (const m of block.matchAll(/- '?([^'\n]+?)'?\s*$/gm)) {
    const path = resolve(dir, m[1]!);
    h.update('\0').update(existsSync(path) ? readFileSync(path) : 'missing');
  }
  return h.digest('hex');
}

/** Failures promtool printed for one file, each with its group and a one-line reason. */
export function readFailures(output: string): Failure[] {
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
    const start = /^ {4}((?:alertname: \S+|expr: ".*"), time: \S+),\s*$/.exec(line);
    if (start) {
      flush();
      head = start[1]!;
      continue;
    }
    if (head !== undefined) body.push(line);
  }
  flush();
  return out;
}

function reasonOf(head: string, body: readonly string[]): string {
  const text = body.join('\n');
  const exp = /exp:\s*([\s\S]*?)\n\s*got:/.exec(text)?.[1] ?? '';
  const got = /got:\s*([\s\S]*)$/.exec(text)?.[1] ?? '';
  const where = head.replace(/^(alertname|expr): /, '').replace(/, time: /, ' at ');
  if (head.startsWith('alertname:')) {
    const count = (s: string) => (s.match(/Labels:/g) ?? []).length;
    return `${where}: expected ${count(exp)} firing alert(s), got ${count(got)}`;
  }
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 160) || 'nothing';
  return `${where}: expected ${oneLine(exp)}, got ${oneLine(got)}`;
}

function readState(out: string, promtool: string): State {
  try {
    const s = JSON.parse(readFileSync(join(out, STATE), 'utf8')) as State;
    if (s.promtool === promtool && typeof s.passed === 'object') return s;
  } catch {
    // No state, or one from another version: everything runs.
  }
  return { promtool, passed: {} };
}

function writeState(out: string, state: State): void {
  const path = join(out, STATE);
  mkdirSync(dirname(path), { recursive: true });
  const sorted = Object.fromEntries(Object.entries(state.passed).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(`${path}.tmp`, `${JSON.stringify({ promtool: state.promtool, passed: sorted }, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export async function testPack(out: string, opts: PackTestOptions): Promise<FileResult[]> {
  const dir = join(out, TESTS);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.yml')).sort() : [];
  if (!files.length) throw new Error(`no test files in ${dir}; run slokit generate first`);
  const state = readState(out, opts.promtoolVersion);
  const passed: Record<string, string> = {};
  const results = new Map<string, FileResult>();
  const todo: { file: string; hash: string; size: number; groups: number }[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const hash = inputsHash(dir, text, opts.promtoolVersion);
    const groups = (text.match(/^ {2}- name: /gm) ?? []).length;
    if (opts.changedOnly && state.passed[file] === hash) {
      passed[file] = hash;
      results.set(file, { file, status: 'unchanged', groups, seconds: 0, failures: [] });
    } else todo.push({ file, hash, size: statSync(join(dir, file)).size, groups });
  }
  let done = 0;
  for (const r of results.values()) opts.onFile?.(r, ++done, files.length);
  todo.sort((a, b) => b.size - a.size || (a.file < b.file ? -1 : 1));
  await inParallel(todo, opts.jobs, async (t) => {
    const started = performance.now();
    const run = await promtoolAsync(['test', 'rules', t.file], dir);
    const seconds = (performance.now() - started) / 1000;
    const failures = run.ok ? [] : readFailures(run.output);
    const r: FileResult = {
      file: t.file,
      status: run.ok ? 'passed' : 'failed',
      groups: t.groups,
      seconds,
      failures,
      ...(run.ok || failures.length ? {} : { raw: run.output.trim().split('\n').slice(0, 20).join('\n') }),
    };
    if (run.ok) passed[t.file] = t.hash;
    results.set(t.file, r);
    opts.onFile?.(r, ++done, files.length);
  });
  writeState(out, { promtool: opts.promtoolVersion, passed });
  return files.map((f) => results.get(f)!);
}
