/**
 * The metric contract: names, label names and bucket boundaries of the standard metrics.
 *
 * Defined once, imported by both the SDK (which exposes these metrics) and the generators
 * (which build the standard `http` and `job` SLIs from them), so a catalog SLI of a standard
 * kind can never drift from what the SDK exposes. No dependencies on purpose.
 */

/** OpenTelemetry HTTP semantic conventions: http.server.request.duration, in seconds. */
export const HTTP_SERVER_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** Job durations span milliseconds to many minutes. */
export const JOB_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600, 1800, 3600,
]);

export interface HistogramContract {
  /** Base name: the exposition has `<name>_bucket`, `<name>_count` and `<name>_sum`. */
  readonly name: string;
  readonly help: string;
  readonly unit: 'seconds';
  readonly labels: readonly string[];
  readonly buckets: readonly number[];
}

export interface CounterContract {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
}

/**
 * HTTP server metrics. The name is what OpenTelemetry's Prometheus exporter produces for
 * `http.server.request.duration` (unit `s`), and the label names are the semantic-convention
 * attributes with dots turned into underscores.
 */
export const HTTP_SERVER_DURATION: HistogramContract = Object.freeze({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP server requests.',
  unit: 'seconds',
  labels: Object.freeze(['http_request_method', 'http_route', 'http_response_status_code']),
  buckets: HTTP_SERVER_DURATION_BUCKETS,
});

export const HTTP_LABEL = Object.freeze({
  method: 'http_request_method',
  route: 'http_route',
  statusCode: 'http_response_status_code',
});

/** The one route value for requests that matched no route: never the raw path. */
export const HTTP_UNMATCHED_ROUTE = '(unmatched)';

/** Status codes that count against an HTTP availability SLI (server errors only). */
export const HTTP_SERVER_ERROR_STATUS_REGEX = '5..';

export const JOB_DURATION: HistogramContract = Object.freeze({
  name: 'slokit_job_duration_seconds',
  help: 'Duration of background job execution, by outcome.',
  unit: 'seconds',
  labels: Object.freeze(['queue', 'job_class', 'outcome']),
  buckets: JOB_DURATION_BUCKETS,
});

export const JOB_QUEUE_DURATION: HistogramContract = Object.freeze({
  name: 'slokit_job_queue_duration_seconds',
  help: 'Time a background job waited in its queue before it started.',
  unit: 'seconds',
  labels: Object.freeze(['queue', 'job_class']),
  buckets: JOB_DURATION_BUCKETS,
});

export const JOB_LABEL = Object.freeze({ queue: 'queue', jobClass: 'job_class', outcome: 'outcome' });
export const JOB_OUTCOME = Object.freeze({ success: 'success', failure: 'failure' });

export const DEPENDENCY_DURATION: HistogramContract = Object.freeze({
  name: 'slokit_dependency_request_duration_seconds',
  help: 'Duration of outbound calls to a dependency, by outcome.',
  unit: 'seconds',
  labels: Object.freeze(['dependency', 'outcome']),
  buckets: HTTP_SERVER_DURATION_BUCKETS,
});

export const BUILD_INFO: CounterContract = Object.freeze({
  name: 'slokit_build_info',
  help: 'Always 1; labels carry the running version and revision.',
  labels: Object.freeze(['version', 'revision']),
});

export const CARDINALITY_OVERFLOW: CounterContract = Object.freeze({
  name: 'slokit_metric_label_overflow_total',
  help: 'Label sets collapsed into the overflow value because a metric reached its cap.',
  labels: Object.freeze(['metric']),
});

/** Value that label values collapse to once a metric reaches its cardinality cap. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';
