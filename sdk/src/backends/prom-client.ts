/** The default backend: prom-client, with its process and runtime metrics. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Backend, CounterHandle, GaugeHandle, HistogramHandle, Labels } from '../backend.js';
import type { CounterContract, HistogramContract } from '../contract.js';

export interface PromClientOptions {
  /** Registry to use; a new one by default (so two SDK instances never collide). */
  readonly registry?: Registry;
  /** Process and runtime metrics (default true). */
  readonly defaultMetrics?: boolean;
}

export function promClientBackend(options: PromClientOptions = {}): Backend & { readonly registry: Registry } {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    name: 'prom-client',
    registry,
    histogram(c: HistogramContract): HistogramHandle {
      const h = new Histogram({ name: c.name, help: c.help, labelNames: [...c.labels], buckets: [...c.buckets], registers: [registry] });
      return {
        observe: (labels: Labels, seconds: number) => h.observe(labels, seconds),
        zero: (labels: Labels) => h.zero(labels),
      };
    },
    counter(c: CounterContract): CounterHandle {
      const counter = new Counter({ name: c.name, help: c.help, labelNames: [...c.labels], registers: [registry] });
      return {
        inc: (labels: Labels, by = 1) => counter.inc(labels, by),
        zero: (labels: Labels) => counter.inc(labels, 0),
      };
    },
    gauge(c: CounterContract): GaugeHandle {
      const g = new Gauge({ name: c.name, help: c.help, labelNames: [...c.labels], registers: [registry] });
      return { set: (labels: Labels, value: number) => g.set(labels, value) };
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
