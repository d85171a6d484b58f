// Example service on @slokit/sdk: a small webhook API (node:http) and a delivery job worker.
// Registered in the bundled catalog as `webhook-relay`. Environment:
//   PORT (0 = any free port; the chosen port is printed as {"listening": PORT})
//   SLOKIT_BACKEND = prom-client (default) | opentelemetry
// Fault injection for tests: POST /-/fault?error_rate=0.5&latency_ms=300 (the /-/ prefix is
// outside the SLIs, as the catalog's selectors say).
import { createServer } from 'node:http';
import { createSlokit, newPrometheusExporter } from '@slokit/sdk';

const backendName = process.env.SLOKIT_BACKEND === 'opentelemetry' ? 'opentelemetry' : 'prom-client';
let openTelemetry;
if (backendName === 'opentelemetry') {
  // What a team already on OpenTelemetry has: NodeSDK with a Prometheus metric reader.
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { metrics } = await import('@opentelemetry/api');
  const exporter = newPrometheusExporter();
  const sdk = new NodeSDK({ metricReader: exporter, instrumentations: [], traceExporter: undefined });
  sdk.start();
  openTelemetry = { exporter, meterProvider: metrics.getMeterProvider() };
}

const slokit = createSlokit({
  service: 'webhook-relay',
  version: process.env.VERSION ?? '1.4.2',
  revision: process.env.REVISION ?? 'abc1234',
  backend: backendName,
  openTelemetry,
  logRequests: process.env.LOG_REQUESTS !== '0',
});

const fault = { errorRate: 0, latencyMs: 0 };
const queue = [];
const routes = [
  { method: 'GET', pattern: /^\/hooks\/[^/]+$/, route: '/hooks/:id' },
  { method: 'POST', pattern: /^\/hooks\/[^/]+\/deliveries$/, route: '/hooks/:id/deliveries' },
  { method: 'POST', pattern: /^\/-\/fault$/, route: '/-/fault' },
];
slokit.preinitialize({
  http: { routes: routes.map(({ method, route }) => ({ method, route })), statusCodes: ['200', '202', '500'] },
  jobs: [{ queue: 'deliveries', jobClass: 'DeliverWebhook' }],
  dependencies: ['postgres'],
});

const routeOf = (req) => {
  const path = (req.url ?? '').split('?')[0];
  return routes.find((r) => r.method === req.method && r.pattern.test(path))?.route;
};

const handler = (req, res) => {
  const route = routeOf(req);
  if (route === '/-/fault') {
    const q = new URL(req.url, 'http://x').searchParams;
    fault.errorRate = Number(q.get('error_rate') ?? 0);
    fault.latencyMs = Number(q.get('latency_ms') ?? 0);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(fault));
    return;
  }
  if (!route) {
    res.writeHead(404).end('not found\n');
    return;
  }
  setTimeout(() => {
    if (Math.random() < fault.errorRate) {
      res.writeHead(500).end('injected failure\n');
      return;
    }
    if (route === '/hooks/:id/deliveries') {
      queue.push({ enqueuedAt: Date.now(), hook: req.url });
      res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"queued":true}');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"hook"}');
    }
  }, fault.latencyMs);
};

// The worker: delivers queued webhooks, looking the hook up in "postgres" first.
setInterval(() => {
  const item = queue.shift();
  if (!item) return;
  slokit
    .job('deliveries', 'DeliverWebhook', async () => {
      await slokit.dependency('postgres', async () => undefined);
      if (Math.random() < fault.errorRate) throw new Error('delivery failed');
    }, { enqueuedAt: item.enqueuedAt })
    .catch(() => undefined);
}, 5).unref();

const server = createServer(slokit.wrap(handler, routeOf));
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port, backend: backendName })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
