/**
 * `npm run bench`: every benchmark, a table on stdout, bench/results.json and bench/RESULTS.md.
 * One benchmark alone: node dist/bench/run.js rule-cost|detection|generation|test|sdk|dashboards|serve
 * SLOKIT_BENCH_SIZES=10,100 and SLOKIT_BENCH_SERIES=200,1000 shrink the scaling runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../generators/paths.js';
import { benchDashboards } from './dashboards.bench.js';
import { measureDetection } from './detection.bench.js';
import { measureCli, measureStages, ONE_FORM } from './generation.bench.js';
import { benchTestPack } from './test-pack.bench.js';
import { renderResults, type Results } from './report.js';
import { measureRuleCost } from './rule-cost/rule-cost.bench.js';
import { ACCURACY_SHAPES } from './rule-cost/synthetic-traffic.js';
import { benchSdk } from './sdk.bench.js';
import { benchServe } from './serve.bench.js';
import { benchReport } from './slo-report.bench.js';

const SECTIONS = ['rule-cost', 'detection', 'generation', 'test', 'sdk', 'dashboards', 'serve', 'report'] as const;
const only = process.argv[2];
if (only && !(SECTIONS as readonly string[]).includes(only)) {
  console.error(`unknown benchmark ${JSON.stringify(only)}; choose one of ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const wanted = (s: (typeof SECTIONS)[number]) => !only || only === s;
const list = (name: string, fallback: number[]) => (process.env[name] ? process.env[name]!.split(',').map(Number) : fallback);
const log = (line: string) => console.error(line);

function version(command: string): string {
  try {
    return execFileSync(command, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return 'not installed';
  }
}

// A section run alone replaces its part of the last full run's results.
const resultsFile = join(PROJECT_ROOT, 'bench', 'results.json');
const previous = only && existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Results) : {};
const now = new Date().toISOString();
const results: Results = {
  ...previous,
  date: now,
  // A section run alone keeps the others' figures, so each says when it was measured.
  sectionDates: { ...(previous as Partial<Results>).sectionDates, ...Object.fromEntries(SECTIONS.filter(wanted).map((s) => [s, now])) },
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    prometheus: version('prometheus'),
    promtool: version('promtool'),
  },
};
if ((wanted('rule-cost') || wanted('detection')) && [results.machine.prometheus, results.machine.promtool].includes('not installed')) {
  console.error('the rule-cost and detection benchmarks run a real Prometheus: install it with tools/ensure-test-tools.sh (make test does), then run again');
  process.exit(2);
}
if (wanted('rule-cost')) {
  results.ruleCost = [];
  for (const series of list('SLOKIT_BENCH_SERIES', [200, 1000, 5000])) {
    log(`rule cost, ${series} raw series`);
    results.ruleCost.push(await measureRuleCost(series, log));
  }
  const middle = results.ruleCost[Math.floor((results.ruleCost.length - 1) / 2)]!.rawSeries;
  results.accuracyShapes = [];
  for (const shape of ACCURACY_SHAPES.filter((s) => s !== 'smooth')) {
    log(`accuracy, ${shape} shape, ${middle} raw series`);
    results.accuracyShapes.push(await measureRuleCost(middle, log, shape));
  }
}
if (wanted('detection')) {
  log('detection and reset time');
  results.detection = await measureDetection(log);
}
if (wanted('generation')) {
  results.generation = { runs: [], stages: {} };
  for (const services of list('SLOKIT_BENCH_SIZES', [10, 100, 1000, 5000])) {
    log(`generation, ${services} services`);
    results.generation.runs.push(...measureCli(services));
  }
  // What a large catalog that deploys one form writes (defaults.yaml outputs).
  for (const services of list('SLOKIT_BENCH_ONE_FORM_SIZES', [1000, 5000])) {
    log(`generation, ${services} services, outputs: ${ONE_FORM}`);
    results.generation.runs.push(...measureCli(services, ONE_FORM));
  }
  const stageSize = 1000;
  log(`generation stages, ${stageSize} services`);
  results.generation.stages = { services: stageSize, seconds: await measureStages(stageSize) };
}
if (wanted('test')) {
  const services = Number(process.env.SLOKIT_BENCH_TEST_SERVICES ?? 1000);
  log(`slokit test, bundled catalog and ${services} synthetic services`);
  results.test = await benchTestPack(services);
}
if (wanted('sdk')) {
  log('sdk overhead');
  results.sdk = await benchSdk();
}
if (wanted('dashboards')) {
  log('dashboard evaluation');
  results.dashboards = await benchDashboards();
}
if (wanted('serve')) {
  results.serve = await benchServe(log);
}
if (wanted('report')) {
  log('error budget report');
  results.report = await benchReport(log);
}

const markdown = renderResults(results);
console.log(markdown);
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(PROJECT_ROOT, 'bench', 'RESULTS.md'), markdown);
