#!/usr/bin/env node
/**
 * slokit command line. Exit codes: 0 ok, 1 catalog or test failure, 2 usage error.
 * Errors are messages, never stack traces.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { groupedSeriesReport } from './emit/grouping-report.js';
import { emitPack, generatePack, type PackSummary } from './emit/pack.js';
import { PROJECT_ROOT, SCHEMA_DIR } from './paths.js';
import { loadModel } from './pipeline.js';
import type { ParseCache } from './load/parse-cache.js';
import { loadParseCache } from './load/yaml-source.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from './promtool.js';
import type { FileResult } from './test-pack.js';
import { VERDICT_CACHE_ENV, verdictCacheDir } from './verdict-cache.js';
import { formatProblem } from './validate/problems.js';
import { checkOutputDir, danglingPackLinks, diffOutput, OutputError, OutputWriter, PARSED_CATALOG } from './write/output-dir.js';
import { LockHeld } from './write/output-lock.js';
import { kubernetesSizeWarnings } from './write/kubernetes-limits.js';
import { SynthesisError } from './emit/promtool-tests/input-series.js';
import { DashboardError } from './emit/dashboards/errors.js';
import { RunbookTemplateError } from './emit/runbooks/render.js';

/**
 * Each command's own modules load when it runs: loading every command's for `generate` cost
 * 0.15 s of each run (and of every CLI process the tests start).
 */
const IMPORTERS = {
  sloth: async () => (await import('./import/sloth.js')).importSloth,
  openslo: async () => (await import('./import/openslo.js')).importOpenSlo,
  pyrra: async () => (await import('./import/pyrra.js')).importPyrra,
};

class ExitError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

function modelOrExit(catalog: string, scale?: string, cache?: ParseCache) {
  const { model, problems } = loadModel(catalog, { scale }, undefined, cache);
  if (!model) {
    throw new ExitError(`${problems.map(formatProblem).join('\n')}\n\n${problems.length} problem(s) in ${catalog}; nothing was written.`, 1);
  }
  return model;
}

async function generate(opts: { catalog: string; out: string; check?: boolean; dashboardOverrides?: string; scale?: string; reuse?: boolean }): Promise<void> {
  const parsedCatalog = join(opts.out, PARSED_CATALOG);
  const cache = loadParseCache(parsedCatalog);
  const model = modelOrExit(opts.catalog, opts.scale, cache);
  if (opts.dashboardOverrides && !existsSync(opts.dashboardOverrides)) throw new ExitError(`dashboard overrides file ${opts.dashboardOverrides} not found`, 2);
  const options = { dashboardOverrides: opts.dashboardOverrides };
  if (opts.check) {
    const pack = await generatePack(model, options);
    const diffs = diffOutput(opts.out, pack.files, pack.records);
    if (diffs.length) throw new ExitError(`${opts.out} is not what ${opts.catalog} generates:\n${diffs.map((d) => `  ${d}`).join('\n')}\nRun: slokit generate --catalog ${opts.catalog} --out ${opts.out}`, 1);
    console.log(`${opts.out} is up to date (${pack.files.size} files).`);
    return;
  }
  checkOutputDir(opts.out, [opts.catalog, PROJECT_ROOT, process.cwd()]);
  const writer = new OutputWriter(opts.out);
  let s: PackSummary;
  let reused = 0;
  try {
    // Services whose key is unchanged since the pack being replaced take their files from it.
    const previous = opts.reuse === false ? undefined : { services: writer.previous?.services ?? {}, suites: writer.previous?.suites ?? {}, reuse: (paths: readonly string[]) => writer.reuse(paths) };
    const emitted = await emitPack(model, options, (path, text) => writer.add(path, text), previous);
    s = emitted.summary;
    reused = emitted.reused.size;
    writer.setRecords(emitted.records);
    // Under the writer's lock, so two runs do not write it at once.
    cache.save(parsedCatalog);
  } catch (e) {
    writer.abort();
    throw e;
  }
  const result = writer.commit();
  console.log(
    [
      `slokit: generated ${result.written} files into ${opts.out}/${model.scale ? ` for scale ${model.scale.name} (${model.scale.users.toLocaleString('en-US')} users)` : ''}${reused ? ` (${reused} of ${s.services} services unchanged, their files reused)` : ''}`,
      `  services: ${s.services}   SLIs: ${s.slis}   saturation resources: ${s.saturationResources}`,
      `  recording rules: ${s.recordingRules}   alert rules: ${s.alertRules}   rule groups: ${s.ruleGroups}`,
      `  promtool test groups: ${s.testGroups}   test cases: ${s.testCases}`,
      `  dashboards: ${s.dashboards}   panels: ${s.panels}   runbooks: ${s.runbooks} with ${s.runbookSections} alert sections`,
      ...groupedSeriesReport(model).map((line) => `  grouped SLI ${line}`),
      `  rules: ${join(opts.out, 'prometheus', 'rules')}/   tests: ${join(opts.out, 'prometheus', 'tests')}/   dashboards: ${join(opts.out, 'grafana', 'dashboards')}/`,
      ...(result.pruned.length ? [`  pruned stale files: ${result.pruned.join(', ')}`] : []),
      ...(result.kept.length ? [`  kept ${result.kept.length} file(s) slokit did not write: ${listSome(result.kept)}`] : []),
    ].join('\n'),
  );
  for (const w of kubernetesSizeWarnings(opts.out, result.paths)) console.error(`slokit: warning: ${w}`);
}

