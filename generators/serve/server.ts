/**
 * `slokit serve`: the SLO list, a page per SLI, the runbooks as HTML, and the JSON behind them,
 * on fastify. Every asset is served from here (no external requests), and the content security
 * policy allows nothing else: no inline scripts, no other origins.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Model } from '../model/types.js';
import { PROJECT_ROOT, UI_DIR } from '../paths.js';
import { detailView, listView, matchesFilter, pageChrome, pageRenderer, runbookView, type ListFilter, type PageName } from './pages.js';
import { PrometheusUnavailable } from '../prometheus-api.js';
import { QueryCache } from './query-cache.js';
import { runbookPages } from './runbook-html.js';
import { readJourneyRows } from './journey-status.js';
import { parseRange, readDetail } from './slo-detail.js';
import { readSnapshot, type Snapshot } from './slo-status.js';

export interface ServeOptions {
  readonly prometheusUrl: string;
  /** The address it listens on; on a loopback address, requests must name a loopback host. */
  readonly host: string;
  /** How long an answer from Prometheus is reused. */
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
}

const ASSET_FILES: Record<string, { readonly path: string; readonly type: string }> = {
  'app.css': { path: join(UI_DIR, 'assets', 'app.css'), type: 'text/css; charset=utf-8' },
  'list.js': { path: join(PROJECT_ROOT, 'dist', 'ui', 'client', 'list.js'), type: 'text/javascript; charset=utf-8' },
  'detail.js': { path: join(PROJECT_ROOT, 'dist', 'ui', 'client', 'detail.js'), type: 'text/javascript; charset=utf-8' },
  'refresh.js': { path: join(PROJECT_ROOT, 'dist', 'ui', 'client', 'refresh.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { path: join(PROJECT_ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: join(PROJECT_ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** Read once at start; a missing file (no `make build`) is an error then, not on the first page view. */
function loadAssets(): Map<string, { body: Buffer; type: string; version: string }> {
  const assets = new Map<string, { body: Buffer; type: string; version: string }>();
  for (const [name, { path, type }] of Object.entries(ASSET_FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch {
      throw new Error(`the web UI asset ${path} is missing; run make build (or npm ci) first`);
    }
    assets.set(name, { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  return assets;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The host name of a Host header, without its port or IPv6 brackets. */
function hostName(header: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return (m?.[1] ?? '').toLowerCase();
}

function filterOf(query: Record<string, unknown>): ListFilter {
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');
  return { env: text(query.env), team: text(query.team), tier: text(query.tier), state: text(query.state), q: text(query.q) };
}

export function buildServer(model: Model, options: ServeOptions): FastifyInstance {
  const assets = loadAssets();
  const render = pageRenderer((name) => `/assets/${name}?v=${assets.get(name)?.version ?? ''}`);
  const runbooks = runbookPages(model);
  const cache = new QueryCache({ prometheusUrl: options.prometheusUrl, ttlMs: options.cacheTtlMs, timeoutMs: options.timeoutMs });
  const services = model.services.map((s) => s.name);
  const app = Fastify({ logger: false });
  if (isLoopback(options.host)) {
    // A web page elsewhere could point its own host name at 127.0.0.1 (DNS rebinding) and read
    // the API; a loopback server answers only requests addressed to a loopback name.
    app.addHook('onRequest', async (req, reply) => {
      if (!isLoopback(hostName(req.headers.host ?? ''))) return reply.code(421).type('text/plain').send('slokit serve answers only requests for 127.0.0.1 or localhost\n');
    });
  }

  const html = (reply: FastifyReply, page: PageName, view: object, status = 200) =>
    reply.code(status).headers(SECURITY_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(render(page, view));
  const json = (reply: FastifyReply, body: unknown, status = 200) => reply.code(status).headers(SECURITY_HEADERS).header('cache-control', 'no-store').send(body);
  const snapshot = (query: unknown = {}) => readSnapshot(model, cache, filterOf(query as Record<string, unknown>).env || undefined);
  const notFound = (reply: FastifyReply, message: string) => html(reply, 'not-found', { ...pageChrome(options.prometheusUrl, 'Not found', 'not-found'), message }, 404);
  const lookup = (params: { service?: string; sli?: string }) => {
    const service = model.services.find((s) => s.name === params.service);
    const sli = service?.slis.find((x) => x.name === params.sli);
    return service && sli ? { service, sli } : undefined;
  };
  const apiHeader = (snap: Snapshot) => ({
    generatedAt: new Date(snap.at).toISOString(),
    prometheus: { url: options.prometheusUrl, reachable: !snap.error, ...(snap.error ? { error: snap.error } : {}) },
    environment: snap.environment ?? null,
    environments: snap.environments,
  });

  const journeyRows = (query: unknown = {}) => readJourneyRows(model, cache, filterOf(query as Record<string, unknown>).env || undefined);
  app.get('/', async (req, reply) => {
    const [snap, journeys] = await Promise.all([snapshot(req.query), journeyRows(req.query)]);
    return html(reply, 'list', listView(model, snap, options.prometheusUrl, filterOf(req.query as Record<string, unknown>), journeys));
  });

  app.get('/api/journeys', async (req, reply) => json(reply, { journeys: await journeyRows(req.query) }));

  app.get<{ Params: { service: string; sli: string }; Querystring: { range?: string } }>('/slo/:service/:sli', async (req, reply) => {
    const found = lookup(req.params);
    if (!found) return notFound(reply, `There is no SLI ${req.params.sli} of ${req.params.service} in the catalog.`);
    const snap = await snapshot(req.query);
    const detail = await readDetail(model, cache, snap, found.service, found.sli, parseRange(req.query.range));
    return html(reply, 'detail', detailView(model, snap, options.prometheusUrl, detail));
  });

  app.get<{ Params: { service?: string } }>('/runbooks/:service?', async (req, reply) => {
    const name = req.params.service ?? '';
    const page = runbooks.get(name);
    if (!page) return notFound(reply, `There is no runbook for ${name}.`);
    return html(reply, 'runbook', runbookView(options.prometheusUrl, name, page, services));
  });

  app.get('/api/slos', async (req, reply) => {
    const snap = await snapshot(req.query);
    const filter = filterOf(req.query as Record<string, unknown>);
    return json(reply, { ...apiHeader(snap), slos: snap.rows.filter((r) => matchesFilter(r, filter)) });
  });

  app.get<{ Params: { service: string; sli: string }; Querystring: { range?: string } }>('/api/slos/:service/:sli', async (req, reply) => {
    const found = lookup(req.params);
    if (!found) return json(reply, { error: `no SLI ${req.params.sli} of ${req.params.service} in the catalog` }, 404);
    const snap = await snapshot(req.query);
    const detail = await readDetail(model, cache, snap, found.service, found.sli, parseRange(req.query.range));
    return json(reply, { ...apiHeader(snap), ...detail });
  });

  // The error budget report (slokit report): one self-contained page, its stylesheet inline.
  const REPORT_HEADERS = { ...SECURITY_HEADERS, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" };
  const report = async (query: unknown) => {
    const { reportFor, requestOfQuery } = await import('../report/request.js');
    return reportFor(model, requestOfQuery(query as Record<string, unknown>), { prometheusUrl: options.prometheusUrl, timeoutMs: options.timeoutMs, now: Date.now() / 1000, asker: 'url', defaultToLastMonth: true });
  };
  /** Why there is no report, and the status that says so: a bad request, or no data to report from (503). */
  const reportFailure = async (e: unknown): Promise<{ status: number; message: string }> => {
    const { ReportRequestError } = await import('../report/request.js');
    const { MissingHistory } = await import('../report/collect.js');
    if (e instanceof ReportRequestError) return { status: 400, message: e.message };
    if (e instanceof MissingHistory || e instanceof PrometheusUnavailable) return { status: 503, message: e.message };
    throw e;
  };
  app.get('/report', async (req, reply) => {
    try {
      const { reportHtml } = await import('../report/html.js');
      return reply.code(200).headers(REPORT_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(reportHtml(await report(req.query)));
    } catch (e) {
      const { status, message } = await reportFailure(e);
      return html(reply, 'not-found', { ...pageChrome(options.prometheusUrl, 'No report', 'not-found'), message: `No report: ${message}.` }, status);
    }
  });
  app.get('/api/report', async (req, reply) => {
    try {
      return json(reply, await report(req.query));
    } catch (e) {
      const { status, message } = await reportFailure(e);
      return json(reply, { error: message }, status);
    }
  });

  app.get<{ Params: { name: string }; Querystring: { v?: string } }>('/assets/:name', async (req, reply) => {
    const asset = assets.get(req.params.name);
    if (!asset) return reply.code(404).send('not found');
    // Versioned URLs (the pages' own) never change; a module's import of a sibling has no version.
    const cache = req.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply.headers(SECURITY_HEADERS).header('cache-control', cache).header('etag', `"${asset.version}"`).type(asset.type).send(asset.body);
  });

  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok\n'));

  app.setNotFoundHandler(async (req, reply) => {
    if (req.url.startsWith('/api/')) return json(reply, { error: 'not found' }, 404);
    return notFound(reply, `Nothing at ${req.url.slice(0, 200)}.`);
  });
  app.setErrorHandler(async (error, _req, reply) => reply.code(500).type('text/plain').send(`slokit serve: ${(error as Error).message}\n`));
  return app;
}
