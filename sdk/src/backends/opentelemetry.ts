/**
 * The OpenTelemetry backend, for teams already on OpenTelemetry. Two differences from
 * prom-client are handled here: the JS Prometheus exporter adds no unit suffix (so instrument
 * names already carry `_seconds`), and the SDK's default histogram buckets are in
 * milliseconds (so every histogram gets the contract's boundaries, in seconds, explicitly).
 */
import type { Attributes, Meter, MeterProvider } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider as SdkMeterProvider } from '@opentelemetry/sdk-metrics';
import type { Backend, CounterHandle, GaugeHandle, HistogramHandle, Labels } from '../backend.js';
import type { CounterContract, HistogramContract } from '../contract.js';

export interface OpenTelemetryOptions {
  /**
   * An exporter already registered as a metric reader of your MeterProvider (for example the
   * `metricReader` you gave NodeSDK), and that provider. Without them the backend makes its own.
   */
  readonly exporter?: PrometheusExporter;
  readonly meterProvider?: MeterProvider;
}

/** Exporter settings that keep the exposition identical to prom-client's: no scope or target info. */
export function newPrometheusExporter(): PrometheusExporter {
  return new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
}

export function openTelemetryBackend(options: OpenTelemetryOptions = {}): Backend {
  let exporter = options.exporter;
  let provider = options.meterProvider;
  if (!exporter || !provider) {
    exporter = newPrometheusExporter();
    provider = new SdkMeterProvider({ readers: [exporter] });
  }
  const meter: Meter = provider.getMeter('@slokit/sdk');
  const attrs = (labels: Labels): Attributes => ({ ...labels });
  const ready = exporter;
  // Same settings as newPrometheusExporter(): no scope labels and no target_info series.
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  return {
    name: 'opentelemetry',
    histogram(c: HistogramContract): HistogramHandle {
      const h = meter.createHistogram(c.name, { description: c.help, advice: { explicitBucketBoundaries: [...c.buckets] } });
      return {
        observe: (labels: Labels, seconds: number) => h.record(seconds, attrs(labels)),
        // OpenTelemetry has no way to create an empty histogram series; the rules do not need one
        // (a missing bad-events series counts as zero), so this is a no-op here.
        zero: () => undefined,
      };
    },
    counter(c: CounterContract): CounterHandle {
      const counter = meter.createCounter(c.name, { description: c.help });
      return {
        inc: (labels: Labels, by = 1) => counter.add(by, attrs(labels)),
        zero: (labels: Labels) => counter.add(0, attrs(labels)),
      };
    },
    gauge(c: CounterContract): GaugeHandle {
      const g = meter.createGauge(c.name, { description: c.help });
      return { set: (labels: Labels, value: number) => g.record(value, attrs(labels)) };
    },
    async render() {
      const { resourceMetrics, errors } = await ready.collect();
      if (errors.length) throw new Error(`metric collection failed: ${String(errors[0])}`);
      const body = serializer.serialize(resourceMetrics);
      return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body };
    },
  };
}
