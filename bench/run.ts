/** `npm run bench`: every benchmark, a table on stdout, and bench/results.json. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { PROJECT_ROOT } from '../generators/paths.js';
import { benchDashboards, type BenchRow } from './dashboards.bench.js';
import { benchSdk } from './sdk.bench.js';

// Each benchmark also runs alone: node dist/bench/run.js dashboards|sdk
const only = process.argv[2];
const rows: BenchRow[] = [
  ...(!only || only === 'sdk' ? await benchSdk() : []),
  ...(!only || only === 'dashboards' ? await benchDashboards() : []),
];
const width = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${String(r.value).padStart(8)} ${r.unit}  ${r.note}`);
writeFileSync(
  join(PROJECT_ROOT, 'bench', 'results.json'),
  `${JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version }, rows }, null, 2)}\n`,
);
