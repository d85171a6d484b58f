/**
 * Prometheus queries shared by every open browser: an answer (or a failure) is reused for a
 * few seconds, and a query already on its way is joined rather than sent again, so a hundred
 * open pages cost Prometheus what one does. Nothing older than the time to live is ever
 * returned: when Prometheus stops answering, pages say so instead of showing old numbers.
 */
import { instantQuery, rangeQuery, type RangeSeries, type VectorSample } from '../prometheus-api.js';

export interface QueryCacheOptions {
  readonly prometheusUrl: string;
  readonly ttlMs: number;
  readonly timeoutMs: number;
}

export interface Range {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

export class QueryCache {
  private readonly entries = new Map<string, { readonly at: number; readonly answer: Promise<unknown> }>();

  constructor(private readonly options: QueryCacheOptions) {}

  /** Milliseconds; the time every answer of a page is asked for. */
  now(): number {
    return Date.now();
  }

  instant(expr: string): Promise<VectorSample[]> {
    return this.cached(`i\n${expr}`, () => instantQuery(this.options.prometheusUrl, expr, this.options.timeoutMs));
  }

  /** Callers end ranges on the whole minute, so pages opened seconds apart share the query. */
  range(expr: string, range: Range): Promise<RangeSeries[]> {
    return this.cached(`r\n${range.start}\n${range.end}\n${range.step}\n${expr}`, () => rangeQuery(this.options.prometheusUrl, expr, range, this.options.timeoutMs));
  }

  private cached<T>(key: string, fetchAnswer: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.options.ttlMs) return hit.answer as Promise<T>;
    // Keys also hold what requests ask for (an environment), so expired ones are dropped: the map
    // holds only what the last few seconds of traffic asked for.
    for (const [k, e] of this.entries) if (now - e.at >= this.options.ttlMs) this.entries.delete(k);
    const answer = fetchAnswer();
    // A rejected promise held in the map is still "handled" once someone awaits it; this keeps
    // Node from reporting it as unhandled when no page asks again before it expires.
    answer.catch(() => undefined);
    this.entries.set(key, { at: now, answer });
    return answer;
  }
}
