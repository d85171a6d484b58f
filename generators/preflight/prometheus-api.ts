/** A small client for Prometheus' instant query API that fails closed: any doubt is an error. */
export class PrometheusUnavailable extends Error {}

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export async function instantQuery(baseUrl: string, query: string, timeoutMs: number): Promise<VectorSample[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
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
  if (b.status !== 'success' || b.data?.resultType !== 'vector' || !Array.isArray(b.data.result)) {
    throw new PrometheusUnavailable(`Prometheus at ${baseUrl} did not answer the query ${query}: ${b.error ?? `HTTP ${res.status}, unexpected body`}`);
  }
  return (b.data.result as { metric?: Record<string, string>; value?: [number, string] }[]).map((r) => {
    const value = Number(r.value?.[1]);
    if (!r.metric || Number.isNaN(value) && r.value?.[1] !== 'NaN') throw new PrometheusUnavailable(`Prometheus at ${baseUrl} returned a malformed sample for ${query}`);
    return { metric: r.metric, value };
  });
}
