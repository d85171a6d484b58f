/**
 * What an exposition backend offers the instrumentation: a histogram, a counter and a gauge
 * per contract entry, and the text of /metrics. Two implementations (prom-client and
 * OpenTelemetry) must render the same names, labels and buckets.
 */
import type { CounterContract, HistogramContract } from './contract.js';

export type Labels = Readonly<Record<string, string>>;

export interface HistogramHandle {
  observe(labels: Labels, seconds: number): void;
  /** Creates the series with zero counts, where the backend can. */
  zero(labels: Labels): void;
}

export interface CounterHandle {
  inc(labels: Labels, by?: number): void;
  zero(labels: Labels): void;
}

export interface GaugeHandle {
  set(labels: Labels, value: number): void;
}

export interface Backend {
  readonly name: 'prom-client' | 'opentelemetry';
  histogram(contract: HistogramContract): HistogramHandle;
  counter(contract: CounterContract): CounterHandle;
  gauge(contract: CounterContract): GaugeHandle;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}
