/** A real Prometheus on imported blocks, for the benchmarks that query rules on synthetic data. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inParallel } from '../../generators/in-parallel.js';
import { startPrometheus, type Running } from '../../test/helpers/processes.js';

const run = promisify(execFile);

/** Imports OpenMetrics files into `dataDir` with promtool, two at a time (one per core here). */
export async function importOpenMetrics(files: readonly string[], dataDir: string): Promise<void> {
  await inParallel(files, 2, (f) => run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', f, dataDir], { maxBuffer: 1 << 26 }));
}

/** A Prometheus over `dataDir` that evaluates nothing itself; restart it to load new blocks. */
export class BenchPrometheus {
  private running?: Running;
  private readonly config: string;

  constructor(private readonly dataDir: string, scratch: string) {
    this.config = join(scratch, 'prometheus.yml');
    writeFileSync(this.config, 'global:\n  evaluation_interval: 1m\n');
  }

  get url(): string {
    if (!this.running) throw new Error('Prometheus is not running');
    return this.running.url;
  }

  async restart(): Promise<void> {
    await this.stop();
    // Sloth's and the naive 3d windows load tens of millions of samples per query at 5,000 series.
    this.running = await startPrometheus(this.config, this.dataDir, ['--query.max-samples=500000000', '--storage.tsdb.retention.time=60d', '--log.level=warn']);
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}
