/**
 * Per-request cost of the SDK's HTTP instrumentation, against the same handler with no
 * instrumentation and with hand-written prom-client instrumentation, for both backends, in
 * one run; and the time to render /metrics holding 10,000 series.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram, Registry } from 'prom-client';
import { Bench } from 'tinybench';
import { createSlokit, HTTP_SERVER_DURATION } from '../sdk/src/index.js';
import type { BenchRow } from './dashboards.bench.js';

/** A response that finishes synchronously, so only instrumentation and the handler are timed. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  setHeader(): this {
    return this;
  }
  end(): this {
    this.emit('finish');
    return this;
  }
}

const routes = ['/hooks/:id', '/hooks/:id/deliveries', '/users/:id', '/projects/:id'];
const request = (i: number) => ({ method: 'GET', url: `/x/${i}`, headers: { 'x-request-id': `req-${i % 100}` } }) as unknown as IncomingMessage;
const handler = (_req: IncomingMessage, res: ServerResponse) => void res.end();

function handWritten() {
  const registry = new Registry();
  const h = new Histogram({ name: HTTP_SERVER_DURATION.name, help: 'x', labelNames: [...HTTP_SERVER_DURATION.labels], buckets: [...HTTP_SERVER_DURATION.buckets], registers: [registry] });
  return (req: IncomingMessage, res: ServerResponse, route: string) => {
    const end = h.startTimer();
    res.once('finish', () => end({ http_request_method: req.method!, http_route: route, http_response_status_code: String(res.statusCode) }));
    handler(req, res);
  };
}

async function meanMs(bench: Bench, name: string): Promise<number> {
  const task = bench.tasks.find((t) => t.name === name)!;
  return (task.result as unknown as { latency: { mean: number } }).latency.mean;
}

export async function benchSdk(): Promise<BenchRow[]> {
  const hand = handWritten();
  const viaProm = createSlokit({ service: 'b', version: '1', logRequests: false, promClient: { defaultMetrics: false } });
  const viaOtel = createSlokit({ service: 'b', version: '1', logRequests: false, backend: 'opentelemetry' });
  const wrapped = {
    prom: viaProm.wrap(handler, (req) => routes[Number(req.url!.slice(3)) % routes.length]),
    otel: viaOtel.wrap(handler, (req) => routes[Number(req.url!.slice(3)) % routes.length]),
  };
  let i = 0;
  const bench = new Bench({ time: 1500, warmup: true });
  bench
    .add('none', () => handler(request(i++), new FakeResponse() as unknown as ServerResponse))
    .add('hand-written prom-client', () => hand(request(i), new FakeResponse() as unknown as ServerResponse, routes[i++ % routes.length]!))
    .add('sdk prom-client', () => wrapped.prom(request(i++), new FakeResponse() as unknown as ServerResponse))
    .add('sdk opentelemetry', () => wrapped.otel(request(i++), new FakeResponse() as unknown as ServerResponse));
  await bench.run();
  const none = await meanMs(bench, 'none');
  const handMs = await meanMs(bench, 'hand-written prom-client');
  const prom = await meanMs(bench, 'sdk prom-client');
  const otel = await meanMs(bench, 'sdk opentelemetry');
  const us = (ms: number) => Math.round(ms * 1000 * 100) / 100;

  // /metrics with 10,000 series: histogram label sets until buckets, sum and count add up.
  const seriesPerSet = HTTP_SERVER_DURATION.buckets.length + 3;
  const sets = Math.ceil(10_000 / seriesPerSet);
  const render = async (backend: 'prom-client' | 'opentelemetry') => {
    const s = createSlokit({ service: 'b', version: '1', logRequests: false, backend, promClient: { defaultMetrics: false }, maxLabelSetsPerMetric: sets + 1 });
    for (let k = 0; k < sets; k++) s.recordRequest('GET', `/route/${k}`, 200, 0.01);
    await s.metrics();
    const times: number[] = [];
    for (let k = 0; k < 9; k++) {
      const t0 = performance.now();
      await s.metrics();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[4]!;
  };
  const renderProm = await render('prom-client');
  const renderOtel = await render('opentelemetry');
  return [
    { name: 'http request, no instrumentation', value: us(none), unit: 'µs', note: 'baseline handler' },
    { name: 'http request, hand-written prom-client', value: us(handMs), unit: 'µs', note: 'baseline for the ratios' },
    { name: 'http request, sdk prom-client', value: us(prom), unit: 'µs', note: `${(prom / handMs).toFixed(2)}x hand-written (goal 1.2x)` },
    { name: 'http request, sdk opentelemetry', value: us(otel), unit: 'µs', note: `${(otel / handMs).toFixed(2)}x hand-written (goal 2x)` },
    { name: 'render /metrics, 10,000 series, prom-client', value: Math.round(renderProm * 10) / 10, unit: 'ms', note: `${sets} label sets x ${seriesPerSet} series (goal < 50 ms)` },
    { name: 'render /metrics, 10,000 series, opentelemetry', value: Math.round(renderOtel * 10) / 10, unit: 'ms', note: `${sets} label sets x ${seriesPerSet} series (goal < 50 ms)` },
  ];
}
