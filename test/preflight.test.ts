/**
 * slokit preflight against a real Prometheus holding backfilled SLO data
 * (promtool tsdb create-blocks-from openmetrics): healthy, burning, budget exhausted,
 * unreachable, and a server that answers garbage.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, copyCatalog, scratchDir } from './helpers/catalog.js';
import { freePort, startPrometheus, type Running } from './helpers/processes.js';

const catalog = copyCatalog();
let prometheus: Running | undefined;

/** OpenMetrics text: every series gets a sample every 15s over the last 10 minutes. */
function openMetrics(series: Record<string, number>): string {
  const now = Math.floor(Date.now() / 1000) - 15;
  const families = new Map<string, string[]>();
  for (const [spaced, v] of Object.entries(series)) {
    const s = spaced.replace(/", /g, '",'); // OpenMetrics allows no space between labels
    const name = s.replace(/\{.*$/, '');
    const lines = families.get(name) ?? [];
    for (let t = now - 600; t <= now; t += 15) lines.push(`${s} ${v} ${t}`);
    families.set(name, lines);
  }
  return `${[...families].map(([name, lines]) => `# TYPE ${name} gauge\n${lines.join('\n')}`).join('\n')}\n# EOF\n`;
}

const env = 'env="production", cluster="main"';
const data = {
  // registry: healthy
  [`slo:error_budget_remaining:ratio{service="registry", sli="requests", ${env}}`]: 0.9,
  [`slo:error_budget_remaining:ratio{service="registry", sli="request-latency", ${env}}`]: 0.8,
  [`slo:burn_rate:rate1h{service="registry", sli="requests", ${env}}`]: 0.2,
  [`slo:burn_rate:rate1h{service="registry", sli="request-latency", ${env}}`]: 0.5,
  [`slo:burn_rate:rate6h{service="registry", sli="requests", ${env}}`]: 0.3,
  'registry_build_info{version="3.1.0", instance="r1"}': 1,
  // gitaly: burning fast, paging, mid-rollout
  [`slo:error_budget_remaining:ratio{service="gitaly", sli="grpc-requests", ${env}}`]: 0.7,
  [`slo:error_budget_remaining:ratio{service="gitaly", sli="grpc-latency", ${env}}`]: 0.6,
  [`slo:burn_rate:rate1h{service="gitaly", sli="grpc-requests", ${env}}`]: 20,
  [`ALERTS{alertname="SlokitErrorBudgetBurnFast", alertstate="firing", service="gitaly", sli="grpc-requests", severity="critical", ${env}}`]: 1,
  'gitlab_build_info{job="gitaly", version="16.1.0", instance="g1"}': 1,
  'gitlab_build_info{job="gitaly", version="16.2.0", instance="g2"}': 1,
  // redis: budget exhausted
  [`slo:error_budget_remaining:ratio{service="redis", sli="commands", ${env}}`]: -0.4,
  [`slo:burn_rate:rate1h{service="redis", sli="commands", ${env}}`]: 0.9,
  [`ALERTS{alertname="SlokitErrorBudgetExhausted", alertstate="firing", service="redis", sli="commands", severity="warning", ${env}}`]: 1,
  'redis_instance_info{redis_version="7.0.11"}': 1,
};

beforeAll(async () => {
  const dir = scratchDir('slokit-preflight-');
  const tsdb = join(dir, 'data');
  mkdirSync(tsdb);
  writeFileSync(join(dir, 'data.om'), openMetrics(data));
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), tsdb], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`backfill failed: ${r.stdout}${r.stderr}`);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  prometheus = await startPrometheus(join(dir, 'prometheus.yml'), tsdb);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

const run = (...args: string[]) => cli(['preflight', '--catalog', catalog, '--prometheus', prometheus!.url, ...args]);

describe('slokit preflight', () => {
  it('healthy: exit 0 and a SAFE line with the numbers', () => {
    const r = run('--services', 'registry');
    expect(r.code, `${r.stdout}${r.stderr}\n${prometheus!.logs()}`).toBe(0);
    expect(r.stdout).toMatch(/^SAFE +registry +budget left +80% +burn 0\.50x +firing 0 +versions 3\.1\.0$/m);
    const json = JSON.parse(run('--services', 'registry', '--format', 'json').stdout) as { services: { burnRates: { sli: string; window: string; value: number }[] }[] };
    expect(json.services[0]!.burnRates).toEqual(
      expect.arrayContaining([
        { sli: 'requests', window: '1h', value: 0.2 },
        { sli: 'requests', window: '6h', value: 0.3 },
        { sli: 'request-latency', window: '1h', value: 0.5 },
      ]),
    );
  });

  it('burning: exit 1 with every reason (burn rate, firing page, version skew)', () => {
    const r = run('--services', 'gitaly');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^BLOCKED gitaly/m);
    expect(r.stdout).toContain('grpc-requests: burning the budget 20.0x faster than sustainable over the last 1h');
    expect(r.stdout).toContain('grpc-requests: SlokitErrorBudgetBurnFast (critical) is firing');
    expect(r.stdout).toContain('2 versions running at once (16.1.0, 16.2.0): finish the current rollout first');
    expect(r.stderr).toContain('not safe to upgrade: gitaly');
  });

  it('budget exhausted: exit 1, in JSON too', () => {
    const r = run('--services', 'redis', '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { safe: boolean; services: { service: string; reasons: string[]; budgetRemaining: { value: number }[]; burnRates: unknown[] }[] };
    expect(out.safe).toBe(false);
    expect(out.services[0]!.budgetRemaining[0]!.value).toBe(-0.4);
    expect(out.services[0]!.burnRates).toEqual([{ sli: 'commands', window: '1h', value: 0.9 }]);
    expect(out.services[0]!.reasons).toEqual(['commands: -40% of the error budget left, below the 25% required', 'commands: SlokitErrorBudgetExhausted (warning) is firing']);
  });

  it('fails closed when a service has no SLO data, and honours --min-budget', () => {
    const r = run('--services', 'sidekiq,registry', '--min-budget', '85%');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('jobs: no error budget data in Prometheus');
    expect(r.stdout).toContain('request-latency: 80% of the error budget left, below the 85% required');
    expect(r.stderr).toContain('not safe to upgrade: sidekiq, registry');
  });

  it('unreachable Prometheus: exit 2 with a clear message', async () => {
    const port = await freePort();
    const r = cli(['preflight', '--catalog', catalog, '--prometheus', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; refusing to call anything safe without data/);
  });

  it('a server that answers garbage: exit 2', async () => {
    const server: Server = createServer((_req, res) => res.end('<html>login</html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const r = await cliAsync(['preflight', '--catalog', catalog, '--prometheus', `http://127.0.0.1:${port}`]);
    server.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/answered HTTP 200 with something that is not JSON/);
  });

  it('usage errors exit 2', () => {
    expect(run('--services', 'nope').code).toBe(2);
    expect(run('--min-budget', 'lots').code).toBe(2);
  });
});
