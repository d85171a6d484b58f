/**
 * `slokit report --month 2026-11` against a real Prometheus holding two months of recorded SLO
 * series (October for the trend, November reported), for the bundled catalog and for a
 * synthetic catalog of 1,000 SLOs: wall time, Prometheus queries and peak memory of the CLI.
 * Every tenth SLO has a two-hour incident (a page firing a sample a minute). Samples are written
 * `SPACING` apart, coarser than the minute the rules record at, to keep the backfill small:
 * Prometheus reads fewer samples per query than it would, slokit's own work is the same.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModel } from '../generators/pipeline.js';
import { BUNDLED_CATALOG, PROJECT_ROOT } from '../generators/paths.js';
import { startPrometheus } from '../test/helpers/processes.js';
import { writeSyntheticCatalog } from './synthetic-catalog.js';

/** Journeys of the synthetic catalog, four SLOs each: a platform's user journeys are tens, not thousands. */
const JOURNEYS = 50;

export interface ReportBenchRow {
  readonly catalog: string;
  readonly slos: number;
  readonly journeys: number;
  /** Seconds between the backfilled samples of each recorded series. */
  readonly spacing: number;
  readonly samples: number;
  readonly incidents: number;
  readonly seconds: number;
  readonly queries: number;
  readonly peakBytes: number;
}

const utc = (iso: string) => Date.parse(iso) / 1000;
const FROM = utc('2026-10-01T00:00:00Z');
const TO = utc('2026-12-01T00:00:00Z');
export const SPACING = 1800;

/** Writes the OpenMetrics text a series at a time (a string of it all would be half a gigabyte). */
function writeHistory(file: string, slos: readonly { service: string; sli: string }[]): number {
  const fd = openSync(file, 'w');
  let samples = 0;
  const family = (name: string, rows: () => Iterable<string>) => {
    writeSync(fd, `# TYPE ${name} gauge\n`);
    let chunk: string[] = [];
    for (const line of rows()) {
      chunk.push(line);
      samples++;
      if (chunk.length >= 10_000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  };
  const times = Array.from({ length: (TO - FROM) / SPACING + 1 }, (_, i) => FROM + i * SPACING);
  const labels = (s: { service: string; sli: string }) => `{service="${s.service}",sli="${s.sli}",env="production",cluster="main"}`;
  const incident = (i: number) => (i % 10 === 0 ? { start: utc('2026-11-01T00:00:00Z') + ((i * 7919) % (28 * 86_400)), seconds: 7200 } : undefined);
  family('up', function* () {
    for (const t of times) yield `up{job="prometheus"} 1 ${t}`;
  });
  for (const [name, errors] of [['sli:events_total:rate5m', false], ['sli:events_bad:rate5m', true]] as const) {
    family(name, function* () {
      for (const [i, s] of slos.entries()) {
        const inc = incident(i);
        const l = labels(s);
        for (const t of times) {
          const traffic = 10 + (i % 7);
          const bad = inc && t > inc.start && t <= inc.start + inc.seconds ? 0.05 : 0.0003;
          yield `${name}${l} ${errors ? traffic * bad : traffic} ${t}`;
        }
      }
    });
  }
  family('ALERTS', function* () {
    for (const [i, s] of slos.entries()) {
      const inc = incident(i);
      if (!inc) continue;
      for (let t = inc.start + 240; t <= inc.start + inc.seconds; t += 60) yield `ALERTS{alertname="SlokitErrorBudgetBurnFast",alertstate="firing",severity="critical",${labels(s).slice(1)} 1 ${t}`;
    }
  });
  writeSync(fd, '# EOF\n');
  closeSync(fd);
  return samples;
}

async function measure(name: string, catalog: string, scratch: string, log: (line: string) => void): Promise<ReportBenchRow> {
  const model = loadModel(catalog).model!;
  const slos = model.services.flatMap((s) => s.slis.map((sli) => ({ service: s.name, sli: sli.name })));
  const dir = join(scratch, name.replace(/\W+/g, '-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  const samples = writeHistory(join(dir, 'history.om'), slos);
  log(`  report: ${name}, ${slos.length} SLOs, ${samples.toLocaleString('en-US')} samples backfilled`);
  const backfill = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=768h', join(dir, 'history.om'), join(dir, 'data')], { encoding: 'utf8' });
  if (backfill.status !== 0) throw new Error(`backfill failed: ${backfill.stderr}`);
  rmSync(join(dir, 'history.om'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const prometheus = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'data'), ['--storage.tsdb.retention.time=5y']);
  try {
    const rss = join(dir, 'rss');
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      ['--import', join(PROJECT_ROOT, 'dist', 'bench', 'peak-rss.js'), join(PROJECT_ROOT, 'dist', 'generators', 'cli.js'), 'report', '--catalog', catalog, '--prometheus', prometheus.url, '--month', '2026-11', '--format', 'json', '--timeout', '120s'],
      { env: { ...process.env, SLOKIT_BENCH_RSS_FILE: rss }, encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`slokit report exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const report = JSON.parse(r.stdout) as { prometheus: { queries: number }; slos: { incidents: unknown[]; verdict: string }[]; journeys: { verdict: string }[] };
    const measured = report.slos.filter((s) => s.verdict !== 'no-data').length;
    if (measured !== slos.length) throw new Error(`the report measured ${measured} of ${slos.length} SLOs`);
    const journeys = report.journeys.filter((j) => j.verdict !== 'no-data').length;
    if (journeys !== model.journeys.length) throw new Error(`the report measured ${journeys} of ${model.journeys.length} journeys`);
    return { catalog: name, slos: slos.length, journeys, spacing: SPACING, samples, incidents: report.slos.reduce((n, s) => n + s.incidents.length, 0), seconds, queries: report.prometheus.queries, peakBytes: Number(readFileSync(rss, 'utf8')) };
  } finally {
    await prometheus.stop();
  }
}

export async function benchReport(log: (line: string) => void): Promise<ReportBenchRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'slokit-report-bench-'));
  try {
    const synthetic = writeSyntheticCatalog(BUNDLED_CATALOG, join(scratch, 'synthetic'), 200, 5, JOURNEYS);
    return [await measure('bundled', BUNDLED_CATALOG, scratch, log), await measure(`1,000 SLOs (200 synthetic services × 5) and ${JOURNEYS} journeys`, synthetic, scratch, log)];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
