/**
 * @slokit/sdk: both backends expose the metric contract on a real scrape of the example
 * service; the example conforms to its catalog entry and broken services do not; framework
 * integrations label routes by template; the cardinality guard holds; recording never throws.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConformance } from '../generators/conformance/check.js';
import { parseExposition, type Sample } from '../generators/conformance/exposition.js';
import { loadModel } from '../generators/pipeline.js';
import {
  BUILD_INFO,
  createSlokit,
  DEPENDENCY_DURATION,
  HTTP_SERVER_DURATION,
  HTTP_UNMATCHED_ROUTE,
  JOB_DURATION,
  JOB_QUEUE_DURATION,
  OVERFLOW_LABEL_VALUE,
  type Backend,
  type HistogramContract,
} from '../sdk/src/index.js';
import { cli, copyCatalog, ROOT } from './helpers/catalog.js';

const model = loadModel(copyCatalog()).model!;
const EXAMPLE = join(ROOT, 'sdk', 'examples', 'webhook-relay', 'server.mjs');

async function startExample(backend: string): Promise<{ proc: ChildProcess; base: string }> {
  const proc = spawn(process.execPath, [EXAMPLE], { env: { ...process.env, PORT: '0', SLOKIT_BACKEND: backend, LOG_REQUESTS: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`example exited with ${code}`)));
  });
  const port = (JSON.parse(line) as { listening: number }).listening;
  return { proc, base: `http://127.0.0.1:${port}` };
}

async function exercise(base: string): Promise<string> {
  await fetch(`${base}/-/liveness`);
  await fetch(`${base}/-/readiness`);
  await fetch(`${base}/hooks/1`);
  await fetch(`${base}/hooks/2/deliveries`, { method: 'POST' });
  await fetch(`${base}/no/such/path/12345`);
  await fetch(`${base}/-/fault?error_rate=1`, { method: 'POST' });
  await fetch(`${base}/hooks/3`);
  await fetch(`${base}/-/fault?error_rate=0`, { method: 'POST' });
  await new Promise((r) => setTimeout(r, 200)); // the worker delivers the queued webhook
  return (await fetch(`${base}/metrics`)).text();
}

function histogramShape(samples: Sample[], c: HistogramContract) {
  const buckets = samples.filter((s) => s.name === `${c.name}_bucket`);
  const labelNames = new Set(buckets.flatMap((s) => Object.keys(s.labels)).filter((l) => l !== 'le'));
  const les = [...new Set(buckets.map((s) => s.labels.le!))].filter((l) => l !== '+Inf').map(Number).sort((a, b) => a - b);
  return {
    labelNames: [...labelNames].sort(),
    les,
    hasCount: samples.some((s) => s.name === `${c.name}_count`),
    hasSum: samples.some((s) => s.name === `${c.name}_sum`),
    hasInf: buckets.some((s) => s.labels.le === '+Inf'),
  };
}

const scrapes = new Map<string, string>();
const bases = new Map<string, string>();
const procs: ChildProcess[] = [];

beforeAll(async () => {
  for (const backend of ['prom-client', 'opentelemetry']) {
    const { proc, base } = await startExample(backend);
    procs.push(proc);
    bases.set(backend, base);
    scrapes.set(backend, await exercise(base));
  }
}, 60_000);

afterAll(() => {
  for (const p of procs) p.kill('SIGTERM');
});

describe('both backends expose the metric contract on a real scrape', () => {
  for (const backend of ['prom-client', 'opentelemetry']) {
    it(`${backend}: names, label names and bucket boundaries of every contract histogram`, () => {
      const { samples, errors } = parseExposition(scrapes.get(backend)!);
      expect(errors).toEqual([]);
      for (const c of [HTTP_SERVER_DURATION, JOB_DURATION, JOB_QUEUE_DURATION, DEPENDENCY_DURATION]) {
        const shape = histogramShape(samples, c);
        expect(shape.labelNames, c.name).toEqual([...c.labels].sort());
        expect(shape.les, c.name).toEqual([...c.buckets]);
        expect(shape.hasCount && shape.hasSum && shape.hasInf, c.name).toBe(true);
      }
      const info = samples.filter((s) => s.name === BUILD_INFO.name);
      expect(info).toHaveLength(1);
      expect(info[0]!.labels).toEqual({ version: '1.4.2', revision: 'abc1234' });
      const http = samples.filter((s) => s.name === `${HTTP_SERVER_DURATION.name}_count`);
      expect(http.map((s) => s.labels.http_route)).toContain(HTTP_UNMATCHED_ROUTE);
      expect(JSON.stringify(http)).not.toContain('/no/such/path');
      expect(http.some((s) => s.labels.http_response_status_code === '500' && s.labels.http_route === '/hooks/:id' && s.value >= 1)).toBe(true);
      // The SDK's own endpoints (metrics, liveness, readiness) stay out of the request metrics.
      expect(http.some((s) => ['/metrics', '/-/liveness', '/-/readiness'].includes(s.labels.http_route!))).toBe(false);
    });
  }

  it('the two backends expose the same contract series names', () => {
    const names = (backend: string) =>
      [...new Set(parseExposition(scrapes.get(backend)!).samples.map((s) => s.name).filter((n) => n.startsWith('http_server_') || n.startsWith('slokit_')))].sort();
    expect(names('opentelemetry')).toEqual(names('prom-client'));
    expect(names('prom-client').length).toBeGreaterThanOrEqual(13);
  });
});

describe('conformance', () => {
  it('the example service conforms with either backend', () => {
    for (const [backend, text] of scrapes) {
      const results = checkConformance(model, 'webhook-relay', text);
      expect(results.filter((r) => !r.ok), backend).toEqual([]);
      expect(results.map((r) => r.check)).toEqual(expect.arrayContaining(['metric-present', 'threshold-is-bucket', 'cardinality', 'promtool-check-metrics']));
    }
  });

  it('a missing metric fails with the metric and the SLI named', () => {
    const text = scrapes.get('prom-client')!.split('\n').filter((l) => !l.includes('slokit_job_duration_seconds')).join('\n');
    const failed = checkConformance(model, 'webhook-relay', text).filter((r) => !r.ok);
    expect(failed.map((r) => r.message)).toContain('deliveries: slokit_job_duration_seconds_count is not exposed; the SLI queries it');
  });

  it('a latency threshold that is not a bucket fails', () => {
    const text = scrapes.get('prom-client')!.replace(/le="0\.25"/g, 'le="0.3"');
    const failed = checkConformance(model, 'webhook-relay', text, { promtool: false }).filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/^api-latency: 0\.25s is not a bucket boundary of http_server_request_duration_seconds_bucket \(boundaries: 0, 0\.005, .*0\.3, /);
  });

  it('an exploding label fails the cardinality budget', () => {
    const extra = Array.from({ length: 1200 }, (_, i) => `http_server_request_duration_seconds_count{http_request_method="GET",http_route="/u/${i}",http_response_status_code="200"} 1`).join('\n');
    const failed = checkConformance(model, 'webhook-relay', `${scrapes.get('prom-client')!}\n${extra}\n`, { promtool: false }).filter((r) => !r.ok);
    expect(failed.map((r) => r.check)).toEqual(['cardinality']);
    expect(failed[0]!.message).toMatch(/^http_server_request_duration_seconds has \d{4} series, over the budget of 1000/);
  });

  it('slokit conformance scrapes a running service: exit 0 when it conforms, 1 with the failing check otherwise', () => {
    const ok = cli(['conformance', '--service', 'webhook-relay', '--url', `${bases.get('opentelemetry')!}/metrics`, '--catalog', copyCatalog()]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok {3}threshold-is-bucket {4}api-latency: 0\.25s is a bucket/m);
    expect(ok.stdout).toMatch(/webhook-relay conforms to its catalog entry/);
    const wrong = cli(['conformance', '--service', 'registry', '--url', `${bases.get('prom-client')!}/metrics`, '--catalog', copyCatalog()]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^FAIL metric-present {9}requests: registry_http_requests_total is not exposed; the SLI queries it$/m);
    expect(wrong.stderr).toMatch(/registry does not conform: \d+ check\(s\) failed/);
    const down = cli(['conformance', '--service', 'webhook-relay', '--url', 'http://127.0.0.1:9/metrics', '--catalog', copyCatalog()]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/could not scrape http:\/\/127\.0\.0\.1:9\/metrics/);
  });

  it('an unknown service is reported', () => {
    expect(checkConformance(model, 'nope', '')[0]).toEqual({ check: 'service', ok: false, message: 'service "nope" is not in the catalog' });
  });
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

describe('framework integrations label by route template', () => {
  it('Express', async () => {
    const slokit = createSlokit({ service: 't', version: '1', logRequests: false, promClient: { defaultMetrics: false } });
    const app = express();
    app.use(slokit.express());
    app.get('/users/:id', (_req, res) => void res.send('ok'));
    const server = createServer(app);
    const base = await listen(server);
    await fetch(`${base}/users/42`);
    await fetch(`${base}/missing`);
    const text = await (await fetch(`${base}/metrics`)).text();
    server.close();
    expect(text).toMatch(/http_server_request_duration_seconds_count\{http_request_method="GET",http_route="\/users\/:id",http_response_status_code="200"\} 1/);
    expect(text).toMatch(/http_route="\(unmatched\)",http_response_status_code="404"\} 1/);
    expect(text).not.toContain('/users/42');
  });

  it('Fastify', async () => {
    const slokit = createSlokit({ service: 't', version: '1', logRequests: false, backend: 'opentelemetry' });
    const app = Fastify();
    await app.register(slokit.fastify);
    app.get('/orders/:id', async () => 'ok');
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${base}/orders/7`);
    await fetch(`${base}/missing`);
    const text = await (await fetch(`${base}/metrics`)).text();
    await app.close();
    expect(text).toMatch(/http_server_request_duration_seconds_count\{http_request_method="GET",http_route="\/orders\/:id",http_response_status_code="200"\} 1/);
    expect(text).toMatch(/http_route="\(unmatched\)",http_response_status_code="404"\} 1/);
  });
});

describe('logs', () => {
  it('carry the trace and span ids of the active span when tracing is on', async () => {
    const { context, trace } = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const lines: Record<string, unknown>[] = [];
    const slokit = createSlokit({
      service: 't',
      version: '1',
      promClient: { defaultMetrics: false },
      logger: { info: (m, f) => lines.push({ m, ...f }), warn: () => undefined, error: () => undefined },
    });
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const handler = slokit.wrap((_req, res) => res.end('ok'), () => '/traced');
    // As if an OpenTelemetry HTTP instrumentation had started a span around the request.
    const server = createServer((req, res) => context.with(trace.setSpanContext(context.active(), spanContext), () => handler(req, res)));
    const base = await listen(server);
    await fetch(`${base}/traced`);
    await new Promise((r) => setTimeout(r, 20));
    server.close();
    context.disable();
    expect(lines.find((l) => l.m === 'request')).toMatchObject({ route: '/traced', trace_id: spanContext.traceId, span_id: spanContext.spanId });
    expect(String(lines.find((l) => l.m === 'request')!.correlation_id)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('safety', () => {
  it('past the cap, label values collapse to the overflow value and the overflow is counted', async () => {
    const slokit = createSlokit({ service: 't', version: '1', maxLabelSetsPerMetric: 3, promClient: { defaultMetrics: false }, logRequests: false });
    for (let i = 0; i < 10; i++) slokit.recordRequest('GET', `/r/${i}`, 200, 0.01);
    const text = (await slokit.metrics()).body;
    const routes = new Set([...text.matchAll(/http_route="([^"]*)"/g)].map((m) => m[1]));
    expect(routes).toEqual(new Set(['/r/0', '/r/1', '/r/2', OVERFLOW_LABEL_VALUE]));
    expect(text).toContain(`slokit_metric_label_overflow_total{metric="http_server_request_duration_seconds"} 7`);
  });

  it('jobs and dependency calls record their outcome and rethrow their own errors', async () => {
    const slokit = createSlokit({ service: 't', version: '1', promClient: { defaultMetrics: false }, logRequests: false });
    await expect(slokit.job('q', 'Ok', async () => 42, { enqueuedAt: Date.now() - 1500 })).resolves.toBe(42);
    await expect(slokit.job('q', 'Bad', () => Promise.reject(new Error('job broke')))).rejects.toThrow('job broke');
    await expect(slokit.dependency('postgres', () => { throw new Error('db down'); })).rejects.toThrow('db down');
    const text = (await slokit.metrics()).body;
    expect(text).toMatch(/slokit_job_duration_seconds_count\{queue="q",job_class="Ok",outcome="success"\} 1/);
    expect(text).toMatch(/slokit_job_duration_seconds_count\{queue="q",job_class="Bad",outcome="failure"\} 1/);
    expect(text).toMatch(/slokit_dependency_request_duration_seconds_count\{dependency="postgres",outcome="failure"\} 1/);
    expect(text).toMatch(/slokit_job_queue_duration_seconds_bucket\{le="1",queue="q",job_class="Ok"\} 0/);
    expect(text).toMatch(/slokit_job_queue_duration_seconds_bucket\{le="2.5",queue="q",job_class="Ok"\} 1/);
  });

  it('a failing backend never reaches the request path, and requests carry a correlation id in logs and headers', async () => {
    const lines: string[] = [];
    const broken: Backend = {
      name: 'prom-client',
      histogram: () => ({ observe: () => { throw new Error('boom'); }, zero: () => { throw new Error('boom'); } }),
      counter: () => ({ inc: () => { throw new Error('boom'); }, zero: () => undefined }),
      gauge: () => ({ set: () => { throw new Error('boom'); } }),
      render: async () => ({ contentType: 'text/plain', body: '' }),
    };
    const slokit = createSlokit({ service: 't', version: '1', backend: broken, logger: { info: (m, f) => lines.push(JSON.stringify({ m, ...f })), warn: (m, f) => lines.push(JSON.stringify({ m, ...f })), error: () => undefined } });
    const server = createServer(slokit.wrap((_req, res) => res.end('fine'), () => '/x'));
    const base = await listen(server);
    const res = await fetch(`${base}/x`, { headers: { 'X-Request-ID': 'req-123' } });
    const bad = await fetch(`${base}/x`, { headers: { 'X-Request-ID': 'not valid<script>' } });
    await new Promise((r) => setTimeout(r, 50));
    server.close();
    expect(await res.text()).toBe('fine');
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.filter((l) => l.includes('could not record'))).toHaveLength(1);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.m === 'request');
    expect(logged[0]).toMatchObject({ correlation_id: 'req-123', route: '/x', status: 200 });
  });
});
