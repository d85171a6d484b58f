/** A small client for Prometheus' query API that fails closed: any doubt is an error. */
export class PrometheusUnavailable extends Error {}

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** [unix seconds, value] pairs, oldest first. */
  readonly values: readonly (readonly [number, number])[];
}

/** Prometheus writes NaN and ±Inf as strings; anything else that is not a number is malformed. */
function sampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const value = Number(text);
  return Number.isNaN(value) && text !== 'NaN' ? undefined : value;
}

async function query(baseUrl: string, path: string, params: Record<string, string>, timeoutMs: number, resultType: 'vector' | 'matrix'): Promise<unknown[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(params).toString()}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; errors?: { code?: string }[] } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.errors?.[0]?.code ?? err.message);
    throw new PrometheusUnavailable(`cannot reach Prometheus at ${baseUrl}: ${why}`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new PrometheusUnavailable(`Prometheus at ${baseUrl} answered HTTP ${res.status} with something that is not JSON`);
  }
  const b = body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  if (b.status !== 'success' || b.data?.resultType !== resultType || !Array.isArray(b.data.result)) {
    throw new PrometheusUnavailable(`Prometheus at ${baseUrl} did not answer the query ${params.query}: ${b.error ?? `HTTP ${res.status}, unexpected body`}`);
  }
  return b.data.result;
}

export async function instantQuery(baseUrl: string, expr: string, timeoutMs: number): Promise<VectorSample[]> {
  const result = (await query(baseUrl, '/api/v1/query', { query: expr }, timeoutMs, 'vector')) as { metric?: Record<string, string>; value?: [number, string] }[];
  return result.map((r) => {
    const value = sampleValue(r.value?.[1]);
    if (!r.metric || value === undefined) throw new PrometheusUnavailable(`Prometheus at ${baseUrl} returned a malformed sample for ${expr}`);
    return { metric: r.metric, value };
  });
}

/** A range query; start and end in unix seconds, step in seconds. */
export async function rangeQuery(baseUrl: string, expr: string, range: { start: number; end: number; step: number }, timeoutMs: number): Promise<RangeSeries[]> {
  const params = { query: expr, start: String(range.start), end: String(range.end), step: String(range.step) };
  const result = (await query(baseUrl, '/api/v1/query_range', params, timeoutMs, 'matrix')) as { metric?: Record<string, string>; values?: [number, string][] }[];
  return matrixOf(baseUrl, expr, result);
}

function matrixOf(baseUrl: string, expr: string, result: { metric?: Record<string, string>; values?: [number, string][] }[]): RangeSeries[] {
  return result.map((r) => {
    if (!r.metric || !Array.isArray(r.values)) throw new PrometheusUnavailable(`Prometheus at ${baseUrl} returned a malformed series for ${expr}`);
    const values = r.values.map(([t, v]) => {
      const value = sampleValue(v);
      if (typeof t !== 'number' || value === undefined) throw new PrometheusUnavailable(`Prometheus at ${baseUrl} returned a malformed sample for ${expr}`);
      return [t, value] as const;
    });
    return { metric: r.metric, values };
  });
}

/** An instant query of a range vector: every raw sample of each series in the range (e.g. `ALERTS[31d] @ t`). */
export async function instantRangeQuery(baseUrl: string, expr: string, timeoutMs: number): Promise<RangeSeries[]> {
  const result = (await query(baseUrl, '/api/v1/query', { query: expr }, timeoutMs, 'matrix')) as { metric?: Record<string, string>; values?: [number, string][] }[];
  return matrixOf(baseUrl, expr, result);
}

/** The server's version (`/api/v1/status/buildinfo`), or undefined when it does not say (some Prometheus-compatible stores). */
export async function prometheusVersion(baseUrl: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/api/v1/status/buildinfo`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { status?: string; data?: { version?: unknown } };
    return body.status === 'success' && typeof body.data?.version === 'string' ? body.data.version : undefined;
  } catch {
    return undefined;
  }
}
