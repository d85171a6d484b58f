/**
 * How long jsonnet takes to evaluate the dashboards: for the bundled catalog (the baseline)
 * and for a 500-service synthetic catalog, in the same run. Median of several runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderDashboards } from '../generators/emit/dashboards/evaluate.js';
import { BUNDLED_CATALOG } from '../generators/paths.js';
import { loadModel } from '../generators/pipeline.js';
import type { Model } from '../generators/model/types.js';
import { writeSyntheticCatalog } from './synthetic-catalog.js';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note: string;
}

async function median(model: Model, runs: number): Promise<{ ms: number; dashboards: number; panels: number }> {
  const times: number[] = [];
  let dashboards = 0;
  let panels = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = await renderDashboards(model);
    times.push(performance.now() - t0);
    dashboards = out.size;
    panels = [...out.values()].reduce((n, d) => n + ((d.panels as { type: string }[] | undefined) ?? []).filter((p) => p.type !== 'row').length, 0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, dashboards, panels };
}

export async function benchDashboards(): Promise<BenchRow[]> {
  const bundled = loadModel(BUNDLED_CATALOG).model!;
  const big = loadModel(writeSyntheticCatalog(BUNDLED_CATALOG, mkdtempSync(join(tmpdir(), 'slokit-bench-')), 500));
  if (!big.model) throw new Error(`synthetic catalog invalid: ${big.problems[0]?.message}`);
  const base = await median(bundled, 5);
  const large = await median(big.model, 3);
  return [
    { name: 'jsonnet dashboards, bundled catalog', value: Math.round(base.ms), unit: 'ms', note: `${bundled.services.length} services, ${base.dashboards} dashboards, ${base.panels} panels (baseline)` },
    { name: 'jsonnet dashboards, 500 services', value: Math.round(large.ms), unit: 'ms', note: `${large.dashboards} dashboards, ${large.panels} panels; ${(large.ms / base.ms).toFixed(1)}x the baseline for ${(large.panels / base.panels).toFixed(1)}x the panels` },
  ];
}
