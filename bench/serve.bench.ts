/**
 * How fast `slokit serve` shows the SLO list: for the bundled catalog (the baseline) and a
 * 500-service synthetic catalog (1,000 SLOs), each over its own real Prometheus holding recorded
 * series for every SLO. Measured in the same run: the server's answer with the query cache cold
 * (every request asks Prometheus) and warm, the page load in Debian's Chromium (navigation
 * start to the load event), and how long the filter takes to apply as one types.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { BUNDLED_CATALOG } from '../generators/paths.js';
import { loadModel } from '../generators/pipeline.js';
import type { Model } from '../generators/model/types.js';
import { launchChromium } from '../test/helpers/browser.js';
import { startPrometheus, startServe, type Running } from '../test/helpers/processes.js';
import { OpenMetrics, sampleTimes } from '../test/helpers/slo-history.js';
import type { BenchRow } from './dashboards.bench.js';
import { writeSyntheticCatalog } from './synthetic-catalog.js';

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((text) => ({ text, seconds: { m: 60, h: 3600, d: 86_400 }[text.slice(-1) as 'm']! * Number(text.slice(0, -1)) }));
/** Budget spent relative to the error budget, cycled over the SLOs: healthy, at risk, exhausted, burning. */
const SHARES = [0.05, 0.3, 0.8, 1.4, 0.1, 0.2, 24];

interface Served {
  readonly slos: number;
  readonly prometheus: Running;
  readonly cold: Running;
  readonly warm: Running;
}

async function serveFor(catalog: string, model: Model, dir: string): Promise<Served> {
  const now = Math.floor(Date.now() / 60_000) * 60;
  const times = sampleTimes(now, 10 * 60, 30 * 60);
  const om = new OpenMetrics();
  let i = 0;
  for (const s of model.services)
    for (const sli of s.slis) {
      const ratio = sli.errorBudget * SHARES[i++ % SHARES.length]!;
      om.sli({ service: s.name, sli: sli.name, labels: { env: 'production', cluster: 'main' }, errorBudget: sli.errorBudget, eventsPerSecond: 20, steps: [{ from: now - 30 * 86_400, ratio }], period: sli.period.seconds, burnWindows: WINDOWS }, times);
    }
  const tsdb = om.backfill(dir);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const prometheus = await startPrometheus(join(dir, 'prometheus.yml'), tsdb, ['--storage.tsdb.retention.time=60d']);
  const start = (ttl: string) => startServe(catalog, prometheus.url, ['--cache-ttl', ttl]);
  const started: Running[] = [];
  try {
    started.push(await start('0'), await start('60s'));
  } catch (e) {
    // Nothing is left running when a server does not come up.
    await Promise.all([prometheus.stop(), ...started.map((r) => r.stop())]);
    throw e;
  }
  return { slos: i, prometheus, cold: started[0]!, warm: started[1]! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function serverMs(base: Running, runs: number): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const body = await (await fetch(`${base.url}/`)).text();
    times.push(performance.now() - t0);
    bytes = Buffer.byteLength(body);
  }
  return { ms: median(times), bytes };
}

async function browserMs(browser: Browser, base: Running, runs: number): Promise<{ load: number; filter: number }> {
  const loads: number[] = [];
  const filters: number[] = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base.url}/`, { waitUntil: 'load' });
    loads.push(Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd')));
    filters.push(
      await page.evaluate(() => {
        const input = document.getElementById('filter-text') as HTMLInputElement;
        const t0 = performance.now();
        input.value = 'latency';
        input.dispatchEvent(new Event('input', { bubbles: true }));
        void document.body.offsetHeight; // include the layout the change causes
        return performance.now() - t0;
      }),
    );
    await page.close();
  }
  return { load: median(loads), filter: median(filters) };
}

/** A detail page, warm cache: navigation start to the load event, by which its charts are drawn (module scripts run first). */
async function detailMs(browser: Browser, base: Running, path: string, runs: number): Promise<number> {
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base.url}${path}`, { waitUntil: 'load' });
    if ((await page.locator('[data-drawn]').count()) !== 4) throw new Error(`the charts of ${path} were not drawn by the load event`);
    loads.push(Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd')));
    await page.close();
  }
  return median(loads);
}

export async function benchServe(log: (line: string) => void): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'slokit-bench-serve-'));
  const bigCatalog = writeSyntheticCatalog(BUNDLED_CATALOG, join(dir, 'big'), 500);
  const big = loadModel(bigCatalog).model;
  if (!big) throw new Error('synthetic catalog invalid');
  const browser = await launchChromium();
  const running: Served[] = [];
  try {
    const rows: BenchRow[] = [];
    const measured: Record<string, { slos: number; cold: { ms: number; bytes: number }; warm: { ms: number; bytes: number }; browserCold: { load: number; filter: number }; browserWarm: { load: number; filter: number }; detail: number }> = {};
    for (const [name, catalog, model] of [
      ['bundled', BUNDLED_CATALOG, loadModel(BUNDLED_CATALOG).model!],
      ['500 services', bigCatalog, big],
    ] as const) {
      log(`serve, ${name}`);
      const served = await serveFor(catalog, model, mkdtempSync(join(dir, 'tsdb-')));
      running.push(served);
      await serverMs(served.warm, 2); // templates compiled, connections open
      await browserMs(browser, served.warm, 1);
      measured[name] = {
        slos: served.slos,
        cold: await serverMs(served.cold, 15),
        warm: await serverMs(served.warm, 15),
        browserCold: await browserMs(browser, served.cold, 7),
        browserWarm: await browserMs(browser, served.warm, 7),
        detail: await detailMs(browser, served.warm, `/slo/${model.services[0]!.name}/${model.services[0]!.slis[0]!.name}`, 7),
      };
    }
    const base = measured.bundled!;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x the bundled catalog`;
    for (const [name, m] of Object.entries(measured)) {
      const vs = (pick: (x: typeof m) => number) => (m === base ? 'baseline' : ratio(pick(m), pick(base)));
      rows.push(
        { name: `list page in Chromium, ${name}, cache cold`, value: Math.round(m.browserCold.load), unit: 'ms', note: `${m.slos} SLOs; navigation start to load event, median of 7; ${vs((x) => x.browserCold.load)}` },
        { name: `list page in Chromium, ${name}, cache warm`, value: Math.round(m.browserWarm.load), unit: 'ms', note: vs((x) => x.browserWarm.load) },
        { name: `server answer, ${name}, cache cold`, value: Math.round(m.cold.ms), unit: 'ms', note: `${(m.cold.bytes / 1024).toFixed(0)} KiB of HTML; 11 queries to Prometheus; ${vs((x) => x.cold.ms)}` },
        { name: `server answer, ${name}, cache warm`, value: Math.round(m.warm.ms), unit: 'ms', note: vs((x) => x.warm.ms) },
        { name: `filter as you type, ${name}`, value: Number(m.browserWarm.filter.toFixed(1)), unit: 'ms', note: vs((x) => x.browserWarm.filter) },
        { name: `detail page with its 4 charts in Chromium, ${name}, cache warm`, value: Math.round(m.detail), unit: 'ms', note: vs((x) => x.detail) },
      );
    }
    return rows;
  } finally {
    await browser.close();
    for (const s of running) await Promise.all([s.cold.stop(), s.warm.stop(), s.prometheus.stop()]);
  }
}
