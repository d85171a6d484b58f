/**
 * @slokit/sdk: the standard metrics the slokit catalog's `http` and `job` SLI kinds read,
 * recorded through prom-client or OpenTelemetry. Recording never throws into the caller's
 * request path, and label cardinality is capped per metric.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Backend, Labels } from './backend.js';
import { openTelemetryBackend, type OpenTelemetryOptions } from './backends/opentelemetry.js';
import { promClientBackend, type PromClientOptions } from './backends/prom-client.js';
import { CardinalityGuard } from './cardinality.js';
import {
  BUILD_INFO,
  CARDINALITY_OVERFLOW,
  DEPENDENCY_DURATION,
  HTTP_LABEL,
  HTTP_SERVER_DURATION,
  HTTP_UNMATCHED_ROUTE,
  JOB_DURATION,
  JOB_LABEL,
  JOB_OUTCOME,
  JOB_QUEUE_DURATION,
} from './contract.js';
import { jsonLogger, type Logger } from './log.js';

export * from './contract.js';
export type { Backend, Labels } from './backend.js';
export { promClientBackend, openTelemetryBackend, jsonLogger };
export type { Logger, PromClientOptions, OpenTelemetryOptions };
export { newPrometheusExporter } from './backends/opentelemetry.js';

/** OpenTelemetry's known HTTP methods; anything else is recorded as _OTHER (semantic conventions). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
/** Health endpoints are served by the SDK and kept out of the request metrics (and so out of SLIs). */
export const HEALTH_PATHS = { liveness: '/-/liveness', readiness: '/-/readiness' } as const;
export const METRICS_PATH = '/metrics';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type OtelApi = typeof import('@opentelemetry/api');
let otelApi: OtelApi | undefined;
try {
  otelApi = await import('@opentelemetry/api');
} catch {
  otelApi = undefined; // tracing ids are optional
}

export interface SlokitOptions {
  /** Service name, as in the catalog. */
  readonly service: string;
  readonly version: string;
  readonly revision?: string;
  /** 'prom-client' (default), 'opentelemetry', or a Backend you built. */
  readonly backend?: 'prom-client' | 'opentelemetry' | Backend;
  readonly promClient?: PromClientOptions;
  readonly openTelemetry?: OpenTelemetryOptions;
  /** Distinct label sets per metric before values collapse to the overflow value (default 1000). */
  readonly maxLabelSetsPerMetric?: number;
  readonly logger?: Logger;
  /** Log every request (default true). */
  readonly logRequests?: boolean;
}

export interface Preinitialize {
  readonly http?: { readonly routes: readonly { readonly method: string; readonly route: string }[]; readonly statusCodes?: readonly string[] };
  readonly jobs?: readonly { readonly queue: string; readonly jobClass: string }[];
  readonly dependencies?: readonly string[];
}

export interface RouteResolver {
  (req: IncomingMessage): string | undefined;
}

export function normalizeMethod(method: string | undefined): string {
  if (method !== undefined && KNOWN_METHODS.has(method)) return method;
  const m = (method ?? '').toUpperCase();
  return KNOWN_METHODS.has(m) ? m : '_OTHER';
}

/** Runs `call`, then reports its duration with outcome success or failure; rethrows the call's own error. */
async function timedOutcome<T>(call: () => Promise<T> | T, record: (outcome: string, seconds: number) => void): Promise<T> {
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  try {
    const result = await call();
    record(JOB_OUTCOME.success, seconds());
    return result;
  } catch (e) {
    record(JOB_OUTCOME.failure, seconds());
    throw e;
  }
}