function listSome(items: readonly string[], max = 10): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

async function test(opts: { out: string; jobs: string; changed?: boolean; cache?: string }): Promise<void> {
  if (!promtoolAvailable()) throw new ExitError(PROMTOOL_MISSING, 1);
  if (!existsSync(opts.out)) throw new ExitError(`${opts.out} does not exist; run slokit generate first`, 1);
  const dangling = danglingPackLinks(opts.out);
  if (dangling) throw new ExitError(dangling, 1);
  const jobs = Number(opts.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new ExitError('--jobs takes a whole number above 0', 2);
  const promtool = promtoolVersion();
  const { checkPackRules, testPack } = await import('./test-pack.js');
  const check = await checkPackRules(opts.out, { jobs, changedOnly: opts.changed ?? false, promtoolVersion: promtool });
  process.stdout.write(check.output);
  if (check.checked < check.files) console.log(`promtool check rules: ${check.files - check.checked} of ${check.files} rule file(s) unchanged since they last passed`);
  if (!check.ok) throw new ExitError('promtool check rules failed (warnings count as failures)', 1);
  const started = performance.now();
  const progress = testProgress(process.stderr);
  const cacheDir = verdictCacheDir(opts.cache);
  const results = await testPack(opts.out, { jobs, changedOnly: opts.changed ?? false, promtoolVersion: promtool, onFile: progress, ...(cacheDir ? { cacheDir } : {}) });
  const count = (s: FileResult['status']) => results.filter((r) => r.status === s);
  const failed = count('failed');
  for (const r of failed) {
    console.log(`FAILED ${r.file}:`);
    for (const f of r.failures) console.log(`  ${f.group}\n    ${f.reason}`);
    if (r.raw) console.log(r.raw.replace(/^/gm, '    '));
  }
  const groups = (rs: readonly FileResult[]) => rs.reduce((n, r) => n + r.groups, 0);
  console.log(
    `${results.length} test file(s), ${groups(results)} test group(s): ${count('passed').length} file(s) passed, ${failed.length} failed (${failed.reduce((n, r) => n + r.failures.length, 0)} failing check(s))` +
      `${opts.changed ? `, ${count('unchanged').length} unchanged since they last passed` : ''}` +
      `${cacheDir ? `, ${results.filter((r) => r.cached).length} passed before with the same inputs (cache ${cacheDir})` : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s with ${jobs} promtool process(es) at a time.`,
  );
  if (failed.length) throw new ExitError('promtool test rules failed', 1);
}

/** A progress bar on a terminal; elsewhere one line per finished file. */
function testProgress(stream: NodeJS.WriteStream): (r: FileResult, done: number, of: number) => void {
  let failed = 0;
  return (r, done, of) => {
    if (r.status === 'failed') failed++;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round((done / of) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${of} test files${failed ? `, ${failed} failed` : ''}${done === of ? '\n' : ''}`);
    } else {
      const took = r.status === 'unchanged' ? '' : r.cached ? ' (cached)' : ` (${r.seconds.toFixed(1)} s)`;
      stream.write(`${r.status === 'failed' ? 'FAIL' : r.status === 'passed' ? 'ok  ' : 'same'} ${r.file}${took} [${done}/${of}]\n`);
    }
  };
}

async function conformance(opts: { catalog: string; service: string; url: string; maxSeries: string }): Promise<void> {
  const model = modelOrExit(opts.catalog);
  let text: string;
  try {
    const res = await fetch(opts.url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (e) {
    throw new ExitError(`could not scrape ${opts.url}: ${(e as Error).message}`, 1);
  }
  const max = Number(opts.maxSeries);
  if (!Number.isInteger(max) || max < 1) throw new ExitError('--max-series takes a whole number above 0', 2);
  const { checkConformance, formatResults } = await import('./conformance/check.js');
  const results = checkConformance(model, opts.service, text, { maxSeriesPerMetric: max });
  console.log(formatResults(results));
  const failed = results.filter((r) => !r.ok).length;
  if (failed) throw new ExitError(`${opts.service} does not conform: ${failed} check(s) failed`, 1);
  console.log(`${opts.service} conforms to its catalog entry (${results.length} checks).`);
}

/** An option in seconds ("10s" or "10") as milliseconds, within [min, max] seconds (min excluded when 0 is not allowed). */
function secondsOption(name: string, text: string, { min = 0, max = Infinity, zero = false } = {}): number {
  const seconds = Number(text.replace(/s$/, ''));
  if (!Number.isFinite(seconds) || seconds < min || seconds > max || (seconds === 0 && !zero)) {
    throw new ExitError(`${name} takes seconds${Number.isFinite(max) ? ` between ${min} and ${max}` : ''}, e.g. 10s`, 2);
  }
  return seconds * 1000;
}

/** --timeout in seconds as milliseconds. */
const timeoutOption = (text: string) => secondsOption('--timeout', text);

function parseShare(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) return undefined;
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  return v >= 0 && v <= 1 ? v : undefined;
}

async function preflight(opts: { catalog: string; prometheus: string; services?: string; minBudget: string; format: string; timeout: string }): Promise<void> {
  const model = modelOrExit(opts.catalog);
  const minBudget = parseShare(opts.minBudget);
  if (minBudget === undefined) throw new ExitError(`--min-budget takes a share such as 25% or 0.25, not ${JSON.stringify(opts.minBudget)}`, 2);
  if (opts.format !== 'table' && opts.format !== 'json') throw new ExitError('--format is table or json', 2);
  const timeoutMs = timeoutOption(opts.timeout);
  const services = opts.services ? opts.services.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const unknown = (services ?? []).filter((s) => !model.services.some((x) => x.name === s));
  if (unknown.length) throw new ExitError(`not in the catalog: ${unknown.join(', ')}`, 2);
  const { preflightTable, runPreflight } = await import('./preflight/preflight.js');
  const { PrometheusUnavailable } = await import('./prometheus-api.js');
  let verdicts;
  try {
    verdicts = await runPreflight(model, opts.prometheus, { services, minBudget, timeoutMs });
  } catch (e) {
    if (e instanceof PrometheusUnavailable) throw new ExitError(`${e.message}; refusing to call anything safe without data`, 2);
    throw e;
  }
  console.log(opts.format === 'json' ? JSON.stringify({ safe: verdicts.every((v) => v.safe), services: verdicts }, null, 2) : preflightTable(verdicts));
  const blocked = verdicts.filter((v) => !v.safe);
  if (blocked.length) throw new ExitError(`not safe to upgrade: ${blocked.map((v) => v.service).join(', ')}`, 1);
}

async function report(opts: { catalog: string; prometheus: string; month?: string; last?: string; timezone: string; team?: string; service?: string; environment?: string; format: string; output?: string; timeout: string }): Promise<void> {
  if (!['markdown', 'html', 'json'].includes(opts.format)) throw new ExitError('--format is markdown, html or json', 2);
  const timeoutMs = timeoutOption(opts.timeout);
  const model = modelOrExit(opts.catalog);
  const { reportFor, ReportRequestError } = await import('./report/request.js');
  const { MissingHistory } = await import('./report/collect.js');
  const { PrometheusUnavailable } = await import('./prometheus-api.js');
  let result;
  try {
    result = await reportFor(model, opts, { prometheusUrl: opts.prometheus, timeoutMs, now: Date.now() / 1000, asker: 'command', defaultToLastMonth: false });
  } catch (e) {
    if (e instanceof ReportRequestError) throw new ExitError(e.message, 2);
    if (e instanceof PrometheusUnavailable || e instanceof MissingHistory) throw new ExitError(`${e.message}; no report was written`, 2);
    throw e;
  }
  const text =
    opts.format === 'json'
      ? `${JSON.stringify(result, null, 2)}\n`
      : opts.format === 'html'
        ? (await import('./report/html.js')).reportHtml(result)
        : (await import('./report/markdown.js')).reportMarkdown(result);
  if (opts.output) {
    const { writeWhole } = await import('./write/state-file.js');
    writeWhole(opts.output, text);
  } else process.stdout.write(text);
}

async function capacity(opts: { catalog: string; scale: string; prometheus?: string; format: string; timeout: string }): Promise<void> {
  if (!['table', 'markdown', 'json'].includes(opts.format)) throw new ExitError('--format is table, markdown or json', 2);
  const timeoutMs = timeoutOption(opts.timeout);
  const model = modelOrExit(opts.catalog, opts.scale);
  const { capacityMarkdown, capacityReport, capacityTable } = await import('./capacity/capacity.js');
  const { PrometheusUnavailable } = await import('./prometheus-api.js');
  let report;
  try {
    report = await capacityReport(model, { prometheusUrl: opts.prometheus, timeoutMs });
  } catch (e) {
    if (e instanceof PrometheusUnavailable) throw new ExitError(e.message, 2);
    throw e;
  }
  const next = model.scales.find((s) => s.users > model.scale!.users);
  if (opts.format === 'json') console.log(JSON.stringify(report, null, 2));
  else if (opts.format === 'markdown') process.stdout.write(capacityMarkdown(report, next));
  else console.log(capacityTable(report));
}

async function serve(opts: { catalog: string; prometheus: string; host: string; port: string; cacheTtl: string; timeout: string; scale?: string }): Promise<void> {
  if (!/^https?:\/\/[^\s]+$/.test(opts.prometheus)) throw new ExitError('--prometheus takes an http(s) URL, e.g. http://127.0.0.1:9090', 2);
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExitError('--port takes a port number (0 picks a free one)', 2);
  const cacheTtlMs = secondsOption('--cache-ttl', opts.cacheTtl, { max: 300, zero: true });
  const model = modelOrExit(opts.catalog, opts.scale);
  const { buildServer } = await import('./serve/server.js');
  let app;
  try {
    app = buildServer(model, { prometheusUrl: opts.prometheus, host: opts.host, cacheTtlMs, timeoutMs: timeoutOption(opts.timeout) });
    await app.listen({ host: opts.host, port });
  } catch (e) {
    if (e instanceof ExitError) throw e;
    throw new ExitError(`cannot serve on ${opts.host}:${port}: ${(e as Error).message}`, 1);
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const slis = model.services.reduce((n, s) => n + s.slis.length, 0);
  console.log(`slokit serve: http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${bound}/ (${model.services.length} services, ${slis} SLOs; Prometheus ${opts.prometheus}; Ctrl-C stops)`);
  await new Promise<void>((done) => {
    const stop = () => void app.close().then(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function scorecardCommand(opts: { catalog: string; format: string; minLevel?: string; alertTests: boolean }): Promise<void> {
  if (!['table', 'markdown', 'json'].includes(opts.format)) throw new ExitError('--format is table, markdown or json', 2);
  const min = opts.minLevel === undefined ? undefined : Number(opts.minLevel);
  if (min !== undefined && (!Number.isInteger(min) || min < 0)) throw new ExitError('--min-level takes a whole number, e.g. 2', 2);
  const model = modelOrExit(opts.catalog);
  if (!model.maturity.length) throw new ExitError(`${join(opts.catalog, 'maturity.yaml')} does not exist; copy the bundled catalog/maturity.yaml and adjust its levels`, 1);
  const top = model.maturity.length;
  if (min !== undefined && min > top) throw new ExitError(`--min-level ${min} is above the highest level (${top}) of maturity.yaml`, 2);
  const { scorecard, scorecardMarkdown, scorecardTable } = await import('./maturity/scorecard.js');
  const scores = await scorecard(model, await generatePack(model), { alertTests: opts.alertTests });
  if (opts.format === 'json') console.log(JSON.stringify({ levels: model.maturity, services: scores }, null, 2));
  else if (opts.format === 'markdown') process.stdout.write(scorecardMarkdown(model, scores));
  else console.log(scorecardTable(model, scores));
  const below = min === undefined ? [] : scores.filter((s) => s.level < min);
  if (below.length) throw new ExitError(`below level ${min}: ${below.map((s) => `${s.service} (level ${s.level})`).join(', ')}`, 1);
}

async function newService(name: string, opts: { catalog: string; team: string }): Promise<void> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 30) {
    throw new ExitError(`invalid service name ${JSON.stringify(name)}: use lower-case letters, digits and single dashes, starting with a letter, at most 30 characters`, 2);
  }
  const dir = join(opts.catalog, 'services');
  const path = join(dir, `${name}.yaml`);
  if (existsSync(path)) throw new ExitError(`${path} already exists`, 1);
  const { newServiceYaml } = await import('./new-service.js');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, newServiceYaml(name, opts.team), { flag: 'wx' });
  console.log(`wrote ${path}; fill in the TODOs, then run: slokit validate --catalog ${opts.catalog}`);
}

async function importSpecs(tool: keyof typeof IMPORTERS, files: string[], opts: { catalog: string; team?: string; skipUnsupported?: boolean; slothPeriod?: string }): Promise<void> {
  if (opts.slothPeriod !== undefined && opts.slothPeriod !== '28d' && opts.slothPeriod !== '30d') throw new ExitError('--sloth-period takes 28d or 30d, the periods of Sloth\'s built-in windows', 2);
  const { readSpecs } = await import('./import/read-specs.js');
  const { formatFinding, sortFindings } = await import('./import/draft.js');
  const { CatalogTargetError, importContext, writeImported } = await import('./import/write-catalog.js');
  const read = readSpecs(files);
  if (read.problems.length) throw new ExitError(`${read.problems.map(formatProblem).join('\n')}\n\nnothing was imported.`, 1);
  let ctx;
  try {
    ctx = { ...importContext(opts.catalog, opts.team), ...(opts.slothPeriod ? { slothPeriod: opts.slothPeriod as '28d' | '30d' } : {}) };
  } catch (e) {
    if (e instanceof CatalogTargetError) throw new ExitError(e.message, 1);
    throw e;
  }
  const result = (await IMPORTERS[tool]())(read.sources, ctx);
  for (const f of sortFindings(result.findings)) console.error(formatFinding(f));
  const errors = result.findings.filter((f) => f.level === 'error').length;
  const unsupported = result.findings.filter((f) => f.level === 'unsupported').length;
  if (errors) throw new ExitError(`${errors} error(s) in the ${tool} specs; nothing was imported.`, 1);
  if (unsupported && !opts.skipUnsupported) throw new ExitError(`${unsupported} part(s) cannot be converted (listed above); nothing was imported. Pass --skip-unsupported to import the rest.`, 1);
  if (!result.services.length) throw new ExitError('no service could be converted; nothing was imported.', 1);
  const written = writeImported(opts.catalog, result.services, tool, result.policies, result.journeys);
  if (written.problems.length) throw new ExitError(`${written.problems.map((p) => ('level' in p ? formatFinding(p) : formatProblem(p))).join('\n')}\n\nnothing was imported.`, 1);
  const slis = result.services.reduce((n, s) => n + s.slis.length, 0);
  const journeys = result.journeys?.length ? ` and ${result.journeys.length} journey(s)` : '';
  console.log(`slokit: imported ${result.services.length} service(s) with ${slis} SLI(s)${journeys} into ${opts.catalog}${unsupported ? ` (${unsupported} part(s) skipped, listed above)` : ''}:\n${written.written.map((w) => `  ${w}`).join('\n')}`);
}

async function exportSpecs(opts: { catalog: string; out?: string }): Promise<void> {
  const model = modelOrExit(opts.catalog);
  const { exportOpenSlo } = await import('./export/openslo.js');
  const result = exportOpenSlo(model);
  for (const s of result.skipped) console.error(`slokit: not exported (OpenSLO cannot express it): ${s}`);
  if (!opts.out || opts.out === '-') {
    process.stdout.write(result.text);
    return;
  }
  const tmp = `${opts.out}.tmp-${process.pid}`;
  writeFileSync(tmp, result.text);
  renameSync(tmp, opts.out);
  console.log(`slokit: wrote ${result.documents} OpenSLO documents to ${opts.out}${result.skipped.length ? ` (${result.skipped.length} SLI(s) not exported, listed above)` : ''}`);
}

async function schema(opts: { check?: boolean }): Promise<void> {
  const { jsonSchemaFiles } = await import('./schema/emit-json-schema.js');
  const files = jsonSchemaFiles();
  const stale = [...files].filter(([name, text]) => !existsSync(join(SCHEMA_DIR, name)) || readFileSync(join(SCHEMA_DIR, name), 'utf8') !== text);
  if (opts.check) {
    if (stale.length) throw new ExitError(`catalog/schema is out of date (${stale.map(([n]) => n).join(', ')}); run: make schema`, 1);
    console.log(`catalog/schema is up to date (${files.size} files).`);
    return;
  }
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(SCHEMA_DIR, name), text);
  console.log(`wrote ${files.size} JSON Schema files to ${SCHEMA_DIR}`);
}

export function program(): Command {
  const p = new Command('slokit')
    .description('SLO generator: service catalog in; Prometheus rules, burn-rate alerts and promtool tests out.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const catalogOpt = () => new Option('--catalog <dir>', 'catalog directory').default('catalog');
  const outOpt = () => new Option('--out <dir>', 'output directory').default('out');
  const timeoutOpt = (seconds = 10) => new Option('--timeout <seconds>', 'per query').default(`${seconds}s`);
  const prometheusOpt = () => new Option('--prometheus <url>', 'Prometheus base URL, e.g. http://127.0.0.1:9090').makeOptionMandatory();
  p.command('generate')
    .description('validate the catalog and write the pack (atomically) into the output directory')
    .addOption(catalogOpt())
    .addOption(outOpt())
    .option('--check', 'write nothing; exit 1 and list files when the output directory is not what the catalog generates')
    .option('--scale <name>', 'generate for a deployment scale of catalog/scales/ (its thresholds and objectives apply)')
    .option('--dashboard-overrides <file>', 'jsonnet file merged onto the dashboards, e.g. { grafanaDashboards+: { \'registry.json\'+: { refresh: \'30s\' } } }')
    .option('--no-reuse', 'generate every service again, even those unchanged since the pack in the output directory')
    .action((o) => generate(o));
  p.command('validate')
    .description('check the catalog and report every problem; writes nothing')
    .addOption(catalogOpt())
    .action((o: { catalog: string }) => {
      const model = modelOrExit(o.catalog);
      console.log(`${o.catalog}: ${model.services.length} services, ${model.services.reduce((n, s) => n + s.slis.length, 0)} SLIs${model.journeys.length ? `, ${model.journeys.length} journeys` : ''}, no problems.`);
    });
  p.command('test')
    .description('run promtool check rules, then the generated promtool tests in parallel, on a generated pack')
    .addOption(outOpt())
    .option('--jobs <n>', 'promtool processes at a time', String(availableParallelism()))
    .option('--changed', 'skip test files that passed before with the same test and rule files')
    .option('--cache <dir>', `remember each pass in <dir> by the hash of what promtool read, and skip any run whose inputs passed before, in any pack (default: $${VERDICT_CACHE_ENV})`)
    .action((o) => test(o));
  p.command('conformance')
    .description("scrape a running service and check it exposes what its catalog entry's SLIs query")
    .requiredOption('--service <name>', 'service name in the catalog')
    .requiredOption('--url <url>', 'the metrics endpoint, e.g. http://127.0.0.1:8080/metrics')
    .addOption(catalogOpt())
    .option('--max-series <n>', 'cardinality budget per metric family', '1000')
    .action((o) => conformance(o));
  p.command('preflight')
    .description('before an upgrade: error budget, burn rates, firing SLO alerts and version skew from a live Prometheus; exit 1 when not safe, 2 when Prometheus cannot answer')
    .addOption(prometheusOpt())
    .option('--services <list>', 'comma-separated services to check (default: all)')
    .option('--min-budget <share>', 'error budget that must be left, e.g. 25%', '25%')
    .option('--format <format>', 'table or json', 'table')
    .addOption(timeoutOpt())
    .addOption(catalogOpt())
    .action((o) => preflight(o));
  p.command('report')
    .description('error budget report over a calendar month or the last days, per SLO, team and tier, with the incidents that spent it; exit 2 when Prometheus cannot answer or lacks history')
    .addOption(prometheusOpt())
    .option('--month <YYYY-MM>', 'a calendar month, e.g. 2026-11')
    .option('--last <span>', 'the span up to now, e.g. 30d')
    .option('--timezone <zone>', 'where months begin and times are shown (IANA name)', 'UTC')
    .option('--team <team>', "only the SLIs this team owns")
    .option('--service <name>', 'only this service')
    .option('--environment <name>', "only this value of the catalog's environment label")
    .option('--format <format>', 'markdown, html or json', 'markdown')
    .option('--output <file>', 'write the report here (whole or not at all) instead of to standard output')
    .addOption(timeoutOpt(30))
    .addOption(catalogOpt())
    .action((o) => report(o));
  p.command('capacity')
    .description('per service and saturation resource: utilisation (expected by the scale, or measured), headroom and when the trend reaches the hard threshold')
    .requiredOption('--scale <name>', 'deployment scale of catalog/scales/, e.g. 10k')
    .option('--prometheus <url>', 'Prometheus base URL for measured utilisation and forecasts')
    .option('--format <format>', 'table, markdown (capacity planning guidance) or json', 'table')
    .addOption(timeoutOpt())
    .addOption(catalogOpt())
    .action((o) => capacity(o));
  p.command('scorecard')
    .description("each service's operational maturity level (catalog/maturity.yaml) and exactly what it misses, with how to fix it; exit 1 when a service is below --min-level")
    .option('--format <format>', 'table, markdown or json', 'table')
    .option('--min-level <n>', 'exit 1 when a service is below this level (for CI of a catalog repository)')
    .option('--no-alert-tests', 'do not run the generated alert tests (the alert-tests criterion then counts as missing)')
    .addOption(catalogOpt())
    .action((o) => scorecardCommand(o));
  p.command('serve')
    .description('serve a live SLO web UI (every SLO by budget left, a page per SLI, the runbooks) and its JSON API, from the recorded series in Prometheus')
    .addOption(prometheusOpt())
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '9099')
    .option('--cache-ttl <seconds>', 'how long an answer from Prometheus is reused for every open page', '10s')
    .option('--scale <name>', 'use the thresholds and objectives of a deployment scale of catalog/scales/')
    .addOption(timeoutOpt(5))
    .addOption(catalogOpt())
    .action((o) => serve(o));
  p.command('new-service')
    .description('write a commented catalog entry for a new service')
    .argument('<name>', 'service name (lower-case, dashes)')
    .addOption(catalogOpt())
    .option('--team <team>', 'owning team (must be in teams.yaml)', 'TODO-team')
    .action((name: string, o) => newService(name, o));
  const importCmd = p.command('import').description('convert SLO specs of other tools into catalog files');
  for (const [tool, what] of [['sloth', 'Sloth prometheus/v1 specs (and PrometheusServiceLevel objects)'], ['openslo', 'OpenSLO v1 Service, SLO and SLI documents'], ['pyrra', 'Pyrra ServiceLevelObjective objects']] as const) {
    const cmd = importCmd
      .command(tool)
      .description(`add ${what} to a catalog (a new catalog is made from the bundled defaults); every part that cannot be converted is reported with its location`)
      .argument('<files...>', 'spec files (several documents per file are fine)')
      .addOption(catalogOpt())
      .option('--team <team>', 'team of every imported service (must be in teams.yaml of an existing catalog)')
      .option('--skip-unsupported', 'import what converts, listing the rest, instead of importing nothing');
    if (tool === 'sloth') cmd.option('--sloth-period <period>', "the period of Sloth's built-in windows the specs ran with (sloth generate --default-slo-period): 30d or 28d", '30d');
    cmd.action((files: string[], o) => importSpecs(tool, files, o));
  }
  p.command('export')
    .description('write the catalog in another format')
    .command('openslo')
    .description('write the catalog as OpenSLO v1 documents (a Service per service, an SLO per SLI); SLIs OpenSLO cannot express are listed')
    .addOption(catalogOpt())
    .option('--out <file>', 'file to write (default: standard output)')
    .action((o) => exportSpecs(o));
  p.command('schema')
    .description('write catalog/schema/*.json from the schema source (for editors)')
    .option('--check', 'exit 1 when the committed JSON Schema is out of date')
    .action((o) => schema(o));
  for (const c of p.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return p;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(program().helpInformation());
    return 2;
  }
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof ExitError) {
      console.error(`slokit: ${e.message}`);
      return e.code;
    }
    if (e instanceof OutputError || e instanceof LockHeld || e instanceof SynthesisError || e instanceof DashboardError || e instanceof RunbookTemplateError) {
      console.error(`slokit: ${e.message}`);
      return 1;
    }
    console.error(`slokit: internal error: ${(e as Error).message}\nPlease report this with the catalog that caused it.`);
    return 70;
  }
}

if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