export function createSlokit(options: SlokitOptions) {
  const log = options.logger ?? jsonLogger(undefined, { service: options.service });
  const backend: Backend =
    typeof options.backend === 'object'
      ? options.backend
      : options.backend === 'opentelemetry'
        ? openTelemetryBackend(options.openTelemetry)
        : promClientBackend(options.promClient);
  const httpDuration = backend.histogram(HTTP_SERVER_DURATION);
  const jobDuration = backend.histogram(JOB_DURATION);
  const jobQueue = backend.histogram(JOB_QUEUE_DURATION);
  const depDuration = backend.histogram(DEPENDENCY_DURATION);
  const overflow = backend.counter(CARDINALITY_OVERFLOW);
  const buildInfo = backend.gauge(BUILD_INFO);
  let warned = false;
  /** Runs a recording step; a failure is logged once and never reaches the caller. */
  const safely = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!warned) log.warn('slokit could not record a metric', { what, error: String(e) });
      warned = true;
    }
  };
  const guard = new CardinalityGuard(options.maxLabelSetsPerMetric ?? 1000, (metric) => safely('overflow', () => overflow.inc({ metric })));
  safely('build info', () => buildInfo.set({ version: options.version, revision: options.revision ?? 'unknown' }, 1));
  let ready = true;

  const recordRequest = (method: string | undefined, route: string | undefined, status: number, seconds: number) =>
    safely('http', () =>
      httpDuration.observe(
        // Literal keys (the contract's label names) keep this hot path cheap.
        guard.admit(HTTP_SERVER_DURATION.name, {
          http_request_method: normalizeMethod(method),
          http_route: route || HTTP_UNMATCHED_ROUTE,
          http_response_status_code: String(status),
        } satisfies Record<(typeof HTTP_LABEL)[keyof typeof HTTP_LABEL], string>),
        seconds,
      ),
    );

  const correlationId = (req: IncomingMessage): string => {
    const given = req.headers['x-request-id'];
    const value = Array.isArray(given) ? given[0] : given;
    return value && REQUEST_ID.test(value) ? value : randomUUID();
  };

  const traceIds = (): Labels => {
    const ctx = otelApi?.trace.getActiveSpan()?.spanContext();
    return ctx && otelApi?.isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
  };

  /** Starts timing a request: echoes X-Request-ID, and on finish records and logs it. */
  const track = (req: IncomingMessage, res: ServerResponse, routeOf: () => string | undefined) => {
    const start = process.hrtime.bigint();
    const id = correlationId(req);
    safely('request id', () => res.setHeader('X-Request-ID', id));
    // Trace ids only serve the request log; skip the context lookup when nothing is logged.
    const ids = options.logRequests !== false ? traceIds() : undefined;
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf();
      recordRequest(req.method, route, res.statusCode, seconds);
      if (options.logRequests !== false) {
        log.info('request', { correlation_id: id, method: req.method, route: route || HTTP_UNMATCHED_ROUTE, status: res.statusCode, duration_ms: Math.round(seconds * 1e6) / 1e3, ...ids });
      }
    });
  };

  const serveMetrics = async (res: ServerResponse) => {
    try {
      const { contentType, body } = await backend.render();
      res.writeHead(200, { 'Content-Type': contentType }).end(body);
    } catch (e) {
      log.error('metrics rendering failed', { error: String(e) });
      res.writeHead(500).end('metrics unavailable\n');
    }
  };

  /** Serves /metrics and the health endpoints; returns true when it answered. */
  const serveOwn = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    // Fast path: the SDK's own endpoints are /metrics and /-/…
    if (!url.startsWith(METRICS_PATH) && !url.startsWith('/-/')) return false;
    const path = url.split('?')[0];
    if (path === METRICS_PATH) {
      void serveMetrics(res);
      return true;
    }
    if (path === HEALTH_PATHS.liveness) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return true;
    }
    if (path === HEALTH_PATHS.readiness) {
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      return true;
    }
    return false;
  };

  return {
    backend,
    log,
    /** Marks the service ready or not (the readiness endpoint answers 503 while not ready). */
    setReady(value: boolean) {
      ready = value;
    },
    recordRequest,
    /** Wraps a node:http handler; `routeOf` maps a request to its route template (undefined: unmatched). */
    wrap(handler: (req: IncomingMessage, res: ServerResponse) => void, routeOf: RouteResolver) {
      return (req: IncomingMessage, res: ServerResponse) => {
        if (serveOwn(req, res)) return;
        let route: string | undefined;
        try {
          route = routeOf(req);
        } catch {
          route = undefined;
        }
        track(req, res, () => route);
        handler(req, res);
      };
    },
    /** Express middleware; register it before your routes. */
    express() {
      return (req: IncomingMessage & { route?: { path?: unknown }; baseUrl?: string }, res: ServerResponse, next: () => void) => {
        if (serveOwn(req, res)) return;
        track(req, res, () => (typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : undefined));
        next();
      };
    },
    /** Fastify plugin (not encapsulated, so it sees every route). */
    fastify: Object.assign(
      (app: FastifyLike, _opts: unknown, done: () => void) => {
        const starts = new WeakMap<object, bigint>();
        for (const path of [METRICS_PATH, HEALTH_PATHS.liveness, HEALTH_PATHS.readiness]) {
          app.get(path, (req: { raw: IncomingMessage }, reply: { hijack(): void; raw: ServerResponse }) => {
            reply.hijack();
            serveOwn(req.raw, reply.raw);
          });
        }
        app.addHook('onRequest', (req: FastifyRequestLike, reply: FastifyReplyLike, next: () => void) => {
          starts.set(req, process.hrtime.bigint());
          safely('request id', () => reply.header('X-Request-ID', correlationId(req.raw)));
          next();
        });
        app.addHook('onResponse', (req: FastifyRequestLike, reply: FastifyReplyLike, next: () => void) => {
          const path = (req.raw.url ?? '').split('?')[0];
          if (path !== METRICS_PATH && path !== HEALTH_PATHS.liveness && path !== HEALTH_PATHS.readiness) {
            const start = starts.get(req) ?? process.hrtime.bigint();
            const seconds = Number(process.hrtime.bigint() - start) / 1e9;
            const route = reply.statusCode === 404 && !req.routeOptions?.url ? undefined : req.routeOptions?.url;
            recordRequest(req.raw.method, route, reply.statusCode, seconds);
          }
          next();
        });
        done();
      },
      { [Symbol.for('skip-override')]: true },
    ),
    /** Runs a background job and records its outcome, duration and queueing delay. Rethrows the job's own error. */
    async job<T>(queue: string, jobClass: string, run: () => Promise<T> | T, opts: { enqueuedAt?: number } = {}): Promise<T> {
      const labels = { [JOB_LABEL.queue]: queue, [JOB_LABEL.jobClass]: jobClass };
      if (opts.enqueuedAt !== undefined) {
        const waited = Math.max(0, (Date.now() - opts.enqueuedAt) / 1000);
        safely('job queue', () => jobQueue.observe(guard.admit(JOB_QUEUE_DURATION.name, labels), waited));
      }
      return timedOutcome(run, (outcome, seconds) =>
        safely('job', () => jobDuration.observe(guard.admit(JOB_DURATION.name, { ...labels, [JOB_LABEL.outcome]: outcome }), seconds)),
      );
    },
    /** Times an outbound call to a dependency. Rethrows the call's own error. */
    async dependency<T>(name: string, call: () => Promise<T> | T): Promise<T> {
      return timedOutcome(call, (outcome, seconds) =>
        safely('dependency', () => depDuration.observe(guard.admit(DEPENDENCY_DURATION.name, { dependency: name, outcome }), seconds)),
      );
    },
    /** Creates zero-valued series for the label sets the catalog expects, so ratios exist before the first error. */
    preinitialize(p: Preinitialize) {
      for (const r of p.http?.routes ?? []) {
        for (const status of p.http?.statusCodes ?? ['200', '500']) {
          safely('preinit', () =>
            httpDuration.zero(guard.admit(HTTP_SERVER_DURATION.name, { [HTTP_LABEL.method]: normalizeMethod(r.method), [HTTP_LABEL.route]: r.route, [HTTP_LABEL.statusCode]: status })),
          );
        }
      }
      for (const j of p.jobs ?? []) {
        for (const outcome of [JOB_OUTCOME.success, JOB_OUTCOME.failure]) {
          safely('preinit', () => jobDuration.zero(guard.admit(JOB_DURATION.name, { [JOB_LABEL.queue]: j.queue, [JOB_LABEL.jobClass]: j.jobClass, [JOB_LABEL.outcome]: outcome })));
        }
      }
      for (const d of p.dependencies ?? []) {
        for (const outcome of [JOB_OUTCOME.success, JOB_OUTCOME.failure]) safely('preinit', () => depDuration.zero(guard.admit(DEPENDENCY_DURATION.name, { dependency: d, outcome })));
      }
    },
    /** The /metrics text (for frameworks the SDK does not wrap). */
    metrics: () => backend.render(),
  };
}

export type Slokit = ReturnType<typeof createSlokit>;

interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: string };
}
interface FastifyReplyLike {
  statusCode: number;
  header(name: string, value: string): unknown;
}
interface FastifyLike {
  get(path: string, handler: (req: { raw: IncomingMessage }, reply: { hijack(): void; raw: ServerResponse }) => void): unknown;
  addHook(name: 'onRequest' | 'onResponse', hook: (req: FastifyRequestLike, reply: FastifyReplyLike, next: () => void) => void): unknown;
}
